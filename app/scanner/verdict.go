package scanner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// StatusSkipped and the reasons below extend the verdicts of types.go; the
// semantics of every status are in docs/scoring.md ("Statuses").
const (
	// StatusSkipped means the check does not apply to this target or depth
	// (DNS records of an IP address, a DEEP check in a QUICK scan). It says
	// why in CheckResult.Reason, earns no points and is never compared.
	StatusSkipped Status = "skipped"
)

// Statuses lists every verdict, in the order pages explain them.
var Statuses = []Status{StatusPass, StatusFail, StatusWarn, StatusInfo, StatusSkipped, StatusError}

// NotGradedReason says why a scan has no grade.
type NotGradedReason string

// Reasons a scan is not graded (docs/scoring.md, "Scans that are not graded").
const (
	// NotGradedUnreachable: no response at all (DNS failure, refused, timeout before a response).
	NotGradedUnreachable NotGradedReason = "unreachable"
	// NotGradedBlocked: the answer was a bot/WAF challenge page, not the site.
	NotGradedBlocked NotGradedReason = "blocked"
	// NotGradedCancelled: the scan was cancelled before it finished.
	NotGradedCancelled NotGradedReason = "cancelled"
	// NotGradedFailed: the scan could not complete (deadline, worker failure).
	NotGradedFailed NotGradedReason = "failed"
)

// NotGraded explains why a result carries no grade and no score. When it is
// set, Result.Grade is "" and the score is not shown anywhere; no fix list is
// offered, since nothing was judged.
type NotGraded struct {
	Reason NotGradedReason `json:"reason"`
	// Detail is one sentence on what happened ("the connection was refused").
	Detail string `json:"detail"`
	// Advice is what to try instead, one or two sentences.
	Advice string `json:"advice,omitempty"`
}

// GradeCap explains a grade worse than the points: the check whose verdict
// caps the overall grade and why.
type GradeCap struct {
	Grade   string `json:"grade"`
	Reason  string `json:"reason"`
	CheckID string `json:"checkId"`
}

// Server names the configuration a fix snippet is written for.
type Server string

// Snippet targets. A fix lists the ones that apply, most common first.
const (
	ServerNginx  Server = "nginx"
	ServerApache Server = "apache"
	ServerCaddy  Server = "caddy"
	ServerHTML   Server = "html"
	ServerDNS    Server = "dns"
	ServerShell  Server = "shell"
	ServerConfig Server = "config" // any other configuration or code
)

// Snippet is the exact text to add for one server.
type Snippet struct {
	Server Server `json:"server"`
	Code   string `json:"code"`
}

// Fix is how to fix a finding, as structured data: every surface (web, PDF,
// SECURITY-FIX.md, CLI) renders it its own way, and nothing parses prose back.
type Fix struct {
	// Advice is what to do, in prose, one or two sentences.
	Advice   string    `json:"advice"`
	Snippets []Snippet `json:"snippets"`
}

// Text renders the fix as the plain text of Finding.Recommendation: the
// advice, then one "server: code" block per snippet.
func (f *Fix) Text() string {
	if f == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(strings.TrimSpace(f.Advice))
	for _, s := range f.Snippets {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(serverLabel(s.Server))
		b.WriteString(": ")
		b.WriteString(s.Code)
	}
	return b.String()
}

// serverLabel is how a snippet's server is named in prose.
func serverLabel(s Server) string {
	switch s {
	case ServerNginx:
		return "nginx"
	case ServerApache:
		return "Apache"
	case ServerCaddy:
		return "Caddy"
	case ServerHTML:
		return "HTML"
	case ServerDNS:
		return "DNS"
	case ServerShell:
		return "Shell"
	}
	return "Config"
}

// ServerLabel is the display name of a snippet target ("Apache", "nginx").
func ServerLabel(s Server) string { return serverLabel(s) }

// notGraded decides whether a finished run can be graded
// (docs/scoring.md, "Scans that are not graded"): nil when it can. stop is
// why the run ended early (nil when it completed); pageDone says the main
// page fetch finished.
func (r *scanRun) notGraded(stop error, pageDone bool) *NotGraded {
	ev := &r.ev
	pageErr := strings.TrimSuffix(ev.PageErr, ".")
	switch {
	case errors.Is(stop, context.Canceled):
		return &NotGraded{Reason: NotGradedCancelled,
			Detail: "The scan was cancelled before it finished, so the site was not graded.",
			Advice: "Start a new scan of the site to get a grade."}
	case pageDone && ev.Page == nil && len(ev.PageChain) == 0:
		return unreachable(pageErr, r.s.opts.UserAgent)
	case pageDone && ev.Page == nil:
		return &NotGraded{Reason: NotGradedFailed,
			Detail: "The site answered, but its main page could not be loaded: " + pageErr + ".",
			Advice: "Fix the redirects of this address, or scan the address they should end on."}
	}
	if ev.Page != nil {
		if vendor := ChallengeVendor(ev.Page); vendor != "" {
			return &NotGraded{Reason: NotGradedBlocked,
				Detail: fmt.Sprintf("The site answered with a %s bot challenge (HTTP %d) instead of its page, so nothing of the site itself could be judged.", vendor, ev.Page.StatusCode),
				Advice: fmt.Sprintf("Allow-list Palisade in %s (its User-Agent is %q), or scan the origin server's own address, then scan again.", vendor, r.s.opts.UserAgent)}
		}
	}
	if stop != nil {
		return deadlineFailure(r.budget)
	}
	return nil
}

// unreachable is the verdict of a scan that got no HTTP response at all;
// why is the page fetch's error.
func unreachable(why, userAgent string) *NotGraded {
	ng := &NotGraded{Reason: NotGradedUnreachable,
		Detail: "The site did not answer: " + cmp.Or(why, "no response") + ".",
		Advice: fmt.Sprintf("Check the address, and that the site answers from the public internet: a firewall may be dropping Palisade's requests (User-Agent %q).", userAgent)}
	if strings.Contains(why, "does not exist") || strings.Contains(why, "could not be resolved") {
		ng.Advice = "Check the spelling of the address and that its host name has DNS address records."
	}
	return ng
}

// deadlineFailure is the verdict of a scan its deadline ended.
func deadlineFailure(budget time.Duration) *NotGraded {
	return &NotGraded{Reason: NotGradedFailed,
		Detail: fmt.Sprintf("The scan did not finish within its %s deadline, so the site was not graded.", budget.Round(time.Millisecond)),
		Advice: "The site answered too slowly for this depth: scan again later, or at a shallower depth."}
}

// refusedVerdict is the verdict of a scan refused before any request: a
// host that does not resolve is unreachable, anything else (a private
// address, a bad URL) failed.
func refusedVerdict(err error, userAgent string) *NotGraded {
	if errors.Is(err, context.Canceled) {
		return &NotGraded{Reason: NotGradedCancelled, Detail: "The scan was cancelled before it started.", Advice: "Start a new scan of the site to get a grade."}
	}
	var ue *unresolvedError
	if errors.As(err, &ue) {
		return unreachable(ue.Error(), userAgent)
	}
	return &NotGraded{Reason: NotGradedFailed, Detail: "The scan was refused: " + strings.TrimSuffix(sentenceOf(err), ".") + ".",
		Advice: "Scan a public http:// or https:// address."}
}
