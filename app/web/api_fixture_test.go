package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kedja/kedja/app/domain/apikeys"
	"github.com/kedja/kedja/app/web/api"
)

// apiResp is an answer of the JSON API.
type apiResp struct {
	Status int
	Header http.Header
	Body   string
}

// order decodes the body as an order.
func (r *apiResp) order(t testing.TB) *api.Order {
	t.Helper()
	var o api.Order
	if err := json.Unmarshal([]byte(r.Body), &o); err != nil {
		t.Fatalf("answer %d is not an order: %v\n%s", r.Status, err, r.Body)
	}
	return &o
}

// apiNewKey creates an API key in the database and returns it.
func (a *testApp) apiNewKey(name string) string {
	a.t.Helper()
	key, _, err := apikeys.Create(context.Background(), a.store, name, a.clock.Now())
	if err != nil {
		a.t.Fatal(err)
	}
	return key
}

// apiCall sends one API request (no cookies) with key as the bearer token
// ("" for none).
func (a *testApp) apiCall(method, path, key, body string) *apiResp {
	a.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.http.URL+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return a.apiSend(req)
}

func (a *testApp) apiSend(req *http.Request) *apiResp {
	a.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &apiResp{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// apiWantError fails unless r is CONTRACT's error body with this status,
// code and field, and nothing else.
func apiWantError(t testing.TB, what string, r *apiResp, status int, code, field string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s: Content-Type %q, want JSON\n%s", what, ct, r.Body)
	}
	var body map[string]map[string]any
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil || len(body) != 1 || body["error"] == nil {
		t.Fatalf("%s: body is not {\"error\": {…}}: %v\n%s", what, err, r.Body)
	}
	e := body["error"]
	msg, _ := e["message"].(string)
	gotField, _ := e["field"].(string)
	if e["code"] != code || strings.TrimSpace(msg) == "" || gotField != field {
		t.Fatalf("%s: error %v, want code %q, a message and field %q", what, e, code, field)
	}
	for k := range e {
		if k != "code" && k != "message" && k != "field" {
			t.Fatalf("%s: error has an extra member %q", what, k)
		}
	}
}

// apiCounts counts the rows a change writes: orders, customers, timeline
// events and outbox messages.
func (a *testApp) apiCounts() [4]int {
	a.t.Helper()
	var n [4]int
	for i, table := range []string{"orders", "customers", "timeline_events", "outbox"} {
		c, err := a.store.DB().NewSelect().Table(table).Count(context.Background())
		if err != nil {
			a.t.Fatal(err)
		}
		n[i] = int(c)
	}
	return n
}

// apiOrderBody is CONTRACT.md's example order body with a few fields set.
func apiOrderBody(status string, extra ...string) string {
	m := map[string]any{
		"customer":          map[string]string{"email": "ann@example.com", "name": "Ann Jensen", "locale": "da"},
		"status":            status,
		"placed_at":         "2026-11-20T08:15:00Z",
		"expected_delivery": "2026-11-22",
		"items":             []map[string]any{{"name": "Condolence bouquet, white", "quantity": 1}},
		"total":             "499.00", "currency": "DKK",
		"owner_email": "anna@shop.example",
		"carrier":     "PostNord", "tracking_number": "00370712345", "tracking_url": "https://tracking.example/00370712345",
		"recipient_name": "Birthe Hansen",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			delete(m, extra[i])
		} else {
			m[extra[i]] = extra[i+1]
		}
	}
	b, _ := json.Marshal(m)
	return string(b)
}
