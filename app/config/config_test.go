package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func env(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaultsAndDerivedValues(t *testing.T) {
	c, err := FromLookup(env())
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.BaseURL != "http://127.0.0.1:8080" || c.Workers != 8 || c.VerifyEmail() {
		t.Fatalf("defaults: %+v", c)
	}
	c, err = FromLookup(env("PALISADE_BASE_URL", "https://palisade.example.com/", "PALISADE_SMTP_URL", "smtps://u:p@mail.example.com",
		"PALISADE_TRUSTED_PROXIES", "10.1.2.3, 192.168.0.0/16,::1"))
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "https://palisade.example.com" || c.MailFrom != "Palisade <no-reply@palisade.example.com>" || !c.VerifyEmail() || !c.SecureCookies() {
		t.Fatalf("derived: base %q, from %q, verify %v", c.BaseURL, c.MailFrom, c.VerifyEmail())
	}
	if got := fmt.Sprint(c.TrustedProxies); got != "[10.1.2.3/32 192.168.0.0/16 ::1/128]" {
		t.Fatalf("trusted proxies = %s", got)
	}
	c, err = FromLookup(env("PALISADE_METRICS_TOKEN", " 0123456789abcdef ", "PALISADE_METRICS_ADDR", "10.0.0.5:9090"))
	if err != nil || c.MetricsToken != "0123456789abcdef" || c.MetricsAddr != "10.0.0.5:9090" {
		t.Fatalf("metrics: token %q addr %q err %v", c.MetricsToken, c.MetricsAddr, err)
	}
	key := strings.Repeat("k", 32)
	c, err = FromLookup(env("PALISADE_SECRET_KEY", key, "PALISADE_WEBHOOK_TIMEOUT", "3s"))
	if err != nil || c.SecretKey != key || c.WebhookTimeout != 3*time.Second {
		t.Fatalf("webhooks: key %d chars, timeout %v, err %v", len(c.SecretKey), c.WebhookTimeout, err)
	}
	if c, _ := FromLookup(env()); c.WebhookTimeout != 10*time.Second || c.SecretKey != "" {
		t.Errorf("defaults: timeout %v", c.WebhookTimeout)
	}
}

func TestMalformedVariablesNameThemselves(t *testing.T) {
	for _, tc := range []struct{ key, val string }{
		{"PALISADE_WORKERS", "zero"},
		{"PALISADE_WORKERS", "0"},
		{"PALISADE_DATABASE_URL", "mysql://x"},
		{"PALISADE_SCAN_ALLOW_CIDRS", "10.0.0.0/8, nonsense"},
		{"PALISADE_SMTP_URL", "mail.example.com:587"},
		{"PALISADE_TRUSTED_PROXIES", "10.0.0.1, proxy.internal"},
		{"PALISADE_TLS_CERT_FILE", "cert.pem"}, // without the key
		{"PALISADE_METRICS_ADDR", "9090"},
		{"PALISADE_METRICS_TOKEN", "short"},
		{"PALISADE_SECRET_KEY", "too short"},
		{"PALISADE_WEBHOOK_TIMEOUT", "forever"},
		{"PALISADE_WEBHOOK_TIMEOUT", "1h"},
	} {
		_, err := FromLookup(env(tc.key, tc.val))
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s=%q: %v, want an error naming the variable", tc.key, tc.val, err)
		}
	}
}
