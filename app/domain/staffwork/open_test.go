package staffwork_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/cases"
	"github.com/kedja/kedja/app/domain/staffwork"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

func count(t *testing.T, s *store.Store, table string) int {
	t.Helper()
	n, err := s.RIDB().NewSelect().TableExpr(table).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// setupWithSettings is setup plus the business settings a new inquiry needs.
func setupWithSettings(t *testing.T, s *store.Store) *world {
	t.Helper()
	if _, err := s.EnsureSettings(context.Background(), "Blomsterhuset"); err != nil {
		t.Fatal(err)
	}
	return setup(t, s)
}

func TestOpenOnBehalf(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := setupWithSettings(t, s)
		bus := &recorder{}
		// Jonas takes the call; the order is Anna's, so the inquiry is hers.
		q, err := staffwork.OpenOnBehalf(ctx, s, bus, w.cust.ID, staffwork.OnBehalf{
			Subject: "  Invoice   copy ", Body: "She needs the invoice again,\r\nwith the VAT number.", OrderRef: w.order.Ref,
		}, w.jonas, t0)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.InquiryByID(ctx, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := s.Settings(ctx)
		if got.Subject != "Invoice copy" || got.OwnerID != w.anna.ID || got.Status != model.InquiryOpen || got.OrderID == nil ||
			*got.OrderID != w.order.ID || got.ReplyDueAt == nil || !got.ReplyDueAt.Equal(t0.Add(time.Duration(st.ReplyHours)*time.Hour)) {
			t.Fatalf("inquiry: %+v", got)
		}
		msgs, _ := s.Messages(ctx, q.ID, true)
		if len(msgs) != 1 || msgs[0].AuthorKind != model.AuthorCustomer || msgs[0].Body != "She needs the invoice again,\nwith the VAT number." {
			t.Fatalf("messages: %+v", msgs)
		}
		evs, _ := s.InquiryEvents(ctx, q.ID, true)
		if len(evs) != 1 || evs[0].Kind != cases.KindInquiryOpened || evs[0].ActorKind != model.ActorStaff ||
			evs[0].ActorName != "Jonas Berg" || evs[0].Data["on_behalf"] != "true" || evs[0].Data["opened_by"] != "Jonas Berg" ||
			evs[0].Data["owner"] != "Anna Holm" {
			t.Fatalf("inquiry events: %+v", evs)
		}
		oevs, _ := s.OrderEvents(ctx, w.order.ID, true)
		if len(oevs) != 1 || oevs[0].Data["inquiry_id"] != itoa(q.ID) || oevs[0].ActorName != "Jonas Berg" {
			t.Fatalf("order events: %+v", oevs)
		}
		mails := outbox(t, s, notify.InquiryReceived)
		if len(mails) != 1 || mails[0].ToEmail != w.cust.Email || mails[0].Locale != "da" || mails[0].Data["owner_name"] != "Anna Holm" {
			t.Fatalf("confirmation email: %+v", mails)
		}
		for _, want := range []string{live.CustomerTopic(w.cust.ID) + " " + live.InquiryEvent(q.ID),
			live.CustomerTopic(w.cust.ID) + " " + live.OrderEvent(w.order.Ref), live.StaffTopic + " queue"} {
			if !bus.has(want) {
				t.Errorf("not published: %s (got %v)", want, bus.got)
			}
		}

		// A general question: the owner rule picks the least-loaded colleague.
		g, err := staffwork.OpenOnBehalf(ctx, s, nil, w.cust.ID, staffwork.OnBehalf{Subject: "Opening hours", Body: "Are you open Sunday?"}, w.anna, t0)
		if err != nil {
			t.Fatal(err)
		}
		if g.OwnerID == w.anna.ID || g.OrderID != nil {
			t.Errorf("general question owned by %d (Anna has the most cases), order %v", g.OwnerID, g.OrderID)
		}
	})
}

