package httpx

import (
	"log/slog"
	"net/netip"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/gofiber/fiber/v2/utils"
)

// LocalRequestID is where the request id is kept in the request's locals.
const LocalRequestID = "requestid"

// RequestID gives every request an id, in the X-Request-ID response header
// and in every log line about the request, so an operator can join a
// user's report, the access log and an error. An id sent by a proxy in
// front is kept when it is short and plain; anything else is replaced, so
// a client cannot write what it likes into our logs and headers. New ids
// are random (UUIDv4): the default counter would tell anyone our request rate.
func RequestID() fiber.Handler {
	rid := requestid.New(requestid.Config{Generator: utils.UUIDv4, ContextKey: LocalRequestID})
	return func(c *fiber.Ctx) error {
		if h := c.Get(fiber.HeaderXRequestID); h != "" && !plainID(h) {
			c.Request().Header.Del(fiber.HeaderXRequestID)
		}
		return rid(c)
	}
}

// plainID accepts up to 64 letters, digits, '-', '_' and '.'.
func plainID(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// RequestIDOf returns the request's id ("" outside RequestID).
func RequestIDOf(c *fiber.Ctx) string {
	id, _ := c.Locals(LocalRequestID).(string)
	return id
}

// AccessLog writes one line per request: method, path, status, duration_ms,
// bytes (-1 for a stream), client_ip and request_id. The path is logged without its query
// string, which can carry tokens (a sign-up link's, an unsubscribe key).
// An error a handler returns is answered here, through the app's error
// handler, so the line shows the status the client got.
func AccessLog(log *slog.Logger, trusted []netip.Prefix) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		if err := c.Next(); err != nil {
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		status := c.Response().StatusCode()
		// A streamed body (event streams) is not counted: reading its size
		// here would drain the stream before the client gets it.
		size := -1
		if !c.Response().IsBodyStream() {
			size = len(c.Response().Body())
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelWarn
		}
		log.LogAttrs(c.UserContext(), level, "request",
			slog.String("method", c.Method()),
			slog.String("path", c.Path()),
			slog.Int("status", status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.Int("bytes", size),
			slog.String("client_ip", ClientIP(c, trusted)),
			slog.String("request_id", RequestIDOf(c)),
		)
		return nil
	}
}
