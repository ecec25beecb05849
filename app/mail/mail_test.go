package mail_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/palisade/palisade/app/mail"
	"github.com/palisade/palisade/app/mail/mailtest"
)

func TestSenderDeliversOverSMTPWithAuth(t *testing.T) {
	srv := mailtest.NewWithAuth(t, "palisade", "s3cret")
	s, err := mail.New(srv.URL(), "Palisade <no-reply@palisade.test>", nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	go s.Run()
	if !s.Send(mail.Message{To: "ana@example.com", Subject: "Grüße — confirm", Body: "line one\nline two\n"}) {
		t.Fatal("not queued")
	}
	got := srv.Wait(t, 1, 5*time.Second)[0]
	if got.From != "no-reply@palisade.test" || got.To != "ana@example.com" || got.Auth != "palisade" ||
		got.Subject != "Grüße — confirm" || got.Body != "line one\nline two\n" {
		t.Fatalf("received %+v", got)
	}
	if err := s.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestSenderRefusesWrongCredentialsAndHeaderInjection(t *testing.T) {
	srv := mailtest.NewWithAuth(t, "palisade", "right")
	bad := "smtp://palisade:wrong@" + srv.Addr
	s, err := mail.New(bad, "no-reply@palisade.test", nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	go s.Run()
	s.Send(mail.Message{To: "a@example.com", Subject: "x", Body: "x"})
	good, err := mail.New(srv.URL(), "no-reply@palisade.test", nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	go good.Run()
	good.Send(mail.Message{To: "victim@example.com\r\nBcc: all@example.com", Subject: "x", Body: "x"})
	good.Send(mail.Message{To: "b@example.com", Subject: "sent", Body: "x"})
	for _, c := range []*mail.Sender{s, good} {
		if err := c.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	// Close drained both queues: only the well-formed, authenticated message arrived.
	if msgs := srv.Messages(); len(msgs) != 1 || msgs[0].Subject != "sent" {
		t.Fatalf("received %+v, want only the message with subject \"sent\"", msgs)
	}
}

func TestConfigurationErrors(t *testing.T) {
	for _, tc := range []struct{ url, from, want string }{
		{"http://mail.example.com", "a@b.example", "smtp://"},
		{"smtp://", "a@b.example", "smtp://"},
		{"smtp://mail.example.com", "not an address", "not an e-mail address"},
	} {
		_, err := mail.New(tc.url, tc.from, nil, slog.New(slog.DiscardHandler))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%q, %q) = %v, want an error mentioning %q", tc.url, tc.from, err, tc.want)
		}
	}
	u, err := mail.ParseURL("smtps://mail.example.com")
	if err != nil || u.Host != "mail.example.com:465" {
		t.Errorf("smtps default port: %v %v", u, err)
	}
}
