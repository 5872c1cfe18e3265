package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/kedja/kedja/app/model"
)

// copyMin is the fewest rows worth a COPY (and the id round trip it needs);
// fewer go as one INSERT.
const copyMin = 32

// WithBulkTx is WithTx for bulk work (the CSV import). On PostgreSQL the
// transaction runs on one pinned connection, so InsertOrders and
// InsertEvents can stream their rows with COPY instead of INSERT. On
// SQLite, and inside a transaction already, it is WithTx.
func (s *Store) WithBulkTx(ctx context.Context, fn func(tx *Store) error) (err error) {
	if s.InTx() || s.dialect != "postgres" {
		return s.WithTx(ctx, fn)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: bulk transaction: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return fmt.Errorf("store: bulk transaction: %w", err)
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		// Roll back even when ctx is done, or the connection would go back
		// to the pool inside the transaction; if even that fails, the pool
		// drops the connection.
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	var after []func()
	txs := &Store{db: s.db, rdb: s.rdb, w: conn, r: conn, dialect: s.dialect, afterCommit: &after, wake: s.wake, pinned: &conn, groups: s.groups}
	if err := fn(txs); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("store: bulk transaction: commit: %w", err)
	}
	committed = true
	for _, f := range after {
		f()
	}
	return nil
}

// copyFrom streams rows into table with COPY on the pinned connection.
func (s *Store) copyFrom(ctx context.Context, table string, cols []string, rows [][]any) error {
	return s.pinned.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("not a pgx connection")
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		return err
	})
}

// nextIDs takes n ids from table's id sequence, ascending.
func (s *Store) nextIDs(ctx context.Context, table string, n int) ([]int64, error) {
	var ids []int64
	// bigserial's sequence is table_id_seq; the regclass is resolved once.
	if err := s.w.NewRaw("SELECT nextval(?::regclass) FROM generate_series(1, ?)", table+"_id_seq", n).
		Scan(ctx, &ids); err != nil {
		return nil, err
	}
	if len(ids) != n {
		return nil, fmt.Errorf("%d ids for %d rows", len(ids), n)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// canCopy reports whether n rows go by COPY.
func (s *Store) canCopy(n int) bool { return s.pinned != nil && n >= copyMin }

var orderColumns = []string{"id", "ref", "customer_id", "owner_id", "status", "is_open", "placed_at", "expected_delivery",
	"delivered_at", "delivery_confirmed_by", "items", "total", "currency", "carrier", "tracking_number", "tracking_url",
	"recipient_name", "locale", "payload_hash", "last_activity_at", "created_at", "updated_at"}

// copyOrders inserts orders (checked by InsertOrders) with COPY.
func (s *Store) copyOrders(ctx context.Context, list []*model.Order) error {
	ids, err := s.nextIDs(ctx, "orders", len(list))
	if err != nil {
		return fmt.Errorf("store: insert %d orders: %w", len(list), err)
	}
	rows := make([][]any, len(list))
	for i, o := range list {
		items, err := json.Marshal(o.Items)
		if err != nil {
			return fmt.Errorf("store: insert order %q: %w", o.Ref, err)
		}
		rows[i] = []any{ids[i], o.Ref, o.CustomerID, o.OwnerID, o.Status, o.IsOpen, o.PlacedAt, o.ExpectedDelivery,
			o.DeliveredAt, o.DeliveryConfirmedBy, string(items), o.Total, o.Currency, o.Carrier, o.TrackingNumber, o.TrackingURL,
			o.RecipientName, o.Locale, o.PayloadHash, o.LastActivityAt, o.CreatedAt, o.UpdatedAt}
	}
	if err := s.copyFrom(ctx, "orders", orderColumns, rows); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("store: insert %d orders: %w", len(list), ErrConflict)
		}
		return fmt.Errorf("store: insert %d orders: %w", len(list), err)
	}
	for i, o := range list {
		o.ID = ids[i]
	}
	return nil
}

var eventColumns = []string{"id", "customer_id", "order_id", "inquiry_id", "kind", "actor_kind", "actor_staff_id",
	"actor_name", "data", "customer_visible", "created_at"}

// copyEvents inserts timeline events (with data and times set) with COPY.
func (s *Store) copyEvents(ctx context.Context, list []*model.Event) error {
	ids, err := s.nextIDs(ctx, "timeline_events", len(list))
	if err != nil {
		return fmt.Errorf("store: insert %d events: %w", len(list), err)
	}
	rows := make([][]any, len(list))
	for i, e := range list {
		data, err := json.Marshal(e.Data)
		if err != nil {
			return fmt.Errorf("store: insert event %s: %w", e.Kind, err)
		}
		rows[i] = []any{ids[i], e.CustomerID, e.OrderID, e.InquiryID, e.Kind, e.ActorKind, e.ActorStaffID,
			e.ActorName, string(data), e.CustomerVisible, e.CreatedAt}
	}
	if err := s.copyFrom(ctx, "timeline_events", eventColumns, rows); err != nil {
		return fmt.Errorf("store: insert %d events: %w", len(list), err)
	}
	for i, e := range list {
		e.ID = ids[i]
	}
	return nil
}

var customerColumns = []string{"id", "email", "name", "locale", "locale_set", "created_at", "updated_at"}

// copyCustomers inserts customers with COPY.
func (s *Store) copyCustomers(ctx context.Context, list []*model.Customer) error {
	ids, err := s.nextIDs(ctx, "customers", len(list))
	if err != nil {
		return fmt.Errorf("store: insert %d customers: %w", len(list), err)
	}
	rows := make([][]any, len(list))
	for i, c := range list {
		rows[i] = []any{ids[i], c.Email, c.Name, c.Locale, c.LocaleSet, c.CreatedAt, c.UpdatedAt}
	}
	if err := s.copyFrom(ctx, "customers", customerColumns, rows); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("store: insert %d customers: %w", len(list), ErrConflict)
		}
		return fmt.Errorf("store: insert %d customers: %w", len(list), err)
	}
	for i, c := range list {
		c.ID = ids[i]
	}
	return nil
}

var outboxColumns = []string{"idempotency_key", "template", "locale", "to_email", "to_name", "data", "state", "attempts",
	"next_attempt_at", "lease_until", "last_error", "created_at", "sent_at"}

// copyOutbox queues mail with COPY. Unlike EnqueueMany's INSERT it cannot
// skip a key queued already: that fails the whole COPY (ErrConflict), so
// it is only for mail whose keys are new (about orders just created).
func (s *Store) copyOutbox(ctx context.Context, list []*model.OutboxMessage) error {
	rows := make([][]any, len(list))
	for i, m := range list {
		data, err := json.Marshal(m.Data)
		if err != nil {
			return fmt.Errorf("store: enqueue %s: %w", m.IdempotencyKey, err)
		}
		rows[i] = []any{m.IdempotencyKey, m.Template, m.Locale, m.ToEmail, m.ToName, string(data), m.State, int32(m.Attempts),
			m.NextAttemptAt, m.LeaseUntil, m.LastError, m.CreatedAt, m.SentAt}
	}
	if err := s.copyFrom(ctx, "outbox", outboxColumns, rows); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("store: enqueue %d messages: %w", len(list), ErrConflict)
		}
		return fmt.Errorf("store: enqueue %d messages: %w", len(list), err)
	}
	s.AfterCommit(s.notifyEnqueue)
	return nil
}
