package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/palisade/palisade/app/apptest"
)

// TestScanCommandResolvesOnce: `palisade scan` validates the target and
// scans what it validated, so the host is resolved once for the whole
// command (issue 14: it was resolved by the command, by the scan and by
// every dial), counted at the test's DNS server.
func TestScanCommandResolvesOnce(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html><body>ok</body></html>")
	}))
	defer site.Close()
	_, port, _ := net.SplitHostPort(site.Listener.Addr().String())
	d := apptest.NewDNS(t)
	d.SetA("cli.test", "127.0.0.1")
	t.Setenv("PALISADE_SCAN_ALLOW_CIDRS", "127.0.0.0/8")
	t.Setenv("PALISADE_DNS_SERVER", d.Addr)
	var out, errb bytes.Buffer
	code := run([]string{"scan", "http://cli.test:" + port + "/", "--depth", "QUICK"}, strings.NewReader(""), &out, &errb)
	if code != 0 {
		t.Fatalf("scan exited %d: %s\n%s", code, errb.String(), out.String())
	}
	if a, aaaa := d.Count("cli.test./A"), d.Count("cli.test./AAAA"); a != 1 || aaaa != 1 {
		t.Errorf("one palisade scan asked A %d and AAAA %d times, want 1 each", a, aaaa)
	}
}
