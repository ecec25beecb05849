package scanner

import "bytes"

// cssRefs calls add for every URL a piece of CSS (a <style> element's text
// or a style="" attribute) makes the browser load, with how it is
// referenced and its kind (docs/scoring.md, content.mixed-content):
//
//   - @import "…" / @import url(…): a style sheet, blockable (active);
//   - url(…) inside an @font-face block: a font, blockable (active);
//   - any other url(…): an image (backgrounds, list markers, cursors, masks),
//     upgradeable (passive).
//
// It is a small lexer, not a parser: comments and strings outside url() and
// @import are skipped so their text is never taken for a reference, and
// blocks are counted only to know when an @font-face block ends. It reads
// hostile text in one pass without allocating beyond the URLs it returns.
func cssRefs(css []byte, add func(how cssHow, u string, kind refKind)) {
	depth, fontDepth := 0, -1 // brace depth; depth of the @font-face block being read
	pendingFont := false      // an @font-face prelude was read, its block not yet opened
	for i := 0; i < len(css); i++ {
		switch c := css[i]; c {
		case '/':
			if i+1 < len(css) && css[i+1] == '*' {
				end := bytes.Index(css[i+2:], []byte("*/"))
				if end < 0 {
					return
				}
				i += 2 + end + 1
			}
		case '"', '\'':
			_, i = cssString(css, i)
		case '\\':
			i++ // an escaped character is never syntax
		case '{':
			depth++
			if pendingFont {
				fontDepth, pendingFont = depth, false
			}
		case '}':
			if depth == fontDepth {
				fontDepth = -1
			}
			if depth > 0 {
				depth--
			}
		case ';':
			pendingFont = false
		case '@':
			rest := css[i+1:]
			switch {
			case hasPrefixFold(rest, "import"):
				j := cssSpace(css, i+7)
				var u string
				switch {
				case j < len(css) && (css[j] == '"' || css[j] == '\''):
					u, j = cssString(css, j)
				case hasPrefixFold(css[j:], "url("):
					u, j = cssURL(css, j+4)
				default:
					j--
				}
				if u != "" {
					add(cssImport, u, refActive)
				}
				i = j
			case hasPrefixFold(rest, "font-face"):
				pendingFont = true
				i += len("font-face")
			}
		case 'u', 'U':
			if !hasPrefixFold(css[i:], "url(") || (i > 0 && isCSSNameByte(css[i-1])) {
				continue
			}
			u, j := cssURL(css, i+4)
			if u != "" {
				if fontDepth >= 0 && depth >= fontDepth {
					add(cssFontFace, u, refActive)
				} else {
					add(cssURLRef, u, refPassive)
				}
			}
			i = j
		}
	}
}

// cssString reads the quoted string starting at css[i] (a quote), returning
// its text (escapes kept as written) and the index of its closing quote (or
// of the last byte, when it is not closed).
func cssString(css []byte, i int) (string, int) {
	q := css[i]
	for j := i + 1; j < len(css); j++ {
		switch css[j] {
		case '\\':
			j++
		case q:
			return string(css[i+1 : j]), j
		case '\n':
			return "", j // an unclosed string ends at the line, as in CSS
		}
	}
	return "", len(css) - 1
}

// cssURL reads the argument of url( that starts at css[i]: a quoted string
// or a bare URL, returning it and the index of the closing parenthesis (or
// of where reading stopped).
func cssURL(css []byte, i int) (string, int) {
	i = cssSpace(css, i)
	if i >= len(css) {
		return "", len(css) - 1
	}
	if css[i] == '"' || css[i] == '\'' {
		u, j := cssString(css, i)
		if k := bytes.IndexByte(css[j+1:], ')'); k >= 0 && k < 64 {
			j += 1 + k
		}
		return u, j
	}
	for j := i; j < len(css); j++ {
		switch css[j] {
		case ')':
			return string(css[i:j]), j
		case ' ', '\t', '\n', '\r', '\f':
			if k := cssSpace(css, j); k < len(css) && css[k] == ')' {
				return string(css[i:j]), k
			}
			return "", j // white space inside: a bad url() token, the browser loads nothing
		case '"', '\'', '(':
			return "", j // a bad url() token
		}
	}
	return "", len(css) - 1
}

// cssSpace skips CSS white space from css[i].
func cssSpace(css []byte, i int) int {
	for i < len(css) && (css[i] == ' ' || css[i] == '\t' || css[i] == '\n' || css[i] == '\r' || css[i] == '\f') {
		i++
	}
	return i
}

// isCSSNameByte says whether b can be part of a CSS identifier, so that
// "myurl(" is not read as url(.
func isCSSNameByte(b byte) bool {
	return b == '-' || b == '_' || b >= 0x80 || (b >= '0' && b <= '9') || (b|0x20 >= 'a' && b|0x20 <= 'z')
}

// hasPrefixFold is bytes.HasPrefix ignoring ASCII case; prefix is lower case.
func hasPrefixFold(b []byte, prefix string) bool {
	if len(b) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if b[i]|0x20 != prefix[i] && b[i] != prefix[i] {
			return false
		}
	}
	return true
}

// hasHTTPFold says whether b contains "http:" in any letter case: the
// literal prefilter in front of the CSS scanner. It jumps from colon to
// colon with the vectorised IndexByte.
func hasHTTPFold(b []byte) bool {
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], ':')
		if j < 0 {
			return false
		}
		k := i + j
		if k >= 4 && b[k-4]|0x20 == 'h' && b[k-3]|0x20 == 't' && b[k-2]|0x20 == 't' && b[k-1]|0x20 == 'p' {
			return true
		}
		i = k + 1
	}
	return false
}
