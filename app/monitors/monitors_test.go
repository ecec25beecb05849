package monitors_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/monitors"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent/monitor"
	"github.com/palisade/palisade/ent/site"
)

const jsonCT = "application/json"

type monitorJSON struct {
	ID            string            `json:"id"`
	SiteID        string            `json:"siteId"`
	URL           string            `json:"url"`
	Frequency     string            `json:"frequency"`
	Hour          int               `json:"hour"`
	JitterSeconds int               `json:"jitterSeconds"`
	Depth         string            `json:"depth"`
	Active        bool              `json:"active"`
	Alerts        domain.AlertRules `json:"alerts"`
	NextRunAt     *time.Time        `json:"nextRunAt"`
	LastRunAt     *time.Time        `json:"lastRunAt"`
	LastScanID    string            `json:"lastScanId"`
}

type scanJSON struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	StatusURL string `json:"statusUrl"`
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return v
}

// TestCreateMonitorAPI: POST /monitors answers 201 with the monitor and its
// initial scan, which spends a monitor run and not the scan quota; GET
// lists and reads it.
func TestCreateMonitorAPI(t *testing.T) {
	f := setup(t)
	acc, _ := f.account("owner@pro.example", billing.Pro)
	key := f.e.Key(acc.ID)
	code, hdr, body := f.e.Do("POST", "/api/v1/monitors", key, jsonCT,
		fmt.Sprintf(`{"url":%q,"frequency":"DAILY","hour":3,"depth":"standard"}`, f.target+"/"))
	if code != http.StatusCreated {
		t.Fatalf("POST /monitors = %d %s", code, body)
	}
	got := decode[struct {
		Monitor monitorJSON `json:"monitor"`
		Scan    scanJSON    `json:"scan"`
	}](t, body)
	m := got.Monitor
	if hdr.Get("Location") != "/api/v1/monitors/"+m.ID {
		t.Errorf("Location = %q", hdr.Get("Location"))
	}
	if m.Frequency != "daily" || m.Hour != 3 || m.Depth != "STANDARD" || !m.Active || m.URL != f.target+"/" || m.SiteID == "" {
		t.Errorf("monitor = %+v", m)
	}
	if m.JitterSeconds != monitors.Jitter(m.ID) {
		t.Errorf("jitter = %d, want %d", m.JitterSeconds, monitors.Jitter(m.ID))
	}
	now := f.clock.Now()
	if m.NextRunAt == nil || !m.NextRunAt.After(now) || m.NextRunAt.Sub(now) > 24*time.Hour || m.NextRunAt.Hour() != 3 {
		t.Errorf("nextRunAt = %v (now %v)", m.NextRunAt, now)
	}
	if got.Scan.ID == "" || got.Scan.Status != "PENDING" || got.Scan.StatusURL != "/api/v1/scan/"+got.Scan.ID || m.LastScanID != got.Scan.ID {
		t.Errorf("scan = %+v, lastScanId %q", got.Scan, m.LastScanID)
	}
	if f.scansOf(m.ID) != 1 || f.monitorRuns(acc.ID) != 1 {
		t.Errorf("scans of the monitor = %d, monitor runs = %d; want 1 and 1", f.scansOf(m.ID), f.monitorRuns(acc.ID))
	}
	if used, _ := f.e.C.Scans.Used(context.Background(), acc.ID); used != 0 {
		t.Errorf("the initial scan spent %d of the scan quota", used)
	}
	// The API key has no creator here, so no address is known: alerts default without e-mail.
	if !m.Alerts.GradeDrop || !m.Alerts.Webhooks || len(m.Alerts.CertExpiryDays) != 3 || len(m.Alerts.Email) != 0 {
		t.Errorf("alerts = %+v", m.Alerts)
	}

	code, _, body = f.e.Do("GET", "/api/v1/monitors", key, "", "")
	list := decode[struct{ Data []monitorJSON }](t, body)
	if code != 200 || len(list.Data) != 1 || list.Data[0].ID != m.ID {
		t.Errorf("GET /monitors = %d %s", code, body)
	}
	code, _, body = f.e.Do("GET", "/api/v1/monitors/"+m.ID, key, "", "")
	if one := decode[monitorJSON](t, body); code != 200 || one.ID != m.ID || one.URL != m.URL {
		t.Errorf("GET /monitors/{id} = %d %s", code, body)
	}
	// ForSite finds it by its site; another site has none.
	if fm, err := f.svc.ForSite(context.Background(), acc.ID, m.SiteID); err != nil || fm == nil || fm.ID != m.ID {
		t.Errorf("ForSite = %v, %v", fm, err)
	}
	if fm, err := f.svc.ForSite(context.Background(), acc.ID, "sit_none"); err != nil || fm != nil {
		t.Errorf("ForSite(unknown) = %v, %v; want nil, nil", fm, err)
	}
}

