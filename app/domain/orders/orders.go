// Package orders holds what happens to an order: the shop's systems create or
// replace it (API, CSV import) and change its status; staff change its
// status, mark it delivered, set its expected delivery and hand it to a
// colleague. Each change is one transaction with its timeline event, its
// outbox email (shipped, out for delivery, delivery confirmation, handoff)
// and the live events published once it has committed.
package orders

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/domain/promises"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// Publisher is the part of the live bus the actions need (a live.Bus is one).
type Publisher = live.Publisher

// Timeline event kinds written by this package (besides owner's handoff),
// as model defines them.
const (
	KindPlaced          = model.EventOrderPlaced
	KindStatusChanged   = model.EventStatusChanged
	KindExpectedChanged = model.EventExpectedChanged
	KindUpdated         = model.EventOrderUpdated // details changed; staff only
)

// ErrNeedsNote means a status change goes backwards (delivered → shipped, a
// cancelled order reopened) without a note saying why.
var ErrNeedsNote = &FieldError{Field: "note", Message: "moving an order back to an earlier status needs a note that says why"}

// ErrOtherCustomer means a replacement names another customer than the one
// the order belongs to.
var ErrOtherCustomer = &FieldError{Field: "customer.email", Message: "this order belongs to another customer; an order cannot move between customers"}

// ConfirmWithin is how recent a delivery must be for its confirmation to be
// mailed, and an order's placed_at for its order confirmation: loading
// history mails no one.
const ConfirmWithin = 48 * time.Hour

// deliveryMailed reports whether the delivery of o is recent enough, as of
// now, to mail its confirmation.
func deliveryMailed(o *model.Order, now time.Time) bool {
	return o.DeliveredAt == nil || now.Sub(*o.DeliveredAt) <= ConfirmWithin
}

// Result is what Upsert did.
type Result struct {
	Order   *model.Order
	Created bool // a new order
	Changed bool // something was written (false: the same body again)
	// OwnerAssigned is set when owner_email was given but named no active
	// staff member, so the owner rule chose someone.
	OwnerAssigned bool
}

// Upsert creates the order in (normalized with Normalize) or replaces the
// stored one with the same reference, creating or updating the customer by
// address. The same input twice changes nothing the second time. A status
// change goes through the same rules as ChangeStatus (notices queued,
// backwards moves refused: they need ChangeStatus with a note). On
// replacement an empty owner_email keeps the owner; a known one hands the
// order over.
//
// Concurrent calls share transactions (store.Group): while one runs, the
// calls that arrive meanwhile are written together in the next one, with
// the same results as one after the other — the same bus must be passed to
// all of them. Inside a transaction s, the upsert is part of it.
func Upsert(ctx context.Context, s *store.Store, bus Publisher, in *Input, by model.Actor, now time.Time) (*Result, error) {
	return upsertGrouped(ctx, s, &env{bus: bus}, in, by, now)
}

// upsertGrouped is Upsert with e's bus and clock (the package's Upsert
// counts a delivery promise's day in UTC; the Service's, in the business's
// time zone).
func upsertGrouped(ctx context.Context, s *store.Store, e *env, in *Input, by model.Actor, now time.Time) (*Result, error) {
	now = model.Normalize(now)
	if s.InTx() {
		return upsert(ctx, s, e, in, by, now, false)
	}
	j := &job{in: in, by: by, now: now}
	err := s.Group(ctx, "orders.upsert", j, func(ctx context.Context, tx *store.Store, items []any) error {
		jobs := make([]*job, len(items))
		for i, it := range items {
			jobs[i] = it.(*job)
		}
		return writeRows(ctx, tx, e, jobs)
	})
	if err != nil {
		// The shared transaction failed (an order or customer another
		// instance created at the same moment, say): this one alone, with
		// its own retry.
		return upsert(ctx, s, e, in, by, now, false)
	}
	if j.err != nil {
		return nil, fmt.Errorf("orders: upsert %q: %w", in.Ref, j.err)
	}
	return j.res, nil
}

