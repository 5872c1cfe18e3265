package escalations_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/domain/internal/casetest"
	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/domain/promises"
	staffdomain "github.com/kedja/kedja/app/domain/staff"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

// chain is a shop with a management chain three levels deep above the
// florist: Anna reports to Birgit, Birgit to Karen; Lars, who reports to
// no one, is the manager of last resort. Ann (Danish) has order BQ-1001,
// Anna's.
type chain struct {
	t                         *testing.T
	s                         *store.Store
	cat                       *i18n.Catalog
	bus                       *casetest.Recorder
	anna, birgit, karen, lars *model.Staff
	ann                       *model.Customer
	order                     *model.Order
}

func newChain(t *testing.T, s *store.Store) *chain {
	t.Helper()
	ctx := context.Background()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.EnsureSettings(ctx, "Blomsterhuset")
	if err != nil {
		t.Fatal(err)
	}
	w := &chain{t: t, s: s, cat: cat, bus: &casetest.Recorder{}}
	w.lars = casetest.AddStaff(t, s, &model.Staff{Email: "lars@shop.example", FullName: "Lars Holt", Title: "Owner"})
	w.karen = casetest.AddStaff(t, s, &model.Staff{Email: "karen@shop.example", FullName: "Karen Dahl", Title: "Head of service"})
	w.birgit = casetest.AddStaff(t, s, &model.Staff{Email: "birgit@shop.example", FullName: "Birgit Lund", Title: "Store manager", ManagerID: &w.karen.ID})
	w.anna = casetest.AddStaff(t, s, &model.Staff{Email: "anna@shop.example", FullName: "Anna Holm", Title: "Florist", ManagerID: &w.birgit.ID})
	st.LastResortManagerID = &w.lars.ID
	if err := s.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	w.ann = casetest.AddCustomer(t, s, "ann@example.com", "Ann Jensen", "da")
	w.order = &model.Order{Ref: "BQ-1001", CustomerID: w.ann.ID, OwnerID: w.anna.ID, Status: model.OrderConfirmed,
		LastActivityAt: t0, CreatedAt: t0, UpdatedAt: t0}
	if err := s.InsertOrder(ctx, w.order); err != nil {
		t.Fatal(err)
	}
	return w
}

// at is the three services with their clock stopped at now.
func (w *chain) at(now time.Time) (*inquiries.Service, *escalations.Service, *orders.Service) {
	q := &inquiries.Service{Store: w.s, Bus: w.bus, Now: casetest.At(now), Catalog: w.cat}
	e := &escalations.Service{Store: w.s, Bus: w.bus, Now: casetest.At(now), Inquiries: q}
	o := &orders.Service{Store: w.s, Bus: w.bus, Now: casetest.At(now)}
	return q, e, o
}

func (w *chain) ask(now time.Time, subject string) *model.Inquiry {
	w.t.Helper()
	q, _, _ := w.at(now)
	in, err := q.Open(context.Background(), w.ann.ID, inquiries.Question{Subject: subject, Body: "Please help.", OrderRef: "BQ-1001"}, model.CustomerActor(w.ann))
	if err != nil {
		w.t.Fatal(err)
	}
	return in
}

// check runs the breach check at now and returns how many it handled.
func (w *chain) check(now time.Time) int {
	w.t.Helper()
	_, e, _ := w.at(now)
	n, err := e.Check(context.Background())
	if err != nil {
		w.t.Fatalf("check at %v: %v", now, err)
	}
	return n
}

func (w *chain) count(table, where string, args ...any) int {
	w.t.Helper()
	return casetest.Count(w.t, w.s, table, where, args...)
}

func (w *chain) mails(template string) []*model.OutboxMessage {
	w.t.Helper()
	return casetest.Outbox(w.t, w.s, template)
}

