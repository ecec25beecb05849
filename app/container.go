// Package app is Palisade's composition root. New builds every service in
// dependency order — config, database, job engine, services, HTTP surfaces —
// and Shutdown takes them down in reverse. Nothing else constructs services.
package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"

	"github.com/palisade/palisade/app/alerts"
	"github.com/palisade/palisade/app/api"
	"github.com/palisade/palisade/app/auth"
	"github.com/palisade/palisade/app/config"
	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/app/jobs"
	"github.com/palisade/palisade/app/mail"
	"github.com/palisade/palisade/app/mcp"
	"github.com/palisade/palisade/app/monitors"
	"github.com/palisade/palisade/app/ratelimit"
	"github.com/palisade/palisade/app/reporting"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/app/scanner/netguard"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/app/sites"
	"github.com/palisade/palisade/app/store"
	"github.com/palisade/palisade/app/web"
	"github.com/palisade/palisade/assets"
	"github.com/palisade/palisade/billing"
)

// Options adjust construction for tests and tools; the zero value is production.
type Options struct {
	Logger *slog.Logger
	// PasswordParams overrides argon2id's cost (tests use a cheaper one).
	PasswordParams *argon2id.Params
	// PollInterval overrides how often workers poll the queue.
	PollInterval time.Duration
	// NoWorkers builds the engine without starting workers (CLI commands).
	NoWorkers bool
	// Exec tunes scan execution (deadlines, heartbeat); zero is production.
	Exec scans.ExecOptions
	// ReconcileEvery is how often orphaned scans are looked for (default 5 s);
	// the period of the cluster's reconciler job.
	ReconcileEvery time.Duration
	// SweepEvery is how often expired key-value rows are deleted (default 10 min).
	SweepEvery time.Duration
	// MonitorsEvery is how often the leader looks for due monitor runs
	// (default 1 min); negative turns the scheduler off (tests that call
	// monitors.Service.EnqueueDue themselves).
	MonitorsEvery time.Duration
	// Clock replaces time.Now in the identity and scan services (tests move
	// it forward instead of sleeping through expiries and cache lifetimes).
	Clock func() time.Time
	// WebhookRetryBase, when positive, replaces the first retry delay of
	// alert deliveries (30 s; tests retry in milliseconds).
	WebhookRetryBase time.Duration
	// RateLimitOverride, when positive, replaces every plan's requests per
	// minute (load tests measure the limiter's cost without hitting it).
	RateLimitOverride int
}

// Container holds every long-lived part of a running Palisade.
type Container struct {
	Config  config.Config
	Log     *slog.Logger
	DB      *db.DB
	Jobs    *jobs.Engine
	Scanner *scanner.Scanner
	Auth    *auth.Service
	Scans   *scans.Service
	Reports *reporting.Service
	Limiter *ratelimit.Limiter
	Billing *billing.Service
	// Sites, Monitors and Alerts watch sites on a schedule (docs/monitoring.md).
	Sites    *sites.Service
	Monitors *monitors.Service
	Alerts   *alerts.Service
	KV       *store.KVStorage
	Mail     *mail.Sender // nil unless PALISADE_SMTP_URL is set
	Web      *fiber.App
	// Metrics is the registry behind /metrics.
	Metrics *prometheus.Registry
	// MetricsWeb serves only /metrics on PALISADE_METRICS_ADDR (nil when unset).
	MetricsWeb *fiber.App

	opts        Options
	metricsLn   net.Listener
	metricsDone chan error
	mailRunning bool
	stopBg      context.CancelFunc
	bgDone      chan struct{}
	started     bool
}

