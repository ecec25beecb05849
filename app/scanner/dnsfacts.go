package scanner

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/publicsuffix"
)

// dnsServer returns the resolver the DNS checks ask: Options.DNSServer, or
// the first nameserver of /etc/resolv.conf.
func (s *Scanner) dnsServer() (string, error) {
	if s.opts.DNSServer != "" {
		return s.opts.DNSServer, nil
	}
	cfg, err := dns.ClientConfigFromFile("/etc/resolv.conf")
	if err != nil || len(cfg.Servers) == 0 {
		return "", errors.New("no DNS resolver is configured")
	}
	return net.JoinHostPort(cfg.Servers[0], cfg.Port), nil
}

// dnsQuery is one question to the resolver with the DO and AD bits set, so
// the answer's AD bit tells whether the resolver validated DNSSEC. UDP first,
// TCP when truncated, one retry on failure.
func (s *Scanner) dnsQuery(ctx context.Context, server, name string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = true
	m.AuthenticatedData = true
	m.SetEdns0(1232, true)
	var lastErr error
	for attempt := 0; attempt < 2; attempt++ {
		in, err := dnsExchange(ctx, "udp", server, m, s.lim.dnsTimeout)
		if err == nil && in.Truncated {
			in, err = dnsExchange(ctx, "tcp", server, m, s.lim.dnsTimeout)
		}
		if err == nil {
			if in.Rcode != dns.RcodeSuccess && in.Rcode != dns.RcodeNameError {
				return nil, fmt.Errorf("%s %s: the resolver answered %s", name, dns.TypeToString[qtype], dns.RcodeToString[in.Rcode])
			}
			return in, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

// dnsExchange is one query whose socket is closed the moment ctx ends, so a
// cancelled scan does not sit out a silent resolver's timeout.
func dnsExchange(ctx context.Context, network, server string, m *dns.Msg, timeout time.Duration) (*dns.Msg, error) {
	c := &dns.Client{Net: network, Timeout: timeout}
	conn, err := c.DialContext(ctx, server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	in, _, err := c.ExchangeWithConnContext(ctx, m, conn)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return in, err
}

func dnsTXTOf(in *dns.Msg) []string {
	out := []string{}
	for _, rr := range in.Answer {
		if t, ok := rr.(*dns.TXT); ok {
			out = append(out, strings.Join(t.Txt, ""))
		}
	}
	return out
}

// fetchDNS gathers the records the dns checks read: TXT (SPF) and MX at the
// registrable domain, _dmarc TXT, CAA (climbing from the host to the
// registrable domain, RFC 8659), the AD bit, and the TXT of every domain the
// SPF record pulls in, for lookup counting. Queries run concurrently.
func (r *scanRun) fetchDNS(ctx context.Context) {
	fail := func(msg string) { r.set(func(ev *Evidence) { ev.DNSErr = msg }) }
	notApplicable := func(msg string) {
		r.set(func(ev *Evidence) { ev.DNSErr, ev.DNSNotApplicable = msg, msg })
	}
	if r.u.IP.IsValid() {
		notApplicable(reasonIPTarget)
		return
	}
	domain, err := publicsuffix.EffectiveTLDPlusOne(r.u.Host)
	if err != nil {
		notApplicable(fmt.Sprintf("%s has no registrable domain; DNS records of a domain do not apply", r.u.Host))
		return
	}
	server, err := r.s.dnsServer()
	if err != nil {
		fail(err.Error())
		return
	}
	facts := &DNSFacts{Domain: domain}
	var mu sync.Mutex
	var errs []string
	var wg sync.WaitGroup
	q := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				mu.Lock()
				errs = append(errs, sentenceOf(err))
				mu.Unlock()
			}
		}()
	}
	var spf string
	q(func() error {
		in, err := r.s.dnsQuery(ctx, server, domain, dns.TypeTXT)
		if err != nil {
			return err
		}
		txt := dnsTXTOf(in)
		mu.Lock()
		facts.TXT = txt
		facts.DNSSEC = in.AuthenticatedData
		mu.Unlock()
		for _, t := range txt {
			if dnsIsSPF(t) {
				spf = t
				break
			}
		}
		return nil
	})
	q(func() error {
		in, err := r.s.dnsQuery(ctx, server, "_dmarc."+domain, dns.TypeTXT)
		if err != nil {
			return err
		}
		mu.Lock()
		facts.DMARC = dnsTXTOf(in)
		mu.Unlock()
		return nil
	})
	q(func() error {
		in, err := r.s.dnsQuery(ctx, server, domain, dns.TypeMX)
		if err != nil {
			return err
		}
		mx := []string{}
		for _, rr := range in.Answer {
			if m, ok := rr.(*dns.MX); ok {
				mx = append(mx, strings.TrimSuffix(m.Mx, "."))
			}
		}
		mu.Lock()
		facts.MX = mx
		mu.Unlock()
		return nil
	})
	q(func() error {
		caa, at, err := r.caaClimb(ctx, server, r.u.Host, domain)
		if err != nil {
			return err
		}
		mu.Lock()
		facts.CAA, facts.CAADomain = caa, at
		mu.Unlock()
		return nil
	})
	wg.Wait()
	if ctx.Err() != nil {
		return
	}
	if spf != "" {
		facts.SPFIncludes = r.spfIncludes(ctx, server, spf)
	}
	r.set(func(ev *Evidence) {
		ev.DNS = facts
		if len(errs) > 0 {
			ev.DNSErr = strings.Join(errs, "; ")
		}
	})
}

// caaClimb returns the CAA set that applies to host: the first non-empty set
// walking up from host to the registrable domain.
func (r *scanRun) caaClimb(ctx context.Context, server, host, domain string) ([]CAARecord, string, error) {
	name := host
	for {
		in, err := r.s.dnsQuery(ctx, server, name, dns.TypeCAA)
		if err != nil {
			return nil, "", err
		}
		var out []CAARecord
		for _, rr := range in.Answer {
			if c, ok := rr.(*dns.CAA); ok {
				out = append(out, CAARecord{Flag: c.Flag, Tag: c.Tag, Value: c.Value})
			}
		}
		if len(out) > 0 {
			return out, name, nil
		}
		if name == domain || !strings.Contains(name, ".") {
			return []CAARecord{}, "", nil
		}
		name = name[strings.IndexByte(name, '.')+1:]
		if len(name) < len(domain) {
			return []CAARecord{}, "", nil
		}
	}
}

func dnsIsSPF(t string) bool {
	t = strings.ToLower(strings.TrimSpace(t))
	return t == "v=spf1" || strings.HasPrefix(t, "v=spf1 ")
}

// dnsSPFTargets lists the domains an SPF record's include: and redirect= terms
// name (macros skipped: they cannot be expanded without a sender).
func dnsSPFTargets(record string) []string {
	var out []string
	for _, term := range strings.Fields(record) {
		t := strings.ToLower(strings.TrimLeft(term, "+-~?"))
		var d string
		switch {
		case strings.HasPrefix(t, "include:"):
			d = t[len("include:"):]
		case strings.HasPrefix(t, "redirect="):
			d = t[len("redirect="):]
		default:
			continue
		}
		d = strings.TrimSuffix(d, ".")
		if d == "" || strings.Contains(d, "%") {
			continue
		}
		out = append(out, d)
	}
	return out
}

// spfIncludes fetches, level by level, the TXT records of the domains the
// SPF record includes, stopping after maxSPF domains (more than the RFC 7208
// limit of 10 lookups, so the check can see it was exceeded).
func (r *scanRun) spfIncludes(ctx context.Context, server, record string) map[string][]string {
	out := map[string][]string{}
	level := dnsSPFTargets(record)
	for len(level) > 0 && len(out) < r.s.lim.maxSPF && ctx.Err() == nil {
		var todo []string
		for _, d := range level {
			if _, ok := out[d]; ok || len(out)+len(todo) >= r.s.lim.maxSPF {
				continue
			}
			dup := false
			for _, x := range todo {
				dup = dup || x == d
			}
			if !dup {
				todo = append(todo, d)
			}
		}
		res := make([][]string, len(todo))
		var wg sync.WaitGroup
		for i, d := range todo {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if in, err := r.s.dnsQuery(ctx, server, d, dns.TypeTXT); err == nil {
					res[i] = dnsTXTOf(in)
				}
			}()
		}
		wg.Wait()
		level = nil
		for i, d := range todo {
			out[d] = res[i]
			for _, t := range res[i] {
				if dnsIsSPF(t) {
					level = append(level, dnsSPFTargets(t)...)
				}
			}
		}
	}
	return out
}
