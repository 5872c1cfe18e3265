package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
)

func TestAdminPermissions(t *testing.T) {
	a := newTestApp(t, "sqlite")
	anna, cust, order := a.seed()
	boss := a.addStaff("mette@shop.example", "Mette Lund", "Shop manager", nil, true)
	q := a.addInquiry(cust, order, anna, "Did it arrive?", time.Hour)
	staffPages := []string{"/admin", "/admin/counts", "/admin/inquiries/" + itoa(q.ID), "/admin/customers",
		"/admin/customers/" + itoa(cust.ID), "/admin/orders", "/admin/orders/" + order.Ref, "/admin/escalations"}
	adminPages := []string{"/admin/staff", "/admin/staff/new", "/admin/staff/" + itoa(anna.ID), "/admin/settings", "/admin/outbox"}

	t.Run("anonymous is sent to the staff sign-in", func(t *testing.T) {
		c := a.client()
		for _, p := range append(staffPages, adminPages...) {
			r := c.get(p)
			if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/admin/login") {
				t.Errorf("GET %s: %d %s", p, r.StatusCode, r.Header.Get("Location"))
			}
		}
		if r := c.post("/admin/inquiries/"+itoa(q.ID)+"/reply", form("body", "hi")); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous reply: %d", r.StatusCode)
		}
	})

	t.Run("a customer session never opens /admin", func(t *testing.T) {
		c := a.client()
		c.signIn(cust.Email, false)
		for _, p := range append(staffPages, adminPages...) {
			if r := c.get(p); r.StatusCode != http.StatusSeeOther {
				t.Errorf("customer GET %s: %d", p, r.StatusCode)
			}
		}
		if r := c.post("/admin/inquiries/"+itoa(q.ID)+"/reply", form("body", "hi")); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("customer reply: %d", r.StatusCode)
		}
	})

	t.Run("staff without the admin flag", func(t *testing.T) {
		c := a.client()
		c.signIn(anna.Email, true)
		for _, p := range staffPages {
			if r := c.get(p); r.StatusCode != http.StatusOK {
				t.Errorf("staff GET %s: %d", p, r.StatusCode)
			}
		}
		for _, p := range adminPages {
			if r := c.get(p); r.StatusCode != http.StatusForbidden {
				t.Errorf("staff GET %s: %d, want 403", p, r.StatusCode)
			}
		}
		r := c.post("/admin/staff/"+itoa(boss.ID)+"/deactivate", nil)
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("staff deactivating: %d, want 403", r.StatusCode)
		}
		r = c.post("/admin/settings", form("business_name", "Mine now", "default_locale", "en", "reply_hours", "1"))
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("staff saving settings: %d, want 403", r.StatusCode)
		}
		if st, _ := a.store.Settings(context.Background()); st.BusinessName == "Mine now" {
			t.Error("a non-admin changed the settings")
		}
	})

	t.Run("admin", func(t *testing.T) {
		c := a.client()
		c.signIn(boss.Email, true)
		for _, p := range append(staffPages, adminPages...) {
			if r := c.get(p); r.StatusCode != http.StatusOK {
				t.Errorf("admin GET %s: %d", p, r.StatusCode)
			}
		}
	})

	t.Run("deactivated staff are signed out at once", func(t *testing.T) {
		c := a.client()
		c.signIn(anna.Email, true)
		if r := c.get("/admin"); r.StatusCode != http.StatusOK {
			t.Fatalf("before: %d", r.StatusCode)
		}
		if _, err := a.staff.Deactivate(context.Background(), anna.ID, boss); err != nil {
			t.Fatal(err)
		}
		if r := c.get("/admin"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("after deactivation: %d, want a redirect to sign in", r.StatusCode)
		}
		if r := c.post("/admin/inquiries/"+itoa(q.ID)+"/reply", form("body", "hi")); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("deactivated reply: %d", r.StatusCode)
		}
		// Signing in again does not work either: no link is sent.
		before := len(a.outboxTo("signin_staff", anna.Email))
		c.post("/admin/login", form("email", anna.Email))
		if n := len(a.outboxTo("signin_staff", anna.Email)); n != before {
			t.Errorf("a deactivated staff member was sent a sign-in link")
		}
		_ = model.KindStaff
	})
}

func itoa(n int64) string { return strconvFormat(n) }