// New builds the container: opens and migrates the database, then wires the
// job engine, services and HTTP surfaces. Nothing runs until Start.
func New(ctx context.Context, cfg config.Config, opts Options) (*Container, error) {
	c := &Container{Config: cfg, Log: opts.Logger, opts: opts}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	var err error
	if c.DB, err = db.Open(ctx, cfg.DatabaseURL); err != nil {
		return nil, err
	}
	if err = c.DB.Migrate(ctx); err != nil {
		c.DB.Close()
		return nil, err
	}
	roots, err := cfg.ScanRootCAs()
	if err != nil {
		c.DB.Close()
		return nil, err
	}
	c.Scanner, err = scanner.New(scanner.Options{AllowCIDRs: cfg.ScanAllowCIDRs, RootCAs: roots, DNSServer: cfg.DNSServer,
		RetireJSFile: cfg.RetireJSFile, WPVulnsFile: cfg.WPVulnsFile})
	if err != nil {
		c.DB.Close()
		return nil, err
	}
	workers := river.NewWorkers()
	// The housekeeping closures read c.Scans and c.KV when a job runs: the
	// services are built below, on the engine's inserter.
	housekeeping := &jobs.Housekeeping{
		Reconcile:      func(ctx context.Context) error { return c.Scans.Reconcile(ctx) },
		ReconcileEvery: opts.ReconcileEvery,
		SweepKV:        func(ctx context.Context) (int, error) { return c.KV.Sweep(ctx) },
		SweepEvery:     opts.SweepEvery,
		MonitorsEvery:  opts.MonitorsEvery,
	}
	// monitors: the scheduler of due runs (app/monitors, EnqueueDue)
	if opts.MonitorsEvery >= 0 {
		housekeeping.EnqueueMonitors = func(ctx context.Context) (int, error) { return c.Monitors.EnqueueDue(ctx, c.Monitors.Now()) }
	}
	c.Jobs, err = jobs.New(ctx, c.DB, workers, jobs.Options{Workers: cfg.Workers, PollInterval: opts.PollInterval, Logger: c.Log,
		Queues: map[string]int{reporting.Queue: 2, alerts.Queue: 4, monitors.Queue: 2}, Housekeeping: housekeeping})
	if err != nil {
		c.DB.Close()
		return nil, err
	}
	c.Auth = auth.NewService(c.DB.Ent, c.DB.Read, auth.NewHasher(opts.PasswordParams, 0))
	if cfg.SMTPURL != "" {
		if c.Mail, err = mail.New(cfg.SMTPURL, cfg.MailFrom, nil, c.Log); err != nil {
			c.DB.Close()
			return nil, fmt.Errorf("PALISADE_SMTP_URL: %w", err)
		}
	}
	c.Scans = scans.NewService(c.DB, c.Jobs.Inserter, c.Scanner, c.Log)
	c.Scans.SetExecOptions(opts.Exec)
	if opts.Clock != nil {
		c.Auth.SetClock(opts.Clock)
		c.Scans.SetClock(opts.Clock)
	}
	river.AddWorker(workers, scans.NewWorker(c.Scans))
	c.Reports = reporting.NewService(c.DB, c.Jobs.Inserter, c.Log)
	river.AddWorker(workers, reporting.NewWorker(c.Reports))
	c.Sites = sites.NewService(c.DB, c.Scanner, c.Log)
	c.Alerts = alerts.NewService(c.DB, c.Jobs.Inserter, cfg.BaseURL, c.Log)
	c.Monitors = monitors.NewService(c.DB, c.Jobs.Inserter, c.Scans, c.Alerts, c.Log)
	// A monitor run's evaluation is queued in the transaction that stores its outcome.
	c.Scans.SetFinishHook(c.Alerts.QueueEvaluationTx)
	if opts.Clock != nil {
		c.Sites.SetClock(opts.Clock)
		c.Alerts.SetClock(opts.Clock)
		c.Monitors.SetClock(opts.Clock)
	}
	// monitors: scheduling workers (app/monitors)
	river.AddWorker(workers, monitors.NewWorker(c.Monitors))
	// alerts: evaluation worker (app/alerts evaluate)
	river.AddWorker(workers, alerts.NewEvaluateWorker(alerts.NewEvaluator(c.Alerts, c.Scans)))
	// alerts: delivery workers (app/alerts deliver)
	if err = c.wireChannels(ctx, roots); err != nil {
		c.DB.Close()
		return nil, err
	}
	river.AddWorker(workers, alerts.NewDeliverWorker(c.Alerts))
	c.Limiter = ratelimit.New(c.DB)
	// Log-in attempts are throttled inside auth (auth.LogInFrom).
	c.Auth.SetLimiter(c.Limiter, c.Log)
	c.Billing = billing.NewService(billing.Config{
		SecretKey: cfg.StripeSecretKey, WebhookSecret: cfg.StripeWebhookSecret,
		PricePro: cfg.StripePricePro, PriceEnterprise: cfg.StripePriceEnt, APIBase: cfg.StripeAPIBase,
	}, c.DB.Ent, c.Log)
	c.Billing.OnAccountChange = c.Auth.ForgetAccount
	c.KV = store.NewKVStorage(c.DB.Ent)
	c.Metrics = prometheus.NewRegistry()
	c.Metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	c.Metrics.MustRegister(c.Scans.Collectors()...)
	c.Web = c.newFiber()
	if cfg.MetricsAddr != "" {
		c.MetricsWeb = fiber.New(fiber.Config{AppName: "palisade-metrics", DisableStartupMessage: true, ReadTimeout: 10 * time.Second})
		c.MetricsWeb.Get("/metrics", httpx.MetricsGuard(cfg.MetricsToken, false), c.metricsHandler())
	}
	return c, nil
}

