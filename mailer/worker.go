// Package mailer sends the outbox: a background worker that claims due rows
// with a lease and delivers them over SMTP (go-mail), or writes them to the
// log when no SMTP server is configured.
//
// Delivery is at least once and, short of a crash between the server's
// "250 OK" and the database update, exactly once: a row is claimed (state
// sending, attempts+1, lease_until set) before it is sent and marked sent,
// retried or failed afterwards, fenced by its attempt number. A sender that
// dies mid-send leaves the lease to run out, and the row is claimed again.
// On PostgreSQL several instances claim side by side (FOR UPDATE SKIP
// LOCKED); on SQLite the one writer connection serialises claims.
//
// Sign-in mail carries its plaintext link and code in the outbox data only
// until it is sent or fails for good; then they are scrubbed. The admin view
// lists mail with store.AdminOutbox (never any data) and resends a failed
// message with store.RetryOutbox.
package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/kedja/kedja/app/config"
	"github.com/kedja/kedja/app/mailref"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// Defaults of the worker's tunables.
const (
	DefaultLease   = 2 * time.Minute
	DefaultBatch   = 20
	DefaultTimeout = 20 * time.Second
	DefaultPoll    = 5 * time.Second
)

// Worker delivers queued email.
type Worker struct {
	cfg   config.Config
	store *store.Store
	log   *slog.Logger
	wake  chan struct{}

	tpl     *Renderer
	tr      transport
	now     func() time.Time
	jitter  func() float64
	lease   time.Duration
	batch   int
	timeout time.Duration
	poll    time.Duration
	tlsConf *tls.Config

	signer *mailref.Signer // reply addresses and thread ids; loaded on first use
}

// Option changes a Worker's defaults, mostly for tests.
type Option func(*Worker)

// WithNow sets the clock the worker uses for due times, leases, backoff and
// the Date header (default model.Now).
func WithNow(now func() time.Time) Option { return func(w *Worker) { w.now = now } }

// WithJitter sets the source of backoff jitter, a value in [0, 1).
func WithJitter(f func() float64) Option { return func(w *Worker) { w.jitter = f } }

// WithLease sets how long a claim lasts before another sender may take the
// message over (default DefaultLease).
func WithLease(d time.Duration) Option { return func(w *Worker) { w.lease = d } }

// WithBatch sets how many messages are claimed and sent over one connection.
func WithBatch(n int) Option { return func(w *Worker) { w.batch = n } }

// WithTimeout sets the SMTP connection and command timeout.
func WithTimeout(d time.Duration) Option { return func(w *Worker) { w.timeout = d } }

// WithPoll sets how often the worker looks for due mail when nothing wakes it.
func WithPoll(d time.Duration) Option { return func(w *Worker) { w.poll = d } }

// WithTLSConfig sets the TLS configuration for STARTTLS and smtps (a test's
// own certificate authority, for example); it replaces the one built from
// KEDJA_SMTP_CA_FILE.
func WithTLSConfig(c *tls.Config) Option { return func(w *Worker) { w.tlsConf = c } }

// New returns a worker for the outbox of s. It parses every mail template
// and, when cfg.SMTPURL is set, prepares the SMTP client; without one, mail
// is written to log.
func New(cfg config.Config, s *store.Store, log *slog.Logger, opts ...Option) (*Worker, error) {
	w := &Worker{cfg: cfg, store: s, log: log, wake: make(chan struct{}, 1),
		now: model.Now, jitter: rand.Float64, lease: DefaultLease, batch: DefaultBatch,
		timeout: DefaultTimeout, poll: DefaultPoll}
	for _, o := range opts {
		o(w)
	}
	if w.log == nil {
		w.log = slog.Default()
	}
	if w.cfg.Location == nil {
		w.cfg.Location = time.UTC
	}
	tpl, err := NewRenderer()
	if err != nil {
		return nil, err
	}
	w.tpl = tpl
	if w.tlsConf == nil && cfg.SMTPRootCAs != nil {
		w.tlsConf = &tls.Config{RootCAs: cfg.SMTPRootCAs, MinVersion: tls.VersionTLS12}
	}
	if cfg.SMTPURL == nil {
		w.tr = &logTransport{log: w.log}
	} else {
		tr, err := newSMTPTransport(cfg.SMTPURL, w.timeout, w.tlsConf)
		if err != nil {
			return nil, err
		}
		w.tr = tr
	}
	return w, nil
}

// Wake makes the worker look for due mail now.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers mail until ctx is done. It wakes on Wake (store.OnEnqueue
// calls it after a commit that queued mail), when the next retry or lease is
// due, and every poll interval (mail queued by another instance). When ctx
// ends it finishes the message in flight, hands the rest of its batch back
// and returns nil.
func (w *Worker) Run(ctx context.Context) error {
	for {
		if err := w.Drain(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("mailer: drain", "err", err)
		}
		wait := w.poll
		if at, ok, err := w.store.NextOutboxDue(ctx); err == nil && ok {
			wait = min(wait, max(at.Sub(w.now()), 50*time.Millisecond))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		case <-w.wake:
			t.Stop()
		}
	}
}

