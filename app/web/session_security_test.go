package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/testenv"
)

func findCookie(r *response, name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestSessionCookieFlagsHTTP(t *testing.T) {
	app := newTestApp(t, "sqlite")
	app.seed()
	c := app.client()
	login := c.get("/login")
	sent := c.post("/login", url.Values{"email": {"ann@example.com"}})
	signed := c.post(app.lastSignInPath("ann@example.com"), nil)
	for _, tc := range []struct {
		r    *response
		name string
	}{{login, "kedja_csrf"}, {sent, "kedja_signin"}, {signed, "kedja"}} {
		ck := findCookie(tc.r, tc.name)
		if ck == nil {
			t.Fatalf("no %s cookie", tc.name)
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.Path != "/" || ck.Domain != "" {
			t.Fatalf("%s: HttpOnly %v SameSite %v Secure %v Path %q Domain %q", tc.name, ck.HttpOnly, ck.SameSite, ck.Secure, ck.Path, ck.Domain)
		}
	}
	// The session cookie carries an encrypted id, nothing readable.
	if v := findCookie(signed, "kedja").Value; strings.Contains(v, "ann") || len(v) < 60 {
		t.Fatalf("session cookie %q", v)
	}
	if signed.Header.Get("Strict-Transport-Security") != "" {
		t.Fatal("no HSTS over plain http")
	}
}

func TestSessionCookieFlagsHTTPS(t *testing.T) {
	app := newTestApp(t, "sqlite", map[string]string{"KEDJA_BASE_URL": "https://portal.test"})
	app.seed()
	// A cookie jar keeps Secure cookies from plain-http test servers, so
	// this browser carries its cookies by hand.
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	jar := map[string]string{}
	do := func(method, path string, form url.Values) *response {
		t.Helper()
		var body *strings.Reader
		if form != nil {
			form.Set("_csrf", jar["__Host-kedja_csrf"])
			body = strings.NewReader(form.Encode())
		} else {
			body = strings.NewReader("")
		}
		req, _ := http.NewRequest(method, app.http.URL+path, body)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range jar {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for _, ck := range resp.Cookies() {
			jar[ck.Name] = ck.Value
		}
		return &response{Response: resp}
	}
	login := do(http.MethodGet, "/login", nil)
	sent := do(http.MethodPost, "/login", url.Values{"email": {"ann@example.com"}})
	signed := do(http.MethodPost, app.lastSignInPath("ann@example.com"), url.Values{})
	if signed.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in over https: %d", signed.StatusCode)
	}
	for _, tc := range []struct {
		r    *response
		name string
	}{{login, "__Host-kedja_csrf"}, {sent, "__Host-kedja_signin"}, {signed, "__Host-kedja"}} {
		ck := findCookie(tc.r, tc.name)
		if ck == nil {
			t.Fatalf("no %s cookie", tc.name)
		}
		// __Host- demands Secure, Path=/ and no Domain.
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || !ck.Secure || ck.Path != "/" || ck.Domain != "" {
			t.Fatalf("%s: HttpOnly %v SameSite %v Secure %v Path %q Domain %q", tc.name, ck.HttpOnly, ck.SameSite, ck.Secure, ck.Path, ck.Domain)
		}
	}
	if !strings.Contains(signed.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatal("HSTS missing over https")
	}
	if r := do(http.MethodGet, "/", nil); r.StatusCode != http.StatusOK {
		t.Fatalf("dashboard with the __Host- cookie: %d", r.StatusCode)
	}
}

func TestSessionFixation(t *testing.T) {
	app := newTestApp(t, "sqlite")
	app.seed()
	if _, _, err := app.store.UpsertCustomer(context.Background(), "bob@example.com", "Bob Berg", "en"); err != nil {
		t.Fatal(err)
	}
	// The attacker signs in as himself and plants his cookie in the
	// victim's browser.
	attacker := app.client()
	attacker.signIn("bob@example.com", false)
	planted := attacker.cookie("kedja").Value
	victim := app.client()
	victim.setCookie("kedja", planted)
	victim.signIn("ann@example.com", false)
	got := victim.cookie("kedja").Value
	if got == planted {
		t.Fatal("sign-in kept the planted session id")
	}
	if r := victim.get("/"); !strings.Contains(r.Body, "Ann Jensen") {
		t.Fatal("victim should be signed in as herself")
	}
	// The planted session ended, so it can never become the victim's.
	if r := attacker.get("/"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("planted session still alive: %d", r.StatusCode)
	}
	// Signing in again always issues a new id.
	victim.signIn("ann@example.com", false)
	if victim.cookie("kedja").Value == got {
		t.Fatal("a second sign-in reused the session id")
	}
}

func TestSessionTimeoutsOnTheServer(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			app := newTestApp(t, d)
			app.seed()
			signedIn := func(c *client, path string) bool {
				t.Helper()
				r := c.get(path)
				if r.StatusCode != http.StatusOK && r.StatusCode != http.StatusSeeOther {
					t.Fatalf("GET %s: %d", path, r.StatusCode)
				}
				return r.StatusCode == http.StatusOK
			}

			// Customer idle: 30 days without a visit ends the session.
			c := app.client()
			c.signIn("ann@example.com", false)
			app.clock.Add(customerIdle - time.Hour)
			if !signedIn(c, "/") {
				t.Fatal("customer signed out before the idle limit")
			}
			app.clock.Add(customerIdle + time.Minute)
			if signedIn(c, "/") {
				t.Fatal("customer still signed in past the idle limit")
			}

			// Customer absolute: 90 days, however active.
			c = app.client()
			c.signIn("ann@example.com", false)
			for elapsed := time.Duration(0); elapsed+20*24*time.Hour < customerAbsolute; elapsed += 20 * 24 * time.Hour {
				app.clock.Add(20 * 24 * time.Hour)
				if !signedIn(c, "/") {
					t.Fatalf("active customer signed out after %v", elapsed+20*24*time.Hour)
				}
			}
			app.clock.Add(20 * 24 * time.Hour)
			if signedIn(c, "/") {
				t.Fatal("customer still signed in past the absolute limit")
			}

			// Staff idle: 12 hours; absolute: 7 days.
			s := app.client()
			s.signIn("anna@shop.example", true)
			app.clock.Add(staffIdle - time.Minute)
			if !signedIn(s, "/admin") {
				t.Fatal("staff signed out before the idle limit")
			}
			app.clock.Add(staffIdle + time.Minute)
			if signedIn(s, "/admin") {
				t.Fatal("staff still signed in past the idle limit")
			}
			s = app.client()
			s.signIn("anna@shop.example", true)
			for elapsed := time.Duration(0); elapsed+11*time.Hour < staffAbsolute; elapsed += 11 * time.Hour {
				app.clock.Add(11 * time.Hour)
				if !signedIn(s, "/admin") {
					t.Fatalf("active staff signed out after %v", elapsed+11*time.Hour)
				}
			}
			app.clock.Add(11 * time.Hour)
			if signedIn(s, "/admin") {
				t.Fatal("staff still signed in past the absolute limit")
			}
		})
	}
}

