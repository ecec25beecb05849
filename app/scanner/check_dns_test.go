package scanner

import "testing"

// TestCheckDNS covers SPF (records, qualifiers, recursive look-up counting),
// DMARC policies, CAA, MX / null MX and the informational DNSSEC check.
func TestCheckDNS(t *testing.T) {
	dns := func(f func(d *DNSFacts)) *Evidence {
		d := &DNSFacts{Domain: "example.com", TXT: []string{}, DMARC: []string{}, CAA: []CAARecord{}, MX: []string{}}
		f(d)
		return ckWith(nil, func(ev *Evidence) { ev.DNS = d })
	}
	// an IP-address target: the DNS records of a domain do not apply, even
	// when the fetcher returned some (they are the records of nothing)
	ip := func(host string) *Evidence {
		return dns(func(d *DNSFacts) { d.Domain = host }).withTarget(host)
	}
	// a host name that only starts like an address is judged as a domain
	dnsName := func(host string) *Evidence {
		return dns(func(d *DNSFacts) { d.Domain = "example" }).withTarget(host)
	}
	spf := func(rec string, inc map[string][]string) *Evidence {
		return dns(func(d *DNSFacts) { d.TXT = []string{"google-site-verification=x", rec}; d.SPFIncludes = inc })
	}
	// a chain of includes costing n look-ups in total
	deep := map[string][]string{
		"a.example": {"v=spf1 include:b.example include:c.example a mx ~all"},
		"b.example": {"v=spf1 a mx ptr exists:%{i}.x.example ~all"},
		"c.example": {"v=spf1 include:d.example a:x.example mx:y.example -all"},
		"d.example": {"v=spf1 ip4:192.0.2.0/24 -all"},
	}
	runCheckCases(t, []checkCase{
		{name: "strict", id: idDNSSPF, ev: spf("v=spf1 ip4:192.0.2.1 include:_spf.google.com -all", map[string][]string{"_spf.google.com": {"v=spf1 include:_netblocks.google.com ~all"}, "_netblocks.google.com": {"v=spf1 ip4:35.190.247.0/24 ~all"}}), want: StatusPass, value: "(2 DNS look-ups)", score: 1},
		{name: "softfail", id: idDNSSPF, ev: spf("v=spf1 mx ~all", nil), want: StatusPass, score: 1},
		{name: "no mail", id: idDNSSPF, ev: spf("v=spf1 -all", nil), want: StatusPass, value: "(0 DNS look-ups)", score: 1},
		{name: "redirect", id: idDNSSPF, ev: spf("v=spf1 redirect=_spf.example.com", map[string][]string{"_spf.example.com": {"v=spf1 a -all"}}), want: StatusPass, value: "(2 DNS look-ups)", score: 1},
		{name: "unresolved include is a lower bound", id: idDNSSPF, ev: spf("v=spf1 include:unknown.example -all", nil), want: StatusPass, value: "≥1", score: 1},
		{name: "ptr noted", id: idDNSSPF, ev: spf("v=spf1 ptr -all", nil), want: StatusPass, score: 1, find: "ptr"},
		{name: "plus all", id: idDNSSPF, ev: spf("v=spf1 +all", nil), want: StatusFail, value: "+all", score: 0},
		{name: "neutral all", id: idDNSSPF, ev: spf("v=spf1 mx ?all", nil), want: StatusFail, value: "?all", score: 0},
		{name: "no all", id: idDNSSPF, ev: spf("v=spf1 mx", nil), want: StatusFail, value: "no all", score: 0},
		{name: "redirect to +all", id: idDNSSPF, ev: spf("v=spf1 redirect=r.example", map[string][]string{"r.example": {"v=spf1 +all"}}), want: StatusFail, value: "+all", score: 0},
		{name: "eleven look-ups", id: idDNSSPF, ev: spf("v=spf1 include:a.example a mx -all", deep), want: StatusFail, value: "too many look-ups", score: 0},
		{name: "two records", id: idDNSSPF, ev: dns(func(d *DNSFacts) { d.TXT = []string{"v=spf1 -all", "v=spf1 mx -all"} }), want: StatusFail, value: "2 SPF records", score: 0},
		{name: "none", id: idDNSSPF, ev: dns(func(d *DNSFacts) { d.TXT = []string{"hello"} }), want: StatusFail, value: "no SPF record", score: 0, find: "v=spf1 -all"},
		{name: "syntax error", id: idDNSSPF, ev: spf("v=spf1 ipv4:192.0.2.1 -all", nil), want: StatusFail, value: "permerror", score: 0},
		{name: "include without spf", id: idDNSSPF, ev: spf("v=spf1 include:x.example -all", map[string][]string{"x.example": {"other"}}), want: StatusFail, value: "permerror", score: 0},
		{name: "include loop", id: idDNSSPF, ev: spf("v=spf1 include:l.example -all", map[string][]string{"l.example": {"v=spf1 include:l.example -all"}}), want: StatusFail, value: "loop", score: 0},
		{name: "lookup failed", id: idDNSSPF, ev: dns(func(d *DNSFacts) { d.TXT = nil }), want: StatusError, score: -1},
		{name: "dns missing", id: idDNSSPF, ev: ckWith(nil, func(ev *Evidence) { ev.DNSErr = "SERVFAIL" }), want: StatusError, score: -1},

		{name: "reject", id: idDNSDMARC, ev: dns(func(d *DNSFacts) { d.DMARC = []string{"v=DMARC1; p=reject; rua=mailto:d@example.com"} }), want: StatusPass, value: "p=reject", score: 1},
		{name: "quarantine", id: idDNSDMARC, ev: dns(func(d *DNSFacts) { d.DMARC = []string{"v=DMARC1;p=quarantine"} }), want: StatusPass, score: 1},
		{name: "quarantine partial", id: idDNSDMARC, ev: dns(func(d *DNSFacts) { d.DMARC = []string{"v=DMARC1; p=quarantine; pct=20"} }), want: StatusPass, score: 0.8},
		{name: "none", id: idDNSDMARC, ev: dns(func(d *DNSFacts) { d.DMARC = []string{"v=DMARC1; p=none"} }), want: StatusWarn, value: "p=none", score: 0.4},
		{name: "missing", id: idDNSDMARC, ev: dns(func(d *DNSFacts) {}), want: StatusFail, value: "no DMARC", score: 0, find: "_dmarc.example.com"},
		{name: "no policy", id: idDNSDMARC, ev: dns(func(d *DNSFacts) { d.DMARC = []string{"v=DMARC1; rua=mailto:x@example.com"} }), want: StatusFail, score: 0},
		{name: "two records", id: idDNSDMARC, ev: dns(func(d *DNSFacts) { d.DMARC = []string{"v=DMARC1; p=reject", "v=DMARC1; p=none"} }), want: StatusFail, score: 0},
		{name: "lookup failed", id: idDNSDMARC, ev: dns(func(d *DNSFacts) { d.DMARC = nil }), want: StatusError, score: -1},

		{name: "caa", id: idDNSCAA, ev: dns(func(d *DNSFacts) {
			d.CAA = []CAARecord{{Tag: "issue", Value: "letsencrypt.org"}, {Tag: "iodef", Value: "mailto:s@example.com"}}
		}), want: StatusPass, value: "issue letsencrypt.org, iodef", score: 1},
		{name: "no caa", id: idDNSCAA, ev: dns(func(d *DNSFacts) {}), want: StatusWarn, value: "no CAA", score: 0, find: `CAA 0 issue "letsencrypt.org"`},
		{name: "only iodef", id: idDNSCAA, ev: dns(func(d *DNSFacts) { d.CAA = []CAARecord{{Tag: "iodef", Value: "mailto:s@example.com"}} }), want: StatusWarn, score: 0},
		{name: "lookup failed", id: idDNSCAA, ev: dns(func(d *DNSFacts) { d.CAA = nil }), want: StatusError, score: -1},

		{name: "mx", id: idDNSMX, ev: dns(func(d *DNSFacts) { d.MX = []string{"10 mx1.example.com.", "20 mx2.example.com."} }), want: StatusPass, value: "mx1.example.com", score: 1},
		{name: "null mx", id: idDNSMX, ev: dns(func(d *DNSFacts) { d.MX = []string{"0 ."} }), want: StatusPass, value: "null MX", score: 1},
		{name: "no mx", id: idDNSMX, ev: dns(func(d *DNSFacts) {}), want: StatusWarn, value: "no MX", score: 0, find: "MX 0 ."},
		{name: "lookup failed", id: idDNSMX, ev: dns(func(d *DNSFacts) { d.MX = nil }), want: StatusError, score: -1},

		{name: "signed", id: idDNSDNSSEC, ev: dns(func(d *DNSFacts) { d.DNSSEC = true }), want: StatusInfo, value: "signed", score: -1},
		{name: "unsigned", id: idDNSDNSSEC, ev: dns(func(d *DNSFacts) {}), want: StatusInfo, value: "not validated", score: -1},
		{name: "dns missing", id: idDNSDNSSEC, ev: ckEv(nil), want: StatusSkipped, score: -1},

		{name: "ipv4 target", id: idDNSSPF, ev: ip("203.0.113.7"), want: StatusSkipped, value: "skipped", score: -1},
		{name: "ipv6 target", id: idDNSSPF, ev: ip("2001:db8::1"), want: StatusSkipped, value: "skipped", score: -1},
		{name: "numeric-looking host name", id: idDNSSPF, ev: dnsName("1.2.3.example"), want: StatusFail, score: -1},
		{name: "ipv4 target", id: idDNSDMARC, ev: ip("203.0.113.7"), want: StatusSkipped, value: "skipped", score: -1},
		{name: "ipv6 target", id: idDNSDMARC, ev: ip("2001:db8::1"), want: StatusSkipped, value: "skipped", score: -1},
		{name: "numeric-looking host name", id: idDNSDMARC, ev: dnsName("1.2.3.example"), want: StatusFail, score: -1},
		{name: "ipv4 target", id: idDNSCAA, ev: ip("203.0.113.7"), want: StatusSkipped, value: "skipped", score: -1},
		{name: "ipv6 target", id: idDNSCAA, ev: ip("2001:db8::1"), want: StatusSkipped, value: "skipped", score: -1},
		{name: "numeric-looking host name", id: idDNSCAA, ev: dnsName("1.2.3.example"), want: StatusWarn, score: -1},
		{name: "ipv4 target", id: idDNSMX, ev: ip("203.0.113.7"), want: StatusSkipped, value: "skipped", score: -1},
		{name: "ipv6 target", id: idDNSMX, ev: ip("2001:db8::1"), want: StatusSkipped, value: "skipped", score: -1},
		{name: "numeric-looking host name", id: idDNSMX, ev: dnsName("1.2.3.example"), want: StatusWarn, score: -1},
		{name: "ipv4 target", id: idDNSDNSSEC, ev: ip("203.0.113.7"), want: StatusSkipped, value: "skipped", score: -1},
		{name: "ipv6 target", id: idDNSDNSSEC, ev: ip("2001:db8::1"), want: StatusSkipped, value: "skipped", score: -1},
		{name: "numeric-looking host name", id: idDNSDNSSEC, ev: dnsName("1.2.3.example"), want: StatusInfo, score: -1},
		{name: "no registrable domain", id: idDNSSPF, ev: noDomain(), want: StatusSkipped, value: "skipped", score: -1},
		{name: "no registrable domain", id: idDNSDMARC, ev: noDomain(), want: StatusSkipped, value: "skipped", score: -1},
		{name: "no registrable domain", id: idDNSCAA, ev: noDomain(), want: StatusSkipped, value: "skipped", score: -1},
		{name: "no registrable domain", id: idDNSMX, ev: noDomain(), want: StatusSkipped, value: "skipped", score: -1},
		{name: "no registrable domain", id: idDNSDNSSEC, ev: noDomain(), want: StatusSkipped, value: "skipped", score: -1},
	})
}

// noDomain is the evidence of a host without a registrable domain
// ("localhost"): the DNS fetcher found nothing to look up.
func noDomain() *Evidence {
	ev := ckEv(nil)
	ev.Target = Target{URL: "https://localhost/", Host: "localhost", Domain: "localhost"}
	ev.DNSErr = "localhost has no registrable domain; DNS records of a domain do not apply"
	ev.DNSNotApplicable = ev.DNSErr
	return ev
}

// withTarget returns the evidence for a target at host.
func (ev *Evidence) withTarget(host string) *Evidence {
	ev.Target = Target{URL: "https://" + host + "/", Host: host, Domain: host}
	return ev
}
