package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
)

// adminPost is one form submission of a permission test.
type adminPost struct {
	path   string
	values url.Values
}

// fields is a fresh copy of the form (the client adds its CSRF token to it).
func (p adminPost) fields() url.Values {
	f := url.Values{}
	for k, v := range p.values {
		f[k] = append([]string(nil), v...)
	}
	return f
}

// TestAdminActionPermissions: every action of the finished admin view is
// refused to a visitor, a customer and a deactivated staff member; the
// outbox resend to a staff member without the admin flag; and none of the
// refusals changes anything.
func TestAdminActionPermissions(t *testing.T) {
	w := newEscalationWorld(t, "sqlite")
	a := w.app
	failed := a.addMail("test:failed", notify.DeliveryConfirmation, w.ann.Email, model.MailFailed, "550 no such user")
	esc := "/admin/escalations/" + itoa(w.bobEsc.ID)
	staffActions := []adminPost{
		{"/admin/orders/BQ-3003/status", form("status", "delivered")},
		{"/admin/orders/BQ-3003/delivered", form("recipient", "Intruder", "delivered_at", "2026-11-20T09:30")},
		{"/admin/orders/BQ-3003/expected", form("expected", "2027-01-01")},
		{"/admin/orders/BQ-3003/reassign", form("to", itoa(w.jonas.ID))},
		{esc + "/acknowledge", nil},
		{esc + "/resolve", nil},
		{esc + "/reassign", form("to", itoa(w.jonas.ID))},
		{"/admin/customers/" + itoa(w.bob.ID) + "/inquiries", form("subject", "Hijack", "body", "Intruder")},
	}
	adminActions := []adminPost{{"/admin/outbox/" + itoa(failed.ID) + "/retry", nil}}
	all := append(append([]adminPost{}, staffActions...), adminActions...)
	before := w.counts(t)
	unchanged := func(t *testing.T) {
		t.Helper()
		o := a.orderNow("BQ-3003")
		if o.Status != model.OrderShipped || o.ExpectedDelivery != "" || o.OwnerID != w.per.ID || o.RecipientName != "" {
			t.Fatalf("the order changed: %+v", o)
		}
		if e := w.escalation(t, w.bobEsc.ID); e.State != model.EscalationOpen {
			t.Fatalf("the escalation changed: %+v", e)
		}
		if m := a.mailNow(failed.ID); m.State != model.MailFailed {
			t.Fatalf("the failed email is %s", m.State)
		}
		got := w.counts(t)
		for _, table := range []string{"inquiries", "messages", "timeline_events", "outbox", "escalations"} {
			if got[table] != before[table] {
				t.Fatalf("%s: %d rows, was %d", table, got[table], before[table])
			}
		}
	}

	t.Run("a visitor is asked to sign in", func(t *testing.T) {
		c := a.client()
		for _, p := range all {
			if r := c.post(p.path, p.fields()); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("anonymous POST %s: %d", p.path, r.StatusCode)
			}
		}
		r := c.get("/admin/customers/" + itoa(w.bob.ID) + "?order=BQ-3003")
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/admin/login?next=") {
			t.Errorf("anonymous GET: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		unchanged(t)
	})

	t.Run("a customer session is no staff session", func(t *testing.T) {
		c := w.signedIn(w.bob)
		for _, p := range all {
			if r := c.post(p.path, p.fields()); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("customer POST %s: %d", p.path, r.StatusCode)
			}
		}
		unchanged(t)
	})

	t.Run("without the CSRF token", func(t *testing.T) {
		c := a.client()
		c.signIn(w.mette.Email, true)
		for _, p := range all {
			f := url.Values{"_csrf": {"forged"}}
			for k, v := range p.fields() {
				f[k] = v
			}
			if r := c.post(p.path, f); r.StatusCode != http.StatusForbidden {
				t.Errorf("forged POST %s: %d", p.path, r.StatusCode)
			}
		}
		unchanged(t)
	})

	t.Run("staff without the admin flag", func(t *testing.T) {
		c := a.client()
		c.signIn(w.mette.Email, true)
		for _, p := range adminActions {
			if r := c.post(p.path, p.fields()); r.StatusCode != http.StatusForbidden {
				t.Errorf("non-admin POST %s: %d", p.path, r.StatusCode)
			}
		}
		unchanged(t)
	})

	t.Run("deactivated staff", func(t *testing.T) {
		c := a.client()
		c.signIn(w.mette.Email, true)
		c.get("/admin") // the session works before
		if _, err := a.staff.Deactivate(context.Background(), w.mette.ID, w.boss); err != nil {
			t.Fatal(err)
		}
		// Deactivation moves Mette's escalations to someone else: the actions
		// must still be refused to her, and then change nothing more.
		before = w.counts(t)
		for _, p := range staffActions {
			if r := c.post(p.path, p.fields()); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("deactivated POST %s: %d", p.path, r.StatusCode)
			}
		}
		if e := w.escalation(t, w.bobEsc.ID); e.State != model.EscalationOpen {
			t.Fatalf("the escalation changed: %+v", e)
		}
		if got := w.counts(t); got["timeline_events"] != before["timeline_events"] || got["outbox"] != before["outbox"] {
			t.Fatalf("a deactivated session wrote rows: %v -> %v", before, got)
		}
	})
}
