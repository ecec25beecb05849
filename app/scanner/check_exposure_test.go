package scanner

import "testing"

// TestCheckExposure covers server and technology banners, security.txt and
// directory listings.
func TestCheckExposure(t *testing.T) {
	h := func(hdrs ...string) *Evidence { return ckEv(ckPage("", hdrs...)) }
	sec := func(status int, body string, hdrs ...string) *Evidence {
		return ckWith(nil, func(ev *Evidence) {
			ev.SecurityTxt = ckResp("https://example.com/.well-known/security.txt", status, body, hdrs...)
		})
	}
	const listing = `<html><head><title>Index of /uploads</title></head><body><h1>Index of /uploads</h1><pre><a href="../">../</a> <a href="a.zip">a.zip</a></pre></body></html>`
	iis := `<html><head><title>example.com - /files/</title></head><body><H1>example.com - /files/</H1><hr><pre><A HREF="/">[To Parent Directory]</A><br></pre></body></html>`
	runCheckCases(t, []checkCase{
		{name: "no server header", id: idExposureServerVersion, ev: h(), want: StatusPass, score: 1},
		{name: "product only", id: idExposureServerVersion, ev: h("Server: nginx"), want: StatusPass, value: "nginx", score: 1},
		{name: "cloudflare", id: idExposureServerVersion, ev: h("Server: cloudflare"), want: StatusPass, score: 1},
		{name: "nginx version", id: idExposureServerVersion, ev: h("Server: nginx/1.18.0 (Ubuntu)"), want: StatusWarn, value: "nginx/1.18.0", score: 0, find: "server_tokens off;"},
		{name: "IIS version", id: idExposureServerVersion, ev: h("Server: Microsoft-IIS/10.0"), want: StatusWarn, score: 0},
		{name: "apache with modules", id: idExposureServerVersion, ev: h("Server: Apache/2.4.41 (Unix) OpenSSL/1.1.1"), want: StatusWarn, score: 0, find: "ServerTokens Prod"},
		{name: "page missing", id: idExposureServerVersion, ev: ckWith(nil, func(ev *Evidence) {}), want: StatusSkipped, score: -1},

		{name: "nothing", id: idExposurePoweredBy, ev: h(), want: StatusPass, score: 1},
		{name: "express", id: idExposurePoweredBy, ev: h("X-Powered-By: Express"), want: StatusWarn, value: "X-Powered-By: Express", score: 0.5, find: "Header always unset X-Powered-By"},
		{name: "php version", id: idExposurePoweredBy, ev: h("X-Powered-By: PHP/7.4.3"), want: StatusWarn, value: "PHP/7.4.3", score: 0, find: "expose_php = Off"},
		{name: "aspnet version", id: idExposurePoweredBy, ev: h("X-AspNet-Version: 4.0.30319"), want: StatusWarn, score: 0},
		{name: "page missing", id: idExposurePoweredBy, ev: ckWith(nil, func(ev *Evidence) {}), want: StatusSkipped, score: -1},

		{name: "valid", id: idExposureSecurityTxt, ev: sec(200, "Contact: mailto:security@example.com\nExpires: 2026-12-31T23:00:00.000Z\n", "Content-Type: text/plain"), want: StatusPass, value: "mailto:security@example.com", score: 1},
		{name: "signed", id: idExposureSecurityTxt, ev: sec(200, "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: https://example.com/report\nExpires: 2027-01-01T00:00:00+01:00\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n"), want: StatusPass, score: 1},
		{name: "expired", id: idExposureSecurityTxt, ev: sec(200, "Contact: mailto:s@example.com\nExpires: 2025-01-01T00:00:00Z\n"), want: StatusWarn, value: "expired on 2025-01-01", score: 0.5},
		{name: "no expires", id: idExposureSecurityTxt, ev: sec(200, "Contact: mailto:s@example.com\n"), want: StatusWarn, value: "no Expires", score: 0.5},
		{name: "no contact", id: idExposureSecurityTxt, ev: sec(200, "Expires: 2027-01-01T00:00:00Z\n"), want: StatusWarn, value: "no Contact", score: 0.5},
		{name: "bad date", id: idExposureSecurityTxt, ev: sec(200, "Contact: mailto:s@example.com\nExpires: next year\n"), want: StatusWarn, value: "not an RFC 3339 date", score: 0.5},
		{name: "not found", id: idExposureSecurityTxt, ev: sec(404, "nope"), want: StatusWarn, value: "not found", score: 0, find: "Contact: mailto:security@example.com"},
		{name: "soft 404 html", id: idExposureSecurityTxt, ev: sec(200, "<!doctype html><title>Home</title>", "Content-Type: text/html"), want: StatusWarn, value: "HTML page", score: 0},
		{name: "fetch failed", id: idExposureSecurityTxt, ev: ckWith(nil, func(ev *Evidence) { ev.SecurityTxtErr = "timeout" }), want: StatusError, score: -1},

		{name: "normal page", id: idExposureDirListing, ev: ckEv(ckPage("<title>Home</title><h1>Welcome</h1>")), want: StatusPass, score: 1},
		{name: "apache index page", id: idExposureDirListing, ev: ckEv(ckPage(listing)), want: StatusFail, value: "https://example.com/", score: 0, find: "Options -Indexes"},
		{name: "iis listing in crawl", id: idExposureDirListing, ev: ckWith(ckPage("<title>Home</title>"), func(ev *Evidence) {
			ev.Pages = append(ev.Pages, ckResp("https://example.com/files/", 200, iis, "Content-Type: text/html"))
		}), want: StatusFail, value: "/files/", score: 0},
		{name: "python listing in probes", id: idExposureDirListing, ev: ckWith(ckPage("<title>Home</title>"), func(ev *Evidence) {
			ev.Probes = map[string]*Response{"/backup/": ckResp("https://example.com/backup/", 200, "<title>Directory listing for /backup/</title>", "Content-Type: text/html")}
		}), want: StatusFail, value: "/backup/", score: 0},
		{name: "index title but 404", id: idExposureDirListing, ev: ckWith(ckPage("<title>Home</title>"), func(ev *Evidence) {
			ev.Probes = map[string]*Response{"/x/": ckResp("https://example.com/x/", 404, listing, "Content-Type: text/html")}
		}), want: StatusPass, score: 1},
		{name: "nothing fetched", id: idExposureDirListing, ev: ckWith(nil, func(ev *Evidence) { ev.Pages = nil; ev.PageErr = "reset" }), want: StatusError, score: -1},
	})
}
