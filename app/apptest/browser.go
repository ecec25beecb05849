package apptest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Browser is a cookie-keeping HTTP client that behaves like a person's
// browser without JavaScript: it reads the CSRF token from the last page
// and sends it with forms.
type Browser struct {
	// Header is sent with every request, as a proxy in front of this
	// browser would add it (X-Forwarded-For, say).
	Header http.Header

	t      testing.TB
	base   string
	client *http.Client
	csrf   string
}

// Page is a fetched HTML page.
type Page struct {
	Status int
	URL    *url.URL
	Header http.Header
	Doc    *goquery.Document
	Body   string
}

// Browser returns a new browser on the env.
func (e *Env) Browser() *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{Header: http.Header{}, t: e.T, base: e.URL, client: &http.Client{Jar: jar}}
}

func (b *Browser) do(req *http.Request) *Page {
	b.t.Helper()
	for k, v := range b.Header {
		req.Header[k] = v
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		b.t.Fatal(err)
	}
	if tok, ok := doc.Find(`meta[name="csrf-token"]`).Attr("content"); ok && tok != "" {
		b.csrf = tok
	}
	return &Page{Status: resp.StatusCode, URL: resp.Request.URL, Header: resp.Header, Doc: doc, Body: string(body)}
}

// Get fetches path (following redirects).
func (b *Browser) Get(path string, headers ...string) *Page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

// Post submits a form to path with the CSRF token of the last page.
func (b *Browser) Post(path string, form url.Values) *Page {
	b.t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if f.Get("_csrf") == "" && b.csrf != "" {
		f.Set("_csrf", b.csrf)
	}
	return b.PostRaw(path, f)
}

// PostRaw submits a form exactly as given (no CSRF token added).
func (b *Browser) PostRaw(path string, form url.Values) *Page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// PostHTMX submits a form as htmx does: with HX-Request and the CSRF token in a header.
func (b *Browser) PostHTMX(path string, form url.Values) *Page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", b.csrf)
	return b.do(req)
}
