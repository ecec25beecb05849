package reporting

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/riverqueue/river"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/jobs"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/app/testdb"
	"github.com/palisade/palisade/ent"
)

// env is the report service on a fresh database with River's real
// inserter; tests call Generate themselves instead of starting workers.
type env struct {
	t   *testing.T
	svc *Service
	ent *ent.Client
	acc *ent.Account
}

func newEnv(t *testing.T) *env {
	t.Helper()
	d := testdb.Open(t)
	log := slog.New(slog.DiscardHandler)
	workers := river.NewWorkers()
	eng, err := jobs.New(context.Background(), d, workers, jobs.Options{Workers: 1, PollInterval: 50 * time.Millisecond, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	svc := NewService(d, eng.Inserter, log)
	river.AddWorker(workers, NewWorker(svc))
	acc, err := d.Ent.Account.Create().SetName("Acme").SetPlan(domain.PlanPro).Save(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, svc: svc, ent: d.Ent, acc: acc}
}

// scan stores a completed scan of res created at at.
func (e *env) scan(res *scanner.Result, at time.Time) *ent.Scan {
	e.t.Helper()
	raw, err := json.Marshal(res)
	if err != nil {
		e.t.Fatal(err)
	}
	c := e.ent.Scan.Create().SetAccountID(e.acc.ID).SetTargetURL(res.TargetURL).SetTargetDomain(res.TargetDomain).
		SetDepth(res.Depth).SetStatus(domain.StatusCompleted).SetResult(string(raw)).SetFindingsCount(len(res.Findings)).
		SetCreatedAt(at).SetUpdatedAt(at).SetStartedAt(at).SetCompletedAt(at.Add(time.Minute))
	if res.NotGraded == nil {
		c.SetGrade(res.Grade).SetOverallScore(res.OverallScore)
	}
	sc, err := c.Save(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return sc
}

// report creates and generates the scan's report and returns its text,
// whitespace removed.
func (e *env) report(sc *ent.Scan) string {
	e.t.Helper()
	ctx := context.Background()
	r, err := e.svc.Create(ctx, e.acc.ID, sc.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.svc.Generate(ctx, r.ID); err != nil {
		e.t.Fatal(err)
	}
	got, pdf, err := e.svc.PDF(ctx, e.acc.ID, r.ID)
	if err != nil {
		e.t.Fatalf("report %s (%s): %v", r.ID, got.Error, err)
	}
	path := filepath.Join(e.t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		e.t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		e.t.Fatalf("pdftotext: %v", err)
	}
	return squash(string(out))
}

func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// result is a graded scan of target: one check per id with the given
// status, and a finding for every check that does not pass.
func result(target string, depth scanner.Depth, score int, at time.Time, checks map[string]scanner.Status) *scanner.Result {
	res := &scanner.Result{TargetURL: target, TargetDomain: "shop.example", Depth: depth, OverallScore: score,
		Grade: scanner.GradeFor(score), ScannedAt: at, ScoringVersion: "2.0.0+ab12cd34"}
	cat := scanner.Category{Name: "exposure", MaxScore: 10 * len(checks)}
	for _, id := range []string{"exposure.server", "exposure.env", "headers.csp"} {
		st, ok := checks[id]
		if !ok {
			continue
		}
		c := scanner.CheckResult{ID: id, Name: titles[id], Category: "exposure", Status: st, MaxPoints: 10}
		if st == scanner.StatusPass {
			c.Points = 10
		} else {
			res.Findings = append(res.Findings, scanner.Finding{CheckID: id, Category: "exposure", Severity: scanner.SeverityHigh,
				Title: titles[id] + " problem"})
		}
		cat.Score += int(c.Points)
		cat.Checks = append(cat.Checks, c)
	}
	res.Categories = []scanner.Category{cat}
	return res
}

var titles = map[string]string{"exposure.server": "Server version", "exposure.env": "Environment file", "headers.csp": "Content Security Policy"}

// TestChangesSinceComparableScanOnly: the report's "changes since" section
// compares only with an earlier scan of the same target, port included,
// through scanner.Compare; a DEEP-only check a QUICK scan did not run is
// "not compared", never fixed.
func TestChangesSinceComparableScanOnly(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not found: install poppler-utils")
	}
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	const target = "https://shop.example:20443/"
	fail, pass := scanner.StatusFail, scanner.StatusPass
	cases := []struct {
		name        string
		earlier     *scanner.Result
		want, avoid []string
	}{
		{name: "another port of the same host",
			earlier: result("http://shop.example:20101/", scanner.Standard, 12, base, map[string]scanner.Status{"exposure.server": fail, "headers.csp": fail}),
			avoid:   []string{"Changessince", "from12to"}},
		{name: "same target",
			earlier: result(target, scanner.Standard, 40, base, map[string]scanner.Status{"exposure.server": fail, "headers.csp": fail}),
			want: []string{"Changessincethepreviousscan", "Sincethepreviousscanofthistargeton20Nov2026thescorewentfrom40to93(+53)andthegradefromFtoA+.",
				"Fixedsincethepreviousscan(1)FIXEDContentSecurityPolicyproblem", "+10pts"}},
		{name: "quick after deep",
			earlier: result(target, scanner.Deep, 40, base, map[string]scanner.Status{"exposure.server": fail, "exposure.env": fail, "headers.csp": fail}),
			want: []string{"Changessincethepreviousscan", "Fixedsincethepreviousscan(1)FIXEDContentSecurityPolicyproblem",
				"Notcompared—didnotruninbothscans(1)", "Environmentfileexposure.env·previousscan:fail0/10·thisscan:didnotrun"},
			avoid: []string{"FIXEDEnvironmentfileproblem"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.scan(c.earlier, base)
			now := base.Add(24 * time.Hour)
			depth := scanner.Standard
			if c.earlier.Depth == scanner.Deep {
				depth = scanner.Quick
			}
			cur := e.scan(result(target, depth, 93, now, map[string]scanner.Status{"exposure.server": fail, "headers.csp": pass}), now)
			text := e.report(cur)
			if !strings.Contains(text, "https://shop.example:20443/") {
				t.Error("the report does not show the target with its port")
			}
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("report lacks %q", w)
				}
			}
			for _, a := range c.avoid {
				if strings.Contains(text, a) {
					t.Errorf("report contains %q", a)
				}
			}
		})
	}
}

// TestNotGradedReport: a scan that could not reach the site gets a report
// without grade, fixes or comparison, even with a graded scan before it.
func TestNotGradedReport(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not found: install poppler-utils")
	}
	e := newEnv(t)
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	const target = "https://shop.example:20443/"
	e.scan(result(target, scanner.Standard, 40, base, map[string]scanner.Status{"headers.csp": scanner.StatusFail}), base)
	now := base.Add(time.Hour)
	cur := e.scan(&scanner.Result{TargetURL: target, TargetDomain: "shop.example", Depth: scanner.Standard, ScannedAt: now,
		NotGraded: &scanner.NotGraded{Reason: scanner.NotGradedUnreachable, Detail: "The connection was refused.", Advice: "Check the port."}}, now)
	text := e.report(cur)
	for _, w := range []string{"Notgraded", "Theconnectionwasrefused.", "Whattotry:Checktheport."} {
		if !strings.Contains(text, w) {
			t.Errorf("report lacks %q", w)
		}
	}
	for _, a := range []string{"Changessince", "OVERALLSCORE", "Howtofix"} {
		if strings.Contains(text, a) {
			t.Errorf("report contains %q", a)
		}
	}
}
