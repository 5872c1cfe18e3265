// Package imapin polls a mailbox at the business's mail provider over IMAP
// (emersion/go-imap v2) for replies and new mail to the support address:
// each message is handed to the incoming-mail rules (app/domain/mailin) and
// only once its case change has committed is it moved out of the mailbox,
// to a folder (default "Kedja"). A crash in between leaves it in the
// mailbox; it is read again, recognised by its Message-ID and only moved.
// Where the server offers IDLE the poller waits for new mail instead of
// polling.
package imapin

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/kedja/kedja/app/domain/mailin"
	"github.com/kedja/kedja/app/inmail"
)

// Handler is what the poller needs of the incoming-mail rules (a
// *mailin.Service is one).
type Handler interface {
	Handle(ctx context.Context, raw []byte, env inmail.Envelope) (mailin.Result, error)
}

// Alerts records a standing problem with the mailbox (a wrong password, a
// server without TLS) for the admin outbox page, and clears it when the
// mailbox works again (*store.Store is one).
type Alerts interface {
	RaiseMailAlert(ctx context.Context, kind, message, detail string, now time.Time) error
	ClearMailAlert(ctx context.Context, kind string) error
}

// Defaults.
const (
	DefaultFolder = "Kedja"
	DefaultPoll   = time.Minute
	batchSize     = 50
)

// Poller reads one mailbox.
type Poller struct {
	addr, user, pass  string
	mailbox, folder   string
	implicit, plain   bool // imaps://; ?insecure=1
	loopback          bool
	tlsConfig         *tls.Config
	h                 Handler
	alerts            Alerts
	alertKind         string
	log               *slog.Logger
	poll, idleTimeout time.Duration
}

// Option changes a Poller's defaults.
type Option func(*Poller)

// WithPoll sets how often the mailbox is read when the server has no IDLE,
// and the longest an IDLE waits before reading anyway.
func WithPoll(d time.Duration) Option { return func(p *Poller) { p.poll, p.idleTimeout = d, d } }

// WithTLSConfig sets the TLS configuration (trusted CAs) for imaps and
// STARTTLS.
func WithTLSConfig(c *tls.Config) Option { return func(p *Poller) { p.tlsConfig = c } }

// WithAlerts records mailbox problems through a (kind: model.AlertIMAP).
func WithAlerts(a Alerts, kind string) Option {
	return func(p *Poller) { p.alerts, p.alertKind = a, kind }
}

