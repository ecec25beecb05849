package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	appdb "github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/account"
	"github.com/palisade/palisade/ent/apikey"
	"github.com/palisade/palisade/ent/session"
	"github.com/palisade/palisade/ent/user"
)

// Errors the handlers map to user-facing messages.
var (
	// ErrEmailTaken is a Conflict on the "email" field: the address is the login, unique
	// across all accounts, and repeating the request cannot help.
	ErrEmailTaken = &errs.Conflict{Field: "email", Message: "An account with this e-mail address already exists. Log in instead."}
	// ErrBadCredentials does not say which of the two was wrong.
	ErrBadCredentials = &errs.Unauthenticated{Message: "The e-mail address or password is not right."}
	ErrNoSession      = errors.New("not logged in")
	// A key that is presented but does not work is Forbidden (the caller
	// did authenticate, with something that is refused), as docs/ARCHITECTURE.md
	// and the API's description promise: 401 is for no key at all.
	ErrKeyUnknown = &errs.Forbidden{Message: "the API key is not valid"}
	ErrKeyRevoked = &errs.Forbidden{Message: "the API key has been revoked"}
	ErrKeyExpired = &errs.Forbidden{Message: "the API key has expired"}
	// ErrKeyLimit is a Conflict with the account's active keys; the form
	// shows it for the whole form, since no field's value is at fault.
	ErrKeyLimit     = &errs.Conflict{Message: "You already have the most active keys your plan allows. Revoke one first."}
	ErrUserNotFound = errors.New("no user has that e-mail address")
)

// Session lifetimes: a session ends after IdleTimeout without a request, and
// in any case AbsoluteTimeout after log-in.
const (
	IdleTimeout     = 24 * time.Hour
	AbsoluteTimeout = 14 * 24 * time.Hour
	// touchEvery limits last-seen writes to one a minute per session.
	touchEvery = time.Minute
)

// KeyPrefix starts every API key so that leaked keys are recognisable (and
// secret scanners can find them).
const KeyPrefix = "pal_"

// Service is the identity service.
type Service struct {
	db     *ent.Client
	read   *ent.Client // read-only pool for the hot paths (may be db itself)
	hasher *Hasher
	now    func() time.Time
	keys   keyCache
	use    keyUse
	// limiter and log are set by SetLimiter (see throttle.go).
	limiter Limiter
	log     *slog.Logger
}

// NewService returns the identity service over client.
func NewService(client, read *ent.Client, hasher *Hasher) *Service {
	if read == nil {
		read = client
	}
	return &Service{db: client, read: read, hasher: hasher, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the service's clock (before it serves). Tests move it
// forward to pass a key's expiry or the key cache's lifetime without
// waiting for wall time; production keeps time.Now.
func (s *Service) SetClock(now func() time.Time) {
	s.now = func() time.Time { return now().UTC() }
}

// inTx runs fn in one transaction of the write pool, committing when it
// returns nil. On SQLite the transaction begins IMMEDIATE (see app/db), so
// transactions that read, check and write run one at a time.
func (s *Service) inTx(ctx context.Context, fn func(tx *ent.Tx) error) error {
	return appdb.EntTx(ctx, s.db, fn)
}

// lockAccount reads the account inside tx and, on PostgreSQL, locks its row
// until tx ends (FOR NO KEY UPDATE: it still lets other transactions insert
// rows that reference the account). Every check of an account-wide limit —
// its number of keys, its last owner — takes this lock first, so two such
// checks of one account run one after the other and each sees the other's
// write. SQLite needs no row lock: its write transactions are serialised.
// A missing account is errs.ErrNotFound.
func lockAccount(ctx context.Context, tx *ent.Tx, id string) (*ent.Account, error) {
	acc, err := tx.Account.Query().Where(account.ID(id), func(s *entsql.Selector) {
		if s.Dialect() == dialect.Postgres {
			s.For(entsql.LockNoKeyUpdate)
		}
	}).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, errs.ErrNotFound
	}
	return acc, err
}

// NormalizeEmail lower-cases and trims an address and checks its shape.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", &errs.Validation{Field: "email", Message: "Enter your e-mail address."}
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") && !strings.HasSuffix(s, "@localhost") || len(s) > 254 {
		return "", &errs.Validation{Field: "email", Message: "Enter a valid e-mail address, like name@example.com."}
	}
	return s, nil
}

