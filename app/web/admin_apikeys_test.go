package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/apikeys"
	"github.com/kedja/kedja/app/testenv"
	"github.com/kedja/kedja/app/web/admin"
)

var keyPattern = regexp.MustCompile(`kedja_[A-Za-z0-9_-]{43}`)

func TestAdminAPIKeys(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			a := newTestApp(t, d)
			ctx := context.Background()
			anna := a.addStaff("anna@shop.example", "Anna Holm", "Florist", nil, false)
			boss := a.addStaff("mette@shop.example", "Mette Lund", "Shop manager", nil, true)

			// Staff without the admin flag may neither see nor make keys.
			cs := a.client()
			cs.signIn(anna.Email, true)
			if r := cs.get("/admin/api-keys"); r.StatusCode != http.StatusForbidden {
				t.Fatalf("non-admin GET: %d", r.StatusCode)
			}
			if r := cs.post("/admin/api-keys", form("name", "sneaky")); r.StatusCode != http.StatusForbidden {
				t.Fatalf("non-admin POST: %d", r.StatusCode)
			}

			c := a.client()
			c.signIn(boss.Email, true)
			mustContain(t, c.get("/admin/api-keys").Body, "No API keys yet.")
			if r := c.post("/admin/api-keys", form("name", "  ")); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "give the key a name") {
				t.Fatalf("empty name: %d", r.StatusCode)
			}

			// Created: the key is on the answer, once.
			r := c.post("/admin/api-keys", form("name", "web-shop"))
			if r.StatusCode != http.StatusOK || r.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("create: %d %q", r.StatusCode, r.Header.Get("Cache-Control"))
			}
			key := keyPattern.FindString(r.Body)
			if key == "" {
				t.Fatalf("no key on the page:\n%s", r.Body)
			}
			mustContain(t, r.Body, "shown only this once", "web-shop")
			if r := a.apiCall(http.MethodGet, "/api/v1/orders/X-1", key, ""); r.Status != http.StatusNotFound {
				t.Fatalf("the new key does not authenticate: %d %s", r.Status, r.Body)
			}
			if r := c.post("/admin/api-keys", form("name", "web-shop")); r.StatusCode != http.StatusUnprocessableEntity || keyPattern.MatchString(r.Body) {
				t.Fatalf("a second active key of the same name: %d", r.StatusCode)
			}
			list := c.get("/admin/api-keys").Body
			if strings.Contains(list, key) || keyPattern.MatchString(list) {
				t.Fatal("the list shows the key again")
			}
			mustContain(t, list, "web-shop", key[:len(apikeys.Prefix)+6], "Active")
			keys, _ := a.store.ListAPIKeys(ctx)
			if len(keys) != 1 || keys[0].KeyHash == key || keys[0].LastUsedAt == nil {
				t.Fatalf("stored: %+v", keys)
			}
			loc := a.srv.cfg.Location
			if loc == nil {
				loc = time.UTC
			}
			mustContain(t, list, admin.When(keys[0].LastUsedAt, a.clock.Now(), loc))

			// Revoked: the key fails at once; the list says so.
			r = c.post("/admin/api-keys/"+itoa(keys[0].ID)+"/revoke", nil)
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin/api-keys?done=key_revoked" {
				t.Fatalf("revoke: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			apiWantError(t, "revoked key", a.apiCall(http.MethodGet, "/api/v1/orders/X-1", key, ""), http.StatusUnauthorized, "unauthorized", "")
			mustContain(t, c.get("/admin/api-keys?done=key_revoked").Body, "API key revoked.", "Revoked ")
			if r := c.post("/admin/api-keys/999999/revoke", nil); r.StatusCode != http.StatusNotFound {
				t.Fatalf("revoke unknown: %d", r.StatusCode)
			}
			// The name is free again once its key is revoked.
			if r := c.post("/admin/api-keys", form("name", "web-shop")); r.StatusCode != http.StatusOK || !keyPattern.MatchString(r.Body) {
				t.Fatalf("new key after revoking: %d", r.StatusCode)
			}
		})
	}
}
