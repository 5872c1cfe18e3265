package mailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/app/mailref"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
	"github.com/kedja/kedja/mailer/mailtest"
)

// env is one store, one worker on a controllable clock and, unless the test
// runs in log mode, one SMTP server.
type env struct {
	s   *store.Store
	w   *Worker
	clk *clock
	srv *mailtest.Server
	log *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

var start = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// newEnv builds an env on a fresh database of dialect; srv nil means no
// SMTP server is configured (log mode).
func newEnv(t *testing.T, s *store.Store, srv *mailtest.Server, opts ...Option) *env {
	t.Helper()
	ctx := context.Background()
	st, err := s.EnsureSettings(ctx, "Blomsterhuset")
	if err != nil {
		t.Fatal(err)
	}
	st.SupportEmail = "help@blomsterhuset.example"
	if err := s.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	e := &env{s: s, clk: newClock(start), srv: srv, log: &syncBuffer{}}
	smtpURL := ""
	if srv != nil {
		smtpURL = srv.URL().String()
		if c := srv.ClientTLS(); c != nil {
			opts = append([]Option{WithTLSConfig(c)}, opts...)
		}
	}
	opts = append([]Option{WithNow(e.clk.Now), WithTimeout(5 * time.Second)}, opts...)
	e.w, err = New(testConfig(t, smtpURL), s, slog.New(slog.NewTextHandler(e.log, nil)), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// enqueue queues n messages of every kind, returning their ids.
func (e *env) enqueue(t *testing.T, n int, prefix string) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	kinds := []string{notify.DeliveryConfirmation, notify.StaffReply, notify.OrderShipped, notify.Handoff, notify.InquiryReceived}
	for i := 0; i < n; i++ {
		m := samples(e.clk.Now(), []string{"en", "sv", "da", "nl"}[i%4])[kinds[i%len(kinds)]]
		m.IdempotencyKey = fmt.Sprintf("%s:%d", prefix, i)
		m.CreatedAt, m.NextAttemptAt = e.clk.Now(), e.clk.Now()
		if _, err := e.s.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	return ids
}

func (e *env) drain(t *testing.T) {
	t.Helper()
	if err := e.w.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (e *env) row(t *testing.T, id int64) *model.OutboxMessage {
	t.Helper()
	m, err := e.s.OutboxByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// exactlyOnce checks that the server got every one of ids exactly once,
// recognised by Message-ID, and that each is marked sent.
func (e *env) exactlyOnce(t *testing.T, ids []int64) {
	t.Helper()
	got := map[string]int{}
	for _, m := range e.srv.Messages() {
		got[m.MessageID()]++
	}
	for _, id := range ids {
		m := e.row(t, id)
		if m.State != model.MailSent || m.SentAt == nil {
			t.Errorf("message %d: state %s, want sent (last error %q)", id, m.State, m.LastError)
		}
		if n := got[MessageID(e.w.cfg.BaseURL, m)]; n != 1 {
			t.Errorf("message %d received %d times, want once", id, n)
		}
	}
	if len(got) != len(ids) || e.srv.Count() != len(ids) {
		t.Errorf("server got %d messages (%d distinct), want %d", e.srv.Count(), len(got), len(ids))
	}
}

// TestDownThenUpDeliversEveryMessageOnce: with the mail server down every
// queued message waits and retries; once it is back every one arrives,
// exactly once.
func TestDownThenUpDeliversEveryMessageOnce(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, mailtest.Start(t))
		e.srv.Down()
		ids := e.enqueue(t, 25, "down")
		e.drain(t)
		for _, id := range ids {
			m := e.row(t, id)
			if m.State != model.MailPending || m.Attempts != 1 || !m.NextAttemptAt.After(e.clk.Now()) {
				t.Fatalf("after a refused connection: state %s attempts %d next %v", m.State, m.Attempts, m.NextAttemptAt)
			}
			if !strings.Contains(m.LastError, "refused") {
				t.Errorf("last error %q does not say the connection was refused", m.LastError)
			}
		}
		e.drain(t) // nothing is due yet
		if m := e.row(t, ids[0]); m.Attempts != 1 {
			t.Fatalf("retried before its time: attempts %d", m.Attempts)
		}
		for i := 0; i < 3; i++ { // an hour-long outage
			e.clk.Add(20 * time.Minute)
			e.drain(t)
		}
		e.srv.Up(t)
		e.clk.Add(MaxRetryDelay)
		e.drain(t)
		e.exactlyOnce(t, ids)
		e.clk.Add(3 * time.Hour)
		e.drain(t)
		e.exactlyOnce(t, ids)
	})
}

// TestTemporaryRetriedPermanentNot: a 4xx answer is retried with the same
// Message-ID; a 5xx answer marks the message failed with the server's words.
func TestTemporaryRetriedPermanentNot(t *testing.T) {
	cases := []struct {
		name  string
		at    mailtest.Stage
		code  int
		state string
	}{
		{"451 after data", mailtest.AtData, 451, model.MailSent},
		{"450 mailbox busy at rcpt", mailtest.AtRcpt, 450, model.MailSent},
		{"550 no such mailbox", mailtest.AtRcpt, 550, model.MailFailed},
		{"554 rejected after data", mailtest.AtData, 554, model.MailFailed},
	}
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, mailtest.Start(t))
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e.srv.Fail(c.at, c.code, 1)
				id := e.enqueue(t, 1, fmt.Sprint("case", i))[0]
				before := e.srv.Count()
				e.drain(t)
				m := e.row(t, id)
				if !strings.Contains(m.LastError, fmt.Sprint(c.code)) {
					t.Errorf("last error %q lacks %d", m.LastError, c.code)
				}
				want := model.MailPending
				if c.state == model.MailFailed {
					want = model.MailFailed
				}
				if m.State != want {
					t.Fatalf("after %d: state %s, want %s", c.code, m.State, want)
				}
				e.clk.Add(MaxRetryDelay)
				e.drain(t)
				m = e.row(t, id)
				if m.State != c.state {
					t.Fatalf("state %s, want %s", m.State, c.state)
				}
				got := e.srv.Count() - before
				if c.state == model.MailSent {
					if got != 1 || m.Attempts != 2 {
						t.Fatalf("received %d, attempts %d; want 1 and 2", got, m.Attempts)
					}
					last := e.srv.Messages()[e.srv.Count()-1]
					if last.MessageID() != MessageID(e.w.cfg.BaseURL, m) {
						t.Errorf("Message-ID %q, want %q", last.MessageID(), MessageID(e.w.cfg.BaseURL, m))
					}
					if c.at == mailtest.AtData {
						rej := e.srv.Rejected()
						if first := rej[len(rej)-1].MessageID(); first != last.MessageID() {
							t.Errorf("retry changed the Message-ID: %q then %q", first, last.MessageID())
						}
					}
				} else if got != 0 || m.Attempts != 1 {
					t.Fatalf("permanent failure: received %d, attempts %d; want 0 and 1", got, m.Attempts)
				}
			})
		}
	})
}

