// Package promises owns the next step of every open case and the record of
// every promise: who holds it (a named staff member, a named third party,
// or the customer), what they will do, by when, who made it, and how it
// ended — kept, kept late (by how much), withdrawn with a reason the
// customer can read, or missed. A missed promise stays outstanding, and on
// the timeline for ever, until it is kept late or closed; nothing a
// customer writes hides it.
//
// The functions here work inside the caller's transaction (the inquiry,
// order or escalation action that makes, keeps or breaks a promise), so a
// promise changes together with its case, its timeline events and its
// mail. The automatic checks that find missed promises live with the
// escalations they make (app/domain/escalations).
package promises

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kedja/kedja/app/domain/hours"
	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// Limits on what people write, in characters.
const (
	MaxWhat   = 300
	MaxParty  = 200
	MaxReason = 1000
)

// Refusals of a next step.
var (
	ErrNoHolder   = refusal.New("next", "required", "choose the next step: who holds the case now")
	ErrNoDue      = refusal.New("due", "required", "a promise needs a deadline: when will it be done?")
	ErrPastDue    = refusal.New("due", "past", "the deadline has already passed: choose a later time")
	ErrLongWhat   = refusal.New("what", "too_long", fmt.Sprintf("say what will be done in at most %d characters", MaxWhat))
	ErrNoParty    = refusal.New("party", "required", "name the third party")
	ErrLongParty  = refusal.New("party", "too_long", "the party's name is too long")
	ErrBadDay     = refusal.New("expected", "invalid", "give the expected date as YYYY-MM-DD, today or later")
	ErrNoReason   = refusal.New("reason", "required", "say why the deadline moves: the customer reads it")
	ErrLongReason = refusal.New("reason", "too_long", fmt.Sprintf("keep the reason under %d characters", MaxReason))
	ErrNoStaff    = refusal.New("holder", "invalid", "choose an active staff member to hold it")
	ErrNoPromise  = refusal.New("", "no_promise", "there is no open promise to move")
)

// Keep, as a Step's Holder, leaves the case's next step as it is: a reply
// that is an update on the way, not what was promised.
const Keep = "keep"

// Step is a next step as a staff member sets it with a reply (or on its
// own): exactly one holder, with a deadline unless the customer holds it.
type Step struct {
	Holder  string    // model.HolderStaff, model.HolderCustomer or model.HolderThirdParty
	StaffID int64     // HolderStaff: who holds it; 0 is whoever sets it
	What    string    // HolderStaff: what they will do ("send the invoice copy"); "" is a reply
	Due     time.Time // HolderStaff: by when
	Party   string    // HolderThirdParty: who
	Day     string    // HolderThirdParty: the day they promised, YYYY-MM-DD in the business's zone
}

// Clean trims st and checks it against the clock at now; the third party's
// day becomes a deadline at the end of that day.
func (st *Step) Clean(now time.Time) error {
	st.What = strings.Join(strings.Fields(st.What), " ")
	st.Party = strings.Join(strings.Fields(st.Party), " ")
	st.Day = strings.TrimSpace(st.Day)
	switch st.Holder {
	case Keep:
		return nil
	case model.HolderCustomer:
		st.What, st.Party, st.Day, st.Due, st.StaffID = "", "", "", time.Time{}, 0
		return nil
	case model.HolderStaff:
		var errs []error
		if utf8.RuneCountInString(st.What) > MaxWhat {
			errs = append(errs, ErrLongWhat)
		}
		switch {
		case st.Due.IsZero():
			errs = append(errs, ErrNoDue)
		case !st.Due.After(now):
			errs = append(errs, ErrPastDue)
		}
		st.Due = model.Normalize(st.Due)
		return refusal.Join(errs...)
	case model.HolderThirdParty:
		var errs []error
		switch {
		case st.Party == "":
			errs = append(errs, ErrNoParty)
		case utf8.RuneCountInString(st.Party) > MaxParty:
			errs = append(errs, ErrLongParty)
		}
		if _, err := time.Parse("2006-01-02", st.Day); err != nil {
			errs = append(errs, ErrBadDay)
		}
		return refusal.Join(errs...)
	}
	return ErrNoHolder
}

// Reason is a customer-readable reason as it is kept, or why it is
// refused; required says whether it may be empty.
func Reason(s string, required bool) (string, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	switch {
	case s == "" && required:
		return "", ErrNoReason
	case utf8.RuneCountInString(s) > MaxReason:
		return "", ErrLongReason
	}
	return s, nil
}

// Case is the case a promise belongs to: an order or an inquiry of a
// customer.
type Case struct {
	CustomerID int64
	OrderID    *int64
	InquiryID  *int64
}

// OfInquiry is the case of inquiry q.
func OfInquiry(q *model.Inquiry) Case {
	id := q.ID
	return Case{CustomerID: q.CustomerID, InquiryID: &id}
}

// OfOrder is the case of order o.
func OfOrder(o *model.Order) Case {
	id := o.ID
	return Case{CustomerID: o.CustomerID, OrderID: &id}
}