func (w *chain) events(k store.CaseKey, kind string) []*model.Event {
	w.t.Helper()
	var evs []*model.Event
	var err error
	if k.OrderID != 0 {
		evs, err = w.s.OrderEvents(context.Background(), k.OrderID, true)
	} else {
		evs, err = w.s.InquiryEvents(context.Background(), k.InquiryID, true)
	}
	if err != nil {
		w.t.Fatal(err)
	}
	var out []*model.Event
	for _, e := range evs {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// TestEveryBreachKindEscalatesOnce: a missed reply, a staff member's own
// promise, a third party's date and an expected delivery with no delivery
// each escalate to the owner's manager exactly once — however often the
// check runs — and stay on the timeline; the customer is emailed once, in
// their language, honestly; an order's first late delivery also opens an
// inquiry for the customer held by the order's owner.
func TestEveryBreachKindEscalatesOnce(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		type breach struct {
			name string
			// make sets the promise up at t0 and returns its case and due time.
			make func(w *chain) (store.CaseKey, time.Time)
		}
		for _, b := range []breach{
			{"missed reply", func(w *chain) (store.CaseKey, time.Time) {
				q := w.ask(t0, "Invoice copy")
				return store.InquiryCase(q.ID), *q.ReplyDueAt
			}},
			{"staff promise", func(w *chain) (store.CaseKey, time.Time) {
				q := w.ask(t0, "Invoice copy")
				due := t0.Add(5 * time.Hour)
				iq, _, _ := w.at(t0.Add(time.Hour))
				if _, err := iq.StaffReply(ctx, q.ID, w.anna, "I will send it today.",
					promises.Step{Holder: model.HolderStaff, What: "send the invoice copy", Due: due}); err != nil {
					t.Fatal(err)
				}
				return store.InquiryCase(q.ID), due
			}},
			{"third party date", func(w *chain) (store.CaseKey, time.Time) {
				q := w.ask(t0, "Refund")
				iq, _, _ := w.at(t0.Add(time.Hour))
				if err := iq.WaitOnThirdParty(ctx, q.ID, w.anna, "Klarna", "2026-11-24"); err != nil {
					t.Fatal(err)
				}
				return store.InquiryCase(q.ID), time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
			}},
			{"expected delivery", func(w *chain) (store.CaseKey, time.Time) {
				_, _, o := w.at(t0)
				if _, err := o.SetExpected(ctx, "BQ-1001", "2026-11-22", "", model.StaffActor(w.anna)); err != nil {
					t.Fatal(err)
				}
				return store.OrderCase(w.order.ID), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
			}},
		} {
			t.Run(b.name, func(t *testing.T) {
				s := testenv.NewStore(t, s.Dialect())
				w := newChain(t, s)
				k, due := b.make(w)
				if n := w.check(due.Add(-time.Minute)); n != 0 {
					t.Fatalf("%d breaches before the time", n)
				}
				// Several checks at the same minute and later: one breach.
				for i := 0; i < 3; i++ {
					if n := w.check(due.Add(time.Minute)); n != 1 && i == 0 || n != 0 && i > 0 {
						t.Fatalf("check %d handled %d", i, n)
					}
				}
				if n := w.check(due.Add(time.Hour)); n != 0 {
					t.Fatalf("%d more an hour later", n)
				}
				subject := model.InquirySubject(k.InquiryID)
				if k.OrderID != 0 {
					subject = model.OrderSubject(k.OrderID)
				}
				if n := w.count("escalations", "subject = ?", subject); n != 1 {
					t.Fatalf("%d escalations", n)
				}
				e, err := s.OpenEscalation(ctx, subject)
				if err != nil {
					t.Fatal(err)
				}
				if e.Cause != model.CauseBreach || e.ManagerID != w.birgit.ID || e.PromiseID == nil || e.Level != 1 ||
					!strings.HasPrefix(e.Reason, "Missed: ") {
					t.Errorf("escalation: %+v", e)
				}
				missed, err := s.PromiseByID(ctx, *e.PromiseID)
				if err != nil || missed.State != model.PromiseMissed || !missed.Outstanding || missed.MissedAt == nil {
					t.Errorf("missed promise: %+v %v", missed, err)
				}
				if evs := w.events(k, model.EventPromiseMissed); len(evs) != 1 {
					t.Errorf("%d missed events on the timeline", len(evs))
				}
				if n := len(w.mails(notify.EscalationToManager)); n != 1 {
					t.Errorf("%d manager emails", n)
				}
				if k.OrderID != 0 {
					// The late order: one inquiry for the customer, held by
					// the order's owner, and one email.
					late := w.mails(notify.OrderLate)
					if len(late) != 1 || late[0].Locale != "da" || late[0].Data["owner_name"] != "Anna Holm" ||
						late[0].Data["manager_name"] != "Birgit Lund" || len(w.mails(notify.PromiseMissed)) != 0 {
						t.Fatalf("late mails: %+v, missed mails %d", late, len(w.mails(notify.PromiseMissed)))
					}
					o, _ := s.OrderByID(ctx, w.order.ID)
					if o.LateInquiryID == nil {
						t.Fatal("no late inquiry")
					}
					q, _ := s.InquiryByID(ctx, *o.LateInquiryID)
					if q.OwnerID != w.anna.ID || q.Origin != model.OriginLateOrder || q.ReplyDueAt == nil || q.Status != model.InquiryOpen ||
						!strings.Contains(q.Subject, "BQ-1001") {
						t.Errorf("late inquiry: %+v", q)
					}
					msgs, _ := s.Messages(ctx, q.ID, false)
					if len(msgs) != 1 || msgs[0].AuthorKind != model.AuthorSystem || !strings.Contains(msgs[0].Body, "Anna Holm") {
						t.Errorf("late message: %+v", msgs)
					}
					if n := w.count("inquiries", "origin = ?", model.OriginLateOrder); n != 1 {
						t.Errorf("%d late inquiries", n)
					}
					return
				}
				got := w.mails(notify.PromiseMissed)
				if len(got) != 1 || got[0].Locale != "da" || got[0].Data["holder_name"] != "Birgit Lund" || got[0].Data["answer_by"] == "" ||
					got[0].Data["missed_kind"] != missed.Kind {
					t.Errorf("customer mail: %+v", got)
				}
				q, _ := s.InquiryByID(ctx, k.InquiryID)
				if q.ReplyDueAt == nil || !q.ReplyDueAt.Equal(*missed.DueAt) || q.Status != model.InquiryOpen {
					t.Errorf("inquiry after the breach: status %s due %v", q.Status, q.ReplyDueAt)
				}
			})
		}
	})
}

