package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/alerts"
	"github.com/palisade/palisade/app/auth"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/app/mcp"
	"github.com/palisade/palisade/app/monitors"
	"github.com/palisade/palisade/app/ratelimit"
	"github.com/palisade/palisade/app/reporting"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/app/sites"
	"github.com/palisade/palisade/billing"
)

// MaxBody is the largest request body the API reads.
const MaxBody = 64 << 10

// Handler serves /api/v1.
type Handler struct {
	auth    *auth.Service
	scans   *scans.Service
	reports *reporting.Service
	limiter *ratelimit.Limiter
	log     *slog.Logger
	// RateOverride, when positive, replaces the plans' requests per minute (load tests only).
	RateOverride int
	// Sites, Monitors and Alerts serve /sites, /monitors and /webhooks (set by the container).
	Sites    *sites.Service
	Monitors *monitors.Service
	Alerts   *alerts.Service
	// MCP, when set, serves /mcp with the same key check (app/mcp).
	MCP *mcp.Server
}

// NewHandler wires the API surface.
func NewHandler(a *auth.Service, s *scans.Service, r *reporting.Service, l *ratelimit.Limiter, log *slog.Logger) *Handler {
	return &Handler{auth: a, scans: s, reports: r, limiter: l, log: log}
}

const localKey = "apikey"

// requireKey authenticates `Authorization: Bearer pal_…` or `X-API-Key`.
func (h *Handler) requireKey(c *fiber.Ctx) error {
	key := c.Get("X-API-Key")
	if a := c.Get(fiber.HeaderAuthorization); a != "" {
		scheme, tok, ok := strings.Cut(a, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return &errs.Unauthenticated{Message: "use Authorization: Bearer <api key>"}
		}
		key = strings.TrimSpace(tok)
	}
	if key == "" {
		return &errs.Unauthenticated{Message: "an API key is required: send Authorization: Bearer <api key>"}
	}
	info, err := h.auth.AuthenticateKey(c.UserContext(), key)
	if err != nil {
		// Unknown, revoked and expired keys are Forbidden kinds already.
		return err
	}
	c.Locals(localKey, info)
	h.auth.RecordKeyUse(info.Key.ID)
	return h.rateLimit(c, info)
}

// rateLimit applies the plan's requests per minute to the key, shared by
// every instance, and reports the state in X-RateLimit-* on every answer.
func (h *Handler) rateLimit(c *fiber.Ctx, info *auth.APIKeyInfo) error {
	perMinute := billing.Lookup(string(info.Account.Plan)).RequestsPerMinute
	if h.RateOverride > 0 {
		perMinute = h.RateOverride
	}
	d, err := h.limiter.Allow(c.UserContext(), info.Key.ID, perMinute)
	if err != nil {
		return err
	}
	c.Set("X-RateLimit-Limit", strconv.Itoa(d.Limit))
	c.Set("X-RateLimit-Remaining", strconv.Itoa(d.Remaining))
	c.Set("X-RateLimit-Reset", strconv.FormatInt(d.Reset.Unix(), 10))
	if !d.Allowed {
		return &errs.RateLimited{RetryAfter: d.RetryAfter,
			Message: fmt.Sprintf("rate limit of %d requests per minute exceeded; retry in %d s", d.Limit, httpx.RetryAfterSeconds(d.RetryAfter))}
	}
	return c.Next()
}

func keyInfo(c *fiber.Ctx) *auth.APIKeyInfo { return c.Locals(localKey).(*auth.APIKeyInfo) }

// limitBody refuses bodies over MaxBody with 413 before anything reads them.
func (h *Handler) limitBody(c *fiber.Ctx) error {
	if len(c.Body()) > MaxBody {
		return &errs.TooLarge{Message: fmt.Sprintf("the request body is larger than %d KiB", MaxBody>>10)}
	}
	return c.Next()
}

func (h *Handler) notFound(c *fiber.Ctx) error {
	return &errs.NotFound{Message: "no such endpoint: " + c.Method() + " " + c.Path()}
}