// TestCreateMonitorDefaults: weekly on the day of creation at 06:xx,
// QUICK, and every alert on, mailed to the creator.
func TestCreateMonitorDefaults(t *testing.T) {
	f := setup(t)
	acc, uid := f.account("Owner@Free.example", billing.Free)
	m, sc := f.create(acc, uid, monitors.Input{URL: f.target + "/home"})
	if m.Frequency != domain.FrequencyWeekly || m.Hour != monitors.DefaultHour || m.Depth != domain.DepthQuick || !m.Active {
		t.Errorf("monitor = %s %d %s active %v", m.Frequency, m.Hour, m.Depth, m.Active)
	}
	want := domain.DefaultAlertRules("owner@free.example")
	if fmt.Sprint(m.Alerts) != fmt.Sprint(want) {
		t.Errorf("alerts = %+v, want %+v", m.Alerts, want)
	}
	now := f.clock.Now().UTC()
	if m.NextRunAt.Weekday() != m.CreatedAt.UTC().Weekday() || !m.NextRunAt.After(now) || m.NextRunAt.Sub(now) > 7*24*time.Hour ||
		m.NextRunAt.Hour() != 6 || m.NextRunAt.Minute()*60+m.NextRunAt.Second() != m.JitterSeconds {
		t.Errorf("next run %v (created %v, jitter %d)", m.NextRunAt, m.CreatedAt, m.JitterSeconds)
	}
	if sc.Source != domain.TriggerMonitor || sc.MonitorID == nil || *sc.MonitorID != m.ID || sc.SiteID == nil || *sc.SiteID != m.SiteID {
		t.Errorf("initial scan = source %s monitor %v site %v", sc.Source, sc.MonitorID, sc.SiteID)
	}
	// By site id: the same site again is 409 naming the monitor.
	acc2, uid2 := f.account("two@pro.example", billing.Pro)
	m2, _ := f.create(acc2, uid2, monitors.Input{URL: f.target + "/two"})
	if err := f.svc.Delete(context.Background(), acc2.ID, m2.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Delete(context.Background(), acc2.ID, m2.ID); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("second delete = %v, want not found", err)
	}
	m3, _ := f.create(acc2, uid2, monitors.Input{SiteID: m2.SiteID, Frequency: "monthly"})
	if m3.SiteID != m2.SiteID || m3.Frequency != domain.FrequencyMonthly {
		t.Errorf("by site id: %+v", m3)
	}
	_, _, err := f.svc.Create(context.Background(), acc2, uid2, monitors.Input{SiteID: m2.SiteID})
	var cf *errs.Conflict
	if !errors.As(err, &cf) || cf.Details["monitorId"] != m3.ID {
		t.Errorf("a second monitor of the site = %v, want 409 with monitorId %s", err, m3.ID)
	}
}

