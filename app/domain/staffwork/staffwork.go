// Package staffwork holds what staff do to an inquiry from the admin view:
// reply, note, hand off, wait on a third party, resolve; and deactivating a
// colleague. Each action is one transaction with its timeline event (naming
// who did it), its outbox email and the live events published after commit.
package staffwork

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// Publisher is the part of the live bus the actions need.
type Publisher interface {
	Publish(topic string, ev live.Event)
}

// Validation errors; the web layer shows their text next to the form.
var (
	ErrEmptyBody      = errors.New("write a message first")
	ErrNoParty        = errors.New("name the third party")
	ErrBadDate        = errors.New("give the expected date as YYYY-MM-DD")
	ErrInactiveOwner  = errors.New("that staff member is no longer active")
	ErrSameOwner      = errors.New("the inquiry already belongs to that staff member")
	ErrSelf           = errors.New("you cannot deactivate yourself")
	ErrAlreadyClosed  = errors.New("the inquiry is already resolved")
	ErrAlreadyStopped = errors.New("that staff member is already inactive")
)

// MaxBody bounds a reply or note, in bytes.
const MaxBody = 20000

// Event kinds written by this package (besides owner's "handoff").
const (
	KindStaffReplied  = "staff_replied"
	KindNoteAdded     = "note_added"
	KindStatusChanged = "status_changed"
)

// publishInquiry tells the customer's pages and the staff queue that an
// inquiry changed, once the transaction has committed.
func publishInquiry(tx *store.Store, bus Publisher, q *model.Inquiry) {
	if bus == nil {
		return
	}
	cust, id := q.CustomerID, q.ID
	tx.AfterCommit(func() {
		bus.Publish(live.CustomerTopic(cust), live.Event{Name: live.InquiryEvent(id)})
		bus.Publish(live.CustomerTopic(cust), live.Event{Name: "dashboard"})
		bus.Publish(live.StaffTopic, live.Event{Name: live.InquiryEvent(id)})
		bus.Publish(live.StaffTopic, live.Event{Name: "queue"})
	})
}

// mailLocale is the language of an email to a customer: theirs when known,
// else the business default.
func mailLocale(ctx context.Context, s *store.Store, c *model.Customer) string {
	if i18n.Supported(c.Locale) {
		return c.Locale
	}
	if st, err := s.Settings(ctx); err == nil && i18n.Supported(st.DefaultLocale) {
		return st.DefaultLocale
	}
	return "en"
}

// loadInquiry reads the inquiry with its customer inside tx.
func loadInquiry(ctx context.Context, tx *store.Store, id int64) (*model.Inquiry, error) {
	q, err := tx.InquiryByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("staffwork: %w", err)
	}
	if q.Customer == nil {
		if q.Customer, err = tx.CustomerByID(ctx, q.CustomerID); err != nil {
			return nil, fmt.Errorf("staffwork: %w", err)
		}
	}
	return q, nil
}

func cleanBody(body string) (string, error) {
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	if body == "" {
		return "", ErrEmptyBody
	}
	if len(body) > MaxBody {
		return "", fmt.Errorf("the message is too long (at most %d characters)", MaxBody)
	}
	return body, nil
}

func idStr(n int64) string { return strconv.FormatInt(n, 10) }

// saveInquiry stamps the inquiry's activity time and writes it.
func saveInquiry(ctx context.Context, tx *store.Store, q *model.Inquiry, now time.Time) error {
	q.UpdatedAt, q.LastActivityAt = now, now
	return tx.UpdateInquiry(ctx, q)
}

// staffTopicInquiry is the staff-only event of one inquiry changing.
func staffTopicInquiry(id int64) (string, live.Event) {
	return live.StaffTopic, live.Event{Name: live.InquiryEvent(id)}
}
