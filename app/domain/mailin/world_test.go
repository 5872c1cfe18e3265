package mailin_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/cli"
	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/domain/mailin"
	"github.com/kedja/kedja/app/inmail"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/mailref"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/mailer/smtpin"
)

const support = "help@blomsterhuset.example"

// person is a customer the fixtures of one language write as.
type person struct {
	lang, name, email string
	c                 *model.Customer
	q                 *model.Inquiry
}

// world is a business with two staff members, a customer per fixture
// language with an open inquiry each, an order of Ann's, and the mail-in
// service behind a real SMTP receiver.
type world struct {
	s      *store.Store
	svc    *mailin.Service
	sig    *mailref.Signer
	now    time.Time
	anna   *model.Staff
	people map[string]*person // by language
	order  *model.Order
	rxAddr string
}

func newWorld(t testing.TB, s *store.Store) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{s: s, now: time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)}
	st, err := s.EnsureSettings(ctx, "Blomsterhuset")
	if err != nil {
		t.Fatal(err)
	}
	st.SupportEmail = support
	if err := s.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*model.Staff{
		{Email: "anna@blomsterhuset.example", FullName: "Anna Holm", Title: "Florist", Active: true},
		{Email: "mette@blomsterhuset.example", FullName: "Mette Lund", Title: "Store manager", Active: true, IsAdmin: true},
	} {
		if _, err := s.SaveStaff(ctx, p); err != nil {
			t.Fatal(err)
		}
		if w.anna == nil {
			w.anna = p
		}
	}
	bus := live.NewHub()
	w.svc = &mailin.Service{Store: s, Cases: cli.MailCases{Bus: bus}, Now: func() time.Time { return w.now },
		Own: []string{"no-reply@blomsterhuset.example"}, Log: slog.New(slog.DiscardHandler)}
	w.people = map[string]*person{
		"en": {lang: "en", name: "Ann Jensen", email: "ann.jensen@example.com"},
		"sv": {lang: "sv", name: "Åsa Lindström", email: "asa.lindstrom@example.se"},
		"da": {lang: "da", name: "Søren Ærø", email: "soren.aero@example.dk"},
		"nl": {lang: "nl", name: "Joëlle de Vries", email: "joelle.devries@example.nl"},
	}
	for _, p := range w.people {
		c, _, err := s.UpsertCustomer(ctx, p.email, p.name, p.lang)
		if err != nil {
			t.Fatal(err)
		}
		p.c = c
		opened := w.now.Add(-2 * time.Hour)
		inq := &inquiries.Service{Store: s, Bus: bus, Now: func() time.Time { return opened }}
		q, err := inq.Open(ctx, c.ID, inquiries.Question{Subject: "Fakturakopi", Body: "Kan jeg få en kopi af fakturaen?"},
			model.Actor{Kind: model.ActorCustomer, Name: c.Name})
		if err != nil {
			t.Fatal(err)
		}
		p.q = q
	}
	w.order = &model.Order{Ref: "BQ-1001", CustomerID: w.people["en"].c.ID, OwnerID: w.anna.ID, Status: model.OrderDelivered,
		Items: []model.Item{{Name: "Condolence bouquet, white", Quantity: 1}}, LastActivityAt: w.now, CreatedAt: w.now, UpdatedAt: w.now}
	if err := s.InsertOrder(ctx, w.order); err != nil {
		t.Fatal(err)
	}
	if w.sig, err = w.svc.Signer(ctx); err != nil {
		t.Fatal(err)
	}
	rx := smtpin.New("portal.blomsterhuset.example", w.svc, w.svc.Log, smtpin.WithMaxBytes(1<<20))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w.rxAddr = ln.Addr().String()
	go func() { _ = rx.Serve(ln) }()
	t.Cleanup(func() { _ = rx.Close() })
	return w
}

func (w *world) replyAddress(p *person) string {
	return w.sig.ReplyAddress(support, mailref.Ref{Kind: mailref.KindInquiry, ID: p.q.ID, CustomerID: p.c.ID})
}

func (w *world) threadID(p *person) string {
	return w.sig.ThreadID("portal.blomsterhuset.example", mailref.Ref{Kind: mailref.KindInquiry, ID: p.q.ID, CustomerID: p.c.ID})
}

// outboxID is the Message-ID of the "inquiry received" mail p got.
func (w *world) outboxID(t testing.TB, p *person) string {
	t.Helper()
	m, err := w.s.OutboxByKey(context.Background(), "inquiry-received:inquiry:"+fmt.Sprint(p.q.ID))
	if err != nil {
		t.Fatal(err)
	}
	return mailref.OutboxMessageID("portal.blomsterhuset.example", m.ID, m.IdempotencyKey)
}

// fixture reads a raw message of app/inmail's testdata with its
// placeholders filled in.
func fixture(t testing.TB, path, replyAddress, threadID, messageID string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "inmail", "testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer("__REPLY_ADDRESS__", replyAddress, "__THREAD_ID__", threadID,
		"__MESSAGE_ID__", messageID).Replace(string(b)))
}

func want(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "inmail", "testdata", "replies", name+".want"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// sendSMTP delivers raw to the receiver with a real SMTP client.
func (w *world) sendSMTP(t testing.TB, from string, to []string, raw []byte) error {
	t.Helper()
	return smtp.SendMail(w.rxAddr, nil, from, to, raw)
}

// messages returns an inquiry's conversation.
func (w *world) messages(t testing.TB, inquiryID int64) []*model.Message {
	t.Helper()
	list, err := w.s.Messages(context.Background(), inquiryID, true)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func (w *world) inquiry(t testing.TB, id int64) *model.Inquiry {
	t.Helper()
	q, err := w.s.InquiryByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// handle runs a message through the rules directly (as the IMAP poller does).
func (w *world) handle(t testing.TB, raw []byte) mailin.Result {
	t.Helper()
	res, err := w.svc.Handle(context.Background(), raw, inmail.Envelope{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// countInquiries counts every inquiry.
func (w *world) countInquiries(t testing.TB) int {
	t.Helper()
	n, err := w.s.IDB().NewSelect().Model((*model.Inquiry)(nil)).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func (w *world) countOutbox(t testing.TB) int {
	t.Helper()
	n, err := w.s.IDB().NewSelect().Model((*model.OutboxMessage)(nil)).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
