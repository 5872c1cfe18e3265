package staffwork

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// KindInquiryOpened is the event of a new inquiry; the same kind the
// customer's own inquiries get (cases.KindInquiryOpened), so every timeline
// treats both alike.
const KindInquiryOpened = "inquiry_opened"

// MaxSubject bounds an inquiry's subject, in characters (as cases.MaxSubject).
const MaxSubject = 200

// Validation errors of OpenOnBehalf; the web layer shows their text.
var (
	ErrNoSubject     = errors.New("give the inquiry a subject, such as “Invoice copy”")
	ErrNoQuestion    = errors.New("write down what the customer asked, in their words")
	ErrLongSubject   = fmt.Errorf("the subject is too long (at most %d characters)", MaxSubject)
	ErrLongQuestion  = fmt.Errorf("the question is too long (at most %d characters)", MaxBody)
	ErrNotTheirOrder = errors.New("that order is not one of this customer's: choose one of theirs, or none")
)

// OnBehalf is what a customer asked outside the portal — on the phone, at
// the counter — as a staff member writes it down.
type OnBehalf struct {
	Subject  string
	Body     string // the customer's question, in their words
	OrderRef string // one of the customer's orders, or "" for a general question
}

// OpenOnBehalf opens an inquiry for the customer, written by a staff member
// who took the question another way. It is the customer's inquiry as if they
// had opened it in the portal: the question is the customer's message, the
// owner is chosen by the owner rule (the order's owner when it is about an
// order and they are active, else the least-loaded colleague), the business
// owes a reply within the reply-time target, and the customer is emailed
// who owns it and by when they will hear back. The timeline (the customer's
// and the staff's) says who opened it on the customer's behalf.
func OpenOnBehalf(ctx context.Context, s *store.Store, bus Publisher, customerID int64, in OnBehalf, by *model.Staff, now time.Time) (*model.Inquiry, error) {
	if err := in.clean(); err != nil {
		return nil, err
	}
	now = model.Normalize(now)
	var q *model.Inquiry
	err := s.WithTx(ctx, func(tx *store.Store) error {
		c, err := tx.CustomerByID(ctx, customerID)
		if err != nil {
			return err
		}
		var o *model.Order
		var orderOwner int64
		if in.OrderRef != "" {
			if o, err = tx.OrderForCustomer(ctx, customerID, in.OrderRef); errors.Is(err, store.ErrNotFound) {
				return ErrNotTheirOrder
			} else if err != nil {
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
		hours := 24
		if st.ReplyHours > 0 {
			hours = st.ReplyHours
		}
		due := now.Add(time.Duration(hours) * time.Hour)
		q = &model.Inquiry{CustomerID: customerID, Subject: in.Subject, OwnerID: own.ID, Status: model.InquiryOpen,
			ReplyDueAt: &due, LastActivityAt: now, CreatedAt: now, UpdatedAt: now, Owner: own, Customer: c}
		if o != nil {
			q.OrderID, q.Order = &o.ID, o
		}
		if err := tx.InsertInquiry(ctx, q); err != nil {
			return err
		}
		// The question is the customer's, so it is their message; who wrote it
		// down is in the timeline.
		m := &model.Message{InquiryID: q.ID, AuthorKind: model.AuthorCustomer, Body: in.Body, CreatedAt: now}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		if err := openedEvents(ctx, tx, q, o, by, now); err != nil {
			return err
		}
		if _, err := tx.Enqueue(ctx, notify.InquiryReceivedMsg(c, mailLocale(ctx, tx, c), q, own)); err != nil {
			return err
		}
		publishInquiry(tx, bus, q)
		if o != nil && bus != nil {
			cust, name := c.ID, live.OrderEvent(o.Ref)
			tx.AfterCommit(func() {
				bus.Publish(live.CustomerTopic(cust), live.Event{Name: name})
				bus.Publish(live.StaffTopic, live.Event{Name: name})
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("staffwork: open inquiry for customer %d: %w", customerID, err)
	}
	return q, nil
}

// clean trims and checks the input.
func (in *OnBehalf) clean() error {
	in.Subject = strings.Join(strings.Fields(in.Subject), " ")
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	in.OrderRef = strings.TrimSpace(in.OrderRef)
	switch {
	case in.Subject == "":
		return ErrNoSubject
	case utf8.RuneCountInString(in.Subject) > MaxSubject:
		return ErrLongSubject
	case in.Body == "":
		return ErrNoQuestion
	case len(in.Body) > MaxBody:
		return ErrLongQuestion
	}
	return nil
}

// openedEvents writes the "inquiry opened" events of q (and of its order),
// naming the staff member who opened it on the customer's behalf.
func openedEvents(ctx context.Context, tx *store.Store, q *model.Inquiry, o *model.Order, by *model.Staff, now time.Time) error {
	data := map[string]string{"subject": q.Subject, "owner": q.Owner.FullName, "owner_title": q.Owner.Title,
		"on_behalf": "true", "opened_by": by.FullName, "opened_by_title": by.Title}
	if o != nil {
		data["order_ref"] = o.Ref
	}
	ev := model.StaffActor(by).Stamp(&model.Event{CustomerID: q.CustomerID, InquiryID: &q.ID, Kind: KindInquiryOpened,
		Data: data, CustomerVisible: true, CreatedAt: now})
	if err := tx.InsertEvent(ctx, ev); err != nil {
		return err
	}
	if o == nil {
		return nil
	}
	oev := model.StaffActor(by).Stamp(&model.Event{CustomerID: q.CustomerID, OrderID: &o.ID, Kind: KindInquiryOpened,
		Data: map[string]string{"subject": q.Subject, "inquiry_id": idStr(q.ID), "owner": q.Owner.FullName,
			"on_behalf": "true", "opened_by": by.FullName},
		CustomerVisible: true, CreatedAt: now})
	if err := tx.InsertEvent(ctx, oev); err != nil {
		return err
	}
	return tx.TouchOrder(ctx, o.ID, now)
}
