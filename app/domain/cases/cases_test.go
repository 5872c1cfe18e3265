package cases_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/cases"
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

func (r *recorder) n() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.got) }

type world struct {
	s                  *store.Store
	boss, anna, jonas  *model.Staff
	ann, bob           *model.Customer
	annOrder, bobOrder *model.Order
}

func setup(t *testing.T, s *store.Store) *world {
	t.Helper()
	ctx := context.Background()
	if _, err := s.EnsureSettings(ctx, "Blomsterhuset"); err != nil {
		t.Fatal(err)
	}
	w := &world{s: s}
	add := func(email, name, title string, mgr *model.Staff, admin bool) *model.Staff {
		st := &model.Staff{Email: email, FullName: name, Title: title, Active: true, IsAdmin: admin}
		if mgr != nil {
			st.ManagerID = &mgr.ID
		}
		if _, err := s.SaveStaff(ctx, st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	w.boss = add("birgit@shop.example", "Birgit Lund", "Store manager", nil, true)
	w.anna = add("anna@shop.example", "Anna Holm", "Florist", w.boss, false)
	w.jonas = add("jonas@shop.example", "Jonas Berg", "Florist", nil, false)
	var err error
	if w.ann, _, err = s.UpsertCustomer(ctx, "ann@example.com", "Ann Jensen", "da"); err != nil {
		t.Fatal(err)
	}
	if w.bob, _, err = s.UpsertCustomer(ctx, "bob@example.com", "Bob de Vries", "nl"); err != nil {
		t.Fatal(err)
	}
	order := func(ref string, c *model.Customer, owner *model.Staff) *model.Order {
		o := &model.Order{Ref: ref, CustomerID: c.ID, OwnerID: owner.ID, Status: model.OrderConfirmed,
			Items: []model.Item{{Name: "Bouquet", Quantity: 1}}, Total: "499.00", Currency: "DKK",
			LastActivityAt: t0, CreatedAt: t0, UpdatedAt: t0}
		if err := s.InsertOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	w.annOrder = order("BQ-1001", w.ann, w.anna)
	w.bobOrder = order("BQ-2002", w.bob, w.jonas)
	return w
}

func customer(c *model.Customer) model.Actor {
	return model.Actor{Kind: model.ActorCustomer, Name: c.Name}
}

func countRows(t *testing.T, s *store.Store, table string) int {
	t.Helper()
	n, err := s.RIDB().NewSelect().TableExpr(table).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestOpenInquiryOwnerRules(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := setup(t, s)
		bus := &recorder{}

		// About an order: the order's owner, reply due after the target.
		q, err := cases.OpenInquiry(ctx, s, bus, w.ann.ID, "Was it delivered?", "The card said Monday.", "BQ-1001", customer(w.ann), t0)
		if err != nil {
			t.Fatal(err)
		}
		if q.OwnerID != w.anna.ID {
			t.Errorf("owner = %d, want the order's owner %d", q.OwnerID, w.anna.ID)
		}
		if q.ReplyDueAt == nil || !q.ReplyDueAt.Equal(t0.Add(24*time.Hour)) {
			t.Errorf("reply due = %v, want 24 hours later", q.ReplyDueAt)
		}
		if q.OrderID == nil || *q.OrderID != w.annOrder.ID {
			t.Errorf("order id = %v", q.OrderID)
		}
		m, err := s.OutboxByKey(ctx, "inquiry-received:inquiry:"+itoa(q.ID))
		if err != nil {
			t.Fatal(err)
		}
		if m.Template != notify.InquiryReceived || m.Locale != "da" || m.Data["owner_name"] != "Anna Holm" {
			t.Errorf("email = %+v", m)
		}
		for _, want := range []string{"customer:" + itoa(w.ann.ID) + " inquiry:" + itoa(q.ID),
			"customer:" + itoa(w.ann.ID) + " order:BQ-1001", "customer:" + itoa(w.ann.ID) + " dashboard", "staff queue"} {
			if !bus.has(want) {
				t.Errorf("not published: %q (got %v)", want, bus.got)
			}
		}
		evs, err := s.InquiryEvents(ctx, q.ID, true)
		if err != nil || len(evs) != 1 || evs[0].Kind != cases.KindInquiryOpened || evs[0].Data["owner"] != "Anna Holm" {
			t.Errorf("inquiry events = %v, %v", evs, err)
		}

		// The order's owner has left: the owner rule picks someone active.
		if err := s.SetStaffActive(ctx, w.anna.ID, false); err != nil {
			t.Fatal(err)
		}
		q2, err := cases.OpenInquiry(ctx, s, bus, w.ann.ID, "Still there?", "Hello", "BQ-1001", customer(w.ann), t0)
		if err != nil {
			t.Fatal(err)
		}
		if q2.OwnerID == w.anna.ID {
			t.Error("an inactive staff member was given the inquiry")
		}

		// In general: the least-loaded active staff member.
		q3, err := cases.OpenInquiry(ctx, s, bus, w.ann.ID, "Opening hours", "When are you open?", "", customer(w.ann), t0)
		if err != nil {
			t.Fatal(err)
		}
		if q3.OwnerID == 0 || q3.OwnerID == w.anna.ID || q3.OrderID != nil {
			t.Errorf("general inquiry = %+v", q3)
		}
	})
}

func TestOpenInquiryValidationAndScope(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := setup(t, s)
		_, err := cases.OpenInquiry(ctx, s, nil, w.ann.ID, "  ", "", "", customer(w.ann), t0)
		if f := cases.Fields(err); f["subject"] != "required" || f["body"] != "required" {
			t.Errorf("fields = %v (%v)", f, err)
		}
		long := make([]byte, cases.MaxSubject+1)
		for i := range long {
			long[i] = 'x'
		}
		_, err = cases.OpenInquiry(ctx, s, nil, w.ann.ID, string(long), "body", "", customer(w.ann), t0)
		if f := cases.Fields(err); f["subject"] != "too_long" {
			t.Errorf("fields = %v", f)
		}
		// Someone else's order.
		_, err = cases.OpenInquiry(ctx, s, nil, w.ann.ID, "Hi", "Where is it?", "BQ-2002", customer(w.ann), t0)
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another customer's order: %v", err)
		}
		if n := countRows(t, s, "inquiries"); n != 0 {
			t.Errorf("%d inquiries written", n)
		}
		if n := countRows(t, s, "outbox"); n != 0 {
			t.Errorf("%d emails written", n)
		}
	})
}