// Key is the case as the store names it.
func (c Case) Key() store.CaseKey {
	if c.OrderID != nil {
		return store.OrderCase(*c.OrderID)
	}
	return store.InquiryCase(*c.InquiryID)
}

// Event is a customer-visible timeline event on the case.
func (c Case) Event(kind string, data map[string]string, now time.Time) *model.Event {
	return &model.Event{CustomerID: c.CustomerID, OrderID: c.OrderID, InquiryID: c.InquiryID, Kind: kind,
		Data: data, CustomerVisible: true, CreatedAt: now}
}

// kedja is the actor of what Kedja does by itself.
func kedja() model.Actor { return model.Actor{Kind: model.ActorSystem, Name: "Kedja"} }

// Make records p as the case's next step (or, for an escalation's promise,
// beside it), made by by at now. The case must have no next step already
// (End it first): a second one is store.ErrConflict. An action promise
// goes on the timeline at once ("Anna Holm will send the invoice copy by
// …").
func Make(ctx context.Context, tx *store.Store, c Case, p *model.Promise, by model.Actor, now time.Time) error {
	p.CustomerID, p.OrderID, p.InquiryID = c.CustomerID, c.OrderID, c.InquiryID
	p.MadeByKind, p.MadeByStaffID, p.MadeByName = by.Kind, by.StaffID, by.Name
	if p.MadeByKind == "" {
		p.MadeByKind = model.ActorSystem
	}
	p.State, p.CreatedAt = model.PromiseOpen, now
	p.IsNext = p.Kind != model.PromiseEscalation
	if p.DueAt != nil {
		d := model.Normalize(*p.DueAt)
		p.DueAt = &d
	}
	if err := tx.InsertPromise(ctx, p); err != nil {
		return fmt.Errorf("promises: make %s promise: %w", p.Kind, err)
	}
	if p.Kind == model.PromiseAction {
		if err := tx.InsertEvent(ctx, by.Stamp(c.Event(model.EventPromiseMade, Describe(p), now))); err != nil {
			return err
		}
	}
	return nil
}

// Describe is a promise as a timeline event keeps it: enough to write the
// sentence in any language.
func Describe(p *model.Promise) map[string]string {
	d := map[string]string{"promise_id": strconv.FormatInt(p.ID, 10), "promise": p.Kind, "holder": p.HolderName,
		"holder_kind": p.HolderKind}
	if p.What != "" {
		d["what"] = p.What
	}
	if p.DueAt != nil {
		d["due"] = p.DueAt.UTC().Format(time.RFC3339)
	}
	if p.DueDay != "" {
		d["day"] = p.DueDay
	}
	if p.MadeByName != "" && p.MadeByName != p.HolderName {
		d["made_by"] = p.MadeByName
	}
	return d
}

// Outcome is how settling a promise ends it.
type Outcome int

// Outcomes of Settle.
const (
	// Kept: what was promised happened (a reply was sent, the order was
	// delivered, an escalation was acknowledged): kept, or kept late.
	Kept Outcome = iota
	// Withdrawn: the promise is taken back (the holder moved on); a
	// missed one is closed as missed.
	Withdrawn
	// Moved: withdrawn because a new promise replaces it; the caller writes
	// the one timeline event that says so (EventPromiseMoved).
	Moved
)

// End settles one outstanding promise at now: Kept makes it kept or kept
// late (a missed one is kept late), Withdrawn withdraws it with reason (a
// missed one stays missed, closed). The timeline shows what matters to the
// customer: a promise of the staff's own or a third party's date, kept or
// withdrawn; anything kept late. It reports false when someone else ended
// it first.
func End(ctx context.Context, tx *store.Store, c Case, p *model.Promise, how Outcome, reason string, by model.Actor, now time.Time) (bool, error) {
	state := model.PromiseKept
	switch {
	case p.HolderKind == model.HolderCustomer:
		state = model.PromiseDone
	case how != Kept && p.State == model.PromiseMissed:
		state = model.PromiseMissed
	case how != Kept:
		state = model.PromiseWithdrawn
	case p.State == model.PromiseMissed || (p.DueAt != nil && now.After(*p.DueAt)):
		state = model.PromiseKeptLate
	}
	ok, err := tx.EndPromise(ctx, p.ID, state, now, reason)
	if err != nil || !ok {
		return ok, err
	}
	p.State, p.EndedAt, p.Reason, p.IsNext, p.Outstanding = state, &now, reason, false, false
	var kind string
	switch {
	case how == Moved:
	case state == model.PromiseKeptLate:
		kind = model.EventPromiseKept
	case state == model.PromiseKept && (p.Kind == model.PromiseAction || p.Kind == model.PromiseThirdParty || p.Kind == model.PromiseDelivery):
		kind = model.EventPromiseKept
	case state == model.PromiseWithdrawn && reason != "" && (p.Kind == model.PromiseAction || p.Kind == model.PromiseThirdParty || p.Kind == model.PromiseDelivery):
		kind = model.EventPromiseWithdrawn
	}
	if kind == "" {
		return true, nil
	}
	data := Describe(p)
	data["state"] = state
	if late := p.LateBy(); late > 0 {
		data["late_by"] = strconv.FormatInt(int64(late/time.Second), 10)
	}
	if reason != "" {
		data["reason"] = reason
	}
	return true, tx.InsertEvent(ctx, by.Stamp(c.Event(kind, data, now)))
}

