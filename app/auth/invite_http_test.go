package auth_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/auth"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/billing"
)

// Eight people submit one invitation link at once through a real Palisade:
// one joins, the seven others are told the link was used (409), and a
// taken address is a 409 on the form.
func TestAcceptInviteOverHTTPUnderRace(t *testing.T) {
	env := apptest.New(t)
	accountID := env.User("owner@example.com", billing.Free)
	env.User("taken@example.com", billing.Free)
	tok, err := env.C.Auth.CreateInvite(t.Context(), accountID, domain.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	path := "/invite/" + tok

	b := env.Browser()
	b.Get(path)
	if p := b.Post(path, url.Values{"email": {"taken@example.com"}, "password": {"a long enough password"}}); p.Status != http.StatusConflict ||
		!strings.Contains(p.Doc.Find(`[data-testid="error-email"]`).Text(), "already has") {
		t.Fatalf("accepting with a taken address = %d %q, want 409 with the message on the form", p.Status, p.Doc.Find(`[data-testid="error-email"]`).Text())
	}

	const callers = 8
	browsers := make([]*apptest.Browser, callers)
	for i := range browsers {
		browsers[i] = env.Browser()
		if p := browsers[i].Get(path); p.Status != http.StatusOK {
			t.Fatalf("invite page = %d", p.Status)
		}
	}
	pages := make([]*apptest.Page, callers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, br := range browsers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			pages[i] = br.Post(path, url.Values{"email": {"join" + string(rune('a'+i)) + "@example.com"}, "password": {"a long enough password"}})
		}()
	}
	close(start)
	wg.Wait()
	joined, used := 0, 0
	for _, p := range pages {
		switch {
		case p.Status == http.StatusOK && p.URL.Path == "/dashboard":
			joined++
		case p.Status == http.StatusConflict && strings.Contains(p.Body, auth.ErrInviteUsed.Message):
			used++
		default:
			t.Errorf("an accept ended at %d %s", p.Status, p.URL)
		}
	}
	if joined != 1 || used != callers-1 {
		t.Fatalf("%d joined and %d were told the link was used; want 1 and %d", joined, used, callers-1)
	}
	members, err := env.C.Auth.Members(t.Context(), accountID)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 2 {
		t.Fatalf("the account has %d users, want 2", len(members))
	}
}