// TestCrashBetweenClaimAndSend: a sender that claimed mail and died holds
// it only until its lease runs out; then the mail goes out once, and the
// dead sender's late outcome cannot overwrite it.
func TestCrashBetweenClaimAndSend(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, mailtest.Start(t))
		ids := e.enqueue(t, 3, "crash")
		ctx := context.Background()
		dead, err := s.ClaimOutbox(ctx, e.clk.Now(), DefaultLease, 10)
		if err != nil || len(dead) != 3 {
			t.Fatalf("claim: %d rows, %v", len(dead), err)
		}
		e.drain(t)
		if e.srv.Count() != 0 {
			t.Fatalf("sent %d messages another sender holds", e.srv.Count())
		}
		e.clk.Add(DefaultLease - time.Second)
		e.drain(t)
		if e.srv.Count() != 0 {
			t.Fatalf("sent %d messages before the lease ran out", e.srv.Count())
		}
		e.clk.Add(2 * time.Second)
		e.drain(t)
		e.exactlyOnce(t, ids)
		if m := e.row(t, ids[0]); m.Attempts != 2 {
			t.Errorf("attempts %d, want 2 (the dead claim and the real one)", m.Attempts)
		}
		// The dead sender wakes up and reports a failure: ignored.
		held, err := s.MarkOutboxFailed(ctx, dead[0], "late")
		if err != nil || held {
			t.Fatalf("late outcome of a lost claim: held %v, err %v", held, err)
		}
		if m := e.row(t, ids[0]); m.State != model.MailSent {
			t.Fatalf("a lost claim overwrote the outcome: %s", m.State)
		}
	})
}

