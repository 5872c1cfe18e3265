package inquiries_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/domain/internal/casetest"
	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/domain/promises"
	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

var t0 = casetest.T0()

// open is the inquiries service on s and bus (nil: no bus) with its clock
// stopped at now.
func open(s *store.Store, bus live.Publisher, now time.Time) *inquiries.Service {
	return &inquiries.Service{Store: s, Bus: bus, Now: casetest.At(now)}
}

// waitForCustomer is the next step of a reply that asks the customer
// something.
var waitForCustomer = promises.Step{Holder: model.HolderCustomer}

func TestOpenInquiryOwnerRules(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewShop(t, s)
		bus := &casetest.Recorder{}

		// About an order: the order's owner, reply due after the target.
		q, err := open(s, bus, t0).Open(ctx, w.Ann.ID, inquiries.Question{Subject: "Was it delivered?", Body: "The card said Monday.", OrderRef: "BQ-1001"}, model.CustomerActor(w.Ann))
		if err != nil {
			t.Fatal(err)
		}
		if q.OwnerID != w.Anna.ID {
			t.Errorf("owner = %d, want the order's owner %d", q.OwnerID, w.Anna.ID)
		}
		if q.ReplyDueAt == nil || !q.ReplyDueAt.Equal(t0.Add(24*time.Hour)) {
			t.Errorf("reply due = %v, want 24 hours later", q.ReplyDueAt)
		}
		if q.OrderID == nil || *q.OrderID != w.AnnOrder.ID {
			t.Errorf("order id = %v", q.OrderID)
		}
		m, err := s.OutboxByKey(ctx, "inquiry-received:inquiry:"+casetest.Itoa(q.ID))
		if err != nil {
			t.Fatal(err)
		}
		if m.Template != notify.InquiryReceived || m.Locale != "da" || m.Data["owner_name"] != "Anna Holm" {
			t.Errorf("email = %+v", m)
		}
		for _, want := range []string{"customer:" + casetest.Itoa(w.Ann.ID) + " inquiry:" + casetest.Itoa(q.ID),
			"customer:" + casetest.Itoa(w.Ann.ID) + " order:BQ-1001", "customer:" + casetest.Itoa(w.Ann.ID) + " dashboard", "staff queue"} {
			if !bus.Has(want) {
				t.Errorf("not published: %q (got %v)", want, bus.Got)
			}
		}
		evs, err := s.InquiryEvents(ctx, q.ID, true)
		if err != nil || len(evs) != 1 || evs[0].Kind != model.EventInquiryOpened || evs[0].Data["owner"] != "Anna Holm" {
			t.Errorf("inquiry events = %v, %v", evs, err)
		}

		// The order's owner has left: the owner rule picks someone active.
		if err := s.SetStaffActive(ctx, w.Anna.ID, false); err != nil {
			t.Fatal(err)
		}
		q2, err := open(s, bus, t0).Open(ctx, w.Ann.ID, inquiries.Question{Subject: "Still there?", Body: "Hello", OrderRef: "BQ-1001"}, model.CustomerActor(w.Ann))
		if err != nil {
			t.Fatal(err)
		}
		if q2.OwnerID == w.Anna.ID {
			t.Error("an inactive staff member was given the inquiry")
		}

		// In general: the least-loaded active staff member.
		q3, err := open(s, bus, t0).Open(ctx, w.Ann.ID, inquiries.Question{Subject: "Opening hours", Body: "When are you open?", OrderRef: ""}, model.CustomerActor(w.Ann))
		if err != nil {
			t.Fatal(err)
		}
		if q3.OwnerID == 0 || q3.OwnerID == w.Anna.ID || q3.OrderID != nil {
			t.Errorf("general inquiry = %+v", q3)
		}
	})
}

