package scanner

import (
	"crypto/x509"
	"net/http"
	"strings"
	"time"
)

// Check is one small, pure unit of judgement. Fetchers gather Evidence once;
// every check reads it and never does I/O, so checks are trivially testable
// with a table of Evidence values and cheap enough to run thousands of times
// a second.
type Check struct {
	ID       string // stable, namespaced: "headers.csp"
	Name     string // human title: "Content Security Policy"
	Category string // tls, headers, cookies, redirects, dns, exposure, content
	Depth    Depth  // the shallowest depth it runs at
	// Weight is the check's share of its category relative to the other
	// checks of that category: weight 4 counts twice as much as weight 2.
	// Scoring only ever divides by the category's sum over the checks that
	// ran, so adding a check changes no sibling's weight (see CheckPoints).
	Weight int
	// Needs names the evidence the check reads, so the engine can start it as
	// soon as that evidence is in (and report progress per check).
	Needs []EvidenceKind
	// Evaluate turns evidence into a verdict. It must not do I/O.
	Evaluate func(ev *Evidence) Outcome
}

// Outcome is what Evaluate returns: the verdict, what was seen, and, when the
// verdict is not a pass, the finding to report.
type Outcome struct {
	Status Status
	Value  string // what was seen, short: "max-age=31536000; includeSubDomains"
	// Description says why it matters / what the verdict means, in one or two sentences.
	Description string
	// Score is the fraction of Weight earned, 0..1. Zero value with StatusPass means full.
	Score    float64
	Findings []Finding
	// Cap, when non-empty, caps the overall grade (e.g. "F" for an expired
	// certificate, "C" for a leaked secret); CapReason says why in one
	// sentence, shown wherever the grade is.
	Cap       string
	CapReason string
	// Reason says why a check was skipped or is an error.
	Reason string
	// Counted makes an info verdict score like a pass of Score (an optional
	// header that is not set earns what browsers' defaults are worth), so
	// the status can say "nothing to fix" without moving the grade.
	Counted bool
}

// EvidenceKind names one piece of fetched evidence.
type EvidenceKind string

// Evidence kinds, in roughly the order they arrive.
const (
	NeedPage      EvidenceKind = "page"      // the main page over HTTPS (or HTTP if no HTTPS)
	NeedTLS       EvidenceKind = "tls"       // the handshake with the main host
	NeedRedirects EvidenceKind = "redirects" // the chain starting at http://
	NeedTLSProbe  EvidenceKind = "tlsprobe"  // protocol versions and weak ciphers accepted
	NeedDNS       EvidenceKind = "dns"       // TXT/_dmarc/CAA/MX/DNSSEC
	NeedCORS      EvidenceKind = "cors"      // preflight with a foreign Origin
	NeedSecTxt    EvidenceKind = "securitytxt"
	NeedProbes    EvidenceKind = "probes" // sensitive-file probes (DEEP)
	NeedCrawl     EvidenceKind = "crawl"  // same-origin pages and scripts (DEEP)
)