// TestEscalationClimbsThenStops: an escalation no one acknowledges goes one
// level up per acknowledgement target — Birgit, then Karen, then Lars (the
// manager of last resort) — reminding the manager it passes and telling
// the customer who holds it now; at the top it stays, with one reminder.
func TestEscalationClimbsThenStops(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newChain(t, s)
		q := w.ask(t0, "Invoice copy")
		at := q.ReplyDueAt.Add(time.Minute)
		if n := w.check(at); n != 1 {
			t.Fatalf("breach: %d", n)
		}
		subject := model.InquirySubject(q.ID)
		ack := 4 * time.Hour // the default acknowledgement target, always open
		for level, want := range []*model.Staff{w.birgit, w.karen, w.lars} {
			e, err := s.OpenEscalation(ctx, subject)
			if err != nil {
				t.Fatal(err)
			}
			if e.ManagerID != want.ID || e.Level != level+1 {
				t.Fatalf("level %d: with %d at level %d, want %s", level+1, e.ManagerID, e.Level, want.FullName)
			}
			a, err := s.OpenEscalationPromise(ctx, e.ID)
			if err != nil || *a.HolderStaffID != want.ID || !a.DueAt.Equal(at.Add(ack)) {
				t.Fatalf("level %d: answer %+v %v, want due %v", level+1, a, err, at.Add(ack))
			}
			// Just before the target nothing moves; just after, one level.
			if n := w.check(a.DueAt.Add(-time.Minute)); n != 0 {
				t.Fatalf("level %d: %d before the target", level+1, n)
			}
			at = a.DueAt.Add(time.Minute)
			if n := w.check(at); n != 1 {
				t.Fatalf("level %d: handled %d", level+1, n)
			}
		}
		// At the top: it stays with Lars, and nothing more happens.
		e, _ := s.OpenEscalation(ctx, subject)
		if e.ManagerID != w.lars.ID || e.Level != 3 {
			t.Fatalf("at the top: %+v", e)
		}
		if n := w.check(at.Add(10 * ack)); n != 0 {
			t.Fatalf("%d more at the top", n)
		}
		if evs := w.events(store.InquiryCase(q.ID), model.EventEscalationClimbed); len(evs) != 2 ||
			evs[0].Data["manager"] != "Karen Dahl" || evs[1].Data["manager"] != "Lars Holt" || evs[1].Data["from"] != "Karen Dahl" {
			t.Errorf("climbed events: %+v", evs)
		}
		reminders := w.mails(notify.EscalationReminder)
		if len(reminders) != 3 || reminders[2].ToEmail != "birgit@shop.example" || reminders[1].ToEmail != "karen@shop.example" ||
			reminders[0].ToEmail != "lars@shop.example" || reminders[0].Data["next_name"] != "" {
			var to []string
			for _, m := range reminders {
				to = append(to, m.ToEmail+"→"+m.Data["next_name"])
			}
			t.Errorf("reminders (newest first): %v", to)
		}
		if n := len(w.mails(notify.EscalationToManager)); n != 3 {
			t.Errorf("%d manager emails, want one per level", n)
		}
		// The customer heard each time who holds the case now.
		var holders []string
		for _, m := range w.mails(notify.PromiseMissed) {
			holders = append(holders, m.Data["holder_name"])
		}
		if strings.Join(holders, ",") != "Lars Holt,Karen Dahl,Birgit Lund" {
			t.Errorf("customer told (newest first): %v", holders)
		}
		// Lars takes it on at last: his missed answer is kept late.
		_, es, _ := w.at(at.Add(30 * time.Hour))
		if _, err := es.Acknowledge(ctx, e.ID, w.lars); err != nil {
			t.Fatal(err)
		}
		list, _ := s.OutstandingPromises(ctx, store.InquiryCase(q.ID))
		for _, p := range list {
			if p.Kind == model.PromiseEscalation {
				t.Errorf("an escalation promise is still outstanding: %+v", p)
			}
		}
		next, _ := s.NextStep(ctx, store.InquiryCase(q.ID))
		if next == nil || next.HolderStaffID == nil || *next.HolderStaffID != w.lars.ID || next.Kind != model.PromiseReply {
			t.Errorf("after the acknowledgement the next step is %+v", next)
		}
		ackMail, err := s.OutboxByKey(ctx, "escalation-ack:"+casetest.Itoa(e.ID)+":level:3")
		if err != nil || ackMail.Data["cause"] != model.CauseBreach || ackMail.Data["case_kind"] != "inquiry" {
			t.Errorf("acknowledgement mail: %+v %v", ackMail, err)
		}
	})
}

// TestSecondEscalationReachesNextLevel: the customer escalates, Birgit
// acknowledges; escalating again reaches Karen — once, however many tabs
// submit — and after Karen resolves it, Lars.
func TestSecondEscalationReachesNextLevel(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newChain(t, s)
		sub := escalations.Subject{OrderRef: "BQ-1001"}
		_, es, _ := w.at(t0)
		e, created, err := es.Escalate(ctx, w.ann.ID, sub, "Where is it?", model.CustomerActor(w.ann))
		if err != nil || !created || e.ManagerID != w.birgit.ID {
			t.Fatalf("first: %+v %v %v", e, created, err)
		}
		// Again before anyone answered: nothing changes.
		if again, created, _ := es.Escalate(ctx, w.ann.ID, sub, "", model.CustomerActor(w.ann)); created || again.ManagerID != w.birgit.ID {
			t.Fatalf("while open: %+v %v", again, created)
		}
		if _, err := es.Acknowledge(ctx, e.ID, w.birgit); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		made := 0
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, es, _ := w.at(t0.Add(time.Hour))
				got, created, err := es.Escalate(ctx, w.ann.ID, sub, "Still nothing.", model.CustomerActor(w.ann))
				if err != nil {
					t.Error(err)
					return
				}
				if got.ManagerID != w.karen.ID {
					t.Errorf("second escalation with %d, want Karen", got.ManagerID)
				}
				mu.Lock()
				if created {
					made++
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		if made != 1 {
			t.Fatalf("%d submits climbed", made)
		}
		e, _ = s.OpenEscalation(ctx, model.OrderSubject(w.order.ID))
		if e.Level != 2 || e.State != model.EscalationOpen || e.ManagerID != w.karen.ID {
			t.Fatalf("after the second: %+v", e)
		}
		if evs := w.events(store.OrderCase(w.order.ID), model.EventEscalationClimbed); len(evs) != 1 || evs[0].Data["why"] != "asked_again" {
			t.Errorf("climbed: %+v", evs)
		}
		if n := len(w.mails(notify.EscalationToManager)); n != 2 {
			t.Errorf("%d manager emails", n)
		}
		_, es, _ = w.at(t0.Add(2 * time.Hour))
		if _, err := es.Resolve(ctx, e.ID, w.karen); err != nil {
			t.Fatal(err)
		}
		third, created, err := es.Escalate(ctx, w.ann.ID, sub, "", model.CustomerActor(w.ann))
		if err != nil || !created || third.ID == e.ID || third.ManagerID != w.lars.ID || third.Level != 3 {
			t.Fatalf("after resolve: %+v %v %v", third, created, err)
		}
		// Lars is the top: asked again after he acknowledged, he owes a new
		// answer himself.
		if _, err := es.Acknowledge(ctx, third.ID, w.lars); err != nil {
			t.Fatal(err)
		}
		_, es, _ = w.at(t0.Add(3 * time.Hour))
		top, created, err := es.Escalate(ctx, w.ann.ID, sub, "Please.", model.CustomerActor(w.ann))
		if err != nil || !created || top.ID != third.ID || top.ManagerID != w.lars.ID || top.State != model.EscalationOpen {
			t.Fatalf("at the top: %+v %v %v", top, created, err)
		}
		if a, err := s.OpenEscalationPromise(ctx, top.ID); err != nil || !a.DueAt.Equal(t0.Add(7*time.Hour)) {
			t.Errorf("the top's new answer: %+v %v", a, err)
		}
		if n := len(w.mails(notify.EscalationToManager)); n != 4 {
			t.Errorf("%d manager emails, want Birgit, Karen, Lars and Lars again", n)
		}
	})
}

