package cases_test

import (
	"context"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/cases"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

// TestSilenceEscalatesByItself: an inquiry left without a reply past its
// reply-by time goes to the owner's manager once; resolving that escalation
// is not undone by the next sweep; a new missed reply time escalates again.
func TestSilenceEscalatesByItself(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := setup(t, s)
		bus := &recorder{}
		q, err := cases.OpenInquiry(ctx, s, bus, w.ann.ID, "Where is my invoice?", "You promised it within 24 hours.", "", customer(w.ann), t0)
		if err != nil {
			t.Fatal(err)
		}
		due := *q.ReplyDueAt
		if n, err := cases.EscalateOverdue(ctx, s, bus, due.Add(-time.Minute)); err != nil || n != 0 {
			t.Fatalf("before the reply is due: %d escalated, %v", n, err)
		}
		if n, err := cases.EscalateOverdue(ctx, s, bus, due.Add(time.Minute)); err != nil || n != 1 {
			t.Fatalf("past due: %d escalated, %v", n, err)
		}
		e, err := s.OpenEscalation(ctx, "inquiry:"+itoa(q.ID))
		if err != nil {
			t.Fatal(err)
		}
		if e.RequestedByKind != model.ActorSystem || e.Reason != cases.OverdueReason {
			t.Errorf("escalation %+v", e)
		}
		if n := countWhere(t, s, "outbox", "template = ?", notify.EscalationToManager); n != 1 {
			t.Errorf("%d manager emails, want 1", n)
		}
		if n, _ := cases.EscalateOverdue(ctx, s, bus, due.Add(2*time.Minute)); n != 0 {
			t.Errorf("escalated %d again while one is open", n)
		}
		mgr, err := s.StaffByID(ctx, e.ManagerID)
		if err != nil {
			t.Fatal(err)
		}
		mgr.IsAdmin = true
		if _, err := cases.ResolveEscalation(ctx, s, bus, e.ID, mgr, due.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n, _ := cases.EscalateOverdue(ctx, s, bus, due.Add(2*time.Hour)); n != 0 {
			t.Errorf("escalated %d again after the manager resolved it", n)
		}
		// The customer writes again: a new reply falls due, and is missed.
		if _, err := cases.CustomerReply(ctx, s, bus, w.ann.ID, q.ID, "Still nothing.", due.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n, err := cases.EscalateOverdue(ctx, s, bus, due.Add(48*time.Hour)); err != nil || n != 1 {
			t.Errorf("a second missed reply time: %d escalated, %v", n, err)
		}
		// Another customer's case is none of this: only overdue ones count.
		if n := countWhere(t, s, "escalations", "customer_id = ?", w.bob.ID); n != 0 {
			t.Errorf("%d escalations of a customer with nothing overdue", n)
		}
	})
}

func countWhere(t *testing.T, s *store.Store, table, where string, args ...any) int {
	t.Helper()
	n, err := s.RIDB().NewSelect().TableExpr(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
