// Package inquiries owns a customer's questions from opening to resolving:
// opening one (by the customer, by a staff member who writes it down for
// them, or by Kedja for a late order; "this did not arrive"), the replies
// of both sides with the next step each staff reply sets, internal notes,
// handing it to a colleague, waiting on a third party, moving a deadline,
// resolving it with an answer the customer can read, and reopening it.
// Each action is one transaction: the row, its next step and promises
// (app/domain/promises), its timeline event, its outbox email and the live
// events published once it has committed.
package inquiries

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kedja/kedja/app/domain/hours"
	"github.com/kedja/kedja/app/domain/promises"
	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// Limits on what people write, in characters.
const (
	MaxSubject = 200
	MaxBody    = 20000
	MaxParty   = 200
)

// Refusals of the inquiry actions.
var (
	ErrNoSubject       = refusal.New("subject", "required", "give the inquiry a subject, such as “Invoice copy”")
	ErrLongSubject     = refusal.New("subject", "too_long", fmt.Sprintf("the subject is too long (at most %d characters)", MaxSubject))
	ErrNoQuestion      = refusal.New("body", "required", "write down what the customer asked, in their words")
	ErrLongQuestion    = refusal.New("body", "too_long", fmt.Sprintf("the question is too long (at most %d characters)", MaxBody))
	ErrNotTheirOrder   = refusal.New("order_ref", "not_theirs", "that order is not one of this customer's: choose one of theirs, or none")
	ErrEmptyBody       = refusal.New("body", "required", "write a message first")
	ErrLongBody        = refusal.New("body", "too_long", fmt.Sprintf("the message is too long (at most %d characters)", MaxBody))
	ErrNoParty         = promises.ErrNoParty
	ErrLongParty       = promises.ErrLongParty
	ErrBadDate         = promises.ErrBadDay
	ErrAlreadyResolved = refusal.New("", "resolved", "the inquiry is already resolved")
	ErrNoAnswer        = refusal.New("body", "required", "write the answer, or why the inquiry is closed: the customer reads it")
	ErrNotResolved     = refusal.New("", "not_resolved", "the inquiry is not resolved")
	ErrReopenExpired   = refusal.New("", "reopen_expired", "it is more than 14 days since this was resolved: write a reply to open it again")
	ErrNotDelivered    = refusal.New("", "not_delivered", "the order has not been reported delivered")
	ErrLongComment     = refusal.New("comment", "too_long", fmt.Sprintf("the comment is too long (at most %d characters)", MaxBody))
)

// Service carries out the inquiry actions. Build one in main and share it.
type Service struct {
	Store    *store.Store
	Bus      live.Publisher   // nil: nothing is published
	Now      func() time.Time // the clock
	Location *time.Location   // the business's time zone (KEDJA_TIMEZONE): opening hours, dates; nil is UTC
	Catalog  *i18n.Catalog    // words of what Kedja writes for the customer; nil loads the embedded one
}

// On is the service working inside tx: its actions join that transaction
// (another package's action, such as an escalation, that opens or reopens
// an inquiry as part of itself).
func (s *Service) On(tx *store.Store) *Service {
	c := *s
	c.Store = tx
	return &c
}

// clock reads the business's opening hours and targets inside tx.
func (s *Service) clock(ctx context.Context, tx *store.Store) (hours.Clock, error) {
	return hours.Load(ctx, tx, s.Location)
}

// words is the catalog of customer-facing texts.
func (s *Service) words() (*i18n.Catalog, error) {
	if s.Catalog != nil {
		return s.Catalog, nil
	}
	return i18n.Load()
}

// now is the service's clock as Kedja stores times.
func (s *Service) now() time.Time { return model.Normalize(s.Now()) }

// multiline is typed text as it is kept: line ends as "\n", no surrounding
// space.
func multiline(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }

// oneLine is typed text that is one line (a subject, a name): every run of
// space a single space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// check is s, unless it is empty (empty) or longer than max characters
// (long).
func check(s string, max int, empty, long refusal.Refusal) (string, error) {
	switch {
	case s == "":
		return "", empty
	case utf8.RuneCountInString(s) > max:
		return "", long
	}
	return s, nil
}

// refresh writes the inquiry's next step and outstanding promises into its
// own columns, which the queue and the lists read: its status says who
// holds it (staff: open; the customer; a third party, named with its
// date), and its reply-due time is the earliest deadline the business
// still owes (a missed one first). A resolved inquiry keeps its status.
func refresh(ctx context.Context, tx *store.Store, q *model.Inquiry) error {
	list, err := tx.OutstandingPromises(ctx, store.InquiryCase(q.ID))
	if err != nil {
		return err
	}
	if q.Status == model.InquiryResolved {
		q.ReplyDueAt, q.ThirdPartyName, q.ThirdPartyExpected = nil, "", ""
		return nil
	}
	q.Status, q.ReplyDueAt, q.ThirdPartyName, q.ThirdPartyExpected = model.InquiryOpen, nil, "", ""
	for _, p := range list {
		if p.IsNext {
			switch p.HolderKind {
			case model.HolderCustomer:
				q.Status = model.InquiryWaitingCustomer
			case model.HolderThirdParty:
				q.Status, q.ThirdPartyName, q.ThirdPartyExpected = model.InquiryWaitingThirdParty, p.HolderName, p.DueDay
			}
		}
		if p.DueAt != nil && (q.ReplyDueAt == nil || p.DueAt.Before(*q.ReplyDueAt)) {
			d := *p.DueAt
			q.ReplyDueAt = &d
		}
	}
	return nil
}

// owes reports whether the business owes the customer anything on the
// case: a promise it holds, open or missed and unsettled.
func owes(ctx context.Context, tx *store.Store, c promises.Case) (bool, error) {
	list, err := tx.OutstandingPromises(ctx, c.Key())
	if err != nil {
		return false, err
	}
	for _, p := range list {
		if p.BusinessHeld() {
			return true, nil
		}
	}
	return false, nil
}

// ownerOf is the inquiry's owner, loaded.
func ownerOf(ctx context.Context, tx *store.Store, q *model.Inquiry) (*model.Staff, error) {
	if q.Owner != nil && q.Owner.ID == q.OwnerID {
		return q.Owner, nil
	}
	own, err := tx.StaffByID(ctx, q.OwnerID)
	if err != nil {
		return nil, err
	}
	q.Owner = own
	return own, nil
}

// load reads the inquiry with its customer inside tx.
func load(ctx context.Context, tx *store.Store, id int64) (*model.Inquiry, error) {
	q, err := tx.InquiryByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if q.Customer == nil {
		if q.Customer, err = tx.CustomerByID(ctx, q.CustomerID); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// save stamps the inquiry's activity time and writes it.
func save(ctx context.Context, tx *store.Store, q *model.Inquiry, now time.Time) error {
	q.UpdatedAt, q.LastActivityAt = now, now
	return tx.UpdateInquiry(ctx, q)
}

// changed tells the customer's pages and the staff views that q changed,
// once tx has committed.
func (s *Service) changed(tx *store.Store, q *model.Inquiry) {
	live.CaseChanged(tx, s.Bus, q.CustomerID, live.InquiryEvent(q.ID))
}

// Sync writes the next step and promises of inquiry id into its own
// columns inside tx, after another action (an escalation, the breach
// check) changed its promises.
func (s *Service) Sync(ctx context.Context, tx *store.Store, id int64) error {
	q, err := tx.InquiryByID(ctx, id)
	if err != nil {
		return err
	}
	if err := refresh(ctx, tx, q); err != nil {
		return err
	}
	return tx.UpdateInquiry(ctx, q)
}
