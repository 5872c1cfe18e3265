package web

// adminCanEditOrders: status changes, delivery and reassigning wait for the
// orders package.
const adminCanEditOrders = false
