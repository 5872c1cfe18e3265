package escalations_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/domain/internal/casetest"
	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

var t0 = casetest.T0()

// asks is the inquiries service on s and bus (nil: no bus) with its clock
// stopped at now.
func asks(s *store.Store, bus live.Publisher, now time.Time) *inquiries.Service {
	return &inquiries.Service{Store: s, Bus: bus, Now: casetest.At(now)}
}

// escalate is the escalations service on s and bus (nil: no bus) with its
// clock stopped at now.
func escalate(s *store.Store, bus live.Publisher, now time.Time) *escalations.Service {
	return &escalations.Service{Store: s, Bus: bus, Now: casetest.At(now), Inquiries: asks(s, bus, now)}
}

func TestEscalateManagerRules(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewShop(t, s)
		// Anna's manager is Birgit.
		e, created, err := escalate(s, nil, t0).Escalate(ctx, w.Ann.ID, escalations.Subject{OrderRef: "BQ-1001"}, "No answer", model.CustomerActor(w.Ann))
		if err != nil || !created {
			t.Fatalf("escalate: %v %v", created, err)
		}
		if e.ManagerID != w.Boss.ID || e.Manager == nil || e.Manager.FullName != "Birgit Lund" {
			t.Errorf("manager = %d", e.ManagerID)
		}
		m, err := s.OutboxByKey(ctx, "escalation:"+casetest.Itoa(e.ID))
		if err != nil || m.ToEmail != "birgit@shop.example" || m.Data["path"] != "/admin/orders/BQ-1001" {
			t.Errorf("manager email = %+v %v", m, err)
		}
		evs, _ := s.OrderEvents(ctx, w.AnnOrder.ID, true)
		if len(evs) == 0 || evs[len(evs)-1].Kind != model.EventEscalated || evs[len(evs)-1].Data["manager"] != "Birgit Lund" {
			t.Errorf("timeline = %v", evs)
		}

		// Jonas has no manager: the manager of last resort, when set.
		st, _ := s.Settings(ctx)
		st.LastResortManagerID = &w.Anna.ID
		if err := s.SaveSettings(ctx, st); err != nil {
			t.Fatal(err)
		}
		e2, _, err := escalate(s, nil, t0).Escalate(ctx, w.Bob.ID, escalations.Subject{OrderRef: "BQ-2002"}, "", model.CustomerActor(w.Bob))
		if err != nil || e2.ManagerID != w.Anna.ID {
			t.Fatalf("last resort: %v %v", e2, err)
		}
		// Last resort inactive: an active administrator.
		if _, err := escalate(s, nil, t0).Resolve(ctx, e2.ID, w.Boss); err != nil {
			t.Fatal(err)
		}
		if err := s.SetStaffActive(ctx, w.Anna.ID, false); err != nil {
			t.Fatal(err)
		}
		e3, created, err := escalate(s, nil, t0).Escalate(ctx, w.Bob.ID, escalations.Subject{OrderRef: "BQ-2002"}, "", model.CustomerActor(w.Bob))
		if err != nil || !created || e3.ManagerID != w.Boss.ID {
			t.Fatalf("admin fallback: %+v %v %v", e3, created, err)
		}
	})
}

