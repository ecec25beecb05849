package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// MaintenanceQueue runs the cluster-wide housekeeping jobs. It is a queue
// of its own so they never wait behind long scans in the default queue.
const MaintenanceQueue = "maintenance"

// Housekeeping are the tasks that must run periodically somewhere in the
// cluster, not on every instance: River inserts periodic jobs only on its
// elected leader, so each runs once per period however many instances
// there are (docs/ARCHITECTURE.md, "Periodic work").
type Housekeeping struct {
	// Reconcile hands orphaned scans back to the queue (scans.Service.Reconcile).
	Reconcile      func(context.Context) error
	ReconcileEvery time.Duration // default 5 s
	// SweepKV deletes expired key-value rows (store.KVStorage.Sweep).
	SweepKV    func(context.Context) (int, error)
	SweepEvery time.Duration // default 10 min
	// EnqueueMonitors, when set, enqueues the due runs of monitors
	// (monitors.Service.EnqueueDue at the current time).
	EnqueueMonitors func(context.Context) (int, error)
	MonitorsEvery   time.Duration // default 1 min
}

// ReconcileArgs is the periodic reconciler job.
type ReconcileArgs struct{}

// Kind names the job in River's table.
func (ReconcileArgs) Kind() string { return "reconcile_scans" }

// SweepKVArgs is the periodic sweep of expired key-value rows.
type SweepKVArgs struct{}

// Kind names the job in River's table.
func (SweepKVArgs) Kind() string { return "sweep_kv" }

// EnqueueMonitorsArgs is the periodic job that enqueues due monitor runs.
type EnqueueMonitorsArgs struct{}

// Kind names the job in River's table.
func (EnqueueMonitorsArgs) Kind() string { return "enqueue_monitors" }

// periodic registers the housekeeping workers and returns their schedule.
func (h *Housekeeping) periodic(workers *river.Workers, log *slog.Logger) []*river.PeriodicJob {
	reconcileEvery := h.ReconcileEvery
	if reconcileEvery <= 0 {
		reconcileEvery = 5 * time.Second
	}
	sweepEvery := h.SweepEvery
	if sweepEvery <= 0 {
		sweepEvery = 10 * time.Minute
	}
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, _ *river.Job[ReconcileArgs]) error {
		return h.Reconcile(ctx)
	}))
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, _ *river.Job[SweepKVArgs]) error {
		n, err := h.SweepKV(ctx)
		if err == nil && n > 0 {
			log.Debug("swept expired keys", "count", n)
		}
		return err
	}))
	out := []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(reconcileEvery),
			func() (river.JobArgs, *river.InsertOpts) { return ReconcileArgs{}, housekeepingOpts(reconcileEvery) },
			&river.PeriodicJobOpts{ID: ReconcileArgs{}.Kind(), RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(sweepEvery),
			func() (river.JobArgs, *river.InsertOpts) { return SweepKVArgs{}, housekeepingOpts(sweepEvery) },
			&river.PeriodicJobOpts{ID: SweepKVArgs{}.Kind(), RunOnStart: true}),
	}
	if h.EnqueueMonitors != nil {
		// Only the leader inserts it, so one instance at a time looks for due
		// monitors; EnqueueDue is exactly-once even when two overlap (a
		// leadership change), see docs/ARCHITECTURE.md.
		every := h.MonitorsEvery
		if every <= 0 {
			every = time.Minute
		}
		river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, _ *river.Job[EnqueueMonitorsArgs]) error {
			_, err := h.EnqueueMonitors(ctx)
			return err
		}))
		out = append(out, river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) { return EnqueueMonitorsArgs{}, housekeepingOpts(every) },
			&river.PeriodicJobOpts{ID: EnqueueMonitorsArgs{}.Kind(), RunOnStart: true}))
	}
	return out
}

// housekeepingOpts: one try (the next period is the retry), and at most one
// job per period, so a queue that could not be worked for a while (the
// database was down) does not catch up with a pile of identical jobs.
func housekeepingOpts(every time.Duration) *river.InsertOpts {
	return &river.InsertOpts{Queue: MaintenanceQueue, MaxAttempts: 1,
		UniqueOpts: river.UniqueOpts{ByPeriod: max(every, time.Second)}}
}