func upsert(ctx context.Context, s *store.Store, e *env, in *Input, by model.Actor, now time.Time, retried bool) (*Result, error) {
	if err := in.checkNow(now); err != nil {
		return nil, fmt.Errorf("orders: upsert %q: %w", in.Ref, err)
	}
	hash := in.Hash()
	res := &Result{}
	err := s.WithTx(ctx, func(tx *store.Store) error {
		if err := tx.LockOrder(ctx, in.Ref); err != nil {
			return err
		}
		o, err := tx.OrderByRef(ctx, in.Ref)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return create(ctx, tx, e, in, hash, by, now, res)
		case err != nil:
			return err
		}
		res.Order = o
		if o.PayloadHash == hash {
			res.OwnerAssigned = in.OwnerEmail != "" && o.Owner != nil && !strings.EqualFold(o.Owner.Email, in.OwnerEmail)
			return nil
		}
		return replace(ctx, tx, e, o, in, hash, by, now, res)
	})
	if errors.Is(err, store.ErrConflict) && !retried && !s.InTx() {
		// Another request created the order (or its customer) between our look
		// and our insert (PostgreSQL): now it exists, so try once more. Inside
		// a caller's transaction that is the caller's to do (a savepoint
		// retry, as the CSV import does): the failed insert aborted it.
		return upsert(ctx, s, e, in, by, now, true)
	}
	if err != nil {
		return nil, fmt.Errorf("orders: upsert %q: %w", in.Ref, err)
	}
	return res, nil
}

func create(ctx context.Context, tx *store.Store, e *env, in *Input, hash string, by model.Actor, now time.Time, res *Result) error {
	c := &creation{in: in, hash: hash, by: by, now: now}
	if err := createBatch(ctx, tx, e, []*creation{c}); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("order %q was created at the same moment by another request: %w", in.Ref, err)
		}
		return err
	}
	if c.err != nil {
		return c.err
	}
	*res = *c.res
	return nil
}

func replace(ctx context.Context, tx *store.Store, e *env, o *model.Order, in *Input, hash string, by model.Actor, now time.Time, res *Result) error {
	c := o.Customer
	if c == nil || c.Email != in.CustomerEmail {
		return ErrOtherCustomer
	}
	if in.Status != o.Status && backwards(o.Status, in.Status) {
		return &FieldError{Field: "status", Message: fmt.Sprintf("moving order %s back from %s to %s needs a note saying why: send it as a status change with a note",
			o.Ref, o.Status, in.Status)}
	}
	c, _, err := tx.UpsertCustomer(ctx, in.CustomerEmail, in.CustomerName, in.CustomerLocale)
	if err != nil {
		return err
	}
	o.Customer = c
	before := *o
	expected := o.ExpectedDelivery
	apply(o, in)
	o.PayloadHash, o.UpdatedAt = hash, now
	ch := Change{Status: in.Status, RecipientName: in.RecipientName}
	if in.Status == model.OrderDelivered {
		ch.At = in.DeliveredAt
	}
	switch {
	case in.Status != before.Status:
		if err := setStatus(ctx, tx, o, ch, by, now); err != nil {
			return err
		}
	case ch.At != nil && (before.DeliveredAt == nil || !ch.At.Equal(*before.DeliveredAt)):
		// Still delivered, at another time: a correction, without a second
		// confirmation.
		if err := setStatus(ctx, tx, o, ch, by, now); err != nil {
			return err
		}
	}
	if o.ExpectedDelivery != expected {
		if err := tx.InsertEvent(ctx, by.Stamp(event(o, KindExpectedChanged, map[string]string{"expected": o.ExpectedDelivery, "from": expected}, now))); err != nil {
			return err
		}
	}
	if changed := detailChanges(&before, o); len(changed) > 0 {
		ev := by.Stamp(event(o, KindUpdated, map[string]string{"fields": strings.Join(changed, ", ")}, now))
		ev.CustomerVisible = false
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
	}
	if in.OwnerEmail != "" && !strings.EqualFold(in.OwnerEmail, before.Owner.Email) {
		to, err := tx.StaffByEmail(ctx, in.OwnerEmail)
		switch {
		case err == nil && to.Active:
			if err := handOver(ctx, tx, o, before.Owner, to, nil, now); err != nil {
				return err
			}
		case err == nil || errors.Is(err, store.ErrNotFound):
			res.OwnerAssigned = true // kept the owner it has
		default:
			return err
		}
	}
	o.LastActivityAt = now
	if err := tx.UpdateOrder(ctx, o); err != nil {
		return err
	}
	if err := keepDelivery(ctx, tx, e, o, by, now, ""); err != nil {
		return err
	}
	res.Changed = true
	publish(tx, e.bus, o)
	return nil
}

