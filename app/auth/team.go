package auth

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	appdb "github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/account"
	"github.com/palisade/palisade/ent/invite"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/session"
	"github.com/palisade/palisade/ent/user"
)

// InviteTTL is how long an invitation link works.
const InviteTTL = 7 * 24 * time.Hour

// Errors of team management.
var (
	// ErrInviteInvalid: an unknown or expired link is simply not there.
	ErrInviteInvalid = &errs.NotFound{Message: "this invitation link is not valid any more; ask for a new one"}
	// ErrInviteUsed is what every accept of a link but the first one gets,
	// however close together they come: a conflict (409), never a 500.
	ErrInviteUsed = &errs.Conflict{Message: "this invitation has already been used"}
	// ErrLastOwner: the change would leave the account without an owner.
	ErrLastOwner     = &errs.Conflict{Message: "An account needs at least one owner."}
	ErrWrongPassword = errors.New("the current password is not right")
	// ErrInviteEmailTaken is ErrEmailTaken (errors.Is holds) in the words
	// of the invitation form, which shows the first Conflict it finds.
	ErrInviteEmailTaken = errors.Join(&errs.Conflict{Field: "email", Message: "This e-mail address already has a Palisade account."}, ErrEmailTaken)
)

// Members lists the account's users, owners first.
func (s *Service) Members(ctx context.Context, accountID string) ([]*ent.User, error) {
	return s.db.User.Query().Where(user.AccountID(accountID)).Order(ent.Asc(user.FieldRole), ent.Asc(user.FieldEmail)).All(ctx)
}

// CreateInvite makes an invitation link token for the account. Only its
// hash is stored; the link is shown once.
func (s *Service) CreateInvite(ctx context.Context, accountID string, role domain.Role) (string, error) {
	tok := newToken("")
	err := s.db.Invite.Create().SetAccountID(accountID).SetTokenHash(HashToken(tok)).
		SetRole(role).SetExpiresAt(s.now().Add(InviteTTL)).Exec(ctx)
	return tok, err
}

// Invite resolves a live invitation token: ErrInviteUsed once it has been
// accepted, ErrInviteInvalid when it is unknown or expired.
func (s *Service) Invite(ctx context.Context, token string) (*ent.Invite, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrInviteInvalid
	}
	inv, err := s.db.Invite.Query().Where(invite.TokenHash(HashToken(token))).WithAccount().Only(ctx)
	switch {
	case ent.IsNotFound(err):
		return nil, ErrInviteInvalid
	case err != nil:
		return nil, err
	case inv.AcceptedAt != nil:
		return nil, ErrInviteUsed
	case !s.now().Before(inv.ExpiresAt):
		return nil, ErrInviteInvalid
	}
	return inv, nil
}