func TestOpenInquiryValidationAndScope(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewShop(t, s)
		_, err := open(s, nil, t0).Open(ctx, w.Ann.ID, inquiries.Question{Subject: "  ", Body: "", OrderRef: ""}, model.CustomerActor(w.Ann))
		if f := refusal.Fields(err); f["subject"] != "required" || f["body"] != "required" {
			t.Errorf("fields = %v (%v)", f, err)
		}
		long := make([]byte, inquiries.MaxSubject+1)
		for i := range long {
			long[i] = 'x'
		}
		_, err = open(s, nil, t0).Open(ctx, w.Ann.ID, inquiries.Question{Subject: string(long), Body: "body", OrderRef: ""}, model.CustomerActor(w.Ann))
		if f := refusal.Fields(err); f["subject"] != "too_long" {
			t.Errorf("fields = %v", f)
		}
		// Someone else's order.
		_, err = open(s, nil, t0).Open(ctx, w.Ann.ID, inquiries.Question{Subject: "Hi", Body: "Where is it?", OrderRef: "BQ-2002"}, model.CustomerActor(w.Ann))
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another customer's order: %v", err)
		}
		if n := casetest.Count(t, s, "inquiries", ""); n != 0 {
			t.Errorf("%d inquiries written", n)
		}
		if n := casetest.Count(t, s, "outbox", ""); n != 0 {
			t.Errorf("%d emails written", n)
		}
	})
}

func TestCustomerReplyReopensAndIsScoped(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewShop(t, s)
		q, err := open(s, nil, t0).Open(ctx, w.Ann.ID, inquiries.Question{Subject: "Invoice copy", Body: "Please send it.", OrderRef: ""}, model.CustomerActor(w.Ann))
		if err != nil {
			t.Fatal(err)
		}
		// Bob cannot write into Ann's inquiry.
		if _, err := open(s, nil, t0).CustomerReply(ctx, w.Bob.ID, q.ID, "mine now"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another customer's inquiry: %v", err)
		}
		msgs, _ := s.Messages(ctx, q.ID, true)
		if len(msgs) != 1 {
			t.Fatalf("%d messages after a refused reply", len(msgs))
		}
		// Resolve it, then reply: it reopens with a new due time.
		if err := open(s, nil, t0).Resolve(ctx, q.ID, w.Anna, "Sent again."); err != nil {
			t.Fatal(err)
		}
		later := t0.Add(72 * time.Hour)
		bus := &casetest.Recorder{}
		if _, err := open(s, bus, later).CustomerReply(ctx, w.Ann.ID, q.ID, "It is still wrong."); err != nil {
			t.Fatal(err)
		}
		got, err := s.InquiryForCustomer(ctx, w.Ann.ID, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != model.InquiryOpen || !got.IsOpen || got.ReplyDueAt == nil || !got.ReplyDueAt.Equal(later.Add(24*time.Hour)) {
			t.Errorf("after reply: status %s open %v due %v", got.Status, got.IsOpen, got.ReplyDueAt)
		}
		if !bus.Has("customer:" + casetest.Itoa(w.Ann.ID) + " inquiry:" + casetest.Itoa(q.ID)) {
			t.Errorf("no live event: %v", bus.Got)
		}
		if _, err := open(s, nil, later).CustomerReply(ctx, w.Ann.ID, q.ID, " \n "); refusal.Fields(err)["body"] != "required" {
			t.Errorf("empty reply: %v", err)
		}
	})
}

func TestStaffReply(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewCase(t, s, false)
		bus := &casetest.Recorder{}
		if _, err := open(s, bus, t0).StaffReply(ctx, w.Q.ID, w.Anna, "  ", waitForCustomer); !errors.Is(err, inquiries.ErrEmptyBody) {
			t.Fatalf("empty reply: %v", err)
		}
		m, err := open(s, bus, t0.Add(time.Hour)).StaffReply(ctx, w.Q.ID, w.Anna, "Yes: delivered at 14:10 to Birthe Hansen.", waitForCustomer)
		if err != nil {
			t.Fatal(err)
		}
		q, _ := s.InquiryByID(ctx, w.Q.ID)
		if q.Status != model.InquiryWaitingCustomer || q.ReplyDueAt != nil || !q.IsOpen {
			t.Errorf("after reply: status %s due %v open %v", q.Status, q.ReplyDueAt, q.IsOpen)
		}
		mails := casetest.Outbox(t, s, notify.StaffReply)
		if len(mails) != 1 || mails[0].ToEmail != w.Cust.Email || mails[0].Locale != "da" ||
			mails[0].Data["author_name"] != "Anna Holm" || mails[0].Data["body"] != m.Body {
			t.Fatalf("reply email: %+v", mails)
		}
		evs, _ := s.InquiryEvents(ctx, q.ID, false)
		if len(evs) != 1 || evs[0].Kind != model.EventStaffReplied || evs[0].ActorName != "Anna Holm" || evs[0].ActorStaffID == nil {
			t.Fatalf("events: %+v", evs)
		}
		for _, want := range []string{live.CustomerTopic(w.Cust.ID) + " " + live.InquiryEvent(q.ID), live.CustomerTopic(w.Cust.ID) + " dashboard", live.StaffTopic + " queue"} {
			if !bus.Has(want) {
				t.Errorf("not published: %s (got %v)", want, bus.Got)
			}
		}
	})
}

