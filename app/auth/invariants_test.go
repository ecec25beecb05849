package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/alexedwards/argon2id"

	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/testdb"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent/apikey"
	"github.com/palisade/palisade/ent/user"
)

// newServiceDB is newService with the database, for tests that check rows.
func newServiceDB(t *testing.T) (*Service, *db.DB) {
	t.Helper()
	d := testdb.Open(t)
	return NewService(d.Ent, d.Read, NewHasher(&argon2id.Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}, 2)), d
}

// race runs n callers of fn at once (released together) and returns their errors.
func race(n int, fn func(i int) error) []error {
	out := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

func TestCreateKeyLimitUnderRace(t *testing.T) {
	s, d := newServiceDB(t)
	ctx := context.Background()
	acc, u, err := s.SignUp(ctx, SignUpInput{Email: "keys@example.com", Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	limit := billing.Lookup(string(acc.Plan)).APIKeys
	const callers = 40
	errsOf := race(callers, func(i int) error {
		_, _, err := s.CreateKey(ctx, acc.ID, fmt.Sprintf("key %d", i), u.ID, nil)
		return err
	})
	made := 0
	for _, err := range errsOf {
		switch {
		case err == nil:
			made++
		case !errors.Is(err, ErrKeyLimit):
			t.Errorf("unexpected error: %v", err)
		}
	}
	n, err := d.Ent.APIKey.Query().Where(apikey.AccountID(acc.ID)).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if made != limit || n != limit {
		t.Fatalf("%d callers: %d creations succeeded, %d keys stored; want exactly %d", callers, made, n, limit)
	}
}

func TestLastOwnerUnderRace(t *testing.T) {
	type op func(s *Service, accountID, by, other string) error
	demote := func(s *Service, accountID, _, other string) error {
		return s.SetRole(context.Background(), accountID, other, domain.RoleMember)
	}
	remove := func(s *Service, accountID, _, other string) error {
		return s.RemoveMember(context.Background(), accountID, other)
	}
	cases := []struct {
		name         string
		first, other op
	}{
		{"both demote", demote, demote},
		{"both remove", remove, remove},
		{"one demotes, one removes", demote, remove},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, d := newServiceDB(t)
			ctx := context.Background()
			const accounts = 20
			type pair struct{ account, a, b string }
			pairs := make([]pair, accounts)
			for i := range pairs {
				acc, a, err := s.SignUp(ctx, SignUpInput{Email: fmt.Sprintf("a%d@example.com", i), Password: "a long enough password"})
				if err != nil {
					t.Fatal(err)
				}
				b, err := d.Ent.User.Create().SetAccountID(acc.ID).SetEmail(fmt.Sprintf("b%d@example.com", i)).
					SetPasswordHash(a.PasswordHash).SetRole(domain.RoleOwner).Save(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pairs[i] = pair{acc.ID, a.ID, b.ID}
			}
			// Each account's two owners act against each other at the same time.
			errsOf := race(2*accounts, func(i int) error {
				p := pairs[i/2]
				if i%2 == 0 {
					return tc.first(s, p.account, p.a, p.b)
				}
				return tc.other(s, p.account, p.b, p.a)
			})
			for i, p := range pairs {
				owners, err := d.Ent.User.Query().Where(user.AccountID(p.account), user.RoleEQ(domain.RoleOwner)).Count(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if owners != 1 {
					t.Errorf("account %d has %d owners after the race, want 1", i, owners)
				}
				won := 0
				for _, err := range errsOf[2*i : 2*i+2] {
					switch {
					case err == nil:
						won++
					case !errors.Is(err, ErrLastOwner):
						t.Errorf("account %d: unexpected error %v", i, err)
					}
				}
				if won != 1 {
					t.Errorf("account %d: %d of the two changes succeeded, want exactly 1", i, won)
				}
			}
		})
	}
}

func TestAcceptInviteUnderRace(t *testing.T) {
	cases := []struct {
		name  string
		email func(i int) string
	}{
		{"different addresses", func(i int) string { return fmt.Sprintf("join%d@example.com", i) }},
		{"one address", func(int) string { return "join@example.com" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, d := newServiceDB(t)
			ctx := context.Background()
			acc, _, err := s.SignUp(ctx, SignUpInput{Email: "owner@example.com", Password: "a long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := s.CreateInvite(ctx, acc.ID, domain.RoleMember)
			if err != nil {
				t.Fatal(err)
			}
			const callers = 8
			errsOf := race(callers, func(i int) error {
				_, err := s.AcceptInvite(ctx, tok, tc.email(i), "a long enough password")
				return err
			})
			won := 0
			for _, err := range errsOf {
				switch {
				case err == nil:
					won++
				case !errors.Is(err, ErrInviteUsed) || !isConflict(err):
					t.Errorf("a losing accept got %v, want ErrInviteUsed (a Conflict)", err)
				}
			}
			members, err := d.Ent.User.Query().Where(user.AccountID(acc.ID)).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if won != 1 || members != 2 {
				t.Fatalf("%d accepts succeeded and the account has %d users; want 1 and 2", won, members)
			}
		})
	}
}

func TestAcceptInviteWithTakenAddress(t *testing.T) {
	s, d := newServiceDB(t)
	ctx := context.Background()
	acc, _, err := s.SignUp(ctx, SignUpInput{Email: "owner@example.com", Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SignUp(ctx, SignUpInput{Email: "taken@example.com", Password: "a long enough password"}); err != nil {
		t.Fatal(err)
	}
	tok, err := s.CreateInvite(ctx, acc.ID, domain.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, email string
		want        error
	}{
		{"an address with an account", "Taken@example.com", ErrEmailTaken},
		{"the same address again", "taken@example.com", ErrEmailTaken},
		{"a free address still works", "new@example.com", nil},
		{"then the link is used", "other@example.com", ErrInviteUsed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.AcceptInvite(ctx, tok, tc.email, "a long enough password")
			if tc.want == nil {
				if err != nil {
					t.Fatalf("accept = %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) || !isConflict(err) {
				t.Fatalf("accept = %v, want %v (a Conflict)", err, tc.want)
			}
		})
	}
	if n, err := d.Ent.User.Query().Where(user.AccountID(acc.ID)).Count(ctx); err != nil || n != 2 {
		t.Fatalf("account has %d users (%v), want 2", n, err)
	}
}

// isConflict: err is an errs.Conflict, the kind the HTTP layer answers 409.
func isConflict(err error) bool {
	var c *errs.Conflict
	return errors.As(err, &c)
}
