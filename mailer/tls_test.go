package mailer

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
	"github.com/kedja/kedja/mailer/mailtest"
)

// withURL replaces e's worker with one for smtpURL, with extra
// configuration (such as KEDJA_SMTP_CA_FILE) and no test TLS config.
func (e *env) withURL(t *testing.T, smtpURL string, extra map[string]string) {
	t.Helper()
	cfg := testConfig(t, smtpURL)
	if f := extra["KEDJA_SMTP_CA_FILE"]; f != "" {
		c2 := testConfigWith(t, map[string]string{"KEDJA_SMTP_URL": smtpURL, "KEDJA_SMTP_CA_FILE": f})
		cfg.SMTPCAFile, cfg.SMTPRootCAs = c2.SMTPCAFile, c2.SMTPRootCAs
	}
	w, err := New(cfg, e.s, e.w.log, WithNow(e.clk.Now), WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	e.w = w
}

func (e *env) alert(t *testing.T) *model.MailAlert {
	t.Helper()
	list, err := e.s.MailAlerts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.Kind == model.AlertOutgoing {
			return a
		}
	}
	return nil
}

// mustRetry checks that message id waits for another attempt, with an
// error that mentions want, and that an outbox alert says what to fix.
func (e *env) mustRetry(t *testing.T, id int64, want, fix string) {
	t.Helper()
	m := e.row(t, id)
	if m.State != model.MailPending || !strings.Contains(m.LastError, want) {
		t.Fatalf("state %s, last error %q; want pending with %q", m.State, m.LastError, want)
	}
	a := e.alert(t)
	if a == nil || !strings.Contains(a.Message, fix) {
		t.Fatalf("outbox alert %+v; want one that says %q\n%s", a, fix, e.log.String())
	}
	if !strings.Contains(e.log.String(), "level=ERROR") || !strings.Contains(e.log.String(), fix) {
		t.Fatalf("no error log line that says %q:\n%s", fix, e.log.String())
	}
}

// TestPlaintextRelayOffLoopbackIsRefused: a relay that is not on loopback
// and offers no STARTTLS gets no mail (and no password): the message waits,
// the log says what to fix, the admin outbox shows an alert, and no
// connection stays open. ?insecure=1 sends, and clears the alert; a
// STARTTLS relay there works with its private CA in KEDJA_SMTP_CA_FILE.
func TestPlaintextRelayOffLoopbackIsRefused(t *testing.T) {
	ip, inside := nonLoopback(t)
	if !inside {
		return
	}
	s := testenv.NewStore(t, "sqlite")
	plain := mailtest.Start(t, mailtest.WithListenAddr(net.JoinHostPort(ip, "0")), mailtest.WithAuth("kedja", "s3cret"))
	e := newEnv(t, s, plain)
	e.withURL(t, "smtp://kedja:s3cret@"+plain.Addr(), nil)
	id := e.enqueue(t, 1, "plain")[0]
	e.drain(t)
	e.mustRetry(t, id, "STARTTLS", "offers no STARTTLS")
	if plain.Count() != 0 || plain.Sessions() == 0 {
		t.Fatalf("server: %d messages, %d sessions; want a connection and no message", plain.Count(), plain.Sessions())
	}
	plain.WaitNoConns(t, 5*time.Second)

	e.withURL(t, "smtp://kedja:s3cret@"+plain.Addr()+"?insecure=1", nil)
	e.clk.Add(MaxRetryDelay)
	e.drain(t)
	if m := e.row(t, id); m.State != model.MailSent {
		t.Fatalf("with ?insecure=1: %s %q", m.State, m.LastError)
	}
	if a := e.alert(t); a != nil {
		t.Fatalf("alert kept after mail went through: %+v", a)
	}

	tlsSrv := mailtest.Start(t, mailtest.WithListenAddr(net.JoinHostPort(ip, "0")), mailtest.WithSTARTTLS())
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, tlsSrv.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	e.withURL(t, "smtp://"+tlsSrv.Addr(), map[string]string{"KEDJA_SMTP_CA_FILE": ca})
	id = e.enqueue(t, 1, "tls")[0]
	e.drain(t)
	if m := e.row(t, id); m.State != model.MailSent {
		t.Fatalf("STARTTLS relay with its CA file: %s %q", m.State, m.LastError)
	}
	if got := tlsSrv.Messages(); len(got) != 1 || !got[0].TLS {
		t.Fatalf("want one message over TLS, got %+v", got)
	}
}

