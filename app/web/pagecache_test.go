package web

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/app/live"
)

// The cached dashboard is per customer, carries each browser's own CSRF
// token, and is forgotten as soon as a change to that customer is published.
func TestPageCacheServesAndForgets(t *testing.T) {
	app := newTestApp(t, "sqlite")
	_, ann, _ := app.seed()
	ctx := context.Background()
	if _, _, err := app.store.UpsertCustomer(ctx, "bob@example.com", "Bob Berg", "sv"); err != nil {
		t.Fatal(err)
	}
	a1, a2, b := app.client(), app.client(), app.client()
	a1.signIn("ann@example.com", false)
	a2.signIn("ann@example.com", false)
	b.signIn("bob@example.com", false)

	first := a1.get("/")
	if first.StatusCode != 200 || !strings.Contains(first.Body, "Ann Jensen") || !strings.Contains(first.Body, a1.csrf()) {
		t.Fatalf("first view: %d, has own token: %v", first.StatusCode, strings.Contains(first.Body, a1.csrf()))
	}
	second := a2.get("/")
	if !strings.Contains(second.Body, a2.csrf()) || strings.Contains(second.Body, a1.csrf()) || strings.Contains(second.Body, csrfPlaceholder) {
		t.Fatal("a cached page must carry the requesting browser's CSRF token and no other")
	}
	if r := b.get("/"); strings.Contains(r.Body, "Ann Jensen") || !strings.Contains(r.Body, "Bob Berg") {
		t.Fatal("another customer got Ann's cached page")
	}

	// A change without an event is not seen while the page is cached…
	if err := app.store.UpdateCustomerProfile(ctx, ann.ID, "Ann Jensen-Holm", "da"); err != nil {
		t.Fatal(err)
	}
	if r := a1.get("/"); strings.Contains(r.Body, "Ann Jensen-Holm") {
		t.Fatal("expected the cached page before any change event")
	}
	// …and is seen at once after the change is published.
	app.hub.Publish(live.CustomerTopic(ann.ID), live.Event{Name: "dashboard"})
	if r := a1.get("/"); !strings.Contains(r.Body, "Ann Jensen-Holm") {
		t.Fatal("the page was not re-rendered after the change event")
	}
	// The TTL bounds staleness even without events.
	if err := app.store.UpdateCustomerProfile(ctx, ann.ID, "Ann J. Holm", "da"); err != nil {
		t.Fatal(err)
	}
	app.clock.Add(pageCacheTTL + 1)
	if r := a1.get("/"); !strings.Contains(r.Body, "Ann J. Holm") {
		t.Fatal("the page outlived its TTL")
	}
}

// TestPageCacheStorm: right after a change, many browsers of one customer
// reload at once; the page is rendered for them together, and each answer
// carries its own browser's token, whole, with the change in it.
func TestPageCacheStorm(t *testing.T) {
	app := newTestApp(t, "sqlite")
	_, ann, _ := app.seed()
	ctx := context.Background()
	var browsers []*client
	for i := 0; i < 8; i++ {
		app.clock.Add(16 * time.Minute) // past the per-address sign-in limit
		b := app.client()
		b.signIn("ann@example.com", false)
		b.get("/")
		browsers = append(browsers, b)
	}
	if err := app.store.UpdateCustomerProfile(ctx, ann.ID, "Ann Storm", "da"); err != nil {
		t.Fatal(err)
	}
	app.hub.Publish(live.CustomerTopic(ann.ID), live.Event{Name: "dashboard"})
	var wg sync.WaitGroup
	for round := 0; round < 3; round++ {
		for _, b := range browsers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := b.get("/")
				if r.StatusCode != 200 || !strings.Contains(r.Body, "Ann Storm") || !strings.Contains(r.Body, b.csrf()) ||
					strings.Contains(r.Body, csrfPlaceholder) || !strings.HasSuffix(strings.TrimSpace(r.Body), "</html>") {
					t.Errorf("%d: own token %v, page whole %v", r.StatusCode, strings.Contains(r.Body, b.csrf()),
						strings.HasSuffix(strings.TrimSpace(r.Body), "</html>"))
				}
				for _, other := range browsers {
					if other != b && strings.Contains(r.Body, other.csrf()) {
						t.Error("a page carried another browser's token")
					}
				}
			}()
		}
		wg.Wait()
	}
}