func TestLogoutKillsACopiedCookie(t *testing.T) {
	app := newTestApp(t, "sqlite")
	app.seed()
	for _, tc := range []struct {
		addr, name, home, logout string
		staff                    bool
	}{
		{"ann@example.com", "kedja", "/", "/logout", false},
		{"anna@shop.example", "kedja_staff", "/admin", "/admin/logout", true},
	} {
		c := app.client()
		c.signIn(tc.addr, tc.staff)
		thief := app.client()
		thief.setCookie(tc.name, c.cookie(tc.name).Value)
		if r := thief.get(tc.home); r.StatusCode != http.StatusOK {
			t.Fatalf("%s: copied cookie before logout: %d", tc.home, r.StatusCode)
		}
		if r := c.post(tc.logout, nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d", tc.logout, r.StatusCode)
		}
		if r := thief.get(tc.home); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: copied cookie after logout: %d", tc.home, r.StatusCode)
		}
	}
}

func TestSignOutEverywhere(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			app := newTestApp(t, d)
			app.seed()
			if _, _, err := app.store.UpsertCustomer(context.Background(), "bob@example.com", "Bob Berg", "en"); err != nil {
				t.Fatal(err)
			}
			phone, laptop, bob, staff := app.client(), app.client(), app.client(), app.client()
			phone.signIn("ann@example.com", false)
			laptop.signIn("ann@example.com", false)
			bob.signIn("bob@example.com", false)
			staff.signIn("anna@shop.example", true)
			if r := app.client().post("/signout-everywhere", nil); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("anonymous: %d", r.StatusCode)
			}
			req, _ := http.NewRequest(http.MethodPost, app.http.URL+"/signout-everywhere", nil)
			if r := laptop.do(req); r.StatusCode != http.StatusForbidden {
				t.Fatalf("without CSRF: %d", r.StatusCode)
			}
			if r := laptop.post("/signout-everywhere", nil); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
				t.Fatalf("sign out everywhere: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			for name, c := range map[string]*client{"phone": phone, "laptop": laptop} {
				if r := c.get("/"); r.StatusCode != http.StatusSeeOther {
					t.Fatalf("%s still signed in: %d", name, r.StatusCode)
				}
			}
			if r := bob.get("/"); r.StatusCode != http.StatusOK {
				t.Fatalf("another customer was signed out: %d", r.StatusCode)
			}
			if r := staff.get("/admin"); r.StatusCode != http.StatusOK {
				t.Fatalf("staff was signed out: %d", r.StatusCode)
			}
		})
	}
}