// TestBusinessHoursMoveDueTimes: with the shop open Monday to Friday 09:00
// to 17:00 in Copenhagen and closed at Christmas, reply and acknowledgement
// targets count only open time — across a weekend, a holiday and the end
// of summer time — and the customer is shown the real clock time.
func TestBusinessHoursMoveDueTimes(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newChain(t, s)
		cph, err := time.LoadLocation("Europe/Copenhagen")
		if err != nil {
			t.Fatal(err)
		}
		st, _ := s.Settings(ctx)
		st.OpenDays, st.OpenFrom, st.OpenUntil, st.ReplyHours, st.AckHours = "12345", "09:00", "17:00", 8, 4
		if err := s.SaveSettings(ctx, st); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveClosedDays(ctx, []*model.ClosedDay{{Day: "2026-12-24", Label: "Juleaften"}, {Day: "2026-12-25", Label: "Juledag"}}); err != nil {
			t.Fatal(err)
		}
		local := func(s string) time.Time {
			v, err := time.ParseInLocation("2006-01-02 15:04", s, cph)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		open := func(at time.Time) *model.Inquiry {
			q := &inquiries.Service{Store: s, Now: casetest.At(at), Location: cph, Catalog: w.cat}
			in, err := q.Open(ctx, w.ann.ID, inquiries.Question{Subject: "Hours", Body: "When?"}, model.CustomerActor(w.ann))
			if err != nil {
				t.Fatal(err)
			}
			return in
		}
		for _, tc := range []struct{ name, at, want string }{
			{"over a weekend", "2026-11-20 15:00", "2026-11-23 15:00"},
			{"over Christmas", "2026-12-23 16:00", "2026-12-28 16:00"},
			{"over the end of summer time", "2026-10-23 14:00", "2026-10-26 14:00"},
			{"asked at night", "2026-11-18 22:30", "2026-11-19 17:00"},
		} {
			q := open(local(tc.at))
			if want := local(tc.want); !q.ReplyDueAt.Equal(want) {
				t.Errorf("%s: reply due %s, want %s", tc.name, q.ReplyDueAt.In(cph), tc.want)
			}
			next, err := s.NextStep(ctx, store.InquiryCase(q.ID))
			if err != nil || !next.DueAt.Equal(*q.ReplyDueAt) {
				t.Errorf("%s: next step %+v %v", tc.name, next, err)
			}
			m, _ := s.OutboxByKey(ctx, "inquiry-received:inquiry:"+casetest.Itoa(q.ID))
			if m == nil || m.Data["reply_due_at"] != q.ReplyDueAt.UTC().Format(time.RFC3339) {
				t.Errorf("%s: the customer is told %v", tc.name, m)
			}
		}
		// A breach on Friday afternoon: the manager has until Monday
		// 12:00, four open hours later, to answer.
		q := open(local("2026-11-26 16:00")) // Thursday: due Friday 16:00
		if !q.ReplyDueAt.Equal(local("2026-11-27 16:00")) {
			t.Fatalf("due %v", q.ReplyDueAt.In(cph))
		}
		es := &escalations.Service{Store: s, Now: casetest.At(local("2026-11-27 16:05")), Location: cph,
			Inquiries: &inquiries.Service{Store: s, Location: cph, Catalog: w.cat}}
		// Three of the inquiries above are overdue by then, and this one.
		if n, err := es.Check(ctx); err != nil || n != 4 {
			t.Fatalf("check: %d %v", n, err)
		}
		e, _ := s.OpenEscalation(ctx, model.InquirySubject(q.ID))
		a, err := s.OpenEscalationPromise(ctx, e.ID)
		if err != nil || !a.DueAt.Equal(local("2026-11-30 12:05")) {
			t.Errorf("answer due %v (%v), want Monday 12:05", a, err)
		}
		// A third party's day ends at midnight in Copenhagen.
		iq := &inquiries.Service{Store: s, Now: casetest.At(local("2026-11-30 10:00")), Location: cph, Catalog: w.cat}
		q2 := open(local("2026-11-30 09:30"))
		if err := iq.WaitOnThirdParty(ctx, q2.ID, w.anna, "Klarna", "2026-12-04"); err != nil {
			t.Fatal(err)
		}
		next, _ := s.NextStep(ctx, store.InquiryCase(q2.ID))
		if next == nil || !next.DueAt.Equal(local("2026-12-05 00:00")) || next.DueDay != "2026-12-04" {
			t.Errorf("third party due %+v", next)
		}
	})
}

