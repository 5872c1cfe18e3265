package inquiries

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// Question is an inquiry as its customer asks it: in the portal, or on the
// phone or at the counter to a staff member who writes it down.
type Question struct {
	Subject  string // one line
	Body     string // the customer's question, in their words
	OrderRef string // one of the customer's orders, or "" for a general question
}

// clean trims q and checks it: a subject (one line) and a body, each within
// its limit in characters. All problems come back together.
func (q *Question) clean() error {
	var subjectErr, bodyErr error
	q.Subject, subjectErr = check(oneLine(q.Subject), MaxSubject, ErrNoSubject, ErrLongSubject)
	q.Body, bodyErr = check(multiline(q.Body), MaxBody, ErrNoQuestion, ErrLongQuestion)
	q.OrderRef = strings.TrimSpace(q.OrderRef)
	return refusal.Join(subjectErr, bodyErr)
}

// Open opens an inquiry for the customer, about one of their orders or in
// general. by says who: the customer, or a staff member writing the
// question down for them — either way the question is the customer's
// message, and the timeline (the customer's and the staff's) says who took
// it down. Its owner is the order's owner when that person is active, else
// the business's owner rule (owner.Pick); the business owes a reply within
// settings.ReplyHours; the customer is emailed who owns it and by when they
// will hear back. Another customer's order is store.ErrNotFound for a
// customer and ErrNotTheirOrder for staff, who chose it from a list.
func (s *Service) Open(ctx context.Context, customerID int64, in Question, by model.Actor) (*model.Inquiry, error) {
	if err := in.clean(); err != nil {
		return nil, err
	}
	now := s.now()
	var q *model.Inquiry
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		var o *model.Order
		var orderOwner int64
		if in.OrderRef != "" {
			var err error
			if o, err = tx.OrderForCustomer(ctx, customerID, in.OrderRef); err != nil {
				if errors.Is(err, store.ErrNotFound) && by.Kind == model.ActorStaff {
					return ErrNotTheirOrder
				}
				return err
			}
			orderOwner = o.OwnerID
		}
		c, err := tx.CustomerByID(ctx, customerID)
		if err != nil {
			return err
		}
		own, err := owner.Pick(ctx, tx, "", orderOwner)
		if err != nil {
			return err
		}
		st, err := tx.Settings(ctx)
		if err != nil {
			return err
		}
		q = &model.Inquiry{CustomerID: customerID, Subject: in.Subject, OwnerID: own.ID, Status: model.InquiryOpen,
			ReplyDueAt: replyDue(st, now), LastActivityAt: now, CreatedAt: now, UpdatedAt: now, Owner: own}
		data := map[string]string{"subject": in.Subject, "owner": own.FullName, "owner_title": own.Title}
		onBehalf := onBehalfOf(by)
		maps.Copy(data, onBehalf)
		if o != nil {
			q.OrderID, q.Order = &o.ID, o
			data["order_ref"] = o.Ref
		}
		if err := tx.InsertInquiry(ctx, q); err != nil {
			return err
		}
		m := &model.Message{InquiryID: q.ID, AuthorKind: model.AuthorCustomer, Body: in.Body, CreatedAt: now}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		ev := by.Stamp(&model.Event{CustomerID: customerID, InquiryID: &q.ID, Kind: model.EventInquiryOpened,
			Data: data, CustomerVisible: true, CreatedAt: now})
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		names := []string{live.InquiryEvent(q.ID)}
		if o != nil {
			odata := map[string]string{"subject": in.Subject, "inquiry_id": strconv.FormatInt(q.ID, 10), "owner": own.FullName}
			maps.Copy(odata, onBehalf)
			oev := by.Stamp(&model.Event{CustomerID: customerID, OrderID: &o.ID, Kind: model.EventInquiryOpened,
				Data: odata, CustomerVisible: true, CreatedAt: now})
			if err := tx.InsertEvent(ctx, oev); err != nil {
				return err
			}
			if err := tx.TouchOrder(ctx, o.ID, now); err != nil {
				return err
			}
			names = append(names, live.OrderEvent(o.Ref))
		}
		if _, err := tx.Enqueue(ctx, notify.InquiryReceivedMsg(c, notify.Locale(ctx, tx, c.Locale), q, own)); err != nil {
			return err
		}
		live.CaseChanged(tx, s.Bus, customerID, names...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inquiries: open for customer %d: %w", customerID, err)
	}
	return q, nil
}

// onBehalfOf is what the timeline keeps of a staff member who opened an
// inquiry for the customer (a phone call, the counter); nothing when the
// customer opened it.
func onBehalfOf(by model.Actor) map[string]string {
	if by.Kind != model.ActorStaff {
		return nil
	}
	return map[string]string{"on_behalf": "true", "opened_by": by.Name, "opened_by_title": by.Title}
}
