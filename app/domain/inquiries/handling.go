package inquiries

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/domain/promises"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// Reassign hands the inquiry to another active staff member: a handoff
// event the customer sees (naming both), the next step held by the old
// owner passes to the new one, and the new owner is emailed who handed it
// over unless they took it themselves. Handing it to its owner is
// owner.ErrSameInquiryOwner; to someone inactive, owner.ErrInactive.
func (s *Service) Reassign(ctx context.Context, inquiryID, toStaffID int64, by *model.Staff) error {
	now := s.now()
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		q, err := load(ctx, tx, inquiryID)
		if err != nil {
			return err
		}
		to, err := tx.StaffByID(ctx, toStaffID)
		if err != nil {
			return err
		}
		if !to.Active {
			return owner.ErrInactive
		}
		if q.OwnerID == to.ID {
			return owner.ErrSameInquiryOwner
		}
		from, err := ownerOf(ctx, tx, q)
		if err != nil {
			return err
		}
		q.OwnerID, q.Owner = to.ID, to
		if err := promises.HandTo(ctx, tx, promises.OfInquiry(q), to); err != nil {
			return err
		}
		if err := save(ctx, tx, q, now); err != nil {
			return err
		}
		ev := owner.Handoff(q.CustomerID, nil, &q.ID, from, to, by, now)
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		if to.ID != by.ID {
			msg := notify.HandoffMsg(to, from, by, notify.Case{Inquiry: q}, strconv.FormatInt(ev.ID, 10))
			if _, err := tx.Enqueue(ctx, msg); err != nil {
				return err
			}
		}
		s.changed(tx, q)
		return nil
	})
	if err != nil {
		return fmt.Errorf("inquiries: reassign inquiry %d: %w", inquiryID, err)
	}
	return nil
}

// WaitOnThirdParty records that the inquiry waits on a named party who
// promised an answer by expected (YYYY-MM-DD, a day in the business's time
// zone): the party's date becomes the next step, missed once that day is
// over. The customer is emailed the new step.
func (s *Service) WaitOnThirdParty(ctx context.Context, inquiryID int64, by *model.Staff, party, expected string) error {
	return s.Move(ctx, inquiryID, by, promises.Step{Holder: model.HolderThirdParty, Party: party, Day: expected}, "")
}

// Move changes the case's next step without a reply: a deadline moves, a
// third party now holds it, a colleague takes the promise. What the
// business owed is withdrawn with reason — required, and shown to the
// customer, when a promise of the business's own is taken back (a third
// party named with its date explains itself) — and stays on the timeline;
// a missed one stays missed. The customer is emailed the new step and why.
func (s *Service) Move(ctx context.Context, inquiryID int64, by *model.Staff, next promises.Step, reason string) error {
	now := s.now()
	if next.Holder == promises.Keep {
		return promises.ErrNoHolder
	}
	if err := next.Clean(now); err != nil {
		return err
	}
	reason, err := promises.Reason(reason, false)
	if err != nil {
		return err
	}
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		q, err := load(ctx, tx, inquiryID)
		if err != nil {
			return err
		}
		if q.Status == model.InquiryResolved {
			return ErrAlreadyResolved
		}
		pc := promises.OfInquiry(q)
		clock, err := s.clock(ctx, tx)
		if err != nil {
			return err
		}
		old, err := promises.Next(ctx, tx, pc)
		if err != nil {
			return err
		}
		if reason == "" && next.Holder != model.HolderThirdParty && old != nil && old.BusinessHeld() {
			return promises.ErrNoReason
		}
		p, err := promises.Resolved(ctx, tx, next, by, clock, now)
		if err != nil {
			return err
		}
		actor := model.StaffActor(by)
		if _, err := promises.SettleAll(ctx, tx, pc, promises.Moved, reason, actor, now); err != nil {
			return err
		}
		if err := promises.Make(ctx, tx, pc, p, actor, now); err != nil {
			return err
		}
		from := q.Status
		if err := refresh(ctx, tx, q); err != nil {
			return err
		}
		if err := save(ctx, tx, q, now); err != nil {
			return err
		}
		var ev *model.Event
		if p.Kind == model.PromiseThirdParty {
			data := map[string]string{"from": from, "status": q.Status, "third_party": p.HolderName, "expected": p.DueDay}
			if reason != "" {
				data["reason"] = reason
			}
			ev = actor.Stamp(pc.Event(model.EventStatusChanged, data, now))
		} else {
			data := promises.Describe(p)
			if old != nil {
				for k, v := range promises.Describe(old) {
					data["from_"+k] = v
				}
			}
			data["reason"] = reason
			ev = actor.Stamp(pc.Event(model.EventPromiseMoved, data, now))
		}
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		msg := notify.PromiseMovedMsg(q.Customer, notify.Locale(ctx, tx, q.Customer.Locale), notify.Case{Inquiry: q}, old, p, reason, by,
			strconv.FormatInt(ev.ID, 10))
		if _, err := tx.Enqueue(ctx, msg); err != nil {
			return err
		}
		s.changed(tx, q)
		return nil
	})
	if err != nil {
		return fmt.Errorf("inquiries: next step of inquiry %d: %w", inquiryID, err)
	}
	return nil
}

