package orders

// Backwards is backwards, for the external tests.
var Backwards = backwards
