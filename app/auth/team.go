package auth

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/account"
	"github.com/palisade/palisade/ent/apikey"
	"github.com/palisade/palisade/ent/finding"
	"github.com/palisade/palisade/ent/invite"
	"github.com/palisade/palisade/ent/report"
	"github.com/palisade/palisade/ent/reportfile"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/scancount"
	"github.com/palisade/palisade/ent/scanevent"
	"github.com/palisade/palisade/ent/session"
	"github.com/palisade/palisade/ent/usage"
	"github.com/palisade/palisade/ent/user"
)

// InviteTTL is how long an invitation link works.
const InviteTTL = 7 * 24 * time.Hour

// Errors of team management.
var (
	ErrInviteInvalid = errors.New("this invitation link is not valid any more; ask for a new one")
	ErrLastOwner     = errors.New("an account needs at least one owner")
	ErrWrongPassword = errors.New("the current password is not right")
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

// Invite resolves a live invitation token.
func (s *Service) Invite(ctx context.Context, token string) (*ent.Invite, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrInviteInvalid
	}
	inv, err := s.db.Invite.Query().Where(invite.TokenHash(HashToken(token)), invite.AcceptedAtIsNil()).WithAccount().Only(ctx)
	if ent.IsNotFound(err) || err == nil && !s.now().Before(inv.ExpiresAt) {
		return nil, ErrInviteInvalid
	}
	return inv, err
}

// AcceptInvite creates the invited person's user in the inviting account and uses up the link.
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
	tx, err := s.db.Tx(ctx)
	if err != nil {
		return nil, err
	}
	n, err := tx.Invite.Update().Where(invite.ID(inv.ID), invite.AcceptedAtIsNil()).SetAcceptedAt(s.now()).Save(ctx)
	if err != nil || n == 0 {
		_ = tx.Rollback()
		if err == nil {
			err = ErrInviteInvalid
		}
		return nil, err
	}
	u, err := tx.User.Create().SetAccountID(inv.AccountID).SetEmail(email).SetPasswordHash(hash).SetRole(inv.Role).Save(ctx)
	if err != nil {
		_ = tx.Rollback()
		if ent.IsConstraintError(err) {
			return nil, ErrEmailTaken
		}
		return nil, err
	}
	return u, tx.Commit()
}

// SetRole changes a member's role. The member's sessions end (privileges
// changed), and the last owner cannot be demoted.
func (s *Service) SetRole(ctx context.Context, accountID, userID string, role domain.Role) error {
	u, err := s.db.User.Query().Where(user.ID(userID), user.AccountID(accountID)).Only(ctx)
	if ent.IsNotFound(err) {
		return errs.ErrNotFound
	}
	if err != nil {
		return err
	}
	if u.Role == role {
		return nil
	}
	if u.Role.IsOwner() {
		if err := s.keepAnOwner(ctx, accountID); err != nil {
			return err
		}
	}
	if err := s.db.User.UpdateOneID(userID).SetRole(role).Exec(ctx); err != nil {
		return err
	}
	_, err = s.db.Session.Delete().Where(session.UserID(userID)).Exec(ctx)
	return err
}

// RemoveMember deletes a user of the account and ends their sessions.
func (s *Service) RemoveMember(ctx context.Context, accountID, userID string) error {
	u, err := s.db.User.Query().Where(user.ID(userID), user.AccountID(accountID)).Only(ctx)
	if ent.IsNotFound(err) {
		return errs.ErrNotFound
	}
	if err != nil {
		return err
	}
	if u.Role.IsOwner() {
		if err := s.keepAnOwner(ctx, accountID); err != nil {
			return err
		}
	}
	if _, err := s.db.Session.Delete().Where(session.UserID(userID)).Exec(ctx); err != nil {
		return err
	}
	return s.db.User.DeleteOneID(userID).Exec(ctx)
}

func (s *Service) keepAnOwner(ctx context.Context, accountID string) error {
	n, err := s.db.User.Query().Where(user.AccountID(accountID), user.RoleEQ(domain.RoleOwner)).Count(ctx)
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
// told to stop first; a worker still writing progress for one of them can
// make the delete conflict, so it is retried until the workers have let go.
func (s *Service) DeleteAccount(ctx context.Context, accountID string) error {
	if _, err := s.db.Scan.Update().Where(scan.AccountID(accountID), scan.StatusIn(domain.StatusPending, domain.StatusRunning)).
		SetCancelRequested(true).Save(ctx); err != nil {
		return err
	}
	var err error
	for attempt := 0; attempt < 15; attempt++ {
		if err = s.deleteAccountOnce(ctx, accountID); err == nil {
			s.ForgetAccount(accountID)
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
		}
	}
	return err
}

func (s *Service) deleteAccountOnce(ctx context.Context, accountID string) error {
	tx, err := s.db.Tx(ctx)
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error {
			ids, err := tx.Report.Query().Where(report.AccountID(accountID)).IDs(ctx)
			if err != nil || len(ids) == 0 {
				return err
			}
			_, err = tx.ReportFile.Delete().Where(reportfile.IDIn(ids...)).Exec(ctx)
			return err
		},
		func() error { _, err := tx.Report.Delete().Where(report.AccountID(accountID)).Exec(ctx); return err },
		func() error { _, err := tx.Finding.Delete().Where(finding.AccountID(accountID)).Exec(ctx); return err },
		func() error {
			_, err := tx.ScanEvent.Delete().Where(scanevent.AccountID(accountID)).Exec(ctx)
			return err
		},
		func() error { _, err := tx.Scan.Delete().Where(scan.AccountID(accountID)).Exec(ctx); return err },
		func() error {
			_, err := tx.ScanCount.Delete().Where(scancount.AccountID(accountID)).Exec(ctx)
			return err
		},
		func() error { _, err := tx.Usage.Delete().Where(usage.AccountID(accountID)).Exec(ctx); return err },
		func() error { _, err := tx.APIKey.Delete().Where(apikey.AccountID(accountID)).Exec(ctx); return err },
		func() error { _, err := tx.Invite.Delete().Where(invite.AccountID(accountID)).Exec(ctx); return err },
		func() error { _, err := tx.Session.Delete().Where(session.AccountID(accountID)).Exec(ctx); return err },
		func() error { _, err := tx.User.Delete().Where(user.AccountID(accountID)).Exec(ctx); return err },
		func() error { _, err := tx.Account.Delete().Where(account.ID(accountID)).Exec(ctx); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	s.keys.clear()
	return tx.Commit()
}
