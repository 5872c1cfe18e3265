package web

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/web/portal"
)

// sseStream is an open /events response read line by line.
type sseStream struct {
	cancel context.CancelFunc
	lines  chan string
}

func (c *client) openEvents(t *testing.T) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.app.http.URL+"/events", nil)
	resp, err := c.hc.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &sseStream{cancel: cancel, lines: make(chan string, 100)}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	t.Cleanup(cancel)
	return s
}

// waitFor reads until a line equal to want arrives (true) or the deadline.
func (s *sseStream) waitFor(want string, d time.Duration) bool {
	deadline := time.After(d)
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				return false
			}
			if l == want {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

func TestPortalEventsDeliveryScopeAndCleanup(t *testing.T) {
	w := newPortalWorld(t, "sqlite")
	ann, bob := w.signedIn(w.ann), w.signedIn(w.bob)
	annTopic, bobTopic := live.CustomerTopic(w.ann.ID), live.CustomerTopic(w.bob.ID)

	annStream := ann.openEvents(t)
	if !annStream.waitFor(": connected", 5*time.Second) {
		t.Fatal("no connected comment")
	}
	bobStream := bob.openEvents(t)
	if !bobStream.waitFor(": connected", 5*time.Second) {
		t.Fatal("no connected comment for bob")
	}
	if n := w.app.hub.Subscribers(annTopic); n != 1 {
		t.Fatalf("ann subscribers = %d", n)
	}

	// A change to Ann's order reaches Ann's stream, named for the order.
	if _, _, err := w.app.escalations.Escalate(context.Background(), w.ann.ID,
		escalations.Subject{OrderRef: "BQ-1001"}, "", model.CustomerActor(w.ann)); err != nil {
		t.Fatal(err)
	}
	if !annStream.waitFor("event: order:BQ-1001", 5*time.Second) {
		t.Fatal("Ann's stream did not get her order's event")
	}
	if !annStream.waitFor("event: dashboard", 5*time.Second) {
		t.Fatal("Ann's stream did not get the dashboard event")
	}
	// Bob's stream hears nothing of it; his own change arrives.
	if _, err := w.app.inquiries.CustomerReply(context.Background(), w.bob.ID, w.bobQ.ID, "hello"); err != nil {
		t.Fatal(err)
	}
	want := "event: inquiry:" + strconv.FormatInt(w.bobQ.ID, 10)
	for {
		select {
		case l := <-bobStream.lines:
			if strings.Contains(l, "BQ-1001") {
				t.Fatalf("Bob's stream saw Ann's order: %q", l)
			}
			if l == want {
				goto done
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Bob's stream did not get his inquiry's event")
		}
	}
done:
	// Closing the tab ends the subscription.
	annStream.cancel()
	deadline := time.Now().Add(5 * time.Second)
	for w.app.hub.Subscribers(annTopic) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("ann still has %d subscribers after disconnect", w.app.hub.Subscribers(annTopic))
		}
		time.Sleep(10 * time.Millisecond)
	}
	bobStream.cancel()
	for w.app.hub.Subscribers(bobTopic) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("bob still subscribed after disconnect")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPortalDashboardPages(t *testing.T) {
	w := newPortalWorld(t, "sqlite")
	ctx := context.Background()
	// 120 more orders (half delivered) and 10 more inquiries, many sharing an
	// activity time so ties are exercised.
	base := w.annOrder
	for i := 0; i < 120; i++ {
		o := *base
		o.ID, o.Ref = 0, "X-"+strconv.Itoa(i)
		if i%2 == 0 {
			o.Status = "delivered"
		}
		o.LastActivityAt = base.LastActivityAt.Add(-time.Duration(i%7) * time.Hour)
		if err := w.app.store.InsertOrder(ctx, &o); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 10; i++ {
		at := w.app.clock.Now().Add(-time.Duration(i%3) * time.Hour)
		if _, err := inquiriesAt(w.app.store, nil, at).Open(ctx, w.ann.ID, inquiries.Question{Subject: "Q" + strconv.Itoa(i), Body: "body"},
			model.CustomerActor(w.ann)); err != nil {
			t.Fatal(err)
		}
	}
	ann := w.signedIn(w.ann)
	seen := map[string]int{}
	var order []string
	path := "/"
	pages := 0
	for path != "" {
		pages++
		if pages > 10 {
			t.Fatal("too many pages")
		}
		r := ann.get(path)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, r.StatusCode)
		}
		n := 0
		for _, part := range strings.Split(r.Body, `<a href="/`)[1:] {
			target := part[:strings.Index(part, `"`)]
			if strings.HasPrefix(target, "orders/") || strings.HasPrefix(target, "inquiries/") && target != "inquiries/new" {
				seen[target]++
				order = append(order, target)
				n++
			}
		}
		if n > portal.DashboardPageSize {
			t.Errorf("%s shows %d cases", path, n)
		}
		path = ""
		if i := strings.Index(r.Body, `href="/?after=`); i >= 0 {
			rest := r.Body[i+len(`href="`):]
			path = strings.ReplaceAll(rest[:strings.Index(rest, `"`)], "&amp;", "&")
		}
	}
	if len(seen) != 121+1+10 {
		t.Errorf("saw %d distinct cases, want %d", len(seen), 132)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s shown %d times", k, n)
		}
	}
	if pages != 3 {
		t.Errorf("%d pages, want 3", pages)
	}
	// Open cases come first: no undelivered order after a delivered one.
	delivered := map[string]bool{}
	for i := 0; i < 120; i += 2 {
		delivered["orders/X-"+strconv.Itoa(i)] = true
	}
	sawClosed := false
	for _, k := range order {
		if delivered[k] {
			sawClosed = true
		} else if sawClosed {
			t.Fatalf("open case %s listed after a delivered order", k)
		}
	}
	if r := ann.get("/?after=garbage"); r.StatusCode != http.StatusNotFound {
		t.Errorf("bad cursor: %d", r.StatusCode)
	}
}