// CheckPassword enforces the password policy: long enough to resist guessing, bounded for hashing.
func CheckPassword(p string) error {
	n := utf8.RuneCountInString(p)
	if n < 10 {
		return &errs.Validation{Field: "password", Message: "Use at least 10 characters for your password."}
	}
	if len(p) > 256 {
		return &errs.Validation{Field: "password", Message: "Use at most 256 characters for your password."}
	}
	return nil
}

// SignUpInput is what creating an account needs.
type SignUpInput struct {
	Email       string
	Password    string
	AccountName string
	Plan        billing.PlanID
}

// SignUp creates an account with the user as its owner.
func (s *Service) SignUp(ctx context.Context, in SignUpInput) (*ent.Account, *ent.User, error) {
	p, err := s.PrepareSignUp(ctx, in)
	if err != nil {
		return nil, nil, err
	}
	return s.CompleteSignUp(ctx, p)
}

// PreparedSignUp is a checked sign-up with its password already hashed:
// what an e-mailed confirmation link completes later.
type PreparedSignUp struct {
	Email        string         `json:"email"`
	PasswordHash string         `json:"passwordHash"`
	AccountName  string         `json:"accountName"`
	Plan         billing.PlanID `json:"plan"`
}

// PrepareSignUp checks the input and hashes the password. It does the same
// work whether or not the address is taken, so its timing tells nothing.
func (s *Service) PrepareSignUp(ctx context.Context, in SignUpInput) (PreparedSignUp, error) {
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return PreparedSignUp{}, err
	}
	if err := CheckPassword(in.Password); err != nil {
		return PreparedSignUp{}, err
	}
	name := strings.TrimSpace(in.AccountName)
	if name == "" {
		name = email[strings.LastIndexByte(email, '@')+1:]
	}
	if utf8.RuneCountInString(name) > 100 {
		return PreparedSignUp{}, &errs.Validation{Field: "account", Message: "Use at most 100 characters for the account name."}
	}
	plan := in.Plan
	if plan == "" {
		plan = billing.Free
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return PreparedSignUp{}, err
	}
	return PreparedSignUp{Email: email, PasswordHash: hash, AccountName: name, Plan: plan}, nil
}

// CompleteSignUp creates the account and its owner; ErrEmailTaken when the
// address has an account already.
func (s *Service) CompleteSignUp(ctx context.Context, p PreparedSignUp) (*ent.Account, *ent.User, error) {
	tx, err := s.db.Tx(ctx)
	if err != nil {
		return nil, nil, err
	}
	acc, err := tx.Account.Create().SetName(p.AccountName).SetPlan(p.Plan).Save(ctx)
	if err != nil {
		_ = tx.Rollback()
		return nil, nil, fmt.Errorf("creating account: %w", err)
	}
	u, err := tx.User.Create().SetAccountID(acc.ID).SetEmail(p.Email).SetPasswordHash(p.PasswordHash).SetRole(domain.RoleOwner).Save(ctx)
	if err != nil {
		_ = tx.Rollback()
		if ent.IsConstraintError(err) {
			return nil, nil, ErrEmailTaken
		}
		return nil, nil, fmt.Errorf("creating user: %w", err)
	}
	if err := tx.Commit(); err != nil {
		if ent.IsConstraintError(err) {
			return nil, nil, ErrEmailTaken
		}
		return nil, nil, err
	}
	return acc, u, nil
}