func TestEscalateScopeAndIdempotence(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewShop(t, s)
		if _, _, err := escalate(s, nil, t0).Escalate(ctx, w.Ann.ID, escalations.Subject{OrderRef: "BQ-2002"}, "", model.CustomerActor(w.Ann)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another customer's order: %v", err)
		}
		q, err := asks(s, nil, t0).Open(ctx, w.Bob.ID, inquiries.Question{Subject: "Hi", Body: "Question", OrderRef: ""}, model.CustomerActor(w.Bob))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := escalate(s, nil, t0).Escalate(ctx, w.Ann.ID, escalations.Subject{InquiryID: q.ID}, "", model.CustomerActor(w.Ann)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another customer's inquiry: %v", err)
		}
		if _, _, err := escalate(s, nil, t0).Escalate(ctx, w.Ann.ID, escalations.Subject{}, "", model.CustomerActor(w.Ann)); !errors.Is(err, escalations.ErrBadSubject) {
			t.Errorf("no subject: %v", err)
		}
		if n := casetest.Count(t, s, "escalations", ""); n != 0 {
			t.Fatalf("%d escalations written", n)
		}
		mails := casetest.Count(t, s, "outbox", "")

		// A double submit from two tabs at once: one escalation, one email.
		const tries = 8
		var wg sync.WaitGroup
		ids := make([]int64, tries)
		createdN := 0
		var mu sync.Mutex
		errs := make([]error, tries)
		bus := &casetest.Recorder{}
		for i := 0; i < tries; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				e, created, err := escalate(s, bus, t0).Escalate(ctx, w.Ann.ID, escalations.Subject{OrderRef: "BQ-1001"}, "Please", model.CustomerActor(w.Ann))
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
		if n := casetest.Count(t, s, "escalations", ""); n != 1 {
			t.Errorf("%d escalations", n)
		}
		if n := casetest.Count(t, s, "outbox", ""); n != mails+1 {
			t.Errorf("%d emails, want %d", n, mails+1)
		}
		evs, _ := s.OrderEvents(ctx, w.AnnOrder.ID, false)
		esc := 0
		for _, e := range evs {
			if e.Kind == model.EventEscalated {
				esc++
			}
		}
		if esc != 1 {
			t.Errorf("%d escalated events", esc)
		}
		published := bus.N()
		// Once more, later: nothing changes, nothing is published.
		e, created, err := escalate(s, bus, t0.Add(time.Hour)).Escalate(ctx, w.Ann.ID, escalations.Subject{OrderRef: "BQ-1001"}, "again", model.CustomerActor(w.Ann))
		if err != nil || created || e.ID != ids[0] || e.Reason != "Please" {
			t.Errorf("repeat: %+v %v %v", e, created, err)
		}
		if bus.N() != published {
			t.Errorf("a repeat published events")
		}
	})
}

func TestAcknowledgeAndResolve(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewShop(t, s)
		q, err := asks(s, nil, t0).Open(ctx, w.Ann.ID, inquiries.Question{Subject: "Invoice", Body: "Wrong twice.", OrderRef: "BQ-1001"}, model.CustomerActor(w.Ann))
		if err != nil {
			t.Fatal(err)
		}
		e, _, err := escalate(s, nil, t0).Escalate(ctx, w.Ann.ID, escalations.Subject{InquiryID: q.ID}, "", model.CustomerActor(w.Ann))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := escalate(s, nil, t0).Acknowledge(ctx, e.ID, w.Jonas); !errors.Is(err, escalations.ErrNotManager) {
			t.Errorf("a colleague acknowledged: %v", err)
		}
		bus := &casetest.Recorder{}
		at := t0.Add(10 * time.Minute)
		got, err := escalate(s, bus, at).Acknowledge(ctx, e.ID, w.Boss)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != model.EscalationAcknowledged || got.AcknowledgedAt == nil || !got.AcknowledgedAt.Equal(at) {
			t.Errorf("ack = %+v", got)
		}
		m, err := s.OutboxByKey(ctx, "escalation-ack:"+casetest.Itoa(e.ID))
		if err != nil || m.ToEmail != "ann@example.com" || m.Locale != "da" || m.Data["path"] != "/inquiries/"+casetest.Itoa(q.ID) {
			t.Errorf("ack email = %+v %v", m, err)
		}
		if !bus.Has("customer:" + casetest.Itoa(w.Ann.ID) + " inquiry:" + casetest.Itoa(q.ID)) {
			t.Errorf("no live event: %v", bus.Got)
		}
		// Acknowledging twice sends nothing more.
		n := casetest.Count(t, s, "outbox", "")
		if _, err := escalate(s, nil, at).Acknowledge(ctx, e.ID, w.Boss); err != nil {
			t.Fatal(err)
		}
		if casetest.Count(t, s, "outbox", "") != n {
			t.Error("a second acknowledgement sent mail")
		}
		if _, err := escalate(s, nil, at).Resolve(ctx, e.ID, w.Boss); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OpenEscalation(ctx, "inquiry:"+casetest.Itoa(q.ID)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("still open after resolve: %v", err)
		}
		// Resolved: the customer can escalate again.
		e2, created, err := escalate(s, nil, at).Escalate(ctx, w.Ann.ID, escalations.Subject{InquiryID: q.ID}, "", model.CustomerActor(w.Ann))
		if err != nil || !created || e2.ID == e.ID {
			t.Errorf("escalate after resolve: %v %v", created, err)
		}
		evs, _ := s.InquiryEvents(ctx, q.ID, true)
		var kinds []string
		for _, ev := range evs {
			kinds = append(kinds, ev.Kind)
		}
		want := []string{model.EventInquiryOpened, model.EventEscalated, model.EventEscalationAcknowledged, model.EventEscalationResolved, model.EventEscalated}
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

// TestAcknowledgedBySomeoneElse: an administrator who takes on an
// escalation addressed to another manager becomes its manager, so the
// customer's page, timeline and email all name the same person.
func TestAcknowledgedBySomeoneElse(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewShop(t, s)
		e, _, err := escalate(s, nil, t0).Escalate(ctx, w.Ann.ID, escalations.Subject{OrderRef: "BQ-1001"}, "", model.CustomerActor(w.Ann))
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
		if _, err := escalate(s, nil, t0.Add(time.Minute)).Acknowledge(ctx, e.ID, owner); err != nil {
			t.Fatal(err)
		}
		got, err := s.EscalationByID(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.OutboxByKey(ctx, "escalation-ack:"+casetest.Itoa(e.ID))
		if err != nil {
			t.Fatal(err)
		}
		if got.ManagerID != owner.ID || m.Data["manager_name"] != "Karen Dahl" {
			t.Errorf("acknowledged by Karen Dahl: escalation manager %d, email names %q", got.ManagerID, m.Data["manager_name"])
		}
	})
}