// TestMonitorBadInput: each bad request answers its status with one sentence.
func TestMonitorBadInput(t *testing.T) {
	f := setup(t)
	free, _ := f.account("free@bad.example", billing.Free)
	pro, _ := f.account("pro@bad.example", billing.Pro)
	freeKey, proKey := f.e.Key(free.ID), f.e.Key(pro.ID)
	u := f.target + "/bad"
	for _, tc := range []struct {
		name, key, body string
		code            int
		says            string
	}{
		{"no url or site", proKey, `{"frequency":"daily"}`, 400, "either url or siteId"},
		{"both url and site", proKey, fmt.Sprintf(`{"url":%q,"siteId":"sit_x"}`, u), 400, "either url or siteId"},
		{"unknown frequency", proKey, fmt.Sprintf(`{"url":%q,"frequency":"hourly"}`, u), 400, "daily, weekly or monthly"},
		{"hour 24", proKey, fmt.Sprintf(`{"url":%q,"hour":24}`, u), 400, "0 to 23"},
		{"hour -1", proKey, fmt.Sprintf(`{"url":%q,"hour":-1}`, u), 400, "0 to 23"},
		{"hour not a number", proKey, fmt.Sprintf(`{"url":%q,"hour":"six"}`, u), 400, `"hour"`},
		{"bad depth", proKey, fmt.Sprintf(`{"url":%q,"depth":"FULL"}`, u), 400, "QUICK, STANDARD or DEEP"},
		{"grade below G", proKey, fmt.Sprintf(`{"url":%q,"alerts":{"gradeBelow":"G"}}`, u), 400, "A+, A, B, C or D"},
		{"grade below E (not a grade)", proKey, fmt.Sprintf(`{"url":%q,"alerts":{"gradeBelow":"E"}}`, u), 400, "A+, A, B, C or D"},
		{"grade below F (nothing is)", proKey, fmt.Sprintf(`{"url":%q,"alerts":{"gradeBelow":"F"}}`, u), 400, "A+, A, B, C or D"},
		{"threshold 0", proKey, fmt.Sprintf(`{"url":%q,"alerts":{"certExpiryDays":[30,0]}}`, u), 400, "1 to 365"},
		{"threshold 400", proKey, fmt.Sprintf(`{"url":%q,"alerts":{"certExpiryDays":[400]}}`, u), 400, "1 to 365"},
		{"bad e-mail", proKey, fmt.Sprintf(`{"url":%q,"alerts":{"email":["not an address"]}}`, u), 400, "e-mail"},
		{"named e-mail", proKey, fmt.Sprintf(`{"url":%q,"alerts":{"email":["Ops <ops@example.com>"]}}`, u), 400, "e-mail"},
		{"private url", proKey, `{"url":"http://10.1.2.3/"}`, 422, "private"},
		{"not http", proKey, `{"url":"ftp://example.com/"}`, 422, ""},
		{"foreign or unknown site", proKey, `{"siteId":"sit_unknown"}`, 404, "no such site"},
		{"free plan daily", freeKey, fmt.Sprintf(`{"url":%q,"frequency":"daily"}`, u), 403, "Free plan's monitors run weekly"},
		{"free plan standard", freeKey, fmt.Sprintf(`{"url":%q,"depth":"STANDARD"}`, u), 403, "QUICK depth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := f.e.Do("POST", "/api/v1/monitors", tc.key, jsonCT, tc.body)
			e := decode[struct{ Error string }](t, body)
			if code != tc.code || !strings.Contains(e.Error, tc.says) || e.Error == "" || strings.Contains(e.Error, "\n") {
				t.Errorf("= %d %s, want %d saying %q", code, body, tc.code, tc.says)
			}
		})
	}
	if n := f.e.C.DB.Ent.Monitor.Query().CountX(context.Background()); n != 0 {
		t.Errorf("%d monitors were created by bad requests", n)
	}
	if f.monitorRuns(pro.ID) != 0 || f.monitorRuns(free.ID) != 0 {
		t.Error("a refused request spent a monitor run")
	}

	// PATCH refuses the same values.
	code, _, body := f.e.Do("POST", "/api/v1/monitors", freeKey, jsonCT, fmt.Sprintf(`{"url":%q}`, u))
	if code != 201 {
		t.Fatalf("create = %d %s", code, body)
	}
	id := decode[struct{ Monitor monitorJSON }](t, body).Monitor.ID
	for _, tc := range []struct {
		body string
		code int
		says string
	}{
		{`{"frequency":"hourly"}`, 400, "daily, weekly or monthly"},
		{`{"frequency":""}`, 400, "daily, weekly or monthly"},
		{`{"hour":99}`, 400, "0 to 23"},
		{`{"depth":"DEEP"}`, 403, "QUICK depth"},
		{`{"frequency":"daily"}`, 403, "weekly"},
		{`{"alerts":{"gradeBelow":"Z"}}`, 400, "A+, A, B, C or D"},
		{`{"active":"no"}`, 400, `"active"`},
	} {
		code, _, body := f.e.Do("PATCH", "/api/v1/monitors/"+id, freeKey, jsonCT, tc.body)
		if e := decode[struct{ Error string }](t, body); code != tc.code || !strings.Contains(e.Error, tc.says) {
			t.Errorf("PATCH %s = %d %s, want %d saying %q", tc.body, code, body, tc.code, tc.says)
		}
	}
	// The free plan's one monitor is used: a second answers 403 with the limit.
	code, _, body = f.e.Do("POST", "/api/v1/monitors", freeKey, jsonCT, fmt.Sprintf(`{"url":%q}`, f.target+"/other"))
	lim := decode[struct {
		Error string
		Limit int
	}](t, body)
	if code != 403 || lim.Limit != 1 || !strings.Contains(lim.Error, "Free plan includes 1 monitor") {
		t.Errorf("over the limit = %d %s", code, body)
	}
}