// TestFollowUpNeverHidesAMissedPromise: the customer writes again after the
// business missed its promise: the missed promise stays, with its due time
// on the case and its event on the timeline; no deadline moves. The staff
// reply that finally comes keeps it late, by how much.
func TestFollowUpNeverHidesAMissedPromise(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newChain(t, s)
		q := w.ask(t0, "Invoice copy")
		due := *q.ReplyDueAt
		// A follow-up before the deadline does not move it.
		iq, _, _ := w.at(t0.Add(2 * time.Hour))
		if _, err := iq.CustomerReply(ctx, w.ann.ID, q.ID, "Any news?"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.InquiryByID(ctx, q.ID); !got.ReplyDueAt.Equal(due) {
			t.Fatalf("a follow-up moved the deadline to %v", got.ReplyDueAt)
		}
		if n := w.check(due.Add(time.Minute)); n != 1 {
			t.Fatalf("breach: %d", n)
		}
		iq, _, _ = w.at(due.Add(2 * time.Hour))
		if _, err := iq.CustomerReply(ctx, w.ann.ID, q.ID, "Hello? Still nothing."); err != nil {
			t.Fatal(err)
		}
		got, _ := s.InquiryByID(ctx, q.ID)
		if !got.ReplyDueAt.Equal(due) || got.Status != model.InquiryOpen {
			t.Errorf("after the follow-up: due %v status %s", got.ReplyDueAt, got.Status)
		}
		list, _ := s.OutstandingPromises(ctx, store.InquiryCase(q.ID))
		missed := 0
		for _, p := range list {
			if p.State == model.PromiseMissed {
				missed++
			}
			if p.Kind == model.PromiseReply && p.State == model.PromiseOpen {
				t.Errorf("the follow-up made a new reply promise: %+v", p)
			}
		}
		if missed != 1 {
			t.Errorf("%d missed promises outstanding", missed)
		}
		if evs := w.events(store.InquiryCase(q.ID), model.EventPromiseMissed); len(evs) != 1 {
			t.Errorf("%d missed events", len(evs))
		}
		// Anna answers 21 hours late: kept late, by that much; the missed
		// event stays.
		iq, _, _ = w.at(due.Add(21 * time.Hour))
		if _, err := iq.StaffReply(ctx, q.ID, w.anna, "Here it is, I am sorry.", promises.Step{Holder: model.HolderCustomer}); err != nil {
			t.Fatal(err)
		}
		kept := w.events(store.InquiryCase(q.ID), model.EventPromiseKept)
		if len(kept) != 1 || kept[0].Data["state"] != model.PromiseKeptLate || kept[0].Data["late_by"] != "75600" {
			t.Errorf("kept events: %+v", kept)
		}
		if evs := w.events(store.InquiryCase(q.ID), model.EventPromiseMissed); len(evs) != 1 {
			t.Errorf("the missed event went away: %d", len(evs))
		}
		all, _ := s.CasePromises(ctx, store.InquiryCase(q.ID))
		if all[0].State != model.PromiseKeptLate || all[0].MissedAt == nil || all[0].LateBy() != 21*time.Hour {
			t.Errorf("the reply promise: %+v", all[0])
		}
	})
}

// TestResolveNeedsAnAnswer: resolving without a message the customer can
// read is refused and changes nothing; with one, the customer is emailed
// the answer with "Did this solve it?" and can reopen it for 14 days.
func TestResolveNeedsAnAnswer(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newChain(t, s)
		q := w.ask(t0, "Invoice copy")
		iq, _, _ := w.at(t0.Add(time.Hour))
		before := [3]int{w.count("messages", ""), w.count("outbox", ""), w.count("timeline_events", "")}
		for _, answer := range []string{"", "  \r\n  "} {
			if err := iq.Resolve(ctx, q.ID, w.anna, answer); !errors.Is(err, inquiries.ErrNoAnswer) {
				t.Errorf("resolve with %q: %v", answer, err)
			}
		}
		if got, _ := s.InquiryByID(ctx, q.ID); got.Status == model.InquiryResolved {
			t.Fatal("resolved without an answer")
		}
		if after := [3]int{w.count("messages", ""), w.count("outbox", ""), w.count("timeline_events", "")}; after != before {
			t.Fatalf("a refused resolve wrote rows: %v -> %v", before, after)
		}
		if err := iq.Resolve(ctx, q.ID, w.anna, "The copy is attached to your order."); err != nil {
			t.Fatal(err)
		}
		mails := w.mails(notify.InquiryResolved)
		if len(mails) != 1 || mails[0].Locale != "da" || mails[0].Data["body"] != "The copy is attached to your order." ||
			mails[0].Data["solved_path"] != "/inquiries/"+casetest.Itoa(q.ID)+"/feedback?solved=yes" {
			t.Fatalf("resolution mail: %+v", mails)
		}
		if list, _ := s.OutstandingPromises(ctx, store.InquiryCase(q.ID)); len(list) != 0 {
			t.Errorf("outstanding after resolve: %+v", list)
		}
		// Too late to reopen with one click; within 14 days it works.
		iq, _, _ = w.at(t0.Add(time.Hour + model.ReopenWindow + time.Minute))
		if err := iq.Reopen(ctx, w.ann.ID, q.ID); !errors.Is(err, inquiries.ErrReopenExpired) {
			t.Errorf("after 14 days: %v", err)
		}
		iq, _, _ = w.at(t0.Add(13 * 24 * time.Hour))
		if err := iq.Reopen(ctx, 424242, q.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another customer reopened it: %v", err)
		}
		if err := iq.Reopen(ctx, w.ann.ID, q.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := s.InquiryByID(ctx, q.ID)
		if got.Status != model.InquiryOpen || got.ReplyDueAt == nil {
			t.Errorf("reopened: %+v", got)
		}
		owner := w.mails(notify.InquiryAssigned)
		if len(owner) != 2 || owner[0].Data["why"] != notify.AssignedReopened || owner[0].ToEmail != "anna@shop.example" || owner[0].Data["by_name"] != "Ann Jensen" {
			t.Errorf("owner mails: %+v", owner)
		}
		if err := iq.Reopen(ctx, w.ann.ID, q.ID); !errors.Is(err, inquiries.ErrNotResolved) {
			t.Errorf("reopening an open one: %v", err)
		}
	})
}

