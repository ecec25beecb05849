// Package jobs runs Palisade's background work on River, a real job queue in
// the same database as everything else: on SQLite through riversqlite, on
// PostgreSQL through riverpgxv5. Jobs are inserted in the same transaction as
// the rows they act on, so an accepted scan always has its job.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/palisade/palisade/app/db"
)

// Inserter enqueues jobs inside a caller's *sql.Tx. It is the only part of
// the engine that request handlers see.
type Inserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Options tune the engine; zero values take production defaults.
type Options struct {
	// Workers is the number of jobs run at once in this instance (PALISADE_WORKERS).
	Workers int
	// PollInterval is how often the queue is polled when no notification
	// arrives (always, on SQLite).
	PollInterval time.Duration
	// JobTimeout bounds one job; the scan's own deadline is shorter.
	JobTimeout time.Duration
	// RescueAfter hands a job that has been running this long (its instance
	// died) back to the queue.
	RescueAfter time.Duration
	Logger      *slog.Logger
	// Queues are further queues and their worker counts (reports run on
	// their own so they never wait behind long scans).
	Queues map[string]int
	// Housekeeping, when set, are the cluster-wide periodic jobs (see Housekeeping).
	Housekeeping *Housekeeping
}

// runner is the worker side of a River client, whatever its driver's tx type.
type runner interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
}

// Engine owns the River clients of this instance.
type Engine struct {
	// Inserter inserts jobs in an Ent-shared *sql.Tx.
	Inserter Inserter
	runner   runner
	pool     *pgxpool.Pool
	log      *slog.Logger
}

// New builds the engine for d with the given workers registered. On SQLite
// one client both inserts and works; on PostgreSQL an insert-only
// database/sql client shares Ent's transactions while a pgx client works the
// queue with LISTEN/NOTIFY.
func New(ctx context.Context, d *db.DB, workers *river.Workers, o Options) (*Engine, error) {
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 250 * time.Millisecond
	}
	if o.JobTimeout <= 0 {
		o.JobTimeout = 6 * time.Minute
	}
	if o.RescueAfter <= 0 {
		o.RescueAfter = o.JobTimeout + time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	queues := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}}
	for name, n := range o.Queues {
		queues[name] = river.QueueConfig{MaxWorkers: n}
	}
	cfg := &river.Config{
		Queues:               queues,
		Workers:              workers,
		FetchPollInterval:    o.PollInterval,
		FetchCooldown:        50 * time.Millisecond,
		JobTimeout:           o.JobTimeout,
		RescueStuckJobsAfter: o.RescueAfter,
		Logger:               o.Logger.With("component", "river"),
	}
	if o.Housekeeping != nil {
		queues[MaintenanceQueue] = river.QueueConfig{MaxWorkers: 1}
		cfg.PeriodicJobs = o.Housekeeping.periodic(workers, o.Logger)
	}
	e := &Engine{log: o.Logger}
	if d.IsSQLite() {
		c, err := river.NewClient(riversqlite.New(d.SQL), cfg)
		if err != nil {
			return nil, fmt.Errorf("starting job queue: %w", err)
		}
		e.Inserter, e.runner = c, c
		return e, nil
	}
	ins, err := river.NewClient(riverdatabasesql.New(d.SQL), &river.Config{Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("starting job inserter: %w", err)
	}
	pool, err := pgxpool.New(ctx, d.URL)
	if err != nil {
		return nil, fmt.Errorf("connecting job queue: %w", err)
	}
	c, err := river.NewClient(riverpgxv5.New(pool), cfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("starting job queue: %w", err)
	}
	e.Inserter, e.runner, e.pool = ins, c, pool
	return e, nil
}

// Start begins working jobs.
func (e *Engine) Start(ctx context.Context) error { return e.runner.Start(ctx) }

// Stop drains: no new jobs are fetched and running ones get until ctx ends to
// finish; after that they are cancelled (their scans hand themselves back to
// the queue) and Stop returns.
func (e *Engine) Stop(ctx context.Context) error {
	err := e.runner.Stop(ctx)
	if err != nil {
		e.log.Warn("jobs did not finish in time; cancelling them", "err", err)
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = e.runner.StopAndCancel(cctx)
	}
	if e.pool != nil {
		e.pool.Close()
	}
	return err
}
