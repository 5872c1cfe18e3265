package web

import (
	"context"
	"html"
	"net/http"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/testenv"
)

// addOrder inserts an order of the customer owned by owner.
func (a *testApp) addOrder(ref string, c *model.Customer, owner *model.Staff, status string) *model.Order {
	a.t.Helper()
	now := model.Normalize(a.clock.Now())
	o := &model.Order{Ref: ref, CustomerID: c.ID, OwnerID: owner.ID, Status: status,
		Items: []model.Item{{Name: "Wreath, white", Quantity: 1}}, Total: "800.00", Currency: "DKK",
		LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
	if err := a.store.InsertOrder(context.Background(), o); err != nil {
		a.t.Fatal(err)
	}
	return o
}

// orderNow reads an order as stored.
func (a *testApp) orderNow(ref string) *model.Order {
	a.t.Helper()
	o, err := a.store.OrderByRef(context.Background(), ref)
	if err != nil {
		a.t.Fatal(err)
	}
	return o
}

// orderEvents reads an order's whole timeline.
func (a *testApp) orderEvents(o *model.Order) []*model.Event {
	a.t.Helper()
	evs, err := a.store.OrderEvents(context.Background(), o.ID, false)
	if err != nil {
		a.t.Fatal(err)
	}
	return evs
}

func wantStatus(t *testing.T, what string, r *response, code int) {
	t.Helper()
	if r.StatusCode != code {
		t.Fatalf("%s: %d, want %d\n%s", what, r.StatusCode, code, r.Body)
	}
}

func wantRedirect(t *testing.T, what string, r *response, location string) {
	t.Helper()
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != location {
		t.Fatalf("%s: %d to %q, want 303 to %q\n%s", what, r.StatusCode, r.Header.Get("Location"), location, r.Body)
	}
}

func TestAdminOrderStatus(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			w := newPortalWorld(t, d)
			a := w.app
			o := a.addOrder("BQ-1002", w.ann, w.anna, model.OrderConfirmed)
			c := a.client()
			c.signIn(w.anna.Email, true)
			path := "/admin/orders/BQ-1002"
			r := c.get(path)
			mustContain(t, r.Body, `<label for="os-status">`, `<label for="os-note">`, `<label for="od-recipient">`,
				`<label for="od-at">`, `<label for="oe-date">`, `<label for="or-to">`, `type="datetime-local"`, "Europe/Copenhagen")

			// Shipped: the customer's notice is queued, in their language.
			wantRedirect(t, "ship", c.post(path+"/status", form("status", "shipped")), path+"?done=status")
			if got := a.orderNow(o.Ref); got.Status != model.OrderShipped {
				t.Fatalf("status %s", got.Status)
			}
			if m := a.outboxTo(notify.OrderShipped, w.ann.Email); len(m) != 1 || m[0].Locale != "da" || m[0].Data["order_ref"] != o.Ref {
				t.Fatalf("shipped notices: %+v", m)
			}
			evs := a.orderEvents(o)
			if last := evs[len(evs)-1]; last.Kind != orders.KindStatusChanged || last.ActorName != "Anna Holm" || last.ActorKind != model.ActorStaff {
				t.Fatalf("event: %+v", last)
			}
			mustContain(t, c.get(path+"?done=status").Body, "Order status updated.")

			// Backwards without a note is refused, nothing changes, the choice is kept.
			before := len(a.orderEvents(o))
			r = c.post(path+"/status", form("status", "processing"))
			wantStatus(t, "back without note", r, http.StatusUnprocessableEntity)
			mustContain(t, html.UnescapeString(r.Body), orders.ErrNeedsNote.Message)
			mustContain(t, r.Body, `<option value="processing" selected>`, `id="os-error"`)
			if got := a.orderNow(o.Ref); got.Status != model.OrderShipped || len(a.orderEvents(o)) != before {
				t.Fatalf("a refused move changed the order: %s, %d events", got.Status, len(a.orderEvents(o)))
			}
			// With a note it goes back, and the note is in the timeline.
			wantRedirect(t, "back with note", c.post(path+"/status", form("status", "processing", "note", "The card was missing; repacking.")), path+"?done=status")
			evs = a.orderEvents(o)
			if last := evs[len(evs)-1]; a.orderNow(o.Ref).Status != model.OrderProcessing || last.Data["note"] != "The card was missing; repacking." {
				t.Fatalf("after a note: %+v", last)
			}
			if m := a.outboxTo(notify.OrderShipped, w.ann.Email); len(m) != 1 {
				t.Errorf("%d shipped notices after moving back", len(m))
			}
			wantStatus(t, "unknown status", c.post(path+"/status", form("status", "lost")), http.StatusUnprocessableEntity)
			wantStatus(t, "unknown order", c.post("/admin/orders/NOPE/status", form("status", "shipped")), http.StatusNotFound)
		})
	}
}

