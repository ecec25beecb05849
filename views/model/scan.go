package model

import "time"

// ScanSummary is one scan in a list.
type ScanSummary struct {
	ID           string
	TargetURL    string
	TargetDomain string
	Depth        string
	Status       string
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
	Score      *int   // nil until scored
	Error      string // why the scan failed, if it did
	FinalURL   string // where redirects ended, if known
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
	Name   string
	Status string // pass, warn, fail, info …
}

// Finding is a problem worth fixing.
type Finding struct {
	CheckID        string
	Severity       string
	Title          string
	Description    string
	Evidence       string
	Recommendation string
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