// TestMonitorForeignIDs: another account's monitor and site are 404, exactly like unknown ones.
func TestMonitorForeignIDs(t *testing.T) {
	f := setup(t)
	a, aUser := f.account("a@tenant.example", billing.Pro)
	b, _ := f.account("b@tenant.example", billing.Pro)
	m, _ := f.create(a, aUser, monitors.Input{URL: f.target + "/a"})
	bKey := f.e.Key(b.ID)
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/api/v1/monitors/" + m.ID, ""},
		{"PATCH", "/api/v1/monitors/" + m.ID, `{"active":false}`},
		{"DELETE", "/api/v1/monitors/" + m.ID, ""},
		{"POST", "/api/v1/monitors/" + m.ID + "/run", ""},
		{"POST", "/api/v1/monitors", fmt.Sprintf(`{"siteId":%q}`, m.SiteID)},
		{"GET", "/api/v1/monitors/mon_unknown", ""},
	} {
		ct := ""
		if tc.body != "" {
			ct = jsonCT
		}
		if code, _, body := f.e.Do(tc.method, tc.path, bKey, ct, tc.body); code != http.StatusNotFound {
			t.Errorf("%s %s as another account = %d %s, want 404", tc.method, tc.path, code, body)
		}
	}
	if _, _, body := f.e.Do("GET", "/api/v1/monitors", bKey, "", ""); !strings.Contains(string(body), `"data":[]`) {
		t.Errorf("another account lists %s", body)
	}
	got := f.reload(m)
	if !got.Active || f.scansOf(m.ID) != 1 {
		t.Errorf("another account changed the monitor: active %v, scans %d", got.Active, f.scansOf(m.ID))
	}
}

// TestMonitorLimitUnderConcurrency: N concurrent creates never exceed the
// plan's limit (the account lock on PostgreSQL, the single writer on SQLite).
func TestMonitorLimitUnderConcurrency(t *testing.T) {
	f := setup(t)
	acc, uid := f.account("racer@pro.example", billing.Pro)
	limit := billing.Lookup(billing.Pro).Monitors
	const n = 12
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		ok, lim int
	)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, _, err := f.svc.Create(context.Background(), acc, uid, monitors.Input{URL: fmt.Sprintf("%s/race%d", f.target, i)})
			var fb *errs.Forbidden
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.As(err, &fb) && fb.Details["limit"] == limit:
				lim++
			default:
				t.Errorf("create %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	rows := f.e.C.DB.Ent.Monitor.Query().Where(monitor.AccountID(acc.ID)).CountX(context.Background())
	if ok != limit || lim != n-limit || rows != limit {
		t.Errorf("created %d, refused %d, rows %d; want %d, %d, %d", ok, lim, rows, limit, n-limit, limit)
	}
	if runs := f.monitorRuns(acc.ID); runs != limit {
		t.Errorf("monitor runs = %d, want %d (refused creates spend nothing)", runs, limit)
	}
}

