package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/app/config"
	"github.com/kedja/kedja/app/domain/signin"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/testenv"
)

var csrfValue = regexp.MustCompile(`name="_csrf" value="[^"]*"|"X-CSRF-Token\\?": \\?"[^"\\]*`)

// withoutCSRF drops the per-browser CSRF token from a page, so two
// browsers' pages can be compared.
func withoutCSRF(body string) string { return csrfValue.ReplaceAllString(body, "") }

func TestTokenStaysUsableUntilConfirmed(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			app := newTestApp(t, d)
			app.seed()
			c := app.client()
			c.post("/login", url.Values{"email": {"ann@example.com"}})
			path := app.lastSignInPath("ann@example.com")
			scanner := app.client()
			for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodGet} {
				req, _ := http.NewRequest(m, app.http.URL+path, nil)
				r := scanner.do(req)
				if r.StatusCode != http.StatusOK {
					t.Fatalf("%s: %d", m, r.StatusCode)
				}
				if m == http.MethodGet && (!strings.Contains(r.Body, "a***@example.com") || !strings.Contains(r.Body, `method="post"`)) {
					t.Fatal("confirm page should name the masked address and offer a button")
				}
				if strings.Contains(r.Body, "<script") && !strings.Contains(r.Body, `src="/static/`) {
					t.Fatal("no inline script (no auto-submit) on the confirm page")
				}
			}
			if r := c.post(path, nil); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("confirm after scanner fetches: %d", r.StatusCode)
			}
		})
	}
}

func TestTokenReuseExpiryReplacementForgery(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			app := newTestApp(t, d)
			app.seed()
			dead := func(name string, c *client, path string) {
				t.Helper()
				r := c.get(path)
				if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "no longer works") || !strings.Contains(r.Body, `href="/login"`) {
					t.Fatalf("%s GET: %d", name, r.StatusCode)
				}
				r = c.post(path, nil)
				if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "no longer works") {
					t.Fatalf("%s POST: %d", name, r.StatusCode)
				}
				if ck := c.cookie("kedja"); ck != nil && ck.Value != "" {
					t.Fatalf("%s: a session cookie was set", name)
				}
				if rr := c.get("/"); rr.StatusCode != http.StatusSeeOther {
					t.Fatalf("%s: signed in", name)
				}
			}

			// Reuse.
			c := app.client()
			c.signIn("ann@example.com", false)
			dead("reuse", app.client(), app.lastSignInPath("ann@example.com"))

			// Expiry: 10 minutes.
			app.client().post("/login", url.Values{"email": {"ann@example.com"}})
			path := app.lastSignInPath("ann@example.com")
			app.clock.Add(signin.TokenTTL + time.Second)
			dead("expired", app.client(), path)
			app.clock.Add(signin.AddressWindow) // out of the per-address window

			// Replacement by a newer link.
			app.client().post("/login", url.Values{"email": {"ann@example.com"}})
			first := app.lastSignInPath("ann@example.com")
			app.client().post("/login", url.Values{"email": {"ann@example.com"}})
			second := app.lastSignInPath("ann@example.com")
			if first == second {
				t.Fatal("a new request should make a new link")
			}
			dead("replaced", app.client(), first)
			if r := app.client().post(second, nil); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("newest link: %d", r.StatusCode)
			}

			// Forgery: a well-formed token never issued, and junk.
			tok, _ := signin.NewToken()
			dead("forged", app.client(), "/auth/"+tok)
			dead("junk", app.client(), "/auth/x")
			// A customer token at the staff route (purpose is checked).
			app.client().post("/login", url.Values{"email": {"ann@example.com"}})
			cust := app.lastSignInPath("ann@example.com")
			if r := app.client().post("/admin"+cust, nil); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "no longer works") {
				t.Fatalf("customer token at /admin/auth: %d", r.StatusCode)
			}
		})
	}
}

