package orders

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/domain/promises"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// creation is one new order of a batch: its input and, once createBatch
// ran, its result or the rule it broke.
type creation struct {
	in   *Input
	hash string
	by   model.Actor
	now  time.Time // normalized
	res  *Result
	err  error // the row's own fault (owner.ErrNoStaff); nothing was written for it

	o        *model.Order
	mv       *statusMove
	name     string // the customer's name and locale as this row left them,
	locale   string // for its mail (rows of one customer may change them in turn)
	customer *model.Customer
}

// createBatch creates the orders of cs, none of which exists, in the
// transaction tx, with the same results as creating them one after the
// other in their order, but set-based: the customers, owners, orders,
// timeline events and mail of the whole batch each in one or a few
// statements (store's bulk functions). Upsert creates through it too, as a
// batch of one. A row that breaks a rule gets its err and is not written;
// an error returned is the database's, and the caller's transaction is to
// be rolled back.
func createBatch(ctx context.Context, tx *store.Store, e *env, cs []*creation) error {
	if len(cs) == 0 {
		return nil
	}
	b := &batch{tx: tx}
	// Owners first: a row no one can own fails before its customer is
	// written.
	if err := b.owners(ctx, cs); err != nil {
		return err
	}
	if err := b.customers(ctx, cs); err != nil {
		return err
	}
	var orders []*model.Order
	for _, c := range cs {
		if c.err != nil {
			continue
		}
		in, now := c.in, c.now
		o := c.o
		cu := *c.customer // the customer as this row left them
		cu.Name, cu.Locale = c.name, c.locale
		o.Customer, o.CustomerID = &cu, cu.ID
		o.Ref, o.Status, o.PlacedAt = in.Ref, model.OrderReceived, in.PlacedAt
		o.LastActivityAt, o.CreatedAt, o.UpdatedAt = now, now, now
		apply(o, in)
		o.PayloadHash = c.hash
		// An order that arrives past "received" is stored as it is now; its
		// timeline still reads placed, then the status it came with.
		if in.Status != model.OrderReceived {
			ch := Change{Status: in.Status, RecipientName: in.RecipientName}
			if ch.Status == model.OrderDelivered {
				ch.At = in.DeliveredAt
			}
			confirmed := ""
			if ch.Status == model.OrderDelivered {
				confirmed = b.confirmer(ctx, c.by)
			}
			m := moveStatus(o, ch, now, confirmed)
			c.mv = &m
		}
		orders = append(orders, o)
	}
	if err := tx.InsertOrders(ctx, orders); err != nil {
		return err
	}
	var events []*model.Event
	for _, c := range cs {
		if c.err != nil {
			continue
		}
		o, by, now := c.o, c.by, c.now
		placed := now
		if c.in.PlacedAt != nil && c.in.PlacedAt.Before(now) {
			placed = *c.in.PlacedAt
		}
		events = append(events, by.Stamp(event(o, KindPlaced, map[string]string{"status": model.OrderReceived, "owner": o.Owner.FullName}, placed)))
		if c.mv != nil {
			events = append(events, by.Stamp(event(o, KindStatusChanged, c.mv.data, now)))
		}
	}
	if err := tx.InsertEvents(ctx, events); err != nil {
		return err
	}
	var mail []*model.OutboxMessage
	i := 0
	for _, c := range cs {
		if c.err != nil {
			continue
		}
		i++ // the placed event
		if msg, err := b.confirmationMail(ctx, c); err != nil {
			return err
		} else if msg != nil {
			mail = append(mail, msg)
		}
		if c.mv != nil {
			ev := events[i]
			i++
			if msg, err := b.statusMail(ctx, c, ev); err != nil {
				return err
			} else if msg != nil {
				mail = append(mail, msg)
			}
		}
	}
	if err := tx.EnqueueMany(ctx, mail, true); err != nil {
		return err
	}
	if err := b.deliveryPromises(ctx, e, cs); err != nil {
		return err
	}
	for _, c := range cs {
		if c.err != nil {
			continue
		}
		c.res.Order, c.res.Created, c.res.Changed = c.o, true, true
		publish(tx, e.bus, c.o)
	}
	return nil
}

