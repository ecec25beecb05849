package scanner

import (
	"net/netip"
	"strconv"
	"strings"
)

// Check ids of the dns category.
const (
	idDNSSPF    = "dns.spf"
	idDNSDMARC  = "dns.dmarc"
	idDNSCAA    = "dns.caa"
	idDNSMX     = "dns.mx"
	idDNSDNSSEC = "dns.dnssec"
)

// spfMaxLookups is RFC 7208 §4.6.4's limit; receivers return permerror
// (and treat mail as unauthenticated) past it.
const spfMaxLookups = 10

// checkDNSSPF: without a strict SPF record anyone can send mail "from" the
// domain; an SPF that breaks the rules (two records, more than 10 look-ups,
// syntax errors) is a permerror, i.e. no SPF at all for receivers.
var checkDNSSPF = Check{
	ID: idDNSSPF, Name: "SPF record", Category: catDNS, Depth: Standard, Weight: 3,
	Needs: []EvidenceKind{NeedDNS},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idDNSSPF)
		if why := dnsNotApplicable(ev); why != "" {
			return o.Skipped(why)
		}
		if ev.DNS == nil {
			return missing("DNS records", ev.DNSErr)
		}
		if ev.DNS.TXT == nil {
			return lookupFailed("The TXT records of "+mailDomain(ev), ev.DNSErr)
		}
		domain := mailDomain(ev)
		fixNone := &Fix{
			Advice: "Publish exactly one SPF TXT record at " + domain + ". If the domain sends no mail: \"v=spf1 -all\". " +
				"Otherwise list the senders and end with -all (or ~all while testing), e.g. \"v=spf1 include:_spf.google.com -all\".",
			Snippets: []Snippet{{Server: ServerDNS, Code: domain + ". TXT \"v=spf1 -all\""}},
		}
		recs := spfRecords(ev.DNS.TXT)
		fail := func(value, title, d string, sev Severity, evidence string) Outcome {
			return o.Fail(0, clip(value, 250), d, o.Finding(sev, title, d, fixNone, evidence))
		}
		switch len(recs) {
		case 0:
			return fail("no SPF record", "No SPF record",
				"The domain publishes no SPF record, so receivers cannot tell forged mail \"from\" "+domain+" from real mail.", SeverityMedium, "")
		case 1:
		default:
			return fail(plural(len(recs), "SPF record")+": "+strings.Join(recs, " | "), "Several SPF records",
				"More than one SPF record is a permanent error (RFC 7208 §4.5): receivers ignore SPF entirely.", SeverityMedium, strings.Join(recs, " | "))
		}
		rec := parseSPF(recs[0])
		e := evalSPF(rec, ev.DNS.SPFIncludes)
		lookups := strconv.Itoa(e.Lookups)
		if len(e.Unresolved) > 0 {
			lookups = "≥" + lookups
		}
		seen := recs[0] + " (" + lookups + " DNS look-ups)"
		if len(e.Problems) > 0 {
			return fail("permerror: "+strings.Join(e.Problems, "; ")+"; "+seen, "SPF record is invalid",
				"The SPF record has errors ("+clip(strings.Join(e.Problems, "; "), 200)+"); receivers treat it as a permanent error, i.e. no SPF.", SeverityMedium, recs[0])
		}
		if e.Lookups > spfMaxLookups {
			return fail("too many look-ups: "+seen, "SPF needs more than 10 DNS look-ups",
				"Evaluating the record takes "+lookups+" DNS look-ups (include, a, mx, ptr, exists, redirect, recursively); past 10 receivers return permerror and SPF fails for every message.",
				SeverityMedium, recs[0])
		}
		switch e.All {
		case '+', '?', 0:
			q := "no all mechanism (neutral)"
			if e.All != 0 {
				q = string(e.All) + "all"
			}
			return fail(q+": "+seen, "SPF does not reject forged mail",
				"The record ends with "+q+", so mail from any server passes or is neutral: it authorises everybody.", SeverityMedium, recs[0])
		}
		out := o.Pass(1, clip(seen, 250),
			"The domain has one SPF record that ends with "+string(e.All)+"all, within the 10-look-up limit.")
		if rec.HasPTR {
			out.Description += " It uses the deprecated ptr mechanism, which is slow and unreliable (RFC 7208 §5.5) and some receivers ignore: replace it with ip4:/ip6: or a: mechanisms."
		}
		return out
	},
}

// dmarcTags parses a DMARC record's tag=value list (RFC 7489 §6.4).
func dmarcTags(rec string) map[string]string {
	tags := map[string]string{}
	for _, part := range strings.Split(rec, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if _, dup := tags[k]; !dup {
			tags[k] = strings.TrimSpace(v)
		}
	}
	return tags
}

