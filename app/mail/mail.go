// Package mail sends Palisade's few e-mails (sign-up confirmation) over
// SMTP. Messages are queued in memory and sent by one background goroutine,
// so a request never waits on a mail server and its timing says nothing
// about which message, if any, it queued.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Message is one plain-text e-mail.
type Message struct {
	To      string
	Subject string
	Body    string
}

// queueSize bounds the messages waiting to be sent; beyond it Send drops
// (and logs), rather than letting a flood of sign-ups grow memory.
const queueSize = 256

// sendTimeout bounds one delivery, connection included.
const sendTimeout = 30 * time.Second

// Sender delivers messages through one SMTP server.
type Sender struct {
	server *url.URL
	from   string
	log    *slog.Logger
	tls    *tls.Config

	queue chan Message
	once  sync.Once
	done  chan struct{}
}

// ParseURL checks an SMTP URL: smtp://[user:pass@]host[:port] (STARTTLS
// when the server offers it, port 587 by default) or smtps://… (TLS from the
// first byte, port 465 by default).
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("must look like smtp://user:password@mail.example.com:587 or smtps://…:465, got %q", raw)
	}
	if u.Port() == "" {
		port := "587"
		if u.Scheme == "smtps" {
			port = "465"
		}
		u.Host = net.JoinHostPort(u.Hostname(), port)
	}
	return u, nil
}

// New returns a sender for the server at rawURL, from the address from.
// tlsConfig may be nil (the system roots).
func New(rawURL, from string, tlsConfig *tls.Config, log *slog.Logger) (*Sender, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("the sender address %q is not an e-mail address", from)
	}
	if tlsConfig == nil {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tlsConfig = tlsConfig.Clone()
	tlsConfig.ServerName = u.Hostname()
	return &Sender{server: u, from: from, log: log.With("component", "mail"), tls: tlsConfig,
		queue: make(chan Message, queueSize), done: make(chan struct{})}, nil
}

// Send queues m; it never blocks. It reports whether m was queued.
func (s *Sender) Send(m Message) bool {
	select {
	case s.queue <- m:
		return true
	default:
		s.log.Warn("mail queue full: message dropped", "subject", m.Subject)
		return false
	}
}

// Deliver sends m now and reports the server's answer, for callers that
// retry on their own (alert e-mails are River jobs, docs/monitoring.md).
// ctx bounds the whole exchange (sendTimeout when it has no deadline).
func (s *Sender) Deliver(ctx context.Context, m Message) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, sendTimeout)
		defer cancel()
	}
	return s.deliver(ctx, m)
}

// Run delivers queued messages until Close. A failed delivery is logged and
// not retried: every message Palisade sends can be asked for again.
func (s *Sender) Run() {
	defer close(s.done)
	for m := range s.queue {
		ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
		if err := s.deliver(ctx, m); err != nil {
			s.log.Error("sending mail", "subject", m.Subject, "err", err)
		} else {
			s.log.Info("mail sent", "subject", m.Subject)
		}
		cancel()
	}
}

// Close stops taking messages and waits (until ctx ends) for the queued ones to go out.
func (s *Sender) Close(ctx context.Context) error {
	s.once.Do(func() { close(s.queue) })
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("mail queue not drained: %w", ctx.Err())
	}
}

func (s *Sender) deliver(ctx context.Context, m Message) error {
	if strings.ContainsAny(m.To+m.Subject, "\r\n") {
		return errors.New("a header holds a line break")
	}
	d := net.Dialer{}
	var conn net.Conn
	var err error
	if s.server.Scheme == "smtps" {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: s.tls}).DialContext(ctx, "tcp", s.server.Host)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.server.Host)
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, s.server.Hostname())
	if err != nil {
		return err
	}
	defer c.Close()
	if s.server.Scheme == "smtp" {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tls); err != nil {
				return err
			}
		}
	}
	if user := s.server.User; user != nil {
		pass, _ := user.Password()
		// net/smtp refuses PLAIN over a connection that is neither TLS nor to localhost.
		if err := c.Auth(smtp.PlainAuth("", user.Username(), pass, s.server.Hostname())); err != nil {
			return err
		}
	}
	from, _ := mail.ParseAddress(s.from)
	if err := c.Mail(from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(m.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(compose(s.from, m)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// compose renders m as an RFC 5322 message with CRLF line ends.
func compose(from string, m Message) []byte {
	var b strings.Builder
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", from)
	h("To", m.To)
	h("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	h("Date", time.Now().UTC().Format(time.RFC1123Z))
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n"))
	return []byte(b.String())
}