func TestCustomerReplyReopensAndIsScoped(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := setup(t, s)
		q, err := cases.OpenInquiry(ctx, s, nil, w.ann.ID, "Invoice copy", "Please send it.", "", customer(w.ann), t0)
		if err != nil {
			t.Fatal(err)
		}
		// Bob cannot write into Ann's inquiry.
		if _, err := cases.CustomerReply(ctx, s, nil, w.bob.ID, q.ID, "mine now", t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another customer's inquiry: %v", err)
		}
		msgs, _ := s.Messages(ctx, q.ID, true)
		if len(msgs) != 1 {
			t.Fatalf("%d messages after a refused reply", len(msgs))
		}
		// Resolve it, then reply: it reopens with a new due time.
		q.Status, q.ReplyDueAt = model.InquiryResolved, nil
		if err := s.UpdateInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		later := t0.Add(72 * time.Hour)
		bus := &recorder{}
		if _, err := cases.CustomerReply(ctx, s, bus, w.ann.ID, q.ID, "It is still wrong.", later); err != nil {
			t.Fatal(err)
		}
		got, err := s.InquiryForCustomer(ctx, w.ann.ID, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != model.InquiryOpen || !got.IsOpen || got.ReplyDueAt == nil || !got.ReplyDueAt.Equal(later.Add(24*time.Hour)) {
			t.Errorf("after reply: status %s open %v due %v", got.Status, got.IsOpen, got.ReplyDueAt)
		}
		if !bus.has("customer:" + itoa(w.ann.ID) + " inquiry:" + itoa(q.ID)) {
			t.Errorf("no live event: %v", bus.got)
		}
		if _, err := cases.CustomerReply(ctx, s, nil, w.ann.ID, q.ID, " \n ", later); cases.Fields(err)["body"] != "required" {
			t.Errorf("empty reply: %v", err)
		}
	})
}

