package scanner

import (
	"strings"
)

// Check ids of the cookies category.
const (
	idCookiesSecure   = "cookies.secure"
	idCookiesHTTPOnly = "cookies.httponly"
	idCookiesSameSite = "cookies.samesite"
	idCookiesPrefixes = "cookies.prefixes"
)

// Observatory cookie result names.
const (
	cookiesNotFound           = "cookies-not-found"
	cookiesOKSameSite         = "cookies-secure-with-httponly-sessions-and-samesite"
	cookiesOK                 = "cookies-secure-with-httponly-sessions"
	cookiesNoSecureHSTS       = "cookies-without-secure-flag-but-protected-by-hsts"
	cookiesNoSecure           = "cookies-without-secure-flag"
	cookiesSessionNoSecHSTS   = "cookies-session-without-secure-flag-but-protected-by-hsts"
	cookiesSessionNoSecure    = "cookies-session-without-secure-flag"
	cookiesSessionNoHTTPOnly  = "cookies-session-without-httponly-flag"
	cookiesSameSiteInvalid    = "cookies-samesite-flag-invalid"
	cookiesCSRFNoSameSite     = "cookies-anticsrf-without-samesite-flag"
	cookieFixSecureLine       = "Set-Cookie: __Host-session=…; Path=/; Secure; HttpOnly; SameSite=Lax"
	cookieFixFrameworksSecure = "PHP: session.cookie_secure=1, session.cookie_httponly=1, session.cookie_samesite=Lax (php.ini); Express: cookie: { secure: true, httpOnly: true, sameSite: 'lax' }; Django: SESSION_COOKIE_SECURE = True, CSRF_COOKIE_SECURE = True; Rails: config.force_ssl = true."
)

// Cookie fixes, built once: the Set-Cookie line the application should
// send, then the proxy lines that add the flags when it cannot be changed.
var (
	cookieProxySnippets = []Snippet{
		{Server: ServerConfig, Code: cookieFixSecureLine},
		{Server: ServerNginx, Code: "proxy_cookie_flags ~ secure httponly samesite=lax;"},
		{Server: ServerApache, Code: "Header always edit Set-Cookie ^(.*)$ \"$1; Secure; HttpOnly; SameSite=Lax\""},
		{Server: ServerCaddy, Code: "header >Set-Cookie (.*) \"$1; Secure; HttpOnly; SameSite=Lax\""},
	}
	fixCookiesSecure = &Fix{
		Advice:   "Add the Secure flag to every cookie and serve the site with HSTS; at the proxy if the application cannot be changed. " + cookieFixFrameworksSecure,
		Snippets: cookieProxySnippets,
	}
	fixCookiesHTTPOnly = &Fix{
		Advice:   "Add HttpOnly to session cookies; at the proxy if the application cannot be changed. " + cookieFixFrameworksSecure,
		Snippets: cookieProxySnippets,
	}
	fixCookiesSameSite = &Fix{
		Advice:   "Set SameSite=Lax (or Strict) on every cookie, SameSite=None only with Secure for cookies that must travel cross-site; at the proxy if the application cannot be changed.",
		Snippets: cookieProxySnippets,
	}
	fixCookiesPrefix = &Fix{
		Advice:   "__Host- cookies need Secure, Path=/ and no Domain; __Secure- cookies need Secure.",
		Snippets: []Snippet{{Server: ServerConfig, Code: cookieFixSecureLine}},
	}
	fixCookiesHostPrefix = &Fix{
		Advice:   "Rename the session cookie with the __Host- prefix.",
		Snippets: []Snippet{{Server: ServerConfig, Code: cookieFixSecureLine}},
	}
)

// cookieNames lists cookie names for evidence, at most a few.
func cookieNames(cs []setCookie) string {
	var names []string
	for i, c := range cs {
		if i == 6 {
			names = append(names, "…")
			break
		}
		names = append(names, c.Name)
	}
	return strings.Join(names, ", ")
}