// apply copies the input's order fields (not status, owner or customer) onto o.
func apply(o *model.Order, in *Input) {
	if in.PlacedAt != nil {
		o.PlacedAt = in.PlacedAt
	}
	o.ExpectedDelivery, o.Items, o.Total, o.Currency = in.ExpectedDelivery, in.Items, in.Total, in.Currency
	o.Carrier, o.TrackingNumber, o.TrackingURL = in.Carrier, in.TrackingNumber, in.TrackingURL
	o.RecipientName, o.Locale = in.RecipientName, in.CustomerLocale
}

// detailChanges names the fields other than status, owner and expected
// delivery that differ between a and b, for the staff audit trail.
func detailChanges(a, b *model.Order) []string {
	var out []string
	add := func(name string, same bool) {
		if !same {
			out = append(out, name)
		}
	}
	add("placed_at", (a.PlacedAt == nil) == (b.PlacedAt == nil) && (a.PlacedAt == nil || a.PlacedAt.Equal(*b.PlacedAt)))
	add("items", slices.Equal(a.Items, b.Items))
	add("total", a.Total == b.Total && a.Currency == b.Currency)
	add("carrier", a.Carrier == b.Carrier)
	add("tracking", a.TrackingNumber == b.TrackingNumber && a.TrackingURL == b.TrackingURL)
	add("recipient_name", a.RecipientName == b.RecipientName)
	return out
}

// Change is a status change: the new status, an optional note, when it
// happened (nil: now) and, for a delivery, who received it.
type Change struct {
	Status        string
	Note          string
	At            *time.Time
	RecipientName string
}

// normalize checks a status change.
func (ch *Change) normalize(now time.Time) error {
	ch.Status = strings.TrimSpace(ch.Status)
	if !model.ValidOrderStatus(ch.Status) {
		return fieldErr("status", "one of %s", strings.Join(model.OrderStatuses, ", "))
	}
	var err error
	if ch.Note, err = cleanNote(ch.Note); err != nil {
		return err
	}
	if ch.RecipientName, err = cleanLine("recipient_name", ch.RecipientName, MaxText); err != nil {
		return err
	}
	if ch.At != nil {
		t, err := normalizeTime("at", *ch.At)
		if err != nil {
			return err
		}
		if t.After(now.Add(5 * time.Minute)) {
			return fieldErr("at", "a time that has already happened")
		}
		ch.At = &t
	}
	return nil
}

func cleanNote(s string) (string, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if len([]rune(s)) > MaxNote {
		return "", fieldErr("note", "at most %d characters", MaxNote)
	}
	return s, nil
}

// ChangeStatus records a status change of the order with this reference.
// The same status again without a note changes nothing (changed=false); on
// a delivered order a new recipient or time is a correction, recorded in the
// timeline without a second confirmation email.
// delivered records when, to whom and who confirmed it (the actor) and
// queues the delivery confirmation; shipped and out_for_delivery queue their
// notices. A move backwards needs a note (ErrNeedsNote) and shows in the
// timeline with it.
//
// ChangeStatus counts a delivery promise's day in UTC: the Service's
// ChangeStatus counts it in the business's time zone.
func ChangeStatus(ctx context.Context, s *store.Store, bus Publisher, ref string, ch Change, by model.Actor, now time.Time) (o *model.Order, changed bool, err error) {
	return changeStatus(ctx, s, &env{bus: bus}, ref, ch, by, now)
}

