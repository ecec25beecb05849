// Package reports renders one version of a scan report as a PDF. It is a
// pure function of its Input: no clock, no randomness, no I/O beyond the
// embedded fonts, so the same Input always yields the same bytes and the stored sha256 of a version stays true.
// Storage, versioning and the job that calls Render live elsewhere.
package reports

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/palisade/palisade/app/scanner"
)

// Input is everything one report version shows. The caller loads it from the
// database; Render never looks anything up, which is what keeps a version
// reproducible.
type Input struct {
	// ScanID is printed so a reader can find the scan the report came from.
	ScanID string
	// Version is the report version (1, 2, 3 …) shown on the cover and footer,
	// so two downloads of the same scan can be told apart.
	Version int
	// ScannedAt is the scan completion time: the moment the findings describe.
	ScannedAt time.Time
	// GeneratedAt is when this version was created; it is also the PDF's
	// creation and modification date, so it must be stored, not re-read
	// from the clock, for a re-render to reproduce the stored bytes.
	GeneratedAt time.Time
	// Result is the scan being reported; required.
	Result *scanner.Result
	// Diff compares Result with the previous comparable scan of the same
	// target (scanner.Compare), or is nil; when set and Result is graded, a
	// "changes since" section shows it. Render never compares scans itself.
	Diff *scanner.Diff
	// PreviousScanID is the id of the scan Diff compares with.
	PreviousScanID string
	// PreviousAt is that scan's completion time, used when Diff.Before has
	// no ScannedAt (results stored before it existed).
	PreviousAt time.Time
}

// Title is the human title of a report, stored on the Report row and used as
// the PDF's document title, so the list in the app and the PDF viewer agree.
func Title(in Input) string {
	if d := displayDomain(in); d != "" {
		return "Security Report — " + oneLine(d+targetPort(in))
	}
	return "Security Report"
}

// targetPort is ":port" when the target URL names a port other than its
// scheme's default, so reports of https://host and https://host:8443 (two
// targets, never compared) can be told apart by their titles.
func targetPort(in Input) string {
	if in.Result == nil {
		return ""
	}
	u, err := url.Parse(strings.TrimSpace(in.Result.TargetURL))
	if err != nil {
		return ""
	}
	p := u.Port()
	if p == "" || (p == "443" && strings.EqualFold(u.Scheme, "https")) || (p == "80" && strings.EqualFold(u.Scheme, "http")) {
		return ""
	}
	return ":" + p
}

// ErrNoResult is returned by Render when Input.Result is nil: a report of a
// scan that has no result is a caller bug, not an empty document.
var ErrNoResult = errors.New("reports: input has no scan result")

// Render lays out the report and returns the PDF bytes. It is deterministic
// for a given Input (document dates come from GeneratedAt, falling back to
// ScannedAt, then to the Unix epoch) and safe for concurrent use.
func Render(in Input) ([]byte, error) { return renderPDF(in, true) }

// renderPDF is Render; with ownCompression unset gofpdf compresses the page
// streams itself, which TestPageCompressionMatchesGofpdf compares against.
func renderPDF(in Input, ownCompression bool) ([]byte, error) {
	if in.Result == nil {
		return nil, ErrNoResult
	}
	r := newRenderer(in)
	r.pdf.SetCompression(!ownCompression)
	r.build()
	r.finish()
	var buf bytes.Buffer
	if err := r.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("reports: render pdf: %w", err)
	}
	if !ownCompression {
		return buf.Bytes(), nil
	}
	return compressPageStreams(buf.Bytes())
}

// Page geometry in millimetres (A4 portrait).
const (
	pageW      = 210.0
	pageH      = 297.0
	marginL    = 20.0
	marginR    = 20.0
	contentW   = pageW - marginL - marginR
	rightX     = pageW - marginR
	contentTop = 24.0
	bottomGap  = 22.0
	bottomY    = pageH - bottomGap
	footerY    = pageH - 14.0
)

// Page numbers are right-aligned for up to pageDigits figures.
const pageDigits = 3

type tocEntry struct {
	title  string
	anchor string
	level  int
}

// pageNumber is a page number drawn once every page exists: the page of
// anchor, written at (x, y) on page in a box w wide, aligned by align.
type pageNumber struct {
	page       int
	x, y, w, h float64
	anchor     string
	align      string
	size       float64
	color      rgb
}

type renderer struct {
	pdf    *gofpdf.Fpdf
	in     Input
	res    *scanner.Result
	domain string
	label  string // domain with a non-default port, for the running header and footer
	genAt  time.Time
	fam    string // current font, mirrored so widths can be cached per font
	style  string
	size   float64
	widths map[string]map[rune]float64
	cw     map[rune]float64 // widths of the current font, from widths
	links  map[string]int
	pages  map[string]int
	refs   []pageNumber // page numbers to draw when the document is complete
	toc    []tocEntry
	sorted []scanner.Finding
	counts map[scanner.Severity]int
}

