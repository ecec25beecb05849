package reports

import (
	"fmt"
	"strings"
	"time"

	"github.com/palisade/palisade/app/scanner"
)

// Fixed clock for every fixture, so renders are comparable byte for byte.
var (
	fixScanned  = time.Date(2025, 6, 24, 14, 3, 0, 0, time.UTC)
	fixGenerate = time.Date(2025, 6, 24, 14, 5, 9, 0, time.UTC)
	fixPrevious = time.Date(2025, 5, 30, 9, 12, 0, 0, time.UTC)
)

// Multilingual strings the report must render as themselves, not as "?".
const (
	idnDomain   = "bücher.example"
	greekText   = "Ελληνικά γράμματα"
	cyrillicTxt = "Кириллица работает"
)

func headerFix(advice, name, value string) *scanner.Fix {
	return &scanner.Fix{Advice: advice, Snippets: []scanner.Snippet{
		{Server: scanner.ServerNginx, Code: "add_header " + name + " \"" + value + "\" always;"},
		{Server: scanner.ServerApache, Code: "Header always set " + name + " \"" + value + "\""},
		{Server: scanner.ServerCaddy, Code: "header " + name + " \"" + value + "\""},
	}}
}

func fix(advice string, snippets ...scanner.Snippet) *scanner.Fix {
	return &scanner.Fix{Advice: advice, Snippets: snippets}
}

// withRecommendation fills Recommendation from Fix, as the scanner does.
func withRecommendation(fs []scanner.Finding) []scanner.Finding {
	for i := range fs {
		fs[i].Recommendation = fs[i].Fix.Text()
	}
	return fs
}

// baseFindings are realistic findings in the scanner's shapes.
func baseFindings() []scanner.Finding {
	return withRecommendation([]scanner.Finding{
		{CheckID: "tls.protocols", Category: "tls", Severity: scanner.SeverityHigh,
			Title:       "Deprecated TLS versions accepted: TLS 1.0, TLS 1.1",
			Description: "The server completes handshakes with TLS 1.0 and TLS 1.1, which are vulnerable to downgrade and known attacks (BEAST, weak SHA-1/MD5 MACs) and are forbidden by PCI DSS.",
			Fix: fix("Accept only TLS 1.2 and 1.3.", scanner.Snippet{Server: scanner.ServerNginx, Code: "ssl_protocols TLSv1.2 TLSv1.3;"},
				scanner.Snippet{Server: scanner.ServerApache, Code: "SSLProtocol -all +TLSv1.2 +TLSv1.3"},
				scanner.Snippet{Server: scanner.ServerCaddy, Code: "tls {\n    protocols tls1.2 tls1.3\n}"}),
			Evidence: "TLS 1.0, TLS 1.1, TLS 1.2, TLS 1.3"},
		{CheckID: "headers.csp", Category: "headers", Severity: scanner.SeverityHigh,
			Title:       "No Content Security Policy",
			Description: "Without a Content-Security-Policy header, any script injected into the page (cross-site scripting) runs with the full rights of the site.",
			Fix:         headerFix("Start with a report-only policy, watch the reports, then enforce it.", "Content-Security-Policy", "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'"),
			Evidence:    "Content-Security-Policy header absent"},
		{CheckID: "content.secrets", Category: "content", Severity: scanner.SeverityCritical,
			Title:       "A secret key is exposed in a public script",
			Description: "A live API key in JavaScript served to every visitor lets anyone use the account it belongs to.",
			Fix:         fix("Revoke the key now, issue a new one and keep it on the server side only."),
			Evidence:    "https://" + idnDomain + "/static/app.js: const key = \"sk_live_51H8d9sKq2aXoPq9lLw0AbCdEf\"; password=hunter2hunter2"},
		{CheckID: "headers.hsts", Category: "headers", Severity: scanner.SeverityMedium,
			Title:       "HSTS max-age shorter than six months",
			Description: "Browsers forget the HTTPS-only rule quickly, leaving a window for SSL-stripping attacks.",
			Fix:         headerFix("Start with a shorter max-age (e.g. 300) if unsure every subdomain serves HTTPS, then raise it.", "Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"),
			Evidence:    "max-age=86400"},
		{CheckID: "cookies.secure", Category: "cookies", Severity: scanner.SeverityMedium,
			Title:       "Session cookie without the Secure flag",
			Description: "A cookie without Secure is also sent over plain HTTP, where anyone on the network can read it.",
			Fix:         fix("Set the Secure, HttpOnly and SameSite attributes on session cookies.", scanner.Snippet{Server: scanner.ServerConfig, Code: "Set-Cookie: session=…; Secure; HttpOnly; SameSite=Lax"}),
			Evidence:    "Set-Cookie: sessionid=abc123def456ghi; Path=/; HttpOnly"},
		{CheckID: "dns.dmarc", Category: "dns", Severity: scanner.SeverityLow,
			Title:       "No DMARC policy",
			Description: "Without DMARC, anyone can send mail that appears to come from this domain. " + greekText + " · " + cyrillicTxt + ".",
			Fix:         fix("Publish a DMARC record, starting in monitoring mode.", scanner.Snippet{Server: scanner.ServerDNS, Code: "_dmarc." + idnDomain + " TXT \"v=DMARC1; p=none; rua=mailto:dmarc@" + idnDomain + "\""}),
			Evidence:    "_dmarc." + idnDomain + ": no TXT record"},
		{CheckID: "exposure.server", Category: "exposure", Severity: scanner.SeverityLow,
			Title:       "Server version disclosed",
			Description: "The Server header names the exact software version, which helps attackers pick exploits.",
			Fix:         fix("", scanner.Snippet{Server: scanner.ServerNginx, Code: "server_tokens off;"}, scanner.Snippet{Server: scanner.ServerApache, Code: "ServerTokens Prod"}),
			Evidence:    "Server: nginx/1.18.0 (Ubuntu)"},
		{CheckID: "exposure.securitytxt", Category: "exposure", Severity: scanner.SeverityInfo,
			Title:       "No security.txt",
			Description: "security.txt tells researchers how to report vulnerabilities to you.",
			Fix:         fix("Publish /.well-known/security.txt with a Contact and an Expires line.", scanner.Snippet{Server: scanner.ServerConfig, Code: "Contact: mailto:security@" + idnDomain + "\nExpires: 2026-06-30T00:00:00Z"}),
			Evidence:    "/.well-known/security.txt: 404"},
	})
}

