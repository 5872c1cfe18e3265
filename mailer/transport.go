package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
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

// relayError is a failure that is the relay's configuration or Kedja's,
// not an outage: a relay with no TLS where TLS is required, a certificate
// nobody told Kedja to trust, a refused user name or password, relaying
// denied (5.7.x). A person must fix it, so it raises an alert on the admin
// outbox page; the mail is retried meanwhile, not failed.
type relayError struct {
	hint string // what to fix, for the log and the admin
	err  error
}

func (e *relayError) Error() string { return e.hint + ": " + e.err.Error() }
func (e *relayError) Unwrap() error { return e.err }

// isPermanent reports whether a send error should stop the retries: a 5xx
// reply to the message (MAIL FROM, RCPT TO, DATA), or a message that cannot
// be built. Everything else — refused or dropped connections, timeouts, TLS
// and authentication trouble, relaying denied, 4xx replies — is temporary:
// an outage or a misconfigured relay delays mail, it does not lose it.
func isPermanent(err error) bool {
	var pe *permanentError
	if errors.As(err, &pe) {
		return true
	}
	var re *relayError
	if errors.As(err, &re) {
		return false
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

// policyCode finds an SMTP reply that refuses for configuration reasons:
// an enhanced status 5.7.x (relay access denied, authentication required
// or failed) or the reply codes of authentication (530, 534, 535, 538).
var policyCode = regexp.MustCompile(`\b(5\.7\.\d{1,3}|53[0458] )`)

// asRelayError turns an error of the relay's configuration into a
// *relayError with what to fix; other errors are returned as they are.
func asRelayError(addr string, err error) error {
	if err == nil {
		return nil
	}
	var re *relayError
	if errors.As(err, &re) {
		return err
	}
	var (
		unknownCA *x509.UnknownAuthorityError
		badHost   x509.HostnameError
		verify    *tls.CertificateVerificationError
		tp        *textproto.Error
	)
	msg := err.Error()
	switch {
	case strings.Contains(msg, "does not support STARTTLS"):
		return &relayError{hint: "the relay " + addr + " offers no STARTTLS, and Kedja does not send sign-in links and " +
			"passwords in the clear to a relay that is not on this machine: use smtps://, turn on STARTTLS at the relay, " +
			"or add ?insecure=1 to KEDJA_SMTP_URL for a relay on a network you trust", err: err}
	case errors.As(err, &unknownCA), errors.As(err, &verify):
		return &relayError{hint: "the TLS certificate of the relay " + addr + " is not trusted: for a private certificate " +
			"authority, set KEDJA_SMTP_CA_FILE to its PEM file", err: err}
	case errors.As(err, &badHost):
		return &relayError{hint: "the TLS certificate of the relay " + addr + " is not for the host in KEDJA_SMTP_URL", err: err}
	case errors.As(err, &tp) && (tp.Code == 530 || tp.Code == 534 || tp.Code == 535 || tp.Code == 538),
		errors.Is(err, mail.ErrNoSupportedAuthDiscovered), strings.Contains(msg, "does not support SMTP AUTH"),
		strings.Contains(msg, "authentication failed"):
		return &relayError{hint: "the relay " + addr + " refused the user name and password of KEDJA_SMTP_URL", err: err}
	case policyCode.MatchString(msg):
		return &relayError{hint: "the relay " + addr + " refuses to relay Kedja's mail (relay access denied): allow " +
			"Kedja's address or login to send through it", err: err}
	}
	return err
}

// smtpTransport sends through go-mail.
type smtpTransport struct {
	client *mail.Client
	addr   string // host:port, for messages
}

// connSlot is the context key under which open learns the connection its
// dial made, to close it when go-mail gives up half-way.
type connSlot struct{}

// isLoopback reports whether host names this machine's loopback: a
// loopback IP or "localhost". Other names are not looked up, so a DNS
// answer cannot turn TLS off.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// newSMTPTransport builds a go-mail client for a KEDJA_SMTP_URL:
// smtp://host:port uses STARTTLS (default port 587) — required for a relay
// that is not on loopback, used when offered on loopback —, smtps:// uses
// implicit TLS (default 465), and ?insecure=1 sends in the clear (default
// port 25), for relays on a network the operator trusts. user:pass in the
// URL turns on SMTP AUTH; a password is only sent over an unencrypted
// connection with ?insecure=1. tlsConfig trusts the relay's certificate
// (the system's CAs plus KEDJA_SMTP_CA_FILE's).
func newSMTPTransport(u *url.URL, timeout time.Duration, tlsConfig *tls.Config) (*smtpTransport, error) {
	host := u.Hostname()
	insecure := u.Query().Get("insecure") == "1" || u.Query().Get("insecure") == "true"
	implicit := u.Scheme == "smtps"
	port := 587
	switch {
	case implicit:
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
	// Kedja dials itself, so that a connection go-mail abandons (a failed
	// HELO, STARTTLS or AUTH returns without closing it) can be closed.
	nd := &net.Dialer{Timeout: timeout}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		var c net.Conn
		var err error
		if implicit {
			c, err = (&tls.Dialer{NetDialer: nd, Config: tc}).DialContext(ctx, network, addr)
		} else {
			c, err = nd.DialContext(ctx, network, addr)
		}
		if err == nil {
			if slot, ok := ctx.Value(connSlot{}).(*net.Conn); ok {
				*slot = c
			}
		}
		return c, err
	}
	opts := []mail.Option{mail.WithTimeout(timeout), mail.WithTLSConfig(tc), mail.WithDialContextFunc(dial)}
	switch {
	case implicit:
		// Already TLS from the first byte: go-mail sees a TLS connection.
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case insecure:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case isLoopback(host):
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
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
	return &smtpTransport{client: c, addr: net.JoinHostPort(host, strconv.Itoa(port))}, nil
}

func (t *smtpTransport) open(ctx context.Context) (conn, error) {
	var raw net.Conn
	c, err := t.client.DialToSMTPClientWithContext(context.WithValue(ctx, connSlot{}, &raw))
	if err != nil {
		if raw != nil {
			_ = raw.Close()
		}
		return nil, asRelayError(t.addr, fmt.Errorf("connect to %s: %w", t.addr, err))
	}
	return &smtpConn{t: t, c: c, raw: raw}, nil
}

type smtpConn struct {
	t   *smtpTransport
	c   *smtp.Client
	raw net.Conn // what the dial made, closed even when QUIT fails
}

func (c *smtpConn) send(out *outgoing) (bool, error) {
	m, err := out.msg()
	if err != nil {
		return false, &permanentError{err}
	}
	err = c.t.client.SendWithSMTPClient(c.c, m)
	return m.IsDelivered(), asRelayError(c.t.addr, err)
}

func (c *smtpConn) close() {
	_ = c.t.client.CloseWithSMTPClient(c.c)
	if c.raw != nil {
		_ = c.raw.Close()
	}
}

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
