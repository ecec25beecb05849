// Package config reads Palisade's configuration from the environment, the
// operator contract in the README (Configuration). Everything has a default that works on
// a fresh machine, so `go run ./cmd/palisade` needs no set-up.
package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the whole runtime configuration. It is built once at start and
// passed down; nothing else reads the environment.
type Config struct {
	Addr        string
	DatabaseURL string
	BaseURL     string
	Workers     int

	TLSCertFile string
	TLSKeyFile  string

	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the
	// client; per-address throttles count that client instead of the proxy.
	TrustedProxies []netip.Prefix

	ScanAllowCIDRs []netip.Prefix
	ScanCAFile     string
	DNSServer      string
	// RetireJSFile and WPVulnsFile replace the scanner's embedded
	// vulnerability data (a retire.js jsrepository.json; a WordPress
	// plugin/theme vulnerability table) without a rebuild.
	RetireJSFile string
	WPVulnsFile  string

	StripeSecretKey     string
	StripeWebhookSecret string
	StripePricePro      string
	StripePriceEnt      string
	StripeAPIBase       string

	// SMTPURL turns on e-mail verification at sign-up (see the README):
	// smtp://user:password@host:587 or smtps://…:465. Empty: sign-up is
	// immediate.
	SMTPURL  string
	MailFrom string

	// SecretKey (PALISADE_SECRET_KEY, at least 32 characters) is the key
	// webhook secrets are sealed under. Unset: a random key is generated
	// once and kept in the database (docs/monitoring.md, "Channels,
	// signatures and retries"), which a database-only leak then exposes.
	SecretKey string
	// WebhookTimeout bounds one webhook call (PALISADE_WEBHOOK_TIMEOUT, default 10s).
	WebhookTimeout time.Duration

	// MetricsToken, when set, is the bearer token /metrics asks for.
	MetricsToken string
	// MetricsAddr, when set, is a listener of its own serving only
	// /metrics; the main listener then serves no metrics. With neither set,
	// /metrics answers loopback clients only.
	MetricsAddr string
}

// Load reads the environment. Unset variables take the documented defaults;
// malformed ones are an error naming the variable.
func Load() (Config, error) {
	return FromLookup(os.LookupEnv)
}