func TestInternalNoteStaysInternal(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewCase(t, s, false)
		bus := &casetest.Recorder{}
		if _, err := open(s, bus, t0).Note(ctx, w.Q.ID, w.Anna, "She called; her aunt is Birthe."); err != nil {
			t.Fatal(err)
		}
		public, _ := s.Messages(ctx, w.Q.ID, false)
		all, _ := s.Messages(ctx, w.Q.ID, true)
		if len(public) != 0 || len(all) != 1 || !all[0].Internal {
			t.Fatalf("public %d, all %d", len(public), len(all))
		}
		if evs, _ := s.InquiryEvents(ctx, w.Q.ID, true); len(evs) != 0 {
			t.Errorf("customer sees %d events for a note", len(evs))
		}
		if len(casetest.Outbox(t, s, notify.StaffReply)) != 0 {
			t.Error("a note sent an email")
		}
		if bus.Has(live.CustomerTopic(w.Cust.ID) + " " + live.InquiryEvent(w.Q.ID)) {
			t.Error("a note was published to the customer")
		}
		q, _ := s.InquiryByID(ctx, w.Q.ID)
		if q.Status != model.InquiryOpen || q.ReplyDueAt == nil {
			t.Errorf("a note changed the inquiry: %s %v", q.Status, q.ReplyDueAt)
		}
	})
}

func TestReassignInquiry(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewCase(t, s, false)
		if err := open(s, nil, t0).Reassign(ctx, w.Q.ID, w.Anna.ID, w.Anna); !errors.Is(err, owner.ErrSameInquiryOwner) {
			t.Errorf("same owner: %v", err)
		}
		if err := s.SetStaffActive(ctx, w.Jonas.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := open(s, nil, t0).Reassign(ctx, w.Q.ID, w.Jonas.ID, w.Anna); !errors.Is(err, owner.ErrInactive) {
			t.Errorf("inactive target: %v", err)
		}
		if err := s.SetStaffActive(ctx, w.Jonas.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := open(s, nil, t0).Reassign(ctx, w.Q.ID, w.Jonas.ID, w.Anna); err != nil {
			t.Fatal(err)
		}
		q, _ := s.InquiryByID(ctx, w.Q.ID)
		if q.OwnerID != w.Jonas.ID {
			t.Fatalf("owner %d", q.OwnerID)
		}
		evs, _ := s.InquiryEvents(ctx, q.ID, true)
		if len(evs) != 1 || evs[0].Kind != model.EventHandoff || evs[0].Data["from"] != "Anna Holm" || evs[0].Data["to"] != "Jonas Berg" {
			t.Fatalf("handoff event: %+v", evs)
		}
		mails := casetest.Outbox(t, s, notify.Handoff)
		if len(mails) != 1 || mails[0].ToEmail != w.Jonas.Email || mails[0].Data["from_name"] != "Anna Holm" {
			t.Fatalf("handoff email: %+v", mails)
		}
	})
}

