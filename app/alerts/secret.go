package alerts

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/kv"
)

// SecretPrefix starts every webhook signing secret, so a leaked one is
// recognisable in logs and by secret scanners.
const SecretPrefix = "whsec_"

// MinServerKeyLength is the shortest PALISADE_SECRET_KEY accepted.
const MinServerKeyLength = 32

// serverKeyKV is the kv row holding the generated server key when
// PALISADE_SECRET_KEY is unset (docs/monitoring.md, "Channels, signatures
// and retries").
const serverKeyKV = "palisade:server-key:v1"

// sealLabel separates the webhook-secret key from any other key a future
// feature derives from the same server key.
const sealLabel = "palisade/webhook-secret/v1"

// sealedPrefix versions the sealed format, so the scheme can change later.
const sealedPrefix = "v1."

// ServerKey returns the server's secret key: configured (PALISADE_SECRET_KEY)
// when set, otherwise one random key generated once and kept in the kv
// table. The insert is conditional, so every instance that starts at once
// ends up with the first one written.
func ServerKey(ctx context.Context, c *ent.Client, configured string) ([]byte, error) {
	if configured != "" {
		if len(configured) < MinServerKeyLength {
			return nil, fmt.Errorf("PALISADE_SECRET_KEY must be at least %d characters", MinServerKeyLength)
		}
		return []byte(configured), nil
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	err := c.KV.Create().SetID(serverKeyKV).SetValue([]byte(hex.EncodeToString(fresh))).
		OnConflictColumns(kv.FieldID).DoNothing().Exec(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("storing the server key: %w", err)
	}
	row, err := c.KV.Get(ctx, serverKeyKV)
	if err != nil {
		return nil, fmt.Errorf("reading the server key: %w", err)
	}
	key, err := hex.DecodeString(string(row.Value))
	if err != nil || len(key) != 32 {
		return nil, errors.New("the stored server key is damaged")
	}
	return key, nil
}

// Sealer encrypts webhook secrets at rest: AES-256-GCM under a key derived
// from the server key with HMAC-SHA256 and a label. The account id is the
// additional data, so a sealed secret copied to another account's row does
// not open.
type Sealer struct{ aead cipher.AEAD }

// NewSealer derives the sealing key from the server key.
func NewSealer(serverKey []byte) (*Sealer, error) {
	if len(serverKey) == 0 {
		return nil, errors.New("no server key")
	}
	m := hmac.New(sha256.New, serverKey)
	m.Write([]byte(sealLabel))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plain for the account.
func (s *Sealer) Seal(plain, accountID string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, []byte(plain), []byte(accountID))
	return sealedPrefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts what Seal made for the same account.
func (s *Sealer) Open(sealed, accountID string) (string, error) {
	raw, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", errors.New("unknown sealed format")
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", errors.New("sealed secret is damaged")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(accountID))
	if err != nil {
		// The server key changed, or the row was tampered with.
		return "", errors.New("the webhook secret cannot be decrypted with this server's key")
	}
	return string(plain), nil
}

// NewSecret makes a webhook signing secret: whsec_ and 32 random bytes.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return SecretPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// SecretHint is the end of a secret, shown to tell secrets apart.
func SecretHint(secret string) string {
	if len(secret) <= 4 {
		return ""
	}
	return secret[len(secret)-4:]
}

// SignatureHeader is the header that carries a delivery's signature.
const SignatureHeader = "Palisade-Signature"

// Sign returns the Palisade-Signature value for body sent at t:
// t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + signature(secret, ts, body)
}

func signature(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// ErrBadSignature is what Verify returns for a signature that does not match.
var ErrBadSignature = errors.New("the signature does not match")

// Verify checks a Palisade-Signature header against body, refusing a
// timestamp further than tolerance from now (replays). It is the Go
// snippet of docs/monitoring.md, usable by receivers written in Go.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return errors.New("the signature header is malformed")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errors.New("the signature's timestamp is outside the tolerance")
	}
	want := signature(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return ErrBadSignature
}