// TestSameEventTwiceQueuesOneMessage: the idempotency key keeps a repeated
// event from queueing a second email.
func TestSameEventTwiceQueuesOneMessage(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, mailtest.Start(t))
		ctx := context.Background()
		var queued []bool
		for i := 0; i < 2; i++ {
			err := s.WithTx(ctx, func(tx *store.Store) error {
				q, err := tx.Enqueue(ctx, samples(e.clk.Now(), "da")[notify.DeliveryConfirmation])
				queued = append(queued, q)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if !queued[0] || queued[1] {
			t.Fatalf("queued %v, want [true false]", queued)
		}
		e.drain(t)
		e.clk.Add(time.Hour)
		e.drain(t)
		if e.srv.Count() != 1 {
			t.Fatalf("received %d, want 1", e.srv.Count())
		}
	})
}

// TestTwoWorkersNeverSendTheSameRow runs two instances side by side, each
// with its own connections to one database: every message goes out once.
// On PostgreSQL this is FOR UPDATE SKIP LOCKED at work.
func TestTwoWorkersNeverSendTheSameRow(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			u := testenv.DatabaseURL(t, d)
			ctx := context.Background()
			open := func() *store.Store {
				s, err := store.Open(ctx, u)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			}
			s1 := open()
			if _, err := s1.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			srv := mailtest.Start(t)
			e1 := newEnv(t, s1, srv, WithBatch(3), WithNow(model.Now))
			e2 := newEnv(t, open(), srv, WithBatch(3), WithNow(model.Now))
			e1.clk = newClock(time.Now().Add(-time.Minute)) // due now on the real clock
			ids := e1.enqueue(t, 150, "pair")
			var wg sync.WaitGroup
			errs := make(chan error, 2)
			for _, e := range []*env{e1, e2} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- e.w.Drain(ctx)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			e1.exactlyOnce(t, ids)
			var attempts int
			for _, id := range ids {
				attempts += e1.row(t, id).Attempts
			}
			if attempts != len(ids) {
				t.Errorf("%d claims for %d messages: some row was claimed twice", attempts, len(ids))
			}
		})
	}
}

// TestNoSMTPWritesToTheLog: without KEDJA_SMTP_URL each message is written
// to the log, headers and text with the full sign-in link and code, and
// marked sent; the link and code then leave the database.
func TestNoSMTPWritesToTheLog(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, nil)
		ctx := context.Background()
		m := samples(e.clk.Now(), "sv")[notify.SignInCustomer]
		if _, err := s.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
		other := e.enqueue(t, 1, "log")[0]
		e.drain(t)
		log := e.log.String()
		for _, want := range []string{
			"link=https://portal.blomsterhuset.example/auth/tok3nCUSTOMERabc", "code=482913",
			"subject=\"Din inloggningslänk till Blomsterhuset\"", "ann.jensen@example.com",
			"message_id=<" + MessageID(e.w.cfg.BaseURL, m) + ">", "reply_to=help@blomsterhuset.example", "text=",
		} {
			if !strings.Contains(log, want) {
				t.Errorf("log lacks %q:\n%s", want, log)
			}
		}
		for _, id := range []int64{m.ID, other} {
			if r := e.row(t, id); r.State != model.MailSent || r.SentAt == nil {
				t.Errorf("message %d: %s, want sent", id, r.State)
			}
		}
		r := e.row(t, m.ID)
		if _, ok := r.Data["path"]; ok || r.Data["code"] != "" {
			t.Errorf("sign-in secrets kept after sending: %v", r.Data)
		}
		if r.Data["expires_at"] == "" {
			t.Errorf("scrubbed too much: %v", r.Data)
		}
	})
}

