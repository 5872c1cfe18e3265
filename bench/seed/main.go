// Command seed fills a Kedja database (SQLite or PostgreSQL) with a shop at
// size for load tests: the demo shop first (staff, and ann.jensen@example.com
// who can sign in), then --orders orders spread evenly over --customers
// customers (bench0@example.com, bench1@example.com, …) with their
// timelines, written through the CSV import's bulk path (COPY on
// PostgreSQL), then an inquiry about every --inquiry-every-th order with its
// conversation and timeline, in a few set-based statements. The orders are
// history (placed 5 to 370 days ago), so no order or delivery confirmation
// is queued; the shipping notices the import queues are marked sent.
//
//	go run ./bench/seed --database-url sqlite://bench.db --orders 1000000 --customers 100000
//	go run ./bench/seed --database-url 'postgres://postgres@127.0.0.1:5432/kedja_bench?sslmode=disable'
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/kedja/kedja/app/demo"
	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

func main() {
	dbURL := flag.String("database-url", "sqlite://bench.db", "KEDJA_DATABASE_URL of the database to fill")
	nOrders := flag.Int("orders", 1000000, "orders to add")
	nCustomers := flag.Int("customers", 100000, "customers to spread them over")
	every := flag.Int("inquiry-every", 5, "an inquiry about every n-th order (0: none)")
	flag.Parse()
	if *nCustomers < 1 || *nOrders < 0 {
		fmt.Fprintln(os.Stderr, "seed: --orders must be 0 or more and --customers 1 or more")
		os.Exit(2)
	}
	if err := run(context.Background(), *dbURL, *nOrders, *nCustomers, *every); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dbURL string, nOrders, nCustomers, every int) error {
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
	now := model.Now()
	if err := demo.Load(ctx, s, now); err != nil {
		return err
	}
	staff, err := s.ListStaff(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeCSV(pw, nOrders, nCustomers, staff, now)) }()
	var bad int
	sum, err := orders.ImportCSV(ctx, s, nil, pr, orders.CSVOptions{
		By:  model.Actor{Kind: model.ActorSystem, Name: "Seed"},
		Now: func() time.Time { return now },
		OnError: func(e orders.RowError) {
			if bad++; bad <= 5 {
				fmt.Fprintln(os.Stderr, "seed: bad row:", e)
			}
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "seed: orders: %s in %s\n", sum, time.Since(start).Round(time.Millisecond))
	t := time.Now()
	if every > 0 {
		n, err := inquiries(ctx, s, every)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "seed: %d inquiries with their messages and timelines in %s\n", n, time.Since(t).Round(time.Millisecond))
	}
	// History: the notices the import queued went out long ago.
	if _, err := s.IDB().NewRaw("UPDATE outbox SET state = 'sent', sent_at = created_at WHERE state = 'pending'").Exec(ctx); err != nil {
		return fmt.Errorf("mark mail sent: %w", err)
	}
	if _, err := s.IDB().NewRaw("ANALYZE").Exec(ctx); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	fmt.Fprintf(os.Stderr, "seed: done in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// writeCSV writes the orders as a CSV file for the import.
func writeCSV(w io.Writer, nOrders, nCustomers int, staff []*model.Staff, now time.Time) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	fmt.Fprintln(bw, "order_ref,customer_email,customer_name,customer_locale,status,placed_at,expected_delivery,items,total,currency,owner_email,carrier,tracking_number,delivered_at")
	statuses := []string{model.OrderDelivered, model.OrderDelivered, model.OrderDelivered, model.OrderDelivered,
		model.OrderDelivered, model.OrderDelivered, model.OrderShipped, model.OrderConfirmed, model.OrderProcessing,
		model.OrderOutForDelivery, model.OrderReceived, model.OrderCancelled, model.OrderReturned}
	locales := []string{"da", "sv", "nl", "en"}
	for i := 0; i < nOrders; i++ {
		c := i % nCustomers
		st := statuses[(i/nCustomers+c)%len(statuses)]
		placed := now.Add(-time.Duration(5*24+i%(365*24)) * time.Hour)
		owner := ""
		if i%10 != 0 {
			owner = staff[i%len(staff)].Email
		}
		delivered := ""
		if st == model.OrderDelivered {
			delivered = placed.Add(50 * time.Hour).Format(time.RFC3339)
		}
		_, err := fmt.Fprintf(bw, "B-%07d,bench%d@example.com,Bench Customer %d,%s,%s,%s,%s,\"%dx Bouquet; 1x Card\",%d.00,DKK,%s,PostNord,00370%07d,%s\n",
			i, c, c, locales[c%len(locales)], st, placed.Format(time.RFC3339), placed.AddDate(0, 0, 2).Format("2006-01-02"),
			1+i%3, 199+i%600, owner, i, delivered)
		if err != nil {
			return err
		}
	}
	return bw.Flush()
}

// inquiries adds an inquiry about every n-th order, with the customer's
// question, a staff answer on the resolved ones and the timeline events the
// portal shows, in a few INSERT … SELECT statements.
func inquiries(ctx context.Context, s *store.Store, every int) (int, error) {
	pg := s.Dialect() == "postgres"
	yes, no := "1", "0"
	data := func(pairs string) string { return "json_object(" + pairs + ")" }
	if pg {
		yes, no = "true", "false"
		data = func(pairs string) string { return "json_build_object(" + pairs + ")::text" }
	}
	var first int64
	if err := s.IDB().NewRaw("SELECT COALESCE(MAX(id), 0) FROM inquiries").Scan(ctx, &first); err != nil {
		return 0, err
	}
	steps := []struct{ what, sql string }{
		{"inquiries", fmt.Sprintf(`INSERT INTO inquiries (customer_id, order_id, subject, owner_id, status, is_open,
	third_party_name, third_party_expected, reply_due_at, last_activity_at, created_at, updated_at, resolved_at)
SELECT o.customer_id, o.id, 'Question about ' || o.ref, o.owner_id,
	CASE WHEN o.id %% 10 = 0 THEN 'waiting_customer' ELSE 'resolved' END,
	CASE WHEN o.id %% 10 = 0 THEN %s ELSE %s END,
	'', '', NULL, o.last_activity_at, o.placed_at, o.last_activity_at,
	CASE WHEN o.id %% 10 = 0 THEN NULL ELSE o.last_activity_at END
FROM orders o WHERE o.ref LIKE 'B-%%' AND o.id %% %d = 0 ORDER BY o.id`, yes, no, every)},
		{"questions", fmt.Sprintf(`INSERT INTO messages (inquiry_id, author_kind, author_staff_id, body, internal, created_at)
SELECT q.id, 'customer', NULL, 'Hello, could you tell me when my order will arrive. It is for a birthday on Saturday.', %s, q.created_at
FROM inquiries q WHERE q.id > %d`, no, first)},
		{"answers", fmt.Sprintf(`INSERT INTO messages (inquiry_id, author_kind, author_staff_id, body, internal, created_at)
SELECT q.id, 'staff', q.owner_id, 'It is on its way and will be with you on Friday. Kind regards', %s, q.last_activity_at
FROM inquiries q WHERE q.id > %d AND q.status = 'resolved'`, no, first)},
		{"inquiry timelines", fmt.Sprintf(`INSERT INTO timeline_events (customer_id, order_id, inquiry_id, kind, actor_kind, actor_staff_id, actor_name, data, customer_visible, created_at)
SELECT q.customer_id, NULL, q.id, 'inquiry_opened', 'customer', NULL, '', %s, %s, q.created_at
FROM inquiries q JOIN staff st ON st.id = q.owner_id WHERE q.id > %d`,
			data("'subject', q.subject, 'owner', st.full_name, 'owner_title', st.title"), yes, first)},
		{"order timelines", fmt.Sprintf(`INSERT INTO timeline_events (customer_id, order_id, inquiry_id, kind, actor_kind, actor_staff_id, actor_name, data, customer_visible, created_at)
SELECT q.customer_id, q.order_id, NULL, 'inquiry_opened', 'customer', NULL, '', %s, %s, q.created_at
FROM inquiries q JOIN staff st ON st.id = q.owner_id WHERE q.id > %d`,
			data("'subject', q.subject, 'inquiry_id', CAST(q.id AS text), 'owner', st.full_name"), yes, first)},
		{"replies", fmt.Sprintf(`INSERT INTO timeline_events (customer_id, order_id, inquiry_id, kind, actor_kind, actor_staff_id, actor_name, data, customer_visible, created_at)
SELECT q.customer_id, NULL, q.id, 'staff_replied', 'staff', q.owner_id, st.full_name, '{}', %s, q.last_activity_at
FROM inquiries q JOIN staff st ON st.id = q.owner_id WHERE q.id > %d AND q.status = 'resolved'`, yes, first)},
	}
	var n int
	err := s.WithTx(ctx, func(tx *store.Store) error {
		for _, st := range steps {
			res, err := tx.IDB().NewRaw(st.sql).Exec(ctx)
			if err != nil {
				return fmt.Errorf("%s: %w", st.what, err)
			}
			if st.what == "inquiries" {
				k, _ := res.RowsAffected()
				n = int(k)
			}
		}
		return nil
	})
	return n, err
}
