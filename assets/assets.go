// Package assets embeds the web app's static files (htmx, CSS, scripts) in
// the binary and serves them under fingerprinted names, so pages load from
// our own origin (no CDN, strict CSP) and browsers can cache them forever.
package assets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"strings"
)

//go:embed static
var files embed.FS

// Prefix is the URL path under which assets are served.
const Prefix = "/assets/"

type asset struct {
	body        []byte
	contentType string
}

var (
	byLogical     = map[string]string{} // "app.css" → "/assets/app.1a2b3c4d5e.css"
	byFingerprint = map[string]asset{}  // "app.1a2b3c4d5e.css" → bytes
)

func init() {
	entries, err := fs.ReadDir(files, "static")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		body, err := files.ReadFile("static/" + name)
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		fp := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		byLogical[name] = Prefix + fp
		byFingerprint[fp] = asset{body: body, contentType: ct}
	}
}

// Path returns the fingerprinted URL of a static file ("app.css"). An
// unknown name panics at render time in tests rather than shipping a broken link.
func Path(name string) string {
	p, ok := byLogical[name]
	if !ok {
		panic("assets: no static file " + name)
	}
	return p
}

// Lookup returns the bytes and content type of a fingerprinted file name.
func Lookup(fingerprinted string) ([]byte, string, bool) {
	a, ok := byFingerprint[fingerprinted]
	return a.body, a.contentType, ok
}
