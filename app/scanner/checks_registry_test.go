package scanner

import (
	"crypto/x509"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// declaredCheck is a `var checkX = Check{…}` found in the package source.
type declaredCheck struct {
	varName, id, idConst, file string
}

// declaredChecks parses the package's non-test files and returns every
// package-level Check literal with its id (resolved through the string
// constants of the package) and the file it is in. Counting checks this way
// means no test has to be told how many checks there are.
func declaredChecks(t *testing.T) []declaredCheck {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	type pending struct {
		varName, idExpr, file string
	}
	var found []pending
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, sp := range gd.Specs {
				vs, ok := sp.(*ast.ValueSpec)
				if !ok {
					continue
				}
				for i, v := range vs.Values {
					if gd.Tok == token.CONST {
						if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[vs.Names[i].Name], _ = strconv.Unquote(lit.Value)
						}
						continue
					}
					cl, ok := v.(*ast.CompositeLit)
					if !ok {
						continue
					}
					if id, ok := cl.Type.(*ast.Ident); !ok || id.Name != "Check" {
						continue
					}
					p := pending{varName: vs.Names[i].Name, file: name}
					for _, e := range cl.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok && kv.Key.(*ast.Ident).Name == "ID" {
							if id, ok := kv.Value.(*ast.Ident); ok {
								p.idExpr = id.Name
							}
						}
					}
					found = append(found, p)
				}
			}
		}
	}
	var out []declaredCheck
	for _, p := range found {
		id, ok := consts[p.idExpr]
		if !ok {
			t.Errorf("%s (%s): ID must be a string constant, got %q", p.varName, p.file, p.idExpr)
			continue
		}
		out = append(out, declaredCheck{varName: p.varName, id: id, idConst: p.idExpr, file: p.file})
	}
	return out
}

// TestCheckRegistry holds the "one file plus one table test per check" rule:
// every check declared in the package is registered in AllChecks exactly
// once, lives in a check_<name>.go file that has a check_<name>_test.go
// naming it, and has exactly one category, a row of the Categories table
// that is also its id's namespace.
func TestCheckRegistry(t *testing.T) {
	declared := declaredChecks(t)
	all := AllChecks()
	registered := map[string]int{}
	for _, c := range all {
		registered[c.ID]++
	}
	cases := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"every declared check is registered once", func(t *testing.T) {
			if len(declared) == 0 {
				t.Fatal("no Check declarations found in the package source")
			}
			for _, d := range declared {
				if registered[d.id] != 1 {
					t.Errorf("%s (%s, %s) is registered %d times in AllChecks", d.varName, d.id, d.file, registered[d.id])
				}
			}
			if len(all) != len(declared) {
				t.Errorf("AllChecks has %d checks, the source declares %d", len(all), len(declared))
			}
		}},
		{"one category from the table, the id's namespace", func(t *testing.T) {
			for _, c := range all {
				if _, ok := CategoryByID(c.Category); !ok {
					t.Errorf("%s: category %q is not in Categories", c.ID, c.Category)
				}
				if ns, _, _ := strings.Cut(c.ID, "."); ns != c.Category {
					t.Errorf("%s: category %q is not its namespace %q", c.ID, c.Category, ns)
				}
				if got := outcome(c.ID).Finding(SeverityInfo, "t", "d", nil, ""); got.CheckID != c.ID || got.Category != c.Category {
					t.Errorf("%s: outcome builder files findings under %s/%s", c.ID, got.CheckID, got.Category)
				}
			}
		}},
		{"every table category has a weighted check", func(t *testing.T) {
			for _, cat := range Categories {
				if !slices.ContainsFunc(all, func(c Check) bool { return c.Category == cat.ID && c.Weight > 0 }) {
					t.Errorf("category %s has no check with a positive weight", cat.ID)
				}
			}
		}},
		{"each check file has its table test naming the check", func(t *testing.T) {
			files := map[string]bool{}
			for _, d := range declared {
				files[d.file] = true
				if !strings.HasPrefix(d.file, "check_") {
					t.Errorf("%s is declared in %s, not in a check_<name>.go file", d.varName, d.file)
					continue
				}
				testFile := strings.TrimSuffix(d.file, ".go") + "_test.go"
				src, err := os.ReadFile(testFile)
				if err != nil {
					t.Errorf("%s: no table test: %v", d.file, err)
					continue
				}
				if !strings.Contains(string(src), d.idConst) && !strings.Contains(string(src), strconv.Quote(d.id)) {
					t.Errorf("%s does not test %s (%s)", testFile, d.id, d.idConst)
				}
			}
			checkFiles, _ := filepath.Glob("check_*.go")
			for _, f := range checkFiles {
				if !strings.HasSuffix(f, "_test.go") && !files[f] {
					t.Errorf("%s declares no check: name it otherwise", f)
				}
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, tc.fn)
	}
}

