package staffwork_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/domain/staffwork"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// recorder is a live bus that remembers what was published.
type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) Publish(topic string, ev live.Event) {
	r.mu.Lock()
	r.got = append(r.got, topic+" "+ev.Name)
	r.mu.Unlock()
}

func (r *recorder) has(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, g := range r.got {
		if g == s {
			return true
		}
	}
	return false
}

type world struct {
	s                 *store.Store
	boss, anna, jonas *model.Staff
	cust              *model.Customer
	order             *model.Order
	q                 *model.Inquiry
}

func setup(t *testing.T, s *store.Store) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{s: s}
	add := func(email, name string, mgr *model.Staff) *model.Staff {
		st := &model.Staff{Email: email, FullName: name, Title: "Florist", Active: true}
		if mgr != nil {
			st.ManagerID = &mgr.ID
		}
		if _, err := s.SaveStaff(ctx, st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	w.boss = add("mette@shop.example", "Mette Lund", nil)
	w.anna = add("anna@shop.example", "Anna Holm", w.boss)
	w.jonas = add("jonas@shop.example", "Jonas Berg", w.boss)
	var err error
	if w.cust, _, err = s.UpsertCustomer(ctx, "ann@example.com", "Ann Jensen", "da"); err != nil {
		t.Fatal(err)
	}
	w.order = &model.Order{Ref: "BQ-1", CustomerID: w.cust.ID, OwnerID: w.anna.ID, Status: model.OrderConfirmed,
		LastActivityAt: t0, CreatedAt: t0, UpdatedAt: t0}
	if err := s.InsertOrder(ctx, w.order); err != nil {
		t.Fatal(err)
	}
	due := t0.Add(24 * time.Hour)
	w.q = &model.Inquiry{CustomerID: w.cust.ID, OrderID: &w.order.ID, Subject: "Did it arrive?", OwnerID: w.anna.ID,
		Status: model.InquiryOpen, ReplyDueAt: &due, LastActivityAt: t0, CreatedAt: t0, UpdatedAt: t0}
	if err := s.InsertInquiry(ctx, w.q); err != nil {
		t.Fatal(err)
	}
	return w
}

func outbox(t *testing.T, s *store.Store, template string) []*model.OutboxMessage {
	t.Helper()
	list, err := s.ListOutbox(context.Background(), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []*model.OutboxMessage
	for _, m := range list {
		if m.Template == template {
			out = append(out, m)
		}
	}
	return out
}

func TestStaffReply(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := setup(t, s)
		bus := &recorder{}
		if _, err := staffwork.StaffReply(ctx, s, bus, w.q.ID, w.anna, "  ", t0); !errors.Is(err, staffwork.ErrEmptyBody) {
			t.Fatalf("empty reply: %v", err)
		}
		m, err := staffwork.StaffReply(ctx, s, bus, w.q.ID, w.anna, "Yes: delivered at 14:10 to Birthe Hansen.", t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		q, _ := s.InquiryByID(ctx, w.q.ID)
		if q.Status != model.InquiryWaitingCustomer || q.ReplyDueAt != nil || !q.IsOpen {
			t.Errorf("after reply: status %s due %v open %v", q.Status, q.ReplyDueAt, q.IsOpen)
		}
		mails := outbox(t, s, notify.StaffReply)
		if len(mails) != 1 || mails[0].ToEmail != w.cust.Email || mails[0].Locale != "da" ||
			mails[0].Data["author_name"] != "Anna Holm" || mails[0].Data["body"] != m.Body {
			t.Fatalf("reply email: %+v", mails)
		}
		evs, _ := s.InquiryEvents(ctx, q.ID, false)
		if len(evs) != 1 || evs[0].Kind != staffwork.KindStaffReplied || evs[0].ActorName != "Anna Holm" || evs[0].ActorStaffID == nil {
			t.Fatalf("events: %+v", evs)
		}
		for _, want := range []string{live.CustomerTopic(w.cust.ID) + " " + live.InquiryEvent(q.ID), live.CustomerTopic(w.cust.ID) + " dashboard", live.StaffTopic + " queue"} {
			if !bus.has(want) {
				t.Errorf("not published: %s (got %v)", want, bus.got)
			}
		}
	})
}

func TestInternalNoteStaysInternal(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := setup(t, s)
		bus := &recorder{}
		if _, err := staffwork.InternalNote(ctx, s, bus, w.q.ID, w.anna, "She called; her aunt is Birthe.", t0); err != nil {
			t.Fatal(err)
		}
		public, _ := s.Messages(ctx, w.q.ID, false)
		all, _ := s.Messages(ctx, w.q.ID, true)
		if len(public) != 0 || len(all) != 1 || !all[0].Internal {
			t.Fatalf("public %d, all %d", len(public), len(all))
		}
		if evs, _ := s.InquiryEvents(ctx, w.q.ID, true); len(evs) != 0 {
			t.Errorf("customer sees %d events for a note", len(evs))
		}
		if len(outbox(t, s, notify.StaffReply)) != 0 {
			t.Error("a note sent an email")
		}
		if bus.has(live.CustomerTopic(w.cust.ID) + " " + live.InquiryEvent(w.q.ID)) {
			t.Error("a note was published to the customer")
		}
		q, _ := s.InquiryByID(ctx, w.q.ID)
		if q.Status != model.InquiryOpen || q.ReplyDueAt == nil {
			t.Errorf("a note changed the inquiry: %s %v", q.Status, q.ReplyDueAt)
		}
	})
}

