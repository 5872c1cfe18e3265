// Command seed fills a Kedja database with many orders for load tests: the
// demo shop first (so ann.jensen@example.com can sign in), then --orders
// orders spread over --customers customers, written with multi-row inserts.
//
//	go run ./bench/seed --database-url sqlite://bench.db --orders 1000000
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/kedja/kedja/app/demo"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

func main() {
	dbURL := flag.String("database-url", "sqlite://bench.db", "KEDJA_DATABASE_URL of the database to fill")
	orders := flag.Int("orders", 1000000, "orders to add")
	customers := flag.Int("customers", 100000, "customers to spread them over")
	flag.Parse()
	if err := run(context.Background(), *dbURL, *orders, *customers); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dbURL string, nOrders, nCustomers int) error {
	s, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		return err
	}
	if _, err := s.EnsureSettings(ctx, "Blomsterhuset"); err != nil {
		return err
	}
	now := time.Now()
	if err := demo.Load(ctx, s, now); err != nil {
		return err
	}
	staff, err := s.ListStaff(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	db := s.DB()
	var firstCustomer int64
	if err := db.NewRaw("SELECT COALESCE(MAX(id), 0) FROM customers").Scan(ctx, &firstCustomer); err != nil {
		return err
	}
	firstCustomer++
	const batch = 500
	ts := func(t time.Time) string {
		return "'" + model.Normalize(t).Format("2006-01-02 15:04:05.999999-07:00") + "'"
	}
	if s.Dialect() == "postgres" {
		ts = func(t time.Time) string { return "'" + model.Normalize(t).Format(time.RFC3339Nano) + "'" }
	}
	for i := 0; i < nCustomers; i += batch {
		var b strings.Builder
		b.WriteString("INSERT INTO customers (email, name, locale, locale_set, created_at, updated_at) VALUES ")
		for j := i; j < min(i+batch, nCustomers); j++ {
			if j > i {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "('bench%d@example.com', 'Bench Customer %d', 'da', %s, %s, %s)", j, j, boolLit(s, false), ts(now), ts(now))
		}
		if _, err := db.ExecContext(ctx, b.String()); err != nil {
			return fmt.Errorf("customers: %w", err)
		}
	}
	statuses := model.OrderStatuses
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < nOrders; i += batch {
		var b strings.Builder
		b.WriteString("INSERT INTO orders (ref, customer_id, owner_id, status, is_open, placed_at, expected_delivery, items, total, currency, carrier, tracking_number, tracking_url, recipient_name, locale, payload_hash, delivery_confirmed_by, last_activity_at, created_at, updated_at) VALUES ")
		for j := i; j < min(i+batch, nOrders); j++ {
			if j > i {
				b.WriteByte(',')
			}
			st := statuses[rng.IntN(len(statuses))]
			placed := now.Add(-time.Duration(rng.IntN(365*24)) * time.Hour)
			cust := firstCustomer + int64(rng.IntN(nCustomers))
			owner := staff[rng.IntN(len(staff))].ID
			fmt.Fprintf(&b, "('B-%07d', %d, %d, '%s', %s, %s, '%s', '[{\"name\":\"Bouquet\",\"quantity\":1}]', '399.00', 'DKK', 'PostNord', '00370%07d', '', 'Recipient %d', 'da', '', '', %s, %s, %s)",
				j, cust, owner, st, boolLit(s, model.OrderIsOpen(st)), ts(placed), placed.AddDate(0, 0, 3).Format("2006-01-02"), j, j, ts(placed), ts(placed), ts(placed))
		}
		if _, err := db.ExecContext(ctx, b.String()); err != nil {
			return fmt.Errorf("orders: %w", err)
		}
		if (i/batch)%200 == 0 {
			fmt.Fprintf(os.Stderr, "seed: %d orders…\n", i)
		}
	}
	if s.Dialect() == "sqlite" {
		_, _ = db.ExecContext(ctx, "ANALYZE")
	} else {
		_, _ = db.ExecContext(ctx, "ANALYZE")
	}
	fmt.Fprintf(os.Stderr, "seed: %d customers and %d orders in %s\n", nCustomers, nOrders, time.Since(start).Round(time.Millisecond))
	return nil
}

func boolLit(s *store.Store, v bool) string {
	if s.Dialect() == "postgres" {
		if v {
			return "true"
		}
		return "false"
	}
	if v {
		return "1"
	}
	return "0"
}
