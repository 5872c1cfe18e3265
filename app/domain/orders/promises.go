package orders

import (
	"context"
	"io"
	"time"

	"github.com/kedja/kedja/app/domain/hours"
	"github.com/kedja/kedja/app/domain/promises"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// Service carries out the order actions on the business's clock: an
// order's expected delivery is a promise, held by its owner and missed
// once its day is over in the business's time zone. Build one in main and
// share it.
type Service struct {
	Store    *store.Store
	Bus      Publisher        // nil: nothing is published
	Now      func() time.Time // the clock; nil is time.Now
	Location *time.Location   // the business's time zone (KEDJA_TIMEZONE); nil is UTC
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return model.Now()
	}
	return model.Normalize(s.Now())
}

func (s *Service) env() *env { return &env{bus: s.Bus, loc: s.Location, reasons: true} }

// Upsert creates or replaces an order, as the package's Upsert does.
func (s *Service) Upsert(ctx context.Context, in *Input, by model.Actor) (*Result, error) {
	return upsertGrouped(ctx, s.Store, s.env(), in, by, s.now())
}

// ChangeStatus records a status change, as the package's ChangeStatus
// does; a delivery keeps (or keeps late) the delivery promise.
func (s *Service) ChangeStatus(ctx context.Context, ref string, ch Change, by model.Actor) (*model.Order, bool, error) {
	return changeStatus(ctx, s.Store, s.env(), ref, ch, by, s.now())
}

// SetExpected sets the expected delivery date (YYYY-MM-DD, "" for
// unknown): the delivery promise moves with it. A staff member who puts
// off a date already given says why (promises.ErrNoReason otherwise); the
// customer is emailed the new date and the reason.
func (s *Service) SetExpected(ctx context.Context, ref, date, reason string, by model.Actor) (*model.Order, error) {
	return setExpected(ctx, s.Store, s.env(), ref, date, reason, by, s.now())
}

// Reassign hands the order to another active staff member, as the
// package's Reassign does.
func (s *Service) Reassign(ctx context.Context, ref string, toID int64, by *model.Staff) (*model.Order, error) {
	return Reassign(ctx, s.Store, s.Bus, ref, toID, by, s.now())
}

// ImportCSV imports orders from a CSV file, as the package's ImportCSV
// does, on the service's clock and in its time zone.
func (s *Service) ImportCSV(ctx context.Context, r io.Reader, opt CSVOptions) (Summary, error) {
	if opt.Now == nil {
		opt.Now = s.now
	}
	if opt.Location == nil {
		opt.Location = s.Location
	}
	return ImportCSV(ctx, s.Store, s.Bus, r, opt)
}

// env is what an order action needs besides the store: the live bus and
// the business's clock, read once per action (or per CSV import).
type env struct {
	bus     Publisher
	loc     *time.Location
	clock   *hours.Clock
	reasons bool // staff putting off a date must say why (the Service's actions)
}

func (e *env) clockOf(ctx context.Context, tx *store.Store) (hours.Clock, error) {
	if e.clock == nil {
		c, err := hours.Load(ctx, tx, e.loc)
		if err != nil {
			return hours.Clock{}, err
		}
		e.clock = &c
	}
	return *e.clock, nil
}

// keepDelivery keeps the order's delivery promise in step with the order
// (stored already): an open order with an expected day has one, held by
// its owner, due when that day ends; a new day is a new promise (the old
// one withdrawn with reason, or closed as missed); a delivery keeps what
// was outstanding — on time or late, by the delivery's own time; a
// cancelled or returned order, or one with no day any more, withdraws it.
func keepDelivery(ctx context.Context, tx *store.Store, e *env, o *model.Order, by model.Actor, now time.Time, reason string) error {
	pc := promises.OfOrder(o)
	list, err := tx.OutstandingPromises(ctx, pc.Key())
	if err != nil {
		return err
	}
	var open []*model.Promise
	same := false // the day is promised already (open, or missed and outstanding)
	for _, p := range list {
		if p.Kind != model.PromiseDelivery {
			continue
		}
		open = append(open, p)
		same = same || p.DueDay == o.ExpectedDelivery
	}
	switch {
	case o.Status == model.OrderDelivered:
		at := now
		if o.DeliveredAt != nil {
			at = *o.DeliveredAt
		}
		for _, p := range open {
			if _, err := promises.End(ctx, tx, pc, p, promises.Kept, "", by, at); err != nil {
				return err
			}
		}
		return nil
	case !model.OrderIsOpen(o.Status) || o.ExpectedDelivery == "":
		for _, p := range open {
			if _, err := promises.End(ctx, tx, pc, p, promises.Moved, reason, by, now); err != nil {
				return err
			}
		}
		return nil
	case same:
		return nil
	}
	for _, p := range open {
		if _, err := promises.End(ctx, tx, pc, p, promises.Moved, reason, by, now); err != nil {
			return err
		}
	}
	holder := o.Owner
	if holder == nil || holder.ID != o.OwnerID {
		if holder, err = tx.StaffByID(ctx, o.OwnerID); err != nil {
			return err
		}
	}
	clock, err := e.clockOf(ctx, tx)
	if err != nil {
		return err
	}
	p, err := promises.Delivery(o, holder, clock)
	if err != nil {
		return err
	}
	return promises.Make(ctx, tx, pc, p, by, now)
}

// tellMoved emails the customer that their order's expected day moved,
// and why.
func tellMoved(ctx context.Context, tx *store.Store, o *model.Order, old *model.Promise, by model.Actor, reason, key string) error {
	c := o.Customer
	if c == nil {
		var err error
		if c, err = tx.CustomerByID(ctx, o.CustomerID); err != nil {
			return err
		}
	}
	next, err := promises.Next(ctx, tx, promises.OfOrder(o))
	if err != nil {
		return err
	}
	var staff *model.Staff
	if by.StaffID != nil {
		staff = &model.Staff{ID: *by.StaffID, FullName: by.Name, Title: by.Title}
	}
	msg := notify.PromiseMovedMsg(c, notify.Locale(ctx, tx, c.Locale, o.Locale), notify.Case{Order: o}, old, next, reason, staff, key)
	_, err = tx.Enqueue(ctx, msg)
	return err
}
