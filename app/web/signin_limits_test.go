package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/testenv"
)

// postFrom posts a sign-in form with an X-Forwarded-For header.
func (c *client) postFrom(path, xff string, form url.Values) *response {
	c.t.Helper()
	form.Set("_csrf", c.csrf())
	req, _ := http.NewRequest(http.MethodPost, c.app.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	return c.do(req)
}

func TestSignInLimitPerIP(t *testing.T) {
	app := newTestApp(t, "sqlite") // no trusted proxies: the connection decides
	app.seed()
	c := app.client()
	form := func() url.Values { return url.Values{"email": {"nobody@example.com"}} }
	for i := 0; i < 10; i++ {
		if r := c.postFrom("/login", "", form()); r.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, r.StatusCode)
		}
	}
	r := c.postFrom("/login", "", form())
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("11th request in a minute: %d", r.StatusCode)
	}
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// A forged X-Forwarded-For does not make a new client.
	for _, xff := range []string{"203.0.113.7", "198.51.100.1, 203.0.113.8", "10.0.0.1"} {
		if r := c.postFrom("/login", xff, form()); r.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("forged X-Forwarded-For %q: %d", xff, r.StatusCode)
		}
	}
	// The code, the confirmation and the staff routes share the limit.
	for _, p := range []string{"/login/code", "/auth/" + strings.Repeat("A", 43), "/admin/login", "/admin/login/code"} {
		if r := c.postFrom(p, "", url.Values{"code": {"123456"}, "email": {"x@example.com"}}); r.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("%s while limited: %d", p, r.StatusCode)
		}
	}
	app.clock.Add(time.Minute)
	if r := c.postFrom("/login", "", form()); r.StatusCode != http.StatusOK {
		t.Fatalf("a minute later: %d", r.StatusCode)
	}
}

func TestSignInLimitBehindTrustedProxy(t *testing.T) {
	app := newTestApp(t, "sqlite", map[string]string{"KEDJA_TRUSTED_PROXIES": "127.0.0.1/32"})
	app.seed()
	c := app.client()
	form := func() url.Values { return url.Values{"email": {"nobody@example.com"}} }
	for i := 0; i < 10; i++ {
		c.postFrom("/login", "203.0.113.1", form())
	}
	if r := c.postFrom("/login", "203.0.113.1", form()); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("limited client: %d", r.StatusCode)
	}
	// The client cannot prepend its way out: the proxy's entry counts.
	if r := c.postFrom("/login", "192.0.2.99, 203.0.113.1", form()); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("prepended X-Forwarded-For: %d", r.StatusCode)
	}
	if r := c.postFrom("/login", "203.0.113.2", form()); r.StatusCode != http.StatusOK {
		t.Fatalf("another client behind the proxy: %d", r.StatusCode)
	}
}

func TestSignInLimitPerAddressIsSilent(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			app := newTestApp(t, d)
			app.seed()
			var first *response
			for i := 0; i < 5; i++ {
				r := app.client().post("/login", url.Values{"email": {"ann@example.com"}})
				if first == nil {
					first = r
				}
				if r.StatusCode != http.StatusOK || withoutCSRF(r.Body) != withoutCSRF(first.Body) {
					t.Fatalf("request %d: %d or a different page", i+1, r.StatusCode)
				}
			}
			if n := app.signInEmails("ann@example.com"); n != 3 {
				t.Fatalf("5 requests in a row sent %d emails, want 3", n)
			}
			// The limit is per address: staff mail and other customers go.
			app.client().post("/admin/login", url.Values{"email": {"anna@shop.example"}})
			if n := app.signInEmails("anna@shop.example"); n != 1 {
				t.Fatalf("staff emails: %d", n)
			}
			app.clock.Add(15 * time.Minute)
			app.client().post("/login", url.Values{"email": {"ann@example.com"}})
			if n := app.signInEmails("ann@example.com"); n != 4 {
				t.Fatalf("after 15 minutes: %d emails, want 4", n)
			}
		})
	}
}

func TestSignInMailGlobalCap(t *testing.T) {
	app := newTestApp(t, "sqlite")
	app.seed()
	drained := 0
	for app.srv.allowSignInMail() {
		drained++
	}
	if drained == 0 || drained > 1000 {
		t.Fatalf("global cap let %d through at once", drained)
	}
	r := app.client().post("/login", url.Values{"email": {"ann@example.com"}})
	if r.StatusCode != http.StatusOK || app.signInEmails("ann@example.com") != 0 {
		t.Fatalf("over the global cap: %d, %d emails", r.StatusCode, app.signInEmails("ann@example.com"))
	}
	app.clock.Add(time.Minute)
	app.client().post("/login", url.Values{"email": {"ann@example.com"}})
	if app.signInEmails("ann@example.com") != 1 {
		t.Fatal("a minute later the email should go")
	}
}