// TestSignInSecretsScrubbedAndAdminView: a sign-in email's link and code
// are in the sent mail but not in the database afterwards, whether it was
// sent or failed for good; the admin listing never carries data; a failed
// notice can be resent, a failed sign-in cannot.
func TestSignInSecretsScrubbedAndAdminView(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, mailtest.Start(t))
		ctx := context.Background()
		ok := samples(e.clk.Now(), "nl")[notify.SignInCustomer]
		if _, err := s.Enqueue(ctx, ok); err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		text, html, err := e.srv.Messages()[0].Parts()
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range []string{text, html} {
			mustContain(t, "mail", part, "https://portal.blomsterhuset.example/auth/tok3nCUSTOMERabc", "482913")
		}
		if r := e.row(t, ok.ID); r.Data["path"] != "" || r.Data["code"] != "" {
			t.Errorf("secrets kept after sending: %v", r.Data)
		}

		e.srv.Fail(mailtest.AtRcpt, 550, 2)
		bad := samples(e.clk.Now(), "nl")[notify.SignInStaff]
		if _, err := s.Enqueue(ctx, bad); err != nil {
			t.Fatal(err)
		}
		notice := e.enqueue(t, 1, "notice")[0]
		e.drain(t)
		r := e.row(t, bad.ID)
		if r.State != model.MailFailed || r.Data["path"] != "" || r.Data["code"] != "" {
			t.Errorf("failed sign-in: state %s data %v", r.State, r.Data)
		}
		list, err := s.AdminOutbox(ctx, "", 100)
		if err != nil || len(list) != 3 {
			t.Fatalf("admin outbox: %d rows, %v", len(list), err)
		}
		for _, m := range list {
			if m.Data != nil {
				t.Errorf("admin outbox row %d carries data %v", m.ID, m.Data)
			}
		}
		failed, err := s.AdminOutbox(ctx, model.MailFailed, 100)
		if err != nil || len(failed) != 2 || failed[0].LastError == "" {
			t.Fatalf("failed rows: %d, %v", len(failed), err)
		}

		if err := s.RetryOutbox(ctx, bad.ID, e.clk.Now()); !errors.Is(err, store.ErrConflict) {
			t.Errorf("resending a scrubbed sign-in: %v, want ErrConflict", err)
		}
		if err := s.RetryOutbox(ctx, ok.ID, e.clk.Now()); !errors.Is(err, store.ErrConflict) {
			t.Errorf("resending a sent sign-in: %v, want ErrConflict", err)
		}
		if err := s.RetryOutbox(ctx, 99999, e.clk.Now()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("resending nothing: %v, want ErrNotFound", err)
		}
		if err := s.RetryOutbox(ctx, notice, e.clk.Now()); err != nil {
			t.Fatal(err)
		}
		if r := e.row(t, notice); r.State != model.MailPending || r.Attempts != 0 {
			t.Fatalf("after RetryOutbox: %s, %d attempts", r.State, r.Attempts)
		}
		if err := s.RetryOutbox(ctx, notice, e.clk.Now()); !errors.Is(err, store.ErrConflict) {
			t.Errorf("resending a pending message: %v, want ErrConflict", err)
		}
		e.drain(t)
		if r := e.row(t, notice); r.State != model.MailSent {
			t.Fatalf("resent notice: %s %q", r.State, r.LastError)
		}
		if e.srv.Count() != 2 {
			t.Errorf("server got %d, want 2", e.srv.Count())
		}
	})
}

// TestExpiredSignInIsNotSent: a sign-in link that expired while the mail
// server was down is not sent late; it fails and loses its secrets.
func TestExpiredSignInIsNotSent(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, mailtest.Start(t))
		e.srv.Down()
		m := samples(e.clk.Now(), "en")[notify.SignInCustomer]
		if _, err := s.Enqueue(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		e.drain(t)
		e.srv.Up(t)
		e.clk.Add(11 * time.Minute)
		e.drain(t)
		r := e.row(t, m.ID)
		if r.State != model.MailFailed || !strings.Contains(r.LastError, "expired") || r.Data["path"] != "" {
			t.Fatalf("expired sign-in: %s %q %v", r.State, r.LastError, r.Data)
		}
		if e.srv.Count() != 0 {
			t.Fatalf("an expired link was sent")
		}
	})
}