// TestMonitorRunAllowance: run now spends a monitor run and answers 429
// when they are spent; a create with none left creates nothing; a
// scheduled run with none left records why and starts no scan.
func TestMonitorRunAllowance(t *testing.T) {
	f := setup(t)
	acc, uid := f.account("allowance@pro.example", billing.Pro)
	key := f.e.Key(acc.ID)
	m, _ := f.create(acc, uid, monitors.Input{URL: f.target + "/runs", Frequency: "daily"})
	before := f.reload(m).NextRunAt

	code, _, body := f.e.Do("POST", "/api/v1/monitors/"+m.ID+"/run", key, "", "")
	sc := decode[scanJSON](t, body)
	if code != http.StatusAccepted || sc.Status != "PENDING" || sc.StatusURL != "/api/v1/scan/"+sc.ID {
		t.Fatalf("run now = %d %s", code, body)
	}
	got := f.reload(m)
	if f.monitorRuns(acc.ID) != 2 || got.LastScanID != sc.ID || !got.NextRunAt.Equal(before) {
		t.Errorf("after run now: runs %d, last scan %s, next %v (was %v)", f.monitorRuns(acc.ID), got.LastScanID, got.NextRunAt, before)
	}
	// The usage endpoint reports the monitors and the runs beside the scans.
	_, _, body = f.e.Do("GET", "/api/v1/usage", key, "", "")
	u := decode[struct{ Monitors, MonitorsLimit, MonitorRunsUsed, MonitorRunsLimit, MonitorRunsRemaining int }](t, body)
	if pro := billing.Lookup(billing.Pro); u.Monitors != 1 || u.MonitorsLimit != pro.Monitors || u.MonitorRunsUsed != 2 ||
		u.MonitorRunsLimit != pro.MonitorRunsPerMonth || u.MonitorRunsRemaining != pro.MonitorRunsPerMonth-2 {
		t.Errorf("usage = %s", body)
	}

	limit := billing.Lookup(billing.Pro).MonitorRunsPerMonth
	f.spend(acc.ID, limit)
	code, _, body = f.e.Do("POST", "/api/v1/monitors/"+m.ID+"/run", key, "", "")
	q := decode[struct {
		Error string
		Limit int
	}](t, body)
	if code != http.StatusTooManyRequests || q.Limit != limit || !strings.Contains(q.Error, "monitor runs") {
		t.Errorf("run now with none left = %d %s", code, body)
	}
	_, _, err := f.svc.Create(context.Background(), acc, uid, monitors.Input{URL: f.target + "/late"})
	var qe *errs.QuotaExceeded
	if !errors.As(err, &qe) || qe.What != "monitor runs" {
		t.Errorf("create with none left = %v, want the monitor-run allowance", err)
	}
	ctx := context.Background()
	if n := f.e.C.DB.Ent.Site.Query().Where(site.AccountID(acc.ID)).CountX(ctx); n != 1 {
		t.Errorf("the refused create left %d sites, want 1", n)
	}

	// The due run finds the allowance spent: skipped, said why, no scan.
	f.clock.Advance(25 * time.Hour)
	if n := f.enqueue(); n != 1 {
		t.Fatalf("enqueued %d, want 1", n)
	}
	f.waitJobsDone()
	got = f.reload(m)
	if f.scansOf(m.ID) != 2 || got.LastSlot == nil || !strings.Contains(got.LastSkip, "monitor runs") {
		t.Errorf("skipped run: scans %d, last slot %v, last skip %q", f.scansOf(m.ID), got.LastSlot, got.LastSkip)
	}
	// The monitor page's view shows the reason.
	if v := monitors.ViewOf(got); v.LastSkip != got.LastSkip {
		t.Errorf("view lastSkip = %q", v.LastSkip)
	}
}

// TestRunNowPatchDelete: PATCH changes the schedule; DELETE answers 204 and keeps the scans.
func TestRunNowPatchDelete(t *testing.T) {
	f := setup(t)
	acc, uid := f.account("patch@pro.example", billing.Pro)
	key := f.e.Key(acc.ID)
	m, _ := f.create(acc, uid, monitors.Input{URL: f.target + "/patch"})
	code, _, body := f.e.Do("PATCH", "/api/v1/monitors/"+m.ID, key, jsonCT,
		`{"frequency":"daily","hour":22,"depth":"DEEP","alerts":{"gradeBelow":"b","certExpiryDays":[7,30,7],"email":["Ops@Example.com"]}}`)
	got := decode[monitorJSON](t, body)
	now := f.clock.Now()
	if code != 200 || got.Frequency != "daily" || got.Hour != 22 || got.Depth != "DEEP" || got.Alerts.GradeBelow != "B" ||
		fmt.Sprint(got.Alerts.CertExpiryDays) != "[30 7]" || fmt.Sprint(got.Alerts.Email) != "[ops@example.com]" || got.Alerts.GradeDrop {
		t.Errorf("PATCH = %d %s", code, body)
	}
	if got.NextRunAt == nil || got.NextRunAt.Hour() != 22 || !got.NextRunAt.After(now) || got.NextRunAt.Sub(now) > 24*time.Hour {
		t.Errorf("next run after PATCH = %v", got.NextRunAt)
	}
	code, _, body = f.e.Do("PATCH", "/api/v1/monitors/"+m.ID, key, jsonCT, `{"active":false}`)
	if got := decode[monitorJSON](t, body); code != 200 || got.Active || got.NextRunAt != nil {
		t.Errorf("pause = %d %s", code, body)
	}
	code, _, body = f.e.Do("DELETE", "/api/v1/monitors/"+m.ID, key, "", "")
	if code != http.StatusNoContent || len(body) != 0 {
		t.Errorf("DELETE = %d %s", code, body)
	}
	if code, _, _ := f.e.Do("GET", "/api/v1/monitors/"+m.ID, key, "", ""); code != 404 {
		t.Errorf("GET after DELETE = %d", code)
	}
	if f.scansOf(m.ID) != 1 {
		t.Errorf("the monitor's scans were deleted with it")
	}
}
