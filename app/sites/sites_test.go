package sites_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/app/sites"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/monitor"
	"github.com/palisade/palisade/ent/scan"
)

// target is a loopback site to scan.
func target(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><html><head><title>t</title></head><body>hello</body></html>")
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestCreateValidatesAndConflicts(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	acc := env.User("sites-create@example.com", billing.Pro)
	other := env.User("sites-other@example.com", billing.Pro)
	base := target(t)
	first, err := env.C.Sites.Create(ctx, acc, base+"/shop?utm=1", "  Shop  ")
	if err != nil {
		t.Fatal(err)
	}
	if first.Label != "Shop" || !strings.HasSuffix(first.TargetURL, "/shop?utm=1") && !strings.HasSuffix(first.TargetKey, "/shop") {
		t.Errorf("site = %+v, want the label trimmed and the key without the query", first)
	}
	for _, tc := range []struct {
		name, url, label string
		want             func(error) bool
		siteID           string
	}{
		{name: "same target", url: base + "/shop", want: isKind[*errs.Conflict], siteID: first.ID},
		{name: "same target, other query", url: base + "/shop?x=2", want: isKind[*errs.Conflict], siteID: first.ID},
		{name: "private address", url: "http://10.1.2.3/", want: isKind[*errs.TargetRefused]},
		{name: "not http", url: "ftp://example.com/", want: isKind[*errs.TargetRefused]},
		{name: "no url", url: " ", want: isKind[*errs.Validation]},
		{name: "label too long", url: base + "/a", label: strings.Repeat("x", 101), want: isKind[*errs.Validation]},
		{name: "label of 51 two-byte letters", url: base + "/d", label: strings.Repeat("é", 51), want: isKind[*errs.Validation]},
		{name: "label with a line break", url: base + "/b", label: "a\nb", want: isKind[*errs.Validation]},
		{name: "label with an escape", url: base + "/c", label: "a\x1b[31m", want: isKind[*errs.Validation]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := env.C.Sites.Create(ctx, acc, tc.url, tc.label)
			if !tc.want(err) {
				t.Fatalf("err = %T %v", err, err)
			}
			if tc.siteID != "" {
				var cf *errs.Conflict
				errors.As(err, &cf)
				if cf.Details["siteId"] != tc.siteID {
					t.Errorf("conflict details %v, want siteId %s", cf.Details, tc.siteID)
				}
			}
		})
	}
	// 100 characters is allowed; another path is another site; another account has its own.
	if _, err := env.C.Sites.Create(ctx, acc, base+"/other", strings.Repeat("x", 100)); err != nil {
		t.Errorf("a 100-character label: %v", err)
	}
	if _, err := env.C.Sites.Create(ctx, other, base+"/shop", ""); err != nil {
		t.Errorf("another account's site of the same target: %v", err)
	}
}

