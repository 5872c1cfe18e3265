package web

// adminCanActOnEscalations: acknowledging and resolving wait for the cases
// package.
const adminCanActOnEscalations = false