func sampleResult(extra int) *scanner.Result {
	fs := baseFindings()
	sevs := []scanner.Severity{scanner.SeverityCritical, scanner.SeverityHigh, scanner.SeverityMedium, scanner.SeverityLow, scanner.SeverityInfo}
	for i := 0; i < extra; i++ {
		long := strings.Repeat("A1b2C3d4", 20+i%7) // a word with no spaces, wider than a line
		fs = append(fs, scanner.Finding{
			CheckID:     fmt.Sprintf("content.generated-%03d", i),
			Category:    []string{"tls", "headers", "cookies", "redirects", "dns", "exposure", "content"}[i%7],
			Severity:    sevs[i%5],
			Title:       fmt.Sprintf("Generated finding %03d about %s", i, []string{"Ελληνικά", "кириллица", "Überprüfung", "headers", "a very long title that keeps going well past the width of a single line so that it has to wrap onto a second line"}[i%5]),
			Description: fmt.Sprintf("Finding %d explains why this matters in a couple of sentences. It keeps going so the paragraph wraps over several lines of the page, which is what real descriptions do. %s", i, greekText),
			Fix: fix(fmt.Sprintf("Fix finding %d by changing the configuration.", i), scanner.Snippet{Server: scanner.ServerNginx,
				Code: fmt.Sprintf("add_header X-Generated-%d \"%s\" always;", i, strings.Repeat("v", 40+i%60))}),
			Evidence: fmt.Sprintf("seen at https://%s/path/%d?q=%s", idnDomain, i, long),
		})
	}
	return &scanner.Result{
		TargetURL:      "https://" + idnDomain + "/",
		TargetDomain:   idnDomain,
		Depth:          scanner.Standard,
		FinalURL:       "https://www." + idnDomain + "/de/start",
		StatusCode:     200,
		DurationMs:     8421,
		OverallScore:   64,
		Grade:          "C",
		ScannedAt:      fixScanned,
		ScoringVersion: "2.0.0+ab12cd34",
		Categories: []scanner.Category{
			{Name: "tls", Score: 18, MaxScore: 25, Grade: "B", Checks: []scanner.CheckResult{
				{ID: "tls.https", Name: "HTTPS available", Category: "tls", Status: scanner.StatusPass, Value: "HTTPS reachable, TLS 1.3, ALPN h2"},
				{ID: "tls.protocols", Name: "TLS protocol versions", Category: "tls", Status: scanner.StatusFail, Value: "TLS 1.0, TLS 1.1, TLS 1.2, TLS 1.3"},
				{ID: "tls.expiry", Name: "Certificate expiry", Category: "tls", Status: scanner.StatusPass, Value: "valid until 2025-08-14 (51 days)"},
			}},
			{Name: "headers", Score: 11, MaxScore: 25, Grade: "F", Checks: []scanner.CheckResult{
				{ID: "headers.csp", Name: "Content Security Policy", Category: "headers", Status: scanner.StatusFail, Value: "absent"},
				{ID: "headers.hsts", Name: "Strict Transport Security", Category: "headers", Status: scanner.StatusWarn, Value: "max-age=86400"},
				{ID: "headers.xcto", Name: "X-Content-Type-Options", Category: "headers", Status: scanner.StatusPass, Value: "nosniff"},
			}},
			{Name: "cookies", Score: 6, MaxScore: 10, Grade: "C", Checks: []scanner.CheckResult{
				{ID: "cookies.secure", Name: "Secure cookies", Category: "cookies", Status: scanner.StatusFail, Value: "sessionid"},
			}},
			{Name: "redirects", Score: 10, MaxScore: 10, Grade: "A+", Checks: []scanner.CheckResult{
				{ID: "redirects.https", Name: "HTTP redirects to HTTPS", Category: "redirects", Status: scanner.StatusPass, Value: "301 → https://" + idnDomain + "/"},
			}},
			{Name: "dns", Score: 6, MaxScore: 10, Grade: "C", Checks: []scanner.CheckResult{
				{ID: "dns.dmarc", Name: "DMARC", Category: "dns", Status: scanner.StatusFail, Value: "no record"},
				{ID: "dns.caa", Name: "CAA", Category: "dns", Status: scanner.StatusInfo, Value: "0 issue \"letsencrypt.org\""},
			}},
			{Name: "exposure", Score: 7, MaxScore: 10, Grade: "B", Checks: []scanner.CheckResult{
				{ID: "exposure.server", Name: "Server version", Category: "exposure", Status: scanner.StatusWarn, Value: "nginx/1.18.0 (Ubuntu)"},
				{ID: "exposure.probes", Name: "Sensitive files", Category: "exposure", Status: scanner.StatusSkipped, Reason: "runs only in deep scans"},
				{ID: "exposure.securitytxt", Name: "security.txt", Category: "exposure", Status: scanner.StatusError, Reason: "the request timed out after 10 s"},
			}},
			{Name: "content", Score: 6, MaxScore: 10, Grade: "C", Checks: []scanner.CheckResult{
				{ID: "content.sri", Name: "Subresource integrity", Category: "content", Status: scanner.StatusPass, Value: "3 of 3 external scripts"},
			}},
		},
		Findings: fs,
		Headers: map[string]string{
			"Server":                    "nginx/1.18.0 (Ubuntu)",
			"Content-Type":              "text/html; charset=utf-8",
			"Strict-Transport-Security": "max-age=86400",
			"Set-Cookie":                "sessionid=abc123def456ghi; Path=/; HttpOnly",
			"X-Content-Type-Options":    "nosniff",
			"X-Title":                   greekText + " / " + cyrillicTxt,
			"Link":                      strings.Repeat("<https://cdn."+idnDomain+"/assets/font.woff2>;rel=preload;as=font;crossorigin,", 8),
			"X-Very-Long-Token":         strings.Repeat("0123456789abcdef", 40),
		},
		MissingHeaders: []string{"Content-Security-Policy", "Permissions-Policy", "Referrer-Policy"},
		RedirectChain: []scanner.Hop{
			{URL: "http://" + idnDomain + "/", StatusCode: 301, Location: "https://" + idnDomain + "/"},
			{URL: "https://" + idnDomain + "/", StatusCode: 302, Location: "https://www." + idnDomain + "/de/start"},
			{URL: "https://www." + idnDomain + "/de/start", StatusCode: 200},
		},
		TLS: &scanner.TLSInfo{
			Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256",
			Subject: "CN=" + idnDomain, Issuer: "CN=R11, O=Let's Encrypt, C=US",
			DNSNames:  []string{idnDomain, "www." + idnDomain},
			NotBefore: time.Date(2025, 5, 16, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2025, 8, 14, 0, 0, 0, 0, time.UTC),
			DaysLeft: 51, Trusted: true,
			Protocols: []string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"},
		},
	}
}