// TestCategoryTable: the table is the single source of category ids, titles
// and points, and the derived views agree with it.
func TestCategoryTable(t *testing.T) {
	total := 0
	seen := map[string]bool{}
	for i, c := range Categories {
		if c.ID == "" || c.Title == "" || c.Weight <= 0 || seen[c.ID] {
			t.Errorf("bad or duplicate row %+v", c)
		}
		seen[c.ID] = true
		total += c.Weight
		if CategoryOrder[i] != c.ID || CategoryWeights[c.ID] != c.Weight {
			t.Errorf("derived order/weights disagree with the table at %s", c.ID)
		}
		if got, ok := CategoryByID(c.ID); !ok || got != c {
			t.Errorf("CategoryByID(%q) = %+v, %v", c.ID, got, ok)
		}
	}
	if total != 100 {
		t.Errorf("category points add up to %d, want 100", total)
	}
	if len(CategoryOrder) != len(Categories) || len(CategoryWeights) != len(Categories) {
		t.Errorf("derived views have %d/%d entries for %d categories", len(CategoryOrder), len(CategoryWeights), len(Categories))
	}
	if _, ok := CategoryByID("nope"); ok {
		t.Error("unknown category found")
	}
}

// TestExtraCheckKeepsOtherWeights registers a fake extra check in each
// category in turn: no check of another category changes its points, the
// siblings keep their weights relative to each other (all diluted by the
// same factor), the category still shares exactly its points, and in a
// realistic scan the other categories score exactly as before.
func TestExtraCheckKeepsOtherWeights(t *testing.T) {
	base := AllChecks()
	basePts := CheckPoints(base)
	ev := typicalEvidence()
	var baseResults []Scored
	for _, c := range base {
		baseResults = append(baseResults, Scored{Check: c, Outcome: c.Evaluate(ev)})
	}
	baseCats, baseOverall, baseGrade := Score(baseResults)
	catOf := func(cats []Category, id string) Category {
		for _, c := range cats {
			if c.Name == id {
				return c
			}
		}
		return Category{}
	}
	for _, cat := range Categories {
		for _, extra := range []struct {
			name   string
			weight int
			out    Outcome
		}{
			{"failing", 3, outcome(cat.ID+".fake").Fail(0, "x", "d", outcome(cat.ID+".fake").Finding(SeverityLow, "t", "d", adviceFix("r"), ""))},
			{"informational", 3, outcome(cat.ID+".fake").Info("x", "d")},
		} {
			t.Run(cat.ID+"/"+extra.name, func(t *testing.T) {
				fake := Check{ID: cat.ID + ".fake", Name: "Fake", Category: cat.ID, Depth: Quick, Weight: extra.weight,
					Needs: []EvidenceKind{NeedPage}, Evaluate: func(*Evidence) Outcome { return extra.out }}
				with := append(slices.Clone(base), fake)
				pts := CheckPoints(with)
				var factor float64
				sum := pts[fake.ID]
				for _, c := range base {
					if c.Category != cat.ID {
						if pts[c.ID] != basePts[c.ID] {
							t.Errorf("%s (other category) moved from %v to %v points", c.ID, basePts[c.ID], pts[c.ID])
						}
						continue
					}
					sum += pts[c.ID]
					if basePts[c.ID] == 0 {
						continue
					}
					f := pts[c.ID] / basePts[c.ID]
					if factor == 0 {
						factor = f
					}
					if math.Abs(f-factor) > 1e-12 || f >= 1 {
						t.Errorf("sibling %s diluted by %v, others by %v", c.ID, f, factor)
					}
				}
				if math.Abs(sum-float64(cat.Weight)) > 1e-9 {
					t.Errorf("category %s shares %v points, want %d", cat.ID, sum, cat.Weight)
				}

				cats, overall, grade := Score(append(slices.Clone(baseResults), Scored{Check: fake, Outcome: fake.Evaluate(ev)}))
				for _, bc := range baseCats {
					got := catOf(cats, bc.Name)
					if bc.Name == cat.ID {
						if got.MaxScore != bc.MaxScore || len(got.Checks) != len(bc.Checks)+1 {
							t.Errorf("%s: max %d with %d checks, want %d with %d", bc.Name, got.MaxScore, len(got.Checks), bc.MaxScore, len(bc.Checks)+1)
						}
						if extra.out.Status == StatusInfo && (got.Score != bc.Score || got.Grade != bc.Grade) {
							t.Errorf("%s: an unscored extra check moved the category to %d %s from %d %s", bc.Name, got.Score, got.Grade, bc.Score, bc.Grade)
						}
						if extra.out.Status == StatusFail && got.Score > bc.Score {
							t.Errorf("%s: a failing extra check raised the category to %d from %d", bc.Name, got.Score, bc.Score)
						}
						continue
					}
					if got.Score != bc.Score || got.MaxScore != bc.MaxScore || got.Grade != bc.Grade || len(got.Checks) != len(bc.Checks) {
						t.Errorf("%s changed: %d/%d %s, want %d/%d %s", bc.Name, got.Score, got.MaxScore, got.Grade, bc.Score, bc.MaxScore, bc.Grade)
					}
				}
				if extra.out.Status == StatusInfo && (overall != baseOverall || grade != baseGrade) {
					t.Errorf("unscored extra check moved the scan to %d %s from %d %s", overall, grade, baseOverall, baseGrade)
				}
			})
		}
	}
}

