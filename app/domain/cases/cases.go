// Package cases holds what a customer does with their cases — opening an
// inquiry, replying, escalating an order or inquiry to a manager — and what
// the manager does with an escalation (acknowledge, resolve). Each action is
// one transaction: the row, its timeline event, its outbox email, and the
// live events published once it has committed.
package cases

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// Publisher is the part of the live bus the actions need (a live.Bus is one).
type Publisher interface {
	Publish(topic string, ev live.Event)
}

// Timeline event kinds written by this package.
const (
	KindInquiryOpened          = "inquiry_opened"
	KindCustomerReplied        = "customer_replied"
	KindStatusChanged          = "status_changed"
	KindEscalated              = "escalated"
	KindEscalationAcknowledged = "escalation_acknowledged"
	KindEscalationResolved     = "escalation_resolved"
)

// Limits on what a customer writes, in characters.
const (
	MaxSubject = 200
	MaxBody    = 20000
	MaxReason  = 2000
)

// FieldError is a validation error on one form field. Code names the problem
// ("required", "too_long"); the web layer words it in the reader's language
// and shows it next to the field.
type FieldError struct {
	Field string
	Code  string
}

func (e *FieldError) Error() string { return "cases: " + e.Field + ": " + e.Code }

// ErrNotManager means a staff member tried to act on an escalation that is
// neither addressed to them nor to someone who reports to them (and they are
// not an administrator).
var ErrNotManager = errors.New("this escalation is addressed to someone else")

// ErrBadSubject means an escalation named neither or both of an order and an
// inquiry.
var ErrBadSubject = errors.New("cases: escalate exactly one order or inquiry")

// cleanText normalises line ends and surrounding space and checks length.
func cleanText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if s == "" {
		return "", &FieldError{Field: field, Code: "required"}
	}
	if utf8.RuneCountInString(s) > max {
		return "", &FieldError{Field: field, Code: "too_long"}
	}
	return s, nil
}

// mailLocale is the language of an email to a customer: theirs when known,
// else the business default, else English.
func mailLocale(c *model.Customer, st *model.Settings) string {
	if i18n.Supported(c.Locale) {
		return c.Locale
	}
	if st != nil && i18n.Supported(st.DefaultLocale) {
		return st.DefaultLocale
	}
	return "en"
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

// publish tells the customer's pages (the case and the dashboard) and the
// staff views that a case changed, once the transaction has committed.
func publish(tx *store.Store, bus Publisher, customerID int64, names ...string) {
	if bus == nil {
		return
	}
	tx.AfterCommit(func() {
		topic := live.CustomerTopic(customerID)
		for _, n := range names {
			bus.Publish(topic, live.Event{Name: n})
		}
		bus.Publish(topic, live.Event{Name: "dashboard"})
		for _, n := range names {
			bus.Publish(live.StaffTopic, live.Event{Name: n})
		}
		bus.Publish(live.StaffTopic, live.Event{Name: "queue"})
	})
}

func idStr(n int64) string { return strconv.FormatInt(n, 10) }

// Fields returns the form fields err complains about, field -> code, or nil
// when err is not a validation error.
func Fields(err error) map[string]string {
	var many FieldErrors
	if errors.As(err, &many) {
		return many.Fields()
	}
	var one *FieldError
	if errors.As(err, &one) {
		return map[string]string{one.Field: one.Code}
	}
	return nil
}
