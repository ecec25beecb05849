package scanner

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"strings"
	"time"
)

// Check ids of the tls category.
const (
	idTLSHTTPS       = "tls.https"
	idTLSCertificate = "tls.certificate"
	idTLSExpiry      = "tls.expiry"
	idTLSProtocols   = "tls.protocols"
	idTLSCiphers     = "tls.ciphers"
)

// TLS fixes, built once.
var (
	fixGetCertificate = &Fix{
		Advice: "Install a certificate from a public CA that covers every name the site is served under, " +
			"with the full chain (leaf + intermediates). Let's Encrypt is free and automatic: Caddy does it by itself; " +
			"with nginx or Apache use certbot (certbot --nginx / certbot --apache).",
		Snippets: []Snippet{
			{Server: ServerNginx, Code: "ssl_certificate /etc/letsencrypt/live/example.com/fullchain.pem;\nssl_certificate_key /etc/letsencrypt/live/example.com/privkey.pem;"},
			{Server: ServerApache, Code: "SSLCertificateFile /etc/letsencrypt/live/example.com/fullchain.pem\nSSLCertificateKeyFile /etc/letsencrypt/live/example.com/privkey.pem"},
			{Server: ServerCaddy, Code: "example.com {\n\ttls you@example.com\n}"},
		},
	}
	fixServeHTTPS = &Fix{
		Advice:   "Serve the site over HTTPS on port 443 with a valid certificate. " + fixGetCertificate.Advice,
		Snippets: fixGetCertificate.Snippets,
	}
	fixHTTPSToHTTP = adviceFix("Serve the page itself over HTTPS and remove redirects from https:// to http:// (check the application's base URL setting).")
	fixWeakCert    = &Fix{
		Advice:   "Reissue the certificate with an RSA 2048+ or ECDSA P-256 key and a SHA-256 signature (certbot does by default).",
		Snippets: []Snippet{{Server: ServerShell, Code: "certbot renew --force-renewal --key-type ecdsa"}},
	}
	renewSnippets = []Snippet{{Server: ServerShell, Code: "systemctl list-timers | grep certbot\ncertbot renew --dry-run"}}
	fixRenewSoon  = &Fix{
		Advice:   "Automate renewal: certbot installs a timer; Caddy renews by itself. Reload the web server after renewal (nginx -s reload / apachectl graceful).",
		Snippets: renewSnippets,
	}
	fixRenewNow = &Fix{
		Advice:   "Renew the certificate now, and automate renewal: certbot installs a timer; Caddy renews by itself. Reload the web server after renewal (nginx -s reload / apachectl graceful).",
		Snippets: append([]Snippet{{Server: ServerShell, Code: "certbot renew"}}, renewSnippets...),
	}
	fixNotYetValid = &Fix{
		Advice:   "Check the server clock and install a certificate that is currently valid.",
		Snippets: []Snippet{{Server: ServerShell, Code: "timedatectl"}},
	}
	fixTLSProtocols = &Fix{
		Advice: "Accept only TLS 1.2 and 1.3 (Caddy's default: remove any older protocols setting).",
		Snippets: []Snippet{
			{Server: ServerNginx, Code: "ssl_protocols TLSv1.2 TLSv1.3;"},
			{Server: ServerApache, Code: "SSLProtocol -all +TLSv1.2 +TLSv1.3"},
			{Server: ServerCaddy, Code: "tls {\n\tprotocols tls1.2 tls1.3\n}"},
		},
	}
	fixTLSCiphers = &Fix{
		Advice: "Use the Mozilla 'intermediate' configuration (AEAD suites with forward secrecy only). With Caddy, remove any 'ciphers' line from the tls block; the defaults are safe.",
		Snippets: []Snippet{
			{Server: ServerNginx, Code: "ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;\nssl_prefer_server_ciphers off;"},
			{Server: ServerApache, Code: "SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"},
		},
	}
)

