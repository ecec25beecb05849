// Package reporting turns finished scans into versioned PDF reports: each
// request makes version N+1, generation runs as a River job, and the bytes
// are stored in the database (so every instance can serve them) with their
// SHA-256, checked on every download.
package reporting

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"golang.org/x/net/idna"

	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/jobs"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/report"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/reports"
)

// Queue is the River queue reports are generated on, separate from scans so
// a report never waits behind long scans.
const Queue = "reports"

// Args is the River job that renders one report version.
type Args struct {
	ReportID string `json:"reportId"`
}

// Kind names the job in River's table.
func (Args) Kind() string { return "report" }

// InsertOpts puts report jobs on their own queue.
func (Args) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: Queue, MaxAttempts: 5} }

// Worker renders report jobs.
type Worker struct {
	river.WorkerDefaults[Args]
	svc *Service
}

// NewWorker returns the River worker for reports.
func NewWorker(svc *Service) *Worker { return &Worker{svc: svc} }

// Work renders one report.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	return w.svc.Generate(ctx, job.Args.ReportID)
}

// Service creates, generates and serves reports.
type Service struct {
	db   *db.DB
	jobs jobs.Inserter
	log  *slog.Logger
	now  func() time.Time
}

// NewService wires the report service.
func NewService(d *db.DB, ins jobs.Inserter, log *slog.Logger) *Service {
	return &Service{db: d, jobs: ins, log: log, now: func() time.Time { return time.Now().UTC() }}
}