// TestPortalSessionCacheForgets: a cached session never outlives a sign-out
// here, a sign-out published by another instance, or its short lifetime.
func TestPortalSessionCacheForgets(t *testing.T) {
	w := newPortalWorld(t, "sqlite")
	ctx := context.Background()
	anonymous := func(c *client) bool {
		r := c.get("/")
		return r.StatusCode == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/login")
	}

	// Sign out everywhere in one browser: the other, just cached, is out.
	a1 := w.signedIn(w.ann)
	a2 := a1.clone()
	if anonymous(a2) || anonymous(a2) {
		t.Fatal("not signed in")
	}
	if r := a1.post("/signout-everywhere", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %d", r.StatusCode)
	}
	if !anonymous(a2) {
		t.Error("a cached session survived sign-out everywhere")
	}

	// Logging out ends a copied cookie's cached session too.
	l1 := w.signedIn(w.bob)
	l2 := l1.clone()
	if anonymous(l2) {
		t.Fatal("not signed in")
	}
	if r := l1.post("/logout", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.StatusCode)
	}
	if !anonymous(l2) {
		t.Error("a cached session survived logout")
	}

	// Another instance deleted the sessions and said so on the bus.
	b := w.signedIn(w.ann)
	if anonymous(b) {
		t.Fatal("not signed in")
	}
	if _, err := w.app.store.DeleteSessionsOf(ctx, "customer", w.ann.ID); err != nil {
		t.Fatal(err)
	}
	w.app.hub.Publish(live.CustomerTopic(w.ann.ID), live.Event{Name: "signout"})
	if !anonymous(b) {
		t.Error("a cached session survived a sign-out published by another instance")
	}

	// Deleted without a word: gone once the cache lifetime has passed.
	c := w.signedIn(w.ann)
	if anonymous(c) {
		t.Fatal("not signed in")
	}
	if _, err := w.app.store.DeleteSessionsOf(ctx, "customer", w.ann.ID); err != nil {
		t.Fatal(err)
	}
	w.app.clock.Add(sessionCacheTTL + time.Millisecond)
	if !anonymous(c) {
		t.Error("a cached session outlived its lifetime")
	}

	// A name changed in one browser shows in the other at once.
	d1 := w.signedIn(w.bob)
	d2 := d1.clone()
	d2.get("/")
	if r := d1.post("/me", url.Values{"name": {"Bob van Dijk"}, "locale": {"nl"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save name: %d", r.StatusCode)
	}
	if r := d2.get("/"); !strings.Contains(r.Body, "Bob van Dijk") {
		t.Error("the other browser still shows the old name")
	}
}

// clone is another browser holding copies of this one's cookies.
func (c *client) clone() *client {
	n := c.app.client()
	u := mustURL(c.app.http.URL)
	n.hc.Jar.SetCookies(u, c.hc.Jar.Cookies(u))
	return n
}