// noCertificate is the error verdict of a handshake that presented no chain.
func noCertificate() Outcome {
	const r = "the server presented no certificate chain"
	return Outcome{Status: StatusError, Value: "no certificate", Reason: r, Description: "The server presented no certificate chain."}
}

// checkTLSHTTPS: without HTTPS nothing else protects the traffic, so a site
// that cannot be reached over HTTPS caps the grade at F.
var checkTLSHTTPS = Check{
	ID: idTLSHTTPS, Name: "HTTPS available", Category: catTLS, Depth: Quick, Weight: 5,
	Needs: []EvidenceKind{NeedTLS, NeedPage},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idTLSHTTPS)
		if ev.TLS == nil {
			if ev.TLSErr == "" {
				return missing("The HTTPS handshake", "")
			}
			if ev.OffSiteURL != "" {
				// The page ends on another site's HTTPS: that is not ours to judge.
				return o.Fail(0, "no HTTPS of its own; redirects to another site, "+clip(ev.OffSiteURL, 100),
					"The site has no HTTPS of its own: it sends visitors to another site, "+clip(ev.OffSiteURL, 120)+", whose HTTPS is not judged as this site's. The first request travels in clear text.",
					o.Finding(SeverityCritical, "HTTPS is not available on this site",
						"Connecting to the site over HTTPS failed ("+clip(ev.TLSErr, 200)+"). Its plain-HTTP address redirects to another site, "+clip(ev.OffSiteURL, 120)+"; scan that site to grade it.",
						fixServeHTTPS,
						ev.TLSErr)).Capped("F", "the site has no HTTPS of its own; it sends visitors to another site, "+clip(ev.OffSiteURL, 120))
			}
			return o.Fail(0, "HTTPS unreachable: "+clip(ev.TLSErr, 120),
				"The site cannot be reached over HTTPS, so every visit travels in clear text and can be read or altered on the way.",
				o.Finding(SeverityCritical, "HTTPS is not available",
					"Connecting to the site over HTTPS failed: "+clip(ev.TLSErr, 200)+". Visitors, passwords and cookies travel unencrypted.",
					fixServeHTTPS,
					ev.TLSErr)).Capped("F", "the site cannot be reached over HTTPS ("+clip(ev.TLSErr, 120)+")")
		}
		v := "HTTPS reachable, " + tlsVersionName(ev.TLS.Version)
		desc := "The site is served over HTTPS, so traffic is encrypted and authenticated."
		if ev.TLSViaRedirect {
			// Judged where the chain ends (docs/scoring.md): the target's own
			// https:// address gave no answer, its redirects end here.
			v = "HTTPS reachable at " + clip(ev.TLSURL, 100) + " (where the redirects end), " + tlsVersionName(ev.TLS.Version)
			desc = "The site's address redirects to HTTPS at " + clip(ev.TLSURL, 100) + ", so traffic is encrypted and authenticated from there on."
		}
		if ev.TLS.ALPN != "" {
			v += ", ALPN " + ev.TLS.ALPN
		}
		if ev.Page != nil && schemeOf(ev.Page.URL) == "http" {
			return o.Warn(0.5, v+"; but the page ends on "+clip(ev.Page.URL, 80),
				"HTTPS works, but the site sends visitors to a plain http:// page.",
				o.Finding(SeverityHigh, "The site redirects HTTPS visitors to HTTP",
					"The handshake succeeds but the final page is served over plain HTTP ("+clip(ev.Page.URL, 120)+"), so the content is not protected.",
					fixHTTPSToHTTP,
					ev.Page.URL))
		}
		return o.Pass(1, v, desc)
	},
}

