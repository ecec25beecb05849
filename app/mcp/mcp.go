// Package mcp is Palisade's Model Context Protocol server: the tools an AI
// assistant calls to scan a site and read the results, served over the
// Streamable HTTP transport at /mcp (docs/ARCHITECTURE.md, "HTTP surfaces").
// The caller authenticates with the same API key as /api/v1; app/api checks
// the key and rate limit before a request reaches Handler. No Fiber here:
// the tools call the scans service and turn its errors into tool errors.
package mcp

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/ent"
)

// Path is where the server is mounted.
const Path = "/mcp"

// Version is what the server reports in its implementation info.
const Version = "1.0.0"

// pollEvery is how often scan_site with wait re-reads the scan.
const pollEvery = 250 * time.Millisecond

// Server builds MCP servers whose tools act for one account.
type Server struct {
	scans *scans.Service
	log   *slog.Logger
	now   func() time.Time
	// schemas keeps the tools' input schemas, derived once rather than on
	// every request's server.
	schemas *sdk.SchemaCache
}

// New returns the tool set over s.
func New(s *scans.Service, log *slog.Logger) *Server {
	return &Server{scans: s, log: log, now: time.Now, schemas: sdk.NewSchemaCache()}
}

// Handler serves one authenticated request for acc. The transport is
// stateless (a fresh server per request, no Mcp-Session-Id), so a session
// can never outlive or cross the key that authenticated it, and every
// response is plain JSON rather than an event stream.
func (s *Server) Handler(acc *ent.Account) http.Handler {
	return sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return s.build(acc) },
		&sdk.StreamableHTTPOptions{Stateless: true, JSONResponse: true, Logger: s.log})
}

// ScanSiteInput is scan_site's arguments.
type ScanSiteInput struct {
	URL   string `json:"url" jsonschema:"the site to scan, e.g. https://example.com"`
	Depth string `json:"depth,omitempty" jsonschema:"QUICK, STANDARD or DEEP (default: the plan's default depth)"`
	Wait  bool   `json:"wait,omitempty" jsonschema:"wait for the result, up to the depth's deadline"`
}

// IDInput names one scan.
type IDInput struct {
	ID string `json:"id" jsonschema:"the scan's id"`
}

// ListScansInput is list_scans' arguments.
type ListScansInput struct {
	Page   int    `json:"page,omitempty" jsonschema:"page number, from 1"`
	Domain string `json:"domain,omitempty" jsonschema:"only scans of this domain"`
}

// CompareInput is compare_scans' arguments.
type CompareInput struct {
	ID      string `json:"id" jsonschema:"the newer scan's id"`
	Against string `json:"against,omitempty" jsonschema:"the scan to compare with (default: the previous graded scan of the same target)"`
}

// FixFile is get_fix_file's result.
type FixFile struct {
	Filename string `json:"filename"`
	Markdown string `json:"markdown"`
}

// ScanList is list_scans' result.
type ScanList struct {
	Data       []scans.ScanSummary `json:"data"`
	Pagination scans.Pagination    `json:"pagination"`
}

