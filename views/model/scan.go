package model

import "time"

// ScanSummary is one scan in a list.
type ScanSummary struct {
	ID           string
	TargetURL    string
	TargetDomain string
	Depth        string
	Status       string
	// Target is the target as lists show it: the host, with its port when
	// the port is not the default of the scheme ("localhost:20443").
	Target string
	// Completed is true once the scan finished with a result (it has reports).
	Completed bool
	// Grade is empty while the scan has none.
	Grade     string
	CreatedAt time.Time
	// URL is the scan's page.
	URL string
}

// ScanDetail is one scan with its result, and the hrefs of what can be done with it.
type ScanDetail struct {
	ScanSummary
	Score    *int   // nil until scored, and nil when not graded
	Error    string // why the scan failed, if it did
	FinalURL string // where redirects ended, if known
	// NotGraded is set when the scan has no verdict (unreachable, blocked,
	// cancelled, failed): no grade, score, categories or fixes are shown.
	NotGraded *NotGraded
	// GradeCap explains a grade worse than the score's letter.
	GradeCap *GradeCap
	// ScannedAt is when the scan ran (zero when unknown).
	ScannedAt time.Time
	// Duration is how long it took, as shown ("4.2 s"; empty when unknown).
	Duration string
	// ScoringVersion is the version of the scoring rules ("2.0.0+ab12cd34").
	ScoringVersion string
	// Coverage is what the scan read of the site; nil when the result does
	// not say (results stored before it was recorded).
	Coverage   *Coverage
	Categories []Category
	Findings   []Finding
	Headers    map[string]string
	Redirects  []Hop
	TLS        *TLS

	BodyURL      string // the live part of the page, polled while running
	CancelURL    string
	FixURL       string // SECURITY-FIX.md
	NewReportURL string
}

// Coverage is what a scan read: pages, scripts, truncated bodies, probes.
type Coverage struct {
	// Summary is the one line ("25 of 34 pages, 12 of 20 scripts, 1 body
	// truncated (app.js: 512 of 603 KiB), 31 probes").
	Summary string
	// Limits names what a limit left unread ("" when everything found was read).
	Limits string
}

// NotGraded says why a scan has no grade and what to try.
type NotGraded struct {
	Reason string // unreachable, blocked, cancelled, failed
	Title  string // the reason as a heading ("The site could not be reached")
	Detail string
	Advice string
}

// GradeCap is why a grade is worse than its points.
type GradeCap struct {
	Grade     string
	Reason    string
	CheckID   string
	CheckName string // empty when the check is not in the result
}

// Category is one scored category of checks.
type Category struct {
	Name     string
	Grade    string
	Score    int
	MaxScore int
	Checks   []Check
}

// Check is one check's verdict.
type Check struct {
	ID     string
	Name   string
	Status string // pass, warn, fail, info, skipped, error
	// Reason says why a check was skipped or could not be evaluated.
	Reason string
	// Points is "7.5 / 10" (empty when the check is not scored).
	Points string
	// Scored is false for skipped and error checks, which earn nothing.
	Scored bool
}

// Finding is a problem worth fixing.
type Finding struct {
	CheckID     string
	Severity    string
	Title       string
	Description string
	Evidence    string
	// Fix is how to fix it; nil for results stored before fixes were
	// structured, which show Recommendation as it is.
	Fix            *Fix
	Recommendation string
}

// Fix is advice and one snippet per server.
type Fix struct {
	Advice   string
	Snippets []Snippet
}

// Snippet is the exact text to add for one server.
type Snippet struct {
	Server string // nginx, apache, …: for data attributes
	Label  string // "nginx", "Apache": shown
	Code   string
}

// Hop is one response of a redirect chain.
type Hop struct {
	StatusCode int
	URL        string
}

// TLS is the handshake and certificate facts the scan page shows.
type TLS struct {
	Version     string
	CipherSuite string
	Subject     string
	Issuer      string
	NotAfter    time.Time
	DaysLeft    int
}

// Report is one version of a scan's PDF report.
type Report struct {
	ID        string
	Version   int
	Status    string
	PDFSize   int64
	CreatedAt time.Time
	// PDFURL downloads the report once it is READY.
	PDFURL string
	// Scan is the scan the report was made from.
	ScanDomain string
	ScanGrade  string // empty when the scan has none
	ScanURL    string
}
