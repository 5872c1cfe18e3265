// Package inquiries owns a customer's questions from opening to resolving:
// opening one (by the customer, or by a staff member who writes it down for
// them), the replies of both sides, internal notes, handing it to a
// colleague, waiting on a third party, and resolving it. Each action is one
// transaction: the row, its timeline event, its outbox email and the live
// events published once it has committed.
package inquiries

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kedja/kedja/app/domain/refusal"
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
	ErrNoParty         = refusal.New("party", "required", "name the third party")
	ErrLongParty       = refusal.New("party", "too_long", "the party's name is too long")
	ErrBadDate         = refusal.New("expected", "invalid", "give the expected date as YYYY-MM-DD")
	ErrAlreadyResolved = refusal.New("", "resolved", "the inquiry is already resolved")
)

// Service carries out the inquiry actions. Build one in main and share it.
type Service struct {
	Store    *store.Store
	Bus      live.Publisher   // nil: nothing is published
	Now      func() time.Time // the clock
	Location *time.Location   // the business's time zone, for third parties' dates; nil is UTC
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

// replyDue is when the business owes the next reply.
func replyDue(st *model.Settings, now time.Time) *time.Time {
	hours := 24
	if st != nil && st.ReplyHours > 0 {
		hours = st.ReplyHours
	}
	t := now.Add(time.Duration(hours) * time.Hour)
	return &t
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