// TestSilenceEscalatesByItself: an inquiry left without a reply past its
// reply-by time goes to the owner's manager once; resolving that escalation
// is not undone by the next sweep; a new missed reply time escalates again.
func TestSilenceEscalatesByItself(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewShop(t, s)
		bus := &casetest.Recorder{}
		q, err := asks(s, bus, t0).Open(ctx, w.Ann.ID, inquiries.Question{Subject: "Where is my invoice?", Body: "You promised it within 24 hours.", OrderRef: ""}, model.CustomerActor(w.Ann))
		if err != nil {
			t.Fatal(err)
		}
		due := *q.ReplyDueAt
		if n, err := escalate(s, bus, due.Add(-time.Minute)).Check(ctx); err != nil || n != 0 {
			t.Fatalf("before the reply is due: %d escalated, %v", n, err)
		}
		if n, err := escalate(s, bus, due.Add(time.Minute)).Check(ctx); err != nil || n != 1 {
			t.Fatalf("past due: %d escalated, %v", n, err)
		}
		e, err := s.OpenEscalation(ctx, "inquiry:"+casetest.Itoa(q.ID))
		if err != nil {
			t.Fatal(err)
		}
		// The missed reply is the reason; nothing says the customer asked.
		if e.RequestedByKind != model.ActorSystem || e.Cause != model.CauseBreach || !strings.HasPrefix(e.Reason, "Missed: ") || !strings.Contains(e.Reason, "promised to reply by") {
			t.Errorf("escalation %+v", e)
		}
		if n := casetest.Count(t, s, "outbox", "template = ?", notify.EscalationToManager); n != 1 {
			t.Errorf("%d manager emails, want 1", n)
		}
		if n, _ := escalate(s, bus, due.Add(2*time.Minute)).Check(ctx); n != 0 {
			t.Errorf("escalated %d again while one is open", n)
		}
		mgr, err := s.StaffByID(ctx, e.ManagerID)
		if err != nil {
			t.Fatal(err)
		}
		mgr.IsAdmin = true
		if _, err := escalate(s, bus, due.Add(time.Hour)).Resolve(ctx, e.ID, mgr); err != nil {
			t.Fatal(err)
		}
		if n, _ := escalate(s, bus, due.Add(2*time.Hour)).Check(ctx); n != 0 {
			t.Errorf("escalated %d again after the manager resolved it", n)
		}
		// The customer writes again: a new reply falls due, and is missed.
		if _, err := asks(s, bus, due.Add(3*time.Hour)).CustomerReply(ctx, w.Ann.ID, q.ID, "Still nothing."); err != nil {
			t.Fatal(err)
		}
		if n, err := escalate(s, bus, due.Add(48*time.Hour)).Check(ctx); err != nil || n != 1 {
			t.Errorf("a second missed reply time: %d escalated, %v", n, err)
		}
		// Another customer's case is none of this: only overdue ones count.
		if n := casetest.Count(t, s, "escalations", "customer_id = ?", w.Bob.ID); n != 0 {
			t.Errorf("%d escalations of a customer with nothing overdue", n)
		}
	})
}

