package web

import (
	"strings"
	"testing"
)

// TestBadgeSVGEscapes: badge texts are XML-escaped.
func TestBadgeSVGEscapes(t *testing.T) {
	svg := badgeSVG("palisade", `<script>&"x"`, "#fff")
	if strings.Contains(svg, "<script>") || !strings.Contains(svg, "&lt;script&gt;&amp;&#34;x&#34;") {
		t.Fatalf("not escaped: %s", svg)
	}
}

func TestETagMatches(t *testing.T) {
	for _, tc := range []struct {
		h    string
		want bool
	}{{`"a"`, true}, {`W/"a"`, true}, {`"b", "a"`, true}, {`*`, true}, {`"b"`, false}} {
		if got := etagMatches(tc.h, `"a"`); got != tc.want {
			t.Errorf("%s: %v", tc.h, got)
		}
	}
}
