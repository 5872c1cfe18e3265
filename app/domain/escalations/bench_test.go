package escalations_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

// benchCases is how many open cases the breach-check benchmark keeps:
// KEDJA_BENCH_CASES, default 100,000.
func benchCases() int {
	if n, err := strconv.Atoi(os.Getenv("KEDJA_BENCH_CASES")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// seedOpenCases writes n open inquiries of 1,000 customers, owned by two
// florists who report to a manager, each with the owner's reply as its
// next step: reply i falls due at from + i×every.
func seedOpenCases(b *testing.B, s *store.Store, n int, from time.Time, every time.Duration) {
	b.Helper()
	ctx := context.Background()
	st, err := s.EnsureSettings(ctx, "Blomsterhuset")
	if err != nil {
		b.Fatal(err)
	}
	// Managers have two weeks to answer: the runs measure missed replies
	// only, not their escalations climbing.
	st.AckHours = 14 * 24
	if err := s.SaveSettings(ctx, st); err != nil {
		b.Fatal(err)
	}
	boss := &model.Staff{Email: "boss@shop.example", FullName: "Birgit Lund", Title: "Manager", Active: true}
	if _, err := s.SaveStaff(ctx, boss); err != nil {
		b.Fatal(err)
	}
	var owners []*model.Staff
	for i := 0; i < 2; i++ {
		st := &model.Staff{Email: fmt.Sprintf("florist%d@shop.example", i), FullName: fmt.Sprintf("Florist Number%d", i),
			Title: "Florist", ManagerID: &boss.ID, Active: true}
		if _, err := s.SaveStaff(ctx, st); err != nil {
			b.Fatal(err)
		}
		owners = append(owners, st)
	}
	var custs []*model.Customer
	for i := 0; i < 1000; i++ {
		c, _, err := s.UpsertCustomer(ctx, fmt.Sprintf("c%04d@example.com", i), fmt.Sprintf("Customer %d", i), "da")
		if err != nil {
			b.Fatal(err)
		}
		custs = append(custs, c)
	}
	const batch = 1000
	for start := 0; start < n; start += batch {
		qs := make([]*model.Inquiry, 0, batch)
		for i := start; i < min(start+batch, n); i++ {
			due := model.Normalize(from.Add(time.Duration(i) * every))
			own := owners[i%2]
			qs = append(qs, &model.Inquiry{CustomerID: custs[i%1000].ID, Subject: "Question " + strconv.Itoa(i), OwnerID: own.ID,
				Status: model.InquiryOpen, IsOpen: true, ReplyDueAt: &due, LastActivityAt: from, CreatedAt: from, UpdatedAt: from})
		}
		err := s.WithTx(ctx, func(tx *store.Store) error {
			if _, err := tx.IDB().NewInsert().Model(&qs).Exec(ctx); err != nil {
				return err
			}
			ps := make([]*model.Promise, 0, len(qs))
			for _, q := range qs {
				own := owners[0]
				if q.OwnerID != own.ID {
					own = owners[1]
				}
				ps = append(ps, &model.Promise{CustomerID: q.CustomerID, InquiryID: &q.ID, Kind: model.PromiseReply,
					HolderKind: model.HolderStaff, HolderStaffID: &own.ID, HolderName: own.FullName, MadeByKind: model.ActorSystem,
					MadeByName: "Kedja", DueAt: q.ReplyDueAt, State: model.PromiseOpen, IsNext: true, Outstanding: true, CreatedAt: from})
			}
			_, err := tx.IDB().NewInsert().Model(&ps).Exec(ctx)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBreachCheck measures the automatic check with 100,000 open
// cases (KEDJA_BENCH_CASES) on each database: idle (nothing due — what
// every minute costs most of the time) and busy (each run finds 100 newly
// missed replies and escalates each: the row lock, the missed event, the
// escalation, the manager's promise, two emails, the live events).
//
//	go test -run '^$' -bench BreachCheck -benchtime 20x ./app/domain/escalations/
func BenchmarkBreachCheck(b *testing.B) {
	n := benchCases()
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	every := 10 * time.Second
	const perRun = 100
	cat, err := i18n.Load()
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range testenv.Dialects(b) {
		s := testenv.NewStore(b, d)
		start := time.Now()
		seedOpenCases(b, s, n, t0, every)
		b.Logf("%s: %d open cases seeded in %v", d, n, time.Since(start).Round(time.Millisecond))
		service := func(at time.Time) *escalations.Service {
			q := &inquiries.Service{Store: s, Now: func() time.Time { return at }, Catalog: cat}
			return &escalations.Service{Store: s, Now: func() time.Time { return at }, Inquiries: q}
		}
		b.Run(d+"/idle", func(b *testing.B) {
			e := service(t0.Add(-time.Minute))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if n, err := e.Check(context.Background()); err != nil || n != 0 {
					b.Fatal(n, err)
				}
			}
		})
		next := 0 // runs so far: the clock only moves forward
		b.Run(d+"/100-missed-each", func(b *testing.B) {
			handled := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				next++
				at := t0.Add(time.Duration(next*perRun)*every - time.Second)
				if next*perRun > n {
					b.Fatalf("out of cases: %d runs of %d", next, perRun)
				}
				got, err := service(at).Check(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				handled += got
			}
			b.StopTimer()
			if handled != b.N*perRun {
				b.Fatalf("handled %d breaches in %d runs, want %d", handled, b.N, b.N*perRun)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(handled), "µs/breach")
		})
	}
}
