// Package casetest holds the fixtures the domain packages' tests share: a
// live bus that remembers what was published, two small shops on a real
// store, and counts of what was written.
package casetest

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// T0 is the fixtures' "now": 20 November 2026, 09:00 UTC.
func T0() time.Time { return time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC) }

// At is a clock that always says t.
func At(t time.Time) func() time.Time { return func() time.Time { return t } }

// Itoa is an id as the data of events and keys spell it.
func Itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Recorder is a live bus that remembers what was published, as
// "topic name" lines.
type Recorder struct {
	mu  sync.Mutex
	Got []string
}

// Publish records ev on topic.
func (r *Recorder) Publish(topic string, ev live.Event) {
	r.mu.Lock()
	r.Got = append(r.Got, topic+" "+ev.Name)
	r.mu.Unlock()
}

// Has reports whether "topic name" was published.
func (r *Recorder) Has(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, g := range r.Got {
		if g == s {
			return true
		}
	}
	return false
}

// N is how many events were published.
func (r *Recorder) N() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.Got) }

// Shop is two customers with an order each: Ann's BQ-1001 is Anna's (whose
// manager is Birgit, an administrator), Bob's BQ-2002 is Jonas's (who has
// no manager).
type Shop struct {
	Boss, Anna, Jonas  *model.Staff
	Ann, Bob           *model.Customer
	AnnOrder, BobOrder *model.Order
}

// NewShop writes the Shop, with the business settings, into s.
func NewShop(t *testing.T, s *store.Store) *Shop {
	t.Helper()
	ctx := context.Background()
	if _, err := s.EnsureSettings(ctx, "Blomsterhuset"); err != nil {
		t.Fatal(err)
	}
	w, t0 := &Shop{}, T0()
	w.Boss = AddStaff(t, s, &model.Staff{Email: "birgit@shop.example", FullName: "Birgit Lund", Title: "Store manager", IsAdmin: true})
	w.Anna = AddStaff(t, s, &model.Staff{Email: "anna@shop.example", FullName: "Anna Holm", Title: "Florist", ManagerID: &w.Boss.ID})
	w.Jonas = AddStaff(t, s, &model.Staff{Email: "jonas@shop.example", FullName: "Jonas Berg", Title: "Florist"})
	w.Ann = AddCustomer(t, s, "ann@example.com", "Ann Jensen", "da")
	w.Bob = AddCustomer(t, s, "bob@example.com", "Bob de Vries", "nl")
	order := func(ref string, c *model.Customer, owner *model.Staff) *model.Order {
		o := &model.Order{Ref: ref, CustomerID: c.ID, OwnerID: owner.ID, Status: model.OrderConfirmed,
			Items: []model.Item{{Name: "Bouquet", Quantity: 1}}, Total: "499.00", Currency: "DKK",
			LastActivityAt: t0, CreatedAt: t0, UpdatedAt: t0}
		if err := s.InsertOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	w.AnnOrder = order("BQ-1001", w.Ann, w.Anna)
	w.BobOrder = order("BQ-2002", w.Bob, w.Jonas)
	return w
}

// Case is one customer with an order BQ-1 and an open inquiry about it,
// both Anna's; Anna and Jonas report to Mette.
type Case struct {
	Boss, Anna, Jonas *model.Staff
	Cust              *model.Customer
	Order             *model.Order
	Q                 *model.Inquiry
}

// NewCase writes the Case into s; withSettings adds the business settings
// a new inquiry needs.
func NewCase(t *testing.T, s *store.Store, withSettings bool) *Case {
	t.Helper()
	ctx := context.Background()
	if withSettings {
		if _, err := s.EnsureSettings(ctx, "Blomsterhuset"); err != nil {
			t.Fatal(err)
		}
	}
	w, t0 := &Case{}, T0()
	w.Boss = AddStaff(t, s, &model.Staff{Email: "mette@shop.example", FullName: "Mette Lund", Title: "Florist"})
	w.Anna = AddStaff(t, s, &model.Staff{Email: "anna@shop.example", FullName: "Anna Holm", Title: "Florist", ManagerID: &w.Boss.ID})
	w.Jonas = AddStaff(t, s, &model.Staff{Email: "jonas@shop.example", FullName: "Jonas Berg", Title: "Florist", ManagerID: &w.Boss.ID})
	w.Cust = AddCustomer(t, s, "ann@example.com", "Ann Jensen", "da")
	w.Order = &model.Order{Ref: "BQ-1", CustomerID: w.Cust.ID, OwnerID: w.Anna.ID, Status: model.OrderConfirmed,
		LastActivityAt: t0, CreatedAt: t0, UpdatedAt: t0}
	if err := s.InsertOrder(ctx, w.Order); err != nil {
		t.Fatal(err)
	}
	due := t0.Add(24 * time.Hour)
	w.Q = &model.Inquiry{CustomerID: w.Cust.ID, OrderID: &w.Order.ID, Subject: "Did it arrive?", OwnerID: w.Anna.ID,
		Status: model.InquiryOpen, ReplyDueAt: &due, LastActivityAt: t0, CreatedAt: t0, UpdatedAt: t0}
	if err := s.InsertInquiry(ctx, w.Q); err != nil {
		t.Fatal(err)
	}
	return w
}

// AddStaff saves st as an active staff member.
func AddStaff(t *testing.T, s *store.Store, st *model.Staff) *model.Staff {
	t.Helper()
	st.Active = true
	if _, err := s.SaveStaff(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return st
}

// AddOrder inserts an order of the customer, owned by ownerID, in status,
// last active now.
func AddOrder(t *testing.T, s *store.Store, ref string, customerID, ownerID int64, status string) *model.Order {
	t.Helper()
	now := model.Now()
	o := &model.Order{Ref: ref, CustomerID: customerID, OwnerID: ownerID, Status: status, LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
	if err := s.InsertOrder(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return o
}

// AddCustomer creates a customer.
func AddCustomer(t *testing.T, s *store.Store, email, name, locale string) *model.Customer {
	t.Helper()
	c, _, err := s.UpsertCustomer(context.Background(), email, name, locale)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Outbox lists the queued emails of template.
func Outbox(t *testing.T, s *store.Store, template string) []*model.OutboxMessage {
	t.Helper()
	list, err := s.ListOutbox(context.Background(), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []*model.OutboxMessage
	for _, m := range list {
		if m.Template == template {
			out = append(out, m)
		}
	}
	return out
}

// Count counts the rows of table that match where (with args; "" for all).
func Count(t *testing.T, s *store.Store, table, where string, args ...any) int {
	t.Helper()
	q := s.RIDB().NewSelect().TableExpr(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	n, err := q.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
