// Package mailin holds the rules for email that comes in, by IMAP or the
// built-in SMTP receiver:
//
//   - a reply matched by its reply address (app/mailref) or by its
//     threading headers is added to the case as the customer's message (a
//     resolved inquiry reopens); a reply to an order mail opens an inquiry
//     about that order, or goes to the one already open;
//   - a reply whose sender is not the case's customer, one to a reply
//     address whose token does not match, and new mail from a staff
//     address are held for staff to accept or reject — never added silently;
//   - new mail to the support address from a known customer opens an
//     inquiry (the owner rule picks who holds it); from an unknown address
//     it creates the customer, named from the From header, and the inquiry;
//   - automatic replies and mail from Kedja's own addresses do nothing
//     (no loops); a bounce marks the customer's address as failing.
//
// Each message is handled in one transaction with its row in inbound_mail,
// keyed by Message-ID: a message read again (a crash after the commit and
// before it left the mailbox) is recognised and not added twice.
package mailin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kedja/kedja/app/inmail"
	"github.com/kedja/kedja/app/mailref"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// Cases is what mailin needs of the case rules: open an inquiry and add a
// customer's reply to one (reopening it when resolved). Both run inside
// the transaction tx, which mailin commits with the message's own row.
type Cases interface {
	Open(ctx context.Context, tx *store.Store, customerID int64, subject, body, orderRef string, by model.Actor, now time.Time) (*model.Inquiry, error)
	CustomerReply(ctx context.Context, tx *store.Store, customerID, inquiryID int64, body string, now time.Time) (*model.Message, error)
}

// Limits of what goes into a case, in characters (the case rules' own).
const (
	MaxSubject = 200
	MaxBody    = 20000
)

// ErrUnreadable means a message could not be parsed at all: retrying will
// not help (the IMAP poller files it away, the SMTP receiver refuses it).
var ErrUnreadable = errors.New("mailin: unreadable message")

// Service handles incoming mail.
type Service struct {
	Store *store.Store
	Cases Cases
	Now   func() time.Time
	// Own are Kedja's own sending addresses (KEDJA_MAIL_FROM's); mail from
	// them, from the support address or from a reply address is never
	// handled.
	Own []string
	Log *slog.Logger

	mu     sync.Mutex
	signer *mailref.Signer
}

// Result is what came of one message.
type Result struct {
	Outcome    string // model.Inbound…
	Detail     string
	Duplicate  bool // read before: nothing was done this time
	CustomerID int64
	InquiryID  int64
	HeldID     int64
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return model.Normalize(s.Now())
	}
	return model.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Signer returns the reply-address signer, reading its key once.
func (s *Service) Signer(ctx context.Context) (*mailref.Signer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.signer != nil {
		return s.signer, nil
	}
	key, err := s.Store.Secret(ctx, model.SecretReplyKey)
	if err != nil {
		return nil, err
	}
	if s.signer, err = mailref.New(key); err != nil {
		return nil, err
	}
	return s.signer, nil
}

// Accepts reports whether mail to rcpt is Kedja's to take: the support
// address or one of its plus-addresses (the reply addresses). The SMTP
// receiver refuses every other recipient.
func (s *Service) Accepts(ctx context.Context, rcpt string) (bool, error) {
	st, err := s.Store.Settings(ctx)
	if err != nil {
		return false, err
	}
	return st.SupportEmail != "" && mailref.IsSupport(st.SupportEmail, rcpt), nil
}

