// Package scantest provides loopback fixtures for the scanner's tests: a DNS
// server on 127.0.0.1 (github.com/miekg/dns) and a throw-away certificate
// authority. It exists so that no scanner test ever needs the internet.
package scantest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// DNS is an authoritative-looking resolver for test names. Records are zone
// file lines; a hook, when set, answers first (for rebinding tests).
type DNS struct {
	Addr string // "127.0.0.1:port", UDP and TCP

	mu      sync.Mutex
	records map[string][]dns.RR // key: lower-case fqdn + "/" + type
	ad      bool
	hook    func(q dns.Question) (rrs []dns.RR, ok bool)
	// Queries counts questions, by "name/TYPE".
	Queries sync.Map
	total   atomic.Int64
}

// StartDNS starts a DNS server on a random loopback port, stopped at cleanup.
func StartDNS(t testing.TB) *DNS {
	t.Helper()
	d := &DNS{records: map[string][]dns.RR{}}
	var pc net.PacketConn
	var ln net.Listener
	for i := 0; i < 20; i++ {
		var err error
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln, err = net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			break
		}
		pc.Close()
		ln = nil
	}
	if ln == nil {
		t.Fatal("no free UDP+TCP port pair")
	}
	d.Addr = pc.LocalAddr().String()
	h := dns.HandlerFunc(d.serve)
	udp := &dns.Server{PacketConn: pc, Handler: h}
	tcp := &dns.Server{Listener: ln, Handler: h}
	go func() { _ = udp.ActivateAndServe() }()
	go func() { _ = tcp.ActivateAndServe() }()
	t.Cleanup(func() {
		_ = udp.Shutdown()
		_ = tcp.Shutdown()
	})
	return d
}

// SetAD makes every answer carry the Authenticated Data bit (DNSSEC).
func (d *DNS) SetAD(ad bool) {
	d.mu.Lock()
	d.ad = ad
	d.mu.Unlock()
}

// SetHook installs a function that answers first; when it returns ok=false
// the zone records answer (for rebinding tests).
func (d *DNS) SetHook(h func(q dns.Question) (rrs []dns.RR, ok bool)) {
	d.mu.Lock()
	d.hook = h
	d.mu.Unlock()
}

// Add adds zone-file lines, e.g. "example.test. 60 IN A 127.0.0.1".
func (d *DNS) Add(t testing.TB, lines ...string) {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatalf("bad RR %q: %v", l, err)
		}
		k := strings.ToLower(rr.Header().Name) + "/" + dns.TypeToString[rr.Header().Rrtype]
		d.records[k] = append(d.records[k], rr)
	}
}

// Count returns how many times name/TYPE was asked ("example.test./TXT",
// name in lower case).
func (d *DNS) Count(key string) int64 {
	v, ok := d.Queries.Load(key)
	if !ok {
		return 0
	}
	return v.(*atomic.Int64).Load()
}

// Total is the number of questions answered.
func (d *DNS) Total() int64 { return d.total.Load() }

func (d *DNS) serve(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	d.total.Add(1)
	if len(req.Question) == 1 {
		q := req.Question[0]
		key := strings.ToLower(q.Name) + "/" + dns.TypeToString[q.Qtype]
		c, _ := d.Queries.LoadOrStore(key, new(atomic.Int64))
		c.(*atomic.Int64).Add(1)
		d.mu.Lock()
		hook, ad := d.hook, d.ad
		rrs, ok := []dns.RR(nil), false
		if hook == nil {
			rrs, ok = d.records[key]
		}
		exists := false
		for k := range d.records {
			if strings.HasPrefix(k, strings.ToLower(q.Name)+"/") {
				exists = true
			}
		}
		d.mu.Unlock()
		if hook != nil {
			rrs, ok = hook(q)
			if !ok {
				d.mu.Lock()
				rrs, ok = d.records[key]
				d.mu.Unlock()
			}
		}
		m.AuthenticatedData = ad
		switch {
		case ok:
			m.Answer = append(m.Answer, rrs...)
		case !exists:
			m.Rcode = dns.RcodeNameError
		}
	}
	_ = w.WriteMsg(m)
}

// CA is a throw-away certificate authority for TLS tests.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
	Pool *x509.CertPool
}

// NewCA creates a CA valid from an hour ago for a day.
func NewCA(t testing.TB) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Palisade Test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{Cert: cert, Key: key, Pool: pool}
}

var serial atomic.Int64

// Leaf issues a server certificate for names (DNS names or IP literals)
// valid between notBefore and notAfter. An RSA-free ECDSA key keeps it fast;
// tests needing RSA suites use LeafRSA.
func (ca *CA) Leaf(t testing.TB, notBefore, notAfter time.Time, names ...string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return ca.issue(t, key, &key.PublicKey, notBefore, notAfter, names)
}

func (ca *CA) issue(t testing.TB, priv any, pub any, notBefore, notAfter time.Time, names []string) tls.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(100 + serial.Add(1)),
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, pub, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der, ca.Cert.Raw}, PrivateKey: priv, Leaf: leaf}
}

// LeafRSA is Leaf with an RSA key, needed to serve static-RSA and RC4
// cipher suites in weak-suite tests.
func (ca *CA) LeafRSA(t testing.TB, notBefore, notAfter time.Time, names ...string) tls.Certificate {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return ca.issue(t, key, &key.PublicKey, notBefore, notAfter, names)
}