func TestParallelConsumeGivesOneSession(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			// Each request comes through a trusted proxy from its own
			// client address, so the per-IP limit stays out of the way.
			app := newTestApp(t, d, map[string]string{"KEDJA_TRUSTED_PROXIES": "127.0.0.1/32"})
			_, cust, _ := app.seed()
			c := app.client()
			c.post("/login", url.Values{"email": {"ann@example.com"}})
			path := app.lastSignInPath("ann@example.com")
			csrf := c.csrf()
			const n = 20
			statuses := make([]int, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					req, _ := http.NewRequest(http.MethodPost, app.http.URL+path, strings.NewReader("_csrf="+csrf))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
					req.AddCookie(&http.Cookie{Name: app.srv.cookies.csrfName, Value: csrf})
					<-start
					resp, err := http.DefaultTransport.RoundTrip(req)
					if err != nil {
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					statuses[i] = resp.StatusCode
				}(i)
			}
			close(start)
			wg.Wait()
			won := 0
			for i, s := range statuses {
				switch s {
				case http.StatusSeeOther:
					won++
				case http.StatusOK: // the friendly page
				default:
					t.Fatalf("request %d: status %d", i, s)
				}
			}
			sessions, err := app.store.DeleteSessionsOf(context.Background(), model.KindCustomer, cust.ID)
			if err != nil {
				t.Fatal(err)
			}
			if won != 1 || sessions != 1 {
				t.Fatalf("%d parallel confirmations: %d redirects, %d sessions; want 1 and 1", n, won, sessions)
			}
		})
	}
}

func TestSameAnswerForKnownAndUnknownAddresses(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			app := newTestApp(t, d)
			app.seed()
			ctx := context.Background()
			retired := &model.Staff{Email: "gone@shop.example", FullName: "Gone Person", Title: "Former", Active: false}
			if _, err := app.store.SaveStaff(ctx, retired); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct{ login, known, unknown string }{
				{"/login", "ann@example.com", "nobody@example.com"},
				{"/login", "ann@example.com", "anna@shop.example"}, // staff, not a customer
				{"/admin/login", "anna@shop.example", "nobody@shop.example"},
				{"/admin/login", "anna@shop.example", "gone@shop.example"}, // deactivated
				{"/admin/login", "anna@shop.example", "ann@example.com"},   // a customer, not staff
			} {
				before := app.signInEmails(tc.unknown)
				// Both answers do the same work: one new login_tokens row
				// (a dead decoy for the unknown address).
				r0 := tokenRows(t, app)
				a := app.client().post(tc.login, url.Values{"email": {tc.known}})
				r1 := tokenRows(t, app)
				b := app.client().post(tc.login, url.Values{"email": {tc.unknown}})
				if r2 := tokenRows(t, app); r1-r0 != 1 || r2-r1 != 1 {
					t.Fatalf("%s: rows written known %d, unknown %d; want 1 and 1", tc.login, r1-r0, r2-r1)
				}
				if a.StatusCode != http.StatusOK || a.StatusCode != b.StatusCode || withoutCSRF(a.Body) != withoutCSRF(b.Body) {
					t.Fatalf("%s %s vs %s: %d vs %d or bodies differ", tc.login, tc.known, tc.unknown, a.StatusCode, b.StatusCode)
				}
				if cookieNames(a) != cookieNames(b) {
					t.Fatalf("%s: cookies differ: %q vs %q", tc.login, cookieNames(a), cookieNames(b))
				}
				if n := app.signInEmails(tc.unknown) - before; n != 0 {
					t.Fatalf("%s %s got %d sign-in emails", tc.login, tc.unknown, n)
				}
			}
			// The decoy rows left by unknown addresses sign no one in.
			var usable int
			if err := app.store.DB().NewSelect().Model((*model.LoginToken)(nil)).ColumnExpr("count(*)").
				Where("subject_id = 0 AND (used_at IS NULL OR expires_at > ?)", model.Normalize(app.clock.Now())).Scan(ctx, &usable); err != nil {
				t.Fatal(err)
			}
			if usable != 0 {
				t.Fatalf("%d decoy tokens are usable", usable)
			}
		})
	}
}