func TestOpenOnBehalfRefusals(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := setupWithSettings(t, s)
		other, _, err := s.UpsertCustomer(ctx, "bob@example.com", "Bob de Vries", "nl")
		if err != nil {
			t.Fatal(err)
		}
		before := [3]int{count(t, s, "inquiries"), count(t, s, "messages"), count(t, s, "outbox")}
		for name, tc := range map[string]struct {
			cust int64
			in   staffwork.OnBehalf
			want error
		}{
			"no subject":            {w.cust.ID, staffwork.OnBehalf{Subject: "  ", Body: "x"}, staffwork.ErrNoSubject},
			"no question":           {w.cust.ID, staffwork.OnBehalf{Subject: "x", Body: " \r\n "}, staffwork.ErrNoQuestion},
			"another customer's":    {other.ID, staffwork.OnBehalf{Subject: "x", Body: "y", OrderRef: w.order.Ref}, staffwork.ErrNotTheirOrder},
			"an order that is none": {w.cust.ID, staffwork.OnBehalf{Subject: "x", Body: "y", OrderRef: "NOPE"}, staffwork.ErrNotTheirOrder},
			"no such customer":      {424242, staffwork.OnBehalf{Subject: "x", Body: "y"}, store.ErrNotFound},
		} {
			if _, err := staffwork.OpenOnBehalf(ctx, s, nil, tc.cust, tc.in, w.anna, t0); !errors.Is(err, tc.want) {
				t.Errorf("%s: %v, want %v", name, err, tc.want)
			}
		}
		if after := [3]int{count(t, s, "inquiries"), count(t, s, "messages"), count(t, s, "outbox")}; after != before {
			t.Errorf("a refused inquiry wrote rows: %v -> %v", before, after)
		}
	})
}

func TestReassignEscalated(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := setupWithSettings(t, s)
		cust := model.Actor{Kind: model.ActorCustomer, Name: w.cust.Name}
		qe, _, err := cases.Escalate(ctx, s, nil, w.cust.ID, cases.Subject{InquiryID: w.q.ID}, "", cust, t0)
		if err != nil {
			t.Fatal(err)
		}
		oe, _, err := cases.Escalate(ctx, s, nil, w.cust.ID, cases.Subject{OrderRef: w.order.Ref}, "", cust, t0)
		if err != nil {
			t.Fatal(err)
		}
		if qe.ManagerID != w.boss.ID || oe.ManagerID != w.boss.ID {
			t.Fatalf("escalations went to %d and %d", qe.ManagerID, oe.ManagerID)
		}
		// Jonas is neither the manager nor theirs, nor an admin.
		if err := staffwork.ReassignEscalated(ctx, s, nil, qe.ID, w.jonas.ID, w.jonas, t0); !errors.Is(err, cases.ErrNotManager) {
			t.Fatalf("jonas: %v", err)
		}
		if q, _ := s.InquiryByID(ctx, w.q.ID); q.OwnerID != w.anna.ID {
			t.Fatalf("a refused reassign moved the inquiry to %d", q.OwnerID)
		}
		if n := len(outbox(t, s, notify.Handoff)); n != 0 {
			t.Fatalf("%d handoff emails after a refusal", n)
		}

		if err := staffwork.ReassignEscalated(ctx, s, nil, qe.ID, w.jonas.ID, w.boss, t0); err != nil {
			t.Fatal(err)
		}
		if err := staffwork.ReassignEscalated(ctx, s, nil, oe.ID, w.jonas.ID, w.boss, t0); err != nil {
			t.Fatal(err)
		}
		q, _ := s.InquiryByID(ctx, w.q.ID)
		o, _ := s.OrderByID(ctx, w.order.ID)
		if q.OwnerID != w.jonas.ID || o.OwnerID != w.jonas.ID {
			t.Fatalf("owners after: inquiry %d order %d", q.OwnerID, o.OwnerID)
		}
		oevs, _ := s.OrderEvents(ctx, w.order.ID, true)
		last := oevs[len(oevs)-1]
		if last.Kind != "handoff" || last.Data["from"] != "Anna Holm" || last.Data["to"] != "Jonas Berg" || last.ActorName != "Mette Lund" {
			t.Errorf("order handoff: %+v", last)
		}
		if n := len(outbox(t, s, notify.Handoff)); n != 2 {
			t.Errorf("%d handoff emails, want one per case", n)
		}
		if err := staffwork.ReassignEscalated(ctx, s, nil, oe.ID, w.jonas.ID, w.boss, t0); !errors.Is(err, staffwork.ErrSameOrderOwner) {
			t.Errorf("to the owner again: %v", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