func TestStaffSessionsEndWithDeleteSessionsOf(t *testing.T) {
	app := newTestApp(t, "sqlite")
	st, _, _ := app.seed()
	s := app.client()
	s.signIn("anna@shop.example", true)
	if n, err := app.store.DeleteSessionsOf(context.Background(), model.KindStaff, st.ID); err != nil || n != 1 {
		t.Fatalf("DeleteSessionsOf: %d, %v", n, err)
	}
	if r := s.get("/admin"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("staff session after DeleteSessionsOf: %d", r.StatusCode)
	}
}

func TestTamperedCookieIsAnonymous(t *testing.T) {
	app := newTestApp(t, "sqlite")
	app.seed()
	other := newTestApp(t, "sqlite") // same shape, another key
	other.seed()
	oc := other.client()
	oc.signIn("ann@example.com", false)
	c := app.client()
	c.signIn("ann@example.com", false)
	good := c.cookie("kedja").Value
	flip := []byte(good)
	flip[len(flip)/2] ^= 0x01
	for name, v := range map[string]string{
		"flipped":       string(flip),
		"truncated":     good[:len(good)-5],
		"junk":          "x",
		"empty":         "",
		"base64 junk":   strings.Repeat("QUFB", 30),
		"other key":     oc.cookie("kedja").Value,
		"customer→staf": "",
	} {
		v := v
		t.Run(name, func(t *testing.T) {
			b := app.client()
			if name == "customer→staf" {
				b.setCookie("kedja_staff", good) // a customer cookie under the staff name
				if r := b.get("/admin"); r.StatusCode != http.StatusSeeOther {
					t.Fatalf("customer cookie as staff: %d", r.StatusCode)
				}
				return
			}
			b.setCookie("kedja", v)
			if r := b.get("/"); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("GET /: %d, want a redirect to sign in", r.StatusCode)
			}
			if r := b.get("/login"); r.StatusCode != http.StatusOK {
				t.Fatalf("GET /login: %d", r.StatusCode)
			}
			if r := b.post("/logout", nil); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST /logout: %d", r.StatusCode)
			}
		})
	}
	if r := c.get("/"); r.StatusCode != http.StatusOK {
		t.Fatalf("the real cookie still works: %d", r.StatusCode)
	}
}

func TestCustomerSessionNeverOpensAdmin(t *testing.T) {
	app := newTestApp(t, "sqlite")
	app.seed()
	c := app.client()
	c.signIn("ann@example.com", false)
	for _, p := range []string{"/admin", "/admin/customers", "/admin/staff", "/admin/outbox"} {
		if r := c.get(p); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/admin/login") {
			t.Fatalf("customer at %s: %d %s", p, r.StatusCode, r.Header.Get("Location"))
		}
	}
	if r := c.post("/admin/staff", url.Values{"email": {"eve@evil.test"}}); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("customer POST to /admin/staff: %d", r.StatusCode)
	}
}
