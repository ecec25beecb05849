package alerts_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade/palisade/app/alerts"
	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/config"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/app/sites"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/alert"
	"github.com/palisade/palisade/ent/delivery"
	"github.com/palisade/palisade/ent/monitor"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/usage"
)

// The modes a test site answers its main page in.
const (
	good   = "good"   // every security header: A+
	bad    = "bad"    // no CSP, X-Frame-Options, nosniff, Permissions-Policy: B
	down   = "down"   // the connection is closed without an answer: not graded
	script = "script" // good, and a script from a third-party origin
	hold   = "hold"   // bad, once the test lets the answer go (site.held, site.release)
)

// site is a loopback HTTPS site whose main page follows a plan: the n-th
// request of "/" (a QUICK scan asks for it once) answers in plan[n], the
// last mode repeating. A plan per request, not a switch the test flips,
// makes "bad once, then good" exact however fast the re-scan starts.
type site struct {
	srv  *httptest.Server
	mu   sync.Mutex
	plan []string
	n    int
	// held hears of a request in mode hold, which answers once release is closed.
	held    chan struct{}
	release chan struct{}
}

func (s *site) follow(modes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.plan, s.n = modes, 0
}

func (s *site) next() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.plan[min(s.n, len(s.plan)-1)]
	s.n++
	return m
}

func (s *site) URL() string { return s.srv.URL + "/" }

func newSite(t *testing.T, ca *apptest.CA, notAfter time.Time) *site {
	t.Helper()
	s := &site{plan: []string{good}, held: make(chan struct{}, 1), release: make(chan struct{})}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		mode := s.next()
		if mode == hold {
			s.held <- struct{}{}
			<-s.release
			mode = bad
		}
		if mode == down {
			if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
				c.Close()
			}
			return
		}
		h := w.Header()
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		h.Set("Content-Type", "text/html; charset=utf-8")
		if mode != bad {
			h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Permissions-Policy", "camera=()")
		}
		body := "hello"
		if mode == script {
			body = `<script src="https://cdn.evil.test/x.js" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC" crossorigin="anonymous"></script>`
		}
		fmt.Fprintf(w, "<!doctype html><html><head><title>t</title></head><body>%s</body></html>", body)
	}))
	s.srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, time.Now().Add(-60*24*time.Hour), notAfter, "127.0.0.1")}}
	s.srv.StartTLS()
	t.Cleanup(s.srv.Close)
	return s
}

// world is a running Palisade that trusts the test CA, with a Pro account.
type world struct {
	env *apptest.Env
	ca  *apptest.CA
	acc *ent.Account
	ev  *alerts.Evaluator
}

func newWorld(t *testing.T, opts ...apptest.Option) *world {
	t.Helper()
	ca := apptest.NewCA(t)
	_, _, caFile := ca.WritePEM(t, ca.Leaf(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), "127.0.0.1"))
	env := apptest.New(t, append([]apptest.Option{apptest.WithConfig(func(c *config.Config) { c.ScanCAFile = caFile })}, opts...)...)
	id := env.User(fmt.Sprintf("rules-%d@example.com", time.Now().UnixNano()), billing.Pro)
	acc, err := env.C.DB.Ent.Account.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return &world{env: env, ca: ca, acc: acc, ev: alerts.NewEvaluator(env.C.Alerts, env.C.Scans)}
}

// watch creates the site of s and a daily QUICK monitor of it with rules
// (as the monitors service would: the rows only).
func (w *world) watch(t *testing.T, s *site, rules domain.AlertRules) *ent.Monitor {
	t.Helper()
	return w.watchAt(t, s, rules, domain.DepthQuick)
}