// TestGiveUpAfterADay: a server that never comes back gets MaxAttempts
// tries over at least 24 hours, then the message is failed.
func TestGiveUpAfterADay(t *testing.T) {
	s := testenv.NewStore(t, "sqlite")
	e := newEnv(t, s, mailtest.Start(t), WithJitter(func() float64 { return 0 }))
	e.srv.Down()
	id := e.enqueue(t, 1, "never")[0]
	first := e.clk.Now()
	for i := 0; i < MaxAttempts+5; i++ {
		e.drain(t)
		m := e.row(t, id)
		if m.State != model.MailPending {
			break
		}
		e.clk.Add(m.NextAttemptAt.Sub(e.clk.Now()))
	}
	m := e.row(t, id)
	if m.State != model.MailFailed || m.Attempts != MaxAttempts || !strings.Contains(m.LastError, "gave up") {
		t.Fatalf("state %s after %d attempts: %q", m.State, m.Attempts, m.LastError)
	}
	if span := e.clk.Now().Sub(first); span < 24*time.Hour {
		t.Errorf("gave up after %v, want at least 24h", span)
	} else {
		t.Logf("gave up after %d attempts over %v (shortest jitter)", m.Attempts, span)
	}
}

// TestRetryDelay: exponential, capped, jittered within [d/2, d).
func TestRetryDelay(t *testing.T) {
	prev := time.Duration(0)
	var total time.Duration
	for n := 1; n < MaxAttempts; n++ {
		lo, hi := RetryDelay(n, 0), RetryDelay(n, 0.999999)
		if lo < prev || hi > MaxRetryDelay || lo > hi || lo < FirstRetry/2 {
			t.Fatalf("attempt %d: delay %v..%v after %v", n, lo, hi, prev)
		}
		prev = lo
		total += lo
	}
	if total < 24*time.Hour {
		t.Errorf("retries span at least %v, want 24h", total)
	}
	if RetryDelay(1000, 0.5) > MaxRetryDelay {
		t.Errorf("no cap for late attempts")
	}
}

// TestHeaders: From carries KEDJA_MAIL_FROM's name, Reply-To the support
// address; Date, Message-ID, multipart text and HTML in the customer's
// language.
func TestHeaders(t *testing.T) {
	e := newEnv(t, testenv.NewStore(t, "sqlite"), mailtest.Start(t))
	m := samples(e.clk.Now(), "da")[notify.DeliveryConfirmation]
	if _, err := e.s.Enqueue(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	e.drain(t)
	got := e.srv.WaitFor(t, 1, 10*time.Second)[0]
	h := got.Header
	for k, want := range map[string]string{
		"From":           `"Shop" <no-reply@blomsterhuset.example>`,
		"Message-Id":     "<" + MessageID(e.w.cfg.BaseURL, m) + ">",
		"Auto-Submitted": "auto-generated",
	} {
		if h.Get(k) != want {
			t.Errorf("%s: %q, want %q", k, h.Get(k), want)
		}
	}
	key, err := e.s.Secret(context.Background(), model.SecretReplyKey)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := mailref.New(key)
	if err != nil {
		t.Fatal(err)
	}
	order := mailref.Ref{Kind: mailref.KindOrder, ID: 5, CustomerID: 7}
	if rt := decodeAddress(t, h.Get("Reply-To")); rt.Address != sig.ReplyAddress("help@blomsterhuset.example", order) {
		t.Errorf("Reply-To %q, want the reply address of order 5", h.Get("Reply-To"))
	} else if r, ok := sig.ParseReplyAddress("help@blomsterhuset.example", rt.Address); !ok || r != order {
		t.Errorf("Reply-To %q names %+v %v", rt.Address, r, ok)
	}
	thread := "<" + sig.ThreadID("portal.blomsterhuset.example", order) + ">"
	if h.Get("In-Reply-To") != thread || h.Get("References") != thread {
		t.Errorf("In-Reply-To %q, References %q; want %q", h.Get("In-Reply-To"), h.Get("References"), thread)
	}
	if !strings.Contains(h.Get("To"), "ann.jensen@example.com") || !strings.Contains(h.Get("To"), "Ann Jensen") {
		t.Errorf("To: %q", h.Get("To"))
	}
	if d, err := h.Date(); err != nil || !d.Equal(e.clk.Now()) {
		t.Errorf("Date: %v, %v", d, err)
	}
	if got.Subject() != "Leveret: din ordre BQ-1001" {
		t.Errorf("Subject: %q", got.Subject())
	}
	if got.From != "no-reply@blomsterhuset.example" || len(got.To) != 1 || got.To[0] != "ann.jensen@example.com" {
		t.Errorf("envelope %s -> %v", got.From, got.To)
	}
	if !strings.HasPrefix(MessageID(e.w.cfg.BaseURL, m), fmt.Sprintf("outbox-%d.", m.ID)) ||
		!strings.HasSuffix(MessageID(e.w.cfg.BaseURL, m), "@portal.blomsterhuset.example") {
		t.Errorf("Message-ID %q", MessageID(e.w.cfg.BaseURL, m))
	}
	text, html, err := got.Parts()
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "text", text, "Din ordre BQ-1001 blev leveret", "Birthe Hansen")
	mustContain(t, "html", html, "<strong>BQ-1001</strong>", "Birthe Hansen")
}

