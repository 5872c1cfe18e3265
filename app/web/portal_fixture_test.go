package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/model"
)

// portalWorld is two customers with an order and an inquiry each, owned by
// staff with a manager.
type portalWorld struct {
	app                *testApp
	boss, anna, jonas  *model.Staff
	ann, bob           *model.Customer
	annOrder, bobOrder *model.Order
	annQ, bobQ         *model.Inquiry
	bobFact            *model.CustomerFact
	annFact            *model.CustomerFact
}

func newPortalWorld(t testing.TB, dialect string) *portalWorld {
	t.Helper()
	a := newTestApp(t, dialect)
	ctx := context.Background()
	w := &portalWorld{app: a}
	add := func(email, name, title, phone string, mgr *model.Staff, admin bool) *model.Staff {
		st := &model.Staff{Email: email, FullName: name, Title: title, Phone: phone, Active: true, IsAdmin: admin}
		if mgr != nil {
			st.ManagerID = &mgr.ID
		}
		if _, err := a.store.SaveStaff(ctx, st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	w.boss = add("birgit@shop.example", "Birgit Lund", "Butikschef", "+45 11 22 33 44", nil, true)
	w.anna = add("anna@shop.example", "Anna Holm", "Florist", "+45 55 66 77 88", w.boss, false)
	w.jonas = add("jonas@shop.example", "Jonas Berg", "Florist", "", nil, false)
	var err error
	if w.ann, _, err = a.store.UpsertCustomer(ctx, "ann@example.com", "Ann Jensen", "da"); err != nil {
		t.Fatal(err)
	}
	if w.bob, _, err = a.store.UpsertCustomer(ctx, "bob@example.com", "Bob de Vries", "nl"); err != nil {
		t.Fatal(err)
	}
	now := model.Normalize(a.clock.Now())
	placed := now.Add(-48 * time.Hour)
	order := func(ref string, c *model.Customer, owner *model.Staff) *model.Order {
		o := &model.Order{Ref: ref, CustomerID: c.ID, OwnerID: owner.ID, Status: model.OrderShipped,
			PlacedAt: &placed, ExpectedDelivery: "2026-11-24", Carrier: "PostNord", TrackingNumber: "00370712345",
			TrackingURL: "https://tracking.example/00370712345", RecipientName: "Birthe Hansen",
			Items: []model.Item{{Name: "Condolence bouquet, white", Quantity: 1}}, Total: "1250.00", Currency: "DKK",
			LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
		if err := a.store.InsertOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		ev := &model.Event{CustomerID: c.ID, OrderID: &o.ID, Kind: "order_placed", ActorKind: model.ActorSystem,
			ActorName: "API key web-shop", CustomerVisible: true, CreatedAt: placed}
		if err := a.store.InsertEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
		return o
	}
	w.annOrder = order("BQ-1001", w.ann, w.anna)
	w.bobOrder = order("BQ-2002", w.bob, w.jonas)
	if w.annQ, err = inquiriesAt(a.store, a.hub, now).Open(ctx, w.ann.ID,
		inquiries.Question{Subject: "Invoice copy", Body: "Please send the invoice again.", OrderRef: "BQ-1001"}, model.CustomerActor(w.ann)); err != nil {
		t.Fatal(err)
	}
	if w.bobQ, err = inquiriesAt(a.store, a.hub, now).Open(ctx, w.bob.ID,
		inquiries.Question{Subject: "Bob's secret question", Body: "Bob's secret body", OrderRef: "BQ-2002"}, model.CustomerActor(w.bob)); err != nil {
		t.Fatal(err)
	}
	w.annFact = &model.CustomerFact{CustomerID: w.ann.ID, Label: "TV box serial", Value: "SN-1234", UpdatedBy: "Anna Holm"}
	w.bobFact = &model.CustomerFact{CustomerID: w.bob.ID, Label: "Card number", Value: "BOB-SECRET-CARD", UpdatedBy: "Jonas Berg"}
	for _, f := range []*model.CustomerFact{w.annFact, w.bobFact} {
		if err := a.store.AddFact(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// signedIn returns a browser signed in as the customer through the real
// sign-in flow.
func (w *portalWorld) signedIn(c *model.Customer) *client {
	cl := w.app.client()
	cl.signIn(c.Email, false)
	return cl
}

// counts is the number of rows of every table a customer action may write.
func (w *portalWorld) counts(t testing.TB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"inquiries", "messages", "escalations", "timeline_events", "outbox", "customer_facts", "orders"} {
		n, err := w.app.store.RIDB().NewSelect().TableExpr(table).Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out[table] = int(n)
	}
	// sign-in mail is not a customer action
	list, _ := w.app.store.ListOutbox(context.Background(), "", 10000)
	for _, m := range list {
		if strings.HasPrefix(m.Template, "signin_") {
			out["outbox"]--
		}
	}
	return out
}

// facts returns the stored values of every customer fact.
func (w *portalWorld) factValues(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, c := range []*model.Customer{w.ann, w.bob} {
		fs, err := w.app.store.Facts(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			fmt.Fprintf(&b, "%d=%s;", f.ID, f.Value)
		}
	}
	return b.String()
}

// htmxPost submits a form as htmx does: the token in the header.
func (c *client) htmxPost(path string, form map[string]string) *response {
	c.t.Helper()
	vals := make([]string, 0, len(form))
	for k, v := range form {
		vals = append(vals, k+"="+v)
	}
	req, _ := http.NewRequest(http.MethodPost, c.app.http.URL+path, strings.NewReader(strings.Join(vals, "&")))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", c.csrf())
	return c.do(req)
}

// htmxGet fetches a page as an htmx live update does.
func (c *client) htmxGet(path string) *response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.http.URL+path, nil)
	req.Header.Set("HX-Request", "true")
	return c.do(req)
}
