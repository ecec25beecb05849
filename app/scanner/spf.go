package scanner

import (
	"strings"
)

// spfRecord is a parsed SPF record (RFC 7208). Parsing never fails on
// content: unknown terms are collected in Problems, which the dns.spf check
// treats as a permanent error, as receivers do.
type spfRecord struct {
	Terms []spfTerm
	// All is the qualifier of the "all" mechanism ('+', '-', '~', '?'), 0 when absent.
	All byte
	// Redirect is the redirect= modifier's domain ("" when absent).
	Redirect string
	// Includes are the include: domains, in order.
	Includes []string
	// Lookups counts the terms that cost a DNS lookup in this record alone
	// (include, a, mx, ptr, exists, redirect), RFC 7208 §4.6.4.
	Lookups int
	HasPTR  bool
	// Problems are syntax errors: unknown mechanisms, bad qualifiers, duplicate modifiers.
	Problems []string
}

// spfTerm is one mechanism or modifier.
type spfTerm struct {
	Qualifier byte   // '+', '-', '~', '?' (mechanisms only; '+' when implicit)
	Name      string // lower-case mechanism or modifier name
	Value     string // after ':' or '=' or '/', may be ""
	Modifier  bool
}

const maxSPFTerms = 256

// isSPF reports whether a TXT string is an SPF record: "v=spf1" followed by
// a space or the end, case-insensitively.
func isSPF(txt string) bool {
	t := strings.TrimSpace(txt)
	if len(t) < 6 || !strings.EqualFold(t[:6], "v=spf1") {
		return false
	}
	return len(t) == 6 || t[6] == ' ' || t[6] == '\t'
}

// spfRecords returns the SPF records among TXT strings.
func spfRecords(txts []string) []string {
	var out []string
	for _, t := range txts {
		if isSPF(t) {
			out = append(out, strings.TrimSpace(t))
		}
	}
	return out
}

// parseSPF parses an SPF record; the caller has checked isSPF.
func parseSPF(txt string) spfRecord {
	var r spfRecord
	fields := strings.Fields(txt)
	if len(fields) > 0 {
		fields = fields[1:] // v=spf1
	}
	if len(fields) > maxSPFTerms {
		r.Problems = append(r.Problems, "too many terms")
		fields = fields[:maxSPFTerms]
	}
	for _, f := range fields {
		t := spfTerm{Qualifier: '+'}
		// A modifier is name=value where name has no ':' or '/' before '='.
		if eq := strings.IndexByte(f, '='); eq > 0 && !strings.ContainsAny(f[:eq], ":/") {
			t.Modifier = true
			t.Name = strings.ToLower(f[:eq])
			t.Value = f[eq+1:]
			switch t.Name {
			case "redirect":
				if r.Redirect != "" {
					r.Problems = append(r.Problems, "redirect= given twice")
				}
				r.Redirect = spfDomain(t.Value)
			case "exp":
			default:
				if !spfValidName(t.Name) {
					r.Problems = append(r.Problems, "bad modifier "+clip(f, 40))
				}
			}
			r.Terms = append(r.Terms, t)
			continue
		}
		switch f[0] {
		case '+', '-', '~', '?':
			t.Qualifier = f[0]
			f = f[1:]
		}
		name, val := f, ""
		if i := strings.IndexAny(f, ":/"); i >= 0 {
			name, val = f[:i], f[i:]
			val = strings.TrimPrefix(val, ":")
		}
		t.Name = strings.ToLower(name)
		t.Value = val
		switch t.Name {
		case "all":
			if val != "" {
				r.Problems = append(r.Problems, "all takes no argument")
			}
			if r.All == 0 {
				r.All = t.Qualifier
			}
		case "include":
			if val == "" {
				r.Problems = append(r.Problems, "include without a domain")
			} else {
				r.Includes = append(r.Includes, spfDomain(val))
			}
			r.Lookups++
		case "a", "mx":
			r.Lookups++
		case "ptr":
			r.Lookups++
			r.HasPTR = true
		case "exists":
			if val == "" {
				r.Problems = append(r.Problems, "exists without a domain")
			}
			r.Lookups++
		case "ip4", "ip6":
			if val == "" {
				r.Problems = append(r.Problems, t.Name+" without an address")
			}
		default:
			r.Problems = append(r.Problems, "unknown mechanism "+clip(f, 40))
		}
		r.Terms = append(r.Terms, t)
	}
	// redirect= is ignored when the record has an "all" mechanism (RFC 7208 §6.1).
	if r.Redirect != "" && r.All == 0 {
		r.Lookups++
	} else {
		r.Redirect = ""
	}
	return r
}

func spfValidName(n string) bool {
	if n == "" || !(n[0] >= 'a' && n[0] <= 'z') {
		return false
	}
	for i := 1; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// spfDomain normalises a domain-spec for map look-ups.
func spfDomain(d string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
}

// spfEval is the result of following a record through include: and redirect=.
type spfEval struct {
	Lookups int  // total DNS-querying terms, recursively
	All     byte // effective "all" qualifier after redirect=, 0 when none
	// Unresolved lists include/redirect targets whose records were not
	// collected (the count is then a lower bound).
	Unresolved []string
	// Problems are permanent errors found on the way (missing or multiple
	// records at an include target, syntax errors, loops).
	Problems []string
}

// evalSPF counts DNS look-ups recursively through includes, a map from a
// (lower-case) domain to its TXT strings, as DNSFacts.SPFIncludes holds them.
func evalSPF(rec spfRecord, includes map[string][]string) spfEval {
	var e spfEval
	visited := map[string]bool{}
	var walk func(r spfRecord, depth int, top bool)
	walk = func(r spfRecord, depth int, top bool) {
		e.Lookups += r.Lookups
		e.Problems = append(e.Problems, r.Problems...)
		if top {
			e.All = r.All
		}
		if depth > 12 || e.Lookups > 50 {
			return
		}
		targets := append([]string(nil), r.Includes...)
		if r.Redirect != "" {
			targets = append(targets, r.Redirect)
		}
		for i, d := range targets {
			isRedirect := r.Redirect != "" && i == len(targets)-1
			if strings.Contains(d, "%") { // macro: expands per message
				continue
			}
			if visited[d] {
				e.Problems = append(e.Problems, "loop through "+d)
				continue
			}
			txts, ok := includes[d]
			if !ok {
				e.Unresolved = append(e.Unresolved, d)
				continue
			}
			recs := spfRecords(txts)
			switch len(recs) {
			case 0:
				e.Problems = append(e.Problems, d+" has no SPF record")
				continue
			case 1:
			default:
				e.Problems = append(e.Problems, d+" has several SPF records")
				continue
			}
			visited[d] = true // on the current path only: a domain included twice counts twice
			walk(parseSPF(recs[0]), depth+1, top && isRedirect)
			delete(visited, d)
		}
	}
	walk(rec, 0, true)
	return e
}
