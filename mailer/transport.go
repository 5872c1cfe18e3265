package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// transport delivers messages over connections it opens: SMTP, or the log
// when no SMTP server is configured.
type transport interface {
	open(ctx context.Context) (conn, error)
}

// conn sends messages one after another. delivered reports whether the
// server accepted the message, which can be true even with an error (a
// failure after the server took it, such as the RSET that follows).
type conn interface {
	send(out *outgoing) (delivered bool, err error)
	close()
}

// permanentError marks a failure that retrying cannot fix, such as an
// address the message cannot be built for.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// isPermanent reports whether a send error should stop the retries: a 5xx
// reply to the message (MAIL FROM, RCPT TO, DATA), or a message that cannot
// be built. Everything else — refused or dropped connections, timeouts, TLS
// and authentication trouble while connecting, 4xx replies — is temporary:
// an outage or a misconfigured relay delays mail, it does not lose it.
func isPermanent(err error) bool {
	var pe *permanentError
	if errors.As(err, &pe) {
		return true
	}
	var se *mail.SendError
	if errors.As(err, &se) {
		if c := se.ErrorCode(); c >= 500 && c < 600 {
			return true
		}
		switch se.Reason {
		case mail.ErrGetSender, mail.ErrGetRcpts, mail.ErrNoUnencoded:
			return true
		}
	}
	return false
}

// smtpTransport sends through go-mail.
type smtpTransport struct {
	client *mail.Client
}

// newSMTPTransport builds a go-mail client for a KEDJA_SMTP_URL:
// smtp://host:port uses STARTTLS when the server offers it (default port
// 587), smtps:// uses implicit TLS (default 465), and ?insecure=1 sends in
// the clear (default port 25), for relays on the same host or network.
// user:pass in the URL turns on SMTP AUTH; a password is only sent over an
// unencrypted connection with ?insecure=1.
func newSMTPTransport(u *url.URL, timeout time.Duration, tlsConfig *tls.Config) (*smtpTransport, error) {
	host := u.Hostname()
	insecure := u.Query().Get("insecure") == "1" || u.Query().Get("insecure") == "true"
	port := 587
	switch {
	case u.Scheme == "smtps":
		port = 465
	case insecure:
		port = 25
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("mailer: KEDJA_SMTP_URL: bad port %q", p)
		}
		port = n
	}
	var tc *tls.Config
	if tlsConfig != nil {
		tc = tlsConfig.Clone()
	} else {
		tc = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if tc.ServerName == "" {
		tc.ServerName = host
	}
	opts := []mail.Option{mail.WithTimeout(timeout), mail.WithTLSConfig(tc)}
	switch {
	case u.Scheme == "smtps":
		opts = append(opts, mail.WithSSL())
	case insecure:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	// The port last: the TLS options must not choose one of their own.
	opts = append(opts, mail.WithPort(port))
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
		if insecure {
			opts = append(opts, mail.WithOpportunisticSMTPAuth(mail.SMTPAuthSCRAMSHA256, mail.SMTPAuthCramMD5,
				mail.SMTPAuthPlainNoEnc, mail.SMTPAuthLoginNoEnc))
		} else {
			opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover))
		}
	}
	c, err := mail.NewClient(host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mailer: KEDJA_SMTP_URL: %w", err)
	}
	return &smtpTransport{client: c}, nil
}

func (t *smtpTransport) open(ctx context.Context) (conn, error) {
	c, err := t.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", t.client.ServerAddr(), err)
	}
	return &smtpConn{t: t, c: c}, nil
}

type smtpConn struct {
	t *smtpTransport
	c *smtp.Client
}

func (c *smtpConn) send(out *outgoing) (bool, error) {
	m, err := out.msg()
	if err != nil {
		return false, &permanentError{err}
	}
	err = c.t.client.SendWithSMTPClient(c.c, m)
	return m.IsDelivered(), err
}

func (c *smtpConn) close() { _ = c.t.client.CloseWithSMTPClient(c.c) }

// logTransport writes each message to the log instead of sending it, for a
// first run with no mail server: the sign-in link is there to click.
type logTransport struct {
	log *slog.Logger
}

func (t *logTransport) open(context.Context) (conn, error) { return t, nil }

func (t *logTransport) send(out *outgoing) (bool, error) {
	if _, err := out.msg(); err != nil {
		return false, &permanentError{err}
	}
	attrs := []any{"message_id", "<" + out.messageID + ">", "date", out.date.Format(time.RFC1123Z),
		"from", out.fromHeader(), "to", out.toHeader(), "subject", out.subject}
	if out.replyTo != "" {
		attrs = append(attrs, "reply_to", out.replyTo)
	}
	attrs = append(attrs, "link", out.link)
	if out.code != "" {
		attrs = append(attrs, "code", out.code)
	}
	attrs = append(attrs, "text", out.text)
	t.log.Info("mail written to the log (no KEDJA_SMTP_URL set)", attrs...)
	return true, nil
}

func (t *logTransport) close() {}
