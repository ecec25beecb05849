package reports

import (
	"os"
	"testing"
)

// TestWriteSample writes a sample report for eyeballing when
// PALISADE_REPORT_SAMPLE names a file: go test -run TestWriteSample ./reports
func TestWriteSample(t *testing.T) {
	path := os.Getenv("PALISADE_REPORT_SAMPLE")
	if path == "" {
		t.Skip("set PALISADE_REPORT_SAMPLE=/tmp/report.pdf to write a sample report")
	}
	pdf, err := Render(sampleInput(22, true))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", path, len(pdf))
}