func TestReassignInquiry(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := setup(t, s)
		if err := staffwork.ReassignInquiry(ctx, s, nil, w.q.ID, w.anna.ID, w.anna, t0); !errors.Is(err, staffwork.ErrSameOwner) {
			t.Errorf("same owner: %v", err)
		}
		if err := s.SetStaffActive(ctx, w.jonas.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := staffwork.ReassignInquiry(ctx, s, nil, w.q.ID, w.jonas.ID, w.anna, t0); !errors.Is(err, staffwork.ErrInactiveOwner) {
			t.Errorf("inactive target: %v", err)
		}
		if err := s.SetStaffActive(ctx, w.jonas.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := staffwork.ReassignInquiry(ctx, s, nil, w.q.ID, w.jonas.ID, w.anna, t0); err != nil {
			t.Fatal(err)
		}
		q, _ := s.InquiryByID(ctx, w.q.ID)
		if q.OwnerID != w.jonas.ID {
			t.Fatalf("owner %d", q.OwnerID)
		}
		evs, _ := s.InquiryEvents(ctx, q.ID, true)
		if len(evs) != 1 || evs[0].Kind != "handoff" || evs[0].Data["from"] != "Anna Holm" || evs[0].Data["to"] != "Jonas Berg" {
			t.Fatalf("handoff event: %+v", evs)
		}
		mails := outbox(t, s, notify.Handoff)
		if len(mails) != 1 || mails[0].ToEmail != w.jonas.Email || mails[0].Data["from_name"] != "Anna Holm" {
			t.Fatalf("handoff email: %+v", mails)
		}
	})
}

