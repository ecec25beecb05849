package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/views/model"
	"github.com/palisade/palisade/views/pages"
)

// previousChanges is the "Changes since the previous scan" panel of a
// graded scan: nil when the account has no earlier graded scan of the same
// target (docs/scoring.md, "Comparing two scans"), or the two cannot be
// compared.
func (h *Handler) previousChanges(ctx context.Context, sc *ent.Scan, res *scanner.Result) (*model.Changes, error) {
	prev, prevRes, err := h.scans.Previous(ctx, sc.AccountID, sc)
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
			if other, otherRes, err = h.scans.Previous(ctx, acc, sc); err != nil {
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
	// One comparison for every surface: the service says why two scans are
	// not comparable (docs/scoring.md, "Comparing two scans").
	dv, err := h.scans.Diff(ctx, acc, after.ID, before.ID)
	var conflict *errs.Conflict
	if errors.As(err, &conflict) {
		data.Reason = sentence(conflict.Message)
		return httpx.Render(c, http.StatusConflict, pages.ComparePage(data), nil)
	}
	if err != nil {
		return err
	}
	d := &dv.Diff
	data.Diff = h.changes(before, after, beforeRes, afterRes, d)
	return httpx.Render(c, http.StatusOK, pages.ComparePage(data), nil)
}
