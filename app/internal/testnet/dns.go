// Package testnet is the loopback network of tests: a DNS server on
// 127.0.0.1, a throw-away certificate authority and a tarpit. The app's
// tests (app/apptest) and the scanner's (app/scanner/internal/scantest)
// share it, so no test needs the internet or the system resolver. It
// imports no web or database code: the scanner library's tests use it too.
package testnet

import (
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"
)

// DNS is an authoritative-looking resolver for test names, on UDP and TCP.
// Records are zone-file lines (Add) or A records (SetA); a name it does not
// know is NXDOMAIN, a known name without the asked type an empty answer. A
// hook, when set, answers first (for rebinding tests).
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

// StartDNS starts a DNS server on a random loopback port (the same port for
// UDP and TCP), stopped at cleanup.
func StartDNS(t testing.TB) *DNS {
	t.Helper()
	d := &DNS{records: map[string][]dns.RR{}}
	var pc net.PacketConn
	var ln net.Listener
	for range 20 {
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

// SetA makes name resolve to the IPv4 address ip, replacing its A records.
func (d *DNS) SetA(name, ip string) {
	fqdn := dns.Fqdn(strings.ToLower(name))
	rr := &dns.A{Hdr: dns.RR_Header{Name: fqdn, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP(ip)}
	d.mu.Lock()
	d.records[fqdn+"/A"] = []dns.RR{rr}
	d.mu.Unlock()
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