// TestScoringDocMatchesChecks: docs/scoring.md lists every check once with
// its depth and points (CheckPoints, out of 100), and every category with
// its points, so the document cannot drift from the code.
func TestScoringDocMatchesChecks(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "scoring.md"))
	if err != nil {
		t.Fatal(err)
	}
	rowRE := regexp.MustCompile("(?m)^\\| `([a-z]+\\.[a-z-]+)` \\| ([A-Z]+) \\| ([0-9.]+) \\|")
	headRE := regexp.MustCompile(`(?m)^### ([a-z]+) — ([0-9]+) points$`)
	all := AllChecks()
	pts := CheckPoints(all)
	rows := map[string][]string{}
	for _, m := range rowRE.FindAllStringSubmatch(string(doc), -1) {
		if _, dup := rows[m[1]]; dup {
			t.Errorf("%s listed twice", m[1])
		}
		rows[m[1]] = m[2:]
	}
	for _, c := range all {
		r, ok := rows[c.ID]
		if !ok {
			t.Errorf("%s is not in docs/scoring.md", c.ID)
			continue
		}
		delete(rows, c.ID)
		p, _ := strconv.ParseFloat(r[1], 64)
		if r[0] != string(c.Depth) || math.Abs(p-pts[c.ID]) > 0.05 {
			t.Errorf("%s documented as %s, %s points; the code says %s, %.4g", c.ID, r[0], r[1], c.Depth, pts[c.ID])
		}
	}
	for id := range rows {
		t.Errorf("docs/scoring.md lists %s, which is not a check", id)
	}
	heads := headRE.FindAllStringSubmatch(string(doc), -1)
	if len(heads) != len(Categories) {
		t.Errorf("%d category sections, %d categories", len(heads), len(Categories))
	}
	for _, h := range heads {
		c, ok := CategoryByID(h[1])
		if w, _ := strconv.Atoi(h[2]); !ok || w != c.Weight {
			t.Errorf("section %q: %s points, table says %d", h[1], h[2], c.Weight)
		}
	}
}

