package reports

import (
	"bytes"
	"errors"
	"testing"
)

// TestPageCompressionMatchesGofpdf holds compressPageStreams to what it
// replaces: the document must be byte for byte the one gofpdf writes with its
// own page compression on, for small and large reports and with the pooled
// writers already used (the renders run one after another, then at once).
func TestPageCompressionMatchesGofpdf(t *testing.T) {
	cases := []struct {
		name     string
		extra    int
		previous bool
	}{
		{"8 findings", 0, false},
		{"30 findings with a previous scan", 22, true},
		{"200 findings", 192, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := sampleInput(c.extra, c.previous)
			want, err := renderPDF(in, false)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				got, err := renderPDF(in, true)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("render %d: %d bytes, gofpdf's own compression gives %d; first difference at byte %d",
						i, len(got), len(want), firstDiff(got, want))
				}
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestCompressPageStreamsRejectsOtherLayouts: input that is not the layout
// gofpdf writes is an error, never a document with wrong offsets.
func TestCompressPageStreamsRejectsOtherLayouts(t *testing.T) {
	r := newRenderer(sampleInput(0, false))
	r.pdf.SetCompression(false)
	r.build()
	r.finish()
	var buf bytes.Buffer
	if err := r.pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	if _, err := compressPageStreams(good); err != nil {
		t.Fatalf("gofpdf's own output: %v", err)
	}
	edit := func(old, new string) []byte {
		i := bytes.Index(good, []byte(old))
		if i < 0 {
			t.Fatalf("%q not in the document", old)
		}
		return append(append(append([]byte(nil), good[:i]...), new...), good[i+len(old):]...)
	}
	cases := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"truncated", good[:len(good)/2]},
		{"no startxref", bytes.ReplaceAll(good, []byte("startxref"), []byte("startxrex"))},
		{"shifted objects", append([]byte("%junk\n"), good...)},
		{"stream length off", edit("<</Length ", "<</Length 1")},
		{"already compressed page", edit("<</Length ", "<</Filter /FlateDecode /Length ")},
		{"page without contents", edit("/Contents ", "/Kontents ")},
	}
	for _, c := range cases {
		if out, err := compressPageStreams(c.in); !errors.Is(err, errLayout) {
			t.Errorf("%s: got %d bytes and error %v, want errLayout", c.name, len(out), err)
		}
	}
}
