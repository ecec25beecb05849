// Package views holds the templ templates of the web app: layouts/ (the HTML
// shell), pages/ (one per screen), components/ (shared pieces) and model/
// (the plain structs app/web fills for them; views import nothing of the
// application, see deps_test.go). The
// generated *_templ.go files are committed; `go generate ./views` rebuilds them.
package views

// Generating from the repository root keeps the file names recorded in the
// generated code repository-relative: `go generate ./views` and a plain
// `go tool templ generate` at the root write identical files.
//
//go:generate go tool templ generate -path ..
