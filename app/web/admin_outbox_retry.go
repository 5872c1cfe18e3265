package web

// adminCanRetryMail: resending a failed email waits for the mailer's
// RetryOutbox.
const adminCanRetryMail = false
