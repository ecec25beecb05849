package scanner

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/palisade/palisade/app/scanner/netguard"
)

// tlsFacts verifies a handshake's peer chain by hand: against
// Options.RootCAs and the system roots (trusted when either verifies it),
// and the leaf against host separately, so the checks can tell "untrusted
// issuer" from "wrong name".
func (s *Scanner) tlsFacts(cs *tls.ConnectionState, host string, now time.Time) *TLSFacts {
	f := &TLSFacts{
		Version:     cs.Version,
		CipherSuite: cs.CipherSuite,
		Chain:       cs.PeerCertificates,
		OCSPStapled: len(cs.OCSPResponse) > 0,
		ALPN:        cs.NegotiatedProtocol,
	}
	if len(cs.PeerCertificates) == 0 {
		f.VerifyError = "the server sent no certificate"
		return f
	}
	leaf := cs.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	if now.IsZero() {
		now = time.Now()
	}
	// The configured CA is tried first: when it is set, the targets it
	// signs are the ones being scanned, and a chain it verifies needs no
	// second, failing walk through the system roots. errs keeps the
	// system-roots-first order tlsVerifySentence has always been given.
	var errs []error
	var sysErr, caErr error
	verify := func(roots *x509.CertPool) error {
		_, err := leaf.Verify(x509.VerifyOptions{
			Roots:         roots,
			Intermediates: inter,
			CurrentTime:   now,
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		})
		return err
	}
	if s.opts.RootCAs != nil {
		if caErr = verify(s.opts.RootCAs); caErr == nil {
			f.Trusted = true
		}
	}
	if !f.Trusted && s.sysRoots != nil {
		if sysErr = verify(s.sysRoots); sysErr == nil {
			f.Trusted = true
		}
	}
	for _, err := range []error{sysErr, caErr} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if !f.Trusted {
		if len(errs) == 0 {
			f.VerifyError = "no trusted roots are configured"
		} else {
			f.VerifyError = tlsVerifySentence(errs)
		}
	}
	if err := leaf.VerifyHostname(host); err == nil {
		f.HostnameOK = true
	} else {
		msg := fmt.Sprintf("the certificate is not valid for %s", host)
		if f.VerifyError == "" {
			f.VerifyError = msg
		} else {
			f.VerifyError += "; " + msg
		}
	}
	return f
}

// tlsVerifySentence picks the most telling verification error: expiry beats an
// unknown authority (a custom CA pool fails differently than the system one).
func tlsVerifySentence(errs []error) string {
	for _, e := range errs {
		var ci x509.CertificateInvalidError
		if errors.As(e, &ci) {
			switch ci.Reason {
			case x509.Expired:
				return "the certificate has expired or is not yet valid (" + ci.Detail + ")"
			}
			return e.Error()
		}
	}
	for _, e := range errs {
		var ua x509.UnknownAuthorityError
		if errors.As(e, &ua) {
			return "the certificate is not signed by a trusted authority"
		}
	}
	return errs[len(errs)-1].Error()
}

var probeVersions = []uint16{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12, tls.VersionTLS13}

// probeWeakSuites are offered one set at a time to see which the server takes:
// Go's "insecure" list (RC4, 3DES, CBC-SHA256) plus static-RSA key exchange
// (no forward secrecy).
func probeWeakSuites() []*tls.CipherSuite {
	var out []*tls.CipherSuite
	out = append(out, tls.InsecureCipherSuites()...)
	for _, cs := range tls.CipherSuites() {
		if strings.HasPrefix(cs.Name, "TLS_RSA_") {
			out = append(out, cs)
		}
	}
	return out
}

func probeAllSuiteIDs() []uint16 {
	var ids []uint16
	for _, cs := range tls.CipherSuites() {
		ids = append(ids, cs.ID)
	}
	for _, cs := range tls.InsecureCipherSuites() {
		ids = append(ids, cs.ID)
	}
	return ids
}