func isKind[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// TestScanCreatesSiteAndDeleteKeepsScans: the first scan of a target makes
// its site; deleting the site removes its monitor and keeps its scans.
func TestScanCreatesSiteAndDeleteKeepsScans(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	accID := env.User("sites-implicit@example.com", billing.Pro)
	acc, err := env.C.DB.Ent.Account.Get(ctx, accID)
	if err != nil {
		t.Fatal(err)
	}
	url := target(t)
	sc, err := env.C.Scans.AcceptRequest(ctx, scans.Request{Account: acc, URL: url, Depth: "QUICK"})
	if err != nil {
		t.Fatal(err)
	}
	list, pg, err := env.C.Sites.List(ctx, accID, sites.ListParams{})
	if err != nil || len(list) != 1 || pg.Total != 1 {
		t.Fatalf("list after the first scan: %v %+v %v", list, pg, err)
	}
	s := list[0]
	if sc.SiteID == nil || *sc.SiteID != s.ID || s.LatestScanID == nil || *s.LatestScanID != sc.ID || s.Grade != nil {
		t.Fatalf("site %+v, scan's site %v", s, sc.SiteID)
	}
	apptest.WaitFor(t, 60*time.Second, "the scan completing", func() bool {
		d, err := env.C.Sites.Get(ctx, accID, s.ID)
		return err == nil && d.Grade != nil
	})
	d, err := env.C.Sites.Get(ctx, accID, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Scans) != 1 || d.Scans[0].ID != sc.ID || d.Score == nil || d.ScannedAt == nil || *d.GradedScanID != sc.ID {
		t.Fatalf("detail %+v", d)
	}
	if _, err := env.C.Sites.Create(ctx, accID, url, ""); !isKind[*errs.Conflict](err) {
		t.Errorf("creating the implicit site again: %v, want a conflict", err)
	}
	// A second scan of the same target joins the site.
	sc2, err := env.C.Scans.AcceptRequest(ctx, scans.Request{Account: acc, URL: url + "/", Depth: "QUICK"})
	if err != nil || *sc2.SiteID != s.ID {
		t.Fatalf("second scan: %v %v", sc2, err)
	}
	mon := env.C.DB.Ent.Monitor.Create().SetAccountID(accID).SetSiteID(s.ID).SetFrequency(domain.FrequencyWeekly).
		SetAlerts(domain.DefaultAlertRules()).SetNextRunAt(time.Now().Add(time.Hour)).SetCreatedAt(time.Now()).SetUpdatedAt(time.Now()).SaveX(ctx)
	list, _, _ = env.C.Sites.List(ctx, accID, sites.ListParams{})
	if list[0].Monitor == nil || list[0].Monitor.ID != mon.ID || list[0].Monitor.NextRunAt == nil {
		t.Errorf("monitor summary %+v", list[0].Monitor)
	}

	// Another account sees none of it.
	otherID := env.User("sites-implicit-b@example.com", billing.Pro)
	if _, err := env.C.Sites.Get(ctx, otherID, s.ID); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("another account's Get = %v", err)
	}
	if err := env.C.Sites.Delete(ctx, otherID, s.ID); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("another account's Delete = %v", err)
	}
	if _, err := env.C.Sites.Trend(ctx, otherID, s.ID); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("another account's Trend = %v", err)
	}

	if err := env.C.Sites.Delete(ctx, accID, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.C.Sites.Get(ctx, accID, s.ID); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("Get after Delete = %v", err)
	}
	for _, id := range []string{sc.ID, sc2.ID} {
		row, err := env.C.DB.Ent.Scan.Get(ctx, id)
		if err != nil {
			t.Fatalf("scan %s after the site's deletion: %v", id, err)
		}
		if row.SiteID != nil {
			t.Errorf("scan %s still names the deleted site %s", id, *row.SiteID)
		}
	}
	if n := env.C.DB.Ent.Monitor.Query().Where(monitor.ID(mon.ID)).CountX(ctx); n != 0 {
		t.Errorf("the site's monitor survived its deletion")
	}
	if err := env.C.Sites.Delete(ctx, accID, s.ID); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("deleting twice = %v", err)
	}
}

// addScan stores a finished scan of site directly (the history logic does
// not care how it ran).
func addScan(t *testing.T, env *apptest.Env, accID, siteID, url string, depth domain.Depth, at time.Time, grade string, score int) *ent.Scan {
	t.Helper()
	c := env.C.DB.Ent.Scan.Create().SetAccountID(accID).SetSiteID(siteID).SetTargetURL(url).SetTargetDomain("127.0.0.1").
		SetDepth(depth).SetCreatedAt(at).SetUpdatedAt(at).SetCompletedAt(at.Add(time.Minute))
	if grade == "" {
		c = c.SetStatus(domain.StatusFailed)
	} else {
		c = c.SetStatus(domain.StatusCompleted).SetGrade(grade).SetOverallScore(score)
	}
	return c.SaveX(context.Background())
}