// checkTLSCertificate: an untrusted, mismatched or self-signed certificate
// makes browsers stop visitors with an interstitial (or teaches them to click
// through one), so it caps the grade at F.
var checkTLSCertificate = Check{
	ID: idTLSCertificate, Name: "Certificate validity", Category: catTLS, Depth: Quick, Weight: 8,
	Needs: []EvidenceKind{NeedTLS},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idTLSCertificate)
		if ev.TLS == nil {
			return missing("The HTTPS handshake", ev.TLSErr)
		}
		if len(ev.TLS.Chain) == 0 {
			return noCertificate()
		}
		leaf := ev.TLS.Chain[0]
		selfSigned := isSelfSigned(leaf)
		issuer := certName(leaf.Issuer.CommonName, leaf.Issuer.Organization)
		var problems []string
		switch {
		case selfSigned:
			problems = append(problems, "self-signed")
		case !ev.TLS.Trusted && isValidityError(ev.TLS.VerifyError):
			// The chain is fine but outside its validity window: say so
			// (tls.expiry has the dates) rather than "not trusted".
			problems = append(problems, "expired or not yet valid")
		case !ev.TLS.Trusted:
			problems = append(problems, "not trusted")
		}
		if !ev.TLS.HostnameOK {
			problems = append(problems, "not valid for "+ev.Target.Host)
		}
		if len(problems) > 0 {
			why := ev.TLS.VerifyError
			if why == "" {
				why = strings.Join(problems, ", ")
			}
			names := strings.Join(leaf.DNSNames, ", ")
			return o.Fail(0, clip(strings.Join(problems, ", ")+"; issuer "+issuer+"; names "+names, 200),
				"Browsers reject this certificate and show a full-page warning; visitors who click through are open to interception.",
				o.Finding(SeverityCritical, "The TLS certificate is invalid",
					"The certificate presented for "+ev.Target.Host+" is "+strings.Join(problems, " and ")+" ("+clip(why, 200)+").",
					fixGetCertificate,
					"subject "+leaf.Subject.CommonName+"; issuer "+issuer+"; SANs "+clip(names, 150))).Capped("F",
				"the certificate presented for "+ev.Target.Host+" is "+strings.Join(problems, " and "))
		}
		var weak []string
		if k, ok := leaf.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < 2048 {
			weak = append(weak, fmt.Sprintf("RSA key of %d bits", k.N.BitLen()))
		}
		if k, ok := leaf.PublicKey.(*ecdsa.PublicKey); ok && k.Params().BitSize < 256 {
			weak = append(weak, fmt.Sprintf("ECDSA key of %d bits", k.Params().BitSize))
		}
		switch leaf.SignatureAlgorithm {
		case x509.MD5WithRSA, x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1:
			weak = append(weak, "signed with "+leaf.SignatureAlgorithm.String())
		}
		v := "trusted, issued by " + issuer + ", valid for " + ev.Target.Host
		if len(weak) > 0 {
			return o.Warn(0.5, v+"; "+strings.Join(weak, ", "),
				"The certificate is trusted today but uses weak cryptography that CAs and browsers are phasing out.",
				o.Finding(SeverityMedium, "The certificate uses weak cryptography",
					"The certificate has a "+strings.Join(weak, " and ")+".",
					fixWeakCert,
					strings.Join(weak, ", ")))
		}
		return o.Pass(1, v, "The certificate chains to a trusted root and matches the host name.")
	},
}

