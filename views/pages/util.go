// Package pages holds one templ file per page of the web app, each with the
// page's own data struct; the types pages share are in views/model.
package pages

import "sort"

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
