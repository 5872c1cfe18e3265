package cases

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// OpenInquiry opens an inquiry for the customer, about one of their orders
// (orderRef) or in general. Its owner is the order's owner when that person
// is active, else the business's owner rule (owner.Pick); the business owes a
// reply within settings.ReplyHours. The customer is emailed who owns it and
// by when they will hear back. Another customer's order is store.ErrNotFound.
// by is the customer, or a staff member writing a question down for them
// (the question is still the customer's message; the timeline says who).
func OpenInquiry(ctx context.Context, s *store.Store, bus Publisher, customerID int64, subject, body, orderRef string, by model.Actor, now time.Time) (*model.Inquiry, error) {
	var errs []error
	subject, err := cleanText("subject", subject, MaxSubject)
	if err != nil {
		errs = append(errs, err)
	}
	body, err = cleanText("body", body, MaxBody)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, joinFieldErrors(errs)
	}
	orderRef = strings.TrimSpace(orderRef)
	now = model.Normalize(now)
	var q *model.Inquiry
	err = s.WithTx(ctx, func(tx *store.Store) error {
		c, err := tx.CustomerByID(ctx, customerID)
		if err != nil {
			return err
		}
		var o *model.Order
		var orderOwner int64
		if orderRef != "" {
			if o, err = tx.OrderForCustomer(ctx, customerID, orderRef); err != nil {
				return err
			}
			orderOwner = o.OwnerID
		}
		own, err := owner.Pick(ctx, tx, "", orderOwner)
		if err != nil {
			return err
		}
		st, err := tx.Settings(ctx)
		if err != nil {
			return err
		}
		q = &model.Inquiry{CustomerID: customerID, Subject: subject, OwnerID: own.ID, Status: model.InquiryOpen,
			ReplyDueAt: replyDue(st, now), LastActivityAt: now, CreatedAt: now, UpdatedAt: now, Owner: own}
		data := map[string]string{"subject": subject, "owner": own.FullName, "owner_title": own.Title}
		onBehalf := onBehalfOf(by)
		maps.Copy(data, onBehalf)
		if o != nil {
			q.OrderID, q.Order = &o.ID, o
			data["order_ref"] = o.Ref
		}
		if err := tx.InsertInquiry(ctx, q); err != nil {
			return err
		}
		m := &model.Message{InquiryID: q.ID, AuthorKind: model.AuthorCustomer, Body: body, CreatedAt: now}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		ev := by.Stamp(&model.Event{CustomerID: customerID, InquiryID: &q.ID, Kind: KindInquiryOpened,
			Data: data, CustomerVisible: true, CreatedAt: now})
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		names := []string{live.InquiryEvent(q.ID)}
		if o != nil {
			odata := map[string]string{"subject": subject, "inquiry_id": idStr(q.ID), "owner": own.FullName}
			maps.Copy(odata, onBehalf)
			oev := by.Stamp(&model.Event{CustomerID: customerID, OrderID: &o.ID, Kind: KindInquiryOpened,
				Data: odata, CustomerVisible: true, CreatedAt: now})
			if err := tx.InsertEvent(ctx, oev); err != nil {
				return err
			}
			if err := tx.TouchOrder(ctx, o.ID, now); err != nil {
				return err
			}
			names = append(names, live.OrderEvent(o.Ref))
		}
		if _, err := tx.Enqueue(ctx, notify.InquiryReceivedMsg(c, mailLocale(c, st), q, own)); err != nil {
			return err
		}
		publish(tx, bus, customerID, names...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cases: open inquiry: %w", err)
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

// CustomerReply adds the customer's message to one of their inquiries
// (another customer's is store.ErrNotFound). The business owes a reply
// again: the inquiry is open with a new reply-due time, and a resolved
// inquiry is reopened.
func CustomerReply(ctx context.Context, s *store.Store, bus Publisher, customerID, inquiryID int64, body string, now time.Time) (*model.Message, error) {
	body, err := cleanText("body", body, MaxBody)
	if err != nil {
		return nil, err
	}
	now = model.Normalize(now)
	var m *model.Message
	err = s.WithTx(ctx, func(tx *store.Store) error {
		q, err := tx.InquiryForCustomer(ctx, customerID, inquiryID)
		if err != nil {
			return err
		}
		st, err := tx.Settings(ctx)
		if err != nil {
			return err
		}
		m = &model.Message{InquiryID: q.ID, AuthorKind: model.AuthorCustomer, Body: body, CreatedAt: now}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		from := q.Status
		q.Status, q.ReplyDueAt, q.ResolvedAt = model.InquiryOpen, replyDue(st, now), nil
		q.ThirdPartyName, q.ThirdPartyExpected = "", ""
		q.UpdatedAt, q.LastActivityAt = now, now
		if err := tx.UpdateInquiry(ctx, q); err != nil {
			return err
		}
		actor := model.Actor{Kind: model.ActorCustomer, Name: ""}
		if c, err := tx.CustomerByID(ctx, customerID); err == nil {
			actor.Name = c.Name
		}
		// The message is what the customer reads; this event is the audit.
		ev := actor.Stamp(&model.Event{CustomerID: customerID, InquiryID: &q.ID, Kind: KindCustomerReplied,
			Data: map[string]string{"message_id": idStr(m.ID), "from": from}, CreatedAt: now})
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		if from == model.InquiryResolved {
			ev := actor.Stamp(&model.Event{CustomerID: customerID, InquiryID: &q.ID, Kind: KindStatusChanged,
				Data: map[string]string{"from": from, "status": q.Status}, CustomerVisible: true, CreatedAt: now})
			if err := tx.InsertEvent(ctx, ev); err != nil {
				return err
			}
		}
		publish(tx, bus, customerID, live.InquiryEvent(q.ID))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cases: reply to inquiry %d: %w", inquiryID, err)
	}
	return m, nil
}

// FieldErrors is more than one FieldError from one form.
type FieldErrors []*FieldError

func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, fe := range e {
		parts[i] = fe.Error()
	}
	return strings.Join(parts, "; ")
}

// Fields maps each field with a problem to its code.
func (e FieldErrors) Fields() map[string]string {
	out := make(map[string]string, len(e))
	for _, fe := range e {
		out[fe.Field] = fe.Code
	}
	return out
}

func joinFieldErrors(errs []error) error {
	var out FieldErrors
	for _, err := range errs {
		if fe, ok := err.(*FieldError); ok {
			out = append(out, fe)
		}
	}
	return out
}