// EmailTaken reports whether a user has the (normalised) address.
func (s *Service) EmailTaken(ctx context.Context, email string) (bool, error) {
	return s.db.User.Query().Where(user.Email(email)).Exist(ctx)
}

// LogIn checks an e-mail and password. Whether the address exists or the
// password is wrong, the answer and the time taken are the same.
func (s *Service) LogIn(ctx context.Context, email, password string) (*ent.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := s.db.User.Query().Where(user.Email(email)).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, err
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := s.hasher.Verify(ctx, password, hash)
	if err != nil {
		return nil, err
	}
	if !ok || u == nil {
		return nil, ErrBadCredentials
	}
	return u, nil
}

// UserByEmail finds a user for operator commands.
func (s *Service) UserByEmail(ctx context.Context, email string) (*ent.User, error) {
	u, err := s.db.User.Query().Where(user.Email(strings.ToLower(strings.TrimSpace(email)))).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, ErrUserNotFound
	}
	return u, err
}

// SetPlan changes an account's plan (operators without Stripe).
func (s *Service) SetPlan(ctx context.Context, accountID string, plan billing.PlanID) error {
	if err := s.db.Account.UpdateOneID(accountID).SetPlan(plan).Exec(ctx); err != nil {
		return err
	}
	s.ForgetAccount(accountID)
	return nil
}

// ForgetAccount drops what this instance caches of the account's API keys
// (their account and its plan), so the next request sees a change at once.
func (s *Service) ForgetAccount(accountID string) { s.keys.forget(accountID) }

// Account loads an account.
func (s *Service) Account(ctx context.Context, id string) (*ent.Account, error) {
	return s.db.Account.Get(ctx, id)
}

// SessionInfo is a live session with its user and account.
type SessionInfo struct {
	Session *ent.Session
	User    *ent.User
	Account *ent.Account
}

// CreateSession starts a session for u and returns the cookie token, the
// only copy of which goes to the browser.
func (s *Service) CreateSession(ctx context.Context, u *ent.User) (string, error) {
	token := newToken("")
	now := s.now()
	_, err := s.db.Session.Create().
		SetAccountID(u.AccountID).
		SetUserID(u.ID).
		SetTokenHash(HashToken(token)).
		SetLastSeenAt(now).
		SetExpiresAt(now.Add(AbsoluteTimeout)).
		Save(ctx)
	if err != nil {
		return "", err
	}
	return token, nil
}

// Session resolves a cookie token to its live session, ending it if it has
// passed its idle or absolute expiry.
func (s *Service) Session(ctx context.Context, token string) (*SessionInfo, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrNoSession
	}
	h := HashToken(token)
	ses, err := s.read.Session.Query().Where(session.TokenHash(h)).WithUser(func(q *ent.UserQuery) { q.WithAccount() }).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(ses.TokenHash), []byte(h)) != 1 {
		return nil, ErrNoSession
	}
	now := s.now()
	if now.After(ses.ExpiresAt) || now.Sub(ses.LastSeenAt) > IdleTimeout {
		_ = s.db.Session.DeleteOneID(ses.ID).Exec(ctx)
		return nil, ErrNoSession
	}
	if now.Sub(ses.LastSeenAt) > touchEvery {
		_ = s.db.Session.UpdateOneID(ses.ID).SetLastSeenAt(now).Exec(ctx)
	}
	u := ses.Edges.User
	return &SessionInfo{Session: ses, User: u, Account: u.Edges.Account}, nil
}

// EndSession deletes the session server-side, so the cookie is worthless
// even if it was copied.
func (s *Service) EndSession(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	_, err := s.db.Session.Delete().Where(session.TokenHash(HashToken(token))).Exec(ctx)
	return err
}

// APIKeyInfo is an authenticated key with its account.
type APIKeyInfo struct {
	Key     *ent.APIKey
	Account *ent.Account
}