// sampleDiff is what scanner.Compare says of an earlier DEEP scan of the
// same target and this STANDARD one: the CSP finding is new, the
// X-Frame-Options one fixed, and two DEEP-only checks (sensitive files,
// vulnerable libraries) did not run in both, so their findings are in
// neither New nor Fixed.
func sampleDiff(after *scanner.Result) *scanner.Diff {
	var still, fresh []scanner.Finding
	for _, f := range after.Findings {
		if f.CheckID == "headers.csp" {
			fresh = append(fresh, f)
		} else {
			still = append(still, f)
		}
	}
	xfo := scanner.Finding{CheckID: "headers.xfo", Category: "headers", Severity: scanner.SeverityMedium,
		Title: "Clickjacking protection missing", Description: "No X-Frame-Options.", Evidence: "absent"}
	cspDiff := scanner.CheckDiff{ID: "headers.csp", Name: "Content Security Policy", Category: "headers",
		Before: &scanner.CheckState{Status: scanner.StatusPass, Points: 8, MaxPoints: 8},
		After:  &scanner.CheckState{Status: scanner.StatusFail, Points: 0, MaxPoints: 8},
		Change: scanner.ChangeRegressed, PointsDelta: -8}
	xfoDiff := scanner.CheckDiff{ID: "headers.xfo", Name: "Clickjacking protection", Category: "headers",
		Before: &scanner.CheckState{Status: scanner.StatusFail, Points: 0, MaxPoints: 5},
		After:  &scanner.CheckState{Status: scanner.StatusPass, Points: 5, MaxPoints: 5},
		Change: scanner.ChangeImproved, PointsDelta: 5}
	probes := scanner.CheckDiff{ID: "exposure.probes", Name: "Sensitive files", Category: "exposure",
		Before: &scanner.CheckState{Status: scanner.StatusFail, Points: 0, MaxPoints: 6},
		After:  &scanner.CheckState{Status: scanner.StatusSkipped, Reason: "runs only in deep scans"},
		Change: scanner.ChangeNotCompared}
	libs := scanner.CheckDiff{ID: "content.libraries", Name: "Vulnerable JavaScript libraries", Category: "content",
		Before: &scanner.CheckState{Status: scanner.StatusFail, Points: 0, MaxPoints: 4},
		Change: scanner.ChangeNotCompared}
	return &scanner.Diff{
		Before: scanner.ScanSide{TargetURL: after.TargetURL, Depth: scanner.Deep, ScannedAt: fixPrevious, Grade: "F", OverallScore: 61,
			GradeCap: &scanner.GradeCap{Grade: "F", Reason: "a .env file is publicly readable", CheckID: "exposure.probes"}, ScoringVersion: after.ScoringVersion},
		After: scanner.ScanSide{TargetURL: after.TargetURL, Depth: after.Depth, ScannedAt: fixScanned, Grade: after.Grade,
			OverallScore: after.OverallScore, GradeCap: after.GradeCap, ScoringVersion: after.ScoringVersion},
		ScoreDelta: after.OverallScore - 61, GradeChanged: true,
		Checks:      []scanner.CheckDiff{cspDiff, xfoDiff, probes, libs},
		Causes:      []scanner.CheckDiff{cspDiff, xfoDiff},
		NotCompared: []string{"exposure.probes", "content.libraries"},
		New:         fresh,
		Fixed:       []scanner.Finding{xfo},
		StillOpen:   still,
	}
}

