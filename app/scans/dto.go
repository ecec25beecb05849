package scans

import (
	"strconv"
	"time"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/ent"
)

// ScanSummary is the ScanSummary schema of app/api/openapi.json: what lists show.
type ScanSummary struct {
	ID            string            `json:"id"`
	TargetURL     string            `json:"targetUrl"`
	TargetDomain  string            `json:"targetDomain"`
	Depth         domain.Depth      `json:"depth"`
	Status        domain.ScanStatus `json:"status"`
	OverallScore  *int              `json:"overallScore"`
	Grade         *string           `json:"grade"`
	FindingsCount int               `json:"findingsCount"`
	CreatedAt     time.Time         `json:"createdAt"`
	CompletedAt   *time.Time        `json:"completedAt"`
}

// Finding is a finding as the API shows it, with its id.
type Finding struct {
	ID string `json:"id"`
	scanner.Finding
}

// Detail is the Scan schema of app/api/openapi.json (`GET /api/v1/scan/{id}` and
// `palisade scan --json` print exactly this).
type Detail struct {
	ScanSummary
	FinalURL       *string            `json:"finalUrl"`
	StatusCode     int                `json:"statusCode,omitempty"`
	DurationMs     *int64             `json:"durationMs"`
	Error          *string            `json:"error"`
	Categories     []scanner.Category `json:"categories"`
	Findings       []Finding          `json:"findings"`
	Headers        map[string]string  `json:"headers"`
	MissingHeaders []string           `json:"missingHeaders"`
	RedirectChain  []scanner.Hop      `json:"redirectChain"`
	TLS            *scanner.TLSInfo   `json:"tls"`
	// Counts is the findings count by severity ("summary" in the API).
	Counts scanner.Summary `json:"summary"`
	// NotGraded says why the scan has no grade (grade and overallScore are
	// then null and findings empty); nil for a graded or unfinished scan.
	NotGraded *scanner.NotGraded `json:"notGraded"`
	// GradeCap says why the grade is worse than the score's letter.
	GradeCap *scanner.GradeCap `json:"gradeCap"`
	// ScoringVersion is the version of the scoring rules the scan was graded with.
	ScoringVersion string `json:"scoringVersion"`
	// ScannedAt is when the scan started (null before it has).
	ScannedAt *time.Time `json:"scannedAt"`
	// Coverage is how much of the site the scan read (docs/scoring.md,
	// "Coverage"); null before the scan has run.
	Coverage *scanner.Coverage `json:"coverage"`
	// ScriptOrigins are the third-party origins the pages load script from
	// (docs/scoring.md, "Script origins"); absent when there are none.
	ScriptOrigins []string `json:"scriptOrigins,omitempty"`
}

// SummaryOf maps a scan row to its summary.
func SummaryOf(s *ent.Scan) ScanSummary {
	out := ScanSummary{
		ID:            s.ID,
		TargetURL:     s.TargetURL,
		TargetDomain:  s.TargetDomain,
		Depth:         s.Depth,
		Status:        s.Status,
		OverallScore:  s.OverallScore,
		FindingsCount: s.FindingsCount,
		CreatedAt:     s.CreatedAt.UTC(),
		CompletedAt:   s.CompletedAt,
	}
	if s.Grade != "" {
		g := s.Grade
		out.Grade = &g
	}
	if out.CompletedAt != nil {
		t := out.CompletedAt.UTC()
		out.CompletedAt = &t
	}
	return out
}

// DetailOf builds the full view from a summary, the scanner's result (nil
// while the scan has not finished) and the stored finding rows (whose ids
// the API exposes; nil to number them from the result).
func DetailOf(sum ScanSummary, res *scanner.Result, rows []*ent.Finding) Detail {
	d := Detail{
		ScanSummary:    sum,
		Categories:     []scanner.Category{},
		Findings:       []Finding{},
		Headers:        map[string]string{},
		MissingHeaders: []string{},
		RedirectChain:  []scanner.Hop{},
	}
	if res == nil {
		return d
	}
	if res.FinalURL != "" {
		f := res.FinalURL
		d.FinalURL = &f
	}
	dur := res.DurationMs
	d.DurationMs = &dur
	if res.Error != "" {
		e := res.Error
		d.Error = &e
	}
	d.StatusCode = res.StatusCode
	if res.Categories != nil {
		d.Categories = res.Categories
	}
	if res.Headers != nil {
		d.Headers = res.Headers
	}
	if res.MissingHeaders != nil {
		d.MissingHeaders = res.MissingHeaders
	}
	if res.RedirectChain != nil {
		d.RedirectChain = res.RedirectChain
	}
	d.TLS = res.TLS
	d.Counts = res.Summary
	d.ScoringVersion = res.ScoringVersion
	d.Coverage = res.Coverage
	d.ScriptOrigins = res.ScriptOrigins
	if !res.ScannedAt.IsZero() {
		t := res.ScannedAt.UTC()
		d.ScannedAt = &t
	}
	if res.NotGraded != nil {
		// Nothing was judged: no grade, no score, no cap, no fix list.
		ng := *res.NotGraded
		d.NotGraded = &ng
		d.Grade, d.OverallScore = nil, nil
		d.Counts = scanner.Summary{}
		return d
	}
	if d.Grade != nil && res.GradeCap != nil {
		c := *res.GradeCap
		d.GradeCap = &c
	}
	if rows != nil {
		for _, r := range rows {
			f := scanner.Finding{
				CheckID: r.CheckID, Category: r.Category, Severity: scanner.Severity(r.Severity),
				Title: r.Title, Description: r.Description, Recommendation: r.Recommendation, Evidence: r.Evidence,
				Fix: decodeFix(r.Fix),
			}
			if f.Recommendation == "" {
				f.Recommendation = f.Fix.Text()
			}
			d.Findings = append(d.Findings, Finding{ID: r.ID, Finding: f})
		}
	} else {
		for i, f := range res.Findings {
			if f.Recommendation == "" {
				f.Recommendation = f.Fix.Text()
			}
			d.Findings = append(d.Findings, Finding{ID: findingLocalID(i), Finding: f})
		}
	}
	return d
}

// findingLocalID numbers findings of a result that has no stored rows
// (`palisade scan --json`).
func findingLocalID(i int) string { return "fnd_" + strconv.Itoa(i) }
