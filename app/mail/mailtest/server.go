// Package mailtest is a real, minimal SMTP server on loopback for tests: it
// speaks enough of RFC 5321 (EHLO, AUTH PLAIN, MAIL, RCPT, DATA) for
// net/smtp and keeps every message it accepts.
package mailtest

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// Received is one accepted message.
type Received struct {
	From, To string
	// Auth is the user name the client authenticated as, if it did.
	Auth    string
	Subject string
	Body    string
}

// Server is a listening SMTP server.
type Server struct {
	// Addr is host:port on 127.0.0.1.
	Addr string
	// User and Password, when User is set, are required (AUTH PLAIN).
	// They are fixed when the server starts.
	User, Password string

	ln   net.Listener
	mu   sync.Mutex
	msgs []Received
}

// New starts a server that takes mail from anyone; it stops when the test ends.
func New(t testing.TB) *Server { return NewWithAuth(t, "", "") }

// NewWithAuth starts a server that requires AUTH PLAIN as user (none when user is empty).
func NewWithAuth(t testing.TB, user, password string) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), User: user, Password: password, ln: ln}
	go s.serve()
	t.Cleanup(func() { ln.Close() })
	return s
}

// URL is the PALISADE_SMTP_URL for this server.
func (s *Server) URL() string {
	if s.User != "" {
		return "smtp://" + s.User + ":" + s.Password + "@" + s.Addr
	}
	return "smtp://" + s.Addr
}

// Messages returns what has arrived so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Wait returns once n messages have arrived, failing the test after timeout.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.Now().Add(timeout)
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.msgs) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d e-mails arrived within %v", len(s.msgs), n, timeout)
		}
		s.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
		s.mu.Lock()
	}
	return append([]Received(nil), s.msgs...)
}

func (s *Server) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(c)
	}
}

func (s *Server) session(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	say := func(format string, a ...any) { fmt.Fprintf(c, format+"\r\n", a...) }
	say("220 mailtest ready")
	var m Received
	authed := s.User == ""
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			say("250-mailtest\r\n250-AUTH PLAIN\r\n250 8BITMIME")
		case "AUTH":
			mech, cred, _ := strings.Cut(arg, " ")
			raw, err := base64.StdEncoding.DecodeString(cred)
			parts := strings.Split(string(raw), "\x00")
			if strings.ToUpper(mech) != "PLAIN" || err != nil || len(parts) != 3 || parts[1] != s.User || parts[2] != s.Password {
				say("535 authentication failed")
				continue
			}
			authed, m.Auth = true, parts[1]
			say("235 authenticated")
		case "MAIL":
			if !authed {
				say("530 authentication required")
				continue
			}
			m.From = path(arg)
			say("250 ok")
		case "RCPT":
			m.To = path(arg)
			say("250 ok")
		case "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			if msg, err := mail.ReadMessage(strings.NewReader(b.String())); err == nil {
				var dec mime.WordDecoder
				if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
					m.Subject = msg.Header.Get("Subject")
				}
				body := new(strings.Builder)
				_, _ = bufio.NewReader(msg.Body).WriteTo(body)
				m.Body = strings.ReplaceAll(body.String(), "\r\n", "\n")
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
			s.mu.Unlock()
			m = Received{Auth: m.Auth}
			say("250 queued")
		case "RSET", "NOOP":
			say("250 ok")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

// path is the address in "FROM:<a@b> BODY=8BITMIME" or "TO:<a@b>".
func path(arg string) string {
	_, rest, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}
