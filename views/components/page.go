// Package components holds the small templ pieces pages are built from, and
// the per-request page context (CSRF token, signed-in user) they read.
package components

import (
	"context"

	"github.com/palisade/palisade/views/model"
)

type pageKey struct{}

// Viewer is the signed-in person as views need them (nil when anonymous).
type Viewer struct {
	Email       string
	AccountName string
	Plan        string
	Role        string
	// Owner is whether they may manage the account (its owner-only pages).
	Owner bool
}

// PageCtx is what every page can read without threading it through each component.
type PageCtx struct {
	CSRF   string
	Viewer *Viewer
	Path   string
	// Links are the app's hrefs by route (zero in unit renders that do not set them).
	Links model.Links
}

// WithPage stores p in ctx for rendering.
func WithPage(ctx context.Context, p PageCtx) context.Context {
	return context.WithValue(ctx, pageKey{}, p)
}

// Page returns the page context (zero when absent, e.g. in unit renders).
func Page(ctx context.Context) PageCtx {
	p, _ := ctx.Value(pageKey{}).(PageCtx)
	return p
}

// FormErrors maps a field name to the message shown next to it; "" is the form-level message.
type FormErrors map[string]string

// GradeClass is the CSS class of a grade badge ("A+" → "grade-Ap").
func GradeClass(g string) string {
	switch g {
	case "":
		return "badge grade-none"
	case "A+":
		return "badge grade-Ap"
	}
	return "badge grade-" + g
}

// WidthClass maps a percentage to one of the w-N utility classes (no inline styles under our CSP).
func WidthClass(pct int) string {
	if pct < 0 {
		pct = 0
	}
	if pct > 100 {
		pct = 100
	}
	return "w-" + itoa((pct+5)/10*10)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}