func TestReassignEscalated(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewCase(t, s, true)
		cust := model.Actor{Kind: model.ActorCustomer, Name: w.Cust.Name}
		qe, _, err := escalate(s, nil, t0).Escalate(ctx, w.Cust.ID, escalations.Subject{InquiryID: w.Q.ID}, "", cust)
		if err != nil {
			t.Fatal(err)
		}
		oe, _, err := escalate(s, nil, t0).Escalate(ctx, w.Cust.ID, escalations.Subject{OrderRef: w.Order.Ref}, "", cust)
		if err != nil {
			t.Fatal(err)
		}
		if qe.ManagerID != w.Boss.ID || oe.ManagerID != w.Boss.ID {
			t.Fatalf("escalations went to %d and %d", qe.ManagerID, oe.ManagerID)
		}
		// Jonas is neither the manager nor theirs, nor an admin.
		if err := escalate(s, nil, t0).HandOver(ctx, qe.ID, w.Jonas.ID, w.Jonas); !errors.Is(err, escalations.ErrNotManager) {
			t.Fatalf("jonas: %v", err)
		}
		if q, _ := s.InquiryByID(ctx, w.Q.ID); q.OwnerID != w.Anna.ID {
			t.Fatalf("a refused reassign moved the inquiry to %d", q.OwnerID)
		}
		if n := len(casetest.Outbox(t, s, notify.Handoff)); n != 0 {
			t.Fatalf("%d handoff emails after a refusal", n)
		}

		if err := escalate(s, nil, t0).HandOver(ctx, qe.ID, w.Jonas.ID, w.Boss); err != nil {
			t.Fatal(err)
		}
		if err := escalate(s, nil, t0).HandOver(ctx, oe.ID, w.Jonas.ID, w.Boss); err != nil {
			t.Fatal(err)
		}
		q, _ := s.InquiryByID(ctx, w.Q.ID)
		o, _ := s.OrderByID(ctx, w.Order.ID)
		if q.OwnerID != w.Jonas.ID || o.OwnerID != w.Jonas.ID {
			t.Fatalf("owners after: inquiry %d order %d", q.OwnerID, o.OwnerID)
		}
		oevs, _ := s.OrderEvents(ctx, w.Order.ID, true)
		last := oevs[len(oevs)-1]
		if last.Kind != model.EventHandoff || last.Data["from"] != "Anna Holm" || last.Data["to"] != "Jonas Berg" || last.ActorName != "Mette Lund" {
			t.Errorf("order handoff: %+v", last)
		}
		if n := len(casetest.Outbox(t, s, notify.Handoff)); n != 2 {
			t.Errorf("%d handoff emails, want one per case", n)
		}
		if err := escalate(s, nil, t0).HandOver(ctx, oe.ID, w.Jonas.ID, w.Boss); !errors.Is(err, owner.ErrSameOrderOwner) {
			t.Errorf("to the owner again: %v", err)
		}
	})
}