// Evidence is everything fetched from a target. Fields are filled by the
// fetchers the depth runs; a nil pointer or empty slice means "not fetched"
// and checks must tell that apart from "fetched and absent" via the *Err
// fields or nil-ness documented on each field.
//
// Engine contract: a check is evaluated once every kind in its Needs has
// arrived, on a snapshot of the Evidence taken at that moment. A field of a
// kind the check did not declare may still be nil in that snapshot, so a
// check must declare every kind it reads. Kinds the scan's depth does not
// fetch arrive at once, empty (nil data, empty *Err). Pages and Scripts
// belong to NeedCrawl: at QUICK/STANDARD that is just the main page.
type Evidence struct {
	Depth  Depth
	Target Target
	Now    time.Time // clock for expiry decisions, injectable in tests

	// Page is the final response of the main URL after redirects (nil when unreachable).
	Page    *Response
	PageErr string

	// TLS is the handshake with the main host over HTTPS (nil when HTTPS failed).
	TLS    *TLSFacts
	TLSErr string

	// Redirects is the chain followed from http://host/ (nil when not fetched).
	Redirects    []Hop
	RedirectsErr string

	// TLSProbe lists protocol versions and weak suites the server accepted.
	TLSProbe    *TLSProbe
	TLSProbeErr string

	DNS    *DNSFacts
	DNSErr string
	// DNSNotApplicable, when set, says why the target has no DNS records of
	// its own to check (an IP address, a name without a registrable domain
	// such as "localhost"): the dns checks are skipped with this reason.
	DNSNotApplicable string

	// CORS is the answer to an OPTIONS preflight with Origin: https://evil.example.
	CORS    *Response
	CORSErr string

	// SecurityTxt is the response of /.well-known/security.txt (nil when not fetched).
	SecurityTxt    *Response
	SecurityTxtErr string

	// Probes are the sensitive-file probes, path → response (DEEP).
	Probes map[string]*Response
	// NotFound is the response to a random path, to recognise soft-404 pages.
	NotFound *Response

	// Pages are the crawled same-origin HTML pages, the main page first (DEEP;
	// at QUICK/STANDARD only the main page).
	Pages []*Response
	// Scripts are the scripts of the target's site (its registrable
	// domain, subdomains included) that those pages load, URL → response
	// (DEEP; docs/scoring.md, "Coverage"). Answers of 400 and above are left out.
	Scripts map[string]*Response

	// Fields below were added by the engine after the first contract.

	// PageChain is every response the main page fetch saw, redirects first,
	// the final page last (NeedPage). At QUICK it is the only redirect chain.
	PageChain []Hop
	// ProbesErr says how many probes failed and why (NeedProbes); the
	// failed paths are absent from Probes.
	ProbesErr string
	// ProbesSent is how many probe requests were sent, the soft-404
	// baseline included (NeedProbes; Result.Coverage).
	ProbesSent int

	// TLSURL is the https:// origin the TLS facts were read from (NeedTLS):
	// the target's own, or, when that gave no answer, the HTTPS endpoint of
	// the same site where the main page's redirects ended (TLSViaRedirect).
	TLSURL         string
	TLSViaRedirect bool
	// OffSiteURL is set when the main page ended on HTTPS of another site
	// (another registrable domain) and the target has no HTTPS of its own:
	// that origin (NeedTLS). Its TLS is not judged as the target's.
	OffSiteURL string

	// Stylesheets are the style sheets of the target's site (its
	// registrable domain) the crawled pages link, URL → response (DEEP,
	// NeedCrawl; at most crawlStylesMax), read for the references in their
	// CSS. Nil below DEEP.
	Stylesheets map[string]*Response

	// Coverage is how much of the site the crawl read (NeedCrawl): pages
	// and scripts read of those found, truncated bodies. Nil when not known.
	Coverage *Coverage

	// JSLibs is the retire.js repository the library check judges by, set
	// from Options.RetireJSFile; nil means the embedded snapshot.
	JSLibs *jsRepo
	// WordPress are the WordPress files read at DEEP (NeedWordPress):
	// plugins' readme.txt, themes' style.css, the feed. Nil when not read
	// (not DEEP, or the crawled pages are not WordPress).
	WordPress *WordPressFiles
	// WPTable is what WordPress is judged against (release list, vulnerable
	// plugin and theme versions): PALISADE_WP_VULNS_FILE's, nil = embedded.
	WPTable *wpTable
}

// Response is one HTTP exchange, bounded in size by the fetcher.
type Response struct {
	URL        string
	StatusCode int
	Header     http.Header
	Body       []byte // at most the fetcher's body limit
	Truncated  bool   // the body was longer than the limit
	// Size is the body's declared length (Content-Length of an unencoded
	// body), 0 when unknown; with Truncated it says how much was not read.
	Size int64
}

// TLSFacts are the negotiated parameters and the peer certificate chain.
type TLSFacts struct {
	Version     uint16
	CipherSuite uint16
	Chain       []*x509.Certificate
	Trusted     bool   // verified against system roots (+ configured CA)
	HostnameOK  bool   // leaf valid for the host
	VerifyError string // why not trusted
	OCSPStapled bool
	ALPN        string
}

// TLSProbe is what the server accepted when offered one protocol or suite at a time.
type TLSProbe struct {
	Versions   []uint16 // accepted versions
	WeakSuites []string // names of weak cipher suites accepted
}

