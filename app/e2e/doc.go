// Package e2e holds Palisade's browser tests: a headless Chromium, driven by
// chromedp over the DevTools protocol, goes through the web app the way a
// person does — sign up, start a scan and watch it finish live, generate and
// download a PDF report, create and revoke an API key, page through the
// history, log out — against the real server (apptest) on loopback.
//
// The tests carry the build tag e2e, so `go test ./...` neither compiles nor
// runs them and stays fast without a browser. Run them with
//
//	apt-get install chromium          # Debian's package, /usr/bin/chromium
//	task e2e                          # = go test -count=1 -tags e2e ./app/e2e/...
//
// They skip, saying so, when Chromium is not installed. PALISADE_E2E_CHROMIUM
// names another browser binary. Full-page screenshots of the main pages are
// written to $PALISADE_E2E_OUT, or to palisade-e2e under the system's
// temporary directory; the test log prints the folder. Nothing there is
// committed. With PALISADE_TEST_DATABASE_URL set they run on PostgreSQL, like
// the rest of the suite.
package e2e
