package scanner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/palisade/palisade/app/scanner/netguard"
)

// engAllKinds lists every evidence kind the engine knows; a check needing any
// other kind does not wait for it.
var engAllKinds = []EvidenceKind{NeedPage, NeedTLS, NeedRedirects, NeedTLSProbe, NeedDNS, NeedCORS, NeedSecTxt, NeedProbes, NeedCrawl, NeedWordPress}

// run is one scan in flight. Fetcher jobs fill ev and then publish their
// kinds (closing a channel); each check waits for the kinds it needs and is
// evaluated on a snapshot of ev taken under mu, so a check that peeks at a
// field it did not declare sees nil rather than racing with its fetcher.
type scanRun struct {
	s     *Scanner
	t     *Target
	u     *netguard.URL
	depth Depth
	c     *scanClient

	mu      sync.Mutex // guards ev and results
	ev      Evidence
	results []*finishedCheck // by index in s.checks; nil = not run / not finished

	ready     map[EvidenceKind]chan struct{}
	published map[EvidenceKind]bool // guarded by mu

	onEvent func(Event)
	eventMu sync.Mutex

	jobs    sync.WaitGroup
	checks  sync.WaitGroup
	aborted atomic.Int32
	done    chan struct{}
	// budget is the scan's deadline, for the words of a failed verdict.
	budget time.Duration

	// plainOnce sends the GET of an http:// target that the page fetch and
	// the http:// redirect chain share (plainPage).
	plainOnce sync.Once
	plainEx   *fetchExchange
	plainErr  error
	// httpsDone is closed once the page fetch's HTTPS attempt has ended;
	// httpsHops are what it saw (guarded by mu). The shared plain GET
	// answers its https hop from them (pageHop).
	httpsDone chan struct{}
	httpsHops []Hop
}

// finishedCheck is a finished check.
type finishedCheck struct {
	check Check
	out   Outcome
}

func newRun(s *Scanner, t *Target, depth Depth, onEvent func(Event), res *netguard.Resolutions) *scanRun {
	u := t.u
	if u == nil {
		u, _ = netguard.Normalize(t.URL)
	}
	r := &scanRun{
		s:         s,
		t:         t,
		u:         u,
		depth:     depth,
		c:         s.newClient(res),
		results:   make([]*finishedCheck, len(s.checks)),
		ready:     map[EvidenceKind]chan struct{}{},
		published: map[EvidenceKind]bool{},
		onEvent:   onEvent,
		done:      make(chan struct{}),
		httpsDone: make(chan struct{}),
	}
	for _, k := range engAllKinds {
		r.ready[k] = make(chan struct{})
	}
	r.ev = Evidence{Depth: depth, Target: *t, Now: s.now(), JSLibs: s.jsLibs}
	r.ev.Target.u, r.ev.Target.checked = nil, nil
	r.ev.WPTable = s.wp
	return r
}

// set mutates the evidence under the lock; fetchers build values locally and
// assign them here, then publish.
func (r *scanRun) set(f func(ev *Evidence)) {
	r.mu.Lock()
	f(&r.ev)
	r.mu.Unlock()
}

// snapshot is a shallow copy of the evidence; the values it points to are
// never mutated after they are assigned.
func (r *scanRun) snapshot() Evidence {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ev
}

func (r *scanRun) publish(kinds ...EvidenceKind) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range kinds {
		if !r.published[k] {
			r.published[k] = true
			close(r.ready[k])
		}
	}
}

func (r *scanRun) isPublished(k EvidenceKind) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.published[k]
}

// job runs fn once every kind in after is published, then publishes kinds.
// When ctx ends first the kinds stay unpublished: the checks that need them
// are left out of the (partial) result instead of judging missing evidence.
func (r *scanRun) job(ctx context.Context, after []EvidenceKind, kinds []EvidenceKind, fn func(ctx context.Context)) {
	r.jobs.Add(1)
	go func() {
		defer r.jobs.Done()
		for _, k := range after {
			select {
			case <-r.ready[k]:
			case <-ctx.Done():
				r.aborted.Add(1)
				return
			}
		}
		fn(ctx)
		if ctx.Err() != nil {
			r.aborted.Add(1)
			return
		}
		r.publish(kinds...)
	}()
}

