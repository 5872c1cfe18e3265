package inquiries

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// Reassign hands the inquiry to another active staff member: a handoff
// event the customer sees (naming both), and an email to the new owner
// unless they took it themselves. Handing it to its owner is
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
		from := q.Owner
		if from == nil {
			if from, err = tx.StaffByID(ctx, q.OwnerID); err != nil {
				return err
			}
		}
		q.OwnerID, q.Owner = to.ID, to
		if err := save(ctx, tx, q, now); err != nil {
			return err
		}
		ev := owner.Handoff(q.CustomerID, nil, &q.ID, from, to, by, now)
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		if to.ID != by.ID {
			msg := notify.HandoffMsg(to, from, notify.Case{Inquiry: q}, strconv.FormatInt(ev.ID, 10))
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
// zone). The business owes the customer news by the end of that day, so the
// reply-due time moves there.
func (s *Service) WaitOnThirdParty(ctx context.Context, inquiryID int64, by *model.Staff, party, expected string) error {
	party, expected = strings.TrimSpace(party), strings.TrimSpace(expected)
	if party == "" {
		return ErrNoParty
	}
	if utf8.RuneCountInString(party) > MaxParty {
		return ErrLongParty
	}
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	day, ok := i18n.ParseDay(expected, loc)
	if !ok {
		return ErrBadDate
	}
	now := s.now()
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		q, err := load(ctx, tx, inquiryID)
		if err != nil {
			return err
		}
		from := q.Status
		due := model.Normalize(day.AddDate(0, 0, 1))
		q.Status, q.ThirdPartyName, q.ThirdPartyExpected, q.ReplyDueAt, q.ResolvedAt = model.InquiryWaitingThirdParty, party, expected, &due, nil
		if err := save(ctx, tx, q, now); err != nil {
			return err
		}
		ev := model.StaffActor(by).Stamp(&model.Event{CustomerID: q.CustomerID, InquiryID: &q.ID, Kind: model.EventStatusChanged,
			Data:            map[string]string{"from": from, "status": q.Status, "third_party": party, "expected": expected},
			CustomerVisible: true, CreatedAt: now})
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		s.changed(tx, q)
		return nil
	})
	if err != nil {
		return fmt.Errorf("inquiries: third party on inquiry %d: %w", inquiryID, err)
	}
	return nil
}

// Resolve closes the inquiry. Nothing is deleted; a later reply from either
// side reopens it. Resolving it again is ErrAlreadyResolved.
func (s *Service) Resolve(ctx context.Context, inquiryID int64, by *model.Staff) error {
	now := s.now()
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		q, err := load(ctx, tx, inquiryID)
		if err != nil {
			return err
		}
		if q.Status == model.InquiryResolved {
			return ErrAlreadyResolved
		}
		from := q.Status
		q.Status, q.ReplyDueAt, q.ResolvedAt = model.InquiryResolved, nil, &now
		if err := save(ctx, tx, q, now); err != nil {
			return err
		}
		ev := model.StaffActor(by).Stamp(&model.Event{CustomerID: q.CustomerID, InquiryID: &q.ID, Kind: model.EventStatusChanged,
			Data: map[string]string{"from": from, "status": q.Status}, CustomerVisible: true, CreatedAt: now})
		if err := tx.InsertEvent(ctx, ev); err != nil {
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