// checkTLSExpiry: an expired certificate breaks the site for every visitor;
// one close to expiry usually means renewal is not automated.
var checkTLSExpiry = Check{
	ID: idTLSExpiry, Name: "Certificate expiry", Category: catTLS, Depth: Quick, Weight: 4,
	Needs: []EvidenceKind{NeedTLS},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idTLSExpiry)
		if ev.TLS == nil {
			return missing("The HTTPS handshake", ev.TLSErr)
		}
		if len(ev.TLS.Chain) == 0 {
			return noCertificate()
		}
		now := ev.Now
		if now.IsZero() {
			now = time.Now()
		}
		leaf := ev.TLS.Chain[0]
		if now.After(leaf.NotAfter) {
			days := int(now.Sub(leaf.NotAfter).Hours() / 24)
			return o.Fail(0, fmt.Sprintf("expired %s (%d days ago)", leaf.NotAfter.UTC().Format("2006-01-02"), days),
				"The certificate has expired: browsers block the site with a security warning.",
				o.Finding(SeverityCritical, "The TLS certificate has expired",
					"The certificate expired on "+leaf.NotAfter.UTC().Format(time.RFC3339)+".",
					fixRenewNow,
					"notAfter "+leaf.NotAfter.UTC().Format(time.RFC3339))).Capped("F",
				"the certificate expired on "+leaf.NotAfter.UTC().Format("2 January 2006"))
		}
		if now.Before(leaf.NotBefore) {
			return o.Fail(0, "not valid before "+leaf.NotBefore.UTC().Format("2006-01-02"),
				"The certificate is not yet valid: browsers reject it (or the server clock is wrong).",
				o.Finding(SeverityCritical, "The TLS certificate is not yet valid",
					"The certificate is valid only from "+leaf.NotBefore.UTC().Format(time.RFC3339)+".",
					fixNotYetValid,
					"notBefore "+leaf.NotBefore.UTC().Format(time.RFC3339))).Capped("F",
				"the certificate is not valid before "+leaf.NotBefore.UTC().Format("2 January 2006"))
		}
		left := leaf.NotAfter.Sub(now)
		days := int(left.Hours() / 24)
		v := fmt.Sprintf("expires %s (%d days left)", leaf.NotAfter.UTC().Format("2006-01-02"), days)
		if days < 30 {
			sev, score := SeverityMedium, 0.5
			if days < 7 {
				sev, score = SeverityHigh, 0.25
			}
			return o.Warn(score, v,
				"The certificate expires soon; renewal may not be automated.",
				o.Finding(sev, "The TLS certificate expires in "+plural(days, "day"),
					"The certificate expires on "+leaf.NotAfter.UTC().Format(time.RFC3339)+". Automated renewals normally happen 30 days before expiry.",
					fixRenewSoon,
					"notAfter "+leaf.NotAfter.UTC().Format(time.RFC3339)))
		}
		return o.Pass(1, v, "The certificate is valid for more than 30 days.")
	},
}

// checkTLSProtocols: TLS 1.0 and 1.1 have known weaknesses (BEAST, weak
// MACs) and were removed from browsers in 2020; accepting them only helps
// downgrade attacks. TLS 1.3 is faster and removes legacy cryptography.
var checkTLSProtocols = Check{
	ID: idTLSProtocols, Name: "TLS protocol versions", Category: catTLS, Depth: Standard, Weight: 5,
	Needs: []EvidenceKind{NeedTLSProbe},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idTLSProtocols)
		if ev.TLSProbe == nil {
			return missing("The TLS protocol probe", ev.TLSProbeErr)
		}
		if len(ev.TLSProbe.Versions) == 0 {
			return Outcome{Status: StatusError, Value: "no version accepted", Reason: "the server accepted none of the protocol versions offered",
				Description: "The server accepted none of the protocol versions offered."}
		}
		var names, legacy []string
		has12, has13 := false, false
		for _, v := range ev.TLSProbe.Versions {
			n := tlsVersionName(v)
			names = append(names, n)
			switch v {
			//lint:ignore SA1019 the probe reports SSLv3 when a server still offers it.
			case tls.VersionSSL30, tls.VersionTLS10, tls.VersionTLS11:
				legacy = append(legacy, n)
			case tls.VersionTLS12:
				has12 = true
			case tls.VersionTLS13:
				has13 = true
			}
		}
		v := "accepts " + strings.Join(names, ", ")
		fix := fixTLSProtocols
		if len(legacy) > 0 {
			return o.Fail(0, v,
				"The server still accepts deprecated protocol versions that browsers removed in 2020.",
				o.Finding(SeverityHigh, "Deprecated TLS versions accepted: "+strings.Join(legacy, ", "),
					"The server completes handshakes with "+strings.Join(legacy, " and ")+", which are vulnerable to downgrade and known attacks (BEAST, weak SHA-1/MD5 MACs) and are forbidden by PCI DSS.",
					fix,
					strings.Join(names, ", ")))
		}
		if !has12 && !has13 {
			return o.Fail(0, v,
				"The server accepts neither TLS 1.2 nor TLS 1.3.",
				o.Finding(SeverityHigh, "No modern TLS version accepted",
					"Neither TLS 1.2 nor TLS 1.3 was accepted.",
					fix,
					strings.Join(names, ", ")))
		}
		if !has13 {
			return o.Pass(0.8, v+"; TLS 1.3 not offered",
				"Only modern versions are accepted, but TLS 1.3 (faster handshakes, no legacy ciphers) is not enabled: enable it for full points.")
		}
		return o.Pass(1, v+"; TLS 1.3 offered", "Only TLS 1.2 and newer are accepted, and TLS 1.3 is offered.")
	},
}

