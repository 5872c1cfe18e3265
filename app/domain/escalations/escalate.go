package escalations

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/app/domain/hours"
	"github.com/kedja/kedja/app/domain/promises"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// escalated is an escalated case, loaded: an order or an inquiry.
type escalated struct {
	order   *model.Order
	inquiry *model.Inquiry
}

func (k escalated) ownerID() int64 {
	if k.order != nil {
		return k.order.OwnerID
	}
	return k.inquiry.OwnerID
}

func (k escalated) customerID() int64 {
	if k.order != nil {
		return k.order.CustomerID
	}
	return k.inquiry.CustomerID
}

// subject is the stored subject of an escalation of the case.
func (k escalated) subject() string {
	if k.order != nil {
		return model.OrderSubject(k.order.ID)
	}
	return model.InquirySubject(k.inquiry.ID)
}

// mail is the case as messages name and link it.
func (k escalated) mail() notify.Case { return notify.Case{Order: k.order, Inquiry: k.inquiry} }

// promised is the case as its promises name it.
func (k escalated) promised() promises.Case {
	if k.order != nil {
		return promises.OfOrder(k.order)
	}
	return promises.OfInquiry(k.inquiry)
}

// liveName is the live event of the case changing.
func (k escalated) liveName() string {
	if k.order != nil {
		return live.OrderEvent(k.order.Ref)
	}
	return live.InquiryEvent(k.inquiry.ID)
}

// event is a timeline event on the case.
func (k escalated) event(customerID int64, kind string, data map[string]string, now time.Time) *model.Event {
	e := &model.Event{CustomerID: customerID, Kind: kind, Data: data, CustomerVisible: true, CreatedAt: now}
	if k.order != nil {
		e.OrderID = &k.order.ID
	} else {
		e.InquiryID = &k.inquiry.ID
	}
	return e
}

func (k escalated) touch(ctx context.Context, tx *store.Store, now time.Time) error {
	if k.order != nil {
		return tx.TouchOrder(ctx, k.order.ID, now)
	}
	return tx.TouchInquiry(ctx, k.inquiry.ID, now)
}

// loadForCustomer reads the subject scoped to the customer.
func loadForCustomer(ctx context.Context, tx *store.Store, customerID int64, sub Subject) (escalated, error) {
	ref := strings.TrimSpace(sub.OrderRef)
	switch {
	case ref != "" && sub.InquiryID == 0:
		o, err := tx.OrderForCustomer(ctx, customerID, ref)
		return escalated{order: o}, err
	case ref == "" && sub.InquiryID != 0:
		q, err := tx.InquiryForCustomer(ctx, customerID, sub.InquiryID)
		return escalated{inquiry: q}, err
	}
	return escalated{}, ErrBadSubject
}

// loadOf reads the case an escalation is about.
func loadOf(ctx context.Context, tx *store.Store, e *model.Escalation) (escalated, error) {
	return loadCase(ctx, tx, e.OrderID, e.InquiryID)
}

// loadCase reads the order or the inquiry with this id.
func loadCase(ctx context.Context, tx *store.Store, orderID, inquiryID *int64) (escalated, error) {
	if orderID != nil {
		o, err := tx.OrderByID(ctx, *orderID)
		return escalated{order: o}, err
	}
	if inquiryID != nil {
		q, err := tx.InquiryByID(ctx, *inquiryID)
		return escalated{inquiry: q}, err
	}
	return escalated{}, errors.New("no case")
}