// fetchTLSProbe handshakes once per protocol version (in parallel) offering
// only that version, then enumerates weak suites by offering them and
// removing each one the server picks, up to maxWeakProbe handshakes.
func (r *scanRun) fetchTLSProbe(ctx context.Context, hu *netguard.URL) {
	addr := hu.HostPort()
	sni := ""
	if !hu.IP.IsValid() {
		sni = hu.Host
	}
	accepted := make([]bool, len(probeVersions))
	errs := make([]error, len(probeVersions))
	var wg sync.WaitGroup
	for i, v := range probeVersions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := &tls.Config{ServerName: sni, InsecureSkipVerify: true, MinVersion: v, MaxVersion: v} //nolint:gosec // probing, not trusting
			if v < tls.VersionTLS13 {
				cfg.CipherSuites = probeAllSuiteIDs()
			}
			_, err := r.handshake(ctx, addr, cfg)
			accepted[i] = err == nil
			errs[i] = err
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return
	}
	probe := &TLSProbe{}
	reachable := false
	var firstErr error
	for i, ok := range accepted {
		if ok {
			probe.Versions = append(probe.Versions, probeVersions[i])
			reachable = true
			continue
		}
		if probeIsRejection(errs[i]) {
			reachable = true
		} else if firstErr == nil {
			firstErr = errs[i]
		}
	}
	if !reachable {
		r.set(func(ev *Evidence) {
			ev.TLSProbeErr = fmt.Sprintf("no TLS handshake with %s succeeded: %s", addr, sentenceOf(firstErr))
		})
		return
	}
	anyOld := false
	for _, v := range probe.Versions {
		if v <= tls.VersionTLS12 {
			anyOld = true
		}
	}
	if anyOld {
		offer := probeWeakSuites()
		for n := 0; n < r.s.lim.maxWeakProbe && len(offer) > 0 && ctx.Err() == nil; n++ {
			ids := make([]uint16, len(offer))
			for i, cs := range offer {
				ids[i] = cs.ID
			}
			cfg := &tls.Config{ServerName: sni, InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12, CipherSuites: ids} //nolint:gosec // probing
			st, err := r.handshake(ctx, addr, cfg)
			if err != nil {
				break
			}
			name := tls.CipherSuiteName(st.CipherSuite)
			probe.WeakSuites = append(probe.WeakSuites, name)
			kept := offer[:0:0]
			for _, cs := range offer {
				if cs.ID != st.CipherSuite {
					kept = append(kept, cs)
				}
			}
			if len(kept) == len(offer) {
				break // the server picked something we did not offer
			}
			offer = kept
		}
		slices.Sort(probe.WeakSuites)
	}
	if ctx.Err() != nil {
		return
	}
	r.set(func(ev *Evidence) { ev.TLSProbe = probe })
}

// probeIsRejection tells "the server speaks TLS but refused this offer" (a
// handshake alert) from "no TLS server there" (refused, timeout, garbage).
func probeIsRejection(err error) bool {
	if err == nil {
		return false
	}
	var ae tls.AlertError
	if errors.As(err, &ae) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "remote error") || strings.Contains(msg, "protocol version") ||
		strings.Contains(msg, "no cipher suite") || strings.Contains(msg, "handshake failure") ||
		strings.Contains(msg, "server selected unsupported") || strings.Contains(msg, "unsupported versions")
}

// handshake dials through the guard and performs one TLS handshake within
// tlsTimeout, paced by the scan's handshake limiter (not the HTTP one: the
// probes must not delay, or be counted against, the HTTP requests).
func (r *scanRun) handshake(ctx context.Context, addr string, cfg *tls.Config) (*tls.ConnectionState, error) {
	host, _, _ := net.SplitHostPort(addr)
	if err := r.c.hs.wait(ctx, host); err != nil {
		return nil, err
	}
	hctx, cancel := context.WithTimeout(ctx, r.s.lim.tlsTimeout+r.s.lim.dialTimeout)
	defer cancel()
	raw, err := r.c.dialer.DialContext(hctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	conn := tls.Client(raw, cfg)
	tctx, tcancel := context.WithTimeout(hctx, r.s.lim.tlsTimeout)
	defer tcancel()
	if err := conn.HandshakeContext(tctx); err != nil {
		return nil, err
	}
	st := conn.ConnectionState()
	return &st, nil
}
