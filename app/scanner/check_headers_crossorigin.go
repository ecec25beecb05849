package scanner

import "strings"

// Check ids of the cross-origin headers.
const (
	idHeadersCOOP = "headers.coop"
	idHeadersCOEP = "headers.coep"
	idHeadersCORP = "headers.corp"
	idHeadersCORS = "headers.cors"
)

// sfToken parses a Structured Field Item (RFC 8941) whose bare item must be
// a token, as browsers parse COOP and COEP: it returns the token, or ok=false
// when the value is not a single token item (a list, a quoted string, bad
// parameters). Parameters such as report-to are accepted and ignored.
func sfToken(v string) (tok string, ok bool) {
	v = strings.Trim(v, " \t")
	bare, params, _ := strings.Cut(v, ";")
	if bare == "" || strings.ContainsAny(bare, " \t,\"") {
		return "", false
	}
	c := bare[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '*') {
		return "", false
	}
	for i := 1; i < len(bare); i++ {
		if !isTChar(bare[i]) && bare[i] != ':' && bare[i] != '/' {
			return "", false
		}
	}
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		p = strings.TrimLeft(p, " ")
		k, val, hasVal := strings.Cut(p, "=")
		if k == "" || !(k[0] >= 'a' && k[0] <= 'z' || k[0] == '*') {
			return "", false
		}
		for i := 1; i < len(k); i++ {
			ch := k[i]
			if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '_' || ch == '-' || ch == '.' || ch == '*') {
				return "", false
			}
		}
		if hasVal && (val == "" || strings.ContainsAny(strings.Trim(val, `"`), " \t,")) {
			return "", false
		}
	}
	return bare, true
}

func isTChar(c byte) bool {
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// Fix texts, built once.
var (
	fixCOOP = headerFix("Isolate the page from cross-origin windows (use same-origin-allow-popups if the site opens OAuth or payment pop-ups that must talk back).",
		"Cross-Origin-Opener-Policy", "same-origin")
	fixCOEP = headerFix("Send a valid Cross-Origin-Embedder-Policy, or none at all.", "Cross-Origin-Embedder-Policy", "credentialless")
	fixCORP = headerFix("Keep other sites from embedding the response.", "Cross-Origin-Resource-Policy", "same-site")
)

// sfHeader returns the single token of a structured header. Several header
// lines make it a list, which browsers (and the Observatory) reject.
func sfHeader(r *Response, name string) (raw, tok string, present, ok bool) {
	vs := headerValues(r, name)
	if len(vs) == 0 {
		return "", "", false, false
	}
	raw = strings.Join(vs, ", ")
	if len(vs) > 1 {
		return raw, "", true, false
	}
	tok, ok = sfToken(vs[0])
	return raw, tok, true, ok
}

// checkHeadersCOOP: Cross-Origin-Opener-Policy severs the window.opener link
// with cross-origin pages, which blocks tab-nabbing and the XS-Leaks that
// count frames or read navigation state. Observatory test
// "cross-origin-opener-policy" (every valid value passes).
var checkHeadersCOOP = Check{
	ID: idHeadersCOOP, Name: "Cross-Origin-Opener-Policy", Category: catHeaders, Depth: Quick, Weight: 1,
	Needs: []EvidenceKind{NeedPage},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idHeadersCOOP)
		if ev.Page == nil {
			return missing("The main page", ev.PageErr)
		}
		raw, tok, present, ok := sfHeader(ev.Page, "Cross-Origin-Opener-Policy")
		fix := fixCOOP
		if !present {
			return o.InfoCounted(0.5, "coop-not-implemented",
				"No COOP: pages that open this one, or that it opens, keep a handle on it (the browser default). COOP isolates the page from cross-origin windows, blocking XS-Leaks and reverse tab-nabbing; set it for full points.")
		}
		switch {
		case ok && (tok == "same-origin" || tok == "same-origin-allow-popups" || tok == "noopener-allow-popups"):
			return o.Pass(1, valueWith("coop-implemented-with-"+tok, raw), "COOP isolates the page from cross-origin windows.")
		case ok && tok == "unsafe-none":
			return o.InfoCounted(0.5, valueWith("coop-implemented-with-unsafe-none", raw),
				"COOP is explicitly unsafe-none, the browser default: no isolation.")
		}
		d := "The Cross-Origin-Opener-Policy value cannot be parsed (several values, wrong case or syntax), so browsers ignore it."
		return o.Warn(0, valueWith("coop-header-invalid", raw),
			d,
			o.Finding(SeverityLow, "Cross-Origin-Opener-Policy invalid", d, fix, raw))
	},
}

