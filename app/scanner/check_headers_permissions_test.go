package scanner

import "testing"

// TestCheckHeadersPermissions covers Permissions-Policy parsing and grading.
func TestCheckHeadersPermissions(t *testing.T) {
	h := func(hdrs ...string) *Evidence { return ckEv(ckPage("", hdrs...)) }
	runCheckCases(t, []checkCase{
		{name: "restrictive", id: idHeadersPermissions, ev: h(`Permissions-Policy: camera=(), microphone=(), geolocation=(self "https://maps.example")`), want: StatusPass, value: "camera=()", score: 1},
		{name: "self token", id: idHeadersPermissions, ev: h(`Permissions-Policy: fullscreen=self, interest-cohort=()`), want: StatusPass, score: 1},
		{name: "wildcard camera", id: idHeadersPermissions, ev: h(`Permissions-Policy: camera=*, fullscreen=*`), want: StatusWarn, score: 0.5, find: "camera"},
		{name: "wildcard in list", id: idHeadersPermissions, ev: h(`Permissions-Policy: geolocation=(self *)`), want: StatusWarn, score: 0.5},
		{name: "feature-policy syntax", id: idHeadersPermissions, ev: h(`Permissions-Policy: camera 'none'; microphone 'none'`), want: StatusWarn, value: "invalid", score: 0},
		{name: "unclosed list", id: idHeadersPermissions, ev: h(`Permissions-Policy: camera=(self`), want: StatusWarn, value: "invalid", score: 0},
		{name: "missing", id: idHeadersPermissions, ev: h(), want: StatusInfo, value: "not set", score: -1},
		{name: "only feature-policy", id: idHeadersPermissions, ev: h("Feature-Policy: camera 'none'"), want: StatusInfo, score: -1, find: "Permissions-Policy"},
		{name: "page missing", id: idHeadersPermissions, ev: ckWith(nil, func(ev *Evidence) {}), want: StatusSkipped, score: -1},
	})
}
