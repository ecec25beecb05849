package alerts

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/palisade/palisade/app/domain"
)

func hostile() Content {
	long := strings.Repeat("A", 5000)
	return Content{
		Type: domain.AlertGradeDrop, MonitorID: "mon_1",
		Site:    SiteRef{Name: "evil.test\r\nBcc: victim@example.com", URL: "https://evil.test/"},
		Summary: "evil.test dropped from A to C\r\nBcc: victim@example.com\x00\u202e<script>alert(1)</script>",
		Grade:   "C", PreviousGrade: "A",
		Changes: []Change{{CheckID: "csp", Name: "<img src=x onerror=alert(1)> @here <!channel>", Before: "pass", After: "fail\nInjected: yes"}},
		NewFindings: []FindingRef{
			{Severity: "critical", Title: "<!everyone> <https://phish.test|click> & " + long},
			{Severity: "high", Title: "@channel ping"},
		},
		ScriptOrigins: []string{"https://cdn.evil.test/<b>", "javascript:alert(1)"},
		Reason:        "connection reset\r\n\r\n<html>",
		Certificate:   &CertificateRef{NotAfter: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), DaysLeft: 7, Threshold: 7, Subject: "CN=<x>\n"},
		URL:           "http://palisade.test/scans/scn_2?a=1&b=<2>|x", CompareURL: "http://palisade.test/scans/scn_2/compare", SiteURL: "http://palisade.test/sites/sit_1",
	}
}