// TestNotSolvedReopensWithTheManager: "No" reopens the case with the
// owner's manager holding it and a reply-by time, as an escalation the
// managers' inbox lists first; "Yes" changes nothing but the record; each
// resolution takes one answer.
func TestNotSolvedReopensWithTheManager(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newChain(t, s)
		other := w.ask(t0, "Opening hours")
		q := w.ask(t0, "Invoice copy")
		iq, es, _ := w.at(t0.Add(time.Hour))
		// An older escalation of another case, to see the order of the inbox.
		if _, _, err := es.Escalate(ctx, w.ann.ID, escalations.Subject{InquiryID: other.ID}, "", model.CustomerActor(w.ann)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := es.Feedback(ctx, w.ann.ID, q.ID, false, ""); !errors.Is(err, inquiries.ErrNotResolved) {
			t.Errorf("feedback on an open inquiry: %v", err)
		}
		for _, c := range []*model.Inquiry{q, other} {
			if err := iq.Resolve(ctx, c.ID, w.anna, "Sent."); err != nil {
				t.Fatal(err)
			}
		}
		_, es, _ = w.at(t0.Add(2 * time.Hour))
		if f, e, err := es.Feedback(ctx, w.ann.ID, other.ID, true, "Thanks"); err != nil || !f.Solved || e != nil {
			t.Fatalf("yes: %+v %+v %v", f, e, err)
		}
		if got, _ := s.InquiryByID(ctx, other.ID); got.Status != model.InquiryResolved {
			t.Errorf("a yes reopened it")
		}
		f, e, err := es.Feedback(ctx, w.ann.ID, q.ID, false, "It is the wrong invoice again.")
		if err != nil || f.Solved || e == nil {
			t.Fatalf("no: %+v %+v %v", f, e, err)
		}
		got, _ := s.InquiryByID(ctx, q.ID)
		if got.Status != model.InquiryOpen || got.OwnerID != w.anna.ID || got.ReplyDueAt == nil ||
			!got.ReplyDueAt.Equal(t0.Add(2*time.Hour+24*time.Hour)) {
			t.Errorf("reopened: status %s owner %d due %v", got.Status, got.OwnerID, got.ReplyDueAt)
		}
		if e.Cause != model.CauseNotSolved || e.ManagerID != w.birgit.ID || e.Reason != "It is the wrong invoice again." {
			t.Errorf("escalation: %+v", e)
		}
		a, err := s.OpenEscalationPromise(ctx, e.ID)
		if err != nil || *a.HolderStaffID != w.birgit.ID || !a.DueAt.Equal(*got.ReplyDueAt) {
			t.Errorf("the manager's promise: %+v %v", a, err)
		}
		// A second answer to the same resolution changes nothing.
		if f2, e2, err := es.Feedback(ctx, w.ann.ID, q.ID, true, ""); err == nil {
			t.Errorf("an answer to an open inquiry: %+v %+v", f2, e2)
		}
		if n := w.count("feedback", "inquiry_id = ?", q.ID); n != 1 {
			t.Errorf("%d answers", n)
		}
		inbox, _ := s.OpenEscalationsForManagers(ctx, []int64{w.birgit.ID})
		if len(inbox) != 1 || inbox[0].ID != e.ID {
			// The yes resolved nothing: the other escalation is still open.
			ids := []int64{}
			for _, x := range inbox {
				ids = append(ids, x.ID)
			}
			if len(inbox) < 1 || inbox[0].ID != e.ID {
				t.Errorf("inbox order: %v, want the not-solved one first", ids)
			}
		}
		if evs := w.events(store.InquiryCase(q.ID), model.EventFeedback); len(evs) != 1 || evs[0].Data["solved"] != "false" {
			t.Errorf("feedback event: %+v", evs)
		}
	})
}

// TestThisDidNotArrive: on a delivered order the customer opens, in one
// click, an inquiry about it held by its owner, with the delivery facts
// and its own reply-by time; clicking again while it is open returns it.
func TestThisDidNotArrive(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newChain(t, s)
		iq, _, os := w.at(t0)
		if _, _, err := iq.NotArrived(ctx, w.ann.ID, "BQ-1001"); !errors.Is(err, inquiries.ErrNotDelivered) {
			t.Errorf("not delivered yet: %v", err)
		}
		at := t0.Add(-2 * time.Hour)
		if _, _, err := os.ChangeStatus(ctx, "BQ-1001", orders.Change{Status: model.OrderDelivered, At: &at, RecipientName: "Birthe Hansen"},
			model.StaffActor(w.anna)); err != nil {
			t.Fatal(err)
		}
		bob := casetest.AddCustomer(t, s, "bob@example.com", "Bob de Vries", "nl")
		if _, _, err := iq.NotArrived(ctx, bob.ID, "BQ-1001"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another customer's order: %v", err)
		}
		q, created, err := iq.NotArrived(ctx, w.ann.ID, "BQ-1001")
		if err != nil || !created {
			t.Fatal(created, err)
		}
		if q.OwnerID != w.anna.ID || q.Origin != model.OriginNotArrived || q.OrderID == nil || *q.OrderID != w.order.ID ||
			q.ReplyDueAt == nil || !q.ReplyDueAt.Equal(t0.Add(24*time.Hour)) {
			t.Errorf("inquiry: %+v", q)
		}
		msgs, _ := s.Messages(ctx, q.ID, false)
		if len(msgs) != 1 || msgs[0].AuthorKind != model.AuthorCustomer || !strings.Contains(msgs[0].Body, "Birthe Hansen") ||
			!strings.Contains(msgs[0].Body, "Anna Holm") || !strings.Contains(msgs[0].Body, "BQ-1001") {
			t.Errorf("message: %+v", msgs)
		}
		if m := w.mails(notify.InquiryReceived); len(m) != 1 || m[0].Locale != "da" {
			t.Errorf("customer mail: %+v", m)
		}
		if m := w.mails(notify.InquiryAssigned); len(m) != 1 || m[0].ToEmail != "anna@shop.example" || m[0].Data["why"] != model.OriginNotArrived {
			t.Errorf("owner mail: %+v", m)
		}
		again, created, err := iq.NotArrived(ctx, w.ann.ID, "BQ-1001")
		if err != nil || created || again.ID != q.ID {
			t.Errorf("again: %+v %v %v", again, created, err)
		}
		// The delivery was on time: the delivery promise, had there been
		// one, is kept — here there was none.
		if n := w.count("inquiries", "order_id = ?", w.order.ID); n != 1 {
			t.Errorf("%d inquiries about the order", n)
		}
	})
}