// deliveryPromises records, in one statement, the delivery promise of
// each new order on its way with an expected day: held by its owner, due
// when that day ends in the business's time zone.
func (b *batch) deliveryPromises(ctx context.Context, e *env, cs []*creation) error {
	var list []*model.Promise
	for _, c := range cs {
		o := c.o
		if c.err != nil || !model.OrderIsOpen(o.Status) || o.ExpectedDelivery == "" {
			continue
		}
		clock, err := e.clockOf(ctx, b.tx)
		if err != nil {
			return err
		}
		p, err := promises.Delivery(o, o.Owner, clock)
		if err != nil {
			continue // not a day: Normalize let no such input through
		}
		id := o.ID
		p.CustomerID, p.OrderID = o.CustomerID, &id
		p.MadeByKind, p.MadeByStaffID, p.MadeByName = c.by.Kind, c.by.StaffID, c.by.Name
		p.State, p.IsNext, p.Outstanding, p.CreatedAt = model.PromiseOpen, true, true, c.now
		list = append(list, p)
	}
	return b.tx.InsertPromises(ctx, list)
}

// batch holds what a createBatch reads once for all its rows.
type batch struct {
	tx       *store.Store
	settings *model.Settings
}

func (b *batch) settingsOnce(ctx context.Context) (*model.Settings, error) {
	if b.settings == nil {
		st, err := b.tx.Settings(ctx)
		if err != nil {
			return nil, err
		}
		b.settings = st
	}
	return b.settings, nil
}

// confirmer is who the customer is told confirmed a delivery made by by
// (see confirmer).
func (b *batch) confirmer(ctx context.Context, by model.Actor) string {
	if by.Kind == model.ActorSystem {
		if st, err := b.settingsOnce(ctx); err == nil && st.BusinessName != "" {
			return st.BusinessName
		}
	}
	return by.Name
}

// customers finds or creates the customer of each row that has an owner,
// as UpsertCustomer would, row after row: one read for the batch, one insert for the new customers,
// an update for each changed one.
func (b *batch) customers(ctx context.Context, cs []*creation) error {
	emails := make([]string, 0, len(cs))
	seen := make(map[string]bool, len(cs))
	for _, c := range cs {
		if c.err != nil {
			continue
		}
		e := strings.ToLower(strings.TrimSpace(c.in.CustomerEmail))
		if !seen[e] {
			seen[e] = true
			emails = append(emails, e)
		}
	}
	known, err := b.tx.CustomersByEmails(ctx, emails)
	if err != nil {
		return err
	}
	var created, changed []*model.Customer
	isNew := map[*model.Customer]bool{}
	isChanged := map[*model.Customer]bool{}
	stamp := model.Now()
	for _, c := range cs {
		if c.err != nil {
			continue
		}
		e := strings.ToLower(strings.TrimSpace(c.in.CustomerEmail))
		cu := known[e]
		if cu == nil {
			cu = &model.Customer{Email: e, Name: c.in.CustomerName, Locale: c.in.CustomerLocale, CreatedAt: stamp, UpdatedAt: stamp}
			known[e] = cu
			isNew[cu] = true
			created = append(created, cu)
		} else {
			upd := false
			if n := c.in.CustomerName; n != "" && n != cu.Name {
				cu.Name, upd = n, true
			}
			if l := c.in.CustomerLocale; l != "" && l != cu.Locale && !cu.LocaleSet {
				cu.Locale, upd = l, true
			}
			if upd {
				cu.UpdatedAt = stamp
				if !isNew[cu] && !isChanged[cu] {
					isChanged[cu] = true
					changed = append(changed, cu)
				}
			}
		}
		c.customer, c.name, c.locale = cu, cu.Name, cu.Locale
	}
	if err := b.tx.InsertCustomers(ctx, created); err != nil {
		return err
	}
	return b.tx.UpdateCustomerDetails(ctx, changed)
}