func TestSubject(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Content
		want string
	}{
		{"summary", Content{Summary: "example.com dropped from A to C"}, "example.com dropped from A to C"},
		{"crlf and controls", Content{Summary: "a\r\nBcc: x\x00\x1b[31m\u202e b"}, "a Bcc: x [31m b"},
		{"empty summary, test", Content{Type: domain.AlertTest}, "Test alert from Palisade"},
		{"empty summary, resolved", Content{Type: domain.AlertResolved, Site: SiteRef{Name: "ex.test"}}, "ex.test: resolved"},
		{"long", Content{Summary: strings.Repeat("x", 1000)}, strings.Repeat("x", maxSubject) + "…"},
		{"invalid utf-8", Content{Summary: "a\xffb"}, "a\uFFFDb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Subject(tc.c); got != tc.want {
				t.Errorf("Subject = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestChannelsStayInert: hostile content cannot add header lines to an
// e-mail, lines to its body, mentions or links to Slack, and long strings
// are bounded.
func TestChannelsStayInert(t *testing.T) {
	c := hostile()
	subject := Subject(c)
	if strings.ContainsAny(subject, "\r\n\x00") || strings.ContainsRune(subject, '\u202e') {
		t.Errorf("subject holds control characters: %q", subject)
	}
	body := EmailBody(c)
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "Bcc:") || strings.HasPrefix(l, "Injected:") || strings.HasPrefix(l, "<html>") {
			t.Errorf("hostile text started a line of its own: %q", l)
		}
		if len([]rune(l)) > 400 {
			t.Errorf("a body line is %d runes long", len([]rune(l)))
		}
		for _, r := range l {
			if unicode.IsControl(r) {
				t.Errorf("control character %U in body line %q", r, l)
			}
		}
	}
	for _, want := range []string{"Grade: A → C", "fail Injected: yes", "[CRITICAL]", "Certificate:", "7 days left",
		"Why the scan failed:", "Scan: http://palisade.test/scans/scn_2", "Comparison: http://palisade.test/scans/scn_2/compare",
		"Site: http://palisade.test/sites/sit_1", "Sent by Palisade's monitor of evil.test Bcc: victim@example.com (mon_1)",
		"on the site's page: http://palisade.test/sites/sit_1"} {
		if !strings.Contains(body, want) {
			t.Errorf("e-mail body lacks %q:\n%s", want, body)
		}
	}

	slack := SlackText(c)
	for _, bad := range []string{"<!channel>", "<!everyone>", "<img", "<https://phish.test|", "@here", "@channel", "<script>", "<b>"} {
		if strings.Contains(slack, bad) {
			t.Errorf("slack text holds %q:\n%s", bad, slack)
		}
	}
	// The only < are the links Palisade made, each <url|label>.
	if n := strings.Count(slack, "<"); n != 3 {
		t.Errorf("slack text has %d '<', want the 3 links:\n%s", n, slack)
	}
	for _, want := range []string{"&lt;img src=x", "&amp;", "<http://palisade.test/scans/scn_2?a=1&amp;b=%3C2%3E%7Cx|Scan>", "<http://palisade.test/sites/sit_1|Site>"} {
		if !strings.Contains(slack, want) {
			t.Errorf("slack text lacks %q:\n%s", want, slack)
		}
	}
	if len(slack) > 6000 {
		t.Errorf("slack text is %d bytes", len(slack))
	}
}

func TestSlackEscape(t *testing.T) {
	for in, want := range map[string]string{
		"a & b":         "a &amp; b",
		"<!here>":       "&lt;!\u2060here&gt;",
		"@everyone hi":  "@\u2060everyone hi",
		"mail@HERE.com": "mail@\u2060HERE.com",
		"plain":         "plain",
	} {
		if got := slackEscape(in); got != want {
			t.Errorf("slackEscape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBackoffSpansADay(t *testing.T) {
	var total time.Duration
	for n := 1; n < MaxDeliveryAttempts; n++ {
		d := Backoff(DefaultRetryBase, n)
		if d > RetryCap {
			t.Fatalf("retry %d waits %v", n, d)
		}
		total += d
	}
	if Backoff(DefaultRetryBase, 1) != 30*time.Second || Backoff(DefaultRetryBase, 2) != time.Minute || Backoff(DefaultRetryBase, 30) != RetryCap {
		t.Errorf("backoff = %v, %v, %v", Backoff(DefaultRetryBase, 1), Backoff(DefaultRetryBase, 2), Backoff(DefaultRetryBase, 30))
	}
	if total < 23*time.Hour || total > 26*time.Hour {
		t.Errorf("%d attempts span %v, want about 24 h", MaxDeliveryAttempts, total)
	}
}

func TestSealAndSign(t *testing.T) {
	s, err := NewSealer([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := NewSecret()
	if !strings.HasPrefix(secret, SecretPrefix) || len(secret) != len(SecretPrefix)+43 {
		t.Fatalf("secret %q", secret)
	}
	sealed, err := s.Seal(secret, "acc_1")
	if err != nil || strings.Contains(sealed, secret) {
		t.Fatalf("sealed %q: %v", sealed, err)
	}
	if got, err := s.Open(sealed, "acc_1"); err != nil || got != secret {
		t.Errorf("Open = %q, %v", got, err)
	}
	if _, err := s.Open(sealed, "acc_2"); err == nil {
		t.Error("a secret sealed for one account opens for another")
	}
	other, _ := NewSealer([]byte(strings.Repeat("j", 32)))
	if _, err := other.Open(sealed, "acc_1"); err == nil {
		t.Error("a secret opens under another server key")
	}
	now := time.Unix(1767225600, 0)
	body := []byte(`{"type":"test"}`)
	h := Sign("whsec_x", now, body)
	if h != "t=1767225600,v1="+signature("whsec_x", "1767225600", body) {
		t.Errorf("header %q", h)
	}
	for _, tc := range []struct {
		name   string
		header string
		body   string
		at     time.Time
		ok     bool
	}{
		{"good", h, string(body), now, true},
		{"tampered", h, `{"type":"tesT"}`, now, false},
		{"old", h, string(body), now.Add(6 * time.Minute), false},
		{"malformed", "v1=abc", string(body), now, false},
		{"wrong secret", Sign("whsec_y", now, body), string(body), now, false},
	} {
		if err := Verify("whsec_x", tc.header, []byte(tc.body), tc.at, 5*time.Minute); (err == nil) != tc.ok {
			t.Errorf("%s: Verify = %v", tc.name, err)
		}
	}
}

func TestTrimTo(t *testing.T) {
	s := strings.Repeat("é", 200) // 400 bytes
	got := trimTo(s, 301)
	if len(got) > 301 || !utf8.ValidString(got) || len(got) != 300 {
		t.Errorf("trimTo cut %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
	if trimTo("short", 300) != "short" {
		t.Error("a short string changed")
	}
}

// TestMessagesCountWhatTheyLeaveOut: an alert lists at most 20 changes and
// findings; the e-mail and Slack messages say how many more there were.
func TestMessagesCountWhatTheyLeaveOut(t *testing.T) {
	c := Content{Type: domain.AlertGradeDrop, Summary: "example.com dropped from A to D", URL: "https://palisade.example/scans/scn_a"}
	for i := range 20 {
		c.Changes = append(c.Changes, Change{CheckID: fmt.Sprintf("headers.x%d", i), Name: fmt.Sprintf("Check %d", i), Before: "pass", After: "fail"})
		c.NewFindings = append(c.NewFindings, FindingRef{CheckID: fmt.Sprintf("headers.x%d", i), Severity: "high", Title: fmt.Sprintf("Missing %d", i)})
	}
	c.ChangesTotal, c.NewFindingsTotal = 26, 31
	for name, msg := range map[string]string{"e-mail": EmailBody(c), "slack": SlackText(c)} {
		if !strings.Contains(msg, "… and 6 more") || !strings.Contains(msg, "… and 11 more") {
			t.Errorf("%s message does not count what it leaves out:\n%s", name, msg)
		}
	}
}
