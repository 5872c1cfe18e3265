//go:build race

package orders_test

// raceDetector: the race detector slows the pure-Go SQLite about twentyfold
// (35 rows/s), so the 100,000-row test imports fewer rows under it.
const raceDetector = true
