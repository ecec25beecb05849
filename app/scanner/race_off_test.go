//go:build !race

package scanner

// raceEnabled: the race detector multiplies memory use, so memory bounds are not asserted.
const raceEnabled = false
