package reports

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"sync"

	"github.com/jung-kurt/gofpdf"
)

// The report embeds DejaVu Sans (regular and bold) and DejaVu Sans Mono so
// that every glyph a scanned site can send us in Latin, Greek or Cyrillic
// renders the same on every machine, with no system fonts involved. gofpdf
// subsets them, so a PDF only carries the glyphs it uses. The files are
// already cut to the characters the three share (fontCoverage), since gofpdf
// parses and subsets each font again on every render and that work grows
// with the glyphs in the file; fonts/README.md says how they were made. The licence
// (Bitstream Vera licence, DejaVu changes in the public domain) is
// fonts/LICENSE and must ship with the fonts.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontSans []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontSansBold []byte
	//go:embed fonts/DejaVuSansMono.ttf
	fontMono []byte
	//go:embed fonts/LICENSE
	fontLicense string
)

// Font family names registered with gofpdf.
const (
	famSans = "dejavu"
	famMono = "dejavumono"
)

// coverage is the set of BMP code points that all three embedded fonts can
// draw. Text is mapped onto it before layout so that a character the fonts
// lack becomes a visible replacement instead of an invisible .notdef box, and
// so that gofpdf (whose width tables stop at U+FFFF) never sees a rune it
// cannot measure.
type coverage [65536 / 64]uint64

func (c *coverage) has(r rune) bool {
	return r >= 0 && r < 65536 && c[r>>6]&(1<<(uint(r)&63)) != 0
}

func (c *coverage) set(r rune) { c[r>>6] |= 1 << (uint(r) & 63) }

var (
	glyphsOnce sync.Once
	glyphs     *coverage
)

// fontCoverage returns the shared coverage of the embedded fonts, computed
// once per process from their cmap tables.
func fontCoverage() *coverage {
	glyphsOnce.Do(func() {
		var all coverage
		for i := range all {
			all[i] = ^uint64(0)
		}
		for _, ttf := range [][]byte{fontSans, fontSansBold, fontMono} {
			c := cmapCoverage(ttf)
			for i := range all {
				all[i] &= c[i]
			}
		}
		glyphs = &all
	})
	return glyphs
}

// cmapCoverage reads the Unicode BMP (format 4) cmap subtable of a TrueType
// font. Malformed input yields an empty set rather than a panic: the fonts
// are embedded and tested, so this is belt and braces.
func cmapCoverage(ttf []byte) *coverage {
	var c coverage
	u16 := func(off int) int {
		if off < 0 || off+2 > len(ttf) {
			return -1
		}
		return int(binary.BigEndian.Uint16(ttf[off:]))
	}
	u32 := func(off int) int {
		if off < 0 || off+4 > len(ttf) {
			return -1
		}
		return int(binary.BigEndian.Uint32(ttf[off:]))
	}
	numTables := u16(4)
	cmap := -1
	for i := 0; i < numTables; i++ {
		rec := 12 + 16*i
		if rec+16 > len(ttf) {
			break
		}
		if string(ttf[rec:rec+4]) == "cmap" {
			cmap = u32(rec + 8)
		}
	}
	if cmap < 0 {
		return &c
	}
	sub := -1
	for i, n := 0, u16(cmap+2); i < n; i++ {
		rec := cmap + 4 + 8*i
		platform, encoding, off := u16(rec), u16(rec+2), u32(rec+4)
		if off < 0 || u16(cmap+off) != 4 {
			continue
		}
		if (platform == 3 && encoding == 1) || platform == 0 {
			sub = cmap + off
			break
		}
	}
	if sub < 0 {
		return &c
	}
	segX2 := u16(sub + 6)
	if segX2 <= 0 {
		return &c
	}
	ends := sub + 14
	starts := ends + segX2 + 2
	deltas := starts + segX2
	ranges := deltas + segX2
	for s := 0; s < segX2; s += 2 {
		end, start := u16(ends+s), u16(starts+s)
		delta, rangeOff := u16(deltas+s), u16(ranges+s)
		if end < 0 || start < 0 || delta < 0 || rangeOff < 0 {
			return &c
		}
		for r := start; r <= end && r < 0xFFFF; r++ {
			glyph := 0
			if rangeOff == 0 {
				glyph = (r + delta) & 0xFFFF
			} else {
				g := u16(ranges + s + rangeOff + 2*(r-start))
				if g > 0 {
					glyph = (g + delta) & 0xFFFF
				}
			}
			if glyph != 0 {
				c.set(rune(r))
			}
		}
	}
	return &c
}

// widthTable holds the advance widths of one embedded font for the runes
// the report can draw, as gofpdf measures them (GetStringSymbolWidth, in
// thousandths of the font size), plus one so that zero means "not covered".
type widthTable [65536]uint16

// width is c's advance in thousandths of the font size. A rune outside the
// coverage (clean never lets one through, but the layout's own punctuation
// is not cleaned) is measured by pdf, the current document, in its current
// font.
func (t *widthTable) width(c rune, pdf *gofpdf.Fpdf) float64 {
	if c >= 0 && c < 65536 {
		if u := t[c]; u != 0 {
			return float64(u - 1)
		}
	}
	return float64(pdf.GetStringSymbolWidth(string(c)))
}

var (
	widthsOnce   sync.Once
	widthsByFont map[string]*widthTable
)

// fontWidths returns the width table of the font registered as family and
// style. Layout measures every rune it wraps, and the widths come from the
// embedded fonts alone, so they are read once per process, through a
// document of gofpdf's own so they are exactly the widths gofpdf lays text
// out with, instead of being looked up again by every render.
func fontWidths(family, style string) *widthTable {
	widthsOnce.Do(func() {
		pdf := gofpdf.New("P", "mm", "A4", "")
		fonts := []struct {
			family, style string
			ttf           []byte
		}{{famSans, "", fontSans}, {famSans, "B", fontSansBold}, {famMono, "", fontMono}}
		cov := fontCoverage()
		widthsByFont = make(map[string]*widthTable, len(fonts))
		for _, f := range fonts {
			pdf.AddUTF8FontFromBytes(f.family, f.style, bytes.Clone(f.ttf))
			pdf.SetFont(f.family, f.style, 10)
			t := new(widthTable)
			for c := rune(0); c < 65536; c++ {
				if cov.has(c) {
					t[c] = uint16(min(pdf.GetStringSymbolWidth(string(c)), 65534) + 1)
				}
			}
			widthsByFont[f.family+"/"+f.style] = t
		}
	})
	if t := widthsByFont[family+"/"+style]; t != nil {
		return t
	}
	return &unmeasured
}

// unmeasured is the table of a font registered elsewhere: every rune is
// measured by the document.
var unmeasured widthTable
