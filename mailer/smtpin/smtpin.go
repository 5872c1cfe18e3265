// Package smtpin is Kedja's built-in SMTP receiver, for a business that
// points its MX record (or a forwarder) at Kedja: it takes mail for the
// support address and Kedja's reply addresses only, up to a size limit,
// and hands each message to the incoming-mail rules (app/domain/mailin)
// before it answers "250 OK" — a message the rules could not store is
// answered with a temporary failure, so the sending server tries again.
package smtpin

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/kedja/kedja/app/domain/mailin"
	"github.com/kedja/kedja/app/inmail"
)

// Handler is what the receiver needs of the incoming-mail rules
// (a *mailin.Service is one).
type Handler interface {
	Accepts(ctx context.Context, rcpt string) (bool, error)
	Handle(ctx context.Context, raw []byte, env inmail.Envelope) (mailin.Result, error)
}

// Defaults of the receiver's limits.
const (
	DefaultMaxBytes      = 25 << 20 // as much as the common providers accept
	DefaultMaxRecipients = 50
	DefaultTimeout       = 2 * time.Minute
)

// Server receives mail over SMTP.
type Server struct {
	srv *smtp.Server
	h   Handler
	log *slog.Logger
}

// Option changes a Server's defaults.
type Option func(*smtp.Server)

// WithMaxBytes sets the largest message accepted (SIZE), in bytes.
func WithMaxBytes(n int64) Option { return func(s *smtp.Server) { s.MaxMessageBytes = n } }

// New returns a receiver that greets as domain (the host name senders
// see) and hands messages to h.
func New(domain string, h Handler, logger *slog.Logger, opts ...Option) *Server {
	if logger == nil {
		logger = slog.Default()
	}
	s := &Server{h: h, log: logger}
	srv := smtp.NewServer(&backend{s: s})
	srv.Domain = domain
	srv.MaxMessageBytes = DefaultMaxBytes
	srv.MaxRecipients = DefaultMaxRecipients
	srv.ReadTimeout = DefaultTimeout
	srv.WriteTimeout = DefaultTimeout
	srv.AllowInsecureAuth = false
	srv.ErrorLog = log.New(io.Discard, "", 0)
	for _, o := range opts {
		o(srv)
	}
	s.srv = srv
	return s
}

// Serve accepts connections on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	err := s.srv.Serve(ln)
	if errors.Is(err, smtp.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Run listens on addr (KEDJA_INBOUND_SMTP_ADDR) and serves until ctx ends.
func (s *Server) Run(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.log.Info("smtpin: receiving mail", "addr", ln.Addr().String())
	go func() {
		<-ctx.Done()
		_ = s.Close()
	}()
	return s.Serve(ln)
}

// Close stops the receiver and cuts open connections.
func (s *Server) Close() error { return s.srv.Close() }

type backend struct{ s *Server }

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, remote: c.Conn().RemoteAddr().String()}, nil
}

type session struct {
	s      *Server
	remote string
	env    inmail.Envelope
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.env = inmail.Envelope{From: from, Null: from == ""}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ok, err := ss.s.h.Accepts(context.Background(), to)
	if err != nil {
		ss.s.log.Error("smtpin: check recipient", "rcpt", to, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	if !ok {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}
	}
	ss.env.To = append(ss.env.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		return err // go-smtp answers a message over the limit itself
	}
	_, err := ss.s.h.Handle(context.Background(), buf.Bytes(), ss.env)
	switch {
	case errors.Is(err, mailin.ErrUnreadable):
		ss.s.log.Warn("smtpin: unreadable message refused", "from", ss.env.From, "remote", ss.remote, "err", err)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message cannot be read"}
	case err != nil:
		ss.s.log.Error("smtpin: message not stored, the sender will retry", "from", ss.env.From, "remote", ss.remote, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	return nil
}

func (ss *session) Reset() { ss.env = inmail.Envelope{} }

func (ss *session) Logout() error { return nil }