// TestLateOrderOncePerOrder: a late order opens its inquiry once; a new
// date (moved with a reason the customer is emailed) missed again
// escalates again, but opens no second inquiry; delivery keeps the
// outstanding promise late.
func TestLateOrderOncePerOrder(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newChain(t, s)
		_, _, os := w.at(t0)
		if _, err := os.SetExpected(ctx, "BQ-1001", "2026-11-21", "", model.StaffActor(w.anna)); err != nil {
			t.Fatal(err)
		}
		if n := w.check(time.Date(2026, 11, 22, 0, 1, 0, 0, time.UTC)); n != 1 {
			t.Fatalf("first breach: %d", n)
		}
		// Anna writes to the customer in the inquiry Kedja opened.
		o, _ := s.OrderByID(ctx, w.order.ID)
		iq, _, os := w.at(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC))
		if _, err := iq.StaffReply(ctx, *o.LateInquiryID, w.anna, "PostNord is looking for it.", promises.Step{Holder: model.HolderCustomer}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.SetExpected(ctx, "BQ-1001", "2026-11-23", "", model.StaffActor(w.anna)); !errors.Is(err, promises.ErrNoReason) {
			t.Fatalf("put off without a reason: %v", err)
		}
		if _, err := os.SetExpected(ctx, "BQ-1001", "2026-11-23", "The carrier lost a day.", model.StaffActor(w.anna)); err != nil {
			t.Fatal(err)
		}
		moved := w.mails(notify.PromiseMoved)
		if len(moved) != 1 || moved[0].Data["reason"] != "The carrier lost a day." || moved[0].Data["next_day"] != "2026-11-23" {
			t.Fatalf("moved mail: %+v", moved)
		}
		// Birgit took the first escalation; the second miss climbs to Karen.
		e, _ := s.OpenEscalation(ctx, model.OrderSubject(w.order.ID))
		_, es, _ := w.at(time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC))
		if _, err := es.Acknowledge(ctx, e.ID, w.birgit); err != nil {
			t.Fatal(err)
		}
		if n := w.check(time.Date(2026, 11, 24, 0, 1, 0, 0, time.UTC)); n != 1 {
			t.Fatalf("second breach: %d", n)
		}
		if n := w.count("inquiries", "origin = ?", model.OriginLateOrder); n != 1 {
			t.Errorf("%d late inquiries", n)
		}
		if n := len(w.mails(notify.OrderLate)); n != 1 {
			t.Errorf("%d late-order mails", n)
		}
		if m := w.mails(notify.PromiseMissed); len(m) != 1 || m[0].Data["holder_name"] != "Karen Dahl" {
			t.Errorf("second miss mail: %+v", m)
		}
		at := time.Date(2026, 11, 24, 11, 0, 0, 0, time.UTC)
		_, _, os = w.at(at.Add(time.Hour))
		if _, _, err := os.ChangeStatus(ctx, "BQ-1001", orders.Change{Status: model.OrderDelivered, At: &at}, model.StaffActor(w.anna)); err != nil {
			t.Fatal(err)
		}
		all, _ := s.CasePromises(ctx, store.OrderCase(w.order.ID))
		var states []string
		for _, p := range all {
			if p.Kind == model.PromiseDelivery {
				states = append(states, p.DueDay+":"+p.State)
			}
		}
		if strings.Join(states, ",") != "2026-11-21:missed,2026-11-23:kept_late" {
			t.Errorf("delivery promises: %v", states)
		}
	})
}

// TestNewOwnersAreEmailed: the owner of a new inquiry is emailed who
// opened it; a manager's handoff email names the manager and the owner it
// came from.
func TestNewOwnersAreEmailed(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newChain(t, s)
		q := w.ask(t0, "Invoice copy")
		m := w.mails(notify.InquiryAssigned)
		if len(m) != 1 || m[0].ToEmail != "anna@shop.example" || m[0].Data["by_name"] != "Ann Jensen" || m[0].Data["why"] != notify.AssignedOpened {
			t.Fatalf("owner mail: %+v", m)
		}
		// Anna takes down a question herself: she is not emailed about it.
		iq, es, _ := w.at(t0)
		if _, err := iq.Open(ctx, w.ann.ID, inquiries.Question{Subject: "Phone", Body: "Called.", OrderRef: "BQ-1001"}, model.StaffActor(w.anna)); err != nil {
			t.Fatal(err)
		}
		if n := len(w.mails(notify.InquiryAssigned)); n != 1 {
			t.Errorf("%d owner mails after taking one down herself", n)
		}
		e, _, err := es.Escalate(ctx, w.ann.ID, escalations.Subject{InquiryID: q.ID}, "", model.CustomerActor(w.ann))
		if err != nil {
			t.Fatal(err)
		}
		lisa := casetest.AddStaff(t, s, &model.Staff{Email: "lisa@shop.example", FullName: "Lisa Berg", Title: "Florist", ManagerID: &w.birgit.ID})
		if err := es.HandOver(ctx, e.ID, lisa.ID, w.birgit); err != nil {
			t.Fatal(err)
		}
		h := w.mails(notify.Handoff)
		if len(h) != 1 || h[0].ToEmail != "lisa@shop.example" || h[0].Data["by_name"] != "Birgit Lund" || h[0].Data["from_name"] != "Anna Holm" {
			t.Fatalf("handoff mail: %+v", h)
		}
		next, _ := s.NextStep(ctx, store.InquiryCase(q.ID))
		if next == nil || *next.HolderStaffID != lisa.ID {
			t.Errorf("the reply promise stayed with %+v", next)
		}
	})
}