// New returns a poller for KEDJA_IMAP_URL: imaps://user:pass@host:993/INBOX
// (implicit TLS), or imap://…:143/INBOX with STARTTLS — required for a
// server that is not on loopback unless ?insecure=1. ?folder=NAME names
// where handled mail goes (default "Kedja", created when missing).
func New(u *url.URL, h Handler, log *slog.Logger, opts ...Option) (*Poller, error) {
	if u.Scheme != "imap" && u.Scheme != "imaps" {
		return nil, fmt.Errorf("imapin: KEDJA_IMAP_URL: want imaps:// or imap://, got %q", u.Scheme)
	}
	if u.User == nil || u.User.Username() == "" {
		return nil, errors.New("imapin: KEDJA_IMAP_URL: want a user name and password: imaps://user:pass@host/INBOX")
	}
	p := &Poller{h: h, log: log, poll: DefaultPoll, idleTimeout: DefaultPoll, folder: DefaultFolder,
		implicit: u.Scheme == "imaps"}
	q := u.Query()
	p.plain = q.Get("insecure") == "1" || q.Get("insecure") == "true"
	if f := q.Get("folder"); f != "" {
		p.folder = f
	}
	p.user = u.User.Username()
	p.pass, _ = u.User.Password()
	p.mailbox = strings.Trim(u.Path, "/")
	if p.mailbox == "" {
		p.mailbox = "INBOX"
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "143"
		if p.implicit {
			port = "993"
		}
	}
	p.addr = net.JoinHostPort(host, port)
	if ip, err := netip.ParseAddr(host); (err == nil && ip.IsLoopback()) || strings.EqualFold(host, "localhost") {
		p.loopback = true
	}
	for _, o := range opts {
		o(p)
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if p.tlsConfig != nil {
		tc = p.tlsConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = host
	}
	p.tlsConfig = tc
	return p, nil
}

// Run reads the mailbox until ctx ends: it connects, handles what is
// there, waits (IDLE, or the poll interval) and reads again; when the
// connection fails it logs, raises the alert and connects again after a
// pause that grows up to five minutes.
func (p *Poller) Run(ctx context.Context) error {
	pause := 5 * time.Second
	for ctx.Err() == nil {
		err := p.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			p.log.Error("imapin: mailbox "+p.addr+": "+hint(err), "err", err)
			p.alert(ctx, err)
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		pause = min(2*pause, 5*time.Minute)
	}
	return nil
}

// PollOnce connects, handles every message in the mailbox and disconnects.
// It returns how many messages it moved out.
func (p *Poller) PollOnce(ctx context.Context) (int, error) {
	c, err := p.connect(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	n, err := p.drain(ctx, c)
	_ = c.Logout().Wait()
	return n, err
}

func (p *Poller) alert(ctx context.Context, err error) {
	if p.alerts == nil {
		return
	}
	if aerr := p.alerts.RaiseMailAlert(ctx, p.alertKind, "the mailbox of KEDJA_IMAP_URL cannot be read: "+hint(err),
		err.Error(), time.Now()); aerr != nil {
		p.log.Error("imapin: record the alert", "err", aerr)
	}
}

// hint says what to do about a failure.
func hint(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "STARTTLS"):
		return "the server offers no STARTTLS; use imaps://, or ?insecure=1 for a server on a network you trust"
	case strings.Contains(msg, "certificate"):
		return "its TLS certificate is not trusted (a private CA goes in KEDJA_SMTP_CA_FILE)"
	case strings.Contains(strings.ToLower(msg), "authenticat") || strings.Contains(msg, "LOGIN"):
		return "the server refused the user name and password"
	}
	return "connection failed, will retry"
}

// session is one connection: handle, wait, handle again, until an error
// or ctx ends.
func (p *Poller) session(ctx context.Context) error {
	wake := make(chan struct{}, 1)
	c, err := p.connect(ctx, &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		},
	})
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	if p.alerts != nil {
		if err := p.alerts.ClearMailAlert(ctx, p.alertKind); err != nil {
			p.log.Error("imapin: clear the alert", "err", err)
		}
	}
	idle := c.Caps().Has(imap.CapIdle)
	p.log.Info("imapin: reading mailbox", "addr", p.addr, "mailbox", p.mailbox, "folder", p.folder, "idle", idle)
	for ctx.Err() == nil {
		if _, err := p.drain(ctx, c); err != nil {
			return err
		}
		if idle {
			cmd, err := c.Idle()
			if err != nil {
				return err
			}
			t := time.NewTimer(p.idleTimeout)
			select {
			case <-ctx.Done():
			case <-wake:
			case <-t.C:
			case <-c.Closed():
			}
			t.Stop()
			if err := cmd.Close(); err != nil {
				return err
			}
			if err := cmd.Wait(); err != nil {
				return err
			}
			continue
		}
		t := time.NewTimer(p.poll)
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-c.Closed():
			t.Stop()
			return errors.New("imapin: connection closed")
		}
		t.Stop()
	}
	return nil
}

