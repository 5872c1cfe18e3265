package escalations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kedja/kedja/app/domain/promises"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// checkBatch is how many due promises one round of Check reads.
const checkBatch = 200

// Check handles every promise the business held whose time has passed at
// the service's clock — a reply, a staff member's own promise, a third
// party's date, an expected delivery with no delivery reported, a
// manager's answer to an escalation — each exactly once, also with several
// instances checking the same database at the same moment: the promise is
// taken under a row lock that others skip (PostgreSQL: FOR UPDATE SKIP
// LOCKED) and marked missed only if it is still open. A missed promise
// stays on the case's timeline for ever and:
//
//   - with no escalation open, escalates to the owner's manager, with the
//     missed promise as the reason;
//   - a manager's missed answer climbs its escalation one level (the
//     manager's manager, then the manager of last resort), reminding the
//     manager it passed; at the top it stays, and its manager is reminded;
//   - with an escalation its manager has acknowledged, climbs it one level;
//   - an order's first missed delivery opens an inquiry for the customer,
//     held by the order's owner (once per order).
//
// The customer is emailed in their language, honestly: what was promised,
// that it was missed, who holds the case now and by when they will
// answer. It returns how many breaches it handled.
func (s *Service) Check(ctx context.Context) (int, error) {
	n := 0
	var errs []error
	for {
		now := s.now()
		ids, err := s.Store.DuePromiseIDs(ctx, now, checkBatch)
		if err != nil {
			return n, fmt.Errorf("escalations: check: %w", err)
		}
		handled := 0
		for _, id := range ids {
			ok, err := s.breach(ctx, id, now)
			if err != nil {
				if ctx.Err() != nil {
					return n + handled, ctx.Err()
				}
				errs = append(errs, fmt.Errorf("promise %d: %w", id, err))
				continue
			}
			if ok {
				handled++
			}
		}
		n += handled
		if len(ids) < checkBatch || handled == 0 {
			if len(errs) > 0 {
				return n, fmt.Errorf("escalations: check: %w", errors.Join(errs...))
			}
			return n, nil
		}
	}
}

// breach handles the missed promise with this id in one transaction, if it
// is still open and due at now and no other instance holds it. It reports
// whether it did.
func (s *Service) breach(ctx context.Context, id int64, now time.Time) (bool, error) {
	handled := false
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		p, err := tx.ClaimDuePromise(ctx, id, now)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		k, err := loadCase(ctx, tx, p.OrderID, p.InquiryID)
		if err != nil {
			return err
		}
		if ok, err := promises.Miss(ctx, tx, k.promised(), p, now); err != nil || !ok {
			return err
		}
		handled = true
		st, clock, err := s.business(ctx, tx)
		if err != nil {
			return err
		}
		c, err := tx.CustomerByID(ctx, k.customerID())
		if err != nil {
			return err
		}
		var holder *model.Staff
		var answerBy time.Time
		told := false // the case's pages were told and the inquiry synced (open and climb do)
		why := s.describe(p, now)
		if p.Kind == model.PromiseEscalation && p.EscalationID != nil {
			e, err := tx.EscalationByID(ctx, *p.EscalationID)
			if err != nil {
				return err
			}
			if !e.IsOpen {
				return s.done(ctx, tx, k, now)
			}
			climbed, err := s.climb(ctx, tx, k, e, st, clock, climbTimeout, why, p, kedja(), now)
			if err != nil || !climbed {
				if err == nil {
					err = s.done(ctx, tx, k, now)
				}
				return err
			}
			holder, answerBy, told = e.Manager, clock.AckBy(now), true
		} else {
			oe, err := tx.OpenEscalation(ctx, k.subject())
			switch {
			case errors.Is(err, store.ErrNotFound):
				mgr, err := pickManager(ctx, tx, k.ownerID(), st)
				if err != nil {
					return err
				}
				e := &model.Escalation{Subject: k.subject(), CustomerID: k.customerID(), RequestedByKind: model.ActorSystem,
					ManagerID: mgr.ID, Reason: why, State: model.EscalationOpen, CreatedAt: now, Manager: mgr,
					Cause: model.CauseBreach, Level: 1, Visited: joinIDs([]int64{mgr.ID})}
				answer, err := s.open(ctx, tx, k, e, c, p, clock.AckBy(now), kedja(), now)
				if err != nil {
					return err
				}
				holder, answerBy, told = mgr, *answer.DueAt, true
			case err != nil:
				return err
			case oe.State == model.EscalationAcknowledged:
				// The manager took it on, and still a promise slipped: one
				// level up (at the top, the same manager answers again).
				moved, err := s.climb(ctx, tx, k, oe, st, clock, climbBreach, why, p, kedja(), now)
				if err != nil {
					return err
				}
				holder, answerBy, told = oe.Manager, clock.AckBy(now), moved
			default:
				// A manager is already asked and has not answered yet: they
				// hold it, by the time they were given.
				holder, answerBy = oe.Manager, clock.AckBy(oe.CreatedAt)
				if a, err := tx.OpenEscalationPromise(ctx, oe.ID); err == nil && a.DueAt != nil {
					answerBy = *a.DueAt
				} else if err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
			}
		}
		if holder == nil {
			return s.done(ctx, tx, k, now)
		}
		lang := notify.Locale(ctx, tx, c.Locale)
		if k.order != nil {
			lang = notify.Locale(ctx, tx, c.Locale, k.order.Locale)
		}
		if p.Kind == model.PromiseDelivery && k.order != nil && k.order.LateInquiryID == nil {
			if err := s.lateOrder(ctx, tx, k.order, c, lang, holder); err != nil {
				return err
			}
		} else if _, err := tx.Enqueue(ctx, notify.PromiseMissedMsg(c, lang, k.mail(), p, holder, answerBy)); err != nil {
			return err
		}
		if told {
			return nil
		}
		return s.done(ctx, tx, k, now)
	})
	if err != nil {
		return false, fmt.Errorf("escalations: missed promise %d: %w", id, err)
	}
	if handled && s.OnBreach != nil {
		s.OnBreach()
	}
	return handled, nil
}