// checkDNSDMARC: DMARC tells receivers what to do with mail that fails SPF
// and DKIM alignment; without p=quarantine or p=reject, spoofed mail from
// the domain is still delivered.
var checkDNSDMARC = Check{
	ID: idDNSDMARC, Name: "DMARC policy", Category: catDNS, Depth: Standard, Weight: 3,
	Needs: []EvidenceKind{NeedDNS},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idDNSDMARC)
		if why := dnsNotApplicable(ev); why != "" {
			return o.Skipped(why)
		}
		if ev.DNS == nil {
			return missing("DNS records", ev.DNSErr)
		}
		if ev.DNS.DMARC == nil {
			return lookupFailed("The TXT records of _dmarc."+mailDomain(ev), ev.DNSErr)
		}
		fix := &Fix{
			Advice: "Publish one DMARC TXT record at _dmarc." + mailDomain(ev) + " (start with p=none to collect reports, then move to quarantine and reject).",
			Snippets: []Snippet{{Server: ServerDNS,
				Code: "_dmarc." + mailDomain(ev) + ". TXT \"v=DMARC1; p=quarantine; rua=mailto:dmarc@" + mailDomain(ev) + "\""}},
		}
		var recs []string
		for _, t := range ev.DNS.DMARC {
			t = strings.TrimSpace(t)
			if len(t) >= 8 && strings.EqualFold(t[:8], "v=DMARC1") {
				recs = append(recs, t)
			}
		}
		if len(recs) == 0 {
			d := "No DMARC record: receivers have no instruction to reject mail that forges the domain."
			return o.Fail(0, "no DMARC record", d, o.Finding(SeverityMedium, "No DMARC record", d, fix, ""))
		}
		if len(recs) > 1 {
			d := "Several DMARC records: receivers ignore DMARC entirely (RFC 7489 §6.6.3)."
			return o.Fail(0, clip(strings.Join(recs, " | "), 250),
				d,
				o.Finding(SeverityMedium, "Several DMARC records", d, fix, strings.Join(recs, " | ")))
		}
		tags := dmarcTags(recs[0])
		p := strings.ToLower(tags["p"])
		seen := clip(recs[0], 250)
		switch p {
		case "reject", "quarantine":
			out := o.Pass(1, seen, "DMARC tells receivers to "+p+" mail that fails authentication.")
			if pct, ok := tags["pct"]; ok && pct != "100" {
				out.Description += " Only " + pct + "% of failing mail is covered (pct=" + pct + ")."
				out.Score = 0.8
			}
			return out
		case "none":
			d := "DMARC is in monitoring mode (p=none): reports are collected but forged mail is still delivered."
			return o.Warn(0.4, seen,
				d,
				o.Finding(SeverityLow, "DMARC policy is p=none",
					d,
					&Fix{Advice: "Once reports show legitimate mail passes, change to p=quarantine, then p=reject.",
						Snippets: []Snippet{{Server: ServerDNS, Code: "_dmarc." + mailDomain(ev) + ". TXT \"v=DMARC1; p=quarantine; rua=mailto:dmarc@" + mailDomain(ev) + "\""}}},
					recs[0]))
		}
		d := "The DMARC record has no valid p= tag, so receivers ignore it."
		return o.Fail(0, seen, d, o.Finding(SeverityMedium, "DMARC record invalid", d, fix, recs[0]))
	},
}

// checkDNSCAA: CAA records name the CAs allowed to issue certificates for
// the domain, so a mis-issuance by any other CA (social engineering,
// compromised validation) is refused.
var checkDNSCAA = Check{
	ID: idDNSCAA, Name: "CAA records", Category: catDNS, Depth: Standard, Weight: 2,
	Needs: []EvidenceKind{NeedDNS},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idDNSCAA)
		if why := dnsNotApplicable(ev); why != "" {
			return o.Skipped(why)
		}
		if ev.DNS == nil {
			return missing("DNS records", ev.DNSErr)
		}
		if ev.DNS.CAA == nil {
			return lookupFailed("The CAA records of "+mailDomain(ev), ev.DNSErr)
		}
		var issuers []string
		iodef := false
		for _, r := range ev.DNS.CAA {
			switch strings.ToLower(r.Tag) {
			case "issue", "issuewild":
				v, _, _ := strings.Cut(r.Value, ";")
				v = strings.TrimSpace(v)
				if v == "" {
					v = "nobody"
				}
				issuers = append(issuers, strings.ToLower(r.Tag)+" "+v)
			case "iodef":
				iodef = true
			}
		}
		fix := &Fix{
			Advice: "Add CAA records for the CA(s) you use, and an iodef address for reports.",
			Snippets: []Snippet{{Server: ServerDNS, Code: mailDomain(ev) + ". CAA 0 issue \"letsencrypt.org\"\n" +
				mailDomain(ev) + ". CAA 0 iodef \"mailto:security@" + mailDomain(ev) + "\""}},
		}
		if len(issuers) == 0 {
			d := "No CAA record: every public CA may issue certificates for the domain."
			return o.Warn(0, "no CAA record", d, o.Finding(SeverityLow, "No CAA record", d, fix, ""))
		}
		v := strings.Join(issuers, ", ")
		if iodef {
			v += ", iodef"
		}
		return o.Pass(1, clip(v, 250), "CAA restricts which CAs may issue certificates for the domain.")
	},
}