// Handle reads one raw message with its envelope and applies the rules, in
// one transaction with the message's inbound_mail row. A message handled
// before (same Message-ID) returns its earlier outcome with Duplicate set.
func (s *Service) Handle(ctx context.Context, raw []byte, env inmail.Envelope) (Result, error) {
	msg, err := inmail.Parse(raw, env)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	st, err := s.Store.Settings(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("mailin: %w", err)
	}
	sig, err := s.Signer(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("mailin: reply key: %w", err)
	}
	now := s.now()
	var res Result
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		row := &model.InboundMail{MessageID: clip(msg.MessageID, 500), FromEmail: clip(msg.FromAddr, 320),
			Subject: clip(msg.Subject, MaxSubject), Outcome: model.InboundIgnored, ReceivedAt: now}
		fresh, err := tx.RecordInbound(ctx, row)
		if err != nil {
			return err
		}
		if !fresh {
			prev, err := tx.InboundByMessageID(ctx, row.MessageID)
			if err != nil {
				return err
			}
			res = Result{Outcome: prev.Outcome, Detail: prev.Detail, Duplicate: true, CustomerID: prev.CustomerID,
				InquiryID: prev.InquiryID, HeldID: prev.HeldID}
			return nil
		}
		h := &handling{s: s, tx: tx, msg: msg, support: st.SupportEmail, sig: sig, now: now}
		if res, err = h.decide(ctx); err != nil {
			return err
		}
		row.Outcome, row.Detail, row.CustomerID, row.InquiryID, row.HeldID = res.Outcome, clip(res.Detail, 1000),
			res.CustomerID, res.InquiryID, res.HeldID
		return tx.SetInboundOutcome(ctx, row)
	})
	if err != nil {
		return Result{}, fmt.Errorf("mailin: handle %s: %w", msg.MessageID, err)
	}
	s.log().Info("mailin: message handled", "message_id", msg.MessageID, "from", msg.FromAddr,
		"outcome", res.Outcome, "detail", res.Detail, "duplicate", res.Duplicate,
		"inquiry", res.InquiryID, "held", res.HeldID)
	return res, nil
}

// handling is one message being decided inside its transaction.
type handling struct {
	s       *Service
	tx      *store.Store
	msg     *inmail.Message
	support string
	sig     *mailref.Signer
	now     time.Time
}

func (h *handling) decide(ctx context.Context) (Result, error) {
	m := h.msg
	switch {
	case m.FromAddr == "":
		return Result{Outcome: model.InboundIgnored, Detail: "no sender"}, nil
	case h.own(m.FromAddr):
		return Result{Outcome: model.InboundOwn, Detail: "from " + m.FromAddr}, nil
	case m.Kind == inmail.KindBounce:
		return h.bounce(ctx)
	case m.Kind == inmail.KindAutoReply:
		return Result{Outcome: model.InboundAutoReply, Detail: m.Why}, nil
	}
	body := firstNonEmpty(m.Reply, m.Text, m.Subject)
	if body == "" {
		return Result{Outcome: model.InboundIgnored, Detail: "no text"}, nil
	}
	body = clip(body, MaxBody)
	ref, forged, err := h.findCase(ctx)
	if err != nil {
		return Result{}, err
	}
	switch {
	case ref.Valid():
		return h.reply(ctx, ref, body)
	case forged:
		return h.hold(ctx, model.HeldBadToken, mailref.Ref{}, body, "reply address with a token that does not match")
	}
	return h.newMail(ctx, body)
}

// own reports whether addr is one of Kedja's: the From address, the support
// address or any of its plus-addresses.
func (h *handling) own(addr string) bool {
	for _, o := range h.s.Own {
		if strings.EqualFold(o, addr) {
			return true
		}
	}
	return h.support != "" && mailref.IsSupport(h.support, addr)
}

// looksSigned matches the detail of a reply address ("i41-7-token").
var looksSigned = regexp.MustCompile(`(?i)^[io]\d+-\d+-[a-z2-7]+$`)