// errLate ends a late-order transaction that lost the race to another.
var errLate = errors.New("the order's late inquiry was opened by someone else")

// lateOrder opens the inquiry Kedja opens for the customer the first time
// order o is late (held by its owner) and emails the customer once: late,
// who is checking, by when they will write; manager has been told.
func (s *Service) lateOrder(ctx context.Context, tx *store.Store, o *model.Order, c *model.Customer, lang string, manager *model.Staff) error {
	q, err := s.Inquiries.OpenLate(ctx, tx, o)
	if err != nil {
		return err
	}
	ok, err := tx.SetLateInquiry(ctx, o.ID, q.ID)
	if err != nil {
		return err
	}
	if !ok {
		return errLate
	}
	own := q.Owner
	if own == nil {
		if own, err = tx.StaffByID(ctx, q.OwnerID); err != nil {
			return err
		}
	}
	_, err = tx.Enqueue(ctx, notify.OrderLateMsg(c, lang, o, q, own, manager, *q.ReplyDueAt))
	return err
}

// done records activity on the case and tells its pages, once committed.
func (s *Service) done(ctx context.Context, tx *store.Store, k escalated, now time.Time) error {
	if err := k.touch(ctx, tx, now); err != nil {
		return err
	}
	if err := s.sync(ctx, tx, k); err != nil {
		return err
	}
	live.CaseChanged(tx, s.Bus, k.customerID(), k.liveName())
	return nil
}

// describe is a missed promise in a sentence for staff (the escalation's
// reason, in English): "Missed: Anna Holm promised to reply by Friday 20
// November, 09:00".
func (s *Service) describe(p *model.Promise, now time.Time) string {
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	when := ""
	if p.DueAt != nil {
		when = i18n.FormatDateTime("en", p.DueAt.In(loc), now.In(loc))
	}
	day := p.DueDay
	if t, ok := i18n.ParseDay(day, loc); ok {
		day = i18n.FormatDate("en", t, now.In(loc))
	}
	switch p.Kind {
	case model.PromiseReply:
		return fmt.Sprintf("Missed: %s promised to reply by %s.", p.HolderName, when)
	case model.PromiseAction:
		return fmt.Sprintf("Missed: %s promised “%s” by %s.", p.HolderName, p.What, when)
	case model.PromiseThirdParty:
		return fmt.Sprintf("Missed: %s was expected by %s, and there is no news.", p.HolderName, day)
	case model.PromiseDelivery:
		return fmt.Sprintf("Missed: delivery was expected %s and has not been reported.", day)
	case model.PromiseEscalation:
		return fmt.Sprintf("Missed: %s was to answer the escalation by %s.", p.HolderName, when)
	}
	return "Missed: a promise passed its time."
}