// decodeJSON reads a JSON object body into v, answering 415 for another
// content type and 400 naming the field for wrong types.
func decodeJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(c.Get(fiber.HeaderContentType), ";")[0]))
	if ct != fiber.MIMEApplicationJSON {
		return fiber.NewError(http.StatusUnsupportedMediaType, "send the body as Content-Type: application/json")
	}
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return &errs.Validation{Field: te.Field, Message: fmt.Sprintf("field %q must be a %s", te.Field, te.Type.Kind())}
		}
		if errors.Is(err, io.EOF) {
			return &errs.Validation{Field: "body", Message: "the request body is empty; send a JSON object"}
		}
		return &errs.Validation{Field: "body", Message: "the request body is not valid JSON"}
	}
	if dec.More() {
		return &errs.Validation{Field: "body", Message: "the request body must hold one JSON object"}
	}
	return nil
}

type createScanRequest struct {
	URL   *string `json:"url"`
	Depth *string `json:"depth"`
}

type createScanResponse struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Domain    string    `json:"domain"`
	Depth     string    `json:"depth"`
	Status    string    `json:"status"`
	StatusURL string    `json:"statusUrl"`
	CreatedAt time.Time `json:"createdAt"`
}

func (h *Handler) createScan(c *fiber.Ctx) error {
	var req createScanRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.URL == nil || strings.TrimSpace(*req.URL) == "" {
		return &errs.Validation{Field: "url", Message: `field "url" is required, e.g. {"url":"https://example.com"}`}
	}
	depth := ""
	if req.Depth != nil {
		depth = *req.Depth
		if depth == "" {
			return &errs.Validation{Field: "depth", Message: `field "depth" must be QUICK, STANDARD or DEEP`}
		}
	}
	sc, err := h.scans.Accept(c.UserContext(), keyInfo(c).Account, strings.TrimSpace(*req.URL), depth)
	if err != nil {
		return err
	}
	return c.Status(http.StatusAccepted).JSON(createScanResponse{
		ID: sc.ID, URL: sc.TargetURL, Domain: sc.TargetDomain, Depth: string(sc.Depth), Status: string(sc.Status),
		StatusURL: Prefix + "/scan/" + sc.ID, CreatedAt: sc.CreatedAt.UTC(),
	})
}

type listResponse[T any] struct {
	Data       []T              `json:"data"`
	Pagination scans.Pagination `json:"pagination"`
}

func queryInt(c *fiber.Ctx, name string) (int, error) {
	s := c.Query(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, &errs.Validation{Field: name, Message: fmt.Sprintf("%s must be a whole number", name)}
	}
	if n < 1 {
		return 0, &errs.Validation{Field: name, Message: fmt.Sprintf("%s must be 1 or more", name)}
	}
	return n, nil
}

// pageQuery reads and validates ?page and ?limit (0 when absent: the defaults apply).
func pageQuery(c *fiber.Ctx) (page, limit int, err error) {
	if page, err = queryInt(c, "page"); err != nil {
		return 0, 0, err
	}
	limit, err = queryInt(c, "limit")
	return page, limit, err
}

func (h *Handler) listScans(c *fiber.Ctx) error {
	page, limit, err := pageQuery(c)
	if err != nil {
		return err
	}
	items, pg, err := h.scans.List(c.UserContext(), keyInfo(c).Account.ID, scans.ListParams{
		Page: page, Limit: limit, Status: c.Query("status"), Domain: c.Query("domain"), Cursor: c.Query("cursor"),
	})
	if err != nil {
		return err
	}
	out := listResponse[scans.ScanSummary]{Data: make([]scans.ScanSummary, 0, len(items)), Pagination: pg}
	for _, it := range items {
		out.Data = append(out.Data, scans.SummaryOf(it))
	}
	return c.JSON(out)
}

func (h *Handler) getScan(c *fiber.Ctx) error {
	d, err := h.scans.Detail(c.UserContext(), keyInfo(c).Account.ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// scanDiff compares the scan with ?against= (default: the previous
// comparable scan of the same target).
func (h *Handler) scanDiff(c *fiber.Ctx) error {
	d, err := h.scans.Diff(c.UserContext(), keyInfo(c).Account.ID, c.Params("id"), strings.TrimSpace(c.Query("against")))
	if err != nil {
		return err
	}
	return c.JSON(d)
}
