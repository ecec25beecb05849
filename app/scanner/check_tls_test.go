package scanner

import (
	"crypto/x509"
	"testing"
	"time"
)

// TestCheckTLS covers the five tls checks: HTTPS reachability, certificate
// validity, expiry windows, protocol versions and weak suites.
func TestCheckTLS(t *testing.T) {
	day := 24 * time.Hour
	certTLS := func(c *x509.Certificate, trusted, hostOK bool) func(*Evidence) {
		return func(ev *Evidence) {
			ev.TLS = &TLSFacts{Version: 0x0304, Trusted: trusted, HostnameOK: hostOK, Chain: []*x509.Certificate{c}, VerifyError: "x509: certificate signed by unknown authority"}
		}
	}
	probe := func(vs []uint16, weak ...string) func(*Evidence) {
		return func(ev *Evidence) { ev.TLSProbe = &TLSProbe{Versions: vs, WeakSuites: weak} }
	}
	valid := ckCert(ckNow.Add(-day), ckNow.Add(90*day), false)
	runCheckCases(t, []checkCase{
		{name: "reachable", id: idTLSHTTPS, ev: ckEv(ckPage("")), want: StatusPass, value: "TLS 1.3", score: 1},
		{name: "unreachable caps F", id: idTLSHTTPS, ev: ckWith(nil, func(ev *Evidence) { ev.TLS, ev.TLSErr = nil, "the connection was refused" }),
			want: StatusFail, value: "refused", score: 0, cap: "F"},
		{name: "ends on http", id: idTLSHTTPS, ev: ckEv(ckResp("http://example.com/", 200, "")), want: StatusWarn, score: 0.5},
		{name: "not fetched", id: idTLSHTTPS, ev: ckWith(nil, func(ev *Evidence) { ev.TLS = nil }), want: StatusSkipped, score: -1},

		{name: "trusted", id: idTLSCertificate, ev: ckEv(ckPage("")), want: StatusPass, value: "Test CA", score: 1},
		{name: "untrusted caps F", id: idTLSCertificate, ev: ckWith(ckPage(""), certTLS(valid, false, true)), want: StatusFail, value: "not trusted", score: 0, cap: "F"},
		{name: "self-signed caps F", id: idTLSCertificate, ev: ckWith(ckPage(""), certTLS(ckCert(ckNow.Add(-day), ckNow.Add(90*day), true), false, true)),
			want: StatusFail, value: "self-signed", score: 0, cap: "F"},
		{name: "wrong host caps F", id: idTLSCertificate, ev: ckWith(ckPage(""), certTLS(valid, true, false)), want: StatusFail, value: "not valid for example.com", score: 0, cap: "F"},
		{name: "handshake failed", id: idTLSCertificate, ev: ckWith(nil, func(ev *Evidence) { ev.TLS, ev.TLSErr = nil, "timeout" }), want: StatusError, score: -1},
		{name: "empty chain", id: idTLSCertificate, ev: ckWith(nil, func(ev *Evidence) { ev.TLS.Chain = nil }), want: StatusError, score: -1},

		{name: "90 days left", id: idTLSExpiry, ev: ckEv(nil), want: StatusPass, value: "90 days left", score: 1},
		{name: "20 days left", id: idTLSExpiry, ev: ckWith(nil, certTLS(ckCert(ckNow.Add(-80*day), ckNow.Add(20*day), false), true, true)), want: StatusWarn, value: "20 days left", score: 0.5},
		{name: "3 days left", id: idTLSExpiry, ev: ckWith(nil, certTLS(ckCert(ckNow.Add(-80*day), ckNow.Add(3*day+time.Hour), false), true, true)), want: StatusWarn, score: 0.25},
		{name: "expired caps F", id: idTLSExpiry, ev: ckWith(nil, certTLS(ckCert(ckNow.Add(-100*day), ckNow.Add(-2*day), false), false, true)), want: StatusFail, value: "expired", score: 0, cap: "F"},
		{name: "not yet valid caps F", id: idTLSExpiry, ev: ckWith(nil, certTLS(ckCert(ckNow.Add(2*day), ckNow.Add(100*day), false), false, true)), want: StatusFail, value: "not valid before", score: 0, cap: "F"},
		{name: "no handshake", id: idTLSExpiry, ev: ckWith(nil, func(ev *Evidence) { ev.TLS, ev.TLSErr = nil, "refused" }), want: StatusError, score: -1},

		{name: "1.2 and 1.3", id: idTLSProtocols, ev: ckWith(nil, probe([]uint16{0x0303, 0x0304})), want: StatusPass, value: "TLS 1.3 offered", score: 1},
		{name: "1.2 only", id: idTLSProtocols, ev: ckWith(nil, probe([]uint16{0x0303})), want: StatusPass, value: "TLS 1.3 not offered", score: 0.8},
		{name: "tls 1.0 accepted", id: idTLSProtocols, ev: ckWith(nil, probe([]uint16{0x0301, 0x0303, 0x0304})), want: StatusFail, value: "TLS 1.0", score: 0, find: "ssl_protocols TLSv1.2 TLSv1.3;"},
		{name: "tls 1.1 accepted", id: idTLSProtocols, ev: ckWith(nil, probe([]uint16{0x0302, 0x0303})), want: StatusFail, value: "TLS 1.1", score: 0},
		{name: "nothing accepted", id: idTLSProtocols, ev: ckWith(nil, probe(nil)), want: StatusError, score: -1},
		{name: "probe missing", id: idTLSProtocols, ev: ckWith(nil, func(ev *Evidence) { ev.TLSProbeErr = "timeout" }), want: StatusError, score: -1},

		{name: "no weak suites", id: idTLSCiphers, ev: ckWith(nil, probe([]uint16{0x0304})), want: StatusPass, score: 1},
		{name: "3DES accepted", id: idTLSCiphers, ev: ckWith(nil, probe([]uint16{0x0303}, "TLS_RSA_WITH_3DES_EDE_CBC_SHA")), want: StatusFail, value: "3DES", score: 0},
		{name: "RC4 accepted", id: idTLSCiphers, ev: ckWith(nil, probe([]uint16{0x0303}, "TLS_ECDHE_RSA_WITH_RC4_128_SHA")), want: StatusFail, score: 0},
		{name: "CBC without PFS", id: idTLSCiphers, ev: ckWith(nil, probe([]uint16{0x0303}, "TLS_RSA_WITH_AES_128_CBC_SHA")), want: StatusWarn, score: 0.5, find: "ssl_ciphers"},
		{name: "probe missing", id: idTLSCiphers, ev: ckEv(nil), want: StatusSkipped, score: -1},
	})
}
