package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/app/config"
	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/domain/settings"
	"github.com/kedja/kedja/app/domain/staff"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

// clock is a controllable time source for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// testApp is a real server on a real database behind httptest.
type testApp struct {
	t     testing.TB
	srv   *Server
	store *store.Store
	clock *clock
	hub   *live.Hub
	http  *httptest.Server

	// The domain's services the server uses (the app's clock and hub).
	inquiries   *inquiries.Service
	escalations *escalations.Service
	staff       *staff.Service
	orders      *orders.Service
}

// withServices adds to d the domain's services on d's store, bus and clock,
// as main wires them.
func withServices(d Deps) Deps {
	if d.Now == nil {
		d.Now = time.Now
	}
	inq := &inquiries.Service{Store: d.Store, Bus: d.Bus, Now: d.Now, Location: d.Config.Location, Catalog: d.Catalog}
	d.Inquiries = inq
	d.Escalations = &escalations.Service{Store: d.Store, Bus: d.Bus, Now: d.Now, Location: d.Config.Location, Inquiries: inq}
	d.Orders = &orders.Service{Store: d.Store, Bus: d.Bus, Now: d.Now, Location: d.Config.Location}
	d.Staff = &staff.Service{Store: d.Store, Bus: d.Bus, Now: d.Now}
	d.Settings = &settings.Service{Store: d.Store, Bus: d.Bus}
	return d
}

// inquiriesAt is the inquiries service on s and bus (nil: none) with its
// clock stopped at now, for fixtures.
func inquiriesAt(s *store.Store, bus live.Publisher, now time.Time) *inquiries.Service {
	return &inquiries.Service{Store: s, Bus: bus, Now: func() time.Time { return now }}
}

// escalationsAt is the escalations service on s and bus (nil: none) with
// its clock stopped at now, for fixtures.
func escalationsAt(s *store.Store, bus live.Publisher, now time.Time) *escalations.Service {
	return &escalations.Service{Store: s, Bus: bus, Now: func() time.Time { return now }, Inquiries: inquiriesAt(s, bus, now)}
}

// newTestApp starts a server on a fresh database of the given dialect.
func newTestApp(t testing.TB, dialect string, envs ...map[string]string) *testApp {
	t.Helper()
	s := testenv.NewStore(t, dialect)
	vars := map[string]string{"KEDJA_BASE_URL": "http://portal.test", "KEDJA_BUSINESS_NAME": "Blomsterhuset"}
	for _, e := range envs {
		for k, v := range e {
			vars[k] = v
		}
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	hub := live.NewHub()
	d := withServices(Deps{Config: cfg, Store: s, Catalog: cat, Bus: hub, Now: clk.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &testApp{t: t, srv: srv, store: s, clock: clk, hub: hub, http: hs,
		inquiries: d.Inquiries, escalations: d.Escalations, staff: d.Staff, orders: d.Orders}
}

// client is a browser-like client: a cookie jar, no automatic redirects.
type client struct {
	t   testing.TB
	app *testApp
	hc  *http.Client
}

func (a *testApp) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: a.t, app: a, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type response struct {
	*http.Response
	Body string
}

func (c *client) do(req *http.Request) *response {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &response{Response: resp, Body: string(b)}
}

func (c *client) get(path string) *response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.http.URL+path, nil)
	return c.do(req)
}

// csrf returns the CSRF token of this browser, fetching a page if needed.
func (c *client) csrf() string {
	c.t.Helper()
	u, _ := url.Parse(c.app.http.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == c.app.srv.cookies.csrfName {
			return ck.Value
		}
	}
	c.get("/login")
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == c.app.srv.cookies.csrfName {
			return ck.Value
		}
	}
	c.t.Fatal("no CSRF cookie")
	return ""
}

// post submits a form with this browser's CSRF token.
func (c *client) post(path string, form url.Values) *response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.csrf())
	}
	req, _ := http.NewRequest(http.MethodPost, c.app.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var linkPath = regexp.MustCompile(`^/(admin/)?auth/[A-Za-z0-9_-]{43}$`)

// lastSignInPath returns the link path of the newest sign-in email to addr.
func (a *testApp) lastSignInPath(addr string) string {
	a.t.Helper()
	list, err := a.store.ListOutbox(context.Background(), "", 1000)
	if err != nil {
		a.t.Fatal(err)
	}
	for _, m := range list {
		if m.ToEmail == addr && strings.HasPrefix(m.Template, "signin_") {
			if !linkPath.MatchString(m.Data["path"]) {
				a.t.Fatalf("sign-in path %q has the wrong shape", m.Data["path"])
			}
			return m.Data["path"]
		}
	}
	a.t.Fatalf("no sign-in email to %s", addr)
	return ""
}

// signIn signs this browser in through the real flow: request a link, read
// it from the outbox, confirm.
func (c *client) signIn(addr string, staff bool) {
	c.t.Helper()
	login := "/login"
	if staff {
		login = "/admin/login"
	}
	if r := c.post(login, url.Values{"email": {addr}}); r.StatusCode != http.StatusOK {
		c.t.Fatalf("POST %s: %d", login, r.StatusCode)
	}
	path := c.app.lastSignInPath(addr)
	if r := c.post(path, nil); r.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("POST %s: %d %s", path, r.StatusCode, r.Body)
	}
}

// seed creates a staff member and a customer with one order.
func (a *testApp) seed() (*model.Staff, *model.Customer, *model.Order) {
	a.t.Helper()
	ctx := context.Background()
	st := &model.Staff{Email: "anna@shop.example", FullName: "Anna Holm", Title: "Florist", Active: true}
	if _, err := a.store.SaveStaff(ctx, st); err != nil {
		a.t.Fatal(err)
	}
	c, _, err := a.store.UpsertCustomer(ctx, "ann@example.com", "Ann Jensen", "da")
	if err != nil {
		a.t.Fatal(err)
	}
	now := model.Normalize(a.clock.Now())
	o := &model.Order{Ref: "BQ-1001", CustomerID: c.ID, OwnerID: st.ID, Status: model.OrderConfirmed,
		Items: []model.Item{{Name: "Condolence bouquet", Quantity: 1}}, Total: "499.00", Currency: "DKK",
		LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
	if err := a.store.InsertOrder(ctx, o); err != nil {
		a.t.Fatal(err)
	}
	return st, c, o
}

// lastSignInCode returns the 6-digit code of the newest sign-in email to addr.
func (a *testApp) lastSignInCode(addr string) string {
	a.t.Helper()
	list, err := a.store.ListOutbox(context.Background(), "", 1000)
	if err != nil {
		a.t.Fatal(err)
	}
	for _, m := range list {
		if m.ToEmail == addr && strings.HasPrefix(m.Template, "signin_") {
			return m.Data["code"]
		}
	}
	a.t.Fatalf("no sign-in email to %s", addr)
	return ""
}

// signInEmails counts the sign-in emails queued for addr.
func (a *testApp) signInEmails(addr string) int {
	a.t.Helper()
	list, err := a.store.ListOutbox(context.Background(), "", 1000)
	if err != nil {
		a.t.Fatal(err)
	}
	n := 0
	for _, m := range list {
		if m.ToEmail == addr && strings.HasPrefix(m.Template, "signin_") {
			n++
		}
	}
	return n
}

// cookie returns this browser's cookie called name, or nil.
func (c *client) cookie(name string) *http.Cookie {
	u, _ := url.Parse(c.app.http.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// setCookie puts a cookie in this browser's jar (a copied or forged one).
func (c *client) setCookie(name, value string) {
	u, _ := url.Parse(c.app.http.URL)
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}
