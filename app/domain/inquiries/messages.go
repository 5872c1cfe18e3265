package inquiries

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/kedja/kedja/app/domain/promises"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// body is a reply or note as it is kept, or why it is refused.
func body(s string) (string, error) { return check(multiline(s), MaxBody, ErrEmptyBody, ErrLongBody) }

// kedja is the actor of what Kedja does by itself (the reply-time target
// it promises on the business's behalf).
func kedja() model.Actor { return model.Actor{Kind: model.ActorSystem, Name: "Kedja"} }

// CustomerReply adds the customer's message to one of their inquiries
// (another customer's is store.ErrNotFound). When it was the customer's
// turn, or the inquiry was resolved (it reopens, and its owner is told),
// the business owes a reply again: the owner's, due after the reply-time
// target. When the business already owes something — a reply, a promise,
// a missed one — that stays exactly as it is: a follow-up neither moves a
// deadline nor hides a missed one.
func (s *Service) CustomerReply(ctx context.Context, customerID, inquiryID int64, text string) (*model.Message, error) {
	text, err := body(text)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var m *model.Message
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		q, err := tx.InquiryForCustomer(ctx, customerID, inquiryID)
		if err != nil {
			return err
		}
		c, err := tx.CustomerByID(ctx, customerID)
		if err != nil {
			return err
		}
		m = &model.Message{InquiryID: q.ID, AuthorKind: model.AuthorCustomer, Body: text, CreatedAt: now}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		from := q.Status
		actor := model.CustomerActor(c)
		if from == model.InquiryResolved {
			q.Status, q.ResolvedAt = model.InquiryOpen, nil
		}
		if err := s.oweReply(ctx, tx, q, actor, now); err != nil {
			return err
		}
		if err := refresh(ctx, tx, q); err != nil {
			return err
		}
		if err := save(ctx, tx, q, now); err != nil {
			return err
		}
		// The message is what the customer reads; this event is the audit.
		ev := actor.Stamp(&model.Event{CustomerID: customerID, InquiryID: &q.ID, Kind: model.EventCustomerReplied,
			Data: map[string]string{"message_id": strconv.FormatInt(m.ID, 10), "from": from}, CreatedAt: now})
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		if from == model.InquiryResolved {
			ev := actor.Stamp(&model.Event{CustomerID: customerID, InquiryID: &q.ID, Kind: model.EventStatusChanged,
				Data: map[string]string{"from": from, "status": q.Status}, CustomerVisible: true, CreatedAt: now})
			if err := tx.InsertEvent(ctx, ev); err != nil {
				return err
			}
			if err := s.tellOwner(ctx, tx, q, c, actor, notify.AssignedReopened, strconv.FormatInt(ev.ID, 10)); err != nil {
				return err
			}
		}
		s.changed(tx, q)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inquiries: customer reply to inquiry %d: %w", inquiryID, err)
	}
	return m, nil
}

// oweReply makes the owner's reply the next step when the business owes
// the customer nothing yet (it was the customer's turn, or nobody's):
// their turn ends, and the reply falls due after the reply-time target.
func (s *Service) oweReply(ctx context.Context, tx *store.Store, q *model.Inquiry, by model.Actor, now time.Time) error {
	pc := promises.OfInquiry(q)
	owed, err := owes(ctx, tx, pc)
	if err != nil || owed {
		return err
	}
	if next, err := promises.Next(ctx, tx, pc); err != nil {
		return err
	} else if next != nil {
		if _, err := promises.End(ctx, tx, pc, next, promises.Kept, "", by, now); err != nil {
			return err
		}
	}
	own, err := ownerOf(ctx, tx, q)
	if err != nil {
		return err
	}
	clock, err := s.clock(ctx, tx)
	if err != nil {
		return err
	}
	return promises.Make(ctx, tx, pc, promises.ReplyBy(own, clock.ReplyBy(now)), kedja(), now)
}

// tellOwner emails the inquiry's owner that it needs them (why: one of
// notify's Assigned… reasons), unless they did it themselves.
func (s *Service) tellOwner(ctx context.Context, tx *store.Store, q *model.Inquiry, c *model.Customer, by model.Actor, why, key string) error {
	own, err := ownerOf(ctx, tx, q)
	if err != nil {
		return err
	}
	if by.StaffID != nil && *by.StaffID == own.ID {
		return nil
	}
	_, err = tx.Enqueue(ctx, notify.InquiryAssignedMsg(own, c, q, by, why, key))
	return err
}

