package scanner

import "strings"

const idHeadersPermissions = "headers.permissions-policy"

// powerfulFeatures are the Permissions-Policy features whose delegation to
// every origin ('*') hands embedded third parties access to sensors,
// devices or money.
var powerfulFeatures = map[string]bool{
	"camera": true, "microphone": true, "geolocation": true, "payment": true, "usb": true,
	"serial": true, "hid": true, "bluetooth": true, "display-capture": true, "clipboard-read": true,
	"midi": true, "publickey-credentials-get": true,
}

// parsePermissionsPolicy parses the Structured Field dictionary of a
// Permissions-Policy header. It returns the features allowed to every
// origin, and ok=false when the syntax is broken (browsers then ignore the
// whole header).
func parsePermissionsPolicy(v string) (wildcard []string, n int, ok bool) {
	for _, member := range splitSFList(v) {
		member = strings.TrimSpace(member)
		if member == "" {
			return nil, 0, false
		}
		key, val, hasVal := strings.Cut(member, "=")
		key = strings.TrimSpace(key)
		if key == "" || !(key[0] >= 'a' && key[0] <= 'z' || key[0] == '*') {
			return nil, 0, false
		}
		for i := 1; i < len(key); i++ {
			c := key[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '*') {
				return nil, 0, false
			}
		}
		n++
		if !hasVal {
			continue // boolean true member
		}
		val = strings.TrimSpace(val)
		if i := strings.IndexByte(val, ';'); i >= 0 && !strings.HasPrefix(val, "(") {
			val = val[:i]
		}
		switch {
		case val == "*":
			wildcard = append(wildcard, key)
		case strings.HasPrefix(val, "("):
			end := strings.LastIndexByte(val, ')')
			if end < 0 {
				return nil, 0, false
			}
			for _, item := range strings.Fields(val[1:end]) {
				if item == "*" {
					wildcard = append(wildcard, key)
				}
			}
		case val == "self" || val == "src" || strings.HasPrefix(val, `"`):
		default:
			if _, ok := sfToken(val); !ok {
				return nil, 0, false
			}
		}
	}
	return wildcard, n, true
}

// splitSFList splits a structured-field list or dictionary on top-level
// commas (not inside parentheses or quoted strings).
func splitSFList(v string) []string {
	var out []string
	depth, inStr, start := 0, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

var (
	fixPermissions = headerFix("Switch off the powerful browser features the site does not use.",
		"Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
	fixPermissionsStar = headerFix("Replace * with () (nobody) or (self \"https://trusted.example\").",
		"Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
)

// checkHeadersPermissions: Permissions-Policy turns off powerful browser
// features (camera, microphone, geolocation, payment…) for the page and
// the third-party frames it embeds, limiting what an injected script or a
// compromised widget can do. Not an Observatory test: absence is
// informational, only broken or over-broad policies cost points.
var checkHeadersPermissions = Check{
	ID: idHeadersPermissions, Name: "Permissions-Policy", Category: catHeaders, Depth: Quick, Weight: 1,
	Needs: []EvidenceKind{NeedPage},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idHeadersPermissions)
		if ev.Page == nil {
			return missing("The main page", ev.PageErr)
		}
		fix := fixPermissions
		raw, present := headerJoined(ev.Page, "Permissions-Policy")
		if !present {
			d := "No Permissions-Policy: embedded frames may ask for camera, microphone or location. Not scored; set one to earn the point."
			if fp, ok := headerJoined(ev.Page, "Feature-Policy"); ok {
				d = "Only the deprecated Feature-Policy header is sent (" + clip(fp, 80) + "); current browsers read Permissions-Policy. Not scored."
			}
			return o.Info("not set", d, o.Finding(SeverityInfo, "Permissions-Policy not set", d, fix, ""))
		}
		wild, n, ok := parsePermissionsPolicy(raw)
		if !ok {
			d := "The Permissions-Policy header is not a valid structured-field dictionary (e.g. the old Feature-Policy syntax), so browsers ignore all of it."
			return o.Warn(0, "invalid: "+clip(raw, 160),
				d,
				o.Finding(SeverityLow, "Permissions-Policy invalid", d, fix, raw))
		}
		var risky []string
		for _, f := range wild {
			if powerfulFeatures[f] {
				risky = append(risky, f)
			}
		}
		if len(risky) > 0 {
			d := "Powerful features are delegated to every origin: " + strings.Join(risky, ", ") + "."
			return o.Warn(0.5, clip(raw, 200),
				d,
				o.Finding(SeverityLow, "Permissions-Policy allows powerful features to any origin",
					d,
					fixPermissionsStar,
					raw))
		}
		return o.Pass(1, clip(raw, 200), "Permissions-Policy restricts "+plural(n, "browser feature")+".")
	},
}