func (w *world) watchAt(t *testing.T, s *site, rules domain.AlertRules, depth domain.Depth) *ent.Monitor {
	t.Helper()
	ctx := context.Background()
	tg, err := w.env.C.Scanner.Validate(ctx, s.URL())
	if err != nil {
		t.Fatal(err)
	}
	siteID, err := sites.EnsureTx(ctx, w.env.C.DB.Ent, w.acc.ID, tg.URL, tg.Domain, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	mon, err := w.env.C.DB.Ent.Monitor.Create().SetAccountID(w.acc.ID).SetSiteID(siteID).SetFrequency(domain.FrequencyDaily).
		SetDepth(depth).SetAlerts(rules).SetNextRunAt(time.Now().Add(24 * time.Hour)).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return mon
}

// start starts a monitor run of mon, as the scheduler does.
func (w *world) start(t *testing.T, mon *ent.Monitor, s *site) string {
	t.Helper()
	sc, err := w.env.C.Scans.AcceptRequest(context.Background(), scans.Request{Account: w.acc, URL: s.URL(), Depth: string(mon.Depth),
		Source: domain.TriggerMonitor, MonitorID: mon.ID})
	if err != nil {
		t.Fatal(err)
	}
	return sc.ID
}

// run starts a monitor run and waits until it, and the confirming re-scan
// it started if any, are evaluated; it returns the run's id and the re-scan's.
func (w *world) run(t *testing.T, mon *ent.Monitor, s *site) (runID, confirmID string) {
	t.Helper()
	runID = w.start(t, mon, s)
	return runID, w.settle(t, mon, runID)
}

func (w *world) settle(t *testing.T, mon *ent.Monitor, runID string) (confirmID string) {
	t.Helper()
	ctx := context.Background()
	run, err := w.env.C.DB.Ent.Scan.Get(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	// The re-scan is created in the transaction that records the run's
	// evaluation, and may be evaluated before the next poll: the run is
	// settled when the last run evaluated is it or its re-scan.
	later := func() []string {
		ids, err := w.env.C.DB.Ent.Scan.Query().Where(scan.MonitorID(mon.ID), scan.SourceEQ(domain.TriggerConfirm),
			scan.CreatedAtGT(run.CreatedAt)).IDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	apptest.WaitFor(t, 90*time.Second, "the evaluation of "+runID, func() bool {
		last := w.state(t, mon).LastEvaluatedScanID
		return last == runID || slices.Contains(later(), last)
	})
	if ids := later(); len(ids) > 0 {
		confirmID = ids[0]
		apptest.WaitFor(t, 90*time.Second, "the evaluation of "+confirmID, func() bool {
			return w.state(t, mon).LastEvaluatedScanID == confirmID
		})
	}
	return confirmID
}

func (w *world) state(t *testing.T, mon *ent.Monitor) domain.MonitorState {
	t.Helper()
	m, err := w.env.C.DB.Ent.Monitor.Get(context.Background(), mon.ID)
	if err != nil {
		t.Fatal(err)
	}
	return m.State
}

func (w *world) alerts(t *testing.T, mon *ent.Monitor) []*ent.Alert {
	t.Helper()
	as, err := w.env.C.DB.Ent.Alert.Query().Where(alert.MonitorID(mon.ID), alert.AccountID(w.acc.ID)).
		Order(ent.Asc(alert.FieldCreatedAt), ent.Asc(alert.FieldID)).All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func (w *world) confirmScans(t *testing.T, mon *ent.Monitor) []*ent.Scan {
	t.Helper()
	rows, err := w.env.C.DB.Ent.Scan.Query().Where(scan.MonitorID(mon.ID), scan.SourceEQ(domain.TriggerConfirm)).All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func contentOf(t *testing.T, a *ent.Alert) alerts.Content {
	t.Helper()
	var c alerts.Content
	if err := json.Unmarshal([]byte(a.Payload), &c); err != nil {
		t.Fatalf("payload of %s: %v", a.ID, err)
	}
	return c
}

func kinds(as []*ent.Alert) []domain.AlertKind {
	var out []domain.AlertKind
	for _, a := range as {
		out = append(out, a.Kind)
	}
	return out
}

// quiet are rules without channels: deliveries are the channel tests'.
func quiet(r domain.AlertRules) domain.AlertRules { r.Email, r.Webhooks = nil, false; return r }

// TestEvaluateGradeDrop: a site that drops its headers is re-scanned
// before anyone is alerted; the regression persists, so one alert says
// what got worse (the checks, the new findings, the links), queued to the
// monitor's e-mail; evaluating again changes nothing; the recovery sends
// one resolved message.
func TestEvaluateGradeDrop(t *testing.T) {
	w := newWorld(t)
	s := newSite(t, w.ca, time.Now().Add(90*24*time.Hour))
	rules := domain.DefaultAlertRules("ops@example.com")
	rules.Webhooks = false
	mon := w.watch(t, s, rules)
	ctx := context.Background()

	first, _ := w.run(t, mon, s)
	if as := w.alerts(t, mon); len(as) != 0 {
		t.Fatalf("the first run alerted: %v", kinds(as))
	}
	s.follow(bad)
	drop, confirm := w.run(t, mon, s)
	if confirm == "" {
		t.Fatal("the drop started no confirming re-scan")
	}
	as := w.alerts(t, mon)
	if !slices.Equal(kinds(as), []domain.AlertKind{domain.AlertGradeDrop}) {
		t.Fatalf("alerts %v, want one grade drop", kinds(as))
	}
	a := as[0]
	c := contentOf(t, a)
	name := strings.TrimPrefix(s.srv.URL, "https://")
	k, err := w.env.C.DB.Ent.Scan.Get(ctx, confirm)
	if err != nil || k.Source != domain.TriggerConfirm || k.Depth != domain.DepthQuick || k.MonitorID == nil || *k.MonitorID != mon.ID {
		t.Fatalf("confirming re-scan %+v %v", k, err)
	}
	if k.Grade == "A+" || k.Grade == "" {
		t.Fatalf("the site without its headers graded %q", k.Grade)
	}
	if want := name + " dropped from A+ to " + k.Grade; c.Summary != want || a.Subject != want {
		t.Errorf("summary %q subject %q, want %q", c.Summary, a.Subject, want)
	}
	if a.ScanID != confirm || c.ScanID != confirm || c.PreviousScanID != first || a.PreviousScanID != first || c.Grade != k.Grade || c.PreviousGrade != "A+" {
		t.Errorf("alert compares %s → %s (row %s → %s), grades %s → %s; want %s → %s", c.PreviousScanID, c.ScanID, a.PreviousScanID, a.ScanID, c.PreviousGrade, c.Grade, first, confirm)
	}
	var changed []string
	for _, ch := range c.Changes {
		changed = append(changed, ch.CheckID)
		if ch.PointsDelta >= 0 || ch.Before == ch.After {
			t.Errorf("change %+v is not a regression", ch)
		}
	}
	for _, id := range []string{"headers.csp", "headers.x-frame-options", "headers.x-content-type-options"} {
		if !slices.Contains(changed, id) {
			t.Errorf("changes %v lack %s", changed, id)
		}
	}
	var titles []string
	for _, f := range c.NewFindings {
		titles = append(titles, f.Severity+" "+f.Title)
	}
	if !slices.Contains(titles, "medium Content-Security-Policy missing") {
		t.Errorf("new findings %v lack the missing CSP", titles)
	}
	base := w.env.URL
	if c.URL != base+"/scans/"+confirm || c.CompareURL != base+"/scans/"+confirm+"/compare?against="+first || c.SiteURL != base+"/sites/"+mon.SiteID {
		t.Errorf("links %q %q %q", c.URL, c.CompareURL, c.SiteURL)
	}
	if c.MonitorID != mon.ID || c.Site.ID != mon.SiteID || c.Site.Name != name || c.Type != domain.AlertGradeDrop {
		t.Errorf("content %+v", c)
	}
	dl, err := w.env.C.DB.Ent.Delivery.Query().Where(delivery.AlertID(a.ID)).All(ctx)
	if err != nil || len(dl) != 1 || dl[0].Channel != domain.ChannelEmail || dl[0].Target != "ops@example.com" {
		t.Errorf("deliveries %v %v, want one e-mail", dl, err)
	}
	u, err := w.env.C.DB.Ent.Usage.Query().Where(usage.AccountID(w.acc.ID)).All(ctx)
	if err != nil || len(u) != 1 || u[0].MonitorRuns != 2 || u[0].Scans != 0 {
		t.Errorf("usage %+v %v: two monitor runs, the re-scan free", u, err)
	}

	// Evaluating again, of the run or its confirmation, changes nothing.
	for _, id := range []string{drop, confirm, drop} {
		out, err := w.ev.Evaluate(ctx, id)
		if err != nil || out.Skipped == "" || len(out.Alerts) != 0 || out.ConfirmScanID != "" {
			t.Errorf("Evaluate(%s) again = %+v, %v", id, out, err)
		}
	}
	if n := len(w.alerts(t, mon)); n != 1 {
		t.Errorf("%d alerts after evaluating again", n)
	}
	if n := len(w.confirmScans(t, mon)); n != 1 {
		t.Errorf("%d confirming re-scans after evaluating again", n)
	}

	s.follow(good)
	w.run(t, mon, s)
	w.run(t, mon, s)
	as = w.alerts(t, mon)
	if !slices.Equal(kinds(as), []domain.AlertKind{domain.AlertGradeDrop, domain.AlertResolved}) {
		t.Fatalf("alerts %v, want the drop and one resolved", kinds(as))
	}
	r := contentOf(t, as[1])
	if r.Summary != name+" recovered: back to A+" || r.Resolves != domain.AlertGradeDrop || r.ResolvesAlertID != a.ID {
		t.Errorf("resolved %+v", r)
	}
	if n := len(w.confirmScans(t, mon)); n != 1 {
		t.Errorf("a recovery was confirmed: %d re-scans", n)
	}
}

// TestEvaluateConcurrently: evaluations of one run racing each other (and
// the worker) start one re-scan and raise one alert.
func TestEvaluateConcurrently(t *testing.T) {
	w := newWorld(t)
	s := newSite(t, w.ca, time.Now().Add(90*24*time.Hour))
	mon := w.watch(t, s, quiet(domain.DefaultAlertRules()))
	ctx := context.Background()
	w.run(t, mon, s)
	s.follow(bad)
	id := w.start(t, mon, s)
	apptest.WaitFor(t, 60*time.Second, "the run finishing", func() bool {
		sc, err := w.env.C.DB.Ent.Scan.Get(ctx, id)
		return err == nil && sc.Status.Terminal()
	})
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := w.ev.Evaluate(ctx, id); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Evaluate: %v", err)
	}
	w.settle(t, mon, id)
	if n := len(w.confirmScans(t, mon)); n != 1 {
		t.Errorf("%d confirming re-scans, want 1", n)
	}
	if as := w.alerts(t, mon); !slices.Equal(kinds(as), []domain.AlertKind{domain.AlertGradeDrop}) {
		t.Errorf("alerts %v, want one grade drop", kinds(as))
	}
	m, err := w.env.C.DB.Ent.Monitor.Query().Where(monitor.ID(mon.ID)).Only(ctx)
	if err != nil || m.StateVersion != 3 {
		t.Errorf("state version %d (%v), want 3: one write per run evaluated", m.StateVersion, err)
	}
}

// TestEvaluateFlap: one bad answer, then good: the re-scan happened and
// nobody is alerted.
func TestEvaluateFlap(t *testing.T) {
	w := newWorld(t)
	s := newSite(t, w.ca, time.Now().Add(90*24*time.Hour))
	mon := w.watch(t, s, quiet(domain.DefaultAlertRules()))
	w.run(t, mon, s)
	s.follow(bad, good)
	_, confirm := w.run(t, mon, s)
	if confirm == "" {
		t.Fatal("the bad answer started no confirming re-scan")
	}
	if as := w.alerts(t, mon); len(as) != 0 {
		t.Errorf("a flap alerted: %v", kinds(as))
	}
	k, err := w.env.C.DB.Ent.Scan.Get(context.Background(), confirm)
	if err != nil || k.Grade != "A+" {
		t.Errorf("the re-scan graded %q (%v), want A+", k.Grade, err)
	}
	m, err := w.env.C.DB.Ent.Monitor.Get(context.Background(), mon.ID)
	if err != nil || m.State.Confirming != nil || len(m.State.Open) != 0 {
		t.Errorf("state %+v (%v): nothing waits, nothing open", m.State, err)
	}
}

// TestEvaluateUnreachable: a site that cannot be scanned twice in a row
// (the run and its re-scan) alerts once with the reason; a third failure
// sends nothing; graded again, one resolved message.
func TestEvaluateUnreachable(t *testing.T) {
	w := newWorld(t)
	s := newSite(t, w.ca, time.Now().Add(90*24*time.Hour))
	mon := w.watch(t, s, quiet(domain.DefaultAlertRules()))
	w.run(t, mon, s)
	s.follow(down)
	_, confirm := w.run(t, mon, s)
	if confirm == "" {
		t.Fatal("the first failure started no confirming re-scan")
	}
	as := w.alerts(t, mon)
	if !slices.Equal(kinds(as), []domain.AlertKind{domain.AlertUnreachable}) {
		t.Fatalf("alerts %v, want one unreachable", kinds(as))
	}
	c := contentOf(t, as[0])
	name := strings.TrimPrefix(s.srv.URL, "https://")
	if !strings.HasPrefix(c.Summary, name+" could not be scanned twice in a row: The site did not answer") || !strings.Contains(c.Reason, "closed the connection") {
		t.Errorf("summary %q reason %q", c.Summary, c.Reason)
	}
	w.run(t, mon, s)
	if n := len(w.alerts(t, mon)); n != 1 {
		t.Errorf("a third failure alerted again: %d alerts", n)
	}
	s.follow(good)
	w.run(t, mon, s)
	as = w.alerts(t, mon)
	if !slices.Equal(kinds(as), []domain.AlertKind{domain.AlertUnreachable, domain.AlertResolved}) {
		t.Fatalf("alerts %v, want unreachable then resolved", kinds(as))
	}
	if r := contentOf(t, as[1]); r.Resolves != domain.AlertUnreachable || r.Summary != name+" recovered: it can be scanned again (grade A+)" {
		t.Errorf("resolved %+v", r)
	}
	if n := len(w.confirmScans(t, mon)); n != 1 {
		t.Errorf("%d confirming re-scans, want 1 (a confirmation never asks for another)", n)
	}
}

// TestEvaluateScriptOrigin: a script from a new third-party origin alerts
// at once; the first run only recorded the origins there were.
func TestEvaluateScriptOrigin(t *testing.T) {
	w := newWorld(t)
	s := newSite(t, w.ca, time.Now().Add(90*24*time.Hour))
	mon := w.watch(t, s, domain.AlertRules{NewScriptOrigin: true})
	w.run(t, mon, s)
	s.follow(script)
	_, confirm := w.run(t, mon, s)
	as := w.alerts(t, mon)
	if confirm != "" || !slices.Equal(kinds(as), []domain.AlertKind{domain.AlertScriptOrigin}) {
		t.Fatalf("alerts %v (re-scan %q), want one new origin at once", kinds(as), confirm)
	}
	c := contentOf(t, as[0])
	if name := strings.TrimPrefix(s.srv.URL, "https://"); c.Summary != name+" loads script from a new origin: cdn.evil.test" || !slices.Equal(c.ScriptOrigins, []string{"https://cdn.evil.test"}) {
		t.Errorf("summary %q origins %q", c.Summary, c.ScriptOrigins)
	}
	w.run(t, mon, s)
	if n := len(w.alerts(t, mon)); n != 1 {
		t.Errorf("a known origin alerted again: %d alerts", n)
	}
}

// TestEvaluateCertificate: a certificate with 20 days left and thresholds
// 30, 14, 7 alerts once (30); the next run nothing; ten days later, once (14).
func TestEvaluateCertificate(t *testing.T) {
	clock := &apptest.Clock{}
	w := newWorld(t, apptest.WithClock(clock))
	notAfter := time.Now().Add(20*24*time.Hour + 12*time.Hour)
	s := newSite(t, w.ca, notAfter)
	mon := w.watch(t, s, domain.AlertRules{CertExpiryDays: domain.DefaultCertExpiryDays()})
	name := strings.TrimPrefix(s.srv.URL, "https://")
	want := func(n int, threshold, days int) {
		t.Helper()
		as := w.alerts(t, mon)
		if len(as) != n {
			t.Fatalf("%d alerts %v, want %d", len(as), kinds(as), n)
		}
		c := contentOf(t, as[n-1])
		summary := fmt.Sprintf("The certificate of %s expires in %d days (%s)", name, days, notAfter.UTC().Format("2 January 2006"))
		if c.Type != domain.AlertCertExpiry || c.Certificate == nil || c.Certificate.Threshold != threshold || c.Certificate.DaysLeft != days || c.Summary != summary {
			t.Errorf("alert %d: %+v %+v, want threshold %d, %q", n, c, c.Certificate, threshold, summary)
		}
	}
	w.run(t, mon, s)
	want(1, 30, 20)
	w.run(t, mon, s)
	want(1, 30, 20)
	clock.Advance(10 * 24 * time.Hour)
	w.run(t, mon, s)
	want(2, 14, 10)
	w.run(t, mon, s)
	want(2, 14, 10)
}

// TestEvaluateConfirmationRefused: when the re-scan cannot start (the plan
// lost the run's depth while it ran), the run is decided on its own: the
// drop is alerted without a re-scan.
func TestEvaluateConfirmationRefused(t *testing.T) {
	w := newWorld(t)
	s := newSite(t, w.ca, time.Now().Add(90*24*time.Hour))
	mon := w.watchAt(t, s, quiet(domain.DefaultAlertRules()), domain.DepthDeep)
	ctx := context.Background()
	w.run(t, mon, s)
	s.follow(hold)
	id := w.start(t, mon, s)
	select {
	case <-s.held:
	case <-time.After(60 * time.Second):
		t.Fatal("the run did not reach the site")
	}
	if err := w.env.C.DB.Ent.Account.UpdateOneID(w.acc.ID).SetPlan(billing.Free).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	close(s.release)
	if confirm := w.settle(t, mon, id); confirm != "" {
		t.Errorf("a DEEP re-scan started on the free plan: %s", confirm)
	}
	as := w.alerts(t, mon)
	if !slices.Equal(kinds(as), []domain.AlertKind{domain.AlertGradeDrop}) || as[0].ScanID != id {
		t.Fatalf("alerts %v, want the drop of %s alerted on its own", kinds(as), id)
	}
}

// TestEvaluatePausedOrGone: a paused monitor's run, or a gone monitor's,
// changes nothing.
func TestEvaluatePausedOrGone(t *testing.T) {
	w := newWorld(t)
	s := newSite(t, w.ca, time.Now().Add(90*24*time.Hour))
	mon := w.watch(t, s, quiet(domain.DefaultAlertRules()))
	ctx := context.Background()
	w.run(t, mon, s)
	before := w.state(t, mon)
	if err := w.env.C.DB.Ent.Monitor.UpdateOneID(mon.ID).SetActive(false).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	s.follow(bad)
	id := w.start(t, mon, s)
	apptest.WaitFor(t, 60*time.Second, "the run finishing", func() bool {
		sc, err := w.env.C.DB.Ent.Scan.Get(ctx, id)
		return err == nil && sc.Status.Terminal()
	})
	out, err := w.ev.Evaluate(ctx, id)
	if err != nil || out.Skipped != "the monitor is paused" {
		t.Errorf("Evaluate = %+v, %v; want skipped as paused", out, err)
	}
	if st := w.state(t, mon); st.LastEvaluatedScanID != before.LastEvaluatedScanID || st.Confirming != nil {
		t.Errorf("a paused monitor's state changed: %+v", st)
	}
	if err := w.env.C.DB.Ent.Monitor.DeleteOneID(mon.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if out, err := w.ev.Evaluate(ctx, id); err != nil || out.Skipped != "the monitor is gone" {
		t.Errorf("Evaluate = %+v, %v; want skipped as gone", out, err)
	}
	if n := len(w.confirmScans(t, mon)); n != 0 {
		t.Errorf("%d re-scans", n)
	}
}

// TestEvaluateCancelledRun: a run someone cancelled says nothing about the
// site: it is not a failure and starts no re-scan.
func TestEvaluateCancelledRun(t *testing.T) {
	w := newWorld(t)
	s := newSite(t, w.ca, time.Now().Add(90*24*time.Hour))
	mon := w.watch(t, s, quiet(domain.DefaultAlertRules()))
	ctx := context.Background()
	first, _ := w.run(t, mon, s)
	row, err := w.env.C.DB.Ent.Scan.Get(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := w.env.C.DB.Ent.Scan.Create().SetAccountID(w.acc.ID).SetTargetURL(row.TargetURL).SetTargetDomain(row.TargetDomain).
		SetDepth(domain.DepthQuick).SetStatus(domain.StatusCancelled).SetSource(domain.TriggerMonitor).SetSiteID(mon.SiteID).
		SetMonitorID(mon.ID).SetError("cancelled by the user").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, err := w.ev.Evaluate(ctx, sc.ID)
	if err != nil || out.Skipped != "the run was cancelled" {
		t.Errorf("Evaluate = %+v, %v; want skipped as cancelled", out, err)
	}
	if st := w.state(t, mon); st.FailStreak != 0 || st.LastEvaluatedScanID != first || st.Confirming != nil {
		t.Errorf("state %+v after a cancelled run", st)
	}
}
