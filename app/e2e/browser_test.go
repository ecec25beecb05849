//go:build e2e

package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// stepTimeout bounds every wait of a step, so a broken page fails in
// seconds with the step's name rather than at the test deadline.
const stepTimeout = 15 * time.Second

// chromiumPath finds the browser or skips the test with how to get one.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PALISADE_E2E_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium not installed: apt-get install chromium (or set PALISADE_E2E_CHROMIUM)")
	return ""
}

// clearShots empties the screenshot folder of the previous run, once.
var clearShots sync.Once

// outDir is where screenshots go: $PALISADE_E2E_OUT, or palisade-e2e in the
// system's temporary directory, emptied of the last run's screenshots.
func outDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PALISADE_E2E_OUT")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "palisade-e2e")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot folder: %v", err)
	}
	clearShots.Do(func() {
		old, _ := filepath.Glob(filepath.Join(dir, "*.png"))
		for _, f := range old {
			_ = os.Remove(f)
		}
	})
	t.Logf("screenshots: %s", dir)
	return dir
}

// Browser is one headless Chromium tab and what its console said.
type Browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	out  string
	shot int

	mu       sync.Mutex
	problems []string // CSP violations, uncaught exceptions, console errors
	seen     int      // problems already reported

	downloads chan *browser.EventDownloadProgress
	started   chan *browser.EventDownloadWillBegin
}

// NewBrowser starts Chromium with the flags this machine needs and a fresh
// profile, opens a tab on base and stops the browser when the test ends.
func NewBrowser(t *testing.T, base string) *Browser {
	t.Helper()
	execPath := chromiumPath(t)
	// A fresh profile. Not t.TempDir: Chromium's helper processes may still
	// write to it for a moment after the browser has exited.
	profile, err := os.MkdirTemp("", "palisade-e2e-profile-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf), chromedp.WithErrorf(t.Logf))
	b := &Browser{
		t: t, ctx: ctx, base: base, out: outDir(t),
		downloads: make(chan *browser.EventDownloadProgress, 16),
		started:   make(chan *browser.EventDownloadWillBegin, 16),
	}
	t.Cleanup(func() {
		cancelTab()   // closes the browser
		cancelAlloc() // and waits for its process
		for i := 0; ; i++ {
			err := os.RemoveAll(profile)
			if err == nil || i == 20 {
				if err != nil {
					t.Logf("removing the browser profile: %v", err)
				}
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	chromedp.ListenTarget(ctx, b.onEvent)
	// The first Run starts the browser, which lives as long as the context
	// of that Run: so it gets the tab's own context, and a watchdog instead
	// of a deadline.
	started := make(chan error, 1)
	go func() { started <- chromedp.Run(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("starting %s: %v", execPath, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start in 30s", execPath)
	}
	return b
}

// onEvent runs in chromedp's event loop: it only records, never blocks.
func (b *Browser) onEvent(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		b.problem(fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber, msg))
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.APITypeError && ev.Type != runtime.APITypeAssert {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			switch {
			case a.Description != "":
				parts = append(parts, a.Description)
			case len(a.Value) > 0:
				parts = append(parts, string(a.Value))
			default:
				parts = append(parts, string(a.Type))
			}
		}
		b.problem("console." + string(ev.Type) + ": " + strings.Join(parts, " "))
	case *log.EventEntryAdded:
		e := ev.Entry
		switch {
		case strings.Contains(e.Text, "Refused to"), strings.Contains(e.Text, "Content Security Policy"):
			b.problem(fmt.Sprintf("CSP violation (%s): %s %s", e.Source, e.Text, e.URL))
		case e.Source == log.SourceNetwork:
			// Chromium logs every 4xx/5xx it loads. A 4xx answer to a
			// form is expected (the form with its errors, which htmx must
			// then show), and there is no favicon; a missing asset or a
			// server error is a fault.
			if strings.HasSuffix(e.URL, "/favicon.ico") {
				return
			}
			if strings.Contains(e.Text, "status of 5") || strings.Contains(e.URL, "/assets/") {
				b.problem(fmt.Sprintf("failed to load %s: %s", e.URL, e.Text))
			}
		case e.Level == log.LevelError:
			b.problem(fmt.Sprintf("browser log %s error: %s %s", e.Source, e.Text, e.URL))
		}
	case *browser.EventDownloadWillBegin:
		select {
		case b.started <- ev:
		default:
		}
	case *browser.EventDownloadProgress:
		if ev.State == browser.DownloadProgressStateCompleted || ev.State == browser.DownloadProgressStateCanceled {
			select {
			case b.downloads <- ev:
			default:
			}
		}
	}
}

func (b *Browser) problem(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, s)
}

// CheckConsole fails the test if the page logged a CSP violation, an
// uncaught exception or an error since the last check.
func (b *Browser) CheckConsole(step string) {
	b.t.Helper()
	// Console events arrive asynchronously; give the last ones a moment.
	time.Sleep(50 * time.Millisecond)
	b.mu.Lock()
	fresh := b.problems[b.seen:]
	b.seen = len(b.problems)
	b.mu.Unlock()
	for _, p := range fresh {
		b.t.Errorf("%s: browser console: %s", step, p)
	}
}

// Do runs actions as one step with a deadline and fails the test, naming
// the step, when one of them fails or times out.
func (b *Browser) Do(step string, actions ...chromedp.Action) {
	b.t.Helper()
	b.DoWithin(step, stepTimeout, actions...)
}

// DoWithin is Do with its own deadline.
func (b *Browser) DoWithin(step string, d time.Duration, actions ...chromedp.Action) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, d)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("nothing happened in %s (%w)", d, err)
		}
		b.Screenshot("FAILED-" + sanitize(step))
		b.t.Fatalf("%s: %v\npage: %s", step, err, b.where())
	}
}