// TestPrivateCA: a relay whose certificate comes from a private CA is
// refused (alert: set KEDJA_SMTP_CA_FILE) until that CA is in the file.
func TestPrivateCA(t *testing.T) {
	s := testenv.NewStore(t, "sqlite")
	srv := mailtest.Start(t, mailtest.WithSTARTTLS())
	e := newEnv(t, s, srv)
	e.withURL(t, "smtp://"+srv.Addr(), nil)
	id := e.enqueue(t, 1, "ca")[0]
	e.drain(t)
	e.mustRetry(t, id, "certificate", "KEDJA_SMTP_CA_FILE")
	srv.WaitNoConns(t, 5*time.Second)

	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	e.withURL(t, "smtp://"+srv.Addr(), map[string]string{"KEDJA_SMTP_CA_FILE": ca})
	e.clk.Add(MaxRetryDelay)
	e.drain(t)
	if m := e.row(t, id); m.State != model.MailSent {
		t.Fatalf("with the CA file: %s %q", m.State, m.LastError)
	}
	if got := srv.Messages(); len(got) != 1 || !got[0].TLS {
		t.Fatalf("want one message over TLS, got %d", len(got))
	}
	if a := e.alert(t); a != nil {
		t.Fatalf("alert kept: %+v", a)
	}
}

// TestRelayRefusalsAreRetriedWithAnAlert: relaying denied (554 5.7.1) and a
// refused password (535) are the relay's configuration, not the message's:
// retried with backoff and an alert, not failed; and no attempt, failed or
// not, leaves a connection open.
func TestRelayRefusalsAreRetriedWithAnAlert(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		srv := mailtest.Start(t, mailtest.WithSTARTTLS(), mailtest.WithAuth("kedja", "s3cret"))
		e := newEnv(t, s, srv)
		ca := filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(ca, srv.CAPEM(), 0o600); err != nil {
			t.Fatal(err)
		}
		good := "smtp://kedja:s3cret@" + srv.Addr()
		e.withURL(t, good, map[string]string{"KEDJA_SMTP_CA_FILE": ca})

		srv.FailWith(mailtest.AtRcpt, 554, [3]int{5, 7, 1}, "<ann.jensen@example.com>: Relay access denied", -1)
		ids := e.enqueue(t, 3, "denied")
		e.drain(t)
		for _, id := range ids {
			e.mustRetry(t, id, "Relay access denied", "relay access denied")
		}
		srv.WaitNoConns(t, 5*time.Second)
		first := e.alert(t)

		srv.Accept()
		e.withURL(t, "smtp://kedja:wrong@"+srv.Addr(), map[string]string{"KEDJA_SMTP_CA_FILE": ca})
		e.clk.Add(MaxRetryDelay)
		e.drain(t)
		for _, id := range ids {
			e.mustRetry(t, id, "535", "refused the user name and password")
		}
		if a := e.alert(t); a.Count != first.Count+1 || !a.FirstAt.Equal(first.FirstAt) || !a.LastAt.After(first.LastAt) {
			t.Errorf("alert not brought up to date: %+v after %+v", a, first)
		}
		srv.WaitNoConns(t, 5*time.Second)

		srv.Fail(mailtest.AtData, 451, 1)
		e.withURL(t, good, map[string]string{"KEDJA_SMTP_CA_FILE": ca})
		e.clk.Add(MaxRetryDelay)
		e.drain(t)
		srv.WaitNoConns(t, 5*time.Second)
		e.clk.Add(MaxRetryDelay)
		e.drain(t)
		e.exactlyOnce(t, ids)
		if a := e.alert(t); a != nil {
			t.Fatalf("alert kept after mail went through: %+v", a)
		}
		srv.WaitNoConns(t, 5*time.Second)
	})
}