func TestHistoryGradeChangesPerDepth(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	accID := env.User("sites-history@example.com", billing.Pro)
	url := target(t)
	st, err := env.C.Sites.Create(ctx, accID, url, "")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 6, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return t0.AddDate(0, 0, n) }
	q := domain.DepthQuick
	sd := domain.DepthStandard
	// Oldest first: QUICK A, STANDARD C, QUICK failed, QUICK B (down from A), STANDARD B (up from C), QUICK B (same).
	s1 := addScan(t, env, accID, st.ID, url, q, day(0), "A", 85)
	s2 := addScan(t, env, accID, st.ID, url, sd, day(1), "C", 65)
	s3 := addScan(t, env, accID, st.ID, url, q, day(2), "", 0)
	s4 := addScan(t, env, accID, st.ID, url, q, day(3), "B", 75)
	s5 := addScan(t, env, accID, st.ID, url, sd, day(4), "B", 71)
	s6 := addScan(t, env, accID, st.ID, url, q, day(5), "B", 78)
	d, err := env.C.Sites.Get(ctx, accID, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id, prev, change string
	}{{s6.ID, s4.ID, "same"}, {s5.ID, s2.ID, "up"}, {s4.ID, s1.ID, "down"}, {s3.ID, "", ""}, {s2.ID, "", ""}, {s1.ID, "", ""}}
	if len(d.Scans) != len(want) {
		t.Fatalf("%d scans, want %d", len(d.Scans), len(want))
	}
	for i, w := range want {
		e := d.Scans[i]
		prev, change := "", ""
		if e.PreviousScanID != nil {
			prev = *e.PreviousScanID
		}
		if e.GradeChange != nil {
			change = *e.GradeChange
		}
		if e.ID != w.id || prev != w.prev || change != w.change {
			t.Errorf("row %d = %s prev %q change %q, want %s prev %q change %q", i, e.ID, prev, change, w.id, w.prev, w.change)
		}
	}
	if *d.GradedScanID != s6.ID || *d.LatestScanID != s6.ID || *d.Score != 78 {
		t.Errorf("summary %+v", d.Summary)
	}

	// A failed newest scan: latest is it, the grade stays the last graded one's.
	s7 := addScan(t, env, accID, st.ID, url, q, day(6), "", 0)
	d, _ = env.C.Sites.Get(ctx, accID, st.ID)
	if *d.LatestScanID != s7.ID || *d.LatestStatus != domain.StatusFailed || *d.GradedScanID != s6.ID {
		t.Errorf("after a failed scan: latest %v (%v), graded %v", *d.LatestScanID, *d.LatestStatus, *d.GradedScanID)
	}

	pts, err := env.C.Sites.Trend(ctx, accID, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 5 || pts[0].ScanID != s1.ID || pts[4].ScanID != s6.ID || pts[1].Depth != sd {
		t.Errorf("trend %+v", pts)
	}

	// The window's oldest graded scan still compares with the one before the window.
	for i := 0; i < sites.HistoryLimit; i++ {
		addScan(t, env, accID, st.ID, url, sd, day(10+i), "", 0)
	}
	d, _ = env.C.Sites.Get(ctx, accID, st.ID)
	if len(d.Scans) != sites.HistoryLimit {
		t.Fatalf("%d scans, want the newest %d", len(d.Scans), sites.HistoryLimit)
	}
	n := env.C.DB.Ent.Scan.Query().Where(scan.SiteID(st.ID)).CountX(ctx)
	if n != sites.HistoryLimit+7 {
		t.Fatalf("%d scans stored", n)
	}
}

func TestGradeChange(t *testing.T) {
	for _, tc := range []struct{ before, after, want string }{
		{"A", "A+", sites.ChangeUp}, {"A+", "F", sites.ChangeDown}, {"C", "C", sites.ChangeSame}, {"B", "A", sites.ChangeUp}, {"D", "F", sites.ChangeDown},
	} {
		if got := sites.GradeChange(tc.before, tc.after); got != tc.want {
			t.Errorf("GradeChange(%s, %s) = %s, want %s", tc.before, tc.after, got, tc.want)
		}
	}
}

func TestListPages(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	accID := env.User("sites-pages@example.com", billing.Pro)
	url := target(t)
	var made []string
	for i := range 5 {
		s, err := env.C.Sites.Create(ctx, accID, fmt.Sprintf("%s/p%d", url, i), "")
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, s.ID)
	}
	page1, pg, err := env.C.Sites.List(ctx, accID, sites.ListParams{Limit: 2})
	if err != nil || len(page1) != 2 || pg.Total != 5 || pg.Pages != 3 || pg.NextCursor == "" {
		t.Fatalf("page 1: %d items %+v %v", len(page1), pg, err)
	}
	seen := map[string]bool{}
	cursor := pg.NextCursor
	for _, s := range page1 {
		seen[s.ID] = true
	}
	for cursor != "" {
		items, p, err := env.C.Sites.List(ctx, accID, sites.ListParams{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range items {
			if seen[s.ID] {
				t.Errorf("site %s on two pages", s.ID)
			}
			seen[s.ID] = true
		}
		cursor = p.NextCursor
	}
	if len(seen) != len(made) {
		t.Errorf("the cursor walk saw %d sites, want %d", len(seen), len(made))
	}
	page3, _, err := env.C.Sites.List(ctx, accID, sites.ListParams{Limit: 2, Page: 3})
	if err != nil || len(page3) != 1 || page3[0].ID != made[0] {
		t.Errorf("page 3 = %v %v, want the oldest site", page3, err)
	}
	for _, p := range []sites.ListParams{{Page: -1}, {Limit: -2}, {Cursor: "nonsense"}} {
		if _, _, err := env.C.Sites.List(ctx, accID, p); !isKind[*errs.Validation](err) {
			t.Errorf("List(%+v) = %v, want a validation error", p, err)
		}
	}
}