// owners gives each row its owner as owner.Pick would, row after row: the
// active staff member owner_email names, else the least loaded, counting
// the open orders the rows before it gave each.
func (b *batch) owners(ctx context.Context, cs []*creation) error {
	var emails []string
	for _, c := range cs {
		if e := strings.ToLower(strings.TrimSpace(c.in.OwnerEmail)); e != "" {
			emails = append(emails, e)
		}
	}
	named, err := b.tx.StaffByEmails(ctx, emails)
	if err != nil {
		return err
	}
	var loads []store.StaffLoad // read when a row first needs the rule
	loaded := false
	for _, c := range cs {
		c.o, c.res = &model.Order{}, &Result{}
		var own *model.Staff
		if st := named[strings.ToLower(strings.TrimSpace(c.in.OwnerEmail))]; st != nil && st.Active {
			own = st
		} else {
			if !loaded {
				if loads, err = b.tx.ActiveStaffLoads(ctx); err != nil {
					return err
				}
				loaded = true
			}
			if len(loads) == 0 {
				c.err = owner.ErrNoStaff
				continue
			}
			own = leastLoaded(loads)
		}
		c.res.OwnerAssigned = c.in.OwnerEmail != "" && own.Email != c.in.OwnerEmail
		c.o.OwnerID, c.o.Owner = own.ID, own
		if loaded && model.OrderIsOpen(c.in.Status) {
			for i := range loads {
				if loads[i].Staff.ID == own.ID {
					loads[i].OpenCases++
				}
			}
		}
	}
	return nil
}

// leastLoaded is the staff member with the fewest open cases, ties to the
// lowest id (store.LeastLoadedStaff's order).
func leastLoaded(loads []store.StaffLoad) *model.Staff {
	best := 0
	for i := 1; i < len(loads); i++ {
		a, b := loads[i], loads[best]
		if a.OpenCases < b.OpenCases || (a.OpenCases == b.OpenCases && a.Staff.ID < b.Staff.ID) {
			best = i
		}
	}
	return loads[best].Staff
}

// confirmationMail is the order confirmation of a new order (a setting,
// on by default), or nil: none for an order created delivered, cancelled or
// returned, nor for one placed more than ConfirmWithin ago (history being
// loaded).
func (b *batch) confirmationMail(ctx context.Context, c *creation) (*model.OutboxMessage, error) {
	switch c.o.Status {
	case model.OrderDelivered, model.OrderCancelled, model.OrderReturned:
		return nil, nil
	}
	if p := c.o.PlacedAt; p != nil && c.now.Sub(*p) > ConfirmWithin {
		return nil, nil
	}
	st, err := b.settingsOnce(ctx)
	if err != nil {
		return nil, err
	}
	if !st.OrderConfirmation {
		return nil, nil
	}
	return notify.OrderConfirmationMsg(c.o.Customer, b.locale(ctx, c.o), c.o), nil
}

// locale is the language of mail about o (see mailLocale).
func (b *batch) locale(ctx context.Context, o *model.Order) string {
	for _, l := range []string{o.Customer.Locale, o.Locale} {
		if i18n.Supported(l) {
			return l
		}
	}
	if st, err := b.settingsOnce(ctx); err == nil && i18n.Supported(st.DefaultLocale) {
		return st.DefaultLocale
	}
	return "en"
}

// statusMail is the customer's notice of the status a new order came with
// (shipped, out for delivery, delivered — a delivery only when recent, see
// deliveryMailed), or nil.
func (b *batch) statusMail(ctx context.Context, c *creation, ev *model.Event) (*model.OutboxMessage, error) {
	to := c.mv.to
	if to != model.OrderShipped && to != model.OrderOutForDelivery && to != model.OrderDelivered {
		return nil, nil
	}
	if to == model.OrderDelivered && !deliveryMailed(c.o, c.now) {
		return nil, nil
	}
	cu := c.o.Customer
	loc := b.locale(ctx, c.o)
	if to == model.OrderDelivered {
		return notify.DeliveryConfirmationMsg(cu, loc, c.o), nil
	}
	return notify.OrderStatusMsg(cu, loc, c.o, strconv.FormatInt(ev.ID, 10)), nil
}

