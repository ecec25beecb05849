// Package scanner grades the security of one website. It is a library: it
// imports nothing from the web layer or the database, so the job workers, the
// `palisade scan` command and benchmarks all run exactly the same engine.
//
// The shape of the engine: fetchers gather Evidence from the target (the page
// over HTTPS, the http:// redirect chain, TLS facts, DNS records, probes);
// checks are small pure units that turn Evidence into a CheckResult; scoring
// folds the results into category scores, an overall score and a grade.
package scanner

import (
	"time"

	"github.com/palisade/palisade/app/domain"
)

// Depth selects how much of a site is examined; it is also the unit plans
// price, so its values are part of the public API. It is the domain type
// (Rank, Valid and Deadline are its methods), so a scan row's depth and the
// engine's are one type.
type Depth = domain.Depth

// The three depths of docs/scoring.md ("Depths"). Each includes everything of the one before.
const (
	Quick    = domain.DepthQuick
	Standard = domain.DepthStandard
	Deep     = domain.DepthDeep
)

// ParseDepth accepts a depth name in any case; empty means STANDARD, the default.
func ParseDepth(s string) (Depth, bool) { return domain.ParseDepth(s) }

// Status is a check's verdict; docs/scoring.md ("Statuses") defines each.
// pass/warn/fail move the score, info moves it only when the check says so
// (Outcome.Counted), skipped and error never do.
type Status string

// Check verdicts.
const (
	StatusPass  Status = "pass"
	StatusWarn  Status = "warn"
	StatusFail  Status = "fail"
	StatusInfo  Status = "info"
	StatusError Status = "error"
)

// Severity ranks findings so reports and SECURITY-FIX.md list the worst first.
type Severity string

// Finding severities, most severe first.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
	SeverityInfo     Severity = "info"
)

// SeverityRank orders severities (critical = 0) for sorting.
func SeverityRank(s Severity) int {
	switch s {
	case SeverityCritical:
		return 0
	case SeverityHigh:
		return 1
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 3
	}
	return 4
}

// Result is everything a scan learned. Its JSON is the body of
// `GET /api/v1/scan/{id}` minus the fields only the database knows (id,
// status, timestamps), and exactly what `palisade scan --json` prints inside
// that envelope.
type Result struct {
	TargetURL    string `json:"targetUrl"`
	TargetDomain string `json:"targetDomain"`
	Depth        Depth  `json:"depth"`
	FinalURL     string `json:"finalUrl"`
	StatusCode   int    `json:"statusCode"`
	DurationMs   int64  `json:"durationMs"`
	OverallScore int    `json:"overallScore"`
	// Grade is "" when NotGraded is set.
	Grade string `json:"grade"`
	// GradeCap, when set, is why Grade is worse than the score's letter.
	GradeCap *GradeCap `json:"gradeCap"`
	// NotGraded, when set, says why the scan has no grade: it could not
	// reach the site, was blocked, cancelled or failed.
	NotGraded *NotGraded `json:"notGraded"`
	// ScannedAt is when the scan started.
	ScannedAt time.Time `json:"scannedAt"`
	// ScoringVersion is the version of the scoring rules that produced the
	// grade (ScoringVersion); a stored result keeps it.
	ScoringVersion string            `json:"scoringVersion"`
	Error          string            `json:"error,omitempty"`
	Categories     []Category        `json:"categories"`
	Findings       []Finding         `json:"findings"`
	Headers        map[string]string `json:"headers"`
	MissingHeaders []string          `json:"missingHeaders"`
	RedirectChain  []Hop             `json:"redirectChain"`
	TLS            *TLSInfo          `json:"tls"`
	Summary        Summary           `json:"summary"`
	// Coverage says how much of the site was read (nil when nothing was
	// fetched), so a verdict without findings can be read for what it covers.
	Coverage *Coverage `json:"coverage,omitempty"`
	// ScriptOrigins are the third-party origins (scheme://host[:port] on
	// another registrable domain) the pages read load <script src> from:
	// deduplicated, sorted, at most MaxScriptOrigins (docs/scoring.md,
	// "Script origins"). Monitors alert on one not seen before. Empty when
	// the scan was not graded.
	ScriptOrigins []string `json:"scriptOrigins,omitempty"`
}

