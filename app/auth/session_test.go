package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/palisade/palisade/app/testdb"
)

func newService(t *testing.T) *Service {
	t.Helper()
	d := testdb.Open(t)
	return NewService(d.Ent, d.Read, NewHasher(&argon2id.Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}, 1))
}

func TestSessionExpiry(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	_, u, err := s.SignUp(ctx, SignUpInput{Email: "s@example.com", Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now().UTC()
	s.now = func() time.Time { return clock }
	cases := []struct {
		name  string
		steps []time.Duration // time passing between uses
		alive bool
	}{
		{"used within the idle window keeps living", []time.Duration{23 * time.Hour, 23 * time.Hour, 23 * time.Hour}, true},
		{"idle for longer than the idle window ends", []time.Duration{IdleTimeout + time.Minute}, false},
		{"absolute expiry ends it however active", []time.Duration{20 * time.Hour, 20 * time.Hour, 20 * time.Hour, 20 * time.Hour,
			20 * time.Hour, 20 * time.Hour, 20 * time.Hour, 20 * time.Hour, 20 * time.Hour, 20 * time.Hour, 20 * time.Hour,
			20 * time.Hour, 20 * time.Hour, 20 * time.Hour, 20 * time.Hour, 20 * time.Hour, 20 * time.Hour}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := s.CreateSession(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			var last error
			for _, d := range tc.steps {
				clock = clock.Add(d)
				_, last = s.Session(ctx, tok)
				if last != nil {
					break
				}
			}
			if tc.alive != (last == nil) {
				t.Fatalf("alive = %v (err %v), want %v", last == nil, last, tc.alive)
			}
			if !tc.alive && !errors.Is(last, ErrNoSession) {
				t.Fatalf("err = %v", last)
			}
		})
	}
	// Ending a session kills it server-side.
	tok, _ := s.CreateSession(ctx, u)
	if err := s.EndSession(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Fatalf("ended session still resolves: %v", err)
	}
}
