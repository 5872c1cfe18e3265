// Package demo loads a small Danish flower shop, Blomsterhuset, so a first
// look at Kedja tells its story: named owners, honest statuses, promises
// kept (on time and late) and one missed and escalated by itself, a reply
// past its time that the first automatic check escalates, and a case
// waiting on a third party. Loading twice changes nothing. The open orders'
// delivery promises are given by the first automatic check's backfill
// (escalations.Service.Backfill), in the business's time zone.
package demo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/kedja/kedja/app/domain/promises"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// Addresses of the demo people, for the README and the log hint.
const (
	ManagerEmail  = "mette@blomsterhuset.example"
	CustomerEmail = "ann.jensen@example.com"
)

type staffSpec struct {
	email, name, title, phone string
	admin                     bool
}

func staffSpecs() []staffSpec {
	return []staffSpec{
		{ManagerEmail, "Mette Lindqvist", "Shop manager", "+45 33 12 40 00", true},
		{"anna@blomsterhuset.example", "Anna Holm", "Florist and customer service", "+45 33 12 40 11", false},
		{"jonas@blomsterhuset.example", "Jonas Kristensen", "Delivery coordinator", "+45 33 12 40 12", false},
		{"sofie@blomsterhuset.example", "Sofie Bak", "Customer service", "", false},
	}
}

type customerSpec struct{ email, name, locale string }

func customerSpecs() []customerSpec {
	return []customerSpec{
		{CustomerEmail, "Ann Jensen", "da"},
		{"erik.lindstrom@example.se", "Erik Lindström", "sv"},
		{"sanne.devries@example.nl", "Sanne de Vries", "nl"},
	}
}

type orderSpec struct {
	ref, customer, owner, status string
	placedDaysAgo                int
	expectInDays                 int // relative to today; 0 = none
	items                        []model.Item
	total, currency              string
	carrier, tracking, recipient string
}

func orderSpecs() []orderSpec {
	return []orderSpec{
		{"BH-1001", CustomerEmail, "anna@blomsterhuset.example", model.OrderDelivered, 9, 0,
			[]model.Item{{Name: "Condolence bouquet, white lilies and roses", Quantity: 1}, {Name: "Card with personal message", Quantity: 1}},
			"649.00", "DKK", "Blomsterhuset delivery", "BH-D-55120", "Birthe Hansen"},
		{"BH-1002", CustomerEmail, "jonas@blomsterhuset.example", model.OrderOutForDelivery, 2, 0,
			[]model.Item{{Name: "Birthday bouquet, summer colours", Quantity: 1}}, "399.00", "DKK", "PostNord", "00370712345678", "Lise Jensen"},
		{"BH-1003", CustomerEmail, "anna@blomsterhuset.example", model.OrderProcessing, 1, 3,
			[]model.Item{{Name: "Orchid in ceramic pot", Quantity: 2}}, "798.00", "DKK", "", "", ""},
		{"BH-1004", CustomerEmail, "sofie@blomsterhuset.example", model.OrderCancelled, 20, 0,
			[]model.Item{{Name: "Wreath, autumn", Quantity: 1}}, "450.00", "DKK", "", "", ""},
		{"BH-1005", "erik.lindstrom@example.se", "jonas@blomsterhuset.example", model.OrderShipped, 3, 2,
			[]model.Item{{Name: "Table arrangement, white tulips", Quantity: 1}, {Name: "Vase, smoked glass", Quantity: 1}},
			"1195.00", "SEK", "PostNord", "00370798765432", "Erik Lindström"},
		{"BH-1006", "erik.lindstrom@example.se", "anna@blomsterhuset.example", model.OrderConfirmed, 0, 5,
			[]model.Item{{Name: "Subscription: weekly bouquet (4 weeks)", Quantity: 1}}, "1600.00", "SEK", "", "", ""},
		{"BH-1007", "erik.lindstrom@example.se", "sofie@blomsterhuset.example", model.OrderReturned, 30, 0,
			[]model.Item{{Name: "Bonsai, juniper", Quantity: 1}}, "890.00", "SEK", "DAO", "DAO-77812", ""},
		{"BH-1008", "sanne.devries@example.nl", "jonas@blomsterhuset.example", model.OrderReceived, 0, 6,
			[]model.Item{{Name: "Wedding bouquet, peonies", Quantity: 1}, {Name: "Buttonhole", Quantity: 4}},
			"2150.00", "DKK", "", "", ""},
		{"BH-1009", "sanne.devries@example.nl", "anna@blomsterhuset.example", model.OrderDelivered, 14, 0,
			[]model.Item{{Name: "Tulip bulbs, mixed (50)", Quantity: 1}}, "320.00", "DKK", "GLS", "GLS-5521908", "Sanne de Vries"},
		{"BH-1010", "sanne.devries@example.nl", "sofie@blomsterhuset.example", model.OrderShipped, 4, 1,
			[]model.Item{{Name: "Dried flower arrangement", Quantity: 1}}, "540.00", "DKK", "GLS", "GLS-5530071", "Sanne de Vries"},
		{"BH-1011", CustomerEmail, "jonas@blomsterhuset.example", model.OrderReceived, 0, 4,
			[]model.Item{{Name: "Funeral spray, red roses", Quantity: 1}}, "1250.00", "DKK", "", "", ""},
		{"BH-1012", "erik.lindstrom@example.se", "anna@blomsterhuset.example", model.OrderDelivered, 6, 0,
			[]model.Item{{Name: "Get-well bouquet", Quantity: 1}}, "420.00", "SEK", "PostNord", "00370711112222", "Karin Lindström"},
	}
}