func TestAdminOrderMarkDelivered(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			w := newPortalWorld(t, d)
			a := w.app
			c := a.client()
			c.signIn(w.anna.Email, true)
			path := "/admin/orders/BQ-1001"
			events := len(a.orderEvents(w.annOrder))

			// Refusals keep what was typed and change nothing.
			r := c.post(path+"/delivered", form("recipient", " ", "delivered_at", "2026-11-20T09:30"))
			wantStatus(t, "no recipient", r, http.StatusUnprocessableEntity)
			mustContain(t, r.Body, "write who received the order", `value="2026-11-20T09:30"`)
			r = c.post(path+"/delivered", form("recipient", "Birthe Hansen", "delivered_at", "2026-11-21T10:00"))
			wantStatus(t, "in the future", r, http.StatusUnprocessableEntity)
			mustContain(t, r.Body, "Delivered at: a time that has already happened", `value="Birthe Hansen"`, `value="2026-11-21T10:00"`)
			wantStatus(t, "no time", c.post(path+"/delivered", form("recipient", "Birthe Hansen", "delivered_at", "today")), http.StatusUnprocessableEntity)
			if got := a.orderNow("BQ-1001"); got.Status != model.OrderShipped || got.DeliveredAt != nil || len(a.orderEvents(w.annOrder)) != events {
				t.Fatalf("a refused delivery changed the order: %+v", got)
			}

			// 09:30 in Copenhagen (KEDJA_TIMEZONE's default) is 08:30 UTC.
			done := form("recipient", "Birthe Hansen", "delivered_at", "2026-11-20T09:30")
			wantRedirect(t, "deliver", c.post(path+"/delivered", done), path+"?done=delivered")
			wantAt := time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)
			got := a.orderNow("BQ-1001")
			if got.Status != model.OrderDelivered || got.DeliveredAt == nil || !got.DeliveredAt.Equal(wantAt) ||
				got.RecipientName != "Birthe Hansen" || got.DeliveryConfirmedBy != "Anna Holm" || got.IsOpen {
				t.Fatalf("delivered order: %+v", got)
			}
			evs := a.orderEvents(w.annOrder)
			last := evs[len(evs)-1]
			if len(evs) != events+1 || last.Kind != orders.KindStatusChanged || last.Data["status"] != model.OrderDelivered ||
				last.Data["recipient_name"] != "Birthe Hansen" || last.Data["confirmed_by"] != "Anna Holm" ||
				last.ActorName != "Anna Holm" || !last.CustomerVisible {
				t.Fatalf("delivery event: %+v", last)
			}
			mails := a.outboxTo(notify.DeliveryConfirmation, w.ann.Email)
			if len(mails) != 1 || mails[0].Locale != "da" || mails[0].Data["recipient_name"] != "Birthe Hansen" ||
				mails[0].Data["confirmed_by"] != "Anna Holm" || mails[0].Data["delivered_at"] != "2026-11-20T08:30:00Z" {
				t.Fatalf("delivery confirmations: %+v", mails)
			}
			mustContain(t, c.get(path+"?done=delivered").Body, "Marked delivered.", "received by Birthe Hansen", "confirmed by Anna Holm",
				`value="2026-11-20T09:30"`)

			// A double submit changes nothing and sends nothing more.
			wantRedirect(t, "deliver again", c.post(path+"/delivered", done), path+"?done=unchanged")
			if n := len(a.outboxTo(notify.DeliveryConfirmation, w.ann.Email)); n != 1 || len(a.orderEvents(w.annOrder)) != events+1 {
				t.Fatalf("after a double submit: %d confirmations, %d events", n, len(a.orderEvents(w.annOrder)))
			}
			// Correcting the recipient at the recorded time keeps the one email.
			wantRedirect(t, "correct", c.post(path+"/delivered", form("recipient", "Birthe Hansen (neighbour)", "delivered_at", "2026-11-20T09:30")), path+"?done=delivered")
			if got := a.orderNow("BQ-1001"); got.RecipientName != "Birthe Hansen (neighbour)" || !got.DeliveredAt.Equal(wantAt) {
				t.Fatalf("corrected: %+v", got)
			}
			if n := len(a.outboxTo(notify.DeliveryConfirmation, w.ann.Email)); n != 1 {
				t.Fatalf("%d confirmations after correcting the recipient", n)
			}
			// A new time is a correction: recorded, and no second confirmation.
			wantRedirect(t, "correct the time", c.post(path+"/delivered", form("recipient", "Birthe Hansen (neighbour)",
				"delivered_at", "2026-11-20T09:45", "delivery_note", "The driver's scanner was late.")), path+"?done=delivered")
			if got := a.orderNow("BQ-1001"); !got.DeliveredAt.Equal(wantAt.Add(15 * time.Minute)) {
				t.Fatalf("corrected time: %v", got.DeliveredAt)
			}
			evs = a.orderEvents(w.annOrder)
			if last := evs[len(evs)-1]; last.Data["note"] != "The driver's scanner was late." || last.ActorName != "Anna Holm" {
				t.Fatalf("correction event: %+v", last)
			}
			if n := len(a.outboxTo(notify.DeliveryConfirmation, w.ann.Email)); n != 1 {
				t.Fatalf("%d confirmations after correcting the time", n)
			}
			// The customer sees it on their order page.
			mustContain(t, w.signedIn(w.ann).get("/orders/BQ-1001").Body, "Leveret, modtaget af Birthe Hansen (neighbour)")

			// A delivery the shop's systems recorded to the second is kept as it
			// is when staff correct the recipient at the time the form shows.
			other := a.addOrder("BQ-1003", w.ann, w.anna, model.OrderShipped)
			exact := time.Date(2026, 11, 20, 8, 30, 17, 0, time.UTC)
			if _, _, err := orders.ChangeStatus(context.Background(), a.store, a.hub, other.Ref,
				orders.Change{Status: model.OrderDelivered, At: &exact, RecipientName: "Front door"},
				model.Actor{Kind: model.ActorSystem, Name: "API key web-shop"}, a.clock.Now()); err != nil {
				t.Fatal(err)
			}
			mustContain(t, c.get("/admin/orders/BQ-1003").Body, `value="2026-11-20T09:30"`)
			wantRedirect(t, "correct a system delivery", c.post("/admin/orders/BQ-1003/delivered",
				form("recipient", "Birthe Hansen", "delivered_at", "2026-11-20T09:30")), "/admin/orders/BQ-1003?done=delivered")
			if got := a.orderNow("BQ-1003"); !got.DeliveredAt.Equal(exact) || got.RecipientName != "Birthe Hansen" || got.DeliveryConfirmedBy != "Anna Holm" {
				t.Fatalf("corrected system delivery: %+v", got)
			}
			if n := len(a.outboxTo(notify.DeliveryConfirmation, w.ann.Email)); n != 2 {
				t.Fatalf("%d confirmations, want one per order", n)
			}
		})
	}
}

