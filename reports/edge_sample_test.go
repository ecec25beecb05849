package reports

import (
	"os"
	"strings"
	"testing"

	"github.com/palisade/palisade/app/scanner"
)

func TestEdgeSample(t *testing.T) {
	res := &scanner.Result{TargetURL: "https://xn--bcher-kva.example/", Error: "dial tcp 203.0.113.7:443: connection refused", Grade: "F", Depth: scanner.Quick}
	pdf, err := Render(Input{Result: res, Version: 1, ScanID: "scn_x", ScannedAt: fixScanned, GeneratedAt: fixGenerate})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/edge1.pdf", pdf, 0o644)
	res2 := sampleResult(0)
	res2.TargetDomain = strings.Repeat("very-long-subdomain-label.", 8) + "example.com"
	res2.Grade, res2.OverallScore = "A+", 96
	res2.Findings = res2.Findings[6:]
	pdf, err = Render(Input{Result: res2, Version: 12, ScanID: "scn_y", ScannedAt: fixScanned, GeneratedAt: fixGenerate})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/edge2.pdf", pdf, 0o644)
}