// checkCookiesSecure: a cookie without Secure is also sent over plain HTTP,
// where anyone on the path can read it; for session cookies that is account
// takeover. HSTS mitigates (but does not remove) the risk. Observatory
// "cookies" test, Secure results.
var checkCookiesSecure = Check{
	ID: idCookiesSecure, Name: "Cookies use Secure", Category: catCookies, Depth: Quick, Weight: 4,
	Needs: []EvidenceKind{NeedPage, NeedTLS},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idCookiesSecure)
		if ev.Page == nil {
			return missing("The main page", ev.PageErr)
		}
		cs := cookiesOf(ev.Page)
		if len(cs) == 0 {
			return o.InfoCounted(1, cookiesNotFound, "The page sets no cookies.")
		}
		hsts := hstsOf(ev).Pass
		var session, other []setCookie
		for _, c := range cs {
			if c.Secure {
				continue
			}
			if isSessionCookie(c.Name) {
				session = append(session, c)
			} else {
				other = append(other, c)
			}
		}
		if len(session)+len(other) == 0 {
			return o.Pass(1, "all "+plural(len(cs), "cookie")+" Secure: "+cookieNames(cs),
				"Every cookie carries the Secure flag, so it is never sent over plain HTTP.")
		}
		fix := fixCookiesSecure
		var result, title string
		var status Status
		var sev Severity
		var score float64
		bad := session
		switch {
		case len(session) > 0 && !hsts:
			result, status, sev, score, title = cookiesSessionNoSecure, StatusFail, SeverityHigh, 0, "Session cookie without Secure"
		case len(session) > 0:
			result, status, sev, score, title = cookiesSessionNoSecHSTS, StatusWarn, SeverityMedium, 0.5, "Session cookie without Secure (HSTS mitigates)"
		case !hsts:
			result, status, sev, score, title, bad = cookiesNoSecure, StatusFail, SeverityMedium, 0.25, "Cookies without Secure", other
		default:
			result, status, sev, score, title, bad = cookiesNoSecureHSTS, StatusWarn, SeverityLow, 0.75, "Cookies without Secure (HSTS mitigates)", other
		}
		d := "Cookies without Secure (" + cookieNames(bad) + ") are also sent over plain HTTP, where they can be read on the network."
		if hsts {
			d += " HSTS keeps returning browsers on HTTPS, which limits the exposure."
		}
		insecure := cookieNames(append(append([]setCookie(nil), session...), other...))
		return Outcome{Status: status, Value: valueWith(result, insecure), Score: score, Description: d,
			Findings: []Finding{o.Finding(sev, title, d, fix, insecure)}}
	},
}

// checkCookiesHTTPOnly: HttpOnly hides a cookie from JavaScript, so a
// cross-site-scripting bug cannot steal the session. Only session-like
// cookies are required to have it (many others are meant for scripts).
// Observatory "cookies" test, cookies-session-without-httponly-flag.
var checkCookiesHTTPOnly = Check{
	ID: idCookiesHTTPOnly, Name: "Session cookies use HttpOnly", Category: catCookies, Depth: Quick, Weight: 3,
	Needs: []EvidenceKind{NeedPage},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idCookiesHTTPOnly)
		if ev.Page == nil {
			return missing("The main page", ev.PageErr)
		}
		cs := cookiesOf(ev.Page)
		if len(cs) == 0 {
			return o.InfoCounted(1, cookiesNotFound, "The page sets no cookies.")
		}
		var sessions, bad []setCookie
		for _, c := range cs {
			if isSessionCookie(c.Name) {
				sessions = append(sessions, c)
				if !c.HTTPOnly {
					bad = append(bad, c)
				}
			}
		}
		if len(bad) > 0 {
			d := "Session cookies readable by JavaScript (" + cookieNames(bad) + ") can be stolen by any cross-site-scripting bug."
			return o.Fail(0, valueWith(cookiesSessionNoHTTPOnly, cookieNames(bad)),
				d,
				o.Finding(SeverityHigh, "Session cookie without HttpOnly",
					d,
					fixCookiesHTTPOnly,
					cookieNames(bad)))
		}
		if len(sessions) == 0 {
			return o.InfoCounted(1, "no session cookies among "+cookieNames(cs),
				"None of the cookies looks like a session identifier.")
		}
		return o.Pass(1, "session cookies HttpOnly: "+cookieNames(sessions),
			"Session cookies are hidden from JavaScript.")
	},
}