func TestAdminOrderExpectedAndReassign(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			w := newPortalWorld(t, d)
			a := w.app
			c := a.client()
			c.signIn(w.anna.Email, true)
			path := "/admin/orders/BQ-1001"

			r := c.post(path+"/expected", form("expected", "26/11/2026"))
			wantStatus(t, "bad date", r, http.StatusUnprocessableEntity)
			mustContain(t, r.Body, "Expected delivery: a date as YYYY-MM-DD", `value="26/11/2026"`)
			// Putting a date off needs a reason the customer reads.
			wantStatus(t, "no reason", c.post(path+"/expected", form("expected", "2026-11-26")), http.StatusUnprocessableEntity)
			wantRedirect(t, "expected", c.post(path+"/expected", form("expected", "2026-11-26", "reason", "PostNord is a day behind.")), path+"?done=expected")
			if got := a.orderNow("BQ-1001"); got.ExpectedDelivery != "2026-11-26" {
				t.Fatalf("expected %q", got.ExpectedDelivery)
			}
			evs := a.orderEvents(w.annOrder)
			if last := evs[len(evs)-1]; last.Kind != orders.KindExpectedChanged || last.Data["expected"] != "2026-11-26" || last.ActorName != "Anna Holm" {
				t.Fatalf("expected event: %+v", last)
			}
			mustContain(t, c.get(path).Body, "Expected delivery: 2026-11-26")
			wantRedirect(t, "same date", c.post(path+"/expected", form("expected", "2026-11-26")), path+"?done=unchanged")

			// Hand over: the customer sees both names, the new owner is emailed.
			for name, to := range map[string]string{"to the owner": itoa(w.anna.ID), "to nobody": "999999", "to nothing": ""} {
				if r := c.post(path+"/reassign", form("to", to)); r.StatusCode != http.StatusUnprocessableEntity {
					t.Errorf("reassign %s: %d", name, r.StatusCode)
				}
			}
			gone := a.addStaff("gone@shop.example", "Gustav Olsen", "Driver", nil, false)
			if err := a.store.SetStaffActive(context.Background(), gone.ID, false); err != nil {
				t.Fatal(err)
			}
			r = c.post(path+"/reassign", form("to", itoa(gone.ID)))
			wantStatus(t, "to an inactive colleague", r, http.StatusUnprocessableEntity)
			mustContain(t, r.Body, "no longer active")
			if a.orderNow("BQ-1001").OwnerID != w.anna.ID || len(a.outboxTo(notify.Handoff, gone.Email)) != 0 {
				t.Fatal("a refused hand-over moved the order")
			}
			wantRedirect(t, "reassign", c.post(path+"/reassign", form("to", itoa(w.jonas.ID))), path+"?done=order_reassigned")
			if got := a.orderNow("BQ-1001"); got.OwnerID != w.jonas.ID {
				t.Fatalf("owner %d", got.OwnerID)
			}
			evs = a.orderEvents(w.annOrder)
			last := evs[len(evs)-1]
			if last.Kind != "handoff" || !last.CustomerVisible || last.Data["from"] != "Anna Holm" || last.Data["to"] != "Jonas Berg" || last.ActorName != "Anna Holm" {
				t.Fatalf("handoff: %+v", last)
			}
			if m := a.outboxTo(notify.Handoff, w.jonas.Email); len(m) != 1 || m[0].Data["path"] != path {
				t.Fatalf("handoff email: %+v", m)
			}
			mustContain(t, w.signedIn(w.ann).get("/orders/BQ-1001").Body, "Givet videre fra Anna Holm til Jonas Berg")
		})
	}
}
