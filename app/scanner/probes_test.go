package scanner

import "testing"

// TestEveryProbeHasADetector: a probe whose answer no detector can confirm
// is a wasted request against the customer's site.
func TestEveryProbeHasADetector(t *testing.T) {
	for _, p := range ProbePaths {
		found := false
		for _, d := range fileDetectors {
			if d.match(p) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("ProbePaths has %s but no file detector recognises it", p)
		}
	}
}