func changeStatus(ctx context.Context, s *store.Store, e *env, ref string, ch Change, by model.Actor, now time.Time) (o *model.Order, changed bool, err error) {
	now, ref = model.Normalize(now), strings.TrimSpace(ref)
	if err := ch.normalize(now); err != nil {
		return nil, false, err
	}
	err = s.WithTx(ctx, func(tx *store.Store) error {
		if err := tx.LockOrder(ctx, ref); err != nil {
			return err
		}
		if o, err = tx.OrderByRef(ctx, ref); err != nil {
			return err
		}
		if ch.Status == o.Status && ch.Note == "" && (ch.RecipientName == "" || ch.RecipientName == o.RecipientName) &&
			(ch.At == nil || ch.Status != model.OrderDelivered || (o.DeliveredAt != nil && ch.At.Equal(*o.DeliveredAt))) {
			return nil
		}
		if backwards(o.Status, ch.Status) && ch.Note == "" {
			return ErrNeedsNote
		}
		if err := setStatus(ctx, tx, o, ch, by, now); err != nil {
			return err
		}
		o.UpdatedAt, o.LastActivityAt = now, now
		if err := tx.UpdateOrder(ctx, o); err != nil {
			return err
		}
		if err := keepDelivery(ctx, tx, e, o, by, now, ""); err != nil {
			return err
		}
		changed = true
		publish(tx, e.bus, o)
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("orders: status of %q: %w", ref, err)
	}
	return o, changed, nil
}

// setStatus moves o to ch.Status in memory, writes the timeline event and
// queues the customer's notice; the caller saves o.
func setStatus(ctx context.Context, tx *store.Store, o *model.Order, ch Change, by model.Actor, now time.Time) error {
	confirmed := ""
	if ch.Status == model.OrderDelivered {
		confirmed = confirmer(ctx, tx, by)
	}
	return recordStatus(ctx, tx, o, moveStatus(o, ch, now, confirmed), by, now)
}

// statusMove is a status change made to an order in memory, waiting for its
// timeline event and notice.
type statusMove struct {
	from, to string
	data     map[string]string
}

// moveStatus moves o to ch.Status in memory: the delivery's time, recipient
// and confirmer (confirmedBy, for a delivery), or their clearing when the
// order is on its way again.
func moveStatus(o *model.Order, ch Change, now time.Time, confirmedBy string) statusMove {
	from := o.Status
	at := now
	if ch.At != nil {
		at = *ch.At
	}
	data := map[string]string{"from": from, "status": ch.Status}
	if ch.Note != "" {
		data["note"] = ch.Note
	}
	if ch.At != nil {
		data["at"] = at.Format(time.RFC3339)
	}
	o.Status = ch.Status
	switch {
	case ch.Status == model.OrderDelivered:
		if ch.RecipientName != "" {
			o.RecipientName = ch.RecipientName
		}
		// A correction of a delivery (a note, the recipient) keeps its time
		// unless a new one is given, and so its one confirmation email.
		if from != model.OrderDelivered || ch.At != nil || o.DeliveredAt == nil {
			o.DeliveredAt = &at
		}
		o.DeliveryConfirmedBy = confirmedBy
		data["recipient_name"], data["confirmed_by"] = o.RecipientName, o.DeliveryConfirmedBy
	case model.OrderIsOpen(ch.Status):
		// Back on its way: the earlier delivery no longer stands.
		o.DeliveredAt, o.DeliveryConfirmedBy = nil, ""
	}
	return statusMove{from: from, to: ch.Status, data: data}
}

// recordStatus writes the timeline event of a move of the stored order o
// and queues the customer's notice (shipped, out for delivery, delivered).
func recordStatus(ctx context.Context, tx *store.Store, o *model.Order, mv statusMove, by model.Actor, now time.Time) error {
	ev := by.Stamp(event(o, KindStatusChanged, mv.data, now))
	if err := tx.InsertEvent(ctx, ev); err != nil {
		return err
	}
	var msg *model.OutboxMessage
	switch {
	case mv.to == mv.from:
		// A note or a correction (recipient, time) on the current status:
		// no second notice.
	case mv.to == model.OrderShipped || mv.to == model.OrderOutForDelivery || mv.to == model.OrderDelivered:
		c := o.Customer
		if c == nil {
			var err error
			if c, err = tx.CustomerByID(ctx, o.CustomerID); err != nil {
				return err
			}
			o.Customer = c
		}
		loc := notify.Locale(ctx, tx, c.Locale, o.Locale)
		if mv.to == model.OrderDelivered {
			if deliveryMailed(o, now) {
				msg = notify.DeliveryConfirmationMsg(c, loc, o)
			}
		} else {
			msg = notify.OrderStatusMsg(c, loc, o, strconv.FormatInt(ev.ID, 10))
		}
	}
	if msg != nil {
		if _, err := tx.Enqueue(ctx, msg); err != nil {
			return err
		}
	}
	return nil
}

// confirmer is who the customer is told confirmed a delivery: the staff
// member by full name; for the shop's own systems (an API key, the CSV
// import) the business, not the name of a key.
func confirmer(ctx context.Context, tx *store.Store, by model.Actor) string {
	if by.Kind == model.ActorSystem {
		if st, err := tx.Settings(ctx); err == nil && st.BusinessName != "" {
			return st.BusinessName
		}
	}
	return by.Name
}

// rank places the statuses of an order's way to the customer.
var rank = map[string]int{model.OrderReceived: 0, model.OrderConfirmed: 1, model.OrderProcessing: 2,
	model.OrderShipped: 3, model.OrderOutForDelivery: 4, model.OrderDelivered: 5}

// backwards reports whether moving from one status to another undoes
// progress: an earlier step on the way, or reopening a cancelled or returned
// order, or calling a returned order delivered again.
func backwards(from, to string) bool {
	if from == to {
		return false
	}
	switch to {
	case model.OrderCancelled:
		return !model.OrderIsOpen(from)
	case model.OrderReturned:
		return from == model.OrderCancelled || rank[from] < rank[model.OrderShipped]
	}
	if from == model.OrderCancelled || from == model.OrderReturned {
		return true
	}
	return rank[to] < rank[from]
}

// SetExpected sets the expected delivery date (YYYY-MM-DD, "" for unknown);
// the customer sees the new date in the timeline. It counts the delivery
// promise's day in UTC and gives no reason: the Service's SetExpected
// counts it in the business's time zone and tells the customer why.
func SetExpected(ctx context.Context, s *store.Store, bus Publisher, ref, date string, by model.Actor, now time.Time) (*model.Order, error) {
	return setExpected(ctx, s, &env{bus: bus}, ref, date, "", by, now)
}

// setExpected sets the expected delivery date. The order's delivery
// promise moves with it (a new promise; the old one withdrawn, or closed
// as missed). A staff member who puts off a date already given must say
// why (reason, promises.ErrNoReason): the customer is emailed the new date
// with it.
func setExpected(ctx context.Context, s *store.Store, e *env, ref, date, reason string, by model.Actor, now time.Time) (*model.Order, error) {
	bus := e.bus
	now = model.Normalize(now)
	date, err := NormalizeDate("expected_delivery", date)
	if err != nil {
		return nil, err
	}
	if reason, err = promises.Reason(reason, false); err != nil {
		return nil, err
	}
	var o *model.Order
	err = s.WithTx(ctx, func(tx *store.Store) error {
		if err := tx.LockOrder(ctx, ref); err != nil {
			return err
		}
		if o, err = tx.OrderByRef(ctx, ref); err != nil {
			return err
		}
		if o.ExpectedDelivery == date {
			return nil
		}
		from := o.ExpectedDelivery
		later := from != "" && (date == "" || date > from)
		if later && reason == "" && by.Kind == model.ActorStaff && e.reasons {
			return promises.ErrNoReason
		}
		o.ExpectedDelivery, o.UpdatedAt, o.LastActivityAt = date, now, now
		if err := tx.UpdateOrder(ctx, o); err != nil {
			return err
		}
		data := map[string]string{"expected": date, "from": from}
		if reason != "" {
			data["reason"] = reason
		}
		ev := by.Stamp(event(o, KindExpectedChanged, data, now))
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		old, err := promises.Next(ctx, tx, promises.OfOrder(o))
		if err != nil {
			return err
		}
		if err := keepDelivery(ctx, tx, e, o, by, now, reason); err != nil {
			return err
		}
		if from != "" && by.Kind == model.ActorStaff && model.OrderIsOpen(o.Status) {
			if err := tellMoved(ctx, tx, o, old, by, reason, strconv.FormatInt(ev.ID, 10)); err != nil {
				return err
			}
		}
		publish(tx, bus, o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("orders: expected delivery of %q: %w", ref, err)
	}
	return o, nil
}

// ErrInactiveOwner means the new owner is not an active staff member.
var ErrInactiveOwner = owner.ErrInactive

// Reassign hands the order to another active staff member: a handoff the
// customer sees with both full names, the delivery promise passes to them,
// and the new owner is emailed who handed it over. Handing it to its owner
// changes nothing.
func Reassign(ctx context.Context, s *store.Store, bus Publisher, ref string, toID int64, by *model.Staff, now time.Time) (*model.Order, error) {
	now = model.Normalize(now)
	var o *model.Order
	err := s.WithTx(ctx, func(tx *store.Store) error {
		if err := tx.LockOrder(ctx, ref); err != nil {
			return err
		}
		var err error
		if o, err = tx.OrderByRef(ctx, ref); err != nil {
			return err
		}
		if o.OwnerID == toID {
			return nil
		}
		to, err := tx.StaffByID(ctx, toID)
		if err != nil {
			return err
		}
		if !to.Active {
			return ErrInactiveOwner
		}
		if err := handOver(ctx, tx, o, o.Owner, to, by, now); err != nil {
			return err
		}
		o.UpdatedAt, o.LastActivityAt = now, now
		if err := tx.UpdateOrder(ctx, o); err != nil {
			return err
		}
		publish(tx, bus, o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("orders: reassign %q: %w", ref, err)
	}
	return o, nil
}

// handOver moves o (in memory) from one owner to another, with the handoff
// event and the new owner's email (unless they took it themselves); actor
// nil means the shop's systems.
func handOver(ctx context.Context, tx *store.Store, o *model.Order, from, to, actor *model.Staff, now time.Time) error {
	ev := owner.Handoff(o.CustomerID, &o.ID, nil, from, to, actor, now)
	if err := tx.InsertEvent(ctx, ev); err != nil {
		return err
	}
	o.OwnerID, o.Owner = to.ID, to
	if err := promises.HandTo(ctx, tx, promises.OfOrder(o), to); err != nil {
		return err
	}
	if actor != nil && actor.ID == to.ID {
		return nil // who takes it over knows already
	}
	_, err := tx.Enqueue(ctx, notify.HandoffMsg(to, from, actor, notify.Case{Order: o}, strconv.FormatInt(ev.ID, 10)))
	return err
}

func event(o *model.Order, kind string, data map[string]string, now time.Time) *model.Event {
	return &model.Event{CustomerID: o.CustomerID, OrderID: &o.ID, Kind: kind, Data: data, CustomerVisible: true, CreatedAt: now}
}

// publish tells the customer's pages and the staff views that the order
// changed, once the transaction has committed.
func publish(tx *store.Store, bus Publisher, o *model.Order) {
	if bus == nil {
		return
	}
	cust, name := o.CustomerID, live.OrderEvent(o.Ref)
	tx.AfterCommit(func() {
		bus.Publish(live.CustomerTopic(cust), live.Event{Name: name})
		bus.Publish(live.CustomerTopic(cust), live.Event{Name: "dashboard"})
		bus.Publish(live.StaffTopic, live.Event{Name: name})
	})
}
