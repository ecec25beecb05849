package app_test

import (
	"context"
	"crypto/x509"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/config"
	"github.com/palisade/palisade/app/scanner"
)

// testCA writes a CA and a leaf for 127.0.0.1/localhost; it returns the
// cert and key files and the CA pool.
func testCA(t *testing.T) (certFile, keyFile string, pool *x509.CertPool, caFile string) {
	t.Helper()
	ca := apptest.NewCA(t)
	leaf := ca.Leaf(t, time.Now().Add(-time.Hour), time.Now().Add(90*24*time.Hour), "localhost", "127.0.0.1")
	certFile, keyFile, caFile = ca.WritePEM(t, leaf)
	return certFile, keyFile, ca.Pool, caFile
}

// TestPalisadeGradesItselfAPlus: Palisade served over HTTPS, scanned by its
// own scanner, earns A+ for headers and cookies.
func TestPalisadeGradesItselfAPlus(t *testing.T) {
	certFile, keyFile, pool, _ := testCA(t)
	env := apptest.New(t, apptest.WithConfig(func(c *config.Config) {
		c.TLSCertFile, c.TLSKeyFile = certFile, keyFile
		c.BaseURL = "https://127.0.0.1"
	}))
	base := strings.Replace(env.URL, "http://", "https://", 1)
	sc, err := scanner.New(scanner.Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/login", "/signup"} {
		res, err := sc.Scan(context.Background(), base+path, scanner.Quick, nil)
		if err != nil {
			t.Fatalf("scanning %s: %v", path, err)
		}
		if res.StatusCode != 200 {
			t.Fatalf("%s answered %d (%s)", path, res.StatusCode, res.Error)
		}
		for _, cat := range res.Categories {
			if cat.Name != "headers" && cat.Name != "cookies" {
				continue
			}
			if cat.Grade != "A+" {
				for _, ch := range cat.Checks {
					t.Logf("%s %s: %s — %s", ch.ID, ch.Status, ch.Value, ch.Description)
				}
				t.Errorf("%s: %s graded %s (%d/%d), want A+", path, cat.Name, cat.Grade, cat.Score, cat.MaxScore)
			}
		}
		if !hasCategory(res, "cookies") {
			t.Errorf("%s set no cookie to grade", path)
		}
	}
}

func hasCategory(r *scanner.Result, name string) bool {
	for _, c := range r.Categories {
		if c.Name == name {
			return true
		}
	}
	return false
}
