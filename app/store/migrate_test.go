package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

// TestConcurrentMigrateOnPostgres starts several stores on one fresh
// PostgreSQL schema, as instances started together do, and has them all
// migrate at once: every call succeeds and every migration is applied
// exactly once, by one of them.
func TestConcurrentMigrateOnPostgres(t *testing.T) {
	u := testenv.DatabaseURL(t, "postgres")
	ctx := context.Background()
	const instances = 4
	stores := make([]*store.Store, instances)
	for i := range stores {
		s, err := store.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	want, err := stores[0].PendingMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 4 {
		t.Fatalf("a fresh schema has %d pending migrations: %v", len(want), want)
	}
	applied := make([][]string, instances)
	errs := make([]error, instances)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			applied[i], errs[i] = s.Migrate(ctx)
		}()
	}
	close(start)
	wg.Wait()
	var all []string
	for i := range stores {
		if errs[i] != nil {
			t.Errorf("instance %d: %v", i, errs[i])
		}
		all = append(all, applied[i]...)
	}
	slices.Sort(all)
	if !slices.Equal(all, want) {
		t.Fatalf("the instances applied %v together, want each of %v once", all, want)
	}
	var names []string
	if err := stores[0].DB().NewRaw("SELECT name FROM bun_migrations ORDER BY name").Scan(ctx, &names); err != nil {
		t.Fatal(err)
	}
	if len(names) != len(want) {
		t.Fatalf("bun_migrations holds %v", names)
	}
	for _, s := range stores {
		if p, err := s.PendingMigrations(ctx); err != nil || len(p) != 0 {
			t.Fatalf("pending after migrating: %v %v", p, err)
		}
	}
}

func TestPendingMigrations(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, testenv.DatabaseURL(t, d))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			before, err := s.PendingMigrations(ctx)
			if err != nil || len(before) == 0 {
				t.Fatalf("a fresh database: pending %v, %v", before, err)
			}
			applied, err := s.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(applied, before) {
				t.Fatalf("applied %v, pending were %v", applied, before)
			}
			if after, err := s.PendingMigrations(ctx); err != nil || len(after) != 0 {
				t.Fatalf("pending after migrate: %v, %v", after, err)
			}
		})
	}
}