func TestThirdPartyAndResolve(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := setup(t, s)
		if err := staffwork.WaitOnThirdParty(ctx, s, nil, w.q.ID, w.anna, "", "2026-11-24", nil, t0); !errors.Is(err, staffwork.ErrNoParty) {
			t.Errorf("no party: %v", err)
		}
		if err := staffwork.WaitOnThirdParty(ctx, s, nil, w.q.ID, w.anna, "Keramik Nord", "soon", nil, t0); !errors.Is(err, staffwork.ErrBadDate) {
			t.Errorf("bad date: %v", err)
		}
		if err := staffwork.WaitOnThirdParty(ctx, s, nil, w.q.ID, w.anna, "Keramik Nord", "2026-11-24", nil, t0); err != nil {
			t.Fatal(err)
		}
		q, _ := s.InquiryByID(ctx, w.q.ID)
		if q.Status != model.InquiryWaitingThirdParty || q.ThirdPartyName != "Keramik Nord" || q.ThirdPartyExpected != "2026-11-24" {
			t.Fatalf("third party: %+v", q)
		}
		if err := staffwork.ResolveInquiry(ctx, s, nil, w.q.ID, w.anna, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := staffwork.ResolveInquiry(ctx, s, nil, w.q.ID, w.anna, t0.Add(time.Hour)); !errors.Is(err, staffwork.ErrAlreadyClosed) {
			t.Errorf("resolving twice: %v", err)
		}
		q, _ = s.InquiryByID(ctx, w.q.ID)
		if q.Status != model.InquiryResolved || q.IsOpen || q.ResolvedAt == nil || q.ReplyDueAt != nil {
			t.Fatalf("resolved: %+v", q)
		}
		evs, _ := s.InquiryEvents(ctx, q.ID, true)
		if len(evs) != 2 || evs[0].Data["third_party"] != "Keramik Nord" || evs[1].Data["status"] != model.InquiryResolved || evs[1].ActorName != "Anna Holm" {
			t.Fatalf("events: %+v", evs)
		}
	})
}

func TestDeactivate(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := setup(t, s)
		// Anna also has an escalation addressed to her and a session.
		esc := &model.Escalation{Subject: "order:1", OrderID: &w.order.ID, CustomerID: w.cust.ID, RequestedByKind: model.ActorCustomer,
			ManagerID: w.anna.ID, State: model.EscalationOpen, CreatedAt: t0}
		if err := s.InsertEscalation(ctx, esc); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSession(ctx, &model.Session{IDHash: "h1", Kind: model.KindStaff, SubjectID: w.anna.ID,
			CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := staffwork.Deactivate(ctx, s, nil, w.boss.ID, w.boss, t0); !errors.Is(err, staffwork.ErrSelf) {
			t.Errorf("self: %v", err)
		}
		to, err := staffwork.Deactivate(ctx, s, &recorder{}, w.anna.ID, w.boss, t0)
		if err != nil {
			t.Fatal(err)
		}
		if to.ID != w.boss.ID {
			t.Errorf("cases went to %s, want the manager", to.FullName)
		}
		o, _ := s.OrderByRef(ctx, "BQ-1")
		q, _ := s.InquiryByID(ctx, w.q.ID)
		e, _ := s.EscalationByID(ctx, esc.ID)
		if o.OwnerID != w.boss.ID || q.OwnerID != w.boss.ID || e.ManagerID != w.boss.ID {
			t.Errorf("owners after: order %d inquiry %d escalation %d", o.OwnerID, q.OwnerID, e.ManagerID)
		}
		if _, err := s.SessionByHash(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session survived: %v", err)
		}
		a, _ := s.StaffByID(ctx, w.anna.ID)
		if a.Active {
			t.Error("still active")
		}
		// Nobody may be left without cases being owned: the manager is the
		// last one but for Jonas; with Jonas gone, the manager cannot go.
		if _, err := staffwork.Deactivate(ctx, s, nil, w.jonas.ID, w.boss, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := staffwork.Deactivate(ctx, s, nil, w.boss.ID, w.jonas, t0); !errors.Is(err, owner.ErrNoStaff) {
			t.Fatalf("deactivating the last active staff member: %v", err)
		}
		b, _ := s.StaffByID(ctx, w.boss.ID)
		if !b.Active {
			t.Error("the refused deactivation changed something")
		}
		var ownerless int
		for _, tbl := range []string{"orders", "inquiries"} {
			n, err := s.RIDB().NewSelect().TableExpr(tbl+" AS x").Join("JOIN staff AS st ON st.id = x.owner_id").
				Where("x.is_open = ? AND st.active = ?", true, false).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ownerless += int(n)
		}
		if ownerless != 0 {
			t.Errorf("%d open cases owned by inactive staff", ownerless)
		}
	})
}