// checkDNSMX: a domain that receives mail has MX records; one that does not
// should say so with a null MX (RFC 7505, "0 ."), so senders fail fast and
// the domain is clearly not a mail domain (pair it with "v=spf1 -all").
var checkDNSMX = Check{
	ID: idDNSMX, Name: "MX records", Category: catDNS, Depth: Standard, Weight: 2,
	Needs: []EvidenceKind{NeedDNS},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idDNSMX)
		if why := dnsNotApplicable(ev); why != "" {
			return o.Skipped(why)
		}
		if ev.DNS == nil {
			return missing("DNS records", ev.DNSErr)
		}
		if ev.DNS.MX == nil {
			return lookupFailed("The MX records of "+mailDomain(ev), ev.DNSErr)
		}
		if len(ev.DNS.MX) == 0 {
			d := "No MX record: mail to the domain falls back to its A record, and nothing says the domain sends or receives no mail."
			return o.Warn(0, "no MX record",
				d,
				o.Finding(SeverityLow, "No MX record",
					d,
					&Fix{Advice: "If the domain handles no mail, publish a null MX (with TXT \"v=spf1 -all\" and a DMARC p=reject record).",
						Snippets: []Snippet{{Server: ServerDNS, Code: mailDomain(ev) + ". MX 0 ."}}},
					""))
		}
		for _, mx := range ev.DNS.MX {
			f := strings.Fields(mx)
			if len(f) > 0 && (f[len(f)-1] == "." || f[len(f)-1] == "") {
				return o.Pass(1, "null MX (0 .)", "A null MX declares that the domain accepts no mail.")
			}
		}
		return o.Pass(1, clip(strings.Join(ev.DNS.MX, ", "), 200), "The domain publishes mail exchangers.")
	},
}

// checkDNSDNSSEC reports whether the resolver validated the answers with
// DNSSEC. It is informational: DNSSEC protects against forged DNS answers,
// but deploying it has real operational cost and most sites rely on TLS.
var checkDNSDNSSEC = Check{
	ID: idDNSDNSSEC, Name: "DNSSEC", Category: catDNS, Depth: Standard, Weight: 0,
	Needs: []EvidenceKind{NeedDNS},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idDNSDNSSEC)
		if why := dnsNotApplicable(ev); why != "" {
			return o.Skipped(why)
		}
		if ev.DNS == nil {
			return missing("DNS records", ev.DNSErr)
		}
		if ev.DNS.DNSSEC {
			return o.Info("signed (validated)",
				"The zone is signed and the answers validated (AD bit), so DNS answers cannot be forged.")
		}
		return o.Info("not validated",
			"The answers were not DNSSEC-validated (unsigned zone, or a resolver that does not validate). Informational only.")
	},
}

// isIPTarget reports a target given as an IP address, which has no DNS
// records of a domain to judge.
// dnsNotApplicable is why the dns checks do not apply to the target ("" when
// they do): an IP address, or what the DNS fetcher found (no registrable
// domain).
func dnsNotApplicable(ev *Evidence) string {
	if isIPTarget(ev) {
		return reasonIPTarget
	}
	return ev.DNSNotApplicable
}

func isIPTarget(ev *Evidence) bool {
	h := strings.Trim(ev.Target.Host, "[]")
	if h == "" {
		return false
	}
	if strings.IndexByte(h, ':') < 0 {
		// Host names are the common case: rule them out without ParseAddr,
		// whose error allocates (the check runs on every evaluation).
		for i := 0; i < len(h); i++ {
			if (h[i] < '0' || h[i] > '9') && h[i] != '.' {
				return false
			}
		}
	}
	_, err := netip.ParseAddr(h)
	return err == nil
}

// mailDomain is the domain the DNS checks speak about: the registrable
// domain of the target, where mail records live.
func mailDomain(ev *Evidence) string {
	if ev.DNS != nil && ev.DNS.Domain != "" {
		return ev.DNS.Domain
	}
	return siteOf(ev.Target.Host)
}