func TestEscalateManagerRules(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := setup(t, s)
		// Anna's manager is Birgit.
		e, created, err := cases.Escalate(ctx, s, nil, w.ann.ID, cases.Subject{OrderRef: "BQ-1001"}, "No answer", customer(w.ann), t0)
		if err != nil || !created {
			t.Fatalf("escalate: %v %v", created, err)
		}
		if e.ManagerID != w.boss.ID || e.Manager == nil || e.Manager.FullName != "Birgit Lund" {
			t.Errorf("manager = %d", e.ManagerID)
		}
		m, err := s.OutboxByKey(ctx, "escalation:"+itoa(e.ID))
		if err != nil || m.ToEmail != "birgit@shop.example" || m.Data["path"] != "/admin/orders/BQ-1001" {
			t.Errorf("manager email = %+v %v", m, err)
		}
		evs, _ := s.OrderEvents(ctx, w.annOrder.ID, true)
		if len(evs) == 0 || evs[len(evs)-1].Kind != cases.KindEscalated || evs[len(evs)-1].Data["manager"] != "Birgit Lund" {
			t.Errorf("timeline = %v", evs)
		}

		// Jonas has no manager: the manager of last resort, when set.
		st, _ := s.Settings(ctx)
		st.LastResortManagerID = &w.anna.ID
		if err := s.SaveSettings(ctx, st); err != nil {
			t.Fatal(err)
		}
		e2, _, err := cases.Escalate(ctx, s, nil, w.bob.ID, cases.Subject{OrderRef: "BQ-2002"}, "", customer(w.bob), t0)
		if err != nil || e2.ManagerID != w.anna.ID {
			t.Fatalf("last resort: %v %v", e2, err)
		}
		// Last resort inactive: an active administrator.
		if _, err := cases.ResolveEscalation(ctx, s, nil, e2.ID, w.boss, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.SetStaffActive(ctx, w.anna.ID, false); err != nil {
			t.Fatal(err)
		}
		e3, created, err := cases.Escalate(ctx, s, nil, w.bob.ID, cases.Subject{OrderRef: "BQ-2002"}, "", customer(w.bob), t0)
		if err != nil || !created || e3.ManagerID != w.boss.ID {
			t.Fatalf("admin fallback: %+v %v %v", e3, created, err)
		}
	})
}

func TestEscalateScopeAndIdempotence(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := setup(t, s)
		if _, _, err := cases.Escalate(ctx, s, nil, w.ann.ID, cases.Subject{OrderRef: "BQ-2002"}, "", customer(w.ann), t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another customer's order: %v", err)
		}
		q, err := cases.OpenInquiry(ctx, s, nil, w.bob.ID, "Hi", "Question", "", customer(w.bob), t0)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := cases.Escalate(ctx, s, nil, w.ann.ID, cases.Subject{InquiryID: q.ID}, "", customer(w.ann), t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another customer's inquiry: %v", err)
		}
		if _, _, err := cases.Escalate(ctx, s, nil, w.ann.ID, cases.Subject{}, "", customer(w.ann), t0); !errors.Is(err, cases.ErrBadSubject) {
			t.Errorf("no subject: %v", err)
		}
		if n := countRows(t, s, "escalations"); n != 0 {
			t.Fatalf("%d escalations written", n)
		}
		mails := countRows(t, s, "outbox")

		// A double submit from two tabs at once: one escalation, one email.
		const tries = 8
		var wg sync.WaitGroup
		ids := make([]int64, tries)
		createdN := 0
		var mu sync.Mutex
		errs := make([]error, tries)
		bus := &recorder{}
		for i := 0; i < tries; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				e, created, err := cases.Escalate(ctx, s, bus, w.ann.ID, cases.Subject{OrderRef: "BQ-1001"}, "Please", customer(w.ann), t0)
				errs[i] = err
				if err == nil {
					ids[i] = e.ID
					if created {
						mu.Lock()
						createdN++
						mu.Unlock()
					}
				}
			}(i)
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("submit %d: %v", i, err)
			}
			if ids[i] != ids[0] {
				t.Errorf("submit %d got escalation %d, want %d", i, ids[i], ids[0])
			}
		}
		if createdN != 1 {
			t.Errorf("%d submits created an escalation", createdN)
		}
		if n := countRows(t, s, "escalations"); n != 1 {
			t.Errorf("%d escalations", n)
		}
		if n := countRows(t, s, "outbox"); n != mails+1 {
			t.Errorf("%d emails, want %d", n, mails+1)
		}
		evs, _ := s.OrderEvents(ctx, w.annOrder.ID, false)
		esc := 0
		for _, e := range evs {
			if e.Kind == cases.KindEscalated {
				esc++
			}
		}
		if esc != 1 {
			t.Errorf("%d escalated events", esc)
		}
		published := bus.n()
		// Once more, later: nothing changes, nothing is published.
		e, created, err := cases.Escalate(ctx, s, bus, w.ann.ID, cases.Subject{OrderRef: "BQ-1001"}, "again", customer(w.ann), t0.Add(time.Hour))
		if err != nil || created || e.ID != ids[0] || e.Reason != "Please" {
			t.Errorf("repeat: %+v %v %v", e, created, err)
		}
		if bus.n() != published {
			t.Errorf("a repeat published events")
		}
	})
}

