package staffwork

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// StaffReply answers the customer: the message is added to the conversation,
// the customer is emailed, and the inquiry waits on the customer (the
// business no longer owes a reply, so reply_due_at is cleared). A reply to a
// resolved inquiry reopens it.
func StaffReply(ctx context.Context, s *store.Store, bus Publisher, inquiryID int64, by *model.Staff, body string, now time.Time) (*model.Message, error) {
	body, err := cleanBody(body)
	if err != nil {
		return nil, err
	}
	now = model.Normalize(now)
	var m *model.Message
	err = s.WithTx(ctx, func(tx *store.Store) error {
		q, err := loadInquiry(ctx, tx, inquiryID)
		if err != nil {
			return err
		}
		m = &model.Message{InquiryID: q.ID, AuthorKind: model.AuthorStaff, AuthorStaffID: &by.ID, Body: body, CreatedAt: now}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		from := q.Status
		q.Status, q.ReplyDueAt, q.ResolvedAt = model.InquiryWaitingCustomer, nil, nil
		q.ThirdPartyName, q.ThirdPartyExpected = "", ""
		if err := saveInquiry(ctx, tx, q, now); err != nil {
			return err
		}
		ev := model.StaffActor(by).Stamp(&model.Event{CustomerID: q.CustomerID, InquiryID: &q.ID, Kind: KindStaffReplied,
			Data: map[string]string{"message_id": idStr(m.ID), "from": from, "status": q.Status, "title": by.Title},
			// The message itself is what the customer reads; the event is the audit.
			CustomerVisible: false, CreatedAt: now})
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		if _, err := tx.Enqueue(ctx, notify.StaffReplyMsg(q.Customer, mailLocale(ctx, tx, q.Customer), q, m, by)); err != nil {
			return err
		}
		publishInquiry(tx, bus, q)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("staffwork: reply to inquiry %d: %w", inquiryID, err)
	}
	return m, nil
}

// InternalNote adds a note for colleagues: never shown to the customer, no
// email, no change to the inquiry's status or due time.
func InternalNote(ctx context.Context, s *store.Store, bus Publisher, inquiryID int64, by *model.Staff, body string, now time.Time) (*model.Message, error) {
	body, err := cleanBody(body)
	if err != nil {
		return nil, err
	}
	now = model.Normalize(now)
	var m *model.Message
	err = s.WithTx(ctx, func(tx *store.Store) error {
		q, err := loadInquiry(ctx, tx, inquiryID)
		if err != nil {
			return err
		}
		m = &model.Message{InquiryID: q.ID, AuthorKind: model.AuthorStaff, AuthorStaffID: &by.ID, Body: body, Internal: true, CreatedAt: now}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		ev := model.StaffActor(by).Stamp(&model.Event{CustomerID: q.CustomerID, InquiryID: &q.ID, Kind: KindNoteAdded,
			Data: map[string]string{"message_id": idStr(m.ID)}, CustomerVisible: false, CreatedAt: now})
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		// Only staff pages change: the customer's topic stays quiet.
		if bus != nil {
			id := q.ID
			tx.AfterCommit(func() { bus.Publish(staffTopicInquiry(id)) })
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("staffwork: note on inquiry %d: %w", inquiryID, err)
	}
	return m, nil
}

// ReassignInquiry hands the inquiry to another active staff member: a handoff
// event the customer sees (naming both), and an email to the new owner unless
// they took it themselves.
func ReassignInquiry(ctx context.Context, s *store.Store, bus Publisher, inquiryID, toStaffID int64, by *model.Staff, now time.Time) error {
	now = model.Normalize(now)
	err := s.WithTx(ctx, func(tx *store.Store) error {
		q, err := loadInquiry(ctx, tx, inquiryID)
		if err != nil {
			return err
		}
		to, err := tx.StaffByID(ctx, toStaffID)
		if err != nil {
			return err
		}
		if !to.Active {
			return ErrInactiveOwner
		}
		if q.OwnerID == to.ID {
			return ErrSameOwner
		}
		from := q.Owner
		if from == nil {
			if from, err = tx.StaffByID(ctx, q.OwnerID); err != nil {
				return err
			}
		}
		q.OwnerID, q.Owner = to.ID, to
		if err := saveInquiry(ctx, tx, q, now); err != nil {
			return err
		}
		ev := owner.Handoff(q.CustomerID, nil, &q.ID, from, to, by, now)
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		if to.ID != by.ID {
			msg := notify.HandoffMsg(to, from, q.Subject, "/admin/inquiries/"+idStr(q.ID), idStr(ev.ID))
			if _, err := tx.Enqueue(ctx, msg); err != nil {
				return err
			}
		}
		publishInquiry(tx, bus, q)
		return nil
	})
	if err != nil {
		return fmt.Errorf("staffwork: reassign inquiry %d: %w", inquiryID, err)
	}
	return nil
}

// WaitOnThirdParty records that the inquiry waits on a named party who
// promised an answer by expected (YYYY-MM-DD). The business owes the
// customer news by the end of that day, so the reply-due time moves there.
func WaitOnThirdParty(ctx context.Context, s *store.Store, bus Publisher, inquiryID int64, by *model.Staff, party, expected string, loc *time.Location, now time.Time) error {
	party, expected = strings.TrimSpace(party), strings.TrimSpace(expected)
	if party == "" {
		return ErrNoParty
	}
	if len(party) > 200 {
		return fmt.Errorf("the party's name is too long")
	}
	if loc == nil {
		loc = time.UTC
	}
	day, ok := i18n.ParseDay(expected, loc)
	if !ok {
		return ErrBadDate
	}
	now = model.Normalize(now)
	err := s.WithTx(ctx, func(tx *store.Store) error {
		q, err := loadInquiry(ctx, tx, inquiryID)
		if err != nil {
			return err
		}
		from := q.Status
		due := model.Normalize(day.AddDate(0, 0, 1))
		q.Status, q.ThirdPartyName, q.ThirdPartyExpected, q.ReplyDueAt, q.ResolvedAt = model.InquiryWaitingThirdParty, party, expected, &due, nil
		if err := saveInquiry(ctx, tx, q, now); err != nil {
			return err
		}
		ev := model.StaffActor(by).Stamp(&model.Event{CustomerID: q.CustomerID, InquiryID: &q.ID, Kind: KindStatusChanged,
			Data:            map[string]string{"from": from, "status": q.Status, "third_party": party, "expected": expected},
			CustomerVisible: true, CreatedAt: now})
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		publishInquiry(tx, bus, q)
		return nil
	})
	if err != nil {
		return fmt.Errorf("staffwork: third party on inquiry %d: %w", inquiryID, err)
	}
	return nil
}

// ResolveInquiry closes the inquiry. Nothing is deleted; a later reply from
// either side reopens it.
func ResolveInquiry(ctx context.Context, s *store.Store, bus Publisher, inquiryID int64, by *model.Staff, now time.Time) error {
	now = model.Normalize(now)
	err := s.WithTx(ctx, func(tx *store.Store) error {
		q, err := loadInquiry(ctx, tx, inquiryID)
		if err != nil {
			return err
		}
		if q.Status == model.InquiryResolved {
			return ErrAlreadyClosed
		}
		from := q.Status
		q.Status, q.ReplyDueAt, q.ResolvedAt = model.InquiryResolved, nil, &now
		if err := saveInquiry(ctx, tx, q, now); err != nil {
			return err
		}
		ev := model.StaffActor(by).Stamp(&model.Event{CustomerID: q.CustomerID, InquiryID: &q.ID, Kind: KindStatusChanged,
			Data: map[string]string{"from": from, "status": q.Status}, CustomerVisible: true, CreatedAt: now})
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		publishInquiry(tx, bus, q)
		return nil
	})
	if err != nil {
		return fmt.Errorf("staffwork: resolve inquiry %d: %w", inquiryID, err)
	}
	return nil
}