// Resolve closes the inquiry with an answer the customer can read — the
// answer itself, or why it is closed; without one it is ErrNoAnswer. The
// answer joins the conversation and settles what the business owed; the
// customer is emailed it, with "Did this solve it?" and how to reopen it.
// Nothing is deleted; the customer can reopen it with one click for 14
// days, and a later reply from either side reopens it. Resolving it again
// is ErrAlreadyResolved.
func (s *Service) Resolve(ctx context.Context, inquiryID int64, by *model.Staff, answer string) error {
	answer, err := check(multiline(answer), MaxBody, ErrNoAnswer, ErrLongBody)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		q, err := load(ctx, tx, inquiryID)
		if err != nil {
			return err
		}
		if q.Status == model.InquiryResolved {
			return ErrAlreadyResolved
		}
		m := &model.Message{InquiryID: q.ID, AuthorKind: model.AuthorStaff, AuthorStaffID: &by.ID, Body: answer, CreatedAt: now}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		actor := model.StaffActor(by)
		pc := promises.OfInquiry(q)
		if _, err := promises.SettleAll(ctx, tx, pc, promises.Kept, "", actor, now); err != nil {
			return err
		}
		// The answer answers an escalation's manager's promise too: a
		// resolved case does not climb the chain.
		list, err := tx.OutstandingPromises(ctx, pc.Key())
		if err != nil {
			return err
		}
		for _, p := range list {
			if _, err := promises.End(ctx, tx, pc, p, promises.Kept, "", actor, now); err != nil {
				return err
			}
		}
		from := q.Status
		q.Status, q.ResolvedAt = model.InquiryResolved, &now
		if err := refresh(ctx, tx, q); err != nil {
			return err
		}
		if err := save(ctx, tx, q, now); err != nil {
			return err
		}
		ev := actor.Stamp(&model.Event{CustomerID: q.CustomerID, InquiryID: &q.ID, Kind: model.EventStatusChanged,
			Data:            map[string]string{"from": from, "status": q.Status, "message_id": strconv.FormatInt(m.ID, 10)},
			CustomerVisible: true, CreatedAt: now})
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		msg := notify.InquiryResolvedMsg(q.Customer, notify.Locale(ctx, tx, q.Customer.Locale), q, m, by)
		if _, err := tx.Enqueue(ctx, msg); err != nil {
			return err
		}
		s.changed(tx, q)
		return nil
	})
	if err != nil {
		return fmt.Errorf("inquiries: resolve inquiry %d: %w", inquiryID, err)
	}
	return nil
}

// Reopen opens one of the customer's resolved inquiries again with one
// click, for model.ReopenWindow after it was resolved (later,
// ErrReopenExpired: a reply still reopens it). Its owner owes a reply after
// the reply-time target and is emailed.
func (s *Service) Reopen(ctx context.Context, customerID, inquiryID int64) error {
	now := s.now()
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		q, err := tx.InquiryForCustomer(ctx, customerID, inquiryID)
		if err != nil {
			return err
		}
		if q.Status != model.InquiryResolved {
			return ErrNotResolved
		}
		if q.ResolvedAt != nil && now.Sub(*q.ResolvedAt) > model.ReopenWindow {
			return ErrReopenExpired
		}
		c, err := tx.CustomerByID(ctx, customerID)
		if err != nil {
			return err
		}
		q.Customer = c
		actor := model.CustomerActor(c)
		ev, err := s.reopen(ctx, tx, q, nil, actor, now)
		if err != nil {
			return err
		}
		return s.tellOwner(ctx, tx, q, c, actor, notify.AssignedReopened, strconv.FormatInt(ev.ID, 10))
	})
	if err != nil {
		return fmt.Errorf("inquiries: reopen inquiry %d: %w", inquiryID, err)
	}
	return nil
}

