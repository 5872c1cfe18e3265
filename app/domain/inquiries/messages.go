package inquiries

import (
	"context"
	"fmt"
	"strconv"

	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// body is a reply or note as it is kept, or why it is refused.
func body(s string) (string, error) { return check(multiline(s), MaxBody, ErrEmptyBody, ErrLongBody) }

// CustomerReply adds the customer's message to one of their inquiries
// (another customer's is store.ErrNotFound). The business owes a reply
// again: the inquiry is open with a new reply-due time, and a resolved
// inquiry is reopened.
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
		st, err := tx.Settings(ctx)
		if err != nil {
			return err
		}
		m = &model.Message{InquiryID: q.ID, AuthorKind: model.AuthorCustomer, Body: text, CreatedAt: now}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		from := q.Status
		q.Status, q.ReplyDueAt, q.ResolvedAt = model.InquiryOpen, replyDue(st, now), nil
		q.ThirdPartyName, q.ThirdPartyExpected = "", ""
		if err := save(ctx, tx, q, now); err != nil {
			return err
		}
		actor := model.Actor{Kind: model.ActorCustomer, Name: ""}
		if c, err := tx.CustomerByID(ctx, customerID); err == nil {
			actor.Name = c.Name
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
		}
		s.changed(tx, q)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inquiries: customer reply to inquiry %d: %w", inquiryID, err)
	}
	return m, nil
}

// StaffReply answers the customer: the message is added to the
// conversation, the customer is emailed, and the inquiry waits on the
// customer (the business no longer owes a reply, so reply_due_at is
// cleared). A reply to a resolved inquiry reopens it.
func (s *Service) StaffReply(ctx context.Context, inquiryID int64, by *model.Staff, text string) (*model.Message, error) {
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
		m = &model.Message{InquiryID: q.ID, AuthorKind: model.AuthorStaff, AuthorStaffID: &by.ID, Body: text, CreatedAt: now}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		from := q.Status
		q.Status, q.ReplyDueAt, q.ResolvedAt = model.InquiryWaitingCustomer, nil, nil
		q.ThirdPartyName, q.ThirdPartyExpected = "", ""
		if err := save(ctx, tx, q, now); err != nil {
			return err
		}
		ev := model.StaffActor(by).Stamp(&model.Event{CustomerID: q.CustomerID, InquiryID: &q.ID, Kind: model.EventStaffReplied,
			Data: map[string]string{"message_id": strconv.FormatInt(m.ID, 10), "from": from, "status": q.Status, "title": by.Title},
			// The message itself is what the customer reads; the event is the audit.
			CustomerVisible: false, CreatedAt: now})
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		msg := notify.StaffReplyMsg(q.Customer, notify.Locale(ctx, tx, q.Customer.Locale), q, m, by)
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