func newRenderer(in Input) *renderer {
	gen := in.GeneratedAt
	if gen.IsZero() {
		gen = in.ScannedAt
	}
	if gen.IsZero() {
		gen = time.Unix(0, 0)
	}
	r := &renderer{
		in:     in,
		res:    in.Result,
		domain: oneLine(displayDomain(in)),
		genAt:  gen.UTC(),
		widths: map[string]map[rune]float64{},
		links:  map[string]int{},
		pages:  map[string]int{},
		counts: map[scanner.Severity]int{},
	}
	if r.domain == "" {
		r.domain = "unknown site"
	}
	r.label = r.domain + oneLine(targetPort(in))
	r.sorted = append([]scanner.Finding(nil), r.res.Findings...)
	sort.SliceStable(r.sorted, func(i, j int) bool {
		return scanner.SeverityRank(normSeverity(r.sorted[i].Severity)) < scanner.SeverityRank(normSeverity(r.sorted[j].Severity))
	})
	for _, f := range r.sorted {
		r.counts[normSeverity(f.Severity)]++
	}

	pdf := gofpdf.NewCustom(&gofpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	r.pdf = pdf
	pdf.SetMargins(marginL, contentTop, marginR)
	pdf.SetAutoPageBreak(true, bottomGap)
	pdf.SetCellMargin(0)
	// gofpdf 1.16.2 appends to slices of the font bytes while subsetting
	// (utf8FontFile.generateChecksum), writing into the array it was given;
	// each document gets its own copy so concurrent renders never share it.
	pdf.AddUTF8FontFromBytes(famSans, "", bytes.Clone(fontSans))
	pdf.AddUTF8FontFromBytes(famSans, "B", bytes.Clone(fontSansBold))
	pdf.AddUTF8FontFromBytes(famMono, "", bytes.Clone(fontMono))
	pdf.SetCreationDate(r.genAt)
	pdf.SetModificationDate(r.genAt)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(Title(in), true)
	pdf.SetSubject(subject(r.res), true)
	pdf.SetAuthor("Palisade", true)
	pdf.SetCreator("Palisade", true)
	pdf.SetProducer("Palisade report renderer (gofpdf)", true)
	kw := oneLine(r.domain) + " security report"
	if v := oneLine(r.res.ScoringVersion); v != "" {
		kw += " scoring-version " + v
	}
	pdf.SetKeywords(kw, true)
	pdf.SetDisplayMode("fullwidth", "continuous")
	pdf.SetHeaderFuncMode(r.header, true)
	return r
}

// subject is the PDF's subject line: what the document is, whether it has a
// grade, and the scoring version the grade was given under. It never states
// a grade for a scan that has none.
func subject(res *scanner.Result) string {
	s := "Website security scan report"
	if res.NotGraded != nil {
		s += " (not graded)"
	}
	if v := oneLine(res.ScoringVersion); v != "" {
		s += " · scoring version " + v
	}
	return s
}

// graded reports whether the result carries a grade: a scan that could not
// run has no grade, no score and no fix list anywhere in the report.
func (r *renderer) graded() bool { return r.res.NotGraded == nil }

// diff is the comparison to show, nil when there is none or the scan was
// not graded.
func (r *renderer) diff() *scanner.Diff {
	if !r.graded() {
		return nil
	}
	return r.in.Diff
}

// scannedAt is when the scan ran: the result's own time, else the time the
// caller passed.
func (r *renderer) scannedAt() time.Time {
	if t := r.res.ScannedAt; !t.IsZero() {
		return t
	}
	return r.in.ScannedAt
}

// capped is the grade cap to explain, nil when the grade is the score's letter.
func (r *renderer) capped() *scanner.GradeCap {
	if !r.graded() || r.res.GradeCap == nil {
		return nil
	}
	return r.res.GradeCap
}

// capText is "Capped at F: <reason>" for a cap, cleaned (the reason may
// quote what the site sent).
func capText(c *scanner.GradeCap) string { return "C" + capPhrase(c)[1:] }

// capPhrase is capText in lower case, for the middle of a sentence.
func capPhrase(c *scanner.GradeCap) string {
	s := "capped at " + orDash(oneLine(c.Grade))
	if reason := strings.TrimRight(oneLine(redact(c.Reason)), ". "); reason != "" {
		s += ": " + reason
	}
	return s + "."
}

// ---- low-level drawing helpers ----

func (r *renderer) font(fam, style string, size float64) {
	r.pdf.SetFont(fam, style, size)
	if fam != r.fam || style != r.style {
		r.cw = nil
	}
	r.fam, r.style, r.size = fam, style, size
}

// keepFont restores the mirrored font state when the returned func runs;
// gofpdf itself restores the real font after header and footer.
func (r *renderer) keepFont() func() {
	fam, style, size := r.fam, r.style, r.size
	return func() { r.fam, r.style, r.size, r.cw = fam, style, size, nil }
}

func (r *renderer) sans(size float64) { r.font(famSans, "", size) }
func (r *renderer) bold(size float64) { r.font(famSans, "B", size) }
func (r *renderer) mono(size float64) { r.font(famMono, "", size) }

func (r *renderer) color(c rgb)     { r.pdf.SetTextColor(c.r, c.g, c.b) }
func (r *renderer) fill(c rgb)      { r.pdf.SetFillColor(c.r, c.g, c.b) }
func (r *renderer) draw(c rgb)      { r.pdf.SetDrawColor(c.r, c.g, c.b) }
func (r *renderer) y() float64      { return r.pdf.GetY() }
func (r *renderer) setY(y float64)  { r.pdf.SetY(y) }
func (r *renderer) space(h float64) { r.setY(r.y() + h) }

// runeW is the width in mm of r in the current font, cached per font.
func (r *renderer) runeW(c rune) float64 {
	m := r.cw
	if m == nil {
		key := r.fam + "/" + r.style
		if m = r.widths[key]; m == nil {
			m = map[rune]float64{}
			r.widths[key] = m
		}
		r.cw = m
	}
	u, ok := m[c]
	if !ok {
		u = float64(r.pdf.GetStringSymbolWidth(string(c)))
		m[c] = u
	}
	return u * r.size / 1000 * 25.4 / 72
}

// numW is the width of a padded page number drawn at size in the regular face.
func (r *renderer) numW(size float64) float64 {
	fam, style, cur := r.fam, r.style, r.size
	r.sans(size)
	w := float64(pageDigits) * r.runeW('0')
	if fam != "" {
		r.font(fam, style, cur)
	}
	return w
}

func (r *renderer) strW(s string) float64 {
	w := 0.0
	for _, c := range s {
		w += r.runeW(c)
	}
	return w
}

// text draws one already-fitted line at (x, y) in a box of height h.
func (r *renderer) text(x, y, w, h float64, s, align string) {
	r.pdf.SetXY(x, y)
	r.pdf.CellFormat(w, h, s, "", 0, align, false, 0, "")
}

// fit shortens s with an ellipsis so it fits in w; for one-line furniture
// (running header, footer) where wrapping is not an option.
func (r *renderer) fit(s string, w float64) string {
	if r.strW(s) <= w {
		return s
	}
	rs := []rune(s)
	ell := r.runeW('…')
	total := 0.0
	for i, c := range rs {
		total += r.runeW(c)
		if total+ell > w {
			return string(rs[:i]) + "…"
		}
	}
	return s
}

// ensure starts a new page when h more millimetres do not fit on this one.
func (r *renderer) ensure(h float64) {
	if r.y()+h > bottomY {
		r.pdf.AddPage()
	}
}

// lines wraps s (already cleaned) to width w.
func (r *renderer) lines(s string, w float64) []string {
	return wrap(s, w, r.runeW)
}

// para draws wrapped text at x within w, line by line, breaking pages between
// lines so nothing is ever cut off.
func (r *renderer) para(x, w, lh float64, s string) {
	for _, l := range r.lines(s, w) {
		r.ensure(lh)
		r.text(x, r.y(), w, lh, l, "L")
		r.space(lh)
	}
}

// block draws wrapped monospace text on a shaded panel with a left rule in
// accent; the panel is drawn line by line so it continues across pages.
func (r *renderer) block(x, w float64, s string, accent rgb) {
	const pad, lh, size = 2.2, 3.7, 7.8
	r.mono(size)
	ls := r.lines(s, w-2*pad-1)
	for i, l := range ls {
		top, bottom := 0.0, 0.0
		if i == 0 {
			top = pad * 0.8
		}
		if i == len(ls)-1 {
			bottom = pad * 0.8
		}
		r.ensure(top + lh + bottom)
		if i > 0 && r.y() == contentTop {
			top = pad * 0.8 // continued on a new page: open the panel again
		}
		y := r.y()
		r.fill(colPanel)
		r.pdf.Rect(x, y, w, top+lh+bottom, "F")
		r.fill(accent)
		r.pdf.Rect(x, y, 0.7, top+lh+bottom, "F")
		r.color(colInk)
		r.mono(size)
		r.text(x+pad+0.7, y+top, w-2*pad-1, lh, l, "L")
		r.setY(y + top + lh + bottom)
	}
}

// pill draws a small filled label and returns its width.
func (r *renderer) pill(x, y float64, label string, bg, fg rgb, size float64) float64 {
	r.bold(size)
	h := size*0.55 + 1.6
	w := r.strW(label) + 3.2
	r.fill(bg)
	r.pdf.RoundedRect(x, y, w, h, 0.9, "1234", "F")
	r.color(fg)
	r.text(x, y, w, h, label, "C")
	return w
}

func (r *renderer) pillW(label string, size float64) float64 {
	r.bold(size)
	return r.strW(label) + 3.2
}

func (r *renderer) rule(y float64) {
	r.draw(colRule)
	r.pdf.SetLineWidth(0.2)
	r.pdf.Line(marginL, y, rightX, y)
}

// anchor marks the current position as the target of name (for the table of
// contents, bookmarks' links and "see page N" references).
func (r *renderer) anchor(name string) {
	r.pdf.SetLink(r.link(name), r.y(), r.pdf.PageNo())
	r.pages[name] = r.pdf.PageNo()
}

func (r *renderer) link(name string) int {
	id, ok := r.links[name]
	if !ok {
		id = r.pdf.AddLink()
		r.links[name] = id
	}
	return id
}

// pageNumber records that the page of anchor is to be drawn at (x, y) on
// the current page in the current font and colour; finish draws it.
func (r *renderer) pageNumber(anchor string, x, y, w, h float64, align string, c rgb) {
	r.refs = append(r.refs, pageNumber{page: r.pdf.PageNo(), x: x, y: y, w: w, h: h,
		anchor: anchor, align: align, size: r.size, color: c})
}

// finish draws what needs the finished document: the "Page N of M" footers
// and the page numbers of the table of contents and of the summary's
// references. It goes back to each page with SetPage instead of leaving
// placeholders for gofpdf's RegisterAlias/AliasNbPages, because gofpdf
// replaces an alias by converting every page to a string and back, once per
// alias and per encoding (see replaceAliases in gofpdf 1.16.2): with a dozen
// references and 40 pages that was a sixth of the render time
// (docs/BENCHMARKS.md, reports).
func (r *renderer) finish() {
	total := r.pdf.PageNo()
	// The footer sits below the bottom margin; automatic page breaks would
	// otherwise start a new page for it.
	r.pdf.SetAutoPageBreak(false, 0)
	byPage := make(map[int][]pageNumber, total)
	for _, ref := range r.refs {
		byPage[ref.page] = append(byPage[ref.page], ref)
	}
	for p := 1; p <= total; p++ {
		r.pdf.SetPage(p)
		r.resetState()
		r.footer(p, total)
		for _, ref := range byPage[p] {
			n := "–"
			if pg, ok := r.pages[ref.anchor]; ok {
				n = strconv.Itoa(pg)
			}
			r.sans(ref.size)
			r.color(ref.color)
			r.text(ref.x, ref.y, ref.w, ref.h, n, ref.align)
		}
	}
	r.pdf.SetPage(total)
}

// resetState makes the graphics state that gofpdf believes in true again on
// a page drawn earlier, whose content stream may have ended with another
// font or colour: gofpdf skips a SetFont equal to its current font, so the
// font is emitted unconditionally (SetFontSize always writes Tf).
func (r *renderer) resetState() {
	r.sans(7.5)
	r.pdf.SetFontSize(7.5)
	r.pdf.SetDashPattern(nil, 0)
	r.fill(colWhite)
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2 January 2006, 15:04 UTC")
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2 Jan 2006")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// ---- page furniture ----

func (r *renderer) header() {
	if r.pdf.PageNo() == 1 {
		return
	}
	defer r.keepFont()()
	r.bold(7.5)
	r.color(colBrand)
	r.text(marginL, 10, 20, 4, "Palisade", "L")
	bw := r.strW("Palisade")
	r.sans(7.5)
	r.color(colMuted)
	right := "Version " + strconv.Itoa(r.in.Version) + " · scanned " + fmtDate(r.scannedAt())
	rw := r.strW(right)
	r.text(rightX-rw, 10, rw, 4, right, "L")
	left := " · Security report · " + r.label
	r.text(marginL+bw, 10, contentW-bw-rw-4, 4, r.fit(left, contentW-bw-rw-4), "L")
	r.rule(15)
}

// footer draws page p's furniture; total is the final page count.
func (r *renderer) footer(p, total int) {
	r.rule(footerY - 2)
	r.sans(7.5)
	r.color(colMuted)
	page := "Page " + strconv.Itoa(p) + " of " + strconv.Itoa(total)
	// the box is as wide as the widest "Page N of M" up to pageDigits
	// figures, so the left text is cut at the same place on every page
	pw := r.strW("Page  of ") + float64(2*pageDigits)*r.runeW('0')
	r.text(rightX-pw, footerY, pw, 4, page, "R")
	left := "Palisade security report · " + r.label + " · version " + strconv.Itoa(r.in.Version) +
		" · generated " + fmtTime(r.genAt)
	r.text(marginL, footerY, contentW-pw-6, 4, r.fit(left, contentW-pw-6), "L")
}

// h1 starts a top-level section: bookmark, anchor and heading.
func (r *renderer) h1(title, anchor string) {
	r.ensure(32)
	if r.y() > contentTop+0.1 {
		r.space(8)
	}
	r.pdf.Bookmark(title, 0, r.y())
	r.anchor(anchor)
	r.bold(15)
	r.color(colInk)
	r.text(marginL, r.y(), contentW, 7, title, "L")
	r.space(8.5)
	r.fill(colBrand)
	r.pdf.Rect(marginL, r.y(), 14, 0.7, "F")
	r.space(5.5)
}

// h2 is a subsection heading; bookmarked at level 1 when anchor is set.
func (r *renderer) h2(title, anchor string) {
	r.ensure(22)
	r.space(2)
	if anchor != "" {
		r.pdf.Bookmark(title, 1, r.y())
		r.anchor(anchor)
	}
	r.bold(11)
	r.color(colInk)
	r.para(marginL, contentW, 5.5, title)
	r.space(1.5)
}

func (r *renderer) newPage() {
	r.pdf.AddPage()
}

// ---- document ----

func (r *renderer) build() {
	r.planTOC()
	r.newPage()
	r.cover()
	r.contents()
	if r.pdf.PageNo() == 1 {
		r.newPage()
	}
	r.summary()
	if r.graded() {
		r.categories()
		if r.diff() != nil {
			r.changes()
		}
		r.newPage()
		r.findings()
	}
	// A scan that was not graded judged nothing: its checks are not listed
	// (as on the scan page and in the CLI), so no pass or fail is shown.
	if r.graded() && hasChecks(r.res) {
		r.newPage()
		r.checks()
	}
	r.newPage()
	r.tls()
	r.redirects()
	r.headers()
	r.about()
}

func hasChecks(res *scanner.Result) bool {
	return slices.ContainsFunc(res.Categories, func(c scanner.Category) bool { return len(c.Checks) > 0 })
}

func (r *renderer) planTOC() {
	r.toc = append(r.toc, tocEntry{"Executive summary", "summary", 0})
	if r.graded() {
		r.toc = append(r.toc, tocEntry{"Scores by category", "categories", 0})
		if r.diff() != nil {
			r.toc = append(r.toc, tocEntry{"Changes since the previous scan", "changes", 0})
		}
		r.toc = append(r.toc, tocEntry{"Findings", "findings", 0})
		for _, s := range severities {
			if n := r.counts[s]; n > 0 {
				r.toc = append(r.toc, tocEntry{severityLabel(s) + " (" + strconv.Itoa(n) + ")", "sev-" + string(s), 1})
			}
		}
	}
	if r.graded() && hasChecks(r.res) {
		r.toc = append(r.toc, tocEntry{"All checks", "checks", 0})
	}
	r.toc = append(r.toc,
		tocEntry{"TLS certificate", "tls", 0},
		tocEntry{"Redirect chain", "redirects", 0},
		tocEntry{"Response headers", "headers", 0},
		tocEntry{"About this report", "about", 0})
}

func (r *renderer) cover() {
	pdf := r.pdf
	r.pdf.Bookmark("Cover", 0, 0)
	// brand mark: three drawn palisade stakes, then the name
	r.fill(colBrand)
	for i, top := range []float64{19.5, 18.5, 19.5} {
		x := 20 + float64(i)*3.1
		pdf.Polygon([]gofpdf.PointType{
			{X: x, Y: top + 1.6}, {X: x + 1.2, Y: top}, {X: x + 2.4, Y: top + 1.6},
			{X: x + 2.4, Y: 28.5}, {X: x, Y: 28.5},
		}, "F")
	}
	pdf.Rect(19.2, 24.2, 9.6, 1.1, "F")
	r.bold(15)
	r.color(colInk)
	r.text(31, 19.2, 60, 8, "Palisade", "L")
	r.sans(8.5)
	r.color(colMuted)
	r.text(110, 20.5, 80, 6, "Website security report", "R")
	r.rule(35)

	r.setY(47)
	r.bold(8)
	r.color(colBrand)
	r.text(marginL, r.y(), contentW, 4, "SECURITY REPORT", "L")
	r.space(6)
	// the domain as large as it fits on two lines
	for _, size := range []float64{26, 20, 16, 13} {
		r.bold(size)
		if len(r.lines(r.domain, contentW)) <= 2 {
			break
		}
	}
	r.color(colInk)
	r.para(marginL, contentW, r.size*0.42, r.domain)
	if a := asciiDomain(r.domain); a != "" {
		r.mono(8.5)
		r.color(colMuted)
		r.para(marginL, contentW, 4.5, a+"  (ASCII form)")
	}
	if u := oneLine(displayURL(r.res.TargetURL)); u != "" {
		r.sans(9.5)
		r.color(colMuted)
		r.para(marginL, contentW, 4.8, u)
	}
	r.space(7)

	if r.graded() {
		r.gradePanel()
	} else {
		r.notGradedPanel()
	}

	// facts
	findings := strconv.Itoa(len(r.res.Findings))
	if !r.graded() {
		findings = "— (not graded)"
	}
	depth := depthLabel(r.res.Depth)
	if r.res.DurationMs > 0 {
		depth += " · " + durationText(r.res.DurationMs)
	}
	facts := [][2]string{
		{"Scanned", fmtTime(r.scannedAt())},
		{"Depth", depth},
		{"Findings", findings},
		{"Final URL", orDash(displayURL(r.res.FinalURL))},
		{"HTTP status", statusText(r.res.StatusCode)},
		{"Scoring version", orDash(r.res.ScoringVersion)},
		{"Report version", strconv.Itoa(r.in.Version)},
		{"Generated", fmtTime(r.genAt)},
		{"Scan ID", orDash(r.in.ScanID)},
	}
	colW := contentW / 3
	for i := 0; i < len(facts); i += 3 {
		var cols [][]string
		n := 0
		for j := 0; j < 3 && i+j < len(facts); j++ {
			r.sans(9.5)
			ls := r.lines(oneLine(redact(facts[i+j][1])), colW-5)
			if len(ls) > 3 {
				ls = append(ls[:2], r.fit(ls[2]+"…", colW-5))
			}
			cols = append(cols, ls)
			n = max(n, len(ls))
		}
		r.ensure(5 + float64(n)*4.6 + 4)
		y := r.y()
		for j, ls := range cols {
			cx := marginL + float64(j)*colW
			r.sans(7.3)
			r.color(colMuted)
			r.text(cx, y, colW-4, 4, strings.ToUpper(facts[i+j][0]), "L")
			r.sans(9.5)
			r.color(colInk)
			for k, l := range ls {
				r.text(cx, y+4.6+float64(k)*4.6, colW-5, 4.6, l, "L")
			}
		}
		r.setY(y + 4.6 + float64(n)*4.6 + 4)
	}
	r.coverage()
}

// gradePanel is the cover's verdict: the grade, the score and, when a cap
// made the grade worse than the score's letter, why.
func (r *renderer) gradePanel() {
	pdf := r.pdf
	x := marginL + 50
	w := contentW - 54
	r.sans(9.5)
	verdict := r.lines(gradeVerdict(r.res.Grade), w)
	var capLines []string
	if c := r.capped(); c != nil {
		r.bold(9.5)
		capLines = r.lines(capText(c)+" "+scoreWouldBe(r.res.OverallScore), w)
	}
	h := max(44, 24+4.6*float64(len(verdict)+len(capLines))+9)
	r.ensure(h + 2)
	y := r.y()
	r.fill(colPanel2)
	r.draw(colRule)
	pdf.SetLineWidth(0.25)
	pdf.RoundedRect(marginL, y, contentW, h, 2.5, "1234", "FD")
	gc := gradeColor(r.res.Grade)
	r.fill(gc)
	pdf.Circle(marginL+24, y+22, 15.5, "F")
	grade := oneLine(r.res.Grade)
	if grade == "" {
		grade = "–"
	}
	r.bold(30)
	r.color(colWhite)
	r.text(marginL+8.5, y+15.5, 31, 13, grade, "C")
	r.sans(8)
	r.color(colMuted)
	r.text(x, y+7, 100, 4, "OVERALL SCORE", "L")
	r.bold(24)
	r.color(colInk)
	score := strconv.Itoa(r.res.OverallScore)
	r.text(x, y+12, 60, 10, score, "L")
	sw := r.strW(score)
	r.sans(12)
	r.color(colMuted)
	r.text(x+sw+1.5, y+15, 30, 6, "/ 100", "L")
	ly := y + 24
	r.sans(9.5)
	r.color(colBody)
	for _, l := range verdict {
		r.text(x, ly, w, 4.6, l, "L")
		ly += 4.6
	}
	r.bold(9.5)
	r.color(colBad)
	for _, l := range capLines {
		r.text(x, ly, w, 4.6, l, "L")
		ly += 4.6
	}
	r.bar(x, y+h-7, contentW-56, 2.2, float64(r.res.OverallScore)/100, gc)
	r.setY(y + h + 8)
}

// scoreWouldBe says which letter the score alone earns, beside a cap.
func scoreWouldBe(score int) string {
	return fmt.Sprintf("The score of %d/100 alone would be %s.", score, scanner.GradeFor(score))
}

// notGradedPanel replaces the grade on the cover of a scan that could not
// run: no letter and no score, what happened and what to try instead.
func (r *renderer) notGradedPanel() {
	ng := r.res.NotGraded
	const pad = 8.0
	w := contentW - 2*pad
	detail := strings.TrimSpace(oneLine(redact(ng.Detail)))
	if detail == "" {
		detail = "The scan could not judge the site (" + orDash(oneLine(string(ng.Reason))) + ")."
	}
	r.sans(9.5)
	dl := r.lines(detail, w)
	var al []string
	if a := oneLine(redact(ng.Advice)); a != "" {
		al = r.lines("What to try: "+a, w)
	}
	h := 7 + 4 + 10 + 4.8*float64(len(dl)) + 2 + 4.8*float64(len(al)) + 6
	r.ensure(h + 2)
	y := r.y()
	r.fill(colPanel2)
	r.draw(colRule)
	r.pdf.SetLineWidth(0.25)
	r.pdf.RoundedRect(marginL, y, contentW, h, 2.5, "1234", "FD")
	r.fill(colMuted)
	r.pdf.Rect(marginL, y+3, 1.2, h-6, "F")
	x := marginL + pad
	r.sans(8)
	r.color(colMuted)
	r.text(x, y+7, w, 4, "NO GRADE · "+strings.ToUpper(orDash(oneLine(string(ng.Reason)))), "L")
	r.bold(20)
	r.color(colInk)
	r.text(x, y+11.5, w, 9, "Not graded", "L")
	ly := y + 22
	r.sans(9.5)
	r.color(colBody)
	for _, l := range dl {
		r.text(x, ly, w, 4.8, l, "L")
		ly += 4.8
	}
	ly += 2
	r.color(colInk)
	for _, l := range al {
		r.text(x, ly, w, 4.8, l, "L")
		ly += 4.8
	}
	r.setY(y + h + 8)
}

// contents lists the sections with their page numbers (resolved when the
// document closes) and links; it stays on the cover when it fits there.
func (r *renderer) contents() {
	const lh = 5.2
	r.space(2)
	r.ensure(13 + lh*float64(len(r.toc)))
	if r.pdf.PageNo() == 1 {
		r.rule(r.y())
		r.space(5)
	}
	r.bold(10.5)
	r.color(colInk)
	r.text(marginL, r.y(), contentW, 5, "Contents", "L")
	r.space(7)
	for _, e := range r.toc {
		r.ensure(lh)
		y := r.y()
		x := marginL + float64(e.level)*6
		if e.level == 0 {
			r.sans(9.5)
			r.color(colInk)
		} else {
			r.sans(8.8)
			r.color(colMuted)
		}
		numW := r.numW(9.5)
		title := r.fit(e.title, rightX-numW-x-8)
		tw := r.strW(title)
		r.text(x, y, tw+1, lh, title, "L")
		// dotted leader
		r.draw(colFaint)
		r.pdf.SetLineWidth(0.25)
		r.pdf.SetDashPattern([]float64{0.3, 1.2}, 0)
		r.pdf.Line(x+tw+2, y+3.6, rightX-numW-2, y+3.6)
		r.pdf.SetDashPattern(nil, 0)
		r.sans(9.5)
		r.color(colInk)
		r.pageNumber(e.anchor, rightX-numW, y, numW, lh, "R", colInk)
		r.pdf.Link(marginL, y, contentW, lh, r.link(e.anchor))
		r.space(lh)
	}
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func statusText(code int) string {
	if code == 0 {
		return "—"
	}
	return strconv.Itoa(code)
}

func durationText(ms int64) string {
	switch {
	case ms <= 0:
		return "—"
	case ms < 1000:
		return strconv.FormatInt(ms, 10) + " ms"
	}
	return strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64) + " s"
}

// bar draws a score bar: a light track and a filled part of frac (0..1).
func (r *renderer) bar(x, y, w, h, frac float64, c rgb) {
	frac = min(max(frac, 0), 1)
	r.fill(colPanel)
	r.pdf.RoundedRect(x, y, w, h, h/2, "1234", "F")
	if frac > 0 {
		fw := max(w*frac, h)
		r.fill(c)
		r.pdf.RoundedRect(x, y, fw, h, h/2, "1234", "F")
	}
}

// ---- executive summary ----

func (r *renderer) summary() {
	r.h1("Executive summary", "summary")
	res := r.res
	if !r.graded() {
		r.notGradedSummary()
		return
	}
	grade := oneLine(res.Grade)
	if grade == "" {
		grade = "none"
	}
	lead := fmt.Sprintf("%s received grade %s with an overall score of %d out of 100", r.domain+targetPort(r.in), grade, res.OverallScore)
	if res.Depth != "" {
		lead += " in a " + strings.ToLower(depthLabel(res.Depth)) + " scan"
	}
	if t := r.scannedAt(); !t.IsZero() {
		lead += " on " + fmtTime(t)
	}
	lead += ". " + gradeVerdict(res.Grade)
	r.sans(10.5)
	r.color(colBody)
	r.para(marginL, contentW, 5.4, lead)
	if c := r.capped(); c != nil {
		r.space(3)
		r.callout(capText(c) + " " + scoreWouldBe(res.OverallScore) + " A cap applies whatever the other checks earn; fixing that check lifts it.")
	}
	if d := r.diff(); d != nil {
		r.space(3)
		r.sans(10.5)
		r.color(colBody)
		r.para(marginL, contentW, 5.4, fmt.Sprintf("Since the previous scan of this target on %s the score went from %d to %d (%s) and the grade from %s to %s.",
			fmtDate(r.previousAt()), d.Before.OverallScore, d.After.OverallScore, signed(d.ScoreDelta),
			orDash(oneLine(d.Before.Grade)), orDash(oneLine(d.After.Grade))))
	}
	if e := strings.TrimSpace(res.Error); e != "" {
		r.space(3)
		r.callout("The scan did not finish cleanly: " + strings.TrimRight(oneLine(redact(e)), ".;: ") + ". The results cover only what could be checked.")
	}

	// severity tiles
	r.space(6)
	r.ensure(26)
	y := r.y()
	gap := 3.0
	tw := (contentW - 4*gap) / 5
	for i, s := range severities {
		x := marginL + float64(i)*(tw+gap)
		n := r.counts[s]
		c := severityColor(s)
		r.draw(colRule)
		r.pdf.SetLineWidth(0.25)
		r.fill(colWhite)
		r.pdf.RoundedRect(x, y, tw, 20, 1.5, "1234", "D")
		if n > 0 {
			r.fill(c)
			r.pdf.Rect(x+3, y, tw-6, 1, "F")
		}
		r.bold(18)
		if n > 0 {
			r.color(c)
		} else {
			r.color(colFaint)
		}
		r.text(x, y+4, tw, 8, strconv.Itoa(n), "C")
		r.sans(8)
		r.color(colMuted)
		r.text(x, y+13, tw, 4, severityLabel(s), "C")
	}
	r.setY(y + 20 + 4)
	r.sans(9)
	r.color(colMuted)
	r.para(marginL, contentW, 4.5, summaryCounts(len(r.sorted), r.counts))

	// top fixes
	var top []int
	for i, f := range r.sorted {
		if normSeverity(f.Severity) != scanner.SeverityInfo && len(top) < 3 {
			top = append(top, i)
		}
	}
	r.space(4)
	r.h2("Top priorities", "")
	if len(top) == 0 {
		r.sans(10)
		r.color(colBody)
		msg := "Nothing needs fixing: the scan found no problems above informational level. Keep scanning after every significant change to the site."
		if strings.TrimSpace(res.Error) != "" {
			msg = "No priorities can be given because the scan did not complete. Resolve the error above and scan again."
		}
		r.para(marginL, contentW, 5, msg)
	}
	for n, i := range top {
		f := r.sorted[i]
		r.ensure(24)
		y := r.y()
		r.fill(colBrand)
		r.pdf.Circle(marginL+3, y+2.9, 3, "F")
		r.bold(9)
		r.color(colWhite)
		r.text(marginL, y+0.9, 6, 4, strconv.Itoa(n+1), "C")
		x := marginL + 10
		w := contentW - 10
		sev := strings.ToUpper(severityLabel(f.Severity))
		pw := r.pill(x, y+1, sev, severityColor(normSeverity(f.Severity)), colWhite, 6.5)
		r.bold(10.5)
		r.color(colInk)
		ls := r.lines(oneLine(f.Title), w-pw-3)
		for k, l := range ls {
			if k > 0 {
				r.ensure(5.2)
			}
			r.text(x+pw+3, r.y(), w-pw-3, 5.8, l, "L")
			r.space(5.4)
		}
		r.space(0.8)
		if fx := f.Fix; fx != nil {
			if advice := strings.TrimSpace(fx.Advice); advice != "" {
				r.sans(9.5)
				r.color(colBody)
				r.para(x, w, 4.7, clean(advice, true))
			} else if len(fx.Snippets) > 0 {
				r.space(1)
				r.block(x, w, clean(redact(fx.Snippets[0].Code), true), colBrand)
			}
		}
		r.sans(8)
		r.color(colMuted)
		r.ensure(4.5)
		ref := "Details: " + severityLabel(f.Severity) + " findings, page "
		rw := r.strW(ref)
		r.text(x, r.y(), w, 4.5, ref, "L")
		r.pageNumber("finding-"+strconv.Itoa(i), x+rw, r.y(), float64(pageDigits)*r.runeW('0')+1, 4.5, "L", colMuted)
		r.pdf.Link(x, r.y(), rw+float64(pageDigits)*r.runeW('0')+3, 4.5, r.link("finding-"+strconv.Itoa(i)))
		r.space(8)
	}
}

// notGradedSummary is the summary of a scan that could not run: what
// happened and what to try, and no counts, priorities or fixes, since
// nothing was judged.
func (r *renderer) notGradedSummary() {
	ng := r.res.NotGraded
	lead := r.domain + targetPort(r.in) + " was not graded"
	if r.res.Depth != "" {
		lead += " in a " + strings.ToLower(depthLabel(r.res.Depth)) + " scan"
	}
	if t := r.scannedAt(); !t.IsZero() {
		lead += " on " + fmtTime(t)
	}
	lead += ": the scan could not judge the site, so this report gives no grade, no score and no list of fixes."
	r.sans(10.5)
	r.color(colBody)
	r.para(marginL, contentW, 5.4, lead)
	r.space(3)
	r.h2("What happened", "")
	r.sans(10)
	r.color(colBody)
	detail := oneLine(redact(ng.Detail))
	if detail == "" {
		detail = "No detail was recorded (" + orDash(oneLine(string(ng.Reason))) + ")."
	}
	r.para(marginL, contentW, 5, detail)
	if a := oneLine(redact(ng.Advice)); a != "" {
		r.space(2)
		r.h2("What to try", "")
		r.sans(10)
		r.color(colBody)
		r.para(marginL, contentW, 5, a)
	}
	if e := strings.TrimSpace(r.res.Error); e != "" {
		r.space(3)
		r.sans(8.5)
		r.color(colMuted)
		r.para(marginL, contentW, 4.3, "Error recorded by the scanner: "+oneLine(redact(e)))
	}
}

// previousAt is when the compared scan ran.
func (r *renderer) previousAt() time.Time {
	if d := r.in.Diff; d != nil && !d.Before.ScannedAt.IsZero() {
		return d.Before.ScannedAt
	}
	return r.in.PreviousAt
}

func summaryCounts(total int, counts map[scanner.Severity]int) string {
	if total == 0 {
		return "The scan recorded no findings."
	}
	var parts []string
	for _, s := range severities {
		if n := counts[s]; n > 0 {
			parts = append(parts, strconv.Itoa(n)+" "+strings.ToLower(severityLabel(s)))
		}
	}
	return "The scan recorded " + plural(total, "finding", "findings") + ": " + strings.Join(parts, ", ") + "."
}

func signed(n int) string {
	if n > 0 {
		return "+" + strconv.Itoa(n)
	}
	if n < 0 {
		return "−" + strconv.Itoa(-n)
	}
	return "±0"
}

// callout is a warning box with an amber rule on the left, drawn line by
// line so even a long message continues across a page break.
func (r *renderer) callout(s string) {
	const pad, lh = 3.0, 4.7
	r.sans(9.5)
	ls := r.lines(clean(s, true), contentW-2*pad-2)
	r.ensure(min(float64(len(ls))*lh+2*pad, 40))
	for i, l := range ls {
		top, bottom := 0.0, 0.0
		if i == 0 || r.y()+lh+pad > bottomY {
			top = pad
		}
		if i == len(ls)-1 {
			bottom = pad
		}
		r.ensure(top + lh + bottom)
		y := r.y()
		r.fill(rgb{255, 251, 235})
		r.pdf.Rect(marginL, y, contentW, top+lh+bottom, "F")
		r.fill(severityColor(scanner.SeverityMedium))
		r.pdf.Rect(marginL, y, 1, top+lh+bottom, "F")
		r.sans(9.5)
		r.color(colInk)
		r.text(marginL+pad+2, y+top, contentW-2*pad-2, lh, l, "L")
		r.setY(y + top + lh + bottom)
	}
}

// ---- categories ----

func (r *renderer) categories() {
	// heading, intro and table belong together; move them all when they fit on a page
	if h := 4 + 20 + 14 + 6 + 9*float64(len(r.res.Categories)+1); h < bottomY-contentTop {
		r.ensure(h)
	}
	r.h1("Scores by category", "categories")
	r.sans(9.5)
	r.color(colBody)
	r.para(marginL, contentW, 4.7, "Each category earns points out of its weight. Checks that do not run at this scan depth count neither for nor against a category.")
	r.space(4)
	cats := r.res.Categories
	if len(cats) == 0 {
		r.para(marginL, contentW, 4.7, "The scan produced no category scores.")
		return
	}
	const (
		xName  = marginL
		xBar   = marginL + 42
		wBar   = 84.0
		xPts   = xBar + wBar + 4
		wPts   = 22.0
		xGrade = rightX - 14
		rowH   = 9.0
	)
	head := func() {
		y := r.y()
		r.sans(7.3)
		r.color(colMuted)
		r.text(xName, y, 40, 4, "CATEGORY", "L")
		r.text(xBar, y, wBar, 4, "SCORE", "L")
		r.text(xPts, y, wPts, 4, "POINTS", "R")
		r.text(xGrade, y, 14, 4, "GRADE", "C")
		r.rule(y + 5.5)
		r.setY(y + 6)
	}
	r.ensure(6 + rowH*2)
	head()
	row := func(name string, score, maxScore int, grade string, strong bool) {
		if r.y()+rowH > bottomY {
			r.pdf.AddPage()
			head()
		}
		y := r.y()
		if strong {
			r.bold(10)
		} else {
			r.sans(10)
		}
		r.color(colInk)
		r.text(xName, y, 40, rowH, r.fit(name, 40), "L")
		frac := 0.0
		if maxScore > 0 {
			frac = float64(score) / float64(maxScore)
		}
		gc := gradeColor(grade)
		r.bar(xBar, y+rowH/2-1.3, wBar, 2.6, frac, gc)
		r.sans(9.5)
		r.color(colBody)
		pts := strconv.Itoa(score) + " / " + strconv.Itoa(maxScore)
		switch {
		case maxScore <= 0:
			pts = "not run"
		case grade == "" && !strong:
			// Nothing in the category was scored (every check skipped or
			// an error): it counts neither for nor against the site.
			pts = "not scored"
		}
		r.text(xPts, y, wPts, rowH, pts, "R")
		g := oneLine(grade)
		if g == "" {
			g = "–"
		}
		pw := r.pillW(g, 8)
		r.pill(xGrade+(14-pw)/2, y+rowH/2-2.3, g, gc, colWhite, 8)
		r.draw(colRule)
		r.pdf.SetLineWidth(0.15)
		r.pdf.Line(marginL, y+rowH, rightX, y+rowH)
		r.setY(y + rowH)
	}
	for _, c := range cats {
		row(categoryLabel(oneLine(c.Name)), c.Score, c.MaxScore, c.Grade, false)
	}
	row("Overall", r.res.OverallScore, 100, r.res.Grade, true)
	r.space(3)
	if c := r.capped(); c != nil {
		r.sans(8.5)
		r.color(colBad)
		r.para(marginL, contentW, 4.3, "Overall grade: "+capText(c)+" "+scoreWouldBe(r.res.OverallScore))
		r.space(2)
	}
}

// ---- changes since the previous scan ----

// changes draws Input.Diff, the comparison engine's answer (scanner.Compare):
// the score and grade change with the checks that caused it, findings new,
// fixed and still open, and the checks that did not run in both scans, which
// are never reported as fixed.
func (r *renderer) changes() {
	d := r.diff()
	r.h1("Changes since the previous scan", "changes")
	r.sans(9.5)
	r.color(colBody)
	intro := "Compared with the previous scan of the same target (" + orDash(oneLine(displayURL(d.Before.TargetURL))) + ") on " +
		fmtTime(r.previousAt())
	if d.Before.Depth != "" {
		intro += ", a " + strings.ToLower(depthLabel(d.Before.Depth)) + " scan"
	}
	if id := oneLine(r.in.PreviousScanID); id != "" {
		intro += " (" + id + ")"
	}
	intro += ". Checks are compared one by one and findings are matched by check and title; a check that did not run in both scans is listed as not compared, never as fixed."
	r.para(marginL, contentW, 4.7, intro)
	if bv, av := oneLine(d.Before.ScoringVersion), oneLine(d.After.ScoringVersion); bv != "" && av != "" && bv != av {
		r.space(1.5)
		r.sans(8.5)
		r.color(colMuted)
		r.para(marginL, contentW, 4.3, "The scoring rules changed between the two scans (version "+bv+" → "+av+"): part of the score change may come from the rules, not the site.")
	}
	r.space(4)

	// three stat boxes
	r.ensure(22)
	y := r.y()
	gap := 4.0
	bw := (contentW - 2*gap) / 3
	dc := colMuted
	if d.ScoreDelta > 0 {
		dc = colGood
	} else if d.ScoreDelta < 0 {
		dc = colBad
	}
	gradeNote := gradeChange(d.Before.Grade, d.After.Grade)
	if d.After.GradeCap != nil {
		gradeNote += " · capped at " + orDash(oneLine(d.After.GradeCap.Grade))
	} else if d.Before.GradeCap != nil {
		gradeNote += " · was capped at " + orDash(oneLine(d.Before.GradeCap.Grade))
	}
	boxes := []struct {
		label, value, note string
		noteColor          rgb
	}{
		{"SCORE", strconv.Itoa(d.Before.OverallScore) + " → " + strconv.Itoa(d.After.OverallScore), signed(d.ScoreDelta) + " points", dc},
		{"GRADE", orDash(oneLine(d.Before.Grade)) + " → " + orDash(oneLine(d.After.Grade)), gradeNote, colMuted},
		{"FINDINGS", plural(len(d.New), "new", "new") + " · " + plural(len(d.Fixed), "fixed", "fixed"),
			plural(len(d.StillOpen), "still open", "still open") + " · " + plural(len(d.NotCompared), "not compared", "not compared"), colMuted},
	}
	for i, b := range boxes {
		x := marginL + float64(i)*(bw+gap)
		r.draw(colRule)
		r.pdf.SetLineWidth(0.25)
		r.pdf.RoundedRect(x, y, bw, 19, 1.5, "1234", "D")
		r.sans(7.3)
		r.color(colMuted)
		r.text(x+4, y+2.5, bw-8, 4, b.label, "L")
		r.bold(13)
		r.color(colInk)
		r.text(x+4, y+7, bw-8, 6, r.fit(b.value, bw-8), "L")
		r.sans(8)
		r.color(b.noteColor)
		r.text(x+4, y+13.2, bw-8, 4, r.fit(b.note, bw-8), "L")
	}
	r.setY(y + 19 + 4)

	r.h2("What moved the score ("+strconv.Itoa(len(d.Causes))+")", "")
	if len(d.Causes) == 0 {
		r.sans(9.5)
		r.color(colMuted)
		msg := "No compared check earned or lost points."
		if d.ScoreDelta != 0 && len(d.NotCompared) > 0 {
			// The score still moved: the two scans graded different sets
			// of checks (a quick scan after a deep one), which is not a
			// change of the site (docs/scoring.md, "Comparing two scans").
			msg += " The score moved because the two scans graded different checks: those listed below as not compared count in one score and not in the other."
		}
		r.para(marginL, contentW, 4.7, msg)
	}
	for _, c := range d.Causes {
		r.causeRow(c)
	}
	r.space(3)
	r.findingList("New findings", d.New, "None — nothing appeared that the previous scan did not report.", false)
	r.findingList("Fixed since the previous scan", d.Fixed, "None — no finding of a compared check went away.", true)
	if len(d.NotCompared) > 0 {
		r.h2("Not compared — did not run in both scans ("+strconv.Itoa(len(d.NotCompared))+")", "")
		r.sans(9)
		r.color(colMuted)
		r.para(marginL, contentW, 4.5, "These checks ran in only one of the two scans, or were skipped or could not be evaluated in one of them (a quick scan after a deep one, for example). Their findings are neither new nor fixed.")
		r.space(2)
		byID := make(map[string]scanner.CheckDiff, len(d.Checks))
		for _, c := range d.Checks {
			byID[c.ID] = c
		}
		for _, id := range d.NotCompared {
			c, ok := byID[id]
			if !ok {
				c = scanner.CheckDiff{ID: id}
			}
			r.notComparedRow(c)
		}
		r.space(3)
	}
	r.stillOpen(d.StillOpen)
}

// stillOpen lists the findings both scans reported, one line each: they
// are described in full under Findings.
func (r *renderer) stillOpen(fs []scanner.Finding) {
	r.h2("Still open ("+strconv.Itoa(len(fs))+")", "")
	r.sans(9.5)
	r.color(colMuted)
	if len(fs) == 0 {
		r.para(marginL, contentW, 4.7, "None — no finding of the previous scan remains.")
		return
	}
	r.para(marginL, contentW, 4.7, "Reported by both scans; each is described under Findings.")
	r.space(1.5)
	sorted := slices.Clone(fs)
	sort.SliceStable(sorted, func(i, j int) bool {
		return scanner.SeverityRank(normSeverity(sorted[i].Severity)) < scanner.SeverityRank(normSeverity(sorted[j].Severity))
	})
	const lh, pw = 4.6, 17.0
	x, w := marginL+pw+3, contentW-pw-3
	for _, f := range sorted {
		sev := normSeverity(f.Severity)
		r.sans(9)
		ls := r.lines(oneLine(f.Title), w)
		r.ensure(lh * float64(min(len(ls), 2)))
		r.pill(marginL, r.y()+0.5, strings.ToUpper(severityLabel(sev)), severityColor(sev), colWhite, 6)
		r.sans(9)
		r.color(colInk)
		for _, l := range ls {
			r.ensure(lh)
			r.text(x, r.y(), w, lh, l, "L")
			r.space(lh)
		}
		r.space(1)
	}
}

// findingList is one list of the changes section under its heading.
func (r *renderer) findingList(title string, fs []scanner.Finding, none string, fixed bool) {
	r.h2(title+" ("+strconv.Itoa(len(fs))+")", "")
	if len(fs) == 0 {
		r.sans(9.5)
		r.color(colMuted)
		r.para(marginL, contentW, 4.7, none)
	}
	sorted := slices.Clone(fs)
	sort.SliceStable(sorted, func(i, j int) bool {
		return scanner.SeverityRank(normSeverity(sorted[i].Severity)) < scanner.SeverityRank(normSeverity(sorted[j].Severity))
	})
	for _, f := range sorted {
		r.changeRow(f, fixed)
	}
	r.space(3)
}

// stateText is one side of a check in the changes section.
func stateText(s *scanner.CheckState) string {
	if s == nil {
		return "did not run"
	}
	t := strings.ToLower(statusLabel(s.Status))
	if s.MaxPoints > 0 {
		t += " " + fmtPoints(s.Points) + "/" + fmtPoints(s.MaxPoints)
	}
	return t
}

// fmtPoints prints points with at most one decimal ("4", "2.5").
func fmtPoints(p float64) string {
	return strconv.FormatFloat(math.Round(p*10)/10, 'f', -1, 64)
}

func signedPoints(p float64) string {
	p = math.Round(p*10) / 10
	switch {
	case p > 0:
		return "+" + fmtPoints(p)
	case p < 0:
		return "−" + fmtPoints(-p)
	}
	return "±0"
}

// checkTitle is a check's name, falling back to its id.
func checkTitle(c scanner.CheckDiff) string {
	if n := oneLine(c.Name); n != "" {
		return n
	}
	return orDash(oneLine(c.ID))
}

// causeRow is one check that moved the score: its points delta, the check
// and its verdict before and after.
func (r *renderer) causeRow(c scanner.CheckDiff) {
	const lh, dw = 4.8, 20.0
	x := marginL + dw + 3
	w := contentW - dw - 3
	r.bold(9.5)
	ls := r.lines(checkTitle(c), w)
	r.ensure(lh*float64(len(ls)) + 6)
	y := r.y()
	dc := colMuted
	if c.PointsDelta > 0 {
		dc = colGood
	} else if c.PointsDelta < 0 {
		dc = colBad
	}
	r.bold(9.5)
	r.color(dc)
	r.text(marginL, y, dw, lh, signedPoints(c.PointsDelta)+" pts", "R")
	r.color(colInk)
	for _, l := range ls {
		r.ensure(lh)
		r.text(x, r.y(), w, lh, l, "L")
		r.space(lh)
	}
	r.sans(7.8)
	r.color(colMuted)
	r.para(x, w, 3.8, oneLine(c.ID)+" · "+stateText(c.Before)+" → "+stateText(c.After))
	r.space(2.2)
}

// notComparedRow is a check that did not run in both scans, with its state
// in each and the reason it was skipped or failed.
func (r *renderer) notComparedRow(c scanner.CheckDiff) {
	const lh = 4.6
	x := marginL + 6
	w := contentW - 6
	r.sans(9.5)
	ls := r.lines(checkTitle(c), w)
	r.ensure(lh*float64(len(ls)) + 5)
	r.bold(9)
	r.color(colMuted)
	r.text(marginL, r.y(), 5, lh, "–", "C")
	r.sans(9.5)
	r.color(colInk)
	for _, l := range ls {
		r.ensure(lh)
		r.text(x, r.y(), w, lh, l, "L")
		r.space(lh)
	}
	meta := oneLine(c.ID) + " · previous scan: " + stateText(c.Before) + " · this scan: " + stateText(c.After)
	for _, s := range []*scanner.CheckState{c.Before, c.After} {
		if s != nil && oneLine(s.Reason) != "" {
			meta += " · " + oneLine(redact(s.Reason))
			break
		}
	}
	r.sans(7.8)
	r.color(colMuted)
	r.para(x, w, 3.8, meta)
	r.space(1.8)
}

func gradeChange(prev, cur string) string {
	rank := func(g string) int {
		g = strings.TrimSpace(g)
		return slices.IndexFunc([]string{"F", "D", "C", "B", "A", "A+"}, func(v string) bool { return strings.EqualFold(g, v) })
	}
	a, b := rank(prev), rank(cur)
	switch {
	case a < 0 || b < 0 || a == b:
		return "unchanged"
	case b > a:
		return "improved"
	}
	return "declined"
}

func (r *renderer) changeRow(f scanner.Finding, fixed bool) {
	const lh = 4.8
	sev := normSeverity(f.Severity)
	label := strings.ToUpper(severityLabel(sev))
	pw := 17.0
	x := marginL + pw + 3
	w := contentW - pw - 3
	r.bold(9.5)
	ls := r.lines(oneLine(f.Title), w)
	r.ensure(lh*float64(len(ls)) + 5)
	y := r.y()
	if fixed {
		r.pill(marginL, y+0.6, "FIXED", colGood, colWhite, 6.5)
	} else {
		r.pill(marginL, y+0.6, label, severityColor(sev), colWhite, 6.5)
	}
	r.bold(9.5)
	r.color(colInk)
	for _, l := range ls {
		r.ensure(lh)
		r.text(x, r.y(), w, lh, l, "L")
		r.space(lh)
	}
	meta := oneLine(f.CheckID)
	if fixed {
		meta += " · was " + strings.ToLower(severityLabel(sev))
	}
	r.sans(7.8)
	r.color(colMuted)
	r.para(x, w, 3.8, meta)
	r.space(2.2)
}

// ---- findings ----

func (r *renderer) findings() {
	r.h1("Findings", "findings")
	r.sans(9.5)
	r.color(colBody)
	if len(r.sorted) == 0 {
		msg := "The scan found nothing to report. Every check either passed or did not apply at this depth."
		if strings.TrimSpace(r.res.Error) != "" {
			msg = "No findings were recorded: the scan did not complete (" + oneLine(redact(r.res.Error)) + ")."
		}
		r.para(marginL, contentW, 4.7, msg)
		return
	}
	r.para(marginL, contentW, 4.7, summaryCounts(len(r.sorted), r.counts)+
		" They are listed most severe first. Each one says what the scan saw, why it matters and how to fix it.")
	r.space(3)
	cur := scanner.Severity("")
	for i, f := range r.sorted {
		sev := normSeverity(f.Severity)
		if sev != cur {
			cur = sev
			r.severityHeading(sev)
		} else {
			r.ensure(20)
			r.draw(colRule)
			r.pdf.SetLineWidth(0.2)
			r.pdf.Line(marginL, r.y(), rightX, r.y())
			r.space(5)
		}
		r.finding(i, f)
	}
}

func (r *renderer) severityHeading(s scanner.Severity) {
	r.ensure(40)
	if r.y() > contentTop+0.1 {
		r.space(5)
	}
	title := severityLabel(s)
	r.pdf.Bookmark(title+" ("+strconv.Itoa(r.counts[s])+")", 1, r.y())
	r.anchor("sev-" + string(s))
	y := r.y()
	r.fill(severityColor(s))
	r.pdf.RoundedRect(marginL, y+0.8, 3.6, 3.6, 0.8, "1234", "F")
	r.bold(12.5)
	r.color(colInk)
	r.text(marginL+6, y-0.3, 60, 6, title, "L")
	tw := r.strW(title)
	r.sans(9.5)
	r.color(colMuted)
	r.text(marginL+6+tw+2.5, y, 60, 6, plural(r.counts[s], "finding", "findings"), "L")
	r.setY(y + 7)
	r.draw(severityColor(s))
	r.pdf.SetLineWidth(0.4)
	r.pdf.Line(marginL, r.y(), rightX, r.y())
	r.space(5)
}

const (
	labelW = 30.0
	bodyX  = marginL + labelW
	bodyW  = contentW - labelW
)

func (r *renderer) finding(i int, f scanner.Finding) {
	sev := normSeverity(f.Severity)
	label := strings.ToUpper(severityLabel(sev))
	r.bold(11)
	titleLines := r.lines(oneLine(f.Title), bodyW)
	r.ensure(float64(len(titleLines))*5.4 + 20)
	r.anchor("finding-" + strconv.Itoa(i))
	y := r.y()
	r.pill(marginL, y+0.5, label, severityColor(sev), colWhite, 6.5)
	r.bold(11)
	r.color(colInk)
	for _, l := range titleLines {
		r.ensure(5.4)
		r.text(bodyX, r.y(), bodyW, 5.6, l, "L")
		r.space(5.4)
	}
	r.space(0.6)
	r.sans(8)
	r.color(colMuted)
	meta := "Check " + orDash(oneLine(f.CheckID))
	if c := oneLine(f.Category); c != "" {
		meta += " · " + categoryLabel(c)
	}
	r.para(bodyX, bodyW, 4, meta)
	r.space(2.5)

	if ev := strings.TrimSpace(f.Evidence); ev != "" {
		r.fieldLabel("What we saw")
		r.block(bodyX, bodyW, clean(redact(ev), true), colFaint)
		r.space(3)
	}
	if d := strings.TrimSpace(f.Description); d != "" {
		r.fieldLabel("Why it matters")
		r.sans(9.5)
		r.color(colBody)
		r.para(bodyX, bodyW, 4.7, clean(d, true))
		r.space(2.5)
	}
	if fx := f.Fix; fx != nil && (strings.TrimSpace(fx.Advice) != "" || len(fx.Snippets) > 0) {
		r.fieldLabel("How to fix")
		if advice := strings.TrimSpace(fx.Advice); advice != "" {
			r.sans(9.5)
			r.color(colBody)
			r.para(bodyX, bodyW, 4.7, clean(advice, true))
		}
		for k, sn := range fx.Snippets {
			if k > 0 || fx.Advice != "" {
				r.space(1.5)
			}
			r.ensure(4 + 8)
			r.bold(7.3)
			r.color(colMuted)
			r.para(bodyX, bodyW, 3.8, snippetLabel(sn.Server))
			r.space(0.5)
			r.block(bodyX, bodyW, clean(redact(strings.Trim(sn.Code, "\r\n")), true), colBrand)
		}
		r.space(2.5)
	} else if rec := strings.TrimSpace(f.Recommendation); rec != "" {
		// A result stored before fixes were structured: its recommendation
		// is shown as it was written, one block, never parsed.
		r.fieldLabel("How to fix")
		r.block(bodyX, bodyW, clean(redact(rec), true), colBrand)
		r.space(2.5)
	}
	r.space(2)
}

// snippetLabel names the configuration a snippet is for ("nginx",
// "Apache", "DNS"); a server the scanner does not know is shown as itself.
func snippetLabel(s scanner.Server) string {
	if slices.Contains([]scanner.Server{scanner.ServerNginx, scanner.ServerApache, scanner.ServerCaddy, scanner.ServerHTML,
		scanner.ServerDNS, scanner.ServerShell, scanner.ServerConfig}, s) {
		return scanner.ServerLabel(s)
	}
	if l := oneLine(string(s)); l != "" {
		return l
	}
	return scanner.ServerLabel(scanner.ServerConfig)
}

// fieldLabel writes a label in the left column level with the next line of
// body text, keeping it on the same page as at least two lines of body.
func (r *renderer) fieldLabel(s string) {
	r.ensure(4.7 * 3)
	r.bold(8)
	r.color(colMuted)
	r.text(marginL, r.y()+0.3, labelW-3, 4.7, s, "L")
}

// ---- all checks ----

func statusMark(s scanner.Status) (string, rgb) {
	switch s {
	case scanner.StatusPass:
		return "✓", colGood
	case scanner.StatusWarn:
		return "!", severityColor(scanner.SeverityMedium)
	case scanner.StatusFail:
		return "✗", colBad
	case scanner.StatusInfo:
		return "i", colBrand
	case scanner.StatusSkipped:
		return "–", colFaint
	case scanner.StatusError:
		return "?", severityColor(scanner.SeverityMedium)
	}
	return "?", colMuted
}

func statusLabel(s scanner.Status) string {
	switch s {
	case scanner.StatusPass:
		return "Pass"
	case scanner.StatusWarn:
		return "Warning"
	case scanner.StatusFail:
		return "Fail"
	case scanner.StatusInfo:
		return "Info"
	case scanner.StatusSkipped:
		return "Skipped"
	case scanner.StatusError:
		return "Error"
	}
	return orDash(oneLine(string(s)))
}

func (r *renderer) checks() {
	r.h1("All checks", "checks")
	r.sans(9.5)
	r.color(colBody)
	r.para(marginL, contentW, 4.7, "Every check of the scan, by category, with what it saw. Info means nothing needs fixing; "+
		"skipped means the check does not apply to this target or depth; error means it could not be evaluated. "+
		"Skipped and error checks earn no points and say why.")
	r.space(2)
	const (
		xMark  = marginL
		xName  = marginL + 6
		wName  = 58.0
		xState = xName + wName + 2
		wState = 18.0
		xVal   = xState + wState + 2
		lh     = 4.4
	)
	wVal := rightX - xVal
	for _, c := range r.res.Categories {
		if len(c.Checks) == 0 {
			continue
		}
		title := categoryLabel(oneLine(c.Name))
		if c.MaxScore > 0 && r.graded() {
			title += " — " + strconv.Itoa(c.Score) + " / " + strconv.Itoa(c.MaxScore)
		}
		r.h2(title, "")
		for _, ck := range c.Checks {
			mark, mc := statusMark(ck.Status)
			r.sans(9)
			name := r.lines(orDash(oneLine(ck.Name)), wName)
			valFont := r.mono
			r.mono(7.8)
			val := r.lines(clean(redact(ck.Value), true), wVal)
			if strings.TrimSpace(ck.Value) == "" {
				val = []string{"—"}
			}
			if why := strings.TrimSpace(ck.Reason); why != "" && (ck.Status == scanner.StatusSkipped || ck.Status == scanner.StatusError) {
				// the reason is the verdict's explanation: shown as prose
				// instead of the value, which is empty or beside the point
				valFont = r.sans
				r.sans(7.8)
				val = r.lines(clean(redact(why), true), wVal)
			}
			n := max(len(name), len(val))
			r.ensure(lh * float64(min(n, 3)))
			for k := 0; k < n; k++ {
				r.ensure(lh)
				y := r.y()
				if k == 0 {
					r.bold(9)
					r.color(mc)
					r.text(xMark, y, 5, lh, mark, "C")
					r.sans(8)
					r.text(xState, y, wState, lh, statusLabel(ck.Status), "L")
				}
				if k < len(name) {
					r.sans(9)
					r.color(colInk)
					r.text(xName, y, wName, lh, name[k], "L")
				}
				if k < len(val) {
					valFont(7.8)
					r.color(colBody)
					r.text(xVal, y, wVal, lh, val[k], "L")
				}
				r.space(lh)
			}
			r.draw(colRule)
			r.pdf.SetLineWidth(0.15)
			r.pdf.Line(marginL, r.y()+0.8, rightX, r.y()+0.8)
			r.space(1.8)
		}
		r.space(3)
	}
}

// ---- TLS, redirects, headers ----

// kv draws a two-column table row: a label and a wrapped value.
func (r *renderer) kv(label, value string, mono bool, valueColor rgb) {
	const lw, lh = 38.0, 4.7
	w := contentW - lw
	if mono {
		r.mono(8.2)
	} else {
		r.sans(9.5)
	}
	ls := r.lines(value, w)
	r.ensure(lh * float64(min(len(ls), 2)))
	for k, l := range ls {
		r.ensure(lh)
		y := r.y()
		if k == 0 {
			r.sans(8.5)
			r.color(colMuted)
			r.text(marginL, y, lw-3, lh, r.fit(label, lw-3), "L")
		}
		if mono {
			r.mono(8.2)
		} else {
			r.sans(9.5)
		}
		r.color(valueColor)
		r.text(marginL+lw, y, w, lh, l, "L")
		r.space(lh)
	}
	r.draw(colRule)
	r.pdf.SetLineWidth(0.15)
	r.pdf.Line(marginL, r.y()+0.9, rightX, r.y()+0.9)
	r.space(2)
}

func (r *renderer) tls() {
	r.h1("TLS certificate", "tls")
	t := r.res.TLS
	if t == nil {
		r.sans(9.5)
		r.color(colBody)
		r.para(marginL, contentW, 4.7, "No TLS handshake was recorded: the site may not serve HTTPS, or the scan could not connect to it.")
		return
	}
	trusted, tc := "Yes — the certificate chain verified", colGood
	if !t.Trusted {
		trusted, tc = "No", colBad
		if e := oneLine(t.VerifyError); e != "" {
			trusted += " — " + e
		}
	}
	expiry, ec := fmtTime(t.NotAfter), colInk
	if !t.NotAfter.IsZero() {
		switch {
		case t.DaysLeft < 0:
			expiry += " (expired " + plural(-t.DaysLeft, "day", "days") + " ago)"
			ec = colBad
		case t.DaysLeft < 14:
			expiry += " (" + plural(t.DaysLeft, "day", "days") + " left)"
			ec = colBad
		case t.DaysLeft < 30:
			expiry += " (" + plural(t.DaysLeft, "day", "days") + " left)"
			ec = severityColor(scanner.SeverityMedium)
		default:
			expiry += " (" + plural(t.DaysLeft, "day", "days") + " left)"
		}
	}
	names := make([]string, 0, len(t.DNSNames))
	for _, n := range t.DNSNames {
		names = append(names, oneLine(n))
	}
	protocols := make([]string, 0, len(t.Protocols))
	for _, p := range t.Protocols {
		protocols = append(protocols, oneLine(p))
	}
	r.kv("Trusted", trusted, false, tc)
	r.kv("Protocol", orDash(oneLine(t.Version)), false, colInk)
	r.kv("Cipher suite", orDash(oneLine(t.CipherSuite)), true, colInk)
	r.kv("Subject", orDash(oneLine(t.Subject)), false, colInk)
	r.kv("Issuer", orDash(oneLine(t.Issuer)), false, colInk)
	r.kv("Valid from", fmtTime(t.NotBefore), false, colInk)
	r.kv("Valid until", expiry, false, ec)
	r.kv("Names covered", orDash(strings.Join(names, ", ")), false, colInk)
	if len(protocols) > 0 {
		r.kv("Protocols offered", strings.Join(protocols, ", "), false, colInk)
	}
}

func (r *renderer) redirects() {
	r.h1("Redirect chain", "redirects")
	hops := r.res.RedirectChain
	r.sans(9.5)
	r.color(colBody)
	if len(hops) == 0 {
		msg := "No redirect chain was recorded."
		if r.res.Depth == scanner.Quick {
			msg += " Quick scans do not follow the http:// chain; run a Standard scan to check the upgrade to HTTPS."
		}
		r.para(marginL, contentW, 4.7, msg)
		return
	}
	r.para(marginL, contentW, 4.7, "The responses seen when requesting the site over plain http://, in order.")
	r.space(3)
	for i, h := range hops {
		const lh = 4.4
		x := marginL + 22
		w := contentW - 22
		r.mono(8.2)
		ls := r.lines(clean(redact(h.URL), false), w)
		var loc []string
		if l := strings.TrimSpace(h.Location); l != "" {
			loc = r.lines("→ "+clean(redact(l), false), w)
		}
		r.ensure(lh*float64(min(len(ls)+len(loc), 3)) + 2)
		y := r.y()
		r.sans(8)
		r.color(colMuted)
		r.text(marginL, y+0.8, 6, lh, strconv.Itoa(i+1)+".", "L")
		code := statusText(h.StatusCode)
		bg := colMuted
		switch {
		case h.StatusCode >= 200 && h.StatusCode < 300:
			bg = colGood
		case h.StatusCode >= 300 && h.StatusCode < 400:
			bg = colBrand
		case h.StatusCode >= 400:
			bg = colBad
		}
		r.pill(marginL+6, y+0.3, code, bg, colWhite, 7)
		for _, l := range ls {
			r.ensure(lh)
			r.mono(8.2)
			r.color(colInk)
			r.text(x, r.y(), w, lh, l, "L")
			r.space(lh)
		}
		for _, l := range loc {
			r.ensure(lh)
			r.mono(8.2)
			r.color(colMuted)
			r.text(x, r.y(), w, lh, l, "L")
			r.space(lh)
		}
		r.space(2.5)
	}
}

func (r *renderer) headers() {
	r.h1("Response headers", "headers")
	res := r.res
	r.sans(9.5)
	r.color(colBody)
	intro := "The headers of the final response"
	if u := oneLine(res.FinalURL); u != "" {
		intro += " from " + u
	}
	if res.StatusCode != 0 {
		intro += " (HTTP " + strconv.Itoa(res.StatusCode) + ")"
	}
	intro += ", as received. Cookie values and anything that looks like a credential are masked."
	r.para(marginL, contentW, 4.7, intro)
	r.space(3)
	if len(res.Headers) == 0 {
		r.para(marginL, contentW, 4.7, "No response headers were recorded.")
	}
	names := slices.SortedFunc(maps.Keys(res.Headers), func(a, b string) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a), strings.ToLower(b)), cmp.Compare(a, b))
	})
	const nameW, lh = 50.0, 4.1
	valW := contentW - nameW - 3
	for _, k := range names {
		r.bold(8.2)
		nl := r.lines(oneLine(k), nameW)
		r.mono(7.8)
		vl := r.lines(clean(redactHeader(k, res.Headers[k]), true), valW)
		n := max(len(nl), len(vl))
		r.ensure(lh * float64(min(n, 2)))
		for i := 0; i < n; i++ {
			r.ensure(lh)
			y := r.y()
			if i < len(nl) {
				r.bold(8.2)
				r.color(colInk)
				r.text(marginL, y, nameW, lh, nl[i], "L")
			}
			if i < len(vl) {
				r.mono(7.8)
				r.color(colBody)
				r.text(marginL+nameW+3, y, valW, lh, vl[i], "L")
			}
			r.space(lh)
		}
		r.draw(colRule)
		r.pdf.SetLineWidth(0.15)
		r.pdf.Line(marginL, r.y()+0.7, rightX, r.y()+0.7)
		r.space(1.6)
	}
	if len(res.MissingHeaders) > 0 {
		missing := slices.Sorted(slices.Values(res.MissingHeaders))
		r.space(3)
		r.h2("Missing security headers", "")
		for _, m := range missing {
			r.ensure(4.8)
			y := r.y()
			r.bold(9)
			r.color(colBad)
			r.text(marginL, y, 5, 4.8, "✗", "L")
			r.sans(9.5)
			r.color(colInk)
			r.para(marginL+6, contentW-6, 4.8, oneLine(m))
		}
	}
}

