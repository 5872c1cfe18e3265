package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kedja/kedja/app/testenv"
)

func TestSignInFlow(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			app := newTestApp(t, d)
			app.seed()
			c := app.client()
			if r := c.get("/"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
				t.Fatalf("anonymous dashboard: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			c.signIn("ann@example.com", false)
			if r := c.get("/"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Ann Jensen") {
				t.Fatalf("dashboard after sign-in: %d", r.StatusCode)
			}
			// A customer session never opens /admin.
			if r := c.get("/admin"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/admin/login") {
				t.Fatalf("customer at /admin: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			if r := c.post("/logout", nil); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("logout: %d", r.StatusCode)
			}
			if r := c.get("/"); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("dashboard after logout: %d", r.StatusCode)
			}
		})
	}
}

func TestGetNeverConsumesTheToken(t *testing.T) {
	app := newTestApp(t, "sqlite")
	app.seed()
	c := app.client()
	c.post("/login", url.Values{"email": {"ann@example.com"}})
	path := app.lastSignInPath("ann@example.com")
	scanner := app.client() // a mail scanner: no cookies
	for i := 0; i < 3; i++ {
		if r := scanner.get(path); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "a***@example.com") {
			t.Fatalf("GET %d: %d", i, r.StatusCode)
		}
	}
	if r := c.post(path, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm after scanner GETs: %d", r.StatusCode)
	}
	if r := c.post(path, nil); r.StatusCode != http.StatusOK || strings.Contains(r.Header.Get("Set-Cookie"), "kedja=") {
		t.Fatalf("second use should show the friendly page: %d", r.StatusCode)
	}
}

func TestCSRFRequired(t *testing.T) {
	app := newTestApp(t, "sqlite")
	c := app.client()
	c.csrf()
	for _, tok := range []string{"", "wrong-token"} {
		form := url.Values{"email": {"ann@example.com"}}
		req, _ := http.NewRequest(http.MethodPost, app.http.URL+"/login", strings.NewReader(form.Encode()+"&_csrf="+tok))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if r := c.do(req); r.StatusCode != http.StatusForbidden {
			t.Fatalf("token %q: status %d, want 403", tok, r.StatusCode)
		}
	}
}