// AcceptInvite creates the invited person's user in the inviting account and
// uses up the link, both in one transaction: the link is taken by a
// conditional update (only while accepted_at is NULL), so of concurrent
// accepts exactly one creates a user and the others get ErrInviteUsed. An
// address that already has a user is ErrInviteEmailTaken (an ErrEmailTaken) and leaves the link unused.
func (s *Service) AcceptInvite(ctx context.Context, token, email, password string) (*ent.User, error) {
	inv, err := s.Invite(ctx, token)
	if err != nil {
		return nil, err
	}
	if email, err = NormalizeEmail(email); err != nil {
		return nil, err
	}
	if err := CheckPassword(password); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return nil, err
	}
	var u *ent.User
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		now := s.now()
		n, err := tx.Invite.Update().Where(invite.ID(inv.ID), invite.AcceptedAtIsNil(), invite.ExpiresAtGT(now)).
			SetAcceptedAt(now).Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			// Lost the link to another accept, or it expired meanwhile.
			used, err := tx.Invite.Query().Where(invite.ID(inv.ID), invite.AcceptedAtNotNil()).Exist(ctx)
			if err != nil {
				return err
			}
			if used {
				return ErrInviteUsed
			}
			return ErrInviteInvalid
		}
		u, err = tx.User.Create().SetAccountID(inv.AccountID).SetEmail(email).SetPasswordHash(hash).SetRole(domain.Role(inv.Role)).Save(ctx)
		return err
	})
	if ent.IsConstraintError(err) {
		return nil, ErrInviteEmailTaken
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// SetRole changes a member's role. The member's sessions end (privileges
// changed), and the last owner cannot be demoted.
func (s *Service) SetRole(ctx context.Context, accountID, userID string, role domain.Role) error {
	return s.inTx(ctx, func(tx *ent.Tx) error {
		u, err := s.memberForChange(ctx, tx, accountID, userID)
		if err != nil {
			return err
		}
		if u.Role == role {
			return nil
		}
		if u.Role == domain.RoleOwner {
			if err := keepAnOwner(ctx, tx, accountID); err != nil {
				return err
			}
		}
		if err := tx.User.UpdateOneID(userID).SetRole(role).Exec(ctx); err != nil {
			return err
		}
		_, err = tx.Session.Delete().Where(session.UserID(userID)).Exec(ctx)
		return err
	})
}

// RemoveMember deletes a user of the account and ends their sessions.
func (s *Service) RemoveMember(ctx context.Context, accountID, userID string) error {
	return s.inTx(ctx, func(tx *ent.Tx) error {
		u, err := s.memberForChange(ctx, tx, accountID, userID)
		if err != nil {
			return err
		}
		if u.Role == domain.RoleOwner {
			if err := keepAnOwner(ctx, tx, accountID); err != nil {
				return err
			}
		}
		// The foreign key would cascade; deleting the sessions first says so
		// here and holds on a database whose constraint predates the cascade.
		if _, err := tx.Session.Delete().Where(session.UserID(userID)).Exec(ctx); err != nil {
			return err
		}
		return tx.User.DeleteOneID(userID).Exec(ctx)
	})
}

// memberForChange locks the account (see lockAccount) and reads one of its
// users; a user of another account is errs.ErrNotFound.
func (s *Service) memberForChange(ctx context.Context, tx *ent.Tx, accountID, userID string) (*ent.User, error) {
	if _, err := lockAccount(ctx, tx, accountID); err != nil {
		return nil, err
	}
	u, err := tx.User.Query().Where(user.ID(userID), user.AccountID(accountID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, errs.ErrNotFound
	}
	return u, err
}

// keepAnOwner refuses to take away an owner when it is the account's last.
// It must run in the transaction that holds the account's lock and makes
// the change, or two owners demoting each other could both pass it.
func keepAnOwner(ctx context.Context, tx *ent.Tx, accountID string) error {
	n, err := tx.User.Query().Where(user.AccountID(accountID), user.RoleEQ(domain.RoleOwner)).Count(ctx)
	if err != nil {
		return err
	}
	if n <= 1 {
		return ErrLastOwner
	}
	return nil
}

// ChangePassword checks the current password, sets the new one and ends
// every other session of the user.
func (s *Service) ChangePassword(ctx context.Context, userID, keepSessionID, current, next string) error {
	u, err := s.db.User.Get(ctx, userID)
	if err != nil {
		return err
	}
	ok, err := s.hasher.Verify(ctx, current, u.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		return &errs.Validation{Field: "current", Message: ErrWrongPassword.Error() + "."}
	}
	if err := CheckPassword(next); err != nil {
		var v *errs.Validation
		if errors.As(err, &v) {
			v.Field = "new"
		}
		return err
	}
	hash, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	if err := s.db.User.UpdateOneID(userID).SetPasswordHash(hash).Exec(ctx); err != nil {
		return err
	}
	_, err = s.db.Session.Delete().Where(session.UserID(userID), session.IDNEQ(keepSessionID)).Exec(ctx)
	return err
}

// RenameAccount changes the account's display name.
func (s *Service) RenameAccount(ctx context.Context, accountID, name string) error {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return &errs.Validation{Field: "account", Message: "Use 1 to 100 characters for the account name."}
	}
	return s.db.Account.UpdateOneID(accountID).SetName(name).Exec(ctx)
}

// DeleteAccount removes the account and everything it owns. Its scans are
// told to stop first (committed on its own, so the workers running them see
// it); then one DELETE of the account row removes the rest: every foreign
// key to the account, and those from findings, events and reports to their
// scan, from report files to their report and from sessions to their user,
// cascades (see ent/schema). One statement is one transaction, so no
// worker writing meanwhile can leave half an account behind; a deadlock
// with such a worker on PostgreSQL is retried.
func (s *Service) DeleteAccount(ctx context.Context, accountID string) error {
	if _, err := s.db.Scan.Update().Where(scan.AccountID(accountID), scan.StatusIn(domain.StatusPending, domain.StatusRunning)).
		SetCancelRequested(true).Save(ctx); err != nil {
		return err
	}
	// One statement; the foreign keys cascade. A scan finishing at this
	// moment can make it a deadlock victim (PostgreSQL) or find the database
	// busy (SQLite): those, and only those, are retried.
	err := appdb.Retry(ctx, appdb.RetryPolicy{Attempts: 5, Initial: 20 * time.Millisecond}, func() error {
		_, err := s.db.Account.Delete().Where(account.ID(accountID)).Exec(ctx)
		return err
	})
	if err != nil {
		return err
	}
	s.ForgetAccount(accountID)
	s.keys.clear()
	return nil
}