// checkTLSCiphers: a weak suite the server accepts is one an active attacker
// can force; RC4, 3DES, NULL, EXPORT and anonymous suites are broken outright.
var checkTLSCiphers = Check{
	ID: idTLSCiphers, Name: "TLS cipher suites", Category: catTLS, Depth: Standard, Weight: 3,
	Needs: []EvidenceKind{NeedTLSProbe},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idTLSCiphers)
		if ev.TLSProbe == nil {
			return missing("The TLS cipher probe", ev.TLSProbeErr)
		}
		if len(ev.TLSProbe.WeakSuites) == 0 {
			return o.Pass(1, "no weak cipher suite accepted", "The server refused every weak cipher suite it was offered.")
		}
		var broken []string
		for _, s := range ev.TLSProbe.WeakSuites {
			u := strings.ToUpper(s)
			if strings.Contains(u, "RC4") || strings.Contains(u, "NULL") || strings.Contains(u, "EXPORT") ||
				strings.Contains(u, "ANON") || strings.Contains(u, "DES") || strings.Contains(u, "MD5") {
				broken = append(broken, s)
			}
		}
		all := strings.Join(ev.TLSProbe.WeakSuites, ", ")
		fix := fixTLSCiphers
		if len(broken) > 0 {
			return o.Fail(0, "accepts "+clip(all, 180),
				"The server accepts cipher suites that are broken (RC4, 3DES, NULL, EXPORT or anonymous).",
				o.Finding(SeverityHigh, "Broken cipher suites accepted",
					"Accepted: "+strings.Join(broken, ", ")+". An active attacker can force them and decrypt or tamper with traffic (SWEET32, RC4 biases, FREAK/Logjam).",
					fix,
					all))
		}
		return o.Warn(0.5, "accepts "+clip(all, 180),
			"The server accepts legacy cipher suites without forward secrecy or with CBC-mode MAC-then-encrypt.",
			o.Finding(SeverityMedium, "Weak cipher suites accepted",
				"Accepted: "+all+". They lack forward secrecy or use CBC mode, which has a history of padding-oracle attacks (Lucky13).",
				fix,
				all))
	},
}

// tlsVersionName names a TLS version ("TLS 1.3"); unknown values in hex.
func tlsVersionName(v uint16) string {
	if v == 0 {
		return "unknown version"
	}
	return tls.VersionName(v)
}

// isSelfSigned reports a certificate whose issuer is its own subject (a
// leaf is rarely a CA, so its self-signature cannot be verified by x509's
// CA rules; the name match is what browsers' "self-signed" wording means).
func isSelfSigned(c *x509.Certificate) bool {
	return len(c.RawSubject) > 0 && string(c.RawIssuer) == string(c.RawSubject)
}

// certName formats a distinguished name briefly: "R3 (Let's Encrypt)".
func certName(cn string, org []string) string {
	switch {
	case cn != "" && len(org) > 0:
		return cn + " (" + org[0] + ")"
	case cn != "":
		return cn
	case len(org) > 0:
		return org[0]
	}
	return "unknown"
}

// isValidityError reports whether a verification error is only the
// certificate's validity window (crypto/x509's CertificateInvalidError with
// reason Expired, as the fetcher records its text).
func isValidityError(verifyErr string) bool {
	return strings.Contains(verifyErr, "has expired or is not yet valid")
}