// findCase finds the case a message answers: by a reply address among its
// recipients, else by a thread id or an outbox Message-ID in In-Reply-To
// or References. forged reports a recipient that has the form of a reply
// address but not a matching token.
func (h *handling) findCase(ctx context.Context) (ref mailref.Ref, forged bool, err error) {
	if h.support != "" {
		for _, a := range h.msg.To {
			if r, ok := h.sig.ParseReplyAddress(h.support, a); ok {
				return r, false, nil
			}
			if mailref.IsSupport(h.support, a) {
				local, _, _ := strings.Cut(a, "@")
				if _, detail, ok := strings.Cut(local, "+"); ok && looksSigned.MatchString(detail) {
					forged = true
				}
			}
		}
	}
	if forged {
		return mailref.Ref{}, true, nil
	}
	ids := append(append([]string(nil), h.msg.InReplyTo...), h.msg.References...)
	for i := len(ids) - 1; i >= 0; i-- { // the most recent reference first
		id := ids[i]
		if r, ok := h.sig.ParseThreadID(id); ok {
			return r, false, nil
		}
		n, ok := mailref.ParseOutboxMessageID(id)
		if !ok {
			continue
		}
		row, err := h.tx.OutboxByID(ctx, n)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return mailref.Ref{}, false, err
		}
		_, host, _ := strings.Cut(strings.Trim(id, "<> "), "@")
		if mailref.OutboxMessageID(host, row.ID, row.IdempotencyKey) != strings.Trim(id, "<> ") || row.CaseKind == "" {
			continue
		}
		r := mailref.Ref{Kind: row.CaseKind, ID: row.CaseID, CustomerID: row.CustomerID}
		if r.Valid() {
			return r, false, nil
		}
	}
	return mailref.Ref{}, false, nil
}

// reply adds a reply to its case, or holds it when the sender is not the
// case's customer or the case is gone.
func (h *handling) reply(ctx context.Context, ref mailref.Ref, body string) (Result, error) {
	c, err := h.tx.CustomerByID(ctx, ref.CustomerID)
	if errors.Is(err, store.ErrNotFound) {
		return h.hold(ctx, model.HeldNoCase, ref, body, "the case's customer is gone")
	}
	if err != nil {
		return Result{}, err
	}
	if !strings.EqualFold(strings.TrimSpace(c.Email), h.msg.FromAddr) {
		return h.hold(ctx, model.HeldForeignSender, ref, body,
			fmt.Sprintf("a reply to %s %d from %s, not from its customer", ref.Kind, ref.ID, h.msg.FromAddr))
	}
	if err := h.tx.ClearAddressProblem(ctx, c.ID); err != nil {
		return Result{}, err
	}
	switch ref.Kind {
	case mailref.KindInquiry:
		if _, err := h.tx.InquiryForCustomer(ctx, c.ID, ref.ID); errors.Is(err, store.ErrNotFound) {
			return h.hold(ctx, model.HeldNoCase, ref, body, "the inquiry is gone")
		} else if err != nil {
			return Result{}, err
		}
		if _, err := h.s.Cases.CustomerReply(ctx, h.tx, c.ID, ref.ID, body, h.now); err != nil {
			return Result{}, err
		}
		return Result{Outcome: model.InboundReplied, Detail: "reply to inquiry", CustomerID: c.ID, InquiryID: ref.ID}, nil
	default:
		o, err := h.tx.OrderByID(ctx, ref.ID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && o.CustomerID != c.ID) {
			return h.hold(ctx, model.HeldNoCase, ref, body, "the order is gone")
		}
		if err != nil {
			return Result{}, err
		}
		return h.aboutOrder(ctx, c, o, body, model.Actor{Kind: model.ActorCustomer, Name: c.Name})
	}
}

// aboutOrder adds mail about an order to the inquiry about it that is
// still open, or opens one.
func (h *handling) aboutOrder(ctx context.Context, c *model.Customer, o *model.Order, body string, by model.Actor) (Result, error) {
	list, err := h.tx.InquiriesAboutOrder(ctx, c.ID, o.ID)
	if err != nil {
		return Result{}, err
	}
	for _, q := range list {
		if q.IsOpen || q.Status != model.InquiryResolved {
			if _, err := h.s.Cases.CustomerReply(ctx, h.tx, c.ID, q.ID, body, h.now); err != nil {
				return Result{}, err
			}
			return Result{Outcome: model.InboundReplied, Detail: "reply about order " + o.Ref, CustomerID: c.ID, InquiryID: q.ID}, nil
		}
	}
	q, err := h.s.Cases.Open(ctx, h.tx, c.ID, subjectOr(h.msg.Subject, o.Ref), body, o.Ref, by, h.now)
	if err != nil {
		return Result{}, err
	}
	return Result{Outcome: model.InboundOpened, Detail: "inquiry about order " + o.Ref, CustomerID: c.ID, InquiryID: q.ID}, nil
}

