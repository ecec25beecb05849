// Package pages holds one templ file per page of the web app, each with the
// page's own data struct; the types pages share are in views/model.
package pages

import (
	"sort"

	"github.com/palisade/palisade/views/model"
)

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// categoryTitle is the human name of a scanner category.
func categoryTitle(name string) string {
	switch name {
	case "tls":
		return "TLS"
	case "headers":
		return "Security headers"
	case "cookies":
		return "Cookies"
	case "redirects":
		return "Redirects"
	case "dns":
		return "DNS and e-mail"
	case "exposure":
		return "Exposure"
	case "content":
		return "Page content"
	}
	return name
}

// statusLegend explains the check statuses (docs/scoring.md, "Statuses").
var statusLegend = []struct{ Status, Meaning string }{
	{"pass", "present and right"},
	{"fail", "missing or wrong"},
	{"warn", "could be better"},
	{"info", "nothing to fix"},
	{"skipped", "does not apply here"},
	{"error", "could not be checked"},
}

func deltaClass(d int) string {
	switch {
	case d > 0:
		return "delta-up"
	case d < 0:
		return "delta-down"
	}
	return "delta-none"
}

func changeClass(c model.CheckChange) string {
	switch {
	case c.Improved:
		return "delta-up"
	case c.Regressed:
		return "delta-down"
	case c.NotCompared:
		return "delta-nc"
	}
	return "delta-none"
}

func changeText(c model.CheckChange) string {
	switch {
	case c.Improved:
		return "improved"
	case c.Regressed:
		return "regressed"
	case c.NotCompared:
		return "not compared"
	}
	return "unchanged"
}