// reopen opens resolved inquiry q again: the owner's reply is owed — or,
// when holder is given, nothing: the caller makes holder's promise — and
// the customer's timeline says who reopened it.
func (s *Service) reopen(ctx context.Context, tx *store.Store, q *model.Inquiry, holder *model.Staff, by model.Actor, now time.Time) (*model.Event, error) {
	from := q.Status
	q.Status, q.ResolvedAt = model.InquiryOpen, nil
	if holder == nil {
		if err := s.oweReply(ctx, tx, q, by, now); err != nil {
			return nil, err
		}
	}
	if err := refresh(ctx, tx, q); err != nil {
		return nil, err
	}
	if err := save(ctx, tx, q, now); err != nil {
		return nil, err
	}
	ev := by.Stamp(&model.Event{CustomerID: q.CustomerID, InquiryID: &q.ID, Kind: model.EventStatusChanged,
		Data: map[string]string{"from": from, "status": q.Status, "reopened": "true"}, CustomerVisible: true, CreatedAt: now})
	if err := tx.InsertEvent(ctx, ev); err != nil {
		return nil, err
	}
	s.changed(tx, q)
	return ev, nil
}

// Feedback records the customer's answer to "Did this solve it?" on their
// resolved inquiry (another customer's is store.ErrNotFound; one that is
// not resolved, ErrNotResolved). One answer per resolution: a second one
// returns the first with created=false and changes nothing. Staff see
// every answer on the timeline. "Not solved" is the caller's to act on
// (escalations.Service.Feedback reopens the case with a manager).
func (s *Service) Feedback(ctx context.Context, customerID, inquiryID int64, solved bool, comment string) (f *model.Feedback, q *model.Inquiry, created bool, err error) {
	comment = multiline(comment)
	if utf8.RuneCountInString(comment) > MaxBody {
		return nil, nil, false, ErrLongComment
	}
	now := s.now()
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		if q, err = tx.InquiryForCustomer(ctx, customerID, inquiryID); err != nil {
			return err
		}
		if q.Status != model.InquiryResolved || q.ResolvedAt == nil {
			return ErrNotResolved
		}
		if old, err := tx.FeedbackFor(ctx, q.ID, *q.ResolvedAt); err == nil {
			f = old
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		c, err := tx.CustomerByID(ctx, customerID)
		if err != nil {
			return err
		}
		q.Customer = c
		f = &model.Feedback{InquiryID: q.ID, CustomerID: customerID, ResolvedAt: *q.ResolvedAt, Solved: solved, Comment: comment, CreatedAt: now}
		if err := tx.InsertFeedback(ctx, f); err != nil {
			return err
		}
		data := map[string]string{"solved": strconv.FormatBool(solved)}
		if comment != "" {
			data["comment"] = comment
		}
		ev := model.CustomerActor(c).Stamp(&model.Event{CustomerID: customerID, InquiryID: &q.ID, Kind: model.EventFeedback,
			Data: data, CustomerVisible: true, CreatedAt: now})
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		created = true
		s.changed(tx, q)
		return nil
	})
	if errors.Is(err, store.ErrConflict) && !s.Store.InTx() {
		// The same answer from two tabs at once: the first one stands.
		return s.Feedback(ctx, customerID, inquiryID, solved, comment)
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("inquiries: feedback on inquiry %d: %w", inquiryID, err)
	}
	return f, q, created, nil
}

// ReopenWith opens resolved inquiry q again inside tx with holder (a
// manager) owing the customer an answer; the caller records holder's
// promise (an escalation's). by is who reopened it.
func (s *Service) ReopenWith(ctx context.Context, tx *store.Store, q *model.Inquiry, holder *model.Staff, by model.Actor) error {
	_, err := s.reopen(ctx, tx, q, holder, by, s.now())
	return err
}