// checkHeadersCOEP: Cross-Origin-Embedder-Policy is needed only for
// cross-origin isolation (SharedArrayBuffer, precise timers) and breaks
// pages that embed third-party content, so its absence is informational;
// only a malformed value costs points. Observatory test
// "cross-origin-embedder-policy".
var checkHeadersCOEP = Check{
	ID: idHeadersCOEP, Name: "Cross-Origin-Embedder-Policy", Category: catHeaders, Depth: Quick, Weight: 1,
	Needs: []EvidenceKind{NeedPage},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idHeadersCOEP)
		if ev.Page == nil {
			return missing("The main page", ev.PageErr)
		}
		raw, tok, present, ok := sfHeader(ev.Page, "Cross-Origin-Embedder-Policy")
		if !present {
			return o.Info("coep-not-implemented",
				"No COEP, the web's default. It is only needed for cross-origin isolation (SharedArrayBuffer); not scored.")
		}
		switch {
		case ok && (tok == "require-corp" || tok == "credentialless"):
			return o.Pass(1, valueWith("coep-implemented-with-"+tok, raw),
				"COEP only lets the page embed resources that opted in, a prerequisite for cross-origin isolation.")
		case ok && tok == "unsafe-none":
			return o.Info(valueWith("coep-implemented-with-unsafe-none", raw),
				"COEP is explicitly unsafe-none, the default; not scored.")
		}
		d := "The Cross-Origin-Embedder-Policy value cannot be parsed, so browsers ignore it."
		return o.Warn(0, valueWith("coep-header-invalid", raw),
			d,
			o.Finding(SeverityLow, "Cross-Origin-Embedder-Policy invalid",
				d,
				fixCOEP,
				raw))
	},
}

// checkHeadersCORP: Cross-Origin-Resource-Policy stops other sites from
// embedding the response (and Spectre-style reads of it in their process).
// Observatory test "cross-origin-resource-policy": same-site/same-origin earn
// a bonus, a missing header is neutral, an invalid one fails.
var checkHeadersCORP = Check{
	ID: idHeadersCORP, Name: "Cross-Origin-Resource-Policy", Category: catHeaders, Depth: Quick, Weight: 1,
	Needs: []EvidenceKind{NeedPage},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idHeadersCORP)
		if ev.Page == nil {
			return missing("The main page", ev.PageErr)
		}
		raw, present := headerJoined(ev.Page, "Cross-Origin-Resource-Policy")
		fix := fixCORP
		if !present {
			return o.InfoCounted(0.5, "corp-not-implemented",
				"No CORP: any site may embed this response (the default). CORP keeps other sites from loading it into their pages, a defence against Spectre-style leaks; set same-site or same-origin for full points.")
		}
		v := strings.ToLower(strings.TrimSpace(raw))
		switch v {
		case "same-site", "same-origin":
			return o.Pass(1, valueWith("corp-implemented-with-"+v, raw),
				"CORP keeps cross-site pages from embedding this response.")
		case "cross-origin":
			return o.InfoCounted(0.5, valueWith("corp-implemented-with-cross-origin", raw),
				"CORP explicitly allows every site to embed this response.")
		}
		d := "The Cross-Origin-Resource-Policy value is not same-site, same-origin or cross-origin, so browsers ignore it."
		return o.Warn(0, valueWith("corp-header-invalid", raw),
			d,
			o.Finding(SeverityLow, "Cross-Origin-Resource-Policy invalid", d, fix, raw))
	},
}