// execute starts every fetcher and every check of the depth and returns when
// all are done (true) or ctx ends first (false).
//
// Checks that need the same evidence kinds form a group evaluated in
// registry order by one goroutine once those kinds have arrived: each
// check still runs as soon as its evidence is in (after the checks before
// it in its group), and a QUICK scan starts five goroutines for its 22
// checks instead of 22, each growing its stack once for the group.
func (r *scanRun) execute(ctx context.Context) bool {
	r.startJobs(ctx)
	var groups [][]int
	byNeeds := map[string]int{}
	for i, c := range r.s.checks {
		if engCheckRank(c) > r.depth.Rank() {
			// Deeper than this scan: in the result as skipped, with the
			// reason, so nobody reads its absence as a pass (or, comparing
			// with a deeper scan, as a fix). It emits no progress event:
			// progress lists the checks that ran.
			r.results[i] = &finishedCheck{check: c, out: skippedForDepth(c, r.depth)}
			continue
		}
		key := needsKey(c.Needs)
		g, ok := byNeeds[key]
		if !ok {
			g = len(groups)
			byNeeds[key] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	for _, g := range groups {
		r.checks.Add(1)
		go r.runGroup(ctx, g)
	}
	go func() {
		r.jobs.Wait()
		r.checks.Wait()
		close(r.done)
	}()
	select {
	case <-r.done:
	case <-ctx.Done():
		<-r.done // every goroutine is bound to ctx; they end promptly
	}
	return r.aborted.Load() == 0
}

// needsKey names a set of evidence kinds whatever their order.
func needsKey(needs []EvidenceKind) string {
	ks := make([]string, len(needs))
	for i, k := range needs {
		ks[i] = string(k)
	}
	slices.Sort(ks)
	return strings.Join(slices.Compact(ks), ",")
}

// wait blocks until every goroutine of the run has ended and releases the
// run's connections.
func (r *scanRun) wait() {
	<-r.done
	r.c.close()
}

// skippedForDepth is the verdict of a check deeper than the scan.
func skippedForDepth(c Check, scan Depth) Outcome {
	d := c.Depth
	if d.Rank() == 0 {
		d = Quick
	}
	at := string(d) + " and deeper scans"
	if d.Rank() == Deep.Rank() {
		at = string(Deep) + " scans"
	}
	reason := fmt.Sprintf("runs at %s; this was a %s scan", at, scan)
	return Outcome{Status: StatusSkipped, Value: "skipped", Reason: reason, Description: "This check " + reason + "."}
}

// unfinished is the verdict of a check the scan ended before: an error,
// saying why, so a cut-short result still shows everything it would have run.
func unfinished(stop error) Outcome {
	reason := "the scan's deadline passed before this check finished"
	if errors.Is(stop, context.Canceled) {
		reason = "the scan was cancelled before this check finished"
	}
	return Outcome{Status: StatusError, Value: "not finished", Reason: reason, Description: "Not evaluated: " + reason + "."}
}

func engCheckRank(c Check) int {
	if rk := c.Depth.Rank(); rk > 0 {
		return rk
	}
	return Quick.Rank()
}

// runGroup waits for the evidence the checks of one group (indexes into
// s.checks, all with the same Needs) read, then evaluates them in order.
func (r *scanRun) runGroup(ctx context.Context, group []int) {
	defer r.checks.Done()
	for _, k := range r.s.checks[group[0]].Needs {
		ch, ok := r.ready[k]
		if !ok {
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			r.aborted.Add(1)
			return
		}
	}
	for _, i := range group {
		r.runCheck(i, r.s.checks[i])
	}
}

// runCheck evaluates one check whose evidence has arrived, records its
// outcome and emits its progress event.
func (r *scanRun) runCheck(i int, c Check) {
	ev := r.snapshot()
	out := evalCheck(c, &ev)
	r.mu.Lock()
	r.results[i] = &finishedCheck{check: c, out: out}
	r.mu.Unlock()
	if r.onEvent != nil {
		r.eventMu.Lock()
		defer r.eventMu.Unlock()
		r.onEvent(Event{CheckID: c.ID, Name: c.Name, Status: out.Status})
	}
}

// evaluate runs a check, turning a panic into an error verdict so one buggy
// check cannot take the scan (or the worker) down, and normalises the outcome.
func evalCheck(c Check, ev *Evidence) (out Outcome) {
	defer func() {
		if p := recover(); p != nil {
			out = Outcome{Status: StatusError, Value: "check failed", Reason: "the check itself failed",
				Description: fmt.Sprintf("The check could not run: %v.", p)}
		}
	}()
	if c.Evaluate == nil {
		return Outcome{Status: StatusError, Value: "not implemented", Reason: "the check has no evaluator", Description: "The check has no evaluator."}
	}
	out = c.Evaluate(ev)
	switch out.Status {
	case StatusPass, StatusWarn, StatusFail, StatusInfo, StatusSkipped, StatusError:
	default:
		out.Status = StatusError
	}
	if (out.Status == StatusPass || out.Status == StatusInfo && out.Counted) && out.Score == 0 {
		out.Score = 1
	}
	if out.Score < 0 {
		out.Score = 0
	}
	if out.Score > 1 {
		out.Score = 1
	}
	for j := range out.Findings {
		if out.Findings[j].CheckID == "" {
			out.Findings[j].CheckID = c.ID
		}
		if out.Findings[j].Category == "" {
			out.Findings[j].Category = c.Category
		}
	}
	return out
}
