package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/testenv"
)

func TestAdminStaffAndSettings(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			a := newTestApp(t, d)
			ctx := context.Background()
			anna, cust, order := a.seed()
			boss := a.addStaff("mette@shop.example", "Mette Lund", "Shop manager", nil, true)
			q := a.addInquiry(cust, order, anna, "Did it arrive?", time.Hour)
			c := a.client()
			c.signIn(boss.Email, true)

			// Add: a first name alone is refused; a full name is saved.
			r := c.post("/admin/staff", form("email", "jonas@shop.example", "full_name", "Jonas", "title", "Driver"))
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "full name") {
				t.Fatalf("first name alone: %d", r.StatusCode)
			}
			r = c.post("/admin/staff", form("email", "jonas@shop.example", "full_name", "Jonas  Berg", "title", "Driver",
				"phone", "+45 2222 3333", "manager_id", itoa(boss.ID)))
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("add: %d %s", r.StatusCode, r.Body)
			}
			jonas, err := a.store.StaffByEmail(ctx, "jonas@shop.example")
			if err != nil || jonas.FullName != "Jonas Berg" || jonas.ManagerID == nil || *jonas.ManagerID != boss.ID || !jonas.Active {
				t.Fatalf("added: %+v %v", jonas, err)
			}
			if r := c.post("/admin/staff", form("email", "jonas@shop.example", "full_name", "Jonas Other", "title", "Driver")); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("duplicate address: %d", r.StatusCode)
			}

			// Edit: Anna reports to Jonas; a loop (Jonas reporting to Anna) is refused.
			r = c.post("/admin/staff/"+itoa(anna.ID), form("email", anna.Email, "full_name", "Anna Holm", "title", "Senior florist", "manager_id", itoa(jonas.ID)))
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("edit: %d %s", r.StatusCode, r.Body)
			}
			r = c.post("/admin/staff/"+itoa(jonas.ID), form("email", jonas.Email, "full_name", "Jonas Berg", "title", "Driver", "manager_id", itoa(anna.ID)))
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("manager loop: %d", r.StatusCode)
			}

			// Deactivate Anna through the form: her cases go to her manager,
			// Jonas, and her session ends.
			ca := a.client()
			ca.signIn(anna.Email, true)
			r = c.post("/admin/staff/"+itoa(anna.ID)+"/deactivate", nil)
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("deactivate: %d %s", r.StatusCode, r.Body)
			}
			o, _ := a.store.OrderByRef(ctx, order.Ref)
			got, _ := a.store.InquiryByID(ctx, q.ID)
			if o.OwnerID != jonas.ID || got.OwnerID != jonas.ID {
				t.Errorf("after deactivation: order owner %d, inquiry owner %d, want %d", o.OwnerID, got.OwnerID, jonas.ID)
			}
			if r := ca.get("/admin"); r.StatusCode != http.StatusSeeOther {
				t.Errorf("anna still signed in: %d", r.StatusCode)
			}
			evs, _ := a.store.InquiryEvents(ctx, q.ID, true)
			if len(evs) == 0 || evs[len(evs)-1].Kind != "handoff" || evs[len(evs)-1].Data["to"] != "Jonas Berg" {
				t.Errorf("no handoff event the customer sees: %+v", evs)
			}
			// An admin cannot deactivate themselves.
			if r := c.post("/admin/staff/"+itoa(boss.ID)+"/deactivate", nil); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("self-deactivation: %d", r.StatusCode)
			}
			mustContain(t, c.get("/admin/staff").Body, "Anna Holm", "Inactive", "Jonas Berg", "orders 1 · inquiries 1")

			// Settings.
			r = c.post("/admin/settings", form("business_name", "Blomsterhuset", "support_email", "help@shop.example",
				"default_locale", "sv", "reply_hours", "8", "last_resort_manager_id", itoa(boss.ID)))
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("settings: %d %s", r.StatusCode, r.Body)
			}
			st, _ := a.store.Settings(ctx)
			if st.DefaultLocale != "sv" || st.ReplyHours != 8 || st.SupportEmail != "help@shop.example" || st.LastResortManagerID == nil || *st.LastResortManagerID != boss.ID {
				t.Errorf("settings saved: %+v", st)
			}
			if r := c.post("/admin/settings", form("business_name", "B", "default_locale", "fr", "reply_hours", "8")); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("bad locale: %d", r.StatusCode)
			}
			if r := c.post("/admin/settings", form("business_name", "B", "default_locale", "en", "reply_hours", "0")); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("zero hours: %d", r.StatusCode)
			}
			_ = model.KindStaff
		})
	}
}

func TestAdminCustomersAndFacts(t *testing.T) {
	a := newTestApp(t, "sqlite")
	anna, cust, order := a.seed()
	q := a.addInquiry(cust, order, anna, "Box not working", time.Hour)
	c := a.client()
	c.signIn(anna.Email, true)
	mustContain(t, c.get("/admin/customers?q=jens").Body, "Ann Jensen", "ann@example.com")
	if b := c.get("/admin/customers?q=nobody").Body; strings.Contains(b, "Ann Jensen") {
		t.Error("search matched the wrong customer")
	}
	r := c.post("/admin/customers/"+itoa(cust.ID)+"/facts", form("label", "Serial number", "value", "TVB-4431", "next", "/admin/inquiries/"+itoa(q.ID)))
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/admin/inquiries/"+itoa(q.ID)) {
		t.Fatalf("add fact: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	// The fact shows beside the inquiry, so no one asks twice.
	mustContain(t, c.get("/admin/inquiries/"+itoa(q.ID)).Body, "Serial number", "TVB-4431", "by Anna Holm")
	facts, _ := a.store.Facts(context.Background(), cust.ID)
	r = c.post("/admin/customers/"+itoa(cust.ID)+"/facts/"+itoa(facts[0].ID), form("label", "Serial number", "value", "TVB-4432", "next", "https://evil.example/"))
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin/customers/"+itoa(cust.ID)+"?done=fact_saved" {
		t.Fatalf("edit fact: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	mustContain(t, c.get("/admin/customers/"+itoa(cust.ID)).Body, "TVB-4432", "Box not working", "BQ-1001")
	// Another customer's fact id under this customer is a 404.
	other, _, _ := a.store.UpsertCustomer(context.Background(), "erik@example.se", "Erik Lind", "sv")
	if r := c.post("/admin/customers/"+itoa(other.ID)+"/facts/"+itoa(facts[0].ID), form("label", "x", "value", "y")); r.StatusCode != http.StatusNotFound {
		t.Errorf("cross-customer fact edit: %d", r.StatusCode)
	}
	mustContain(t, c.get("/admin/orders?q=ann@").Body, "BQ-1001")
	if r := c.get("/admin/orders?q=BQ-1001"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin/orders/BQ-1001" {
		t.Errorf("exact ref: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
}
