package scanner

import (
	"fmt"
	"strings"
)

// readLimits names the engine limits that cut what the content checks read
// ("25 of 34 pages crawled (the limit is 25); app.js read to 512 KiB of
// 617 KiB"), "" when nothing was cut or coverage is not known. A verdict
// without findings is only as good as what was read (docs/scoring.md,
// "Coverage"), so the content checks say so.
func readLimits(ev *Evidence) string {
	c := ev.Coverage
	if c == nil {
		return ""
	}
	var parts []string
	if c.PagesDiscovered > c.PagesCrawled {
		parts = append(parts, fmt.Sprintf("%d of %d pages found were crawled (the limit is %d)", c.PagesCrawled, c.PagesDiscovered, c.PageLimit))
	}
	if c.ScriptsReferenced > c.ScriptsFetched {
		parts = append(parts, fmt.Sprintf("%d of %d scripts referenced were fetched (the limit is %d)", c.ScriptsFetched, c.ScriptsReferenced, c.ScriptLimit))
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
// "No <what> were found." when everything was read, and "None found in what
// was read: <limits>." when a limit cut the crawl or a body.
func noneFound(ev *Evidence, what string) string {
	if l := readLimits(ev); l != "" {
		return "No " + what + " were found in what was read, but not everything was read: " + l + "."
	}
	return "No " + what + " were found."
}

// kib formats a byte count as KiB ("512 KiB"), or bytes below 1 KiB.
func kib(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d KiB", (n+512)/1024)
}