// pickManager is who an escalation goes to first: the owner's manager when
// active, else the business's manager of last resort when active, else the
// longest-serving active administrator, else (a business of one) the owner.
func pickManager(ctx context.Context, tx *store.Store, ownerID int64, st *model.Settings) (*model.Staff, error) {
	own, err := tx.StaffByID(ctx, ownerID)
	if err != nil {
		return nil, err
	}
	if own.ManagerID != nil && *own.ManagerID != own.ID {
		if m, err := tx.StaffByID(ctx, *own.ManagerID); err == nil && m.Active {
			return m, nil
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if st.LastResortManagerID != nil {
		if m, err := tx.StaffByID(ctx, *st.LastResortManagerID); err == nil && m.Active {
			return m, nil
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	m, err := tx.FallbackManager(ctx, own.ID)
	if err == nil {
		return m, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if own.Active {
		return own, nil
	}
	return nil, fmt.Errorf("no active manager to escalate to: %w", store.ErrNotFound)
}

// above is who is one level up from m in the management chain: m's
// manager, else the business's manager of last resort — active, and not
// someone the escalation has been with already (visited). nil: m is at the
// top.
func above(ctx context.Context, tx *store.Store, m *model.Staff, visited []int64, st *model.Settings) (*model.Staff, error) {
	try := func(id *int64) (*model.Staff, error) {
		if id == nil || *id == m.ID || slices.Contains(visited, *id) {
			return nil, nil
		}
		s, err := tx.StaffByID(ctx, *id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !s.Active) {
			return nil, nil
		}
		return s, err
	}
	if s, err := try(m.ManagerID); s != nil || err != nil {
		return s, err
	}
	return try(st.LastResortManagerID)
}

// path is the ids of the managers an escalation has been with.
func path(e *model.Escalation) []int64 {
	var ids []int64
	for _, f := range strings.Split(e.Visited, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	if !slices.Contains(ids, e.ManagerID) {
		ids = append(ids, e.ManagerID)
	}
	return ids
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// errAlreadyOpen ends the transaction of a double submit that lost the race
// for the unique index; the escalation that won is returned instead.
var errAlreadyOpen = errors.New("an escalation is already open")

// Escalate asks a manager to step in on one of the customer's orders or
// inquiries (another customer's is store.ErrNotFound). The first time it
// goes to the owner's manager (see pickManager). While an escalation of the
// case waits for its manager to acknowledge it, it is returned with
// created=false and nothing changes or is sent — also when two submits race
// (a unique index decides). Once a manager has acknowledged or resolved it,
// escalating again reaches the next level up (the manager's manager, then
// the manager of last resort); at the top it goes back to the same manager
// to answer again. The manager has the acknowledgement target (in opening
// hours) to answer; the timeline names them, and they are emailed at once.
func (s *Service) Escalate(ctx context.Context, customerID int64, sub Subject, why string, by model.Actor) (*model.Escalation, bool, error) {
	why, err := reason(why)
	if err != nil {
		return nil, false, err
	}
	if by.Kind == "" {
		by.Kind = model.ActorCustomer
	}
	now := s.now()
	var e *model.Escalation
	created := false
	var subject string
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		k, err := loadForCustomer(ctx, tx, customerID, sub)
		if err != nil {
			return err
		}
		subject = k.subject()
		st, clock, err := s.business(ctx, tx)
		if err != nil {
			return err
		}
		cause := model.CauseCustomer
		if by.Kind == model.ActorStaff {
			cause = model.CauseStaff
		}
		if open, err := tx.OpenEscalation(ctx, subject); err == nil {
			if open.State == model.EscalationOpen {
				e = open
				return nil
			}
			// Acknowledged, and the customer asks again: one level up.
			moved, err := s.climb(ctx, tx, k, open, st, clock, climbAgain, why, nil, by, now)
			if err != nil {
				return err
			}
			if !moved {
				// Another submit climbed it first: show the customer where.
				if open, err = tx.EscalationByID(ctx, open.ID); err != nil {
					return err
				}
			}
			e, created = open, moved
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		mgr, level, visited, err := s.firstManager(ctx, tx, k, st)
		if err != nil {
			return err
		}
		e = &model.Escalation{Subject: subject, CustomerID: customerID, RequestedByKind: by.Kind,
			RequestedByStaffID: by.StaffID, ManagerID: mgr.ID, Reason: why, State: model.EscalationOpen,
			CreatedAt: now, Manager: mgr, Cause: cause, Level: level, Visited: joinIDs(append(visited, mgr.ID))}
		if _, err := s.open(ctx, tx, k, e, nil, nil, clock.AckBy(now), by, now); err != nil {
			return err
		}
		created = true
		return nil
	})
	if errors.Is(err, errAlreadyOpen) {
		// The other submit committed first: show the customer that one.
		open, err := s.Store.OpenEscalation(ctx, subject)
		if err != nil {
			return nil, false, fmt.Errorf("escalations: escalate: %w", err)
		}
		return open, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("escalations: escalate: %w", err)
	}
	return e, created, nil
}

// firstManager is who a new escalation of the case goes to: after a
// resolved one, the manager one level above that one's last manager (at
// the top, that manager again); else the owner's manager (pickManager).
// It returns the level and the managers already passed.
func (s *Service) firstManager(ctx context.Context, tx *store.Store, k escalated, st *model.Settings) (*model.Staff, int, []int64, error) {
	last, err := tx.LatestEscalation(ctx, k.subject())
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, 0, nil, err
	}
	if last != nil && last.Manager != nil && last.Cause != model.CauseNotSolved {
		visited := path(last)
		up, err := above(ctx, tx, last.Manager, visited, st)
		if err != nil {
			return nil, 0, nil, err
		}
		if up != nil {
			return up, last.Level + 1, visited, nil
		}
		if last.Manager.Active {
			return last.Manager, last.Level, visited, nil
		}
	}
	mgr, err := pickManager(ctx, tx, k.ownerID(), st)
	return mgr, 1, nil, err
}

// open records the new escalation e of case k inside tx: the row (a second
// open one is errAlreadyOpen), its manager's promise to answer by answerBy,
// the timeline event naming the manager, and the manager's email. missed
// is the promise whose breach made it (nil: someone asked). It returns the
// manager's promise.
func (s *Service) open(ctx context.Context, tx *store.Store, k escalated, e *model.Escalation, c *model.Customer, missed *model.Promise, answerBy time.Time, by model.Actor, now time.Time) (*model.Promise, error) {
	mgr := e.Manager
	if c == nil {
		var err error
		if c, err = tx.CustomerByID(ctx, e.CustomerID); err != nil {
			return nil, err
		}
	}
	if k.order != nil {
		e.OrderID = &k.order.ID
	} else {
		e.InquiryID = &k.inquiry.ID
	}
	if missed != nil {
		e.PromiseID = &missed.ID
	}
	if err := tx.InsertEscalation(ctx, e); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, errAlreadyOpen
		}
		return nil, err
	}
	answer := promises.Answer(e, mgr, answerBy)
	if err := promises.Make(ctx, tx, k.promised(), answer, by, now); err != nil {
		return nil, err
	}
	data := map[string]string{"manager": mgr.FullName, "manager_title": mgr.Title, "manager_id": strconv.FormatInt(mgr.ID, 10),
		"reason": e.Reason, "escalation_id": strconv.FormatInt(e.ID, 10), "cause": e.Cause, "level": strconv.Itoa(e.Level),
		"answer_by": answerBy.UTC().Format(time.RFC3339)}
	if missed != nil {
		data["promise_id"] = strconv.FormatInt(missed.ID, 10)
	}
	if err := tx.InsertEvent(ctx, by.Stamp(k.event(e.CustomerID, model.EventEscalated, data, now))); err != nil {
		return nil, err
	}
	if err := k.touch(ctx, tx, now); err != nil {
		return nil, err
	}
	if _, err := tx.Enqueue(ctx, notify.EscalationToManagerMsg(e, mgr, c, k.mail(), missed, &answerBy)); err != nil {
		return nil, err
	}
	if err := s.sync(ctx, tx, k); err != nil {
		return nil, err
	}
	live.CaseChanged(tx, s.Bus, e.CustomerID, k.liveName())
	return answer, nil
}

// Why an escalation climbs.
const (
	climbTimeout = iota // its manager did not answer in time
	climbAgain          // the customer asked again after it was acknowledged
	climbBreach         // a promise was missed while it was acknowledged
)

// climb moves open escalation e of case k one level up the chain inside
// tx, if no one moved it first: the new manager has the acknowledgement
// target to answer and is emailed; the manager it passes reminded. At the
// top it stays with its manager, who is reminded (and, when the customer
// asked again or a promise was missed, owes a new answer). why says what
// made it climb; missed is the promise that was missed (nil when the
// customer asked). It reports whether it moved: up a level, or (asked
// again at the top) back to its manager for a new answer.
func (s *Service) climb(ctx context.Context, tx *store.Store, k escalated, e *model.Escalation, st *model.Settings, clock hours.Clock, why int, reason string, missed *model.Promise, by model.Actor, now time.Time) (bool, error) {
	from := e.Manager
	if from == nil || from.ID != e.ManagerID {
		var err error
		if from, err = tx.StaffByID(ctx, e.ManagerID); err != nil {
			return false, err
		}
	}
	visited := path(e)
	up, err := above(ctx, tx, from, visited, st)
	if err != nil {
		return false, err
	}
	c, err := tx.CustomerByID(ctx, e.CustomerID)
	if err != nil {
		return false, err
	}
	pc := k.promised()
	answerBy := clock.AckBy(now)
	// The promises to answer that the escalation had end when a new one is
	// made: one not yet due is withdrawn, a missed one closed as missed.
	endAnswers := func() error {
		list, err := tx.OutstandingPromises(ctx, pc.Key())
		if err != nil {
			return err
		}
		for _, p := range list {
			if p.EscalationID != nil && *p.EscalationID == e.ID {
				if _, err := promises.End(ctx, tx, pc, p, promises.Withdrawn, "", by, now); err != nil {
					return err
				}
			}
		}
		return nil
	}
	remind := missed
	if up == nil {
		// The top of the chain: no one to pass it to. Its manager is
		// reminded; a new occasion (not its own silence) asks a new answer.
		if why != climbTimeout {
			ok, err := tx.MoveEscalation(ctx, &model.Escalation{ID: e.ID, ManagerID: from.ID, Level: e.Level,
				Visited: joinIDs(visited), State: model.EscalationOpen}, from.ID, e.Level, e.State)
			if err != nil || !ok {
				return false, err
			}
			e.State, e.AcknowledgedAt = model.EscalationOpen, nil
			if err := endAnswers(); err != nil {
				return false, err
			}
			if err := promises.Make(ctx, tx, pc, promises.Answer(e, from, answerBy), by, now); err != nil {
				return false, err
			}
		}
		if remind != nil {
			if _, err := tx.Enqueue(ctx, notify.EscalationReminderMsg(from, e, c, k.mail(), remind, nil)); err != nil {
				return false, err
			}
		}
		if why != climbTimeout {
			// Asked again at the top: the same manager owes a new answer.
			msg := notify.EscalationToManagerMsg(e, from, c, k.mail(), missed, &answerBy)
			msg.IdempotencyKey += ":again:" + answerBy.UTC().Format(time.RFC3339)
			if _, err := tx.Enqueue(ctx, msg); err != nil {
				return false, err
			}
		}
		if err := k.touch(ctx, tx, now); err != nil {
			return false, err
		}
		if err := s.sync(ctx, tx, k); err != nil {
			return false, err
		}
		live.CaseChanged(tx, s.Bus, e.CustomerID, k.liveName())
		return why != climbTimeout, nil
	}
	fromLevel, fromState := e.Level, e.State
	next := *e
	next.ManagerID, next.Manager, next.Level, next.Visited = up.ID, up, e.Level+1, joinIDs(append(visited, up.ID))
	next.State, next.AcknowledgedAt = model.EscalationOpen, nil
	ok, err := tx.MoveEscalation(ctx, &next, from.ID, fromLevel, fromState)
	if err != nil || !ok {
		return false, err
	}
	*e = next
	if err := endAnswers(); err != nil {
		return false, err
	}
	if err := promises.Make(ctx, tx, pc, promises.Answer(e, up, answerBy), by, now); err != nil {
		return false, err
	}
	data := map[string]string{"from": from.FullName, "from_id": strconv.FormatInt(from.ID, 10), "manager": up.FullName,
		"manager_title": up.Title, "manager_id": strconv.FormatInt(up.ID, 10), "escalation_id": strconv.FormatInt(e.ID, 10),
		"level": strconv.Itoa(e.Level), "answer_by": answerBy.UTC().Format(time.RFC3339)}
	switch why {
	case climbAgain:
		data["why"] = "asked_again"
	case climbBreach:
		data["why"] = "missed"
	default:
		data["why"] = "not_answered"
	}
	if reason != "" {
		data["reason"] = reason
	}
	if err := tx.InsertEvent(ctx, by.Stamp(k.event(e.CustomerID, model.EventEscalationClimbed, data, now))); err != nil {
		return false, err
	}
	if err := k.touch(ctx, tx, now); err != nil {
		return false, err
	}
	if _, err := tx.Enqueue(ctx, notify.EscalationToManagerMsg(e, up, c, k.mail(), missed, &answerBy)); err != nil {
		return false, err
	}
	if remind != nil {
		if _, err := tx.Enqueue(ctx, notify.EscalationReminderMsg(from, e, c, k.mail(), remind, up)); err != nil {
			return false, err
		}
	}
	if err := s.sync(ctx, tx, k); err != nil {
		return false, err
	}
	live.CaseChanged(tx, s.Bus, e.CustomerID, k.liveName())
	return true, nil
}

// business reads the settings and the clock inside tx.
func (s *Service) business(ctx context.Context, tx *store.Store) (*model.Settings, hours.Clock, error) {
	st, err := tx.Settings(ctx)
	if err != nil {
		return nil, hours.Clock{}, err
	}
	days, err := tx.ClosedDays(ctx)
	if err != nil {
		return nil, hours.Clock{}, err
	}
	closed := make([]string, len(days))
	for i, d := range days {
		closed[i] = d.Day
	}
	return st, hours.FromSettings(st, closed, s.Location), nil
}

// sync writes an escalated inquiry's promises into its own columns (its
// status and reply-due time, which the queue reads).
func (s *Service) sync(ctx context.Context, tx *store.Store, k escalated) error {
	if k.inquiry == nil || s.Inquiries == nil {
		return nil
	}
	return s.Inquiries.Sync(ctx, tx, k.inquiry.ID)
}
