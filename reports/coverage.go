package reports

// coverage is the cover's "What was read" line: pages, scripts, truncated
// bodies and probes (scanner.Coverage.Summary) and, when a limit left
// something unread, which, so a report without findings is read for what it
// covers (docs/scoring.md, "Coverage"). Nothing is drawn for a result that
// does not record coverage. File names in it come from the scanned site:
// cleaned to one line and redacted like every other text from there.
func (r *renderer) coverage() {
	c := r.res.Coverage
	if c == nil {
		return
	}
	s := c.Summary()
	if l := c.Limits(); l != "" {
		s += ". Not everything was read: " + l + "."
	}
	r.ensure(14)
	r.sans(7.3)
	r.color(colMuted)
	r.text(marginL, r.y(), contentW, 4, "WHAT WAS READ", "L")
	r.space(4.6)
	r.sans(9.5)
	r.color(colInk)
	r.para(marginL, contentW, 4.6, oneLine(redact(s)))
	r.space(3)
}