// newMail opens an inquiry for mail to the support address that answers
// no case: for the customer with that address, created when unknown.
func (h *handling) newMail(ctx context.Context, body string) (Result, error) {
	if _, err := h.tx.StaffByEmail(ctx, h.msg.FromAddr); err == nil {
		return h.hold(ctx, model.HeldFromStaff, mailref.Ref{}, body, "new mail from a staff address")
	} else if !errors.Is(err, store.ErrNotFound) {
		return Result{}, err
	}
	c, err := h.customer(ctx, h.msg.FromAddr, h.msg.FromName)
	if err != nil {
		return Result{}, err
	}
	q, err := h.s.Cases.Open(ctx, h.tx, c.ID, subjectOr(h.msg.Subject, body), body, "",
		model.Actor{Kind: model.ActorCustomer, Name: c.Name}, h.now)
	if err != nil {
		return Result{}, err
	}
	return Result{Outcome: model.InboundOpened, Detail: "new mail", CustomerID: c.ID, InquiryID: q.ID}, nil
}

// customer finds the customer with address addr, or creates them named
// name (the address's local part when the mail gave none).
func (h *handling) customer(ctx context.Context, addr, name string) (*model.Customer, error) {
	c, err := h.tx.CustomerByEmail(ctx, addr)
	if err == nil {
		return c, h.tx.ClearAddressProblem(ctx, c.ID)
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if name = strings.TrimSpace(name); name == "" {
		name, _, _ = strings.Cut(addr, "@")
	}
	c, _, err = h.tx.UpsertCustomer(ctx, addr, clip(name, 200), "")
	return c, err
}

// hold keeps a message for staff.
func (h *handling) hold(ctx context.Context, reason string, ref mailref.Ref, body, detail string) (Result, error) {
	hm := &model.HeldMail{MessageID: clip(h.msg.MessageID, 500), FromEmail: h.msg.FromAddr, FromName: clip(h.msg.FromName, 200),
		Subject: clip(h.msg.Subject, MaxSubject), Body: body, Reason: reason, ReceivedAt: h.now}
	if ref.Valid() {
		hm.CaseKind, hm.CaseID, hm.CustomerID = ref.Kind, ref.ID, ref.CustomerID
		if reason == model.HeldNoCase {
			hm.CustomerID = 0 // the customer may be gone too
		}
	}
	if err := h.tx.InsertHeldMail(ctx, hm); err != nil {
		return Result{}, err
	}
	return Result{Outcome: model.InboundHeld, Detail: detail, CustomerID: hm.CustomerID, HeldID: hm.ID}, nil
}

// bounce marks the addresses a delivery report names as failing, for the
// customers who have them.
func (h *handling) bounce(ctx context.Context) (Result, error) {
	var marked []string
	for _, a := range h.msg.Failed {
		c, err := h.tx.CustomerByEmail(ctx, a)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return Result{}, err
		}
		if err := h.tx.MarkAddressFailing(ctx, c.ID, a, h.msg.FailedReason, h.now); err != nil {
			return Result{}, err
		}
		marked = append(marked, a)
	}
	d := h.msg.Why
	if len(marked) > 0 {
		d += "; failing: " + strings.Join(marked, ", ")
	}
	return Result{Outcome: model.InboundBounce, Detail: d}, nil
}

// replyPrefix is what mail clients put before a subject they answer or
// forward, in the languages Kedja's customers use.
var replyPrefix = regexp.MustCompile(`(?i)^\s*(re|sv|aw|antw|antwoord|vs|vb|fw|fwd|wg|doorst|tr)\s*(\[\d+\])?\s*:\s*`)

// subjectOr is the subject without "Re:"/"SV:"/"Antw:" prefixes, or the
// first line of fallback when that leaves nothing.
func subjectOr(subject, fallback string) string {
	for {
		s := replyPrefix.ReplaceAllString(subject, "")
		if s == subject {
			break
		}
		subject = s
	}
	subject = strings.TrimSpace(subject)
	if subject == "" {
		subject, _, _ = strings.Cut(strings.TrimSpace(fallback), "\n")
		subject = clip(strings.TrimSpace(subject), 80)
	}
	return clip(subject, MaxSubject)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