// fixCORS explains how to allow credentialed CORS safely.
var fixCORS = &Fix{
	Advice: "Allow credentials only for an explicit list of trusted origins, never by echoing the request's Origin. For public, non-credentialed data send Access-Control-Allow-Origin: * without Access-Control-Allow-Credentials.",
	Snippets: []Snippet{
		{Server: ServerNginx, Code: "map $http_origin $cors_origin { default \"\"; \"https://app.example.com\" $http_origin; }\nadd_header Access-Control-Allow-Origin $cors_origin always;"},
		{Server: ServerApache, Code: "SetEnvIf Origin \"^https://app\\.example\\.com$\" CORS_OK=$0\nHeader always set Access-Control-Allow-Origin %{CORS_OK}e env=CORS_OK"},
		{Server: ServerCaddy, Code: "@trusted header Origin https://app.example.com\nheader @trusted Access-Control-Allow-Origin {http.request.header.Origin}"},
	},
}

// checkHeadersCORS: a server that echoes any Origin together with
// Access-Control-Allow-Credentials: true lets every website read its
// visitors' authenticated responses. Observatory test
// "cross-origin-resource-sharing", over an OPTIONS preflight from
// https://evil.example.
var checkHeadersCORS = Check{
	ID: idHeadersCORS, Name: "Cross-origin resource sharing (CORS)", Category: catHeaders, Depth: Standard, Weight: 2,
	Needs: []EvidenceKind{NeedCORS},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idHeadersCORS)
		if ev.CORS == nil {
			return missing("The CORS preflight", ev.CORSErr)
		}
		acao := ""
		if vs := headerValues(ev.CORS, "Access-Control-Allow-Origin"); len(vs) > 0 {
			acao = vs[0]
		}
		if acao == "" {
			return o.Pass(1, "cross-origin-resource-sharing-not-implemented",
				"A foreign origin gets no cross-origin access to the site.")
		}
		creds := ""
		if vs := headerValues(ev.CORS, "Access-Control-Allow-Credentials"); len(vs) > 0 {
			creds = strings.ToLower(strings.TrimSpace(vs[0]))
		}
		data := strings.ToLower(strings.TrimSpace(clip(acao, 256)))
		seen := "Access-Control-Allow-Origin: " + clip(acao, 120)
		if creds != "" {
			seen += "; Access-Control-Allow-Credentials: " + creds
		}
		fix := fixCORS
		reflected := acao == CORSProbeOrigin
		switch {
		case reflected && creds == "true":
			d := "The server echoes any Origin and allows credentials, so any website can read responses with the visitor's cookies (account data, CSRF tokens)."
			return o.Fail(0, valueWith("cross-origin-resource-sharing-implemented-with-universal-access", seen),
				d,
				o.Finding(SeverityHigh, "CORS reflects any origin with credentials", d, fix, seen))
		case (data == "*" || data == "null") && creds == "true":
			d := "Access-Control-Allow-Origin: " + data + " with credentials allowed is a misconfiguration: 'null' can be forged by sandboxed frames, and '*' shows the server was meant to allow credentials broadly."
			result := "cross-origin-resource-sharing-implemented-with-restricted-access" // the Observatory's name for "null"
			if data == "*" {
				result = "cross-origin-resource-sharing-implemented-with-public-access"
			}
			return o.Fail(0, valueWith(result, seen),
				d,
				o.Finding(SeverityMedium, "CORS allows credentials for "+data, d, fix, seen))
		case data == "*":
			return o.Pass(1, valueWith("cross-origin-resource-sharing-implemented-with-public-access", seen),
				"Content is readable by any site but without cookies, which is safe for public data.")
		case reflected:
			return o.Warn(0.75, valueWith("cross-origin-resource-sharing-implemented-with-restricted-access", seen),
				"The server echoes any Origin but without credentials: equivalent to '*', harmless for public data.",
				o.Finding(SeverityLow, "CORS echoes any origin",
					"Access-Control-Allow-Origin repeats whatever Origin is sent. Without credentials this is public access, but adding Allow-Credentials later would expose every user.",
					fix,
					seen))
		}
		return o.Pass(1, valueWith("cross-origin-resource-sharing-implemented-with-restricted-access", seen),
			"Cross-origin access is restricted to specific origins.")
	},
}
