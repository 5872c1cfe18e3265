package inquiries

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// NotArrived is the customer's "This did not arrive" on one of their
// delivered orders (another customer's is store.ErrNotFound; an order not
// reported delivered, ErrNotDelivered). It opens an inquiry about the order
// held by its owner, with the delivery facts already in the customer's
// message — when, to whom, who confirmed it — and its own reply-by time;
// the customer and the owner are emailed. While such an inquiry is open,
// asking again returns it with created=false.
func (s *Service) NotArrived(ctx context.Context, customerID int64, ref string) (q *model.Inquiry, created bool, err error) {
	ref = strings.TrimSpace(ref)
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		o, err := tx.OrderForCustomer(ctx, customerID, ref)
		if err != nil {
			return err
		}
		if o.Status != model.OrderDelivered {
			return ErrNotDelivered
		}
		if q, err = tx.OpenInquiryOfOrigin(ctx, o.ID, model.OriginNotArrived); err == nil {
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		c, err := tx.CustomerByID(ctx, customerID)
		if err != nil {
			return err
		}
		words, err := s.words()
		if err != nil {
			return err
		}
		lang := notify.Locale(ctx, tx, c.Locale, o.Locale)
		subject := words.T(lang, "promise.not_arrived.subject", "Ref", o.Ref)
		lines := []string{words.T(lang, "promise.not_arrived.body", "Ref", o.Ref)}
		if o.DeliveredAt != nil {
			lines = append(lines, words.T(lang, "promise.not_arrived.delivered", "When", s.when(lang, *o.DeliveredAt)))
		}
		if o.RecipientName != "" {
			lines = append(lines, words.T(lang, "promise.not_arrived.recipient", "Name", o.RecipientName))
		}
		if o.DeliveryConfirmedBy != "" {
			lines = append(lines, words.T(lang, "promise.not_arrived.confirmed_by", "Name", o.DeliveryConfirmedBy))
		}
		q, err = s.open(ctx, tx, customerID, o, opening{subject: subject, body: strings.Join(lines, "\n"),
			by: model.CustomerActor(c), origin: model.OriginNotArrived})
		created = err == nil
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("inquiries: %q did not arrive: %w", ref, err)
	}
	return q, created, nil
}

// OpenLate opens, inside tx, the inquiry Kedja opens on the customer's
// behalf when order o is past its expected delivery with no delivery
// reported: held by the order's owner, who will write by their reply-time
// target ("We have not heard that BF-2002 arrived; Peter Madsen is checking
// with PostNord and will write by …"), in the customer's language. No
// email is queued: the caller sends the one late-order email.
func (s *Service) OpenLate(ctx context.Context, tx *store.Store, o *model.Order) (*model.Inquiry, error) {
	now := s.now()
	c, err := tx.CustomerByID(ctx, o.CustomerID)
	if err != nil {
		return nil, err
	}
	own, err := tx.StaffByID(ctx, o.OwnerID)
	if err != nil {
		return nil, err
	}
	clock, err := s.clock(ctx, tx)
	if err != nil {
		return nil, err
	}
	due := clock.ReplyBy(now)
	words, err := s.words()
	if err != nil {
		return nil, err
	}
	lang := notify.Locale(ctx, tx, c.Locale, o.Locale)
	party := o.Carrier
	if party == "" {
		party = words.T(lang, "promise.late.the_delivery")
	}
	day := o.ExpectedDelivery
	if t, ok := i18n.ParseDay(day, s.loc()); ok {
		day = i18n.FormatDate(lang, t, now.In(s.loc()))
	}
	subject := words.T(lang, "promise.late.subject", "Ref", o.Ref)
	body := words.T(lang, "promise.late.body", "Ref", o.Ref, "Date", day, "Name", own.FullName, "Party", party,
		"When", s.when(lang, due))
	return s.open(ctx, tx, o.CustomerID, o, opening{subject: subject, body: body, by: kedja(), author: model.AuthorSystem,
		origin: model.OriginLateOrder, reply: &due, quiet: true})
}

func (s *Service) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

// when writes t as the customer reads it: a date and a clock time in the
// business's zone, in their language.
func (s *Service) when(lang string, t time.Time) string {
	return i18n.FormatDateTime(lang, t.In(s.loc()), s.now().In(s.loc()))
}
