package reports

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
)

// Page content streams are compressed here rather than by gofpdf. gofpdf
// 1.16.2 makes a new zlib writer for every page (sliceCompress), and each
// compress/flate writer allocates and clears about 1 MB of tables whatever
// the level: with 40 pages that was a fifth of the render time and most of
// the memory allocated per render (docs/BENCHMARKS.md, reports). Render
// therefore turns gofpdf's page compression off and compresses the page
// streams of the finished document with pooled writers, at the level gofpdf
// uses (BestSpeed), so the PDF is the one gofpdf would have written with
// compression on, save for the offsets. Fonts are still compressed by gofpdf:
// it always does, and there are only six such streams.
var zlibWriters = sync.Pool{New: func() any {
	w, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed) // the level is valid, so err is nil
	return w
}}

// deflate appends data zlib-compressed to dst.
func deflate(dst *bytes.Buffer, data []byte) {
	w := zlibWriters.Get().(*zlib.Writer)
	w.Reset(dst)
	_, _ = w.Write(data) // writes to a bytes.Buffer cannot fail
	_ = w.Close()
	w.Reset(nil) // do not keep dst alive in the pool
	zlibWriters.Put(w)
}

var errLayout = errors.New("reports: unexpected gofpdf output layout")

// pdfObject is one indirect object of the document as gofpdf wrote it.
type pdfObject struct {
	num        int
	start, end int // byte range in the source, "N 0 obj" to after "endobj\n"
}

// compressPageStreams rewrites an uncompressed gofpdf document: each page's
// content stream gets /Filter /FlateDecode, everything else is copied byte
// for byte, and the cross-reference table is rebuilt for the new offsets. It
// relies on the layout gofpdf 1.16.2 writes (one object per "N 0 obj" …
// "endobj" line block, a classic xref table, "/Contents N 0 R" in each page
// object, page streams as "<</Length L>>"); anything else is an error
// rather than a silently broken PDF, and the tests read every PDF back.
func compressPageStreams(src []byte) ([]byte, error) {
	objs, xref, err := pdfObjects(src)
	if err != nil {
		return nil, err
	}
	// page content streams, by object number, from the page objects
	contents := map[int]bool{}
	for _, o := range objs {
		body := src[o.start:o.end]
		if !bytes.Contains(body[:min(len(body), 40)], []byte(" 0 obj\n<</Type /Page\n")) {
			continue
		}
		i := bytes.Index(body, []byte("/Contents "))
		if i < 0 {
			return nil, fmt.Errorf("%w: page object %d has no /Contents", errLayout, o.num)
		}
		rest := body[i+len("/Contents "):]
		j := bytes.IndexByte(rest, ' ')
		n, err := strconv.Atoi(string(rest[:max(j, 0)]))
		if err != nil {
			return nil, fmt.Errorf("%w: page object %d: /Contents %q", errLayout, o.num, rest[:min(len(rest), 12)])
		}
		contents[n] = true
	}

	var out bytes.Buffer
	out.Grow(len(src) / 2)
	out.Write(src[:objs[0].start])
	offsets := make([]int, len(objs)+1)
	for _, o := range objs {
		offsets[o.num] = out.Len()
		body := src[o.start:o.end]
		if !contents[o.num] {
			out.Write(body)
			continue
		}
		head := strconv.Itoa(o.num) + " 0 obj\n<</Length "
		if !bytes.HasPrefix(body, []byte(head)) {
			return nil, fmt.Errorf("%w: page stream %d starts %q", errLayout, o.num, body[:min(len(body), 40)])
		}
		rest := body[len(head):]
		k := bytes.Index(rest, []byte(">>\nstream\n"))
		if k < 0 {
			return nil, fmt.Errorf("%w: page stream %d has no stream", errLayout, o.num)
		}
		n, err := strconv.Atoi(string(rest[:k]))
		data := rest[k+len(">>\nstream\n"):]
		if err != nil || n > len(data) || !bytes.Equal(data[n:], []byte("\nendstream\nendobj\n")) {
			return nil, fmt.Errorf("%w: page stream %d: length %q does not match", errLayout, o.num, rest[:k])
		}
		var z bytes.Buffer
		z.Grow(n / 3)
		deflate(&z, data[:n])
		out.WriteString(strconv.Itoa(o.num) + " 0 obj\n<</Filter /FlateDecode /Length " + strconv.Itoa(z.Len()) + ">>\nstream\n")
		out.Write(z.Bytes())
		out.WriteString("\nendstream\nendobj\n")
	}
	if len(contents) == 0 {
		return nil, fmt.Errorf("%w: no page content streams", errLayout)
	}

	// cross-reference table and trailer, as gofpdf writes them
	xrefAt := out.Len()
	out.WriteString("xref\n0 " + strconv.Itoa(len(objs)+1) + "\n0000000000 65535 f \n")
	for _, off := range offsets[1:] {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	tr := bytes.Index(src[xref:], []byte("trailer\n"))
	sx := bytes.LastIndex(src, []byte("startxref\n"))
	if tr < 0 || sx < xref+tr {
		return nil, fmt.Errorf("%w: no trailer", errLayout)
	}
	out.Write(src[xref+tr : sx])
	out.WriteString("startxref\n" + strconv.Itoa(xrefAt) + "\n%%EOF\n")
	return out.Bytes(), nil
}

// pdfObjects lists the objects of a gofpdf document from its cross-reference
// table, in file order, and returns where the table starts.
func pdfObjects(src []byte) ([]pdfObject, int, error) {
	sx := bytes.LastIndex(src, []byte("startxref\n"))
	if sx < 0 {
		return nil, 0, fmt.Errorf("%w: no startxref", errLayout)
	}
	line := src[sx+len("startxref\n"):]
	xref, err := strconv.Atoi(string(line[:max(bytes.IndexByte(line, '\n'), 0)]))
	if err != nil || xref <= 0 || xref >= sx || !bytes.HasPrefix(src[xref:], []byte("xref\n0 ")) {
		return nil, 0, fmt.Errorf("%w: bad startxref", errLayout)
	}
	table := src[xref+len("xref\n0 "):]
	nl := bytes.IndexByte(table, '\n')
	count, err := strconv.Atoi(string(table[:max(nl, 0)]))
	const entry = 20 // "0000000000 00000 n \n"
	if err != nil || count < 2 || len(table) < nl+1+count*entry {
		return nil, 0, fmt.Errorf("%w: bad xref header", errLayout)
	}
	entries := table[nl+1+entry:] // skip the free entry of object 0
	objs := make([]pdfObject, 0, count-1)
	for i := 1; i < count; i++ {
		e := entries[(i-1)*entry : i*entry]
		off, err := strconv.Atoi(string(e[:10]))
		if err != nil || off <= 0 || off >= xref || string(e[10:]) != " 00000 n \n" {
			return nil, 0, fmt.Errorf("%w: bad xref entry %d", errLayout, i)
		}
		objs = append(objs, pdfObject{num: i, start: off})
	}
	slices.SortFunc(objs, func(a, b pdfObject) int { return a.start - b.start })
	for i := range objs {
		end := xref
		if i+1 < len(objs) {
			end = objs[i+1].start
		}
		objs[i].end = end
		head := strconv.Itoa(objs[i].num) + " 0 obj\n"
		if !bytes.HasPrefix(src[objs[i].start:end], []byte(head)) || !bytes.HasSuffix(src[objs[i].start:end], []byte("endobj\n")) {
			return nil, 0, fmt.Errorf("%w: object %d is not where the xref says", errLayout, objs[i].num)
		}
	}
	return objs, xref, nil
}
