package scanner

import "testing"

// TestCheckCookies covers Secure (with and without HSTS), HttpOnly on
// session cookies, SameSite and the __Host-/__Secure- prefix rules.
func TestCheckCookies(t *testing.T) {
	const hsts = "Strict-Transport-Security: max-age=31536000"
	c := func(hdrs ...string) *Evidence { return ckEv(ckPage("", hdrs...)) }
	runCheckCases(t, []checkCase{
		{name: "no cookies", id: idCookiesSecure, ev: c(), want: StatusInfo, value: cookiesNotFound, score: 1},
		{name: "all secure", id: idCookiesSecure, ev: c("Set-Cookie: sessionid=a; Secure; HttpOnly", "Set-Cookie: pref=1; secure"), want: StatusPass, value: "all 2 cookies Secure", score: 1},
		{name: "session without secure", id: idCookiesSecure, ev: c("Set-Cookie: PHPSESSID=a; HttpOnly"), want: StatusFail, value: cookiesSessionNoSecure, score: 0, find: "proxy_cookie_flags"},
		{name: "session without secure, HSTS", id: idCookiesSecure, ev: c(hsts, "Set-Cookie: PHPSESSID=a; HttpOnly"), want: StatusWarn, value: cookiesSessionNoSecHSTS, score: 0.5},
		{name: "plain cookie without secure", id: idCookiesSecure, ev: c("Set-Cookie: theme=dark"), want: StatusFail, value: cookiesNoSecure + ":", score: 0.25},
		{name: "plain cookie without secure, HSTS", id: idCookiesSecure, ev: c(hsts, "Set-Cookie: theme=dark"), want: StatusWarn, value: cookiesNoSecureHSTS, score: 0.75},
		{name: "heroku affinity ignored", id: idCookiesSecure, ev: c("Set-Cookie: heroku-session-affinity=x"), want: StatusInfo, value: cookiesNotFound, score: 1},
		{name: "page missing", id: idCookiesSecure, ev: ckWith(nil, func(ev *Evidence) {}), want: StatusSkipped, score: -1},

		{name: "session httponly", id: idCookiesHTTPOnly, ev: c("Set-Cookie: user_session=a; Secure; HttpOnly"), want: StatusPass, value: "user_session", score: 1},
		{name: "session readable by js", id: idCookiesHTTPOnly, ev: c("Set-Cookie: login_token=a; Secure"), want: StatusFail, value: cookiesSessionNoHTTPOnly, score: 0},
		{name: "connect.sid readable by js", id: idCookiesHTTPOnly, ev: c("Set-Cookie: connect.sid=s%3Aabc; Path=/; Secure"), want: StatusFail, value: "connect.sid", score: 0},
		{name: "non-session readable ok", id: idCookiesHTTPOnly, ev: c("Set-Cookie: _ga=GA1.1; Secure"), want: StatusInfo, value: "no session cookies", score: 1},
		{name: "no cookies", id: idCookiesHTTPOnly, ev: c(), want: StatusInfo, score: 1},
		{name: "page missing", id: idCookiesHTTPOnly, ev: ckWith(nil, func(ev *Evidence) {}), want: StatusSkipped, score: -1},

		{name: "all samesite", id: idCookiesSameSite, ev: c("Set-Cookie: a=1; Secure; SameSite=Lax", "Set-Cookie: b=2; Secure; samesite=strict"), want: StatusPass, value: cookiesOKSameSite, score: 1},
		{name: "none with secure", id: idCookiesSameSite, ev: c("Set-Cookie: a=1; Secure; SameSite=None"), want: StatusPass, value: cookiesOKSameSite, score: 1},
		{name: "missing samesite", id: idCookiesSameSite, ev: c("Set-Cookie: a=1; Secure"), want: StatusInfo, value: cookiesOK + ":", score: 0.5},
		{name: "invalid value", id: idCookiesSameSite, ev: c("Set-Cookie: a=1; Secure; SameSite=Sometimes"), want: StatusFail, value: cookiesSameSiteInvalid, score: 0},
		{name: "empty value", id: idCookiesSameSite, ev: c("Set-Cookie: a=1; Secure; SameSite"), want: StatusFail, value: cookiesSameSiteInvalid, score: 0},
		{name: "none without secure", id: idCookiesSameSite, ev: c("Set-Cookie: a=1; SameSite=None"), want: StatusFail, value: cookiesSameSiteInvalid, score: 0},
		{name: "csrf without samesite", id: idCookiesSameSite, ev: c("Set-Cookie: csrftoken=x; Secure"), want: StatusFail, value: cookiesCSRFNoSameSite, score: 0},
		{name: "no cookies", id: idCookiesSameSite, ev: c(), want: StatusInfo, value: cookiesNotFound, score: 1},
		{name: "page missing", id: idCookiesSameSite, ev: ckWith(nil, func(ev *Evidence) {}), want: StatusSkipped, score: -1},

		{name: "valid __Host-", id: idCookiesPrefixes, ev: c("Set-Cookie: __Host-sid=a; Path=/; Secure; HttpOnly"), want: StatusPass, value: "__Host-sid", score: 1},
		{name: "valid __Secure-", id: idCookiesPrefixes, ev: c("Set-Cookie: __Secure-id=a; Domain=example.com; Secure"), want: StatusPass, score: 1},
		{name: "__Host- with domain", id: idCookiesPrefixes, ev: c("Set-Cookie: __Host-sid=a; Path=/; Secure; Domain=example.com"), want: StatusFail, value: "has Domain", score: 0},
		{name: "__Host- without path", id: idCookiesPrefixes, ev: c("Set-Cookie: __Host-sid=a; Secure"), want: StatusFail, value: "Path is not /", score: 0},
		{name: "__secure- lowercase without secure", id: idCookiesPrefixes, ev: c("Set-Cookie: __secure-id=a"), want: StatusFail, value: "no Secure", score: 0},
		{name: "session could use prefix", id: idCookiesPrefixes, ev: c("Set-Cookie: sessionid=a; Secure"), want: StatusInfo, score: -1, find: "__Host-"},
		{name: "no cookies", id: idCookiesPrefixes, ev: c(), want: StatusInfo, score: -1},
		{name: "page missing", id: idCookiesPrefixes, ev: ckWith(nil, func(ev *Evidence) {}), want: StatusSkipped, score: -1},
	})
}