// CreateKey makes an API key for the account. The returned plaintext is shown
// once; only its hash and a short prefix are stored.
func (s *Service) CreateKey(ctx context.Context, accountID, name, createdBy string, expiresAt *time.Time) (*ent.APIKey, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, "", &errs.Validation{Field: "name", Message: "Give the key a name, such as \"CI\"."}
	}
	if utf8.RuneCountInString(name) > 100 {
		return nil, "", &errs.Validation{Field: "name", Message: "Use at most 100 characters for the key name."}
	}
	plain := newToken(KeyPrefix)
	var k *ent.APIKey
	// Count and insert in one transaction with the account row locked, so
	// concurrent creations queue and the plan's limit holds exactly.
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		acc, err := lockAccount(ctx, tx, accountID)
		if err != nil {
			return err
		}
		limit := billing.Lookup(string(acc.Plan)).APIKeys
		n, err := tx.APIKey.Query().Where(apikey.AccountID(accountID), apikey.RevokedAtIsNil()).Count(ctx)
		if err != nil {
			return err
		}
		if n >= limit {
			return ErrKeyLimit
		}
		k, err = tx.APIKey.Create().
			SetAccountID(accountID).
			SetName(name).
			SetPrefix(plain[:len(KeyPrefix)+8]).
			SetKeyHash(HashToken(plain)).
			SetCreatedBy(createdBy).
			SetNillableExpiresAt(expiresAt).
			Save(ctx)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return k, plain, nil
}

// AuthenticateKey resolves a presented API key: one indexed lookup by
// SHA-256, then a constant-time comparison. Unknown, revoked and expired keys
// are distinct errors (all answered 403).
func (s *Service) AuthenticateKey(ctx context.Context, plain string) (*APIKeyInfo, error) {
	if !strings.HasPrefix(plain, KeyPrefix) || len(plain) > 100 {
		return nil, ErrKeyUnknown
	}
	h := HashToken(plain)
	now := s.now()
	c, ok := s.keys.get(h, now)
	if !ok {
		info, err := s.lookupKey(ctx, h, now)
		if err != nil && !errors.Is(err, ErrKeyUnknown) && !errors.Is(err, ErrKeyRevoked) && !errors.Is(err, ErrKeyExpired) {
			return nil, err
		}
		c = cachedKey{info: info, err: err, at: now}
		s.keys.put(h, c)
	}
	if c.err != nil {
		return nil, c.err
	}
	if StateOf(c.info.Key, now) == KeyExpired {
		return nil, ErrKeyExpired
	}
	return c.info, nil
}

func (s *Service) lookupKey(ctx context.Context, h string, now time.Time) (*APIKeyInfo, error) {
	k, err := s.read.APIKey.Query().Where(apikey.KeyHash(h)).WithAccount().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, ErrKeyUnknown
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(k.KeyHash), []byte(h)) != 1 {
		return nil, ErrKeyUnknown
	}
	switch StateOf(k, now) {
	case KeyRevoked:
		return nil, ErrKeyRevoked
	case KeyExpired:
		return nil, ErrKeyExpired
	}
	return &APIKeyInfo{Key: k, Account: k.Edges.Account}, nil
}

// RevokeKey revokes one of the account's keys; a foreign id is not found.
func (s *Service) RevokeKey(ctx context.Context, accountID, keyID string) error {
	n, err := s.db.APIKey.Update().
		Where(apikey.ID(keyID), apikey.AccountID(accountID), apikey.RevokedAtIsNil()).
		SetRevokedAt(s.now()).
		Save(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return errs.ErrNotFound
	}
	s.keys.clear()
	return nil
}

// Keys lists the account's keys, newest first.
func (s *Service) Keys(ctx context.Context, accountID string) ([]*ent.APIKey, error) {
	return s.db.APIKey.Query().Where(apikey.AccountID(accountID)).Order(ent.Desc(apikey.FieldCreatedAt)).All(ctx)
}
