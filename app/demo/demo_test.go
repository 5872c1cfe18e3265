package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/kedja/kedja/app/demo"
	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

// TestDemoPromises: the demo holds kept promises (one late) and a missed
// one already escalated; serve's first automatic check gives the open
// orders their delivery promises and finds Erik's unanswered question
// missed. Loading twice changes nothing.
func TestDemoPromises(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
		if _, err := s.EnsureSettings(ctx, "Blomsterhuset"); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if err := demo.Load(ctx, s, now); err != nil {
				t.Fatal(err)
			}
		}
		count := func(where string, args ...any) int {
			n, err := s.RIDB().NewSelect().TableExpr("promises").Where(where, args...).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		if n := count("state = ? AND kind = ?", model.PromiseKept, model.PromiseDelivery); n != 1 {
			t.Errorf("%d deliveries kept on time", n)
		}
		if n := count("state = ?", model.PromiseKeptLate); n != 1 {
			t.Errorf("%d kept late", n)
		}
		if n := count("state = ? AND outstanding = ?", model.PromiseMissed, true); n != 1 {
			t.Errorf("%d missed", n)
		}
		cat, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		clock := func() time.Time { return now }
		loc, _ := time.LoadLocation("Europe/Copenhagen")
		q := &inquiries.Service{Store: s, Now: clock, Location: loc, Catalog: cat}
		e := &escalations.Service{Store: s, Now: clock, Location: loc, Inquiries: q}
		made, err := e.Backfill(ctx)
		if err != nil || made != 6 {
			t.Errorf("backfill gave %d cases a next step (%v), want the 6 open orders with a day", made, err)
		}
		if n, err := e.Check(ctx); err != nil || n != 1 {
			t.Errorf("the first check handled %d (%v), want Erik's question", n, err)
		}
		if n := count("state = ? AND outstanding = ?", model.PromiseMissed, true); n != 2 {
			t.Errorf("%d missed after the check", n)
		}
		var kinds []struct {
			Kind  string `bun:"kind"`
			State string `bun:"state"`
			N     int    `bun:"n"`
		}
		if err := s.RIDB().NewSelect().TableExpr("promises").ColumnExpr("kind, state, count(*) AS n").
			GroupExpr("kind, state").OrderExpr("kind, state").Scan(ctx, &kinds); err != nil {
			t.Fatal(err)
		}
		t.Logf("demo promises after the first check: %+v", kinds)
	})
}