func (r *renderer) about() {
	r.h1("About this report", "about")
	r.sans(9.5)
	r.color(colBody)
	r.para(marginL, contentW, 4.7, "Palisade scans a website from the outside, the way any visitor or attacker sees it, without credentials. "+
		"It checks TLS, security headers, cookies, redirects, DNS, information exposure and page content, scores each category "+
		"and combines them into an overall score out of 100. An invalid or expired certificate, or a leaked secret, caps the grade: "+
		"the grade is then worse than the score's letter, and the report says which check capped it and why. "+
		"A scan that could not reach or judge the site (unreachable, blocked by a bot challenge, cancelled or failed) is not graded.")
	r.space(4)
	r.ensure(16)
	r.bold(8.5)
	r.color(colInk)
	r.text(marginL, r.y(), contentW, 4.5, "Grading scale", "L")
	r.space(6)
	scale := [][2]string{{"A+", "90–100"}, {"A", "80–89"}, {"B", "70–79"}, {"C", "60–69"}, {"D", "50–59"}, {"F", "0–49"}}
	x := marginL
	y := r.y()
	for _, s := range scale {
		pw := r.pill(x, y, s[0], gradeColor(s[0]), colWhite, 8)
		r.sans(8.5)
		r.color(colBody)
		r.text(x+pw+1.5, y, 20, 4.7, s[1], "L")
		x += pw + 1.5 + r.strW(s[1]) + 6
	}
	r.setY(y + 8)
	if c := r.capped(); c != nil {
		r.sans(8.5)
		r.color(colBad)
		r.para(marginL, contentW, 4.3, fmt.Sprintf("This scan scored %d/100, which is %s on this scale, but its grade is %s",
			r.res.OverallScore, scanner.GradeFor(r.res.OverallScore), capPhrase(c)))
		r.space(2)
	} else if !r.graded() {
		r.sans(8.5)
		r.color(colBody)
		r.para(marginL, contentW, 4.3, "This scan is not on the scale: it could not judge the site, so it has no score and no grade.")
		r.space(2)
	}
	r.space(2)
	r.sans(8.5)
	r.color(colBody)
	version := "Scores and grades follow the scoring rules version " + orDash(oneLine(r.res.ScoringVersion)) +
		" (a version and a digest of the check table); a stored scan keeps the version it was graded with."
	r.para(marginL, contentW, 4.3, version)
	r.space(2)
	r.sans(8.5)
	r.color(colMuted)
	r.para(marginL, contentW, 4.3, "This report describes what an automated, unauthenticated scan observed at the time shown; it is not a penetration test "+
		"and cannot prove the absence of vulnerabilities. Evidence is reproduced as received, with anything that looks like a credential masked. "+
		"Each report version is a fixed document: generating the report again creates a new version and leaves this one unchanged.")
	r.space(2)
	r.para(marginL, contentW, 4.3, "Scan "+orDash(r.in.ScanID)+" · report version "+strconv.Itoa(r.in.Version)+" · generated "+fmtTime(r.genAt)+
		". Set in DejaVu Sans and DejaVu Sans Mono (Bitstream Vera licence).")
}
