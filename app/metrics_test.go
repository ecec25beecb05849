package app_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/config"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/billing"
)

// scrape reads /metrics at base and parses it with Prometheus' own parser,
// so the test fails on anything a Prometheus server would not accept.
func scrape(t *testing.T, base, token string) map[string]*dto.MetricFamily {
	t.Helper()
	req, err := http.NewRequest("GET", base+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics = %d %s", resp.StatusCode, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, body)
	}
	return fams
}

// gauge is the value of an unlabelled gauge, or -1 when absent.
func gauge(fams map[string]*dto.MetricFamily, name string) float64 {
	f := fams[name]
	if f == nil || f.GetType() != dto.MetricType_GAUGE || len(f.Metric) != 1 {
		return -1
	}
	return f.Metric[0].GetGauge().GetValue()
}

// durations returns the scan-duration histogram for depth (nil when absent).
func durations(fams map[string]*dto.MetricFamily, depth string) *dto.Histogram {
	f := fams["palisade_scan_duration_seconds"]
	if f == nil || f.GetType() != dto.MetricType_HISTOGRAM {
		return nil
	}
	for _, m := range f.Metric {
		for _, l := range m.Label {
			if l.GetName() == "depth" && l.GetValue() == depth {
				return m.GetHistogram()
			}
		}
	}
	return nil
}

// scrapeUntil scrapes until ok holds, failing after timeout with the last figures.
func scrapeUntil(t *testing.T, base, token string, timeout time.Duration, ok func(map[string]*dto.MetricFamily) bool) map[string]*dto.MetricFamily {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		fams := scrape(t, base, token)
		if ok(fams) {
			return fams
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics never reached the expected figures: queued %v running %v instance %v",
				gauge(fams, "palisade_scans_queued"), gauge(fams, "palisade_scans_running"), gauge(fams, "palisade_instance_scans_running"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMetricsFamiliesAndValuesAfterScans(t *testing.T) {
	env := apptest.New(t) // no token, no own listener: loopback only, and this test is on loopback
	site := target(t)
	key := env.Key(env.User("metrics@example.com", billing.Free))
	done := createScan(t, env, key, site.URL, "QUICK")
	waitStatus(t, env, done, 30*time.Second, domain.StatusCompleted)
	pit := tarpit(t)
	running := createScan(t, env, key, pit, "QUICK")
	waitStatus(t, env, running, 10*time.Second, domain.StatusRunning)
	queued := createScan(t, env, key, pit, "QUICK") // free plan: one at a time, so it waits
	t.Cleanup(func() { cancelAll(t, env) })

	fams := scrapeUntil(t, env.URL, "", 10*time.Second, func(f map[string]*dto.MetricFamily) bool {
		return gauge(f, "palisade_instance_scans_running") == 1
	})
	for name, want := range map[string]float64{"palisade_scans_queued": 1, "palisade_scans_running": 1, "palisade_instance_scans_running": 1} {
		if got := gauge(fams, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	h := durations(fams, "QUICK")
	if h == nil || h.GetSampleCount() != 1 || h.GetSampleSum() <= 0 {
		t.Fatalf("QUICK durations = %v, want one positive sample", h)
	}
	bounds := []float64{}
	for _, b := range h.Bucket {
		bounds = append(bounds, b.GetUpperBound())
	}
	if fmt.Sprint(bounds) != "[1 2.5 5 10 15 30 60 120 300 +Inf]" {
		t.Fatalf("buckets %v", bounds)
	}
	if n := h.Bucket[len(h.Bucket)-2].GetCumulativeCount(); n != 1 {
		t.Errorf("the 300 s bucket holds %d, want 1", n)
	}
	if durations(fams, "DEEP") != nil {
		t.Error("a depth never scanned has a histogram")
	}
	if fams["go_goroutines"] == nil {
		t.Error("the Go runtime collector is missing")
	}

	cancelAll(t, env)
	waitStatus(t, env, running, 10*time.Second, domain.StatusCancelled)
	waitStatus(t, env, queued, 10*time.Second, domain.StatusCancelled)
	fams = scrapeUntil(t, env.URL, "", 10*time.Second, func(f map[string]*dto.MetricFamily) bool {
		return gauge(f, "palisade_instance_scans_running") == 0
	})
	if q, r := gauge(fams, "palisade_scans_queued"), gauge(fams, "palisade_scans_running"); q != 0 || r != 0 {
		t.Errorf("after cancelling: queued %v running %v, want 0 0", q, r)
	}
}

func TestMetricsTokenRequired(t *testing.T) {
	const token = "metrics-token-0123456789"
	env := apptest.New(t, apptest.WithConfig(func(c *config.Config) { c.MetricsToken = token }))
	for _, tc := range []struct {
		name, auth string
		code       int
	}{
		{"no token", "", 401},
		{"wrong token", "Bearer metrics-token-0123456780", 401},
		{"an API key's scheme with the right token", "Basic " + token, 401},
		{"right token", "Bearer " + token, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", env.URL+"/metrics", nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.code {
				t.Fatalf("%d %s, want %d", resp.StatusCode, body, tc.code)
			}
			if tc.code != 200 && bytes.Contains(body, []byte("palisade_scans")) {
				t.Fatalf("a refused request got the figures: %s", body)
			}
		})
	}
	if fams := scrape(t, env.URL, token); gauge(fams, "palisade_scans_queued") != 0 {
		t.Errorf("with the token: queued = %v, want 0", gauge(fams, "palisade_scans_queued"))
	}
}

func TestMetricsOnTheirOwnListener(t *testing.T) {
	env := apptest.New(t, apptest.WithConfig(func(c *config.Config) { c.MetricsAddr = "127.0.0.1:0" }))
	addr := env.C.MetricsListenAddr()
	if addr == "" {
		t.Fatal("no metrics listener")
	}
	if code, _, _ := env.Do("GET", "/metrics", "", "", ""); code != 404 {
		t.Errorf("/metrics on the main listener = %d, want 404 when metrics have their own", code)
	}
	fams := scrape(t, "http://"+addr, "")
	if gauge(fams, "palisade_scans_running") != 0 || gauge(fams, "palisade_instance_scans_running") != 0 {
		t.Errorf("own listener: running %v instance %v", gauge(fams, "palisade_scans_running"), gauge(fams, "palisade_instance_scans_running"))
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("the metrics listener serves /healthz: %d, want only /metrics", resp.StatusCode)
	}
}