// Watch runs the automatic checks until ctx ends: once at the start it
// gives the cases from before promises were kept their next step
// (Backfill), then it runs Check every interval, logging what it did and
// what failed.
func (s *Service) Watch(ctx context.Context, every time.Duration, log *slog.Logger) {
	if n, err := s.Backfill(ctx); err != nil && ctx.Err() == nil {
		log.Error("promise backfill failed", "err", err)
	} else if n > 0 {
		log.Info("gave open cases their next step", "count", n)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.Check(ctx); err != nil && ctx.Err() == nil {
			log.Error("promise check failed", "err", err)
		} else if n > 0 {
			log.Info("missed promises handled", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Backfill gives every open case from before promises were kept its next
// step: an inquiry the reply it was due (or the customer's turn, or its
// third party's date) and an order with an expected day its delivery
// promise. Running it again, or on two instances at once, adds nothing
// twice (a unique index). It returns how many it gave.
func (s *Service) Backfill(ctx context.Context) (int, error) {
	n := 0
	for {
		qs, os, err := s.Store.CasesWithoutNextStep(ctx, 500)
		if err != nil {
			return n, fmt.Errorf("escalations: backfill: %w", err)
		}
		made := 0
		for _, q := range qs {
			ok, err := s.backfill(ctx, escalated{inquiry: q})
			if err != nil {
				return n, fmt.Errorf("escalations: backfill inquiry %d: %w", q.ID, err)
			}
			if ok {
				made++
			}
		}
		for _, o := range os {
			ok, err := s.backfill(ctx, escalated{order: o})
			if err != nil {
				return n, fmt.Errorf("escalations: backfill order %q: %w", o.Ref, err)
			}
			if ok {
				made++
			}
		}
		n += made
		if made == 0 || len(qs)+len(os) == 0 {
			return n, nil
		}
	}
}

// backfill gives one case its next step.
func (s *Service) backfill(ctx context.Context, k escalated) (bool, error) {
	now := s.now()
	made := false
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		_, clock, err := s.business(ctx, tx)
		if err != nil {
			return err
		}
		own, err := tx.StaffByID(ctx, k.ownerID())
		if err != nil {
			return err
		}
		var p *model.Promise
		switch {
		case k.order != nil:
			if p, err = promises.Delivery(k.order, own, clock); err != nil {
				return nil // a day that is no date: nothing to promise
			}
		case k.inquiry.Status == model.InquiryWaitingCustomer:
			p = &model.Promise{Kind: model.PromiseCustomer, HolderKind: model.HolderCustomer}
		case k.inquiry.Status == model.InquiryWaitingThirdParty && k.inquiry.ThirdPartyExpected != "":
			due, err := clock.EndOfDay(k.inquiry.ThirdPartyExpected)
			if err != nil {
				return nil
			}
			p = &model.Promise{Kind: model.PromiseThirdParty, HolderKind: model.HolderThirdParty,
				HolderName: k.inquiry.ThirdPartyName, DueDay: k.inquiry.ThirdPartyExpected, DueAt: &due}
		default:
			due := clock.ReplyBy(k.inquiry.LastActivityAt)
			if k.inquiry.ReplyDueAt != nil {
				due = *k.inquiry.ReplyDueAt
			}
			p = promises.ReplyBy(own, due)
		}
		if err := promises.Make(ctx, tx, k.promised(), p, kedja(), now); err != nil {
			return err
		}
		made = true
		return s.sync(ctx, tx, k)
	})
	if errors.Is(err, store.ErrConflict) {
		return false, nil // another instance gave it one
	}
	return made, err
}
