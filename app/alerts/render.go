package alerts

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/palisade/palisade/app/domain"
)

// Each channel renders its message from Content (docs/monitoring.md,
// "Channels, signatures and retries"). Everything in Content that came from
// a scanned site — finding titles, origins, reasons, even a site's label —
// is hostile: it is cleaned of control characters and bounded in length
// here, and Slack text is escaped, so no channel can be made to carry
// headers, markup or mentions a site chose.

// Bounds of rendered fields: long enough for any honest value.
const (
	maxSubject = 200
	maxField   = 300
	maxItems   = 20
)

// clean makes s one inert line: control characters (CR, LF, tabs, bidi
// overrides, zero-width joiners…) become spaces, runs of spaces collapse,
// invalid UTF-8 is replaced, and the result is at most max runes.
func clean(s string, max int) string {
	var b strings.Builder
	space := false
	n := 0
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		if n == max {
			return strings.TrimSpace(b.String()) + "…"
		}
		space = false
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// Subject is the alert's first line and e-mail subject: its summary
// ("example.com dropped from A to C") as one clean line.
func Subject(c Content) string {
	if s := clean(c.Summary, maxSubject); s != "" {
		return s
	}
	name := clean(c.Site.Name, 100)
	if name == "" {
		name = "your site"
	}
	switch c.Type {
	case domain.AlertTest:
		return "Test alert from Palisade"
	case domain.AlertResolved:
		return name + ": resolved"
	default:
		return name + ": " + clean(string(c.Type), 50)
	}
}

// details lists what the alert is about, cleaned, as plain lines: the
// checks that moved, new findings, certificate, origins, reason.
func details(c Content) (sections [][]string) {
	if len(c.Changes) > 0 {
		var ls []string
		for i, ch := range c.Changes {
			if i == maxItems {
				break
			}
			name := clean(ch.Name, maxField)
			if name == "" {
				name = clean(ch.CheckID, 100)
			}
			ls = append(ls, fmt.Sprintf("%s: %s → %s", name, orDash(clean(ch.Before, 100)), orDash(clean(ch.After, 100))))
		}
		ls = andMore(ls, min(len(c.Changes), maxItems), max(c.ChangesTotal, len(c.Changes)))
		sections = append(sections, append([]string{"What changed:"}, ls...))
	}
	if len(c.NewFindings) > 0 {
		var ls []string
		for i, f := range c.NewFindings {
			if i == maxItems {
				break
			}
			ls = append(ls, fmt.Sprintf("[%s] %s", strings.ToUpper(clean(f.Severity, 20)), clean(f.Title, maxField)))
		}
		ls = andMore(ls, min(len(c.NewFindings), maxItems), max(c.NewFindingsTotal, len(c.NewFindings)))
		sections = append(sections, append([]string{"New findings:"}, ls...))
	}
	if ct := c.Certificate; ct != nil {
		l := fmt.Sprintf("The certificate expires on %s (%d days left).", ct.NotAfter.UTC().Format("2 January 2006"), ct.DaysLeft)
		if s := clean(ct.Subject, 200); s != "" {
			l += " Subject: " + s + "."
		}
		sections = append(sections, []string{"Certificate:", l})
	}
	if len(c.ScriptOrigins) > 0 {
		ls := []string{"New third-party script origins:"}
		for i, o := range c.ScriptOrigins {
			if i == maxItems {
				ls = append(ls, fmt.Sprintf("… and %d more", len(c.ScriptOrigins)-maxItems))
				break
			}
			ls = append(ls, clean(o, maxField))
		}
		sections = append(sections, ls)
	}
	if r := clean(c.Reason, maxField); r != "" {
		sections = append(sections, []string{"Why the scan failed:", r})
	}
	return sections
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// links are the alert's links with their labels; the URLs are Palisade's own.
func links(c Content) [][2]string {
	var out [][2]string
	for _, l := range [][2]string{{"Scan", c.URL}, {"Comparison", c.CompareURL}, {"Site", c.SiteURL}} {
		if u := clean(l[1], 2048); u != "" {
			out = append(out, [2]string{l[0], u})
		}
	}
	return out
}

// EmailBody is the plain-text e-mail of an alert: the summary, what
// caused it, links, and a footer naming the monitor and where to change it.
func EmailBody(c Content) string {
	var b strings.Builder
	b.WriteString(Subject(c))
	b.WriteString("\n\n")
	if c.Type == domain.AlertTest {
		b.WriteString("This is a test message: your alert channel works.\n\n")
	}
	if g, pg := clean(c.Grade, 5), clean(c.PreviousGrade, 5); g != "" && pg != "" && g != pg {
		fmt.Fprintf(&b, "Grade: %s → %s\n\n", pg, g)
	}
	for _, sec := range details(c) {
		b.WriteString(sec[0])
		b.WriteString("\n")
		for _, l := range sec[1:] {
			b.WriteString("  - ")
			b.WriteString(l)
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	for _, l := range links(c) {
		fmt.Fprintf(&b, "%s: %s\n", l[0], l[1])
	}
	b.WriteString("\n-- \n")
	site := clean(c.Site.Name, 100)
	switch {
	case c.MonitorID != "" && site != "":
		fmt.Fprintf(&b, "Sent by Palisade's monitor of %s (%s).\n", site, clean(c.MonitorID, 64))
	case c.MonitorID != "":
		fmt.Fprintf(&b, "Sent by Palisade's monitor %s.\n", clean(c.MonitorID, 64))
	default:
		b.WriteString("Sent by Palisade.\n")
	}
	if u := clean(c.SiteURL, 2048); u != "" {
		fmt.Fprintf(&b, "Change what you are alerted about, and where, on the site's page: %s\n", u)
	} else {
		b.WriteString("Change what you are alerted about in the monitor's settings.\n")
	}
	return b.String()
}

// slackEscape escapes text as Slack's message formatting requires (&, <,
// >) and breaks mention words (@here, @channel, @everyone), so text from a
// scanned site cannot notify a whole workspace or forge a link.
func slackEscape(s string) string {
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r)
		if r == '@' || r == '!' {
			// A word joiner after @ or ! keeps "@here" and "!channel"
			// readable but no longer a mention.
			rest := strings.ToLower(s[i+size:])
			for _, w := range []string{"here", "channel", "everyone", "subteam"} {
				if strings.HasPrefix(rest, w) {
					b.WriteString("\u2060")
					break
				}
			}
		}
		i += size
	}
	return b.String()
}

// slackLink is <url|label> with both parts made safe: the URL cannot close
// the link or start a new one, the label is escaped text.
func slackLink(url, label string) string {
	url = strings.NewReplacer("&", "&amp;", "<", "%3C", ">", "%3E", "|", "%7C", " ", "%20").Replace(url)
	return "<" + url + "|" + slackEscape(label) + ">"
}

// SlackText is the Slack-compatible message ({"text": …}) of an alert.
func SlackText(c Content) string {
	var b strings.Builder
	b.WriteString("*")
	b.WriteString(slackEscape(Subject(c)))
	b.WriteString("*\n")
	if c.Type == domain.AlertTest {
		b.WriteString("This is a test message: your alert channel works.\n")
	}
	for _, sec := range details(c) {
		b.WriteString(slackEscape(sec[0]))
		b.WriteString("\n")
		for _, l := range sec[1:] {
			b.WriteString("• ")
			b.WriteString(slackEscape(l))
			b.WriteString("\n")
		}
	}
	var ls []string
	for _, l := range links(c) {
		ls = append(ls, slackLink(l[1], l[0]))
	}
	if len(ls) > 0 {
		b.WriteString(strings.Join(ls, " · "))
		b.WriteString("\n")
	}
	return b.String()
}

// andMore ends a list that shows shown of total items with how many it left out.
func andMore(ls []string, shown, total int) []string {
	if total > shown {
		ls = append(ls, fmt.Sprintf("… and %d more", total-shown))
	}
	return ls
}