func TestThirdPartyAndResolve(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewCase(t, s, false)
		if err := open(s, nil, t0).WaitOnThirdParty(ctx, w.Q.ID, w.Anna, "", "2026-11-24"); !errors.Is(err, inquiries.ErrNoParty) {
			t.Errorf("no party: %v", err)
		}
		if err := open(s, nil, t0).WaitOnThirdParty(ctx, w.Q.ID, w.Anna, "Keramik Nord", "soon"); !errors.Is(err, inquiries.ErrBadDate) {
			t.Errorf("bad date: %v", err)
		}
		if err := open(s, nil, t0).WaitOnThirdParty(ctx, w.Q.ID, w.Anna, "Keramik Nord", "2026-11-24"); err != nil {
			t.Fatal(err)
		}
		q, _ := s.InquiryByID(ctx, w.Q.ID)
		if q.Status != model.InquiryWaitingThirdParty || q.ThirdPartyName != "Keramik Nord" || q.ThirdPartyExpected != "2026-11-24" {
			t.Fatalf("third party: %+v", q)
		}
		if err := open(s, nil, t0.Add(time.Hour)).Resolve(ctx, w.Q.ID, w.Anna, "The pots came; they are on your order."); err != nil {
			t.Fatal(err)
		}
		if err := open(s, nil, t0.Add(time.Hour)).Resolve(ctx, w.Q.ID, w.Anna, "Again."); !errors.Is(err, inquiries.ErrAlreadyResolved) {
			t.Errorf("resolving twice: %v", err)
		}
		q, _ = s.InquiryByID(ctx, w.Q.ID)
		if q.Status != model.InquiryResolved || q.IsOpen || q.ResolvedAt == nil || q.ReplyDueAt != nil {
			t.Fatalf("resolved: %+v", q)
		}
		// Between them, the third party's date is kept: it stays on the timeline.
		evs, _ := s.InquiryEvents(ctx, q.ID, true)
		if len(evs) != 3 || evs[0].Data["third_party"] != "Keramik Nord" || evs[1].Kind != model.EventPromiseKept ||
			evs[2].Data["status"] != model.InquiryResolved || evs[2].ActorName != "Anna Holm" {
			t.Fatalf("events: %+v", evs)
		}
	})
}

func TestOpenOnBehalf(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewCase(t, s, true)
		bus := &casetest.Recorder{}
		// Jonas takes the call; the order is Anna's, so the inquiry is hers.
		q, err := open(s, bus, t0).Open(ctx, w.Cust.ID, inquiries.Question{
			Subject: "  Invoice   copy ", Body: "She needs the invoice again,\r\nwith the VAT number.", OrderRef: w.Order.Ref,
		}, model.StaffActor(w.Jonas))
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.InquiryByID(ctx, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := s.Settings(ctx)
		if got.Subject != "Invoice copy" || got.OwnerID != w.Anna.ID || got.Status != model.InquiryOpen || got.OrderID == nil ||
			*got.OrderID != w.Order.ID || got.ReplyDueAt == nil || !got.ReplyDueAt.Equal(t0.Add(time.Duration(st.ReplyHours)*time.Hour)) {
			t.Fatalf("inquiry: %+v", got)
		}
		msgs, _ := s.Messages(ctx, q.ID, true)
		if len(msgs) != 1 || msgs[0].AuthorKind != model.AuthorCustomer || msgs[0].Body != "She needs the invoice again,\nwith the VAT number." {
			t.Fatalf("messages: %+v", msgs)
		}
		evs, _ := s.InquiryEvents(ctx, q.ID, true)
		if len(evs) != 1 || evs[0].Kind != model.EventInquiryOpened || evs[0].ActorKind != model.ActorStaff ||
			evs[0].ActorName != "Jonas Berg" || evs[0].Data["on_behalf"] != "true" || evs[0].Data["opened_by"] != "Jonas Berg" ||
			evs[0].Data["owner"] != "Anna Holm" {
			t.Fatalf("inquiry events: %+v", evs)
		}
		oevs, _ := s.OrderEvents(ctx, w.Order.ID, true)
		if len(oevs) != 1 || oevs[0].Data["inquiry_id"] != casetest.Itoa(q.ID) || oevs[0].ActorName != "Jonas Berg" {
			t.Fatalf("order events: %+v", oevs)
		}
		mails := casetest.Outbox(t, s, notify.InquiryReceived)
		if len(mails) != 1 || mails[0].ToEmail != w.Cust.Email || mails[0].Locale != "da" || mails[0].Data["owner_name"] != "Anna Holm" {
			t.Fatalf("confirmation email: %+v", mails)
		}
		for _, want := range []string{live.CustomerTopic(w.Cust.ID) + " " + live.InquiryEvent(q.ID),
			live.CustomerTopic(w.Cust.ID) + " " + live.OrderEvent(w.Order.Ref), live.StaffTopic + " queue"} {
			if !bus.Has(want) {
				t.Errorf("not published: %s (got %v)", want, bus.Got)
			}
		}

		// A general question: the owner rule picks the least-loaded colleague.
		g, err := open(s, nil, t0).Open(ctx, w.Cust.ID, inquiries.Question{Subject: "Opening hours", Body: "Are you open Sunday?"}, model.StaffActor(w.Anna))
		if err != nil {
			t.Fatal(err)
		}
		if g.OwnerID == w.Anna.ID || g.OrderID != nil {
			t.Errorf("general question owned by %d (Anna has the most cases), order %v", g.OwnerID, g.OrderID)
		}
	})
}

