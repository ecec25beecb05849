package reports

import (
	"os"
	"strings"
	"testing"
)

// TestWriteSample writes sample reports for eyeballing when
// PALISADE_REPORT_SAMPLE names a file: go test -run TestWriteSample ./reports
// writes it (a report with a comparison) and, beside it, -capped.pdf (a
// grade capped by a check) and -notgraded.pdf (a scan that could not run).
func TestWriteSample(t *testing.T) {
	path := os.Getenv("PALISADE_REPORT_SAMPLE")
	if path == "" {
		t.Skip("set PALISADE_REPORT_SAMPLE=/tmp/report.pdf to write sample reports")
	}
	capped := cappedInput("the certificate expired 3 days ago")
	capped.Diff = sampleDiff(capped.Result)
	base := strings.TrimSuffix(path, ".pdf")
	for p, in := range map[string]Input{
		path:                    sampleInput(22, true),
		base + "-capped.pdf":    capped,
		base + "-notgraded.pdf": notGradedInput(),
	} {
		pdf, err := Render(in)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", p, len(pdf))
	}
}
