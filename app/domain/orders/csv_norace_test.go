//go:build !race

package orders_test

const raceDetector = false