func cookieNames(r *response) string {
	var names []string
	for _, c := range r.Cookies() {
		names = append(names, c.Name)
	}
	return strings.Join(names, ",")
}

func TestBadAddressRefusedAndNothingQueued(t *testing.T) {
	app := newTestApp(t, "sqlite", map[string]string{"KEDJA_TRUSTED_PROXIES": "127.0.0.1/32"})
	app.seed()
	for i, in := range []string{"ann@example.com\r\nBcc: eve@evil.test", "ann@example.com,eve@evil.test",
		`"ann"@example.com`, "Ann <ann@example.com>", "ann＠example.com", strings.Repeat("a", 250) + "@example.com"} {
		c := app.client()
		form := url.Values{"email": {in}, "_csrf": {c.csrf()}}
		req, _ := http.NewRequest(http.MethodPost, app.http.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
		r := c.do(req)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Enter one email address") {
			t.Fatalf("%q: %d", in, r.StatusCode)
		}
	}
	list, err := app.store.ListOutbox(context.Background(), "", 100)
	if err != nil || len(list) != 0 {
		t.Fatalf("outbox after bad addresses: %d, %v", len(list), err)
	}
}

func TestSignInPagesAreNotCachedOrReferred(t *testing.T) {
	app := newTestApp(t, "sqlite")
	app.seed()
	c := app.client()
	check := func(name string, r *response) {
		t.Helper()
		if r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("%s: Cache-Control %q, Referrer-Policy %q", name, r.Header.Get("Cache-Control"), r.Header.Get("Referrer-Policy"))
		}
	}
	check("GET /login", c.get("/login"))
	check("GET /admin/login", c.get("/admin/login"))
	check("POST /login", c.post("/login", url.Values{"email": {"ann@example.com"}}))
	path := app.lastSignInPath("ann@example.com")
	check("GET /auth", c.get(path))
	check("POST /login/code", c.post("/login/code", url.Values{"code": {"12"}}))
	check("GET forged /auth", c.get("/auth/nope"))
	check("POST used /auth", func() *response { c.post(path, nil); return c.post(path, nil) }())
}

// syncBuffer is a log sink the server goroutines can write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestTokensNeverInTheLog(t *testing.T) {
	s := testenv.NewStore(t, "sqlite")
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"KEDJA_BASE_URL": "http://portal.test"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	srv, err := New(withServices(Deps{Config: cfg, Store: s, Catalog: cat, Bus: live.NewHub(),
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	app := &testApp{t: t, srv: srv, store: s, clock: &clock{t: time.Now()}, http: hs}
	app.seed()
	c := app.client()
	c.post("/login", url.Values{"email": {"ann@example.com"}})
	path, code := app.lastSignInPath("ann@example.com"), app.lastSignInCode("ann@example.com")
	c.get(path)
	c.post("/login/code", url.Values{"code": {wrongCode(code)}})
	c.post(path, nil)
	c.get("/auth/" + strings.Repeat("A", 43))
	token := strings.TrimPrefix(path, "/auth/")
	// The request line is written after the response: wait for all six.
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(logs.String(), `"msg":"request"`) < 6 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	out := logs.String()
	if strings.Contains(out, token) || strings.Contains(out, code) || strings.Contains(out, strings.Repeat("A", 43)) {
		t.Fatalf("a token or code reached the log:\n%s", out)
	}
	if !strings.Contains(out, `"route":"/auth/:token"`) {
		t.Fatalf("the request log should name the route pattern:\n%s", out)
	}
}

func tokenRows(t *testing.T, app *testApp) int {
	t.Helper()
	n, err := app.store.DB().NewSelect().Model((*model.LoginToken)(nil)).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