// StaffReply answers the customer and sets the case's next step with it
// (see promises.Step): the staff member's own promise with its deadline
// ("I will send the invoice copy by Thursday 12:00"), waiting for the
// customer's answer, or a named third party's date. The reply settles what
// the business owed — the reply due, a promise, a missed one (kept late,
// by how much) — unless next is promises.Keep, which leaves the next step
// as it is (an update on the way). The customer is emailed the reply with
// the next step. A reply to a resolved inquiry reopens it.
func (s *Service) StaffReply(ctx context.Context, inquiryID int64, by *model.Staff, text string, next promises.Step) (*model.Message, error) {
	text, err := body(text)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if next.Holder != promises.Keep {
		if err := next.Clean(now); err != nil {
			return nil, err
		}
	}
	var m *model.Message
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		q, err := load(ctx, tx, inquiryID)
		if err != nil {
			return err
		}
		pc := promises.OfInquiry(q)
		clock, err := s.clock(ctx, tx)
		if err != nil {
			return err
		}
		m = &model.Message{InquiryID: q.ID, AuthorKind: model.AuthorStaff, AuthorStaffID: &by.ID, Body: text, CreatedAt: now}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		from := q.Status
		actor := model.StaffActor(by)
		if from == model.InquiryResolved {
			q.Status, q.ResolvedAt = model.InquiryOpen, nil
		}
		step, err := promises.Next(ctx, tx, pc)
		if err != nil {
			return err
		}
		if next.Holder != promises.Keep || step == nil {
			if next.Holder == promises.Keep {
				next = promises.Step{Holder: model.HolderCustomer}
			}
			p, err := promises.Resolved(ctx, tx, next, by, clock, now)
			if err != nil {
				return err
			}
			if _, err := promises.SettleAll(ctx, tx, pc, promises.Kept, "", actor, now); err != nil {
				return err
			}
			if err := promises.Make(ctx, tx, pc, p, actor, now); err != nil {
				return err
			}
			step = p
		}
		if err := refresh(ctx, tx, q); err != nil {
			return err
		}
		if err := save(ctx, tx, q, now); err != nil {
			return err
		}
		ev := actor.Stamp(&model.Event{CustomerID: q.CustomerID, InquiryID: &q.ID, Kind: model.EventStaffReplied,
			Data: map[string]string{"message_id": strconv.FormatInt(m.ID, 10), "from": from, "status": q.Status, "title": by.Title},
			// The message itself is what the customer reads; the event is the audit.
			CustomerVisible: false, CreatedAt: now})
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		msg := notify.StaffReplyMsg(q.Customer, notify.Locale(ctx, tx, q.Customer.Locale), q, m, by, step)
		if _, err := tx.Enqueue(ctx, msg); err != nil {
			return err
		}
		s.changed(tx, q)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inquiries: staff reply to inquiry %d: %w", inquiryID, err)
	}
	return m, nil
}

// Note adds a note for colleagues: never shown to the customer, no email,
// no change to the inquiry's status or due time.
func (s *Service) Note(ctx context.Context, inquiryID int64, by *model.Staff, text string) (*model.Message, error) {
	text, err := body(text)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var m *model.Message
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		q, err := load(ctx, tx, inquiryID)
		if err != nil {
			return err
		}
		m = &model.Message{InquiryID: q.ID, AuthorKind: model.AuthorStaff, AuthorStaffID: &by.ID, Body: text, Internal: true, CreatedAt: now}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		ev := model.StaffActor(by).Stamp(&model.Event{CustomerID: q.CustomerID, InquiryID: &q.ID, Kind: model.EventNoteAdded,
			Data: map[string]string{"message_id": strconv.FormatInt(m.ID, 10)}, CustomerVisible: false, CreatedAt: now})
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		// Only staff pages change: the customer's topic stays quiet.
		if s.Bus != nil {
			name := live.InquiryEvent(q.ID)
			tx.AfterCommit(func() { s.Bus.Publish(live.StaffTopic, live.Event{Name: name}) })
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inquiries: note on inquiry %d: %w", inquiryID, err)
	}
	return m, nil
}
