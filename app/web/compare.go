package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/views/model"
	"github.com/palisade/palisade/views/pages"
)

// previousChanges is the "Changes since the previous scan" panel of a
// graded scan: nil when the account has no earlier graded scan of the same
// target (docs/scoring.md, "Comparing two scans"), or the two cannot be
// compared.
func (h *Handler) previousChanges(ctx context.Context, sc *ent.Scan, res *scanner.Result) (*model.Changes, error) {
	prev, prevRes, err := scans.PreviousComparable(ctx, h.read, sc)
	if err != nil || prev == nil {
		return nil, err
	}
	d, err := scanner.Compare(prevRes, res)
	if errors.Is(err, scanner.ErrNotComparable) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return h.changes(prev, sc, prevRes, res, d), nil
}

// notComparable says why two stored scans cannot be compared before the
// engine is asked ("" when they may be): the engine's own reasons cover the
// rest (scanner.Compare).
func notComparable(a, b *ent.Scan, aRes, bRes *scanner.Result) string {
	if a.ID == b.ID {
		return "A scan cannot be compared with itself. Pick another scan of this target."
	}
	for _, s := range []struct {
		sc  *ent.Scan
		res *scanner.Result
	}{{a, aRes}, {b, bRes}} {
		if graded(s.sc, s.res) {
			continue
		}
		when := s.sc.CreatedAt.UTC().Format("2 Jan 2006 15:04")
		if !s.sc.Status.Terminal() {
			return "The scan of " + when + " has not finished yet."
		}
		why := "it has no grade"
		if ng := notGraded(s.sc.Status, s.sc.Error, s.res); ng != nil {
			why = ng.Detail
		}
		return "The scan of " + when + " was not graded, so there is nothing to compare: " + why
	}
	if !scanner.SameTarget(a.TargetURL, b.TargetURL) {
		return "These scans are of different targets (" + a.TargetURL + " and " + b.TargetURL +
			"): only scans of the same scheme, host, port and path are compared."
	}
	return ""
}

// comparePage compares the scan with ?against= (by default the previous
// graded scan of the same target): 404 for a scan of another account or
// none, 409 with the reason when the two are not comparable.
func (h *Handler) comparePage(c *fiber.Ctx) error {
	ctx, acc := c.UserContext(), session(c).Account.ID
	sc, err := h.scans.Get(ctx, acc, c.Params("id"))
	if err != nil {
		return err
	}
	res, err := decodeStored(sc)
	if err != nil {
		return err
	}
	against := c.Query("against")
	data := pages.ComparePageData{Scan: h.scanSide(sc, res)}
	if data.Picker, err = h.comparePicker(ctx, acc, sc, against); err != nil {
		return err
	}
	var other *ent.Scan
	var otherRes *scanner.Result
	if against == "" {
		if graded(sc, res) {
			if other, otherRes, err = scans.PreviousComparable(ctx, h.read, sc); err != nil {
				return err
			}
		}
		if other == nil {
			data.Empty = "There is no earlier graded scan of this target to compare with."
			if len(data.Picker.Options) > 0 {
				data.Empty = "Pick a scan of this target to compare with."
			}
			return httpx.Render(c, http.StatusOK, pages.ComparePage(data), nil)
		}
	} else {
		if other, err = h.scans.Get(ctx, acc, against); err != nil {
			return err
		}
		if otherRes, err = decodeStored(other); err != nil {
			return err
		}
	}
	before, after, beforeRes, afterRes := other, sc, otherRes, res
	if other.CreatedAt.After(sc.CreatedAt) {
		before, after, beforeRes, afterRes = sc, other, res, otherRes
	}
	bs, as := h.scanSide(before, beforeRes), h.scanSide(after, afterRes)
	data.Before, data.After = &bs, &as
	if data.Reason = notComparable(before, after, beforeRes, afterRes); data.Reason != "" {
		return httpx.Render(c, http.StatusConflict, pages.ComparePage(data), nil)
	}
	d, err := scanner.Compare(beforeRes, afterRes)
	var nc *scanner.NotComparableError
	if errors.As(err, &nc) {
		data.Reason = "These scans cannot be compared: " + nc.Reason + "."
		return httpx.Render(c, http.StatusConflict, pages.ComparePage(data), nil)
	}
	if err != nil {
		return err
	}
	data.Diff = h.changes(before, after, beforeRes, afterRes, d)
	return httpx.Render(c, http.StatusOK, pages.ComparePage(data), nil)
}