func sampleInput(extra int, withPrevious bool) Input {
	in := Input{
		ScanID:      "scn_01J0Z6Q4W8Y3K2V5",
		Version:     3,
		ScannedAt:   fixScanned,
		GeneratedAt: fixGenerate,
		Result:      sampleResult(extra),
	}
	if withPrevious {
		in.Diff, in.PreviousScanID, in.PreviousAt = sampleDiff(in.Result), "scn_01J0PREVIOUS0001", fixPrevious
	}
	return in
}

// cappedInput is a scan whose score's letter is C but whose grade is
// capped at F by a check, with the reason quoting site data.
func cappedInput(reason string) Input {
	in := sampleInput(0, false)
	in.Result.OverallScore, in.Result.Grade = 62, "F"
	in.Result.GradeCap = &scanner.GradeCap{Grade: "F", Reason: reason, CheckID: "tls.expiry"}
	return in
}

// notGradedInput is a scan that never reached the site on a non-default
// port: no grade, no score, and findings left over that must not be shown.
func notGradedInput() Input {
	return Input{
		ScanID: "scn_01J0NOTGRADED00", Version: 1, ScannedAt: fixScanned, GeneratedAt: fixGenerate,
		Result: &scanner.Result{
			TargetURL: "https://unreachable.example:20443/", TargetDomain: "unreachable.example", Depth: scanner.Standard,
			ScannedAt: fixScanned, ScoringVersion: "2.0.0+ab12cd34",
			NotGraded: &scanner.NotGraded{Reason: scanner.NotGradedUnreachable,
				Detail: "The connection to unreachable.example:20443 was refused.",
				Advice: "Check that the site is up and that the port is open to the internet, then scan again."},
			Categories: []scanner.Category{{Name: "tls", Grade: "F", Score: 0, MaxScore: 25, Checks: []scanner.CheckResult{
				{ID: "tls.https", Name: "HTTPS available", Category: "tls", Status: scanner.StatusError, Reason: "the connection was refused"},
				{ID: "dns.caa", Name: "CAA", Category: "dns", Status: scanner.StatusSkipped, Reason: "the target is an IP address"},
			}}},
			Findings: withRecommendation([]scanner.Finding{{CheckID: "tls.https", Category: "tls", Severity: scanner.SeverityCritical,
				Title: "HTTPS is not available", Fix: fix("Serve the site over HTTPS.", scanner.Snippet{Server: scanner.ServerNginx, Code: "listen 443 ssl;"})}}),
		},
	}
}