// TestLeavingHandsOnPromises: when someone leaves, the replies and promises
// they owed go with their cases to the successor; a missed one keeps the
// name of who missed it.
func TestLeavingHandsOnPromises(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newChain(t, s)
		missed := w.ask(t0, "Invoice copy")
		if n := w.check(missed.ReplyDueAt.Add(time.Minute)); n != 1 {
			t.Fatalf("breach: %d", n)
		}
		q := w.ask(t0.Add(30*time.Hour), "Vase")
		svc := &staffdomain.Service{Store: s, Now: casetest.At(t0.Add(31 * time.Hour))}
		to, err := svc.Deactivate(ctx, w.anna.ID, w.karen)
		if err != nil || to.ID != w.birgit.ID {
			t.Fatalf("deactivate: %v %v", to, err)
		}
		next, _ := s.NextStep(ctx, store.InquiryCase(q.ID))
		if next == nil || *next.HolderStaffID != w.birgit.ID || next.HolderName != "Birgit Lund" {
			t.Errorf("the open reply: %+v", next)
		}
		all, _ := s.CasePromises(ctx, store.InquiryCase(missed.ID))
		if all[0].State != model.PromiseMissed || all[0].HolderName != "Anna Holm" {
			t.Errorf("the missed one: %+v", all[0])
		}
	})
}

// TestTwoInstancesCheckOnce: two instances — two stores on one database —
// run the automatic checks at the same moment, twice each, and every
// breach is still handled exactly once: one escalation, one climb, one
// email of each kind per missed promise, one late-order inquiry.
func TestTwoInstancesCheckOnce(t *testing.T) {
	for _, dialect := range testenv.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			u := testenv.DatabaseURL(t, dialect)
			stores := make([]*store.Store, 2)
			for i := range stores {
				s, err := store.Open(ctx, u)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				if _, err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				stores[i] = s
			}
			w := newChain(t, stores[0])
			const asked = 30
			for i := 0; i < asked; i++ {
				w.ask(t0, "Question "+casetest.Itoa(int64(i)))
			}
			_, _, os := w.at(t0)
			if _, err := os.SetExpected(ctx, "BQ-1001", "2026-11-20", "", model.StaffActor(w.anna)); err != nil {
				t.Fatal(err)
			}
			var counted atomic.Int64 // what the breach metric would count
			race := func(at time.Time) int {
				start := make(chan struct{})
				var wg sync.WaitGroup
				var mu sync.Mutex
				total := 0
				for i := 0; i < 4; i++ {
					s := stores[i%2]
					wg.Add(1)
					go func() {
						defer wg.Done()
						q := &inquiries.Service{Store: s, Now: casetest.At(at), Catalog: w.cat}
						e := &escalations.Service{Store: s, Now: casetest.At(at), Inquiries: q, OnBreach: func() { counted.Add(1) }}
						<-start
						n, err := e.Check(ctx)
						if err != nil {
							t.Error(err)
						}
						mu.Lock()
						total += n
						mu.Unlock()
					}()
				}
				close(start)
				wg.Wait()
				return total
			}
			breach := t0.Add(24*time.Hour + time.Minute)
			if n := race(breach); n != asked+1 {
				t.Errorf("the instances handled %d breaches, want %d", n, asked+1)
			}
			if n := w.count("escalations", ""); n != asked+1 {
				t.Errorf("%d escalations", n)
			}
			if n := counted.Load(); n != asked+1 {
				t.Errorf("the breach hook counted %d, want %d", n, asked+1)
			}
			if n := w.count("promises", "state = ? AND kind <> ?", model.PromiseMissed, model.PromiseEscalation); n != asked+1 {
				t.Errorf("%d missed promises", n)
			}
			if n := w.count("timeline_events", "kind = ?", model.EventPromiseMissed); n != asked+1 {
				t.Errorf("%d missed events", n)
			}
			for tpl, want := range map[string]int{notify.EscalationToManager: asked + 1, notify.PromiseMissed: asked, notify.OrderLate: 1} {
				if n := w.count("outbox", "template = ?", tpl); n != want {
					t.Errorf("%d %s emails, want %d", n, tpl, want)
				}
			}
			if n := w.count("inquiries", "origin = ?", model.OriginLateOrder); n != 1 {
				t.Errorf("%d late-order inquiries", n)
			}
			// No one acknowledges: every escalation climbs once to Karen.
			if n := race(breach.Add(4*time.Hour + time.Minute)); n != asked+1 {
				t.Errorf("the instances climbed %d, want %d", n, asked+1)
			}
			if n := w.count("escalations", "level = 2 AND manager_id = ?", w.karen.ID); n != asked+1 {
				t.Errorf("%d escalations at Karen", n)
			}
			if n := w.count("timeline_events", "kind = ?", model.EventEscalationClimbed); n != asked+1 {
				t.Errorf("%d climbed events", n)
			}
			if n := w.count("outbox", "template = ?", notify.EscalationReminder); n != asked+1 {
				t.Errorf("%d reminders", n)
			}
		})
	}
}

// TestResolvedCaseDoesNotClimb: an inquiry resolved with an answer while
// its escalation waits for the manager keeps the manager's promise (the
// customer has the answer): nothing climbs later.
func TestResolvedCaseDoesNotClimb(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newChain(t, s)
		q := w.ask(t0, "Invoice copy")
		iq, es, _ := w.at(t0.Add(time.Hour))
		if _, _, err := es.Escalate(ctx, w.ann.ID, escalations.Subject{InquiryID: q.ID}, "", model.CustomerActor(w.ann)); err != nil {
			t.Fatal(err)
		}
		if err := iq.Resolve(ctx, q.ID, w.anna, "Here is the copy."); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.OutstandingPromises(ctx, store.InquiryCase(q.ID)); len(list) != 0 {
			t.Fatalf("outstanding after the answer: %+v", list)
		}
		if n := w.check(t0.Add(40 * time.Hour)); n != 0 {
			t.Errorf("%d breaches on a resolved case", n)
		}
	})
}
