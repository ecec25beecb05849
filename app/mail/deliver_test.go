package mail_test

import (
	"context"
	"log/slog"
	"net"
	"testing"

	"github.com/palisade/palisade/app/mail"
	"github.com/palisade/palisade/app/mail/mailtest"
)

// TestDeliverReportsTheOutcome: Deliver sends at once and returns the
// server's verdict, so a job can retry; a header with a line break is refused.
func TestDeliverReportsTheOutcome(t *testing.T) {
	srv := mailtest.New(t)
	s, err := mail.New(srv.URL(), "Palisade <no-reply@palisade.test>", nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Deliver(context.Background(), mail.Message{To: "ops@example.com", Subject: "example.com dropped from A to C", Body: "b\n"}); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if got := srv.Messages(); len(got) != 1 || got[0].Subject != "example.com dropped from A to C" {
		t.Fatalf("received %+v", got)
	}
	if err := s.Deliver(context.Background(), mail.Message{To: "ops@example.com", Subject: "a\r\nBcc: x@evil.test"}); err == nil {
		t.Error("a subject with a line break was sent")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	down, err := mail.New("smtp://"+addr, "Palisade <no-reply@palisade.test>", nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := down.Deliver(context.Background(), mail.Message{To: "ops@example.com", Subject: "s"}); err == nil {
		t.Error("Deliver to a closed port reported success")
	}
}