// Try runs actions as one step within d and returns the error instead of
// failing, for checks that should all be reported.
func (b *Browser) Try(step string, d time.Duration, actions ...chromedp.Action) error {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, d)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("nothing happened in %s", d)
		}
		b.Screenshot("FAILED-" + sanitize(step))
		return fmt.Errorf("%s: %v\npage: %s", step, err, b.where())
	}
	return nil
}

// where describes the current page for failure messages.
func (b *Browser) where() string {
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	var s string
	_ = chromedp.Run(ctx, chromedp.Evaluate(`location.href + " · " + document.title + " · " + (document.querySelector("main") ? document.querySelector("main").innerText.slice(0, 300).replace(/\s+/g, " ") : "")`, &s))
	return s
}

// Eval evaluates a JavaScript expression in the page into out. DevTools
// evaluation is not subject to the page's CSP.
func (b *Browser) Eval(step, expr string, out any) {
	b.t.Helper()
	b.Do(step, chromedp.Evaluate(expr, out))
}

// Text is the visible text of the first element sel matches, trimmed.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	var s string
	b.Do("read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery, chromedp.NodeVisible))
	return strings.TrimSpace(s)
}

// Count is how many elements match sel now.
func (b *Browser) Count(sel string) int {
	b.t.Helper()
	var n int
	b.Eval("count "+sel, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n)
	return n
}

// Path is location.pathname + location.search.
func (b *Browser) Path() string {
	b.t.Helper()
	var s string
	b.Eval("location", `location.pathname + location.search`, &s)
	return s
}

// WaitFor polls a JavaScript condition until it is true.
func (b *Browser) WaitFor(step, cond string, d time.Duration) {
	b.t.Helper()
	b.DoWithin(step, d, chromedp.Poll(cond, nil, chromedp.WithPollingInterval(100*time.Millisecond)))
}

// Screenshot saves a full-page PNG as NN-name.png in the output folder.
func (b *Browser) Screenshot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	b.shot++
	prefix := sanitize(strings.TrimPrefix(b.t.Name(), "Test"))
	file := filepath.Join(b.out, fmt.Sprintf("%s-%02d-%s.png", prefix, b.shot, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Errorf("writing %s: %v", file, err)
	}
}

// tid is the CSS selector of a data-testid.
func tid(id string) string { return `[data-testid="` + id + `"]` }

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '-'
	}, s)
}