// connect dials, logs in, makes sure the folder exists and selects the
// mailbox.
func (p *Poller) connect(ctx context.Context, h *imapclient.UnilateralDataHandler) (*imapclient.Client, error) {
	opts := &imapclient.Options{TLSConfig: p.tlsConfig, UnilateralDataHandler: h,
		Dialer: &net.Dialer{Timeout: 30 * time.Second}}
	var c *imapclient.Client
	var err error
	switch {
	case p.implicit:
		c, err = imapclient.DialTLS(p.addr, opts)
	case p.plain:
		c, err = imapclient.DialInsecure(p.addr, opts)
	case p.loopback:
		// On loopback STARTTLS is used when offered, not required.
		if c, err = imapclient.DialInsecure(p.addr, opts); err == nil {
			if err = c.WaitGreeting(); err == nil && c.Caps().Has(imap.CapStartTLS) {
				_ = c.Close()
				c, err = imapclient.DialStartTLS(p.addr, opts)
			}
		}
	default:
		c, err = imapclient.DialStartTLS(p.addr, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("imapin: connect to %s: %w", p.addr, err)
	}
	fail := func(what string, err error) (*imapclient.Client, error) {
		_ = c.Close()
		return nil, fmt.Errorf("imapin: %s: %w", what, err)
	}
	if err := c.Login(p.user, p.pass).Wait(); err != nil {
		return fail("LOGIN as "+p.user, err)
	}
	list, err := c.List("", p.folder, nil).Collect()
	if err != nil {
		return fail("LIST "+p.folder, err)
	}
	if len(list) == 0 {
		if err := c.Create(p.folder, nil).Wait(); err != nil {
			return fail("CREATE "+p.folder, err)
		}
	}
	if _, err := c.Select(p.mailbox, nil).Wait(); err != nil {
		return fail("SELECT "+p.mailbox, err)
	}
	return c, nil
}

// drain handles every message in the selected mailbox, oldest first, and
// moves each out once it is handled. A message the rules could not store
// stays for the next read; one that cannot be read at all is moved too
// (it would fail every time).
func (p *Poller) drain(ctx context.Context, c *imapclient.Client) (int, error) {
	moved := 0
	for ctx.Err() == nil {
		data, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted}}, nil).Wait()
		if err != nil {
			return moved, fmt.Errorf("imapin: UID SEARCH: %w", err)
		}
		uids := data.AllUIDs()
		if len(uids) == 0 {
			return moved, nil
		}
		if len(uids) > batchSize {
			uids = uids[:batchSize]
		}
		section := &imap.FetchItemBodySection{Peek: true}
		msgs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return moved, fmt.Errorf("imapin: FETCH: %w", err)
		}
		var done imap.UIDSet
		failed := 0
		for _, m := range msgs {
			raw := m.FindBodySection(section)
			_, err := p.h.Handle(ctx, raw, inmail.Envelope{})
			switch {
			case errors.Is(err, mailin.ErrUnreadable):
				p.log.Warn("imapin: unreadable message filed away", "uid", m.UID, "err", err)
			case err != nil:
				p.log.Error("imapin: message not handled, will read it again", "uid", m.UID, "err", err)
				failed++
				continue
			}
			done.AddNum(m.UID)
		}
		if len(done) > 0 {
			if err := p.move(c, done); err != nil {
				return moved, err
			}
			for _, r := range done {
				moved += int(r.Stop-r.Start) + 1
			}
		}
		if failed > 0 {
			// Try again at the next read rather than spin on them.
			return moved, nil
		}
	}
	return moved, nil
}

// move takes handled messages out of the mailbox into the folder: MOVE
// where offered, else COPY, flag \Deleted and expunge those.
func (p *Poller) move(c *imapclient.Client, uids imap.UIDSet) error {
	if c.Caps().Has(imap.CapMove) {
		if _, err := c.Move(uids, p.folder).Wait(); err != nil {
			return fmt.Errorf("imapin: MOVE to %s: %w", p.folder, err)
		}
		return nil
	}
	if _, err := c.Copy(uids, p.folder).Wait(); err != nil {
		return fmt.Errorf("imapin: COPY to %s: %w", p.folder, err)
	}
	if err := c.Store(uids, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		return fmt.Errorf("imapin: flag moved messages deleted: %w", err)
	}
	if c.Caps().Has(imap.CapUIDPlus) {
		return c.UIDExpunge(uids).Close()
	}
	return c.Expunge().Close()
}
