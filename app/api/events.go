package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/scans"
)

// EventPoll is how often the event stream looks for new progress rows.
// Progress lives in the database, so any instance can stream any scan.
var EventPoll = 200 * time.Millisecond

// scanEvents streams a scan's progress as Server-Sent Events: everything so
// far first (a late subscriber catches up), then new events as they are
// recorded, ending after the terminal event.
func (h *Handler) scanEvents(c *fiber.Ctx) error {
	accountID := keyInfo(c).Account.ID
	// The stream outlives the handler, and Fiber reuses its buffers: copy.
	id := strings.Clone(c.Params("id"))
	// Resolve the scan now so a foreign or missing id is a plain 404, not a stream.
	if _, err := h.scans.Get(c.UserContext(), accountID, id); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		last := 0
		idle := time.Now()
		for {
			evs, err := h.scans.Events(ctx, accountID, id, last)
			if err != nil {
				h.log.Warn("streaming scan events", "scan_id", id, "err", err)
				return
			}
			for _, e := range evs {
				last = e.ID
				if err := writeEvent(w, e.ID, e.Kind, eventData(e.Kind, e.CheckID, e.Name, e.Status)); err != nil {
					return // the client went away
				}
				if scans.IsTerminalEvent(e.Kind) {
					_ = w.Flush()
					return
				}
			}
			if len(evs) > 0 {
				idle = time.Now()
			} else if time.Since(idle) > 15*time.Second {
				// A comment keeps proxies from closing a quiet stream and detects gone clients.
				if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
					return
				}
				idle = time.Now()
			}
			if err := w.Flush(); err != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(EventPoll):
			}
		}
	})
	return nil
}

func eventData(kind domain.EventKind, checkID, name, status string) map[string]string {
	switch kind {
	case domain.EventCheckComplete:
		return map[string]string{"id": checkID, "name": name, "status": status}
	case domain.EventStart:
		return map[string]string{"status": string(domain.StatusRunning)}
	}
	d := map[string]string{"status": status}
	if name != "" {
		d["error"] = name
	}
	return d
}

func writeEvent(w *bufio.Writer, id int, kind domain.EventKind, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", id, kind, b)
	return err
}

func (h *Handler) cancelScan(c *fiber.Ctx) error {
	sc, err := h.scans.Cancel(c.UserContext(), keyInfo(c).Account.ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.Status(http.StatusAccepted).JSON(scans.SummaryOf(sc))
}
