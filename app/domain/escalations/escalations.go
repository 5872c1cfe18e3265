// Package escalations owns a manager's part in a case: escalating it (by
// the customer; by Kedja itself when a promise the business held is
// missed; when the customer says an answer did not solve it), who it goes
// to and how it climbs the management chain one level at a time while no
// one acknowledges it, and what a manager does with it — acknowledge it,
// resolve it, hand the case to someone else. It also runs the automatic
// checks (Check, Watch) that find missed promises and late orders, safely
// with several instances on one database. Each action is one transaction:
// the row, its promises, its timeline event, its outbox email and the live
// events published once it has committed.
package escalations

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// MaxReason bounds the reason a customer gives, in characters.
const MaxReason = 2000

// Refusals of the escalation actions.
var (
	// ErrLongReason means the reason is over MaxReason characters.
	ErrLongReason = refusal.New("reason", "too_long", fmt.Sprintf("the reason is too long (at most %d characters)", MaxReason))
	// ErrNotManager means a staff member tried to act on an escalation that
	// is neither addressed to them nor to someone who reports to them (and
	// they are not an administrator): see MayAct.
	ErrNotManager = refusal.New("", "not_manager", "this escalation is addressed to someone else")
)

// ErrBadSubject means an escalation named neither or both of an order and
// an inquiry.
var ErrBadSubject = errors.New("escalations: escalate exactly one order or inquiry")

// Service carries out the escalation actions. Build one in main and share
// it (the web handlers and the overdue watch use the same one).
type Service struct {
	Store     *store.Store
	Bus       live.Publisher     // nil: nothing is published
	Now       func() time.Time   // the clock
	Location  *time.Location     // the business's time zone (KEDJA_TIMEZONE); nil is UTC
	Inquiries *inquiries.Service // an escalated inquiry's own actions (hand over, reopen, a late order's)
	OnBreach  func()             // called once for each missed promise Check handled (a metric); nil: none
}

// now is the service's clock as Kedja stores times.
func (s *Service) now() time.Time { return model.Normalize(s.Now()) }

// Subject names what is escalated: exactly one of an order (by the shop's
// reference) and an inquiry (by id).
type Subject struct {
	OrderRef  string
	InquiryID int64
}

// MayAct reports whether by may act on the escalation e (acknowledge,
// resolve, hand its case over): the manager it is addressed to, that
// person's own manager, or an administrator. e needs its Manager loaded
// (store.EscalationByID and the escalation lists load it). The actions
// check it themselves; views use it to offer only what will be allowed.
func MayAct(e *model.Escalation, by *model.Staff) bool {
	if by == nil {
		return false
	}
	if by.IsAdmin || e.ManagerID == by.ID {
		return true
	}
	return e.Manager != nil && e.Manager.ManagerID != nil && *e.Manager.ManagerID == by.ID
}

// Late reports whether the open escalation e has waited longer than the
// business's acknowledgement target at now (counted in real hours: the
// promise of its manager to answer, counted in opening hours, is what
// escalates it further).
func Late(e *model.Escalation, st *model.Settings, now time.Time) bool {
	h := st.AckHours
	if h <= 0 {
		h = st.ReplyHours
	}
	return e.State == model.EscalationOpen && now.Sub(e.CreatedAt) > time.Duration(h)*time.Hour
}

// kedja is the actor of what Kedja does by itself.
func kedja() model.Actor { return model.Actor{Kind: model.ActorSystem, Name: "Kedja"} }

// reason is the reason as it is kept, or why it is refused.
func reason(s string) (string, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if len([]rune(s)) > MaxReason {
		return "", ErrLongReason
	}
	return s, nil
}
