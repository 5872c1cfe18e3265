package web

// adminCanOpenInquiry: starting an inquiry on a customer's behalf waits for
// the cases package.
const adminCanOpenInquiry = false
