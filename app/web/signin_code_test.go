package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/testenv"
)

// wrongCode is a code that differs from want.
func wrongCode(want string) string {
	if want == "000000" {
		return "000001"
	}
	return "000000"
}

func TestSignInByCode(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			app := newTestApp(t, d)
			app.seed()
			c := app.client()
			if r := c.post("/login", url.Values{"email": {"ann@example.com"}}); r.StatusCode != http.StatusOK ||
				!strings.Contains(r.Body, `inputmode="numeric"`) || !strings.Contains(r.Body, `autocomplete="one-time-code"`) ||
				!strings.Contains(r.Body, `action="/login/code"`) {
				t.Fatalf("check-your-email page without a phone-friendly code form: %d", r.StatusCode)
			}
			if ck := c.cookie("kedja_signin"); ck == nil || len(ck.Value) != 43 {
				t.Fatal("no pending-sign-in cookie")
			}
			code := app.lastSignInCode("ann@example.com")
			if r := c.post("/login/code", url.Values{"code": {wrongCode(code)}}); r.StatusCode != http.StatusUnprocessableEntity ||
				!strings.Contains(r.Body, "did not work") {
				t.Fatalf("wrong code: %d", r.StatusCode)
			}
			// Spaces a phone keyboard or a copy adds are forgiven.
			r := c.post("/login/code", url.Values{"code": {code[:3] + " " + code[3:]}})
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
				t.Fatalf("right code: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			if r := c.get("/"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Ann Jensen") {
				t.Fatalf("dashboard after code sign-in: %d", r.StatusCode)
			}
			// The code and the link were one sign-in: both are spent now.
			if r := c.post("/login/code", url.Values{"code": {code}}); r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("code reused: %d", r.StatusCode)
			}
			if r := app.client().post(app.lastSignInPath("ann@example.com"), nil); r.StatusCode != http.StatusOK ||
				!strings.Contains(r.Body, "no longer works") {
				t.Fatalf("link after code sign-in: %d", r.StatusCode)
			}

			staff := app.client()
			staff.post("/admin/login", url.Values{"email": {"anna@shop.example"}})
			r = staff.post("/admin/login/code", url.Values{"code": {app.lastSignInCode("anna@shop.example")}})
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin" {
				t.Fatalf("staff code: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			if r := staff.get("/admin"); r.StatusCode != http.StatusOK {
				t.Fatalf("admin after staff code sign-in: %d", r.StatusCode)
			}
		})
	}
}

func TestCodeWorksOnlyInTheBrowserThatAsked(t *testing.T) {
	app := newTestApp(t, "sqlite")
	app.seed()
	asker, other := app.client(), app.client()
	asker.post("/login", url.Values{"email": {"ann@example.com"}})
	code := app.lastSignInCode("ann@example.com")
	if r := other.post("/login/code", url.Values{"code": {code}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("code from another browser: %d", r.StatusCode)
	}
	// A pending cookie of the customer flow does not work at /admin.
	if r := asker.post("/admin/login/code", url.Values{"code": {code}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("customer code at admin: %d", r.StatusCode)
	}
	if r := asker.post("/login/code", url.Values{"code": {code}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("code in the asking browser: %d", r.StatusCode)
	}
}

func TestCodeFiveTriesThenDead(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			app := newTestApp(t, d, map[string]string{"KEDJA_TRUSTED_PROXIES": "127.0.0.1/32"})
			app.seed()
			c := app.client()
			c.post("/login", url.Values{"email": {"ann@example.com"}})
			code, path := app.lastSignInCode("ann@example.com"), app.lastSignInPath("ann@example.com")
			for i := 0; i < 5; i++ {
				if r := c.post("/login/code", url.Values{"code": {wrongCode(code)}}); r.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("wrong try %d: %d", i+1, r.StatusCode)
				}
			}
			if r := c.post("/login/code", url.Values{"code": {code}}); r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("right code after 5 wrong: %d", r.StatusCode)
			}
			if r := c.get(path); !strings.Contains(r.Body, "no longer works") {
				t.Fatalf("the link should be dead with the pending sign-in: %d", r.StatusCode)
			}
		})
	}
}

func TestCodeGuessesCappedPerDay(t *testing.T) {
	app := newTestApp(t, "sqlite")
	app.seed()
	c := app.client()
	tries := 0
	for i, n := range []int{4, 4, 2} { // three emails, ten wrong codes in all
		if i > 0 {
			app.clock.Add(6 * time.Minute) // stay under the per-IP limit
		}
		c.post("/login", url.Values{"email": {"ann@example.com"}})
		code := app.lastSignInCode("ann@example.com")
		for i := 0; i < n; i++ {
			c.post("/login/code", url.Values{"code": {wrongCode(code)}})
			tries++
		}
	}
	code, path := app.lastSignInCode("ann@example.com"), app.lastSignInPath("ann@example.com")
	if r := c.post("/login/code", url.Values{"code": {code}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("right code after %d wrong today: %d", tries, r.StatusCode)
	}
	// The link still works: the cap limits guessing, not the owner.
	if r := c.post(path, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("link after the code cap: %d", r.StatusCode)
	}
}

func TestCodeAnswerSameForUnknownAddress(t *testing.T) {
	app := newTestApp(t, "sqlite")
	app.seed()
	known, unknown := app.client(), app.client()
	known.post("/login", url.Values{"email": {"ann@example.com"}})
	unknown.post("/login", url.Values{"email": {"nobody@example.com"}})
	code := app.lastSignInCode("ann@example.com")
	a := known.post("/login/code", url.Values{"code": {wrongCode(code)}})
	b := unknown.post("/login/code", url.Values{"code": {wrongCode(code)}})
	if a.StatusCode != b.StatusCode || withoutCSRF(a.Body) != withoutCSRF(b.Body) {
		t.Fatalf("wrong code, known %d vs unknown %d address: answers differ", a.StatusCode, b.StatusCode)
	}
}