// wireChannels gives the alerts service what deliveries need: the server
// key that seals webhook secrets, the mail sender, and the scanner's
// address guard for webhook URLs, at creation and at every call.
func (c *Container) wireChannels(ctx context.Context, roots *x509.CertPool) error {
	key, err := alerts.ServerKey(ctx, c.DB.Ent, c.Config.SecretKey)
	if err != nil {
		return err
	}
	var mailer alerts.Mailer
	if c.Mail != nil {
		mailer = c.Mail
	}
	return c.Alerts.SetChannels(alerts.ChannelOptions{
		ServerKey: key, Mail: mailer, RootCAs: roots, Timeout: c.Config.WebhookTimeout, RetryBase: c.opts.WebhookRetryBase,
		Dialer: &netguard.Dialer{Policy: netguard.NewPolicy(c.Config.ScanAllowCIDRs), Resolver: netguard.NewResolver(c.Config.DNSServer),
			Timeout: c.Config.WebhookTimeout},
		Validate: func(ctx context.Context, raw string) (string, error) {
			t, err := c.Scanner.Validate(ctx, raw)
			if err != nil {
				return "", err
			}
			return t.URL, nil
		},
	})
}

// MetricsListenAddr is the metrics listener's address once Start has
// opened it ("" when PALISADE_METRICS_ADDR is unset).
func (c *Container) MetricsListenAddr() string {
	if c.metricsLn == nil {
		return ""
	}
	return c.metricsLn.Addr().String()
}

// metricsHandler is client_golang's exposition of c.Metrics, in Fiber. A
// collector that fails (the database is down) is logged and left out; the
// rest of the scrape is still served.
func (c *Container) metricsHandler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(c.Metrics, promhttp.HandlerOpts{
		ErrorLog:      promLog{c.Log},
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      c.Metrics, // counts its own errors in promhttp_metric_handler_errors_total
	}))
}

// promLog hands promhttp's error lines to slog.
type promLog struct{ log *slog.Logger }

func (l promLog) Println(v ...any) { l.log.Warn("serving metrics", "err", fmt.Sprint(v...)) }

// newFiber assembles the HTTP application: shared middleware, assets, probes, then each surface's route table.
func (c *Container) newFiber() *fiber.App {
	f := fiber.New(fiber.Config{
		AppName:               "palisade",
		ErrorHandler:          httpx.ErrorHandler(c.Log),
		BodyLimit:             1 << 20,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          0, // event streams stay open
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		// Strings from the request stay valid after the handler returns
		// (event streams, logs, caches): Fiber otherwise reuses their memory.
		Immutable: true,
	})
	// The request id first, so every later line can carry it; the access
	// log outside recover, so a panic is logged with the 500 it became.
	f.Use(httpx.RequestID())
	f.Use(httpx.AccessLog(c.Log, c.Config.TrustedProxies))
	f.Use(recover.New())
	f.Use(httpx.SecurityHeaders(c.Config.TLS()))
	f.Get(assets.Prefix+":name", func(ctx *fiber.Ctx) error {
		body, ct, ok := assets.Lookup(ctx.Params("name"))
		if !ok {
			return fiber.ErrNotFound
		}
		ctx.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
		ctx.Set(fiber.HeaderContentType, ct)
		return ctx.Send(body)
	})
	f.Get("/favicon.ico", func(ctx *fiber.Ctx) error {
		return ctx.Redirect(assets.Path("favicon.svg"), fiber.StatusMovedPermanently)
	})
	f.Get("/healthz", func(ctx *fiber.Ctx) error { return ctx.SendString("ok") })
	f.Get("/readyz", func(ctx *fiber.Ctx) error {
		rctx, cancel := context.WithTimeout(ctx.UserContext(), 2*time.Second)
		defer cancel()
		if err := c.DB.SQL.PingContext(rctx); err != nil {
			return ctx.Status(http.StatusServiceUnavailable).SendString("database unreachable")
		}
		var n int
		if err := c.DB.SQL.QueryRowContext(rctx, "SELECT COUNT(*) FROM river_queue").Scan(&n); err != nil {
			return ctx.Status(http.StatusServiceUnavailable).SendString("job queue unreachable")
		}
		return ctx.SendString("ready")
	})
	if c.Config.MetricsAddr == "" {
		// Not public: a token, or else loopback clients only (see MetricsGuard).
		f.Get("/metrics", httpx.MetricsGuard(c.Config.MetricsToken, true), c.metricsHandler())
	}
	// Stripe calls the webhook: no session, no CSRF; the signature is the authentication.
	f.Post("/billing/webhook", web.StripeWebhook(c.Billing))
	apiHandler := api.NewHandler(c.Auth, c.Scans, c.Reports, c.Limiter, c.Log)
	apiHandler.RateOverride = c.opts.RateLimitOverride
	apiHandler.Sites, apiHandler.Monitors, apiHandler.Alerts = c.Sites, c.Monitors, c.Alerts
	apiHandler.MCP = mcp.New(c.Scans, c.Log)
	apiHandler.Routes(f)
	web.NewHandler(web.Deps{Config: c.Config, Auth: c.Auth, Scans: c.Scans, Reports: c.Reports, Billing: c.Billing,
		Limiter: c.Limiter, Storage: c.KV, Mail: c.Mail, Log: c.Log,
		Sites: c.Sites, Monitors: c.Monitors, Alerts: c.Alerts}).Routes(f)
	return f
}

