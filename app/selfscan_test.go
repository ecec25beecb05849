package app_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
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
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Palisade Test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(90 * 24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyDER, _ := x509.MarshalECPrivateKey(leafKey)
	certFile, keyFile, caFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "ca.pem")
	write := func(path, typ string, der []byte) {
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(certFile, "CERTIFICATE", leafDER)
	write(keyFile, "EC PRIVATE KEY", keyDER)
	write(caFile, "CERTIFICATE", caDER)
	pool = x509.NewCertPool()
	pool.AddCert(ca)
	return certFile, keyFile, pool, caFile
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
