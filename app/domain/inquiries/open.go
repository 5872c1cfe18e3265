package inquiries

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/domain/promises"
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
// the business's owner rule (owner.Pick). Its next step is the owner's
// reply, due after the reply-time target counted in opening hours; the
// customer is emailed who owns it and by when they will hear back, and the
// owner is emailed that it is theirs (unless they wrote it down
// themselves). Another customer's order is store.ErrNotFound for a
// customer and ErrNotTheirOrder for staff, who chose it from a list.
func (s *Service) Open(ctx context.Context, customerID int64, in Question, by model.Actor) (*model.Inquiry, error) {
	if err := in.clean(); err != nil {
		return nil, err
	}
	var q *model.Inquiry
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		var o *model.Order
		if in.OrderRef != "" {
			var err error
			if o, err = tx.OrderForCustomer(ctx, customerID, in.OrderRef); err != nil {
				if errors.Is(err, store.ErrNotFound) && by.Kind == model.ActorStaff {
					return ErrNotTheirOrder
				}
				return err
			}
		}
		var err error
		q, err = s.open(ctx, tx, customerID, o, opening{subject: in.Subject, body: in.Body, by: by})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("inquiries: open for customer %d: %w", customerID, err)
	}
	return q, nil
}

// opening is how an inquiry is opened.
type opening struct {
	subject, body string
	by            model.Actor // who opened it (the question is the customer's unless author says otherwise)
	author        string      // author of the first message: model.AuthorCustomer (default) or AuthorSystem
	origin        string      // model.Origin…, "" for a question
	// reply, when set, is the reply's due time instead of the target.
	reply *time.Time
	// quiet leaves out the customer's "we received your question" email
	// (the caller sends its own).
	quiet bool
}

// open writes a new inquiry about o (nil: in general) inside tx, with its
// first message, next step, timeline events and emails.
func (s *Service) open(ctx context.Context, tx *store.Store, customerID int64, o *model.Order, in opening) (*model.Inquiry, error) {
	now := s.now()
	c, err := tx.CustomerByID(ctx, customerID)
	if err != nil {
		return nil, err
	}
	var orderOwner int64
	if o != nil {
		orderOwner = o.OwnerID
	}
	own, err := owner.Pick(ctx, tx, "", orderOwner)
	if err != nil {
		return nil, err
	}
	clock, err := s.clock(ctx, tx)
	if err != nil {
		return nil, err
	}
	due := clock.ReplyBy(now)
	if in.reply != nil {
		due = *in.reply
	}
	q := &model.Inquiry{CustomerID: customerID, Subject: in.subject, OwnerID: own.ID, Status: model.InquiryOpen,
		ReplyDueAt: &due, LastActivityAt: now, CreatedAt: now, UpdatedAt: now, Owner: own, Origin: in.origin}
	data := map[string]string{"subject": in.subject, "owner": own.FullName, "owner_title": own.Title}
	onBehalf := onBehalfOf(in.by)
	maps.Copy(data, onBehalf)
	if in.origin != "" {
		data["origin"] = in.origin
	}
	if o != nil {
		q.OrderID, q.Order = &o.ID, o
		data["order_ref"] = o.Ref
	}
	if err := tx.InsertInquiry(ctx, q); err != nil {
		return nil, err
	}
	author := in.author
	if author == "" {
		author = model.AuthorCustomer
	}
	m := &model.Message{InquiryID: q.ID, AuthorKind: author, Body: in.body, CreatedAt: now}
	if err := tx.InsertMessage(ctx, m); err != nil {
		return nil, err
	}
	ev := in.by.Stamp(&model.Event{CustomerID: customerID, InquiryID: &q.ID, Kind: model.EventInquiryOpened,
		Data: data, CustomerVisible: true, CreatedAt: now})
	if err := tx.InsertEvent(ctx, ev); err != nil {
		return nil, err
	}
	if err := promises.Make(ctx, tx, promises.OfInquiry(q), promises.ReplyBy(own, due), in.by, now); err != nil {
		return nil, err
	}
	names := []string{live.InquiryEvent(q.ID)}
	if o != nil {
		odata := map[string]string{"subject": in.subject, "inquiry_id": strconv.FormatInt(q.ID, 10), "owner": own.FullName}
		maps.Copy(odata, onBehalf)
		if in.origin != "" {
			odata["origin"] = in.origin
		}
		oev := in.by.Stamp(&model.Event{CustomerID: customerID, OrderID: &o.ID, Kind: model.EventInquiryOpened,
			Data: odata, CustomerVisible: true, CreatedAt: now})
		if err := tx.InsertEvent(ctx, oev); err != nil {
			return nil, err
		}
		if err := tx.TouchOrder(ctx, o.ID, now); err != nil {
			return nil, err
		}
		names = append(names, live.OrderEvent(o.Ref))
	}
	if !in.quiet {
		if _, err := tx.Enqueue(ctx, notify.InquiryReceivedMsg(c, notify.Locale(ctx, tx, c.Locale), q, own)); err != nil {
			return nil, err
		}
	}
	if in.by.StaffID == nil || *in.by.StaffID != own.ID {
		why := notify.AssignedOpened
		if in.origin != "" {
			why = in.origin
		}
		if _, err := tx.Enqueue(ctx, notify.InquiryAssignedMsg(own, c, q, in.by, why, strconv.FormatInt(ev.ID, 10))); err != nil {
			return nil, err
		}
	}
	live.CaseChanged(tx, s.Bus, customerID, names...)
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
