package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

// TestGroup: concurrent calls each get their item written exactly once,
// in transactions they may share; a failing transaction fails every call
// in it and writes nothing.
func TestGroup(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		type item struct {
			email string
			id    int64
		}
		var mu sync.Mutex
		var sizes []int
		run := func(ctx context.Context, tx *store.Store, items []any) error {
			mu.Lock()
			sizes = append(sizes, len(items))
			mu.Unlock()
			for _, it := range items {
				it := it.(*item)
				c, _, err := tx.UpsertCustomer(ctx, it.email, "Customer", "en")
				if err != nil {
					return err
				}
				it.id = c.ID
			}
			return nil
		}
		const n = 100
		items := make([]*item, n)
		var wg sync.WaitGroup
		for i := range items {
			items[i] = &item{email: fmt.Sprintf("g%d@example.com", i)}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.Group(ctx, "test", items[i], run); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		total := 0
		for _, n := range sizes {
			if n > store.GroupMax {
				t.Errorf("a transaction of %d calls", n)
			}
			total += n
		}
		t.Logf("%d calls in %d transactions: %v", n, len(sizes), sizes)
		if total != n {
			t.Fatalf("%d items run, want %d", total, n)
		}
		for _, it := range items {
			c, err := s.CustomerByEmail(ctx, it.email)
			if err != nil || c.ID != it.id || it.id == 0 {
				t.Fatalf("%s: %v %v, id %d", it.email, c, err, it.id)
			}
		}

		boom := errors.New("boom")
		failing := func(ctx context.Context, tx *store.Store, items []any) error {
			for _, it := range items {
				if _, _, err := tx.UpsertCustomer(ctx, it.(*item).email, "X", "en"); err != nil {
					return err
				}
			}
			return boom
		}
		if err := s.Group(ctx, "test", &item{}, func(context.Context, *store.Store, []any) error { panic("bug") }); err == nil ||
			!strings.Contains(err.Error(), "panic: bug") {
			t.Fatalf("a panicking transaction: %v", err)
		}
		errs := make([]error, 10)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.Group(ctx, "test", &item{email: fmt.Sprintf("f%d@example.com", i)}, failing)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if !errors.Is(err, boom) {
				t.Fatalf("call %d: %v, want the transaction's error", i, err)
			}
			if _, err := s.CustomerByEmail(ctx, fmt.Sprintf("f%d@example.com", i)); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a failed transaction wrote customer f%d: %v", i, err)
			}
		}
	})
}
