package scanner

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// readLimits names the engine limits that cut what the content checks read
// ("25 of 34 pages found were crawled (the limit is 25); …/app.js was read
// to 512 KiB of 617 KiB"), "" when nothing was cut or coverage is not known. A verdict
// without findings is only as good as what was read (docs/scoring.md,
// "Coverage"), so the content checks say so.
func readLimits(ev *Evidence) string {
	return ev.Coverage.Limits()
}

// Limits names the engine limits that cut what was read (readLimits), ""
// when nothing was cut or c is nil.
func (c *Coverage) Limits() string {
	if c == nil {
		return ""
	}
	var parts []string
	if c.PagesDiscovered > c.PagesCrawled {
		parts = append(parts, fmt.Sprintf("%d of %s pages found were crawled (the limit is %d)", c.PagesCrawled, atLeast(c.PagesDiscovered), c.PageLimit))
	}
	if c.ScriptsReferenced > c.ScriptsFetched {
		parts = append(parts, fmt.Sprintf("%d of %s scripts referenced were fetched (the limit is %d)", c.ScriptsFetched, atLeast(c.ScriptsReferenced), c.ScriptLimit))
	}
	for i, t := range c.Truncated {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("%d more bodies were cut at their size limit", len(c.Truncated)-i))
			break
		}
		of := ""
		if t.Size > t.BytesRead {
			of = " of " + kib(t.Size)
		}
		parts = append(parts, clip(t.URL, 100)+" was read to "+kib(t.BytesRead)+of)
	}
	return strings.Join(parts, "; ")
}

// noneFound is the description of a content check that found nothing:
// "No <what> were found." when everything was read, and "No <what> were
// found in what was read, but not everything was read: <limits>." when a
// limit cut the crawl or a body.
func noneFound(ev *Evidence, what string) string {
	if l := readLimits(ev); l != "" {
		return "No " + what + " were found in what was read, but not everything was read: " + l + "."
	}
	return "No " + what + " were found."
}

// notAllRead is the sentence a finding-free verdict that is not a "none
// found" ends with when a limit cut what was read (" Not everything was
// read: …."), "" when nothing was cut.
func notAllRead(ev *Evidence) string {
	if l := readLimits(ev); l != "" {
		return " Not everything was read: " + l + "."
	}
	return ""
}

// atLeast formats a count the crawl may have stopped counting at
// (crawlSeenMax): "20000" becomes "at least 20000".
func atLeast(n int) string {
	if n >= crawlSeenMax {
		return fmt.Sprintf("at least %d", n)
	}
	return fmt.Sprint(n)
}

// kib formats a byte count as KiB ("512 KiB"), or bytes below 1 KiB.
func kib(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d KiB", (n+512)/1024)
}

// Summary is what a scan read, in one line for people ("25 of 34 pages,
// 12 of 20 scripts, 1 body truncated (app.js: 512 of 603 KiB), 31
// probes"), the same on the scan page, in the PDF and in `palisade scan`
// (docs/scoring.md, "Coverage"). File names come from the scanned site:
// they are clipped, and the surfaces escape them as any other text.
func (c *Coverage) Summary() string {
	if c == nil {
		return ""
	}
	var parts []string
	if c.PageLimit <= 1 && c.PagesDiscovered <= 1 {
		parts = append(parts, "the main page")
	} else {
		parts = append(parts, fmt.Sprintf("%d of %s pages", c.PagesCrawled, atLeast(c.PagesDiscovered)))
	}
	if c.ScriptLimit > 0 || c.ScriptsReferenced > 0 {
		parts = append(parts, fmt.Sprintf("%d of %s scripts", c.ScriptsFetched, atLeast(c.ScriptsReferenced)))
	}
	if n := len(c.Truncated); n > 0 {
		var names []string
		for i, t := range c.Truncated {
			if i == 3 {
				names = append(names, fmt.Sprintf("%d more", n-i))
				break
			}
			of := "first " + kib(t.BytesRead)
			if t.Size > t.BytesRead {
				of = strings.TrimSuffix(kib(t.BytesRead), " KiB") + " of " + kib(t.Size)
			}
			names = append(names, bodyName(t.URL)+": "+of)
		}
		noun := "bodies"
		if n == 1 {
			noun = "body"
		}
		parts = append(parts, fmt.Sprintf("%d %s truncated (%s)", n, noun, strings.Join(names, "; ")))
	}
	if c.ProbesSent > 0 {
		parts = append(parts, fmt.Sprintf("%d probes", c.ProbesSent))
	}
	return strings.Join(parts, ", ")
}

// bodyName is how Summary names a truncated body: the last segment of its
// path ("app.js"), or the path's host and "/" for a page at the root,
// clipped to 60 bytes.
func bodyName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return clip(raw, 60)
	}
	if name := path.Base(u.EscapedPath()); name != "/" && name != "." && name != "" {
		return clip(name, 60)
	}
	return clip(u.Host+"/", 60)
}