func TestAcknowledgeAndResolve(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := setup(t, s)
		q, err := cases.OpenInquiry(ctx, s, nil, w.ann.ID, "Invoice", "Wrong twice.", "BQ-1001", customer(w.ann), t0)
		if err != nil {
			t.Fatal(err)
		}
		e, _, err := cases.Escalate(ctx, s, nil, w.ann.ID, cases.Subject{InquiryID: q.ID}, "", customer(w.ann), t0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cases.AcknowledgeEscalation(ctx, s, nil, e.ID, w.jonas, t0); !errors.Is(err, cases.ErrNotManager) {
			t.Errorf("a colleague acknowledged: %v", err)
		}
		bus := &recorder{}
		at := t0.Add(10 * time.Minute)
		got, err := cases.AcknowledgeEscalation(ctx, s, bus, e.ID, w.boss, at)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != model.EscalationAcknowledged || got.AcknowledgedAt == nil || !got.AcknowledgedAt.Equal(at) {
			t.Errorf("ack = %+v", got)
		}
		m, err := s.OutboxByKey(ctx, "escalation-ack:"+itoa(e.ID))
		if err != nil || m.ToEmail != "ann@example.com" || m.Locale != "da" || m.Data["path"] != "/inquiries/"+itoa(q.ID) {
			t.Errorf("ack email = %+v %v", m, err)
		}
		if !bus.has("customer:" + itoa(w.ann.ID) + " inquiry:" + itoa(q.ID)) {
			t.Errorf("no live event: %v", bus.got)
		}
		// Acknowledging twice sends nothing more.
		n := countRows(t, s, "outbox")
		if _, err := cases.AcknowledgeEscalation(ctx, s, nil, e.ID, w.boss, at); err != nil {
			t.Fatal(err)
		}
		if countRows(t, s, "outbox") != n {
			t.Error("a second acknowledgement sent mail")
		}
		if _, err := cases.ResolveEscalation(ctx, s, nil, e.ID, w.boss, at); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OpenEscalation(ctx, "inquiry:"+itoa(q.ID)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("still open after resolve: %v", err)
		}
		// Resolved: the customer can escalate again.
		e2, created, err := cases.Escalate(ctx, s, nil, w.ann.ID, cases.Subject{InquiryID: q.ID}, "", customer(w.ann), at)
		if err != nil || !created || e2.ID == e.ID {
			t.Errorf("escalate after resolve: %v %v", created, err)
		}
		evs, _ := s.InquiryEvents(ctx, q.ID, true)
		var kinds []string
		for _, ev := range evs {
			kinds = append(kinds, ev.Kind)
		}
		want := []string{cases.KindInquiryOpened, cases.KindEscalated, cases.KindEscalationAcknowledged, cases.KindEscalationResolved, cases.KindEscalated}
		if len(kinds) != len(want) {
			t.Fatalf("kinds = %v", kinds)
		}
		for i := range want {
			if kinds[i] != want[i] {
				t.Errorf("kinds = %v, want %v", kinds, want)
				break
			}
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestAcknowledgedBySomeoneElse: an administrator who takes on an
// escalation addressed to another manager becomes its manager, so the
// customer's page, timeline and email all name the same person.
func TestAcknowledgedBySomeoneElse(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := setup(t, s)
		e, _, err := cases.Escalate(ctx, s, nil, w.ann.ID, cases.Subject{OrderRef: "BQ-1001"}, "", customer(w.ann), t0)
		if err != nil {
			t.Fatal(err)
		}
		owner := &model.Staff{Email: "owner@shop.example", FullName: "Karen Dahl", Title: "Owner", Active: true, IsAdmin: true}
		if _, err := s.SaveStaff(ctx, owner); err != nil {
			t.Fatal(err)
		}
		if e.ManagerID == owner.ID {
			t.Fatal("fixture: escalated to the owner already")
		}
		if _, err := cases.AcknowledgeEscalation(ctx, s, nil, e.ID, owner, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, err := s.EscalationByID(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.OutboxByKey(ctx, "escalation-ack:"+itoa(e.ID))
		if err != nil {
			t.Fatal(err)
		}
		if got.ManagerID != owner.ID || m.Data["manager_name"] != "Karen Dahl" {
			t.Errorf("acknowledged by Karen Dahl: escalation manager %d, email names %q", got.ManagerID, m.Data["manager_name"])
		}
	})
}
