package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestCSRFOnSignInAndSessionRoutes(t *testing.T) {
	app := newTestApp(t, "sqlite", map[string]string{"KEDJA_TRUSTED_PROXIES": "127.0.0.1/32"})
	app.seed()
	c := app.client()
	c.signIn("ann@example.com", false)
	c.post("/login", url.Values{"email": {"ann@example.com"}})
	path := app.lastSignInPath("ann@example.com")
	good := c.csrf()
	send := func(p string, header map[string]string, body string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, app.http.URL+p, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		return c.do(req).StatusCode
	}
	for _, p := range []string{path, "/login", "/login/code", "/logout", "/signout-everywhere", "/admin/login"} {
		for name, tc := range map[string]struct {
			header map[string]string
			body   string
		}{
			"missing":                  {nil, "email=ann%40example.com"},
			"wrong field":              {nil, "_csrf=" + strings.Repeat("x", 43)},
			"wrong header":             {map[string]string{"X-CSRF-Token": strings.Repeat("x", 43)}, ""},
			"same-origin, no token":    {map[string]string{"Sec-Fetch-Site": "same-origin"}, ""},
			"cross-site, right token":  {map[string]string{"Sec-Fetch-Site": "cross-site"}, "_csrf=" + good},
			"another browser's cookie": {map[string]string{"X-CSRF-Token": app.client().csrf()}, ""},
		} {
			if got := send(p, tc.header, tc.body); got != http.StatusForbidden {
				t.Fatalf("POST %s, %s: %d, want 403", p, name, got)
			}
		}
	}
	// Nothing happened: still signed in, and the link still works.
	if r := c.get("/"); r.StatusCode != http.StatusOK {
		t.Fatalf("session after refused posts: %d", r.StatusCode)
	}
	if got := send(path, map[string]string{"X-CSRF-Token": good}, ""); got != http.StatusSeeOther {
		t.Fatalf("right token in the header: %d", got)
	}
}
