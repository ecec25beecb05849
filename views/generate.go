// Package views holds the templ templates of the web app: layouts/ (the HTML
// shell), pages/ (one per screen) and components/ (shared pieces). The
// generated *_templ.go files are committed; `go generate ./views` rebuilds them.
package views

//go:generate go tool templ generate -path .
