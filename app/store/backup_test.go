package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

// TestBackupWhileWriting copies a SQLite database through one store (as
// `kedja backup` does) while another store on the same file (as the
// running server) keeps writing customers, orders and their timeline in
// transactions: the copy opens, passes PRAGMA integrity_check and holds a
// consistent snapshot (every order has its timeline event).
func TestBackupWhileWriting(t *testing.T) {
	dir := t.TempDir()
	u := "sqlite://" + filepath.Join(dir, "kedja.db")
	ctx := context.Background()
	server, err := store.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	if _, err := server.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	owner := newStaff(t, server, "anna@shop.example", "Anna Holm", nil)
	write := func(i int) error {
		return server.WithTx(ctx, func(tx *store.Store) error {
			c, _, err := tx.UpsertCustomer(ctx, fmt.Sprintf("c%d@example.com", i), "Customer", "da")
			if err != nil {
				return err
			}
			now := model.Now()
			o := &model.Order{Ref: fmt.Sprintf("B-%d", i), CustomerID: c.ID, OwnerID: owner.ID, Status: model.OrderReceived,
				Items: []model.Item{{Name: "Roses", Quantity: 2}}, LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertOrder(ctx, o); err != nil {
				return err
			}
			return tx.InsertEvent(ctx, &model.Event{CustomerID: c.ID, OrderID: &o.ID, Kind: "order_placed", ActorKind: model.ActorSystem,
				Data: map[string]string{"status": "received", "pad": strings.Repeat("x", 500)}, CustomerVisible: true, CreatedAt: now})
		})
	}
	for i := 0; i < 2000; i++ { // enough pages that the copy takes a while
		if err := write(i); err != nil {
			t.Fatal(err)
		}
	}
	cli, err := store.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()

	var written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var werr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 2000; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := write(i); err != nil {
				werr = err
				return
			}
			written.Add(1)
		}
	}()
	var copies []string
	for n := range 3 {
		for written.Load() < int64(20*(n+1)) && werr == nil { // writes really are going on
			runtime.Gosched()
		}
		path := filepath.Join(dir, fmt.Sprintf("backup-%d.db", n))
		if err := cli.Backup(ctx, path); err != nil {
			t.Fatalf("backup %d: %v", n, err)
		}
		copies = append(copies, path)
	}
	close(stop)
	wg.Wait()
	if werr != nil {
		t.Fatalf("the writer failed during the backups: %v", werr)
	}
	if written.Load() < 60 {
		t.Fatalf("only %d writes went on during the backups", written.Load())
	}
	var last int
	for _, path := range copies {
		db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		var check string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			db.Close()
			t.Fatalf("%s: integrity_check %q %v", path, check, err)
		}
		var orders, placed, mig int
		err = db.QueryRow(`SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM timeline_events WHERE kind = 'order_placed'),
			(SELECT count(*) FROM bun_migrations)`).Scan(&orders, &placed, &mig)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if orders < 2000 || orders != placed || mig == 0 {
			t.Fatalf("%s: %d orders, %d placed events, %d migrations: not one consistent snapshot", path, orders, placed, mig)
		}
		if orders < last {
			t.Fatalf("%s: %d orders, fewer than the copy before (%d)", path, orders, last)
		}
		last = orders
	}
	if err := cli.Backup(ctx, copies[0]); !errors.Is(err, os.ErrExist) {
		t.Fatalf("backup onto an existing file: %v, want it refused", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".backup-*")); len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
}

func TestBackupRefusesPostgres(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		if d != "postgres" {
			continue
		}
		s := testenv.NewStore(t, d)
		err := s.Backup(context.Background(), filepath.Join(t.TempDir(), "x.db"))
		if !errors.Is(err, store.ErrBackupUnsupported) || !strings.Contains(err.Error(), "pg_dump") {
			t.Fatalf("backup on PostgreSQL: %v", err)
		}
	}
}
