package scanner

import (
	"net/http"
	"strings"
	"testing"
)

// TestChallengeVendor: each vendor's challenge or block page is recognised
// by its status together with its headers or body markers, and a normal
// page served through the same vendor (its headers on every answer) is not.
func TestChallengeVendor(t *testing.T) {
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return h
	}
	normal := "<!doctype html><html><head><title>Shop</title></head><body>" + strings.Repeat("<p>products</p>", 400) + "</body></html>"
	cfChallenge := `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>` +
		`<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=8a1b"></script></body></html>`
	cases := []struct {
		name   string
		status int
		h      http.Header
		body   string
		want   string
	}{
		// Cloudflare
		{"cloudflare cf-mitigated", 403, hdr("Server", "cloudflare", "CF-Ray", "8a1b-AMS", "Cf-Mitigated", "challenge"), "<html></html>", VendorCloudflare},
		{"cloudflare just a moment", 403, hdr("Server", "cloudflare", "CF-Ray", "8a1b-AMS"), cfChallenge, VendorCloudflare},
		{"cloudflare managed challenge 503", 503, hdr("Server", "cloudflare", "CF-Ray", "8a1b-AMS"), `<div id="cf-browser-verification">checking</div>`, VendorCloudflare},
		{"cloudflare block 1020", 403, hdr("Server", "cloudflare", "CF-Ray", "8a1b-AMS"), `<title>Attention Required! | Cloudflare</title><div id="cf-error-details">Sorry, you have been blocked</div>`, VendorCloudflare},
		{"cloudflare normal page", 200, hdr("Server", "cloudflare", "CF-Ray", "8a1b-AMS", "CF-Cache-Status", "HIT"), normal, ""},
		{"cloudflare site's own 403", 403, hdr("Server", "cloudflare", "CF-Ray", "8a1b-AMS"), "<h1>Forbidden</h1><p>members only</p>", ""},
		{"cloudflare 503 without markers", 503, hdr("Server", "cloudflare", "CF-Ray", "8a1b-AMS"), "<h1>Maintenance</h1>", ""},
		// Akamai
		{"akamai access denied", 403, hdr("Server", "AkamaiGHost", "Mime-Version", "1.0"), `<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>You don't have permission to access "http://www.example.com/" on this server.<P>Reference #18.6a2f1402.1700000000.1a2b3c</BODY></HTML>`, VendorAkamai},
		{"akamai normal page", 200, hdr("Server", "AkamaiGHost"), normal, ""},
		{"akamai 403 without reference", 403, hdr("Server", "AkamaiGHost"), "<h1>Access Denied</h1>", ""},
		// Imperva / Incapsula
		{"incapsula incident", 403, hdr("X-Iinfo", "9-123-0 0NNN RT(1 2) q(0 -1 -1 -1) r(0 -1)", "X-CDN", "Incapsula"), `<html><body>Request unsuccessful. Incapsula incident ID: 123000450123456789-12345678901234567</body></html>`, VendorImperva},
		{"incapsula challenge", 200, hdr("X-Iinfo", "9-123-0 0NNN", "X-CDN", "Incapsula"), `<html><head><META NAME="robots" CONTENT="noindex,nofollow"><script src="/_Incapsula_Resource?SWJIYLWA=5074a744e2e3d891814e9a2dace20bd4,719d34d31c8e3a6e6fffd425f7e032f3"></script></head><body></body></html>`, VendorImperva},
		{"incapsula normal page", 200, hdr("X-Iinfo", "9-123-0 0NNN", "X-CDN", "Incapsula"), normal + `<script src="/_Incapsula_Resource?SWJIYLWA=abc"></script>`, ""},
		// AWS WAF
		{"aws waf challenge header", 202, hdr("X-Amzn-Waf-Action", "challenge"), "", VendorAWSWAF},
		{"aws waf captcha header", 405, hdr("x-amzn-waf-action", "captcha"), "<html></html>", VendorAWSWAF},
		{"aws waf challenge body", 202, hdr("Server", "awselb/2.0"), `<script src="https://a1b2c3.edge.sdk.awswaf.com/a1b2c3/challenge.js"></script><script>AwsWafIntegration.getToken()</script>`, VendorAWSWAF},
		{"aws normal page", 200, hdr("Server", "awselb/2.0"), normal, ""},
		{"aws 202 without markers", 202, hdr("Server", "awselb/2.0"), `{"accepted":true}`, ""},
		// DataDome
		{"datadome header", 403, hdr("X-DataDome", "protected", "X-DD-B", "1"), `<html><body>blocked</body></html>`, VendorDataDome},
		{"datadome captcha body", 403, hdr("Server", "nginx"), `<script>var dd={'cid':'AHrlqAAAAAMA'};</script><script src="https://ct.captcha-delivery.com/c.js"></script>`, VendorDataDome},
		{"datadome normal page", 200, hdr("X-DataDome", "protected"), normal, ""},
		// Sucuri
		{"sucuri block", 403, hdr("Server", "Sucuri/Cloudproxy", "X-Sucuri-ID", "11005", "X-Sucuri-Block", "BLK"), `<title>Sucuri WebSite Firewall - Access Denied</title>`, VendorSucuri},
		{"sucuri js challenge", 200, hdr("Server", "Sucuri/Cloudproxy"), `<html><script>var s={},u,c,U,r,i,l=0,a,e=eval;...document.cookie='sucuri_cloudproxy_uuid_1=abc';</script><noscript>sucuri_cloudproxy_js</noscript></html>`, VendorSucuri},
		{"sucuri normal page", 200, hdr("Server", "Sucuri/Cloudproxy", "X-Sucuri-ID", "11005", "X-Sucuri-Cache", "HIT"), normal, ""},
		// Nobody's
		{"plain 403", 403, hdr("Server", "nginx"), "<h1>403 Forbidden</h1>", ""},
		{"page quoting a vendor", 200, hdr("Server", "nginx"), "<p>We moved off Cloudflare: no more Just a moment... pages, no /cdn-cgi/challenge-platform.</p>" + normal, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &Response{URL: "https://example.com/", StatusCode: tc.status, Header: tc.h, Body: []byte(tc.body)}
			if got := ChallengeVendor(r); got != tc.want {
				t.Errorf("ChallengeVendor = %q, want %q", got, tc.want)
			}
		})
	}
	if ChallengeVendor(nil) != "" || ChallengeVendor(&Response{StatusCode: 403}) != "" {
		t.Error("no response, or no headers and body, is no challenge")
	}
}

// TestLowerBody holds the ASCII shortcut to strings.ToLower, non-ASCII
// bodies (the Kelvin sign lowers to an ASCII k) included.
func TestLowerBody(t *testing.T) {
	for _, in := range []string{"", "A", "Just a Moment...", "<TITLE>Just a moment...</TITLE>", "ascii only 123 !@#[]`{}",
		"Blo\u212Aed", "İncapsula", "caf\u00c9 ÀÉ", "\xff\xfeAB", "ok\x00NUL", strings.Repeat("Ab", 5000)} {
		if got, want := string(lowerBody([]byte(in))), strings.ToLower(in); got != want {
			t.Errorf("lowerBody(%q) = %q, want %q", in, got, want)
		}
	}
}