// TestRunWakesOnEnqueueAndStops: Run picks up new mail when the store's
// enqueue hook wakes it (the poll is an hour here), and returns once its
// context ends.
func TestRunWakesOnEnqueueAndStops(t *testing.T) {
	s := testenv.NewStore(t, "sqlite")
	e := newEnv(t, s, mailtest.Start(t), WithNow(model.Now), WithPoll(time.Hour))
	s.OnEnqueue(e.w.Wake)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.w.Run(ctx) }()
	for i := 0; i < 3; i++ {
		err := s.WithTx(ctx, func(tx *store.Store) error {
			m := samples(model.Now(), "en")[notify.Handoff]
			m.IdempotencyKey = fmt.Sprint("wake:", i)
			_, err := tx.Enqueue(ctx, m)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		e.srv.WaitFor(t, i+1, 10*time.Second)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

// TestTransportSecurity: STARTTLS when offered, implicit TLS for smtps://,
// AUTH from the URL (in the clear only with ?insecure=1), and a wrong
// password is a temporary failure, not a lost message.
func TestTransportSecurity(t *testing.T) {
	cases := []struct {
		name      string
		opts      []mailtest.Option
		url       func(*mailtest.Server) string
		tls, sent bool
		user      string
	}{
		{"starttls with auth", []mailtest.Option{mailtest.WithSTARTTLS(), mailtest.WithAuth("kedja", "s3cret")}, nil, true, true, "kedja"},
		{"implicit tls", []mailtest.Option{mailtest.WithImplicitTLS()}, nil, true, true, ""},
		{"insecure with auth", []mailtest.Option{mailtest.WithAuth("kedja", "s3cret")}, nil, false, true, "kedja"},
		{"opportunistic without starttls", nil, func(s *mailtest.Server) string { return "smtp://" + s.Addr() }, false, true, ""},
		{"password not sent in the clear", []mailtest.Option{mailtest.WithAuth("kedja", "s3cret")},
			func(s *mailtest.Server) string { return "smtp://kedja:s3cret@" + s.Addr() }, false, false, ""},
		{"wrong password", []mailtest.Option{mailtest.WithSTARTTLS(), mailtest.WithAuth("kedja", "s3cret")},
			func(s *mailtest.Server) string { return "smtp://kedja:wrong@" + s.Addr() }, false, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := mailtest.Start(t, c.opts...)
			s := testenv.NewStore(t, "sqlite")
			e := newEnv(t, s, srv)
			if c.url != nil {
				cfg := testConfig(t, c.url(srv))
				var opts []Option
				if tc := srv.ClientTLS(); tc != nil {
					opts = append(opts, WithTLSConfig(tc))
				}
				w, err := New(cfg, s, e.w.log, append(opts, WithNow(e.clk.Now), WithTimeout(5*time.Second))...)
				if err != nil {
					t.Fatal(err)
				}
				e.w = w
			}
			id := e.enqueue(t, 1, "sec")[0]
			e.drain(t)
			m := e.row(t, id)
			if !c.sent {
				if m.State != model.MailPending || m.LastError == "" || srv.Count() != 0 {
					t.Fatalf("want a temporary failure: %s %q, %d received", m.State, m.LastError, srv.Count())
				}
				return
			}
			if m.State != model.MailSent {
				t.Fatalf("state %s: %q", m.State, m.LastError)
			}
			got := srv.Messages()[0]
			if got.TLS != c.tls || got.User != c.user {
				t.Errorf("tls %v user %q, want %v %q", got.TLS, got.User, c.tls, c.user)
			}
		})
	}
}

// TestShutdownHandsBackTheBatch: a worker told to stop mid-batch hands the
// messages it has not tried back at once, not counted as attempts, instead
// of leaving them leased.
func TestShutdownHandsBackTheBatch(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, mailtest.Start(t))
		ids := e.enqueue(t, 5, "stop")
		list, err := s.ClaimOutbox(context.Background(), e.clk.Now(), DefaultLease, 10)
		if err != nil || len(list) != 5 {
			t.Fatalf("claim: %d, %v", len(list), err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		e.w.sendBatch(ctx, list)
		for _, id := range ids {
			if m := e.row(t, id); m.State != model.MailPending || m.Attempts != 0 || m.LeaseUntil != nil {
				t.Fatalf("message %d: %s, %d attempts, lease %v", id, m.State, m.Attempts, m.LeaseUntil)
			}
		}
		e.drain(t)
		e.exactlyOnce(t, ids)
	})
}

// TestReplyAddressesPerCase: mail about a case gets its own reply address
// and thread (every mail of one inquiry the same, another inquiry another);
// mail about no case (sign-in) replies to the support address itself.
func TestReplyAddressesPerCase(t *testing.T) {
	e := newEnv(t, testenv.NewStore(t, "sqlite"), mailtest.Start(t))
	ctx := context.Background()
	msgs := samples(e.clk.Now(), "nl")
	other := samples(e.clk.Now(), "nl")[notify.StaffReply]
	other.IdempotencyKey, other.CaseID = "other", 42
	for _, m := range []*model.OutboxMessage{msgs[notify.InquiryReceived], msgs[notify.StaffReply], other, msgs[notify.SignInCustomer]} {
		if _, err := e.s.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	e.drain(t)
	got := map[string]mailtest.Message{}
	for _, m := range e.srv.Messages() {
		got[m.MessageID()] = m
	}
	h := func(m *model.OutboxMessage, k string) string {
		return got[MessageID(e.w.cfg.BaseURL, m)].Header.Get(k)
	}
	a, b := h(msgs[notify.InquiryReceived], "Reply-To"), h(msgs[notify.StaffReply], "Reply-To")
	if a != b || !strings.Contains(a, "help+i41-7-") || h(other, "Reply-To") == a || !strings.Contains(h(other, "Reply-To"), "help+i42-7-") {
		t.Errorf("reply addresses: %q, %q, other inquiry %q", a, b, h(other, "Reply-To"))
	}
	if h(msgs[notify.InquiryReceived], "References") != h(msgs[notify.StaffReply], "References") ||
		h(other, "References") == h(msgs[notify.StaffReply], "References") {
		t.Errorf("threads: %q, %q, other %q", h(msgs[notify.InquiryReceived], "References"),
			h(msgs[notify.StaffReply], "References"), h(other, "References"))
	}
	if rt := h(msgs[notify.SignInCustomer], "Reply-To"); rt != "<help@blomsterhuset.example>" {
		t.Errorf("sign-in Reply-To %q", rt)
	}
	if h(msgs[notify.SignInCustomer], "In-Reply-To") != "" {
		t.Errorf("sign-in mail threaded")
	}
}
