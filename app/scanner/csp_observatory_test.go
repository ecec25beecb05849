package scanner

import "testing"

// TestCSPObservatoryVectors replays the header vectors of the HTTP
// Observatory's own CSP test suite (ported from Mozilla's HTTP Observatory;
// see docs/scoring.md) against our port, so a drift from its results shows
// up here. The page is HTTPS, as in the Observatory's empty requests.
func TestCSPObservatoryVectors(t *testing.T) {
	cases := []struct {
		header, meta string
		want         string
		pass         bool
	}{
		{"  ", "", cspHeaderInvalid, false},
		{"default-src 'none'; default-src 'none'", "", cspHeaderInvalid, false},
		{"default-src 'none'; img-src 'self'; default-src 'none'", "", cspHeaderInvalid, false},
		{"default-src 'none'; script-src 'strict-dynamic'", "", cspHeaderInvalid, false},
		{"defa", "", cspHeaderInvalid, false},
		{"default-src 'none'; script-src https://*", "", cspUnsafeInline, false},
		{"default-src 'none'; script-src 'unsafe-inline'", "", cspUnsafeInline, false},
		{"default-src http://mozilla.org", "", cspInsecureScheme, false},
		{"default-src 'none'; script-src http://mozilla.org", "", cspInsecureScheme, false},
		{"default-src 'none'; script-src ftp://mozilla.org", "", cspInsecureScheme, false},
		{"default-src 'none'; img-src http://mozilla.org", "", cspInsecurePassiveOnly, true},
		{"default-src 'self'; img-src ftp:", "", cspInsecurePassiveOnly, true},
		{"default-src 'self'; img-src http:", "", cspInsecurePassiveOnly, true},
		{"default-src 'none'; img-src https:; media-src http://mozilla.org", "", cspInsecurePassiveOnly, true},
		{"default-src 'none'; img-src http: https:; script-src 'self'; style-src 'self'", "", cspInsecurePassiveOnly, true},
		{"default-src 'none'; img-src 'none'; media-src http:; script-src 'self'; style-src 'self'", "", cspInsecurePassiveOnly, true},
		{"default-src 'none'; img-src 'none'; media-src http:; script-src 'self'; style-src 'unsafe-inline'", "", cspInsecurePassiveOnly, true},
		{"script-src 'unsafe-inline'", "", cspUnsafeInline, false},
		{"script-src data:", "", cspUnsafeInline, false},
		{"script-src http:", "", cspUnsafeInline, false},
		{"script-src ftp:", "", cspUnsafeInline, false},
		{"default-src 'unsafe-inline'", "", cspUnsafeInline, false},
		{"default-src 'UNSAFE-INLINE'", "", cspUnsafeInline, false},
		{"upgrade-insecure-requests", "", cspUnsafeInline, false},
		{"script-src 'none'", "", cspUnsafeInline, false},
		{"script-src https:", "", cspUnsafeInline, false},
		{"script-src https://mozilla.org https:", "", cspUnsafeInline, false},
		{"default-src https://mozilla.org https:", "", cspUnsafeInline, false},
		{"default-src 'none'; script-src *", "", cspUnsafeInline, false},
		{"default-src *; script-src *; object-src 'none'", "", cspUnsafeInline, false},
		{"default-src 'none'; script-src 'none'; object-src *", "", cspUnsafeInline, false},
		{"default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'", "", cspUnsafeInline, false},
		{"default-src 'none'; script-src 'unsafe-inline' http:", "", cspUnsafeInline, false},
		{"object-src https:; script-src 'none'", "", cspUnsafeInline, false},
		{"default-src 'none'; script-src 'unsafe-eval'", "", cspUnsafeEval, false},
		{"object-src 'none'; script-src 'none'; style-src 'unsafe-inline'", "", cspUnsafeInlineStyleOnly, true},
		{"default-src 'none'; script-src https://mozilla.org; style-src 'unsafe-inline'", "", cspUnsafeInlineStyleOnly, true},
		{"default-src 'unsafe-inline'; script-src https://mozilla.org", "", cspUnsafeInlineStyleOnly, true},
		{"default-src 'none';;; ;;;style-src 'self' 'unsafe-inline'", "", cspUnsafeInlineStyleOnly, true},
		{"default-src 'none'; style-src data:", "", cspUnsafeInlineStyleOnly, true},
		{"default-src 'none'; style-src *", "", cspUnsafeInlineStyleOnly, true},
		{"default-src 'none'; style-src https:", "", cspUnsafeInlineStyleOnly, true},
		{"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBB=' 'unsafe-inline'", "", cspUnsafeInlineStyleOnly, true},
		{"default-src https://mozilla.org", "", cspNoUnsafe, true},
		{"default-src https://mozilla.org;;; ;;;script-src 'none'", "", cspNoUnsafe, true},
		{"object-src 'none'; script-src https://mozilla.org; style-src https://mozilla.org; upgrade-insecure-requests;", "", cspNoUnsafe, true},
		{"object-src 'none'; script-src 'strict-dynamic' 'nonce-abc' 'unsafe-inline'; style-src 'none'", "", cspNoUnsafe, true},
		{"object-src 'none'; style-src 'self';script-src 'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBA='", "", cspNoUnsafe, true},
		{"object-src 'none'; style-src 'self'; script-src 'unsafe-inline' 'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBA=''sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBB='", "", cspNoUnsafe, true},
		{"object-src 'none'; script-src 'unsafe-inline' 'nonce-abc123' 'unsafe-inline'; style-src 'none'", "", cspNoUnsafe, true},
		{"default-src https://mozilla.org; style-src 'unsafe-inline' 'nonce-abc123' 'unsafe-inline'", "", cspNoUnsafe, true},
		{"default-src https://mozilla.org; style-src 'unsafe-inline' 'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBB=' 'unsafe-inline'", "", cspNoUnsafe, true},
		{"default-src http:", "default-src https:", cspNoUnsafeDefaultNone, true},
		{"default-src", "", cspNoUnsafeDefaultNone, true},
		{"default-src 'none'; script-src 'strict-dynamic' 'nonce-abc123' 'unsafe-inline'", "", cspNoUnsafeDefaultNone, true},
		{"default-src 'none'; script-src https://mozilla.org; style-src https://mozilla.org; upgrade-insecure-requests;", "", cspNoUnsafeDefaultNone, true},
		{"default-src 'none'; object-src https://mozilla.org", "", cspNoUnsafeDefaultNone, true},
		{"img-src 'none'", "default-src 'none'", cspNoUnsafeDefaultNone, true},
		{"default-src 'none'", "default-src https:", cspNoUnsafeDefaultNone, true},
		{"default-src 'none'; script-src 'strict-dynamic' 'sha256-abc123' https://*", "", cspNoUnsafeDefaultNone, true},
		{"default-src 'none'; script-src 'strict-dynamic' 'sha256-abc123' 'unsafe-inline'", "", cspNoUnsafeDefaultNone, true},
		{"default-src 'none'; script-src 'self', default-src 'none'; script-src 'self'", "", cspNoUnsafeDefaultNone, true},
		{"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline', default-src 'none'; style-src 'self', default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'", "", cspNoUnsafeDefaultNone, true},
		{"", "frame-ancestors 'none'", cspNotImplemented, false},
		{"frame-anchestors 'none'", "frame-ancestors 'none'", cspUnsafeInline, false},
	}
	for _, tc := range cases {
		var hdr, meta []string
		if tc.header != "" || tc.meta == "" {
			hdr = []string{tc.header}
		}
		if tc.meta != "" {
			meta = []string{tc.meta}
		}
		v := evalCSP(hdr, meta, false, true)
		if v.Result != tc.want || v.Pass != tc.pass {
			t.Errorf("header %q meta %q: %s (pass %v), want %s (pass %v)", tc.header, tc.meta, v.Result, v.Pass, tc.want, tc.pass)
		}
	}
}