// FromLookup reads configuration through lookup, so tests can supply their own environment.
func FromLookup(lookup func(string) (string, bool)) (Config, error) {
	get := func(k, def string) string {
		if v, ok := lookup(k); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	c := Config{
		Addr:                get("PALISADE_ADDR", "127.0.0.1:8080"),
		DatabaseURL:         get("PALISADE_DATABASE_URL", "sqlite:data/palisade.db"),
		TLSCertFile:         get("PALISADE_TLS_CERT_FILE", ""),
		TLSKeyFile:          get("PALISADE_TLS_KEY_FILE", ""),
		ScanCAFile:          get("PALISADE_SCAN_CA_FILE", ""),
		DNSServer:           get("PALISADE_DNS_SERVER", ""),
		RetireJSFile:        get("PALISADE_RETIREJS_FILE", ""),
		WPVulnsFile:         get("PALISADE_WP_VULNS_FILE", ""),
		StripeSecretKey:     get("STRIPE_SECRET_KEY", ""),
		StripeWebhookSecret: get("STRIPE_WEBHOOK_SECRET", ""),
		StripePricePro:      get("PALISADE_STRIPE_PRICE_PRO", ""),
		StripePriceEnt:      get("PALISADE_STRIPE_PRICE_ENTERPRISE", ""),
		StripeAPIBase:       get("STRIPE_API_BASE", ""),
		SMTPURL:             get("PALISADE_SMTP_URL", ""),
		MetricsToken:        get("PALISADE_METRICS_TOKEN", ""),
		SecretKey:           get("PALISADE_SECRET_KEY", ""),
		MetricsAddr:         get("PALISADE_METRICS_ADDR", ""),
	}
	scheme := "http://"
	if c.TLSCertFile != "" {
		scheme = "https://"
	}
	c.BaseURL = strings.TrimRight(get("PALISADE_BASE_URL", scheme+c.Addr), "/")
	host := strings.TrimPrefix(strings.TrimPrefix(c.BaseURL, "https://"), "http://")
	if i := strings.IndexAny(host, ":/"); i >= 0 {
		host = host[:i]
	}
	c.MailFrom = get("PALISADE_MAIL_FROM", "Palisade <no-reply@"+host+">")
	if c.SMTPURL != "" && !strings.HasPrefix(c.SMTPURL, "smtp://") && !strings.HasPrefix(c.SMTPURL, "smtps://") {
		return c, fmt.Errorf("PALISADE_SMTP_URL must start with smtp:// or smtps://, got %q", c.SMTPURL)
	}

	w, err := strconv.Atoi(get("PALISADE_WORKERS", "8"))
	if err != nil || w < 1 || w > 1000 {
		return c, fmt.Errorf("PALISADE_WORKERS must be a whole number from 1 to 1000, got %q", get("PALISADE_WORKERS", ""))
	}
	c.Workers = w

	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		return c, errors.New("PALISADE_TLS_CERT_FILE and PALISADE_TLS_KEY_FILE must be set together")
	}
	if c.ScanAllowCIDRs, err = ParsePrefixes("PALISADE_SCAN_ALLOW_CIDRS", get("PALISADE_SCAN_ALLOW_CIDRS", "")); err != nil {
		return c, err
	}
	if c.TrustedProxies, err = ParsePrefixes("PALISADE_TRUSTED_PROXIES", get("PALISADE_TRUSTED_PROXIES", "")); err != nil {
		return c, err
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return c, fmt.Errorf("PALISADE_METRICS_ADDR must be host:port, such as 10.0.0.5:9090, got %q", c.MetricsAddr)
		}
	}
	// A short token could be guessed by a scraper's neighbours; 16 characters
	// is what `openssl rand -hex 8` gives, the least we accept.
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return c, errors.New("PALISADE_METRICS_TOKEN must be at least 16 characters")
	}
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		return c, errors.New("PALISADE_SECRET_KEY must be at least 32 characters (openssl rand -hex 32 gives 64)")
	}
	if c.WebhookTimeout, err = time.ParseDuration(get("PALISADE_WEBHOOK_TIMEOUT", "10s")); err != nil || c.WebhookTimeout < time.Second || c.WebhookTimeout > time.Minute {
		return c, fmt.Errorf("PALISADE_WEBHOOK_TIMEOUT must be a duration from 1s to 1m, such as 10s, got %q", get("PALISADE_WEBHOOK_TIMEOUT", ""))
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return c, fmt.Errorf("PALISADE_DATABASE_URL must start with sqlite: or postgres://, got %q", c.DatabaseURL)
	}
	return c, nil
}

// ParsePrefixes parses a comma-separated list of CIDRs or single addresses;
// name is the variable the list came from, for the error.
func ParsePrefixes(name, list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if a, err := netip.ParseAddr(part); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a CIDR such as 127.0.0.0/8", name, part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// VerifyEmail reports whether sign-up confirms the address by e-mail
// before it creates an account.
func (c Config) VerifyEmail() bool { return c.SMTPURL != "" }

// TLS reports whether the server terminates TLS itself.
func (c Config) TLS() bool { return c.TLSCertFile != "" }

// SecureCookies reports whether cookies must carry Secure: when we serve
// HTTPS or sit behind a proxy whose public URL is HTTPS.
func (c Config) SecureCookies() bool {
	return c.TLS() || strings.HasPrefix(c.BaseURL, "https://")
}

// ScanRootCAs loads PALISADE_SCAN_CA_FILE, or returns nil when unset.
func (c Config) ScanRootCAs() (*x509.CertPool, error) {
	if c.ScanCAFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(c.ScanCAFile)
	if err != nil {
		return nil, fmt.Errorf("PALISADE_SCAN_CA_FILE: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("PALISADE_SCAN_CA_FILE: %s holds no PEM certificate", c.ScanCAFile)
	}
	return pool, nil
}

// BillingEnabled reports whether Stripe is configured.
func (c Config) BillingEnabled() bool { return c.StripeSecretKey != "" }