// Coverage is what a scan read of the site against what it found there:
// pages crawled of pages discovered, scripts fetched of scripts referenced,
// bodies read only up to their size limit, probes sent (docs/scoring.md,
// "Coverage"). Limits are the engine's; a count at its limit means more was
// there than was read.
type Coverage struct {
	PagesCrawled    int `json:"pagesCrawled"`
	PagesDiscovered int `json:"pagesDiscovered"`
	PageLimit       int `json:"pageLimit"`

	ScriptsFetched    int `json:"scriptsFetched"`
	ScriptsReferenced int `json:"scriptsReferenced"`
	ScriptLimit       int `json:"scriptLimit"`

	// Truncated are the bodies read only up to their limit.
	Truncated []TruncatedBody `json:"truncated,omitempty"`

	ProbesSent int `json:"probesSent"`
}

// TruncatedBody is a response body cut at the engine's size limit.
type TruncatedBody struct {
	URL       string `json:"url"`
	BytesRead int64  `json:"bytesRead"`
	// Size is the body's declared size (Content-Length), 0 when unknown.
	Size int64 `json:"size"`
}

// Category groups checks for scoring and display (tls, headers, cookies,
// redirects, dns, exposure, content).
type Category struct {
	Name     string        `json:"name"`
	Score    int           `json:"score"`
	MaxScore int           `json:"maxScore"`
	Grade    string        `json:"grade"`
	Checks   []CheckResult `json:"checks"`
}

// CheckResult is one check's verdict with what it saw. Findings are derived
// from the results that are not a pass.
type CheckResult struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Category    string `json:"category"`
	Status      Status `json:"status"`
	Value       string `json:"value"`
	Description string `json:"description"`
	// Reason says why a check was skipped or could not be evaluated.
	Reason string `json:"reason,omitempty"`
	// Points is what the check earned out of 100 in this scan and MaxPoints
	// what it could have earned (both 0 when it was not scored): the sum of
	// Points over a result is its overall score before rounding.
	Points    float64 `json:"points"`
	MaxPoints float64 `json:"maxPoints"`
}

// Finding is a problem worth fixing, with the evidence and the fix.
type Finding struct {
	CheckID     string   `json:"checkId"`
	Category    string   `json:"category"`
	Severity    Severity `json:"severity"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	// Recommendation is Fix rendered as plain text (Fix.Text), kept for API clients.
	Recommendation string `json:"recommendation"`
	Fix            *Fix   `json:"fix"`
	Evidence       string `json:"evidence"`
}

// Hop is one response in a redirect chain.
type Hop struct {
	URL        string `json:"url"`
	StatusCode int    `json:"statusCode"`
	Location   string `json:"location,omitempty"`
}

// TLSInfo holds the handshake and certificate facts shown in reports.
type TLSInfo struct {
	Version     string    `json:"version"`
	CipherSuite string    `json:"cipherSuite"`
	Subject     string    `json:"subject"`
	Issuer      string    `json:"issuer"`
	DNSNames    []string  `json:"dnsNames"`
	NotBefore   time.Time `json:"notBefore"`
	NotAfter    time.Time `json:"notAfter"`
	DaysLeft    int       `json:"daysLeft"`
	Trusted     bool      `json:"trusted"`
	VerifyError string    `json:"verifyError,omitempty"`
	// Protocols lists the TLS versions the server accepted when probed (STANDARD and deeper).
	Protocols []string `json:"protocols,omitempty"`
}

// Summary counts findings by severity.
type Summary struct {
	Total    int `json:"total"`
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
}

// Event reports progress while a scan runs, so callers can persist and stream it.
type Event struct {
	CheckID string `json:"id"`
	Name    string `json:"name"`
	Status  Status `json:"status"`
}
