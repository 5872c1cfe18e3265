package mailin

import (
	"context"
	"fmt"

	"github.com/kedja/kedja/app/inmail"
	"github.com/kedja/kedja/app/mailref"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// Accept puts a held message where it belongs, as staff member by decided:
// a reply goes into its case as the case customer's message (reopening a
// resolved inquiry), a reply to an order mail into the open inquiry about
// the order or a new one, and new mail opens an inquiry for its sender
// (created when unknown). It returns the inquiry. A message decided before
// is store.ErrConflict.
func (s *Service) Accept(ctx context.Context, heldID int64, by *model.Staff) (*model.Inquiry, error) {
	now := s.now()
	var q *model.Inquiry
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		hm, err := tx.HeldMailByID(ctx, heldID)
		if err != nil {
			return err
		}
		if hm.State != model.HeldWaiting {
			return fmt.Errorf("held mail %d is %s: %w", heldID, hm.State, store.ErrConflict)
		}
		h := &handling{s: s, tx: tx, now: now}
		var inquiryID int64
		switch hm.CaseKind {
		case mailref.KindInquiry:
			cur, err := tx.InquiryByID(ctx, hm.CaseID)
			if err != nil {
				return err
			}
			if _, err := s.Cases.CustomerReply(ctx, tx, cur.CustomerID, cur.ID, hm.Body, now); err != nil {
				return err
			}
			inquiryID = cur.ID
		case mailref.KindOrder:
			o, err := tx.OrderByID(ctx, hm.CaseID)
			if err != nil {
				return err
			}
			c, err := tx.CustomerByID(ctx, o.CustomerID)
			if err != nil {
				return err
			}
			h.msg = heldAsMessage(hm)
			res, err := h.aboutOrder(ctx, c, o, hm.Body, model.StaffActor(by))
			if err != nil {
				return err
			}
			inquiryID = res.InquiryID
		default:
			c, err := h.customer(ctx, hm.FromEmail, hm.FromName)
			if err != nil {
				return err
			}
			opened, err := s.Cases.Open(ctx, tx, c.ID, subjectOr(hm.Subject, hm.Body), hm.Body, "", model.StaffActor(by), now)
			if err != nil {
				return err
			}
			inquiryID = opened.ID
		}
		if err := tx.DecideHeldMail(ctx, heldID, model.HeldAccepted, by.ID, inquiryID, now); err != nil {
			return err
		}
		q, err = tx.InquiryByID(ctx, inquiryID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mailin: accept held mail %d: %w", heldID, err)
	}
	return q, nil
}

// Reject drops a held message: it stays listed as rejected, and nothing
// reaches a case.
func (s *Service) Reject(ctx context.Context, heldID int64, by *model.Staff) error {
	if err := s.Store.DecideHeldMail(ctx, heldID, model.HeldRejected, by.ID, 0, s.now()); err != nil {
		return fmt.Errorf("mailin: reject held mail %d: %w", heldID, err)
	}
	return nil
}

// heldAsMessage is the little of a parsed message that aboutOrder reads.
func heldAsMessage(hm *model.HeldMail) *inmail.Message {
	return &inmail.Message{MessageID: hm.MessageID, FromAddr: hm.FromEmail, FromName: hm.FromName, Subject: hm.Subject}
}