// invariantCorpus is evidence every check must judge consistently: the
// unreachable site, an empty page, every header good, every header bad or
// hostile, an IP-address target, each evidence kind missing (not collected,
// and failed), at each depth.
func invariantCorpus() map[string]*Evidence {
	good := func() *Evidence {
		p := ckPage(`<!doctype html><html><head><title>ok</title><script src="/app.js"></script></head><body>ok</body></html>`,
			"Strict-Transport-Security: max-age=63072000; includeSubDomains; preload",
			"Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
			"X-Frame-Options: DENY", "X-Content-Type-Options: nosniff", "Referrer-Policy: no-referrer",
			"Permissions-Policy: camera=(), microphone=()", "Cross-Origin-Opener-Policy: same-origin",
			"Cross-Origin-Embedder-Policy: require-corp", "Cross-Origin-Resource-Policy: same-origin", "X-XSS-Protection: 0",
			"Set-Cookie: __Host-session=abc; Path=/; Secure; HttpOnly; SameSite=Strict")
		ev := typicalEvidence()
		ev.Page, ev.Pages = p, []*Response{p}
		ev.PageChain = []Hop{{URL: "https://example.com/", StatusCode: 200}}
		ev.DNS = &DNSFacts{Domain: "example.com", TXT: []string{"v=spf1 -all"}, DMARC: []string{"v=DMARC1; p=reject"},
			CAA: []CAARecord{{Tag: "issue", Value: "letsencrypt.org"}, {Tag: "iodef", Value: "mailto:s@example.com"}}, MX: []string{"0 ."}, DNSSEC: true}
		return ev
	}
	hostile := func() *Evidence {
		evil := `"><img src=x onerror=alert(1)>[link](https://evil.example) ` + "`\n" + strings.Repeat("A", 5000)
		p := ckPage(`<html><head><meta name="generator" content="WordPress 4.0"><script src="http://cdn.evil.example/jquery-1.8.0.min.js"></script>`+
			`<link rel="stylesheet" href="https://cdn.evil.example/x.css"><script>var k="sk_live_`+strings.Repeat("a", 24)+`";</script>`+
			`<img src="http://evil.example/x.png"><title>Index of /</title></head><body><h1>Index of /</h1>`+evil+`</body></html>`,
			"Strict-Transport-Security: "+evil, "Strict-Transport-Security: max-age=0",
			"Content-Security-Policy: script-src 'unsafe-inline' 'unsafe-eval' http: *; "+evil,
			"X-Frame-Options: ALLOW-FROM "+evil, "X-Frame-Options: DENY", "X-Content-Type-Options: "+evil,
			"Referrer-Policy: unsafe-url", "Permissions-Policy: camera=*, "+evil, "Cross-Origin-Opener-Policy: "+evil,
			"Cross-Origin-Embedder-Policy: "+evil, "Cross-Origin-Resource-Policy: "+evil, "X-XSS-Protection: 1",
			"Server: Apache/2.2.3 (CentOS) "+evil, "X-Powered-By: PHP/5.3.3 "+evil,
			"Set-Cookie: PHPSESSID="+evil+"; SameSite=Bogus", "Set-Cookie: __Host-csrftoken=x; Domain=example.com",
			"Set-Cookie: csrftoken=x; SameSite=None")
		ev := typicalEvidence()
		ev.Page, ev.Pages = p, []*Response{p}
		ev.TLS = &TLSFacts{Version: 0x0301, Trusted: false, HostnameOK: false, VerifyError: evil,
			Chain: []*x509.Certificate{ckCert(ckNow.Add(-400*24*time.Hour), ckNow.Add(-24*time.Hour), true)}}
		ev.TLSProbe = &TLSProbe{Versions: []uint16{0x0301, 0x0302}, WeakSuites: []string{"TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"}}
		ev.Redirects = []Hop{{URL: "http://example.com/", StatusCode: 302, Location: "http://evil.example/" + evil},
			{URL: "http://evil.example/", StatusCode: 302, Location: "https://example.com/"}, {URL: "https://example.com/", StatusCode: 302, Location: "http://example.com/"}}
		ev.RedirectsErr = "stopped after more than 10 redirects"
		ev.DNS = &DNSFacts{Domain: "example.com", TXT: []string{"v=spf1 +all ptr", "v=spf1 " + evil}, DMARC: []string{"v=DMARC1; p=none", "v=DMARC1; " + evil},
			CAA: []CAARecord{}, MX: []string{}}
		ev.CORS = ckResp("https://example.com/", 204, "", "Access-Control-Allow-Origin: "+CORSProbeOrigin, "Access-Control-Allow-Credentials: true")
		ev.SecurityTxt = ckResp("https://example.com/.well-known/security.txt", 200, evil, "Content-Type: text/plain")
		ev.Probes = map[string]*Response{}
		for _, path := range ProbePaths {
			ev.Probes[path] = ckResp("https://example.com"+path, 404, "", "Content-Type: text/html")
		}
		ev.Probes["/.git/HEAD"] = ckResp("https://example.com/.git/HEAD", 200, "ref: refs/heads/main\n", "Content-Type: text/plain")
		ev.Probes["/.env"] = ckResp("https://example.com/.env", 200, "DB_PASSWORD=hunter2\nAPP_KEY=x\n", "Content-Type: text/plain")
		ev.Scripts = map[string]*Response{"https://example.com/app.js": ckResp("https://example.com/app.js", 200,
			`var aws="AKIA`+strings.Repeat("A", 16)+`";`, "Content-Type: text/javascript")}
		return ev
	}
	unreachable := &Evidence{Now: ckNow, Target: Target{URL: "https://example.com/", Host: "example.com", Domain: "example.com"},
		PageErr: "connection refused", TLSErr: "connection refused", RedirectsErr: "connection refused", TLSProbeErr: "connection refused",
		DNSErr: "SERVFAIL", CORSErr: "connection refused", SecurityTxtErr: "connection refused", ProbesErr: "every probe failed: connection refused"}
	empty := ckEv(ckPage(""))
	ip := func() *Evidence {
		ev := good()
		ev.Target = Target{URL: "https://203.0.113.7/", Host: "203.0.113.7", Domain: "203.0.113.7"}
		ev.DNS, ev.DNSErr = nil, ""
		return ev
	}
	ip6 := ip()
	ip6.Target = Target{URL: "https://[2001:db8::1]/", Host: "2001:db8::1", Domain: "2001:db8::1"}

	base := map[string]func() *Evidence{
		"good": good, "hostile": hostile, "typical": typicalEvidence, "ip": ip,
		"ipv6":        func() *Evidence { return ip6 },
		"empty page":  func() *Evidence { return empty },
		"unreachable": func() *Evidence { return unreachable },
	}
	// Each evidence kind missing from the typical scan: not collected, then failed.
	drop := map[string]func(ev *Evidence, why string){
		"page":        func(ev *Evidence, why string) { ev.Page, ev.Pages, ev.PageChain, ev.PageErr = nil, nil, nil, why },
		"tls":         func(ev *Evidence, why string) { ev.TLS, ev.TLSErr = nil, why },
		"redirects":   func(ev *Evidence, why string) { ev.Redirects, ev.RedirectsErr = nil, why },
		"tlsprobe":    func(ev *Evidence, why string) { ev.TLSProbe, ev.TLSProbeErr = nil, why },
		"dns":         func(ev *Evidence, why string) { ev.DNS, ev.DNSErr = nil, why },
		"dns lookups": func(ev *Evidence, why string) { ev.DNS = &DNSFacts{Domain: "example.com"}; ev.DNSErr = why },
		"cors":        func(ev *Evidence, why string) { ev.CORS, ev.CORSErr = nil, why },
		"securitytxt": func(ev *Evidence, why string) { ev.SecurityTxt, ev.SecurityTxtErr = nil, why },
		"probes":      func(ev *Evidence, why string) { ev.Probes, ev.NotFound, ev.ProbesErr = nil, nil, why },
		"crawl":       func(ev *Evidence, why string) { ev.Pages, ev.Scripts = nil, nil },
	}
	out := map[string]*Evidence{}
	for _, d := range []Depth{Quick, Standard, Deep} {
		for name, mk := range base {
			ev := *mk()
			ev.Depth = d
			out[string(d)+"/"+name] = &ev
		}
		for kind, f := range drop {
			for _, why := range []string{"", "i/o timeout"} {
				ev := typicalEvidence()
				ev.Depth = d
				f(ev, why)
				out[string(d)+"/no "+kind+" ("+cmpOr(why, "not collected")+")"] = ev
			}
		}
	}
	return out
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// TestCheckVerdictInvariants holds every registered check, over the
// invariant corpus, to the status semantics of docs/scoring.md: a pass
// never carries a finding; skipped and error say why; only an info verdict
// is Counted; a cap says why; every finding worse than info has a fix with
// advice or a snippet, its Recommendation is that fix's text, and no
// snippet is empty or for an unknown server.
func TestCheckVerdictInvariants(t *testing.T) {
	known := map[Server]bool{ServerNginx: true, ServerApache: true, ServerCaddy: true, ServerHTML: true, ServerDNS: true, ServerShell: true, ServerConfig: true}
	corpus := invariantCorpus()
	names := slices.Sorted(maps.Keys(corpus))
	seen := map[Status]int{}
	for _, c := range AllChecks() {
		t.Run(c.ID, func(t *testing.T) {
			for _, name := range names {
				out := c.Evaluate(corpus[name])
				seen[out.Status]++
				where := name + ": " + string(out.Status) + " " + strconv.Quote(out.Value)
				if !slices.Contains(Statuses, out.Status) {
					t.Errorf("%s: unknown status", where)
				}
				if out.Description == "" {
					t.Errorf("%s: no description", where)
				}
				if out.Status == StatusPass && len(out.Findings) > 0 {
					t.Errorf("%s: a pass carries %d finding(s), first %q", where, len(out.Findings), out.Findings[0].Title)
				}
				if (out.Status == StatusSkipped || out.Status == StatusError) && out.Reason == "" {
					t.Errorf("%s: no reason", where)
				}
				if out.Counted && out.Status != StatusInfo {
					t.Errorf("%s: Counted on a %s verdict", where, out.Status)
				}
				if out.Cap != "" && out.CapReason == "" {
					t.Errorf("%s: cap %s without a reason", where, out.Cap)
				}
				if out.CapReason != "" && out.Cap == "" {
					t.Errorf("%s: a cap reason without a cap", where)
				}
				for _, f := range out.Findings {
					if f.Severity != SeverityInfo && (f.Fix == nil || (strings.TrimSpace(f.Fix.Advice) == "" && len(f.Fix.Snippets) == 0)) {
						t.Errorf("%s: %s finding %q has no fix", where, f.Severity, f.Title)
					}
					if f.Recommendation != f.Fix.Text() {
						t.Errorf("%s: finding %q: recommendation is not the fix's text", where, f.Title)
					}
					if f.Fix == nil {
						continue
					}
					for _, sn := range f.Fix.Snippets {
						if strings.TrimSpace(sn.Code) == "" || !known[sn.Server] {
							t.Errorf("%s: finding %q: snippet %+v is empty or for an unknown server", where, f.Title, sn)
						}
					}
				}
			}
		})
	}
	// The corpus must reach every verdict, or the test proves less than it says.
	for _, s := range Statuses {
		if seen[s] == 0 {
			t.Errorf("no check returned %s over the corpus", s)
		}
	}
}