func TestOpenOnBehalfRefusals(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewCase(t, s, true)
		other, _, err := s.UpsertCustomer(ctx, "bob@example.com", "Bob de Vries", "nl")
		if err != nil {
			t.Fatal(err)
		}
		before := [3]int{casetest.Count(t, s, "inquiries", ""), casetest.Count(t, s, "messages", ""), casetest.Count(t, s, "outbox", "")}
		for name, tc := range map[string]struct {
			cust int64
			in   inquiries.Question
			want error
		}{
			"no subject":            {w.Cust.ID, inquiries.Question{Subject: "  ", Body: "x"}, inquiries.ErrNoSubject},
			"no question":           {w.Cust.ID, inquiries.Question{Subject: "x", Body: " \r\n "}, inquiries.ErrNoQuestion},
			"another customer's":    {other.ID, inquiries.Question{Subject: "x", Body: "y", OrderRef: w.Order.Ref}, inquiries.ErrNotTheirOrder},
			"an order that is none": {w.Cust.ID, inquiries.Question{Subject: "x", Body: "y", OrderRef: "NOPE"}, inquiries.ErrNotTheirOrder},
			"no such customer":      {424242, inquiries.Question{Subject: "x", Body: "y"}, store.ErrNotFound},
		} {
			if _, err := open(s, nil, t0).Open(ctx, tc.cust, tc.in, model.StaffActor(w.Anna)); !errors.Is(err, tc.want) {
				t.Errorf("%s: %v, want %v", name, err, tc.want)
			}
		}
		if after := [3]int{casetest.Count(t, s, "inquiries", ""), casetest.Count(t, s, "messages", ""), casetest.Count(t, s, "outbox", "")}; after != before {
			t.Errorf("a refused inquiry wrote rows: %v -> %v", before, after)
		}
	})
}

// TestOpenOneValidation: a customer and a staff member writing a question
// down for them are held to the same rules — a one-line subject, and limits
// counted in characters, however many bytes a character takes.
func TestOpenOneValidation(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewShop(t, s)
		for name, by := range map[string]model.Actor{"customer": model.CustomerActor(w.Ann), "staff": model.StaffActor(w.Jonas)} {
			fits := strings.Repeat("ø", inquiries.MaxBody) // two bytes each
			q, err := open(s, nil, t0).Open(ctx, w.Ann.ID, inquiries.Question{Subject: " Blomster \n til  Birthe ", Body: fits}, by)
			if err != nil {
				t.Fatalf("%s: a body of %d characters: %v", name, inquiries.MaxBody, err)
			}
			if q.Subject != "Blomster til Birthe" {
				t.Errorf("%s: subject %q, want one line", name, q.Subject)
			}
			_, err = open(s, nil, t0).Open(ctx, w.Ann.ID, inquiries.Question{Subject: strings.Repeat("å", inquiries.MaxSubject+1), Body: fits + "ø"}, by)
			if !errors.Is(err, inquiries.ErrLongSubject) || !errors.Is(err, inquiries.ErrLongQuestion) {
				t.Errorf("%s: one character over both limits: %v", name, err)
			}
		}
	})
}