// Create makes the next version of the scan's report and queues its
// rendering. Only completed scans have reports.
func (s *Service) Create(ctx context.Context, accountID, scanID string) (*ent.Report, error) {
	sc, err := s.db.Ent.Scan.Query().Where(scan.ID(scanID), scan.AccountID(accountID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if sc.Status != domain.StatusCompleted {
		return nil, &errs.Conflict{Message: fmt.Sprintf("only completed scans have reports; this scan is %s", sc.Status)}
	}
	title := reports.Title(reports.Input{Result: &scanner.Result{TargetDomain: sc.TargetDomain, TargetURL: sc.TargetURL}})
	var created *ent.Report
	// A concurrent request may take the same version number (a unique
	// constraint error): the next try picks the next number.
	retryable := func(err error) bool { return ent.IsConstraintError(err) || db.Retryable(err) }
	err = db.Retry(ctx, db.RetryPolicy{Retryable: retryable}, func() error {
		return s.db.InTx(ctx, func(tx *sql.Tx, c *ent.Client) error {
			last, err := c.Report.Query().Where(report.ScanID(scanID)).Order(ent.Desc(report.FieldVersion)).First(ctx)
			version := 1
			if err == nil {
				version = last.Version + 1
			} else if !ent.IsNotFound(err) {
				return err
			}
			now := s.now()
			r, err := c.Report.Create().SetAccountID(accountID).SetScanID(scanID).SetVersion(version).
				SetTitle(title).SetCreatedAt(now).SetUpdatedAt(now).Save(ctx)
			if err != nil {
				return err
			}
			if _, err := s.jobs.InsertTx(ctx, tx, Args{ReportID: r.ID}, nil); err != nil {
				return err
			}
			created = r
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("report queued", "report_id", created.ID, "scan_id", scanID, "account_id", accountID, "version", created.Version)
	return created, nil
}

// Generate renders a queued report and stores it. It is idempotent.
func (s *Service) Generate(ctx context.Context, id string) error {
	r, err := s.db.Ent.Report.Query().Where(report.ID(id)).WithScan().Only(ctx)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil || r.Status == report.StatusREADY {
		return err
	}
	sc := r.Edges.Scan
	res, err := decode(sc.Result)
	if err != nil || res == nil {
		return s.fail(ctx, r, "the scan has no stored result")
	}
	in := reports.Input{ScanID: sc.ID, Version: r.Version, GeneratedAt: r.CreatedAt.UTC(), Result: res}
	if sc.CompletedAt != nil {
		in.ScannedAt = sc.CompletedAt.UTC()
	}
	if err := s.addDiff(ctx, sc, &in); err != nil {
		return err
	}
	started := time.Now()
	pdf, err := reports.Render(in)
	if err != nil {
		return s.fail(ctx, r, "rendering failed: "+err.Error())
	}
	sum := sha256.Sum256(pdf)
	err = s.db.InTx(ctx, func(_ *sql.Tx, c *ent.Client) error {
		n, err := c.Report.Update().Where(report.ID(r.ID), report.StatusNEQ(report.StatusREADY)).
			SetStatus(report.StatusREADY).SetPdfSize(int64(len(pdf))).SetSha256(hex.EncodeToString(sum[:])).
			SetTitle(reports.Title(in)).SetUpdatedAt(s.now()).Save(ctx)
		if err != nil || n == 0 {
			return err
		}
		return c.ReportFile.Create().SetID(r.ID).SetReportID(r.ID).SetData(pdf).Exec(ctx)
	})
	if err != nil {
		return err
	}
	s.log.Info("report ready", "report_id", r.ID, "version", r.Version, "bytes", len(pdf), "duration_ms", time.Since(started).Milliseconds())
	return nil
}

// addDiff sets the report's comparison with the previous comparable scan:
// the latest graded scan of the same target (scheme, host, port and path;
// scans.PreviousComparable) compared by the scanner's engine. A scan that
// was not graded, no such scan, or a pair Compare refuses leaves in.Diff
// nil, and the report has no "changes since" section.
func (s *Service) addDiff(ctx context.Context, sc *ent.Scan, in *reports.Input) error {
	if in.Result.NotGraded != nil {
		return nil
	}
	prev, prevRes, err := scans.PreviousComparable(ctx, s.db.Ent, sc)
	if err != nil || prev == nil {
		return err
	}
	d, err := scanner.Compare(prevRes, in.Result)
	if err != nil {
		if !errors.Is(err, scanner.ErrNotComparable) {
			s.log.Warn("report: comparison failed", "scan_id", sc.ID, "previous_scan_id", prev.ID, "err", err)
		}
		return nil
	}
	in.Diff, in.PreviousScanID = d, prev.ID
	if prev.CompletedAt != nil {
		in.PreviousAt = prev.CompletedAt.UTC()
	}
	return nil
}

func (s *Service) fail(ctx context.Context, r *ent.Report, msg string) error {
	s.log.Error("report failed", "report_id", r.ID, "err", msg)
	return s.db.Ent.Report.UpdateOneID(r.ID).SetStatus(report.StatusFAILED).SetError(msg).Exec(ctx)
}

func decode(s string) (*scanner.Result, error) {
	if s == "" {
		return nil, nil
	}
	var r scanner.Result
	return &r, json.Unmarshal([]byte(s), &r)
}

// Get returns the account's report with its scan; a foreign id is ErrNotFound.
func (s *Service) Get(ctx context.Context, accountID, id string) (*ent.Report, error) {
	r, err := s.db.Read.Report.Query().Where(report.ID(id), report.AccountID(accountID)).WithScan().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, errs.ErrNotFound
	}
	return r, err
}

// WaitReady polls until the report leaves PENDING or wait elapses.
func (s *Service) WaitReady(ctx context.Context, accountID, id string, wait time.Duration) (*ent.Report, error) {
	deadline := time.Now().Add(wait)
	for {
		r, err := s.Get(ctx, accountID, id)
		if err != nil || r.Status != report.StatusPENDING || time.Now().After(deadline) {
			return r, err
		}
		select {
		case <-ctx.Done():
			return r, nil
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// List returns a page of the account's reports, newest first, optionally for one scan.
func (s *Service) List(ctx context.Context, accountID, scanID string, page, limit int) ([]*ent.Report, scans.Pagination, error) {
	page = cmp.Or(page, 1)
	limit = min(cmp.Or(limit, scans.DefaultLimit), scans.MaxLimit)
	q := s.db.Read.Report.Query().Where(report.AccountID(accountID))
	if scanID != "" {
		q = q.Where(report.ScanID(scanID))
	}
	total, err := q.Clone().Count(ctx)
	if err != nil {
		return nil, scans.Pagination{}, err
	}
	items, err := q.WithScan().Order(ent.Desc(report.FieldCreatedAt), ent.Desc(report.FieldID)).
		Offset((page - 1) * limit).Limit(limit).All(ctx)
	if err != nil {
		return nil, scans.Pagination{}, err
	}
	return items, scans.Pagination{Page: page, Limit: limit, Total: total, Pages: (total + limit - 1) / limit}, nil
}

// ErrCorrupt means a stored PDF no longer matches its recorded hash.
var ErrCorrupt = errors.New("the stored report does not match its checksum")

// PDF returns the report's bytes after checking them against the stored SHA-256.
func (s *Service) PDF(ctx context.Context, accountID, id string) (*ent.Report, []byte, error) {
	r, err := s.Get(ctx, accountID, id)
	if err != nil {
		return nil, nil, err
	}
	if r.Status != report.StatusREADY {
		return r, nil, &errs.Conflict{Message: fmt.Sprintf("the report is %s, not ready yet", strings.ToLower(string(r.Status)))}
	}
	f, err := s.db.Read.ReportFile.Get(ctx, r.ID)
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(f.Data)
	if hex.EncodeToString(sum[:]) != r.Sha256 {
		s.log.Error("stored report fails its checksum", "report_id", r.ID)
		return nil, nil, ErrCorrupt
	}
	return r, f.Data, nil
}

// Filename is the download name: palisade-<domain>-<date>-v<N>.pdf, with an
// IDN domain in its ASCII form so every browser and shell copes.
func Filename(r *ent.Report) string {
	domain, date := "report", r.CreatedAt.UTC().Format("2006-01-02")
	if sc := r.Edges.Scan; sc != nil {
		if a, err := idna.ToASCII(sc.TargetDomain); err == nil && a != "" {
			domain = a
		}
		if sc.CompletedAt != nil {
			date = sc.CompletedAt.UTC().Format("2006-01-02")
		}
	}
	var b strings.Builder
	for _, c := range domain {
		if c == '.' || c == '-' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' {
			b.WriteRune(c)
		} else {
			b.WriteRune('_')
		}
	}
	return fmt.Sprintf("palisade-%s-%s-v%d.pdf", b.String(), date, r.Version)
}

// View is the Report schema of the API (app/api/openapi.json).
type View struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Version     int       `json:"version"`
	Status      string    `json:"status"`
	PDFSize     int64     `json:"pdfSize"`
	Format      string    `json:"format"`
	SHA256      string    `json:"sha256,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
	Scan        ScanRef   `json:"scan"`
	DownloadURL string    `json:"downloadUrl"`
	StatusURL   string    `json:"statusUrl"`
	Error       string    `json:"error,omitempty"`
}

// ScanRef is the scan a report belongs to, as shown with the report.
type ScanRef struct {
	ID           string  `json:"id"`
	TargetURL    string  `json:"targetUrl"`
	TargetDomain string  `json:"targetDomain"`
	OverallScore *int    `json:"overallScore"`
	Grade        *string `json:"grade"`
}

// ViewOf maps a report (loaded with its scan) to the API shape; prefix is
// where the API lives ("/api/v1").
func ViewOf(r *ent.Report, prefix string) View {
	v := View{ID: r.ID, Title: r.Title, Version: r.Version, Status: string(r.Status), PDFSize: r.PdfSize, Format: "PDF",
		SHA256: r.Sha256, CreatedAt: r.CreatedAt.UTC(), DownloadURL: prefix + "/report/" + r.ID + "/pdf",
		StatusURL: prefix + "/report/" + r.ID, Error: r.Error}
	if sc := r.Edges.Scan; sc != nil {
		v.Scan = ScanRef{ID: sc.ID, TargetURL: sc.TargetURL, TargetDomain: sc.TargetDomain, OverallScore: sc.OverallScore}
		if sc.Grade != "" {
			g := sc.Grade
			v.Scan.Grade = &g
		}
	}
	return v
}
