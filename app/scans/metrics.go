package scans

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are this instance's scan figures for /metrics (see the README,
// "Operations"). The cluster-wide counts are not kept here: every instance
// asks the database at scrape time (clusterCollector), so any instance
// reports the same, true figure.
type metrics struct {
	running  prometheus.Gauge
	duration *prometheus.HistogramVec
}

// durationBuckets suit scans from a QUICK look (a second or two) to a DEEP
// crawl (minutes).
var durationBuckets = []float64{1, 2.5, 5, 10, 15, 30, 60, 120, 300}

func newMetrics() metrics {
	return metrics{
		running: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "palisade_instance_scans_running", Help: "Scans running in this instance.",
		}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "palisade_scan_duration_seconds", Help: "Scan wall time in this instance, by depth.",
			Buckets: durationBuckets,
		}, []string{"depth"}),
	}
}

func (m *metrics) started() { m.running.Inc() }
func (m *metrics) stopped() { m.running.Dec() }

func (m *metrics) observe(depth string, d time.Duration) {
	m.duration.WithLabelValues(depth).Observe(d.Seconds())
}

// Collectors are the scan metrics, for the registry behind /metrics.
func (s *Service) Collectors() []prometheus.Collector {
	return []prometheus.Collector{clusterCollector{s}, s.metrics.running, s.metrics.duration}
}

var (
	queuedDesc = prometheus.NewDesc("palisade_scans_queued",
		"Scans accepted and waiting to run (all instances).", nil, nil)
	runningDesc = prometheus.NewDesc("palisade_scans_running",
		"Scans running (all instances).", nil, nil)
)

// clusterCollector reads the queued and running counts from the database
// when scraped, in one query for both gauges.
type clusterCollector struct{ s *Service }

func (c clusterCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queuedDesc
	ch <- runningDesc
}

// Collect has no context of its own; the timeout keeps a slow database
// from holding a scrape open beyond a scraper's usual 10 s.
func (c clusterCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := c.s.Stats(ctx)
	if err != nil {
		// Reported through the handler's error log; the scrape still carries
		// this instance's own figures.
		ch <- prometheus.NewInvalidMetric(queuedDesc, err)
		ch <- prometheus.NewInvalidMetric(runningDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(queuedDesc, prometheus.GaugeValue, float64(st.QueueDepth))
	ch <- prometheus.MustNewConstMetric(runningDesc, prometheus.GaugeValue, float64(st.Running))
}