// SettleAll ends every outstanding promise of the case but its
// escalations' (a staff reply answers them all, as does resolving the
// case): Kept or Withdrawn as End does. It returns the promises it ended.
func SettleAll(ctx context.Context, tx *store.Store, c Case, how Outcome, reason string, by model.Actor, now time.Time) ([]*model.Promise, error) {
	list, err := tx.OutstandingPromises(ctx, c.Key())
	if err != nil {
		return nil, err
	}
	var out []*model.Promise
	for _, p := range list {
		if p.Kind == model.PromiseEscalation {
			continue
		}
		ok, err := End(ctx, tx, c, p, how, reason, by, now)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// Next is the case's next step, or nil when it has none.
func Next(ctx context.Context, tx *store.Store, c Case) (*model.Promise, error) {
	p, err := tx.NextStep(ctx, c.Key())
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return p, err
}

// Miss marks an open promise missed at now and writes the missed event
// the customer sees for ever ("Anna Holm promised to reply by … — missed").
// It reports false when the promise was not open any more: another
// instance noticed first, or it was kept meanwhile.
func Miss(ctx context.Context, tx *store.Store, c Case, p *model.Promise, now time.Time) (bool, error) {
	ok, err := tx.MissPromise(ctx, p.ID, now)
	if err != nil || !ok {
		return ok, err
	}
	p.State, p.MissedAt, p.IsNext = model.PromiseMissed, &now, false
	data := Describe(p)
	data["state"] = model.PromiseMissed
	return true, tx.InsertEvent(ctx, kedja().Stamp(c.Event(model.EventPromiseMissed, data, now)))
}

// Resolved is a Step as a promise row: the holder named, the deadline set
// (a third party's day ends at midnight in the business's zone; a day
// already over at now is ErrBadDay). by is who sets it; StaffID 0 is by.
func Resolved(ctx context.Context, tx *store.Store, st Step, by *model.Staff, clock hours.Clock, now time.Time) (*model.Promise, error) {
	switch st.Holder {
	case model.HolderCustomer:
		return &model.Promise{Kind: model.PromiseCustomer, HolderKind: model.HolderCustomer}, nil
	case model.HolderThirdParty:
		due, err := clock.EndOfDay(st.Day)
		if err != nil || !due.After(now) {
			return nil, ErrBadDay
		}
		return &model.Promise{Kind: model.PromiseThirdParty, HolderKind: model.HolderThirdParty, HolderName: st.Party,
			DueDay: st.Day, DueAt: &due}, nil
	case model.HolderStaff:
		holder := by
		if st.StaffID != 0 && (by == nil || st.StaffID != by.ID) {
			h, err := tx.StaffByID(ctx, st.StaffID)
			if errors.Is(err, store.ErrNotFound) {
				return nil, ErrNoStaff
			}
			if err != nil {
				return nil, err
			}
			holder = h
		}
		if holder == nil || !holder.Active {
			return nil, ErrNoStaff
		}
		kind := model.PromiseAction
		if st.What == "" {
			kind = model.PromiseReply
		}
		due := st.Due
		return &model.Promise{Kind: kind, HolderKind: model.HolderStaff, HolderStaffID: &holder.ID,
			HolderName: holder.FullName, What: st.What, DueAt: &due}, nil
	}
	return nil, ErrNoHolder
}

// ReplyBy is the promise that the staff member holder replies by due.
func ReplyBy(holder *model.Staff, due time.Time) *model.Promise {
	return &model.Promise{Kind: model.PromiseReply, HolderKind: model.HolderStaff, HolderStaffID: &holder.ID,
		HolderName: holder.FullName, DueAt: &due}
}

// Delivery is the promise that order o is delivered by the end of its
// expected day, held by its owner.
func Delivery(o *model.Order, holder *model.Staff, clock hours.Clock) (*model.Promise, error) {
	due, err := clock.EndOfDay(o.ExpectedDelivery)
	if err != nil {
		return nil, err
	}
	return &model.Promise{Kind: model.PromiseDelivery, HolderKind: model.HolderStaff, HolderStaffID: &holder.ID,
		HolderName: holder.FullName, DueDay: o.ExpectedDelivery, DueAt: &due}, nil
}

// Answer is the promise that manager answers escalation e by due.
func Answer(e *model.Escalation, manager *model.Staff, due time.Time) *model.Promise {
	id := e.ID
	return &model.Promise{Kind: model.PromiseEscalation, HolderKind: model.HolderStaff, HolderStaffID: &manager.ID,
		HolderName: manager.FullName, DueAt: &due, EscalationID: &id}
}

// HandTo gives the case's open next step to to when a staff member held it
// (the case changed hands).
func HandTo(ctx context.Context, tx *store.Store, c Case, to *model.Staff) error {
	p, err := Next(ctx, tx, c)
	if err != nil || p == nil || p.HolderKind != model.HolderStaff {
		return err
	}
	return tx.SetPromiseHolder(ctx, p.ID, to)
}