// Load writes the demo data in one transaction. When the demo orders already
// exist it changes nothing.
func Load(ctx context.Context, s *store.Store, now time.Time) error {
	now = model.Normalize(now)
	return s.WithTx(ctx, func(tx *store.Store) error {
		if _, err := tx.OrderByRef(ctx, "BH-1001"); err == nil {
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		staff := map[string]*model.Staff{}
		for i, sp := range staffSpecs() {
			st := &model.Staff{Email: sp.email, FullName: sp.name, Title: sp.title, Phone: sp.phone, IsAdmin: sp.admin, Active: true}
			if i > 0 {
				st.ManagerID = &staff[ManagerEmail].ID
			}
			if _, err := tx.SaveStaff(ctx, st); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			staff[sp.email] = st
		}
		settings, err := tx.Settings(ctx)
		if err != nil {
			return err
		}
		settings.SupportEmail = "hello@blomsterhuset.example"
		settings.ReplyHours = 24
		settings.LastResortManagerID = &staff[ManagerEmail].ID
		if err := tx.SaveSettings(ctx, settings); err != nil {
			return err
		}
		customers := map[string]*model.Customer{}
		for _, cs := range customerSpecs() {
			c, _, err := tx.UpsertCustomer(ctx, cs.email, cs.name, cs.locale)
			if err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			customers[cs.email] = c
		}
		orders := map[string]*model.Order{}
		for _, os := range orderSpecs() {
			o, err := loadOrder(ctx, tx, os, customers[os.customer], staff[os.owner], staff, now)
			if err != nil {
				return err
			}
			orders[os.ref] = o
		}
		fact := &model.CustomerFact{CustomerID: customers[CustomerEmail].ID, Label: "Delivery note", Value: "Ring the bell twice; side entrance", UpdatedBy: "Anna Holm"}
		if err := tx.AddFact(ctx, fact); err != nil {
			return err
		}
		fact = &model.CustomerFact{CustomerID: customers["erik.lindstrom@example.se"].ID, Label: "Subscription number", Value: "SUB-2026-0412", UpdatedBy: "Anna Holm"}
		if err := tx.AddFact(ctx, fact); err != nil {
			return err
		}
		return loadInquiries(ctx, tx, customers, orders, staff, now)
	})
}

func day(t time.Time, days int) string { return t.AddDate(0, 0, days).Format("2006-01-02") }

func loadOrder(ctx context.Context, tx *store.Store, sp orderSpec, c *model.Customer, owner *model.Staff, staff map[string]*model.Staff, now time.Time) (*model.Order, error) {
	placed := now.Add(-time.Duration(sp.placedDaysAgo)*24*time.Hour - 3*time.Hour)
	o := &model.Order{
		Ref: sp.ref, CustomerID: c.ID, OwnerID: owner.ID, Status: model.OrderReceived, PlacedAt: &placed,
		Items: sp.items, Total: sp.total, Currency: sp.currency, Carrier: sp.carrier, TrackingNumber: sp.tracking,
		RecipientName: sp.recipient, Locale: c.Locale, LastActivityAt: placed, CreatedAt: placed, UpdatedAt: placed,
	}
	if sp.tracking != "" && sp.carrier == "PostNord" {
		o.TrackingURL = "https://tracking.postnord.example/?id=" + sp.tracking
	} else if sp.tracking != "" {
		o.TrackingURL = "https://track.example/" + sp.tracking
	}
	if sp.expectInDays != 0 {
		o.ExpectedDelivery = day(now, sp.expectInDays)
	}
	if err := tx.InsertOrder(ctx, o); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	event := func(at time.Time, kind string, data map[string]string) error {
		return tx.InsertEvent(ctx, &model.Event{CustomerID: c.ID, OrderID: &o.ID, Kind: kind, ActorKind: model.ActorSystem,
			ActorName: "Blomsterhuset web shop", Data: data, CustomerVisible: true, CreatedAt: at})
	}
	if err := event(placed, model.EventOrderPlaced, map[string]string{"status": model.OrderReceived}); err != nil {
		return nil, err
	}
	// Walk the order through its statuses so the timeline is honest.
	path := map[string][]string{
		model.OrderConfirmed:      {model.OrderConfirmed},
		model.OrderProcessing:     {model.OrderConfirmed, model.OrderProcessing},
		model.OrderShipped:        {model.OrderConfirmed, model.OrderProcessing, model.OrderShipped},
		model.OrderOutForDelivery: {model.OrderConfirmed, model.OrderProcessing, model.OrderShipped, model.OrderOutForDelivery},
		model.OrderDelivered:      {model.OrderConfirmed, model.OrderProcessing, model.OrderShipped, model.OrderOutForDelivery, model.OrderDelivered},
		model.OrderCancelled:      {model.OrderCancelled},
		model.OrderReturned:       {model.OrderConfirmed, model.OrderShipped, model.OrderDelivered, model.OrderReturned},
	}[sp.status]
	at := placed
	step := time.Duration(sp.placedDaysAgo*24/(len(path)+1)+1) * time.Hour
	for _, st := range path {
		at = at.Add(step)
		if at.After(now) {
			at = now.Add(-time.Minute)
		}
		data := map[string]string{"from": o.Status, "status": st}
		if st == model.OrderDelivered {
			o.DeliveredAt = &at
			o.DeliveryConfirmedBy = staff["jonas@blomsterhuset.example"].FullName
			data["recipient_name"] = o.RecipientName
			data["confirmed_by"] = o.DeliveryConfirmedBy
		}
		if st == model.OrderCancelled {
			data["note"] = "Cancelled at the customer's request; the payment was refunded the same day."
		}
		if err := event(at, model.EventStatusChanged, data); err != nil {
			return nil, err
		}
		o.Status = st
	}
	o.LastActivityAt, o.UpdatedAt = at, at
	if err := tx.UpdateOrder(ctx, o); err != nil {
		return nil, err
	}
	return o, nil
}

func loadInquiries(ctx context.Context, tx *store.Store, customers map[string]*model.Customer, orders map[string]*model.Order, staff map[string]*model.Staff, now time.Time) error {
	ann, erik, sanne := customers[CustomerEmail], customers["erik.lindstrom@example.se"], customers["sanne.devries@example.nl"]
	anna, jonas, sofie, mette := staff["anna@blomsterhuset.example"], staff["jonas@blomsterhuset.example"], staff["sofie@blomsterhuset.example"], staff[ManagerEmail]
	type msg struct {
		from *model.Staff // nil: the customer
		body string
		ago  time.Duration
	}
	add := func(c *model.Customer, o *model.Order, owner *model.Staff, subject, status string, opened time.Duration, msgs []msg, tweak func(*model.Inquiry)) (*model.Inquiry, error) {
		created := now.Add(-opened)
		q := &model.Inquiry{CustomerID: c.ID, Subject: subject, OwnerID: owner.ID, Status: status,
			LastActivityAt: created, CreatedAt: created, UpdatedAt: created}
		if o != nil {
			q.OrderID = &o.ID
		}
		if tweak != nil {
			tweak(q)
		}
		if err := tx.InsertInquiry(ctx, q); err != nil {
			return nil, err
		}
		if err := tx.InsertEvent(ctx, &model.Event{CustomerID: c.ID, InquiryID: &q.ID, Kind: model.EventInquiryOpened, ActorKind: model.ActorCustomer,
			ActorName: c.Name, Data: map[string]string{"owner": owner.FullName, "owner_title": owner.Title}, CustomerVisible: true, CreatedAt: created}); err != nil {
			return nil, err
		}
		last := created
		for _, m := range msgs {
			at := now.Add(-m.ago)
			mm := &model.Message{InquiryID: q.ID, AuthorKind: model.AuthorCustomer, Body: m.body, CreatedAt: at}
			if m.from != nil {
				mm.AuthorKind, mm.AuthorStaffID = model.AuthorStaff, &m.from.ID
			}
			if err := tx.InsertMessage(ctx, mm); err != nil {
				return nil, err
			}
			last = at
		}
		q.LastActivityAt, q.UpdatedAt = last, last
		return q, tx.UpdateInquiry(ctx, q)
	}

	// promise records p on its case, made at made by by; a kept, late or
	// missed one writes the event its customer sees.
	promise := func(p *model.Promise, made time.Time, by *model.Staff, event string, at time.Time) error {
		p.MadeByKind, p.MadeByName, p.CreatedAt = model.ActorSystem, "Kedja", made
		if by != nil {
			p.MadeByKind, p.MadeByStaffID, p.MadeByName = model.ActorStaff, &by.ID, by.FullName
		}
		p.IsNext = p.State == model.PromiseOpen && p.Kind != model.PromiseEscalation
		if err := tx.InsertPromise(ctx, p); err != nil {
			return err
		}
		if event == "" {
			return nil
		}
		d := promises.Describe(p)
		d["state"] = p.State
		if late := p.LateBy(); late > 0 {
			d["late_by"] = strconv.FormatInt(int64(late/time.Second), 10)
		}
		ev := &model.Event{CustomerID: p.CustomerID, OrderID: p.OrderID, InquiryID: p.InquiryID, Kind: event,
			ActorKind: model.ActorSystem, ActorName: "Kedja", Data: d, CustomerVisible: true, CreatedAt: at}
		if by != nil && event == model.EventPromiseMade {
			ev.ActorKind, ev.ActorStaffID, ev.ActorName = model.ActorStaff, &by.ID, by.FullName
		}
		return tx.InsertEvent(ctx, ev)
	}
	staffHeld := func(kind string, st *model.Staff, what string, due time.Time, state string) *model.Promise {
		return &model.Promise{Kind: kind, HolderKind: model.HolderStaff, HolderStaffID: &st.ID, HolderName: st.FullName,
			What: what, DueAt: &due, State: state}
	}

	// Answered in time: the customer asked, Anna replied well within her
	// reply-by time (a kept promise); now waiting on the customer.
	q, err := add(ann, orders["BH-1001"], anna, "Did the condolence bouquet arrive?", model.InquiryWaitingCustomer, 50*time.Hour, []msg{
		{nil, "Hello, I ordered flowers for my aunt Birthe after my uncle's funeral. I have not had a delivery email. Did they arrive?", 50 * time.Hour},
		{anna, "Dear Ann, yes: Jonas delivered the bouquet to Birthe Hansen in person at 14:10 on the day, and she signed for it. You can see it in the order's timeline. I am sorry the confirmation email did not reach you. Warm regards, Anna Holm", 46 * time.Hour},
	}, nil)
	if err != nil {
		return err
	}
	replied := now.Add(-46 * time.Hour)
	p := staffHeld(model.PromiseReply, anna, "", now.Add(-26*time.Hour), model.PromiseKept)
	p.CustomerID, p.InquiryID, p.EndedAt = ann.ID, &q.ID, &replied
	if err := promise(p, now.Add(-50*time.Hour), nil, "", time.Time{}); err != nil {
		return err
	}
	if err := promise(&model.Promise{CustomerID: ann.ID, InquiryID: &q.ID, Kind: model.PromiseCustomer, HolderKind: model.HolderCustomer,
		State: model.PromiseOpen}, replied, anna, "", time.Time{}); err != nil {
		return err
	}
	// The condolence bouquet came on the day promised; the tulip bulbs a
	// day late: delivery promises kept, on time and late, on the timelines.
	for ref, daysLate := range map[string]int{"BH-1001": 0, "BH-1009": 1} {
		o := orders[ref]
		if o.DeliveredAt == nil {
			continue
		}
		y, m, d := o.DeliveredAt.UTC().Date()
		due := time.Date(y, m, d+1-daysLate, 0, 0, 0, 0, time.UTC)
		state := model.PromiseKept
		if daysLate > 0 {
			state = model.PromiseKeptLate
		}
		p := staffHeld(model.PromiseDelivery, staff[ownerOf(ref)], "", due, state)
		p.CustomerID, p.OrderID, p.DueDay, p.EndedAt = o.CustomerID, &o.ID, due.AddDate(0, 0, -1).Format("2006-01-02"), o.DeliveredAt
		if err := promise(p, *o.PlacedAt, nil, model.EventPromiseKept, *o.DeliveredAt); err != nil {
			return err
		}
	}

	// Overdue: the reply-by time has passed; the first automatic check
	// finds it missed and escalates it to Mette.
	due := now.Add(-3 * time.Hour)
	q, err = add(erik, orders["BH-1005"], jonas, "Can the delivery come before noon?", model.InquiryOpen, 27*time.Hour, []msg{
		{nil, "Hej! The table arrangement is for a lunch on Friday. Is it possible to deliver before 12:00?", 27 * time.Hour},
	}, func(q *model.Inquiry) { q.ReplyDueAt = &due })
	if err != nil {
		return err
	}
	p = staffHeld(model.PromiseReply, jonas, "", due, model.PromiseOpen)
	p.CustomerID, p.InquiryID = erik.ID, &q.ID
	if err := promise(p, now.Add(-27*time.Hour), nil, "", time.Time{}); err != nil {
		return err
	}

	// Missed: Sofie promised the corrected invoice by the end of yesterday
	// and did not send it. Kedja escalated it to Mette by itself, told
	// Sanne honestly, and Mette has until her acknowledgement target to
	// answer; Sanne has written again since.
	promisedBy := now.Add(-4 * time.Hour)
	missedAt := promisedBy.Add(time.Minute)
	q, err = add(sanne, orders["BH-1010"], sofie, "Wrong invoice, second time", model.InquiryOpen, 30*time.Hour, []msg{
		{nil, "Hallo, the invoice for order BH-1010 shows 740 DKK, but I paid 540 DKK. I was promised a corrected copy within 24 hours yesterday. Could someone please send the right one?", 30 * time.Hour},
		{sofie, "Hello Sanne, I am sorry about that. I have asked accounting for a corrected invoice and will send it to you today. Sofie Bak", 26 * time.Hour},
		{nil, "It has still not arrived. I would like to speak to a manager, please.", 2 * time.Hour},
	}, func(q *model.Inquiry) { q.ReplyDueAt = &promisedBy })
	if err != nil {
		return err
	}
	sent := now.Add(-26 * time.Hour)
	p = staffHeld(model.PromiseReply, sofie, "", now.Add(-6*time.Hour), model.PromiseKept)
	p.CustomerID, p.InquiryID, p.EndedAt = sanne.ID, &q.ID, &sent
	if err := promise(p, now.Add(-30*time.Hour), nil, "", time.Time{}); err != nil {
		return err
	}
	missed := staffHeld(model.PromiseAction, sofie, "send a corrected invoice", promisedBy, model.PromiseMissed)
	missed.CustomerID, missed.InquiryID, missed.MissedAt = sanne.ID, &q.ID, &missedAt
	if err := promise(missed, sent, sofie, model.EventPromiseMade, sent); err != nil {
		return err
	}
	if err := tx.InsertEvent(ctx, &model.Event{CustomerID: sanne.ID, InquiryID: &q.ID, Kind: model.EventPromiseMissed,
		ActorKind: model.ActorSystem, ActorName: "Kedja", CustomerVisible: true, CreatedAt: missedAt,
		Data: func() map[string]string { d := promises.Describe(missed); d["state"] = model.PromiseMissed; return d }()}); err != nil {
		return err
	}
	esc := &model.Escalation{Subject: model.InquirySubject(q.ID), InquiryID: &q.ID, CustomerID: sanne.ID,
		RequestedByKind: model.ActorSystem, ManagerID: mette.ID, PromiseID: &missed.ID, Cause: model.CauseBreach, Level: 1,
		Visited: strconv.FormatInt(mette.ID, 10), State: model.EscalationOpen, CreatedAt: missedAt,
		Reason: "Missed: Sofie Bak promised “send a corrected invoice” by the end of the day."}
	if err := tx.InsertEscalation(ctx, esc); err != nil {
		return err
	}
	answer := staffHeld(model.PromiseEscalation, mette, "", missedAt.Add(4*time.Hour), model.PromiseOpen)
	answer.CustomerID, answer.InquiryID, answer.EscalationID = sanne.ID, &q.ID, &esc.ID
	if err := promise(answer, missedAt, nil, "", time.Time{}); err != nil {
		return err
	}
	if err := tx.InsertEvent(ctx, &model.Event{CustomerID: sanne.ID, InquiryID: &q.ID, Kind: model.EventEscalated, ActorKind: model.ActorSystem,
		ActorName: "Kedja", Data: map[string]string{"manager": mette.FullName, "manager_title": mette.Title, "reason": esc.Reason,
			"cause": model.CauseBreach, "promise_id": strconv.FormatInt(missed.ID, 10)},
		CustomerVisible: true, CreatedAt: missedAt}); err != nil {
		return err
	}

	// Waiting on a third party, named, with the date they promised.
	q, err = add(ann, orders["BH-1003"], anna, "Orchid pots: which colour?", model.InquiryWaitingThirdParty, 20*time.Hour, []msg{
		{nil, "Can I have the orchids in the dark green pots instead of white?", 20 * time.Hour},
		{anna, "Yes, we have asked our pottery supplier, Keramik Nord, for two dark green pots. They have promised them for the day after tomorrow; I will update you as soon as they arrive.", 18 * time.Hour},
	}, func(q *model.Inquiry) {
		q.ThirdPartyName, q.ThirdPartyExpected = "Keramik Nord", day(now, 2)
	})
	if err != nil {
		return err
	}
	y, m, d := now.UTC().Date()
	tpDue := time.Date(y, m, d+3, 0, 0, 0, 0, time.UTC)
	return promise(&model.Promise{CustomerID: ann.ID, InquiryID: &q.ID, Kind: model.PromiseThirdParty, HolderKind: model.HolderThirdParty,
		HolderName: "Keramik Nord", DueDay: day(now, 2), DueAt: &tpDue, State: model.PromiseOpen}, now.Add(-18*time.Hour), anna, "", time.Time{})
}

// ownerOf is the owner's address of the demo order ref.
func ownerOf(ref string) string {
	for _, o := range orderSpecs() {
		if o.ref == ref {
			return o.owner
		}
	}
	return ManagerEmail
}