// Start begins background work: the queue's workers (which also run the
// cluster's periodic housekeeping jobs), the key-use flush and the metrics listener.
func (c *Container) Start(ctx context.Context) error {
	if c.Mail != nil && !c.mailRunning {
		c.mailRunning = true
		go c.Mail.Run()
	}
	if c.opts.NoWorkers {
		return nil
	}
	if c.MetricsWeb != nil && c.metricsLn == nil {
		ln, err := net.Listen("tcp", c.Config.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listening for metrics on %s: %w", c.Config.MetricsAddr, err)
		}
		c.metricsLn, c.metricsDone = ln, make(chan error, 1)
		go func() { c.metricsDone <- c.MetricsWeb.Listener(ln) }()
		c.Log.Info("metrics listening", "addr", ln.Addr().String(), "token", c.Config.MetricsToken != "")
	}
	// River treats cancellation of Start's context as a hard stop; the drain
	// on shutdown is Shutdown's job, so the workers get a context of their own.
	if err := c.Jobs.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("starting workers: %w", err)
	}
	c.started = true
	// Once now, before River elects a leader and schedules the periodic
	// reconciler: a restart after a crash should not wait for the election.
	if err := c.Scans.Reconcile(ctx); err != nil {
		c.Log.Warn("reconciling scans", "err", err)
	}
	// Recently used API keys are remembered in this process's memory, so
	// each instance writes its own: a local ticker, not a cluster-wide job.
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c.stopBg, c.bgDone = cancel, make(chan struct{})
	every := c.opts.ReconcileEvery
	if every <= 0 {
		every = 5 * time.Second
	}
	go func() {
		defer close(c.bgDone)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-bg.Done():
				return
			case <-t.C:
				if err := c.Auth.FlushKeyUse(bg); err != nil && bg.Err() == nil {
					c.Log.Warn("recording API key use", "err", err)
				}
			}
		}
	}()
	return nil
}

// Listen serves HTTP (or HTTPS with the configured certificate) on ln until
// ctx is cancelled, then shuts everything down in reverse order.
func (c *Container) Listen(ctx context.Context, ln net.Listener) error {
	if c.Config.TLS() {
		cert, err := tls.LoadX509KeyPair(c.Config.TLSCertFile, c.Config.TLSKeyFile)
		if err != nil {
			return fmt.Errorf("loading TLS certificate: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	errc := make(chan error, 1)
	go func() { errc <- c.Web.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return c.Shutdown(sctx)
}

// Shutdown stops taking requests, drains the workers (running scans get
// until ctx's deadline, minus a margin, then are handed back to the queue),
// and closes the database.
func (c *Container) Shutdown(ctx context.Context) error {
	var errs []error
	if c.Web != nil {
		if err := c.Web.ShutdownWithTimeout(5 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	if c.metricsLn != nil {
		if err := c.MetricsWeb.ShutdownWithTimeout(5 * time.Second); err != nil {
			errs = append(errs, err)
		}
		<-c.metricsDone
		c.metricsLn = nil
	}
	if c.started {
		if c.stopBg != nil {
			c.stopBg()
			<-c.bgDone
		}
		// Workers finish the scan they run and claim no other (scans.Service
		// runs queued scans back to back in one job otherwise).
		c.Scans.SetDraining(true)
		drain := ctx
		if dl, ok := ctx.Deadline(); ok {
			var cancel context.CancelFunc
			drain, cancel = context.WithDeadline(ctx, dl.Add(-5*time.Second))
			defer cancel()
		}
		if err := c.Jobs.Stop(drain); err != nil {
			// Scans still running were cancelled and handed back to the
			// queue; that is the designed outcome, not a failure to stop.
			c.Log.Warn("workers stopped with work handed back", "err", err)
		}
		c.started = false
	}
	if err := c.Auth.FlushKeyUse(context.WithoutCancel(ctx)); err != nil {
		c.Log.Warn("recording API key use at shutdown", "err", err)
	}
	if c.mailRunning {
		if err := c.Mail.Close(ctx); err != nil {
			c.Log.Warn("mail at shutdown", "err", err)
		}
		c.mailRunning = false
	}
	if err := c.DB.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