// Drain claims and sends mail until nothing is due or ctx is done.
func (w *Worker) Drain(ctx context.Context) error {
	for ctx.Err() == nil {
		list, err := w.store.ClaimOutbox(ctx, w.now(), w.lease, w.batch)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return nil
		}
		w.sendBatch(ctx, list)
	}
	return nil
}

// sendBatch sends claimed messages over one connection and records each
// outcome. Outcomes are recorded even when ctx ends meanwhile.
func (w *Worker) sendBatch(ctx context.Context, list []*model.OutboxMessage) {
	rec := context.WithoutCancel(ctx)
	// Stop a batch early when the lease would not outlast another send.
	deadline := w.now().Add(max(w.lease/2, w.lease-2*w.timeout))
	from := w.sender(ctx)
	var c conn
	delivered := 0
	defer func() {
		if c != nil {
			c.close()
		}
		if delivered > 0 {
			w.relayWorks(rec)
		}
	}()
	for i, m := range list {
		// Stop when shutting down, or when the lease runs short: the rest
		// go back untouched, their claim not counted as an attempt.
		if ctx.Err() != nil || (i > 0 && w.now().After(deadline)) {
			w.release(rec, list[i:])
			return
		}
		out, err := w.compose(m, from)
		if err != nil {
			w.fail(rec, m, err)
			continue
		}
		if c == nil {
			if c, err = w.tr.open(ctx); err != nil {
				c = nil
				if ctx.Err() != nil {
					w.release(rec, list[i:])
					return
				}
				w.relayProblem(rec, err)
				for _, m := range list[i:] {
					w.retry(rec, m, err)
				}
				return
			}
		}
		ok, err := c.send(out)
		switch {
		case ok:
			if err != nil {
				w.log.Warn("mailer: delivered, then the connection failed", "id", m.ID, "err", err)
			}
			delivered++
			w.sent(rec, m)
		case isPermanent(err):
			w.fail(rec, m, err)
		default:
			w.relayProblem(rec, err)
			w.retry(rec, m, err)
			// The connection may be broken: the next message dials again.
			c.close()
			c = nil
		}
	}
}

// relayProblem logs a failure of the relay's configuration (see relayError)
// as an error that says what to fix, and raises the admin outbox alert.
// Other failures (an outage) are left to the retry's warning.
func (w *Worker) relayProblem(ctx context.Context, err error) {
	var re *relayError
	if !errors.As(err, &re) {
		return
	}
	w.log.Error("mailer: the relay refuses Kedja's mail: "+re.hint, "err", re.err)
	if aerr := w.store.RaiseMailAlert(ctx, model.AlertOutgoing, re.hint, re.err.Error(), w.now()); aerr != nil {
		w.log.Error("mailer: record the outbox alert", "err", aerr)
	}
}

// relayWorks clears the outgoing alert once mail goes through again.
func (w *Worker) relayWorks(ctx context.Context) {
	if err := w.store.ClearMailAlert(ctx, model.AlertOutgoing); err != nil {
		w.log.Error("mailer: clear the outbox alert", "err", err)
	}
}

// from is the sender of a batch's mail.
type from struct {
	name, addr, replyTo string
	business            string          // the business name, for the mail's text
	signer              *mailref.Signer // nil when the key cannot be read
}

// sender reads the business name and support address once per batch. The
// From name is the display name of KEDJA_MAIL_FROM when that is set with
// one, else the business name (the settings', else KEDJA_BUSINESS_NAME).
func (w *Worker) sender(ctx context.Context) from {
	f := from{name: w.cfg.BusinessName}
	st, err := w.store.Settings(ctx)
	if err == nil {
		if st.BusinessName != "" {
			f.name = st.BusinessName
		}
		f.replyTo = st.SupportEmail
	}
	f.business = f.name
	if w.cfg.MailFrom != nil {
		f.addr = w.cfg.MailFrom.Address
	}
	if w.cfg.MailFromName != "" {
		f.name = w.cfg.MailFromName
	}
	if f.addr == "" {
		f.addr = "no-reply@localhost"
	}
	f.name, f.business = OneLine(f.name), OneLine(f.business)
	if w.signer == nil {
		key, err := w.store.Secret(ctx, model.SecretReplyKey)
		if err == nil {
			w.signer, err = mailref.New(key)
		}
		if err != nil {
			w.log.Error("mailer: reply key: mail goes out without reply addresses", "err", err)
		}
	}
	f.signer = w.signer
	return f
}