// job is one upsert of a batch (a CSV batch, or API calls sharing a
// transaction): its input, actor and clock, then its outcome.
type job struct {
	in  *Input
	by  model.Actor
	now time.Time // normalized
	res *Result
	err error // the row's own fault (rowFault); the others' go on
}

// writeRows upserts the jobs in tx with the same results as upserting them
// one after the other: one read finds which orders exist; each run of new
// orders is created set-based (createBatch); an existing order is left
// alone when the input equals what is stored and otherwise replaced in its
// own savepoint, so a row that breaks a rule undoes only itself. A second
// job for one reference waits for the first (the jobs go in segments of
// distinct references). An error returned fails the whole transaction.
func writeRows(ctx context.Context, tx *store.Store, e *env, jobs []*job) error {
	for len(jobs) > 0 {
		seen := make(map[string]bool, len(jobs))
		n := 0
		for n < len(jobs) && !seen[jobs[n].in.Ref] {
			seen[jobs[n].in.Ref] = true
			n++
		}
		if err := writeSegment(ctx, tx, e, jobs[:n]); err != nil {
			return err
		}
		jobs = jobs[n:]
	}
	return nil
}

// writeSegment is writeRows for jobs of distinct references.
func writeSegment(ctx context.Context, tx *store.Store, e *env, jobs []*job) error {
	refs := make([]string, len(jobs))
	for i, j := range jobs {
		refs[i] = j.in.Ref
	}
	existing, err := tx.OrdersByRefs(ctx, refs)
	if err != nil {
		return err
	}
	var run []*creation
	var runOf []*job
	flushRun := func() error {
		if len(run) == 0 {
			return nil
		}
		if err := createBatch(ctx, tx, e, run); err != nil {
			return err
		}
		for k, c := range run {
			runOf[k].res, runOf[k].err = c.res, c.err
			if c.err != nil {
				runOf[k].res = nil
			}
		}
		run, runOf = run[:0], runOf[:0]
		return nil
	}
	for _, j := range jobs {
		in := j.in
		if err := in.checkNow(j.now); err != nil {
			j.err = err
			continue
		}
		o := existing[in.Ref]
		if o == nil {
			run = append(run, &creation{in: in, hash: in.Hash(), by: j.by, now: j.now})
			runOf = append(runOf, j)
			continue
		}
		if err := flushRun(); err != nil {
			return err
		}
		if o.PayloadHash == in.Hash() {
			j.res = &Result{Order: o, OwnerAssigned: in.OwnerEmail != "" && o.Owner != nil && !strings.EqualFold(o.Owner.Email, in.OwnerEmail)}
			continue
		}
		if err := replaceInSavepoint(ctx, tx, e, j); err != nil {
			return err
		}
	}
	return flushRun()
}

// replaceInSavepoint upserts one job in a savepoint of tx. A job that fails
// for another reason than its data is tried once more: on PostgreSQL an
// order or customer created by a concurrent request at the same moment
// fails the insert, and the second try finds it. An error returned is not
// the job's own fault.
func replaceInSavepoint(ctx context.Context, tx *store.Store, e *env, j *job) error {
	var err error
	for try := 0; try < 2; try++ {
		err = tx.Savepoint(ctx, func(tx *store.Store) error {
			var err error
			j.res, err = upsert(ctx, tx, e, j.in, j.by, j.now, true)
			return err
		})
		if err == nil || rowFault(err) || ctx.Err() != nil {
			break
		}
	}
	switch {
	case err == nil:
		return nil
	case rowFault(err):
		j.res, j.err = nil, err
		return nil
	}
	return err
}