func (s *Server) build(acc *ent.Account) *sdk.Server {
	srv := sdk.NewServer(&sdk.Implementation{Name: "palisade", Version: Version},
		&sdk.ServerOptions{SchemaCache: s.schemas, Logger: s.log})
	sdk.AddTool(srv, &sdk.Tool{Name: "scan_site",
		Description: "Start a security scan of a website (spends one scan of the month's quota); with wait, return the finished scan."},
		func(ctx context.Context, _ *sdk.CallToolRequest, in ScanSiteInput) (*sdk.CallToolResult, any, error) {
			if strings.TrimSpace(in.URL) == "" {
				return nil, nil, errors.New(`"url" is required, e.g. https://example.com`)
			}
			sc, err := s.scans.Accept(ctx, acc, strings.TrimSpace(in.URL), in.Depth)
			if err != nil {
				return nil, nil, s.toolError(err)
			}
			if in.Wait {
				if err := s.wait(ctx, acc.ID, sc); err != nil {
					return nil, nil, s.toolError(err)
				}
			}
			return s.detail(ctx, acc.ID, sc.ID)
		})
	sdk.AddTool(srv, &sdk.Tool{Name: "get_scan", Description: "Get a scan: its status, grade, score and findings."},
		func(ctx context.Context, _ *sdk.CallToolRequest, in IDInput) (*sdk.CallToolResult, any, error) {
			return s.detail(ctx, acc.ID, in.ID)
		})
	sdk.AddTool(srv, &sdk.Tool{Name: "list_scans", Description: "List the account's scans, newest first."},
		func(ctx context.Context, _ *sdk.CallToolRequest, in ListScansInput) (*sdk.CallToolResult, any, error) {
			if in.Page < 0 {
				return nil, nil, errors.New(`"page" must be 1 or more`)
			}
			items, pg, err := s.scans.List(ctx, acc.ID, scans.ListParams{Page: in.Page, Domain: strings.TrimSpace(in.Domain)})
			if err != nil {
				return nil, nil, s.toolError(err)
			}
			out := ScanList{Data: make([]scans.ScanSummary, 0, len(items)), Pagination: pg}
			for _, it := range items {
				out.Data = append(out.Data, scans.SummaryOf(it))
			}
			return nil, out, nil
		})
	sdk.AddTool(srv, &sdk.Tool{Name: "get_fix_file",
		Description: "Get SECURITY-FIX.md for a finished scan: each finding with the change that fixes it."},
		func(ctx context.Context, _ *sdk.CallToolRequest, in IDInput) (*sdk.CallToolResult, any, error) {
			d, err := s.scans.Detail(ctx, acc.ID, in.ID)
			if err != nil {
				return nil, nil, s.toolError(err)
			}
			if d.Status.Active() {
				return nil, nil, errors.New("the scan has not finished yet; fetch its fixes when it has")
			}
			md := scans.FixMarkdown(d, s.now())
			// The markdown itself is the text content, so an assistant reads the file as is.
			return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: md}}},
				FixFile{Filename: "SECURITY-FIX.md", Markdown: md}, nil
		})
	sdk.AddTool(srv, &sdk.Tool{Name: "compare_scans",
		Description: "Compare a scan with an earlier one: grade and score change, new and fixed findings."},
		func(ctx context.Context, _ *sdk.CallToolRequest, in CompareInput) (*sdk.CallToolResult, any, error) {
			d, err := s.scans.Diff(ctx, acc.ID, in.ID, strings.TrimSpace(in.Against))
			if err != nil {
				return nil, nil, s.toolError(err)
			}
			return nil, d, nil
		})
	return srv
}

func (s *Server) detail(ctx context.Context, accountID, id string) (*sdk.CallToolResult, any, error) {
	d, err := s.scans.Detail(ctx, accountID, id)
	if err != nil {
		return nil, nil, s.toolError(err)
	}
	return nil, d, nil
}

// wait polls the scan until it leaves the active states or its depth's
// deadline (plus a little for the worker to record the end) has passed;
// the caller then returns whatever state the scan is in.
func (s *Server) wait(ctx context.Context, accountID string, sc *ent.Scan) error {
	ctx, cancel := context.WithTimeout(ctx, sc.Depth.Deadline()+5*time.Second)
	defer cancel()
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		cur, err := s.scans.Get(ctx, accountID, sc.ID)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if !cur.Status.Active() {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// toolError turns a service error into the tool error the assistant
// reads: the typed errors of app/errs carry a message meant for the
// caller; anything else is logged and reported as an internal error, since
// its text may hold details that are not the caller's business.
func (s *Server) toolError(err error) error {
	if errors.Is(err, errs.ErrNotFound) {
		return errors.New("not found")
	}
	var (
		v  *errs.Validation
		c  *errs.Conflict
		q  *errs.QuotaExceeded
		f  *errs.Forbidden
		rl *errs.RateLimited
		tr *errs.TargetRefused
		g  *errs.Gone
		u  *errs.Unavailable
	)
	if errors.As(err, &v) || errors.As(err, &c) || errors.As(err, &q) || errors.As(err, &f) || errors.As(err, &rl) ||
		errors.As(err, &tr) || errors.As(err, &g) || errors.As(err, &u) {
		return err
	}
	s.log.Error("mcp tool failed", "err", err)
	return errors.New("internal error")
}