// checkCookiesSameSite: SameSite keeps cookies off cross-site requests,
// the main defence against CSRF. Browsers default to Lax, so a missing
// attribute is tolerated (no bonus), but an invalid value, SameSite=None
// without Secure (browsers drop the cookie) or an anti-CSRF cookie without
// SameSite fail. Observatory "cookies" test, SameSite results.
var checkCookiesSameSite = Check{
	ID: idCookiesSameSite, Name: "Cookies use SameSite", Category: catCookies, Depth: Quick, Weight: 2,
	Needs: []EvidenceKind{NeedPage},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idCookiesSameSite)
		if ev.Page == nil {
			return missing("The main page", ev.PageErr)
		}
		cs := cookiesOf(ev.Page)
		if len(cs) == 0 {
			return o.InfoCounted(1, cookiesNotFound, "The page sets no cookies.")
		}
		var invalid, noneInsecure, csrf, missingSS []setCookie
		for _, c := range cs {
			switch {
			case c.HasSameSite && !c.SameSiteValid:
				invalid = append(invalid, c)
			case c.SameSite == "none" && !c.Secure:
				noneInsecure = append(noneInsecure, c)
			}
			if !c.HasSameSite {
				missingSS = append(missingSS, c)
				if isCSRFCookie(c.Name) {
					csrf = append(csrf, c)
				}
			}
		}
		fix := fixCookiesSameSite
		switch {
		case len(invalid)+len(noneInsecure) > 0:
			bad := append(append([]setCookie(nil), invalid...), noneInsecure...)
			d := "SameSite is set to something other than Strict, Lax or None, or to None without Secure (" + cookieNames(bad) + "); browsers ignore the attribute or drop the cookie."
			return o.Fail(0, valueWith(cookiesSameSiteInvalid, cookieNames(bad)),
				d,
				o.Finding(SeverityMedium, "Invalid SameSite attribute", d, fix, cookieNames(bad)))
		case len(csrf) > 0:
			d := "Anti-CSRF cookies without SameSite (" + cookieNames(csrf) + ") rely on the browser default to stay off cross-site requests."
			return o.Fail(0, valueWith(cookiesCSRFNoSameSite, cookieNames(csrf)),
				d,
				o.Finding(SeverityMedium, "Anti-CSRF cookie without SameSite", d, fix, cookieNames(csrf)))
		case len(missingSS) > 0:
			d := "Some cookies (" + cookieNames(missingSS) + ") have no SameSite attribute; current browsers treat them as Lax, older ones send them on cross-site requests. Set it explicitly for full points."
			return o.InfoCounted(0.5, valueWith(cookiesOK, cookieNames(missingSS)+" without SameSite"),
				d,
				o.Finding(SeverityInfo, "Cookies without SameSite", d, fix, cookieNames(missingSS)))
		}
		return o.Pass(1, valueWith(cookiesOKSameSite, cookieNames(cs)),
			"Every cookie declares SameSite, limiting cross-site request forgery.")
	},
}

// checkCookiesPrefixes: the __Host- and __Secure- name prefixes make the
// browser enforce Secure (and, for __Host-, host-only, Path=/), so a
// subdomain or a plain-HTTP page cannot overwrite the cookie. A prefixed
// cookie that breaks the rules is rejected by browsers, which silently
// breaks the feature using it.
var checkCookiesPrefixes = Check{
	ID: idCookiesPrefixes, Name: "Cookie name prefixes", Category: catCookies, Depth: Quick, Weight: 1,
	Needs: []EvidenceKind{NeedPage},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idCookiesPrefixes)
		if ev.Page == nil {
			return missing("The main page", ev.PageErr)
		}
		cs := cookiesOf(ev.Page)
		if len(cs) == 0 {
			return o.Info(cookiesNotFound, "The page sets no cookies; not scored.")
		}
		var prefixed, sessions []setCookie
		var problems []string
		for _, c := range cs {
			n := strings.ToLower(c.Name)
			switch {
			case strings.HasPrefix(n, "__host-"):
				prefixed = append(prefixed, c)
				var why []string
				if !c.Secure {
					why = append(why, "no Secure")
				}
				if c.HasDomain {
					why = append(why, "has Domain")
				}
				if !c.HasPath || c.Path != "/" {
					why = append(why, "Path is not /")
				}
				if len(why) > 0 {
					problems = append(problems, c.Name+" ("+strings.Join(why, ", ")+")")
				}
			case strings.HasPrefix(n, "__secure-"):
				prefixed = append(prefixed, c)
				if !c.Secure {
					problems = append(problems, c.Name+" (no Secure)")
				}
			default:
				if isSessionCookie(c.Name) {
					sessions = append(sessions, c)
				}
			}
		}
		if len(problems) > 0 {
			d := "Browsers reject prefixed cookies that break the prefix rules, so these are never stored: " + strings.Join(problems, "; ") + "."
			return o.Fail(0, clip(strings.Join(problems, "; "), 200),
				d,
				o.Finding(SeverityMedium, "Prefixed cookies violate their prefix rules",
					d,
					fixCookiesPrefix,
					strings.Join(problems, "; ")))
		}
		if len(prefixed) > 0 {
			return o.Pass(1, "prefixed: "+cookieNames(prefixed),
				"Prefixed cookies follow their rules, so browsers guarantee they came from this host over HTTPS.")
		}
		if len(sessions) > 0 {
			d := "Session cookies (" + cookieNames(sessions) + ") could use the __Host- prefix so subdomains and plain-HTTP pages cannot overwrite them (session fixation). Not scored."
			return o.Info("no prefixed cookies",
				d,
				o.Finding(SeverityInfo, "Session cookies could use __Host-",
					d,
					fixCookiesHostPrefix,
					cookieNames(sessions)))
		}
		return o.Info("no prefixed cookies",
			"No cookie uses a __Host- or __Secure- prefix; none looks like a session cookie. Not scored.")
	},
}