// DNSFacts are the records the dns checks read. A nil slice means the lookup
// failed; an empty non-nil slice means no such records.
type DNSFacts struct {
	// Domain is the registrable domain (eTLD+1) the TXT, DMARC and MX
	// lookups were made at.
	Domain string
	// CAADomain is the name the CAA set was found at (climbing from the
	// host to Domain), "" when there is none.
	CAADomain string

	TXT         []string // TXT at the registrable host
	DMARC       []string // TXT at _dmarc.host
	CAA         []CAARecord
	MX          []string
	DNSSEC      bool                // the resolver set the AD bit
	SPFIncludes map[string][]string // TXT of domains referenced by include:/redirect=, for lookup counting
}

// CAARecord is one CAA record.
type CAARecord struct {
	Flag  uint8
	Tag   string
	Value string
}

// outcomeBuilder builds a check's Outcome and Findings with the check's id
// and category filled in, so no finding can be filed under another check or
// category by a copy-paste slip. Each Evaluate starts with
// o := outcome(idOfTheCheck).
type outcomeBuilder struct{ id, category string }

// outcome returns the builder of the check with this id. The category is the
// id's namespace ("headers" of "headers.csp"): TestCheckContract holds every
// registered check to that, and to a category of the Categories table.
func outcome(id string) outcomeBuilder {
	cat, _, _ := strings.Cut(id, ".")
	return outcomeBuilder{id: id, category: cat}
}

// Finding is a finding of this check. The evidence is clipped so hostile
// header values cannot blow up reports. fix is how to fix it (nil only for
// info findings, which have nothing to fix); Recommendation is its text.
func (o outcomeBuilder) Finding(sev Severity, title, desc string, fix *Fix, evidence string) Finding {
	rec, ok := fixTexts[fix]
	if !ok {
		rec = fix.Text()
	}
	return Finding{CheckID: o.id, Category: o.category, Severity: sev, Title: title,
		Description: desc, Recommendation: rec, Fix: fix, Evidence: clip(evidence, 300)}
}

// Pass is a passing verdict (the control is present and right) earning
// score of the check's weight (0 means all of it, see Outcome.Score). A pass
// never carries a finding: an optional improvement goes into desc.
func (o outcomeBuilder) Pass(score float64, value, desc string) Outcome {
	return Outcome{Status: StatusPass, Score: score, Value: value, Description: desc}
}

// Warn is a weakness earning score of the check's weight.
func (o outcomeBuilder) Warn(score float64, value, desc string, findings ...Finding) Outcome {
	return Outcome{Status: StatusWarn, Score: score, Value: value, Description: desc, Findings: findings}
}

// Fail is a real problem earning score of the check's weight (usually 0).
func (o outcomeBuilder) Fail(score float64, value, desc string, findings ...Finding) Outcome {
	return Outcome{Status: StatusFail, Score: score, Value: value, Description: desc, Findings: findings}
}

// Info is a verdict reported without points: nothing wrong to fix.
func (o outcomeBuilder) Info(value, desc string, findings ...Finding) Outcome {
	return Outcome{Status: StatusInfo, Value: value, Description: desc, Findings: findings}
}

// InfoCounted is an info verdict that scores like a pass of score: an
// optional control that is not set, earning what the browsers' defaults are
// worth, so the status says "nothing to fix" without moving the grade.
func (o outcomeBuilder) InfoCounted(score float64, value, desc string, findings ...Finding) Outcome {
	return Outcome{Status: StatusInfo, Counted: true, Score: score, Value: value, Description: desc, Findings: findings}
}

// Skipped is the verdict of a check that does not apply to this target or
// depth; reason says why. It earns no points and is never compared.
func (o outcomeBuilder) Skipped(reason string) Outcome {
	return Outcome{Status: StatusSkipped, Value: "skipped", Reason: reason, Description: sentence(reason)}
}

// sentence makes a reason ("the target is an IP address") a sentence.
func sentence(reason string) string {
	if reason == "" {
		return ""
	}
	return strings.ToUpper(reason[:1]) + reason[1:] + "."
}

// Capped returns the outcome with the overall grade capped at grade; reason
// is one sentence naming what was found ("the certificate expired on 2 March
// 2026").
func (out Outcome) Capped(grade, reason string) Outcome {
	out.Cap = grade
	out.CapReason = reason
	return out
}