// caseRef is the case an outbox row is about, for its reply address.
func caseRef(m *model.OutboxMessage) mailref.Ref {
	r := mailref.Ref{ID: m.CaseID, CustomerID: m.CustomerID}
	switch m.CaseKind {
	case model.CaseInquiry:
		r.Kind = mailref.KindInquiry
	case model.CaseOrder:
		r.Kind = mailref.KindOrder
	}
	return r
}

// host is the portal's host name, for Message-IDs.
func host(base *url.URL) string {
	if base != nil && base.Hostname() != "" {
		return base.Hostname()
	}
	return "localhost"
}

// multiLine lists the data keys that hold text of several lines (a message
// body, an escalation's reason); every other value is one line in a mail.
var multiLine = map[string]bool{"body": true, "reason": true}

// oneLineData returns d with line breaks in every one-line field turned to
// spaces, so a name, subject or order reference cannot add lines to a mail.
func oneLineData(d map[string]string) map[string]string {
	out := make(map[string]string, len(d))
	for k, v := range d {
		if !multiLine[k] {
			v = OneLine(v)
		}
		out[k] = v
	}
	return out
}

// compose renders m. A template that cannot be rendered, or a sign-in link
// that expired while the mail waited, is a permanent failure.
func (w *Worker) compose(m *model.OutboxMessage, f from) (*outgoing, error) {
	now := w.now()
	if notify.IsSignIn(m.Template) {
		if exp, err := time.Parse(time.RFC3339, m.Data["expires_at"]); err == nil && now.After(exp) {
			return nil, &permanentError{errors.New("the sign-in link expired before it could be sent")}
		}
	}
	base := ""
	if w.cfg.BaseURL != nil {
		base = strings.TrimRight(w.cfg.BaseURL.String(), "/")
	}
	v := &View{D: oneLineData(m.Data), ToName: OneLine(m.ToName), Business: f.business, BaseURL: base, Support: f.replyTo,
		loc: w.cfg.Location, now: now}
	r, err := w.tpl.Render(m.Template, m.Locale, v)
	if err != nil {
		return nil, &permanentError{err}
	}
	replyTo, thread := f.replyTo, ""
	if ref := caseRef(m); ref.Valid() && f.signer != nil {
		if a := f.signer.ReplyAddress(f.replyTo, ref); a != "" {
			replyTo = a
		}
		thread = f.signer.ThreadID(host(w.cfg.BaseURL), ref)
	}
	return &outgoing{
		id: m.ID, fromName: f.name, fromAddr: f.addr, toName: v.ToName, toAddr: m.ToEmail,
		replyTo: replyTo, threadID: thread, subject: r.Subject, messageID: MessageID(w.cfg.BaseURL, m), date: now,
		text: r.Text, html: r.HTML, link: v.Link(), code: m.Data["code"],
	}, nil
}

func (w *Worker) sent(ctx context.Context, m *model.OutboxMessage) {
	held, err := w.store.MarkOutboxSent(ctx, m, w.now())
	w.recorded(m, "sent", held, err)
}

func (w *Worker) retry(ctx context.Context, m *model.OutboxMessage, cause error) {
	if m.Attempts >= MaxAttempts {
		w.fail(ctx, m, fmt.Errorf("gave up after %d attempts: %w", m.Attempts, cause))
		return
	}
	next := w.now().Add(RetryDelay(m.Attempts, w.jitter()))
	held, err := w.store.MarkOutboxRetry(ctx, m, next, cause.Error())
	w.log.Warn("mailer: temporary failure, will retry", "id", m.ID, "to", m.ToEmail, "attempt", m.Attempts,
		"next_attempt_at", next, "err", cause)
	w.recorded(m, "retry", held, err)
}

func (w *Worker) fail(ctx context.Context, m *model.OutboxMessage, cause error) {
	held, err := w.store.MarkOutboxFailed(ctx, m, cause.Error())
	w.log.Error("mailer: not sent", "id", m.ID, "to", m.ToEmail, "template", m.Template, "err", cause)
	w.recorded(m, "failed", held, err)
}

func (w *Worker) release(ctx context.Context, list []*model.OutboxMessage) {
	for _, m := range list {
		held, err := w.store.ReleaseOutbox(ctx, m)
		w.recorded(m, "release", held, err)
	}
}

// recorded logs an outcome that could not be written, or whose claim had
// been taken over (the lease ran out mid-send).
func (w *Worker) recorded(m *model.OutboxMessage, what string, held bool, err error) {
	switch {
	case err != nil:
		w.log.Error("mailer: record outcome", "id", m.ID, "outcome", what, "err", err)
	case !held:
		w.log.Warn("mailer: lease lost before the outcome was recorded", "id", m.ID, "outcome", what)
	}
}
