package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/apikeys"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/testenv"
	"github.com/kedja/kedja/app/web/api"
)

func TestAPIKeyAuth(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			a := newTestApp(t, d)
			ctx := context.Background()
			key := a.apiNewKey("web-shop")
			other, _, _ := strings.Cut(key, "_")
			forged := other + "_" + strings.Repeat("A", len(key)-len(other)-1)

			for _, tc := range []struct{ name, header string }{
				{"no header", ""},
				{"another scheme", "Basic " + key},
				{"bearer without key", "Bearer "},
				{"not a key", "Bearer hello"},
				{"well formed, unknown", "Bearer " + forged},
				{"key with a character changed", "Bearer " + key[:len(key)-1] + map[bool]string{true: "B", false: "A"}[key[len(key)-1] == 'A']},
			} {
				req, _ := http.NewRequest(http.MethodGet, a.http.URL+"/api/v1/orders/BQ-1001", nil)
				if tc.header != "" {
					req.Header.Set("Authorization", tc.header)
				}
				r := a.apiSend(req)
				apiWantError(t, tc.name, r, http.StatusUnauthorized, "unauthorized", "")
				if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("%s: WWW-Authenticate %q", tc.name, r.Header.Get("WWW-Authenticate"))
				}
			}
			// Unknown paths under the API also want a key first.
			apiWantError(t, "unknown path", a.apiCall(http.MethodGet, "/api/v1/nothing", "", ""), http.StatusUnauthorized, "unauthorized", "")
			apiWantError(t, "unknown path with key", a.apiCall(http.MethodGet, "/api/v1/nothing", key, ""), http.StatusNotFound, "not_found", "")

			// A good key gets through; an unknown order is a 404 in the error shape.
			apiWantError(t, "unknown order", a.apiCall(http.MethodGet, "/api/v1/orders/NOPE-1", key, ""), http.StatusNotFound, "not_found", "")
			// The scheme is case-insensitive (RFC 6750).
			req, _ := http.NewRequest(http.MethodGet, a.http.URL+"/api/v1/orders/NOPE-1", nil)
			req.Header.Set("Authorization", "bearer  "+key)
			apiWantError(t, "lower-case scheme", a.apiSend(req), http.StatusNotFound, "not_found", "")

			// Last use: recorded at the first call, not rewritten within a minute.
			list, err := a.store.ListAPIKeys(ctx)
			if err != nil || len(list) != 1 {
				t.Fatalf("keys: %v %v", list, err)
			}
			k := list[0]
			if k.LastUsedAt == nil || !k.LastUsedAt.Equal(model.Normalize(a.clock.Now())) {
				t.Fatalf("last use %v, want %v", k.LastUsedAt, a.clock.Now())
			}
			first := *k.LastUsedAt
			a.clock.Add(59 * time.Second)
			a.apiCall(http.MethodGet, "/api/v1/orders/NOPE-1", key, "")
			if k, _ = a.store.APIKeyByID(ctx, k.ID); !k.LastUsedAt.Equal(first) {
				t.Fatalf("last use rewritten within a minute: %v", k.LastUsedAt)
			}
			a.clock.Add(2 * time.Second)
			a.apiCall(http.MethodGet, "/api/v1/orders/NOPE-1", key, "")
			if k, _ = a.store.APIKeyByID(ctx, k.ID); !k.LastUsedAt.Equal(model.Normalize(a.clock.Now())) {
				t.Fatalf("last use %v after a minute, want %v", k.LastUsedAt, a.clock.Now())
			}
			if k.KeyHash != apikeys.Hash(key) || strings.Contains(k.KeyHash, key[len(apikeys.Prefix):]) || !strings.HasPrefix(key, k.Prefix) {
				t.Fatalf("stored %+v for key %s: only the hash and a short prefix may be stored", k, key)
			}

			// Revoked: 401 at once, and another key keeps working.
			key2 := a.apiNewKey("warehouse")
			if _, err := apikeys.Revoke(ctx, a.store, k.ID, a.clock.Now()); err != nil {
				t.Fatal(err)
			}
			apiWantError(t, "revoked key", a.apiCall(http.MethodGet, "/api/v1/orders/NOPE-1", key, ""), http.StatusUnauthorized, "unauthorized", "")
			apiWantError(t, "other key", a.apiCall(http.MethodGet, "/api/v1/orders/NOPE-1", key2, ""), http.StatusNotFound, "not_found", "")

			// The OpenAPI document needs no key.
			if r := a.apiCall(http.MethodGet, "/api/v1/openapi.json", "", ""); r.Status != http.StatusOK || !json.Valid([]byte(r.Body)) {
				t.Fatalf("openapi.json: %d", r.Status)
			}
		})
	}
}

func TestAPIPutAndGetOrder(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			a := newTestApp(t, d)
			anna := a.addStaff("anna@shop.example", "Anna Holm", "Florist", nil, false)
			a.addStaff("jonas@shop.example", "Jonas Berg", "Driver", nil, false)
			key := a.apiNewKey("web-shop")
			body := apiOrderBody("confirmed")

			r := a.apiCall(http.MethodPut, "/api/v1/orders/BQ-2001", key, body)
			if r.Status != http.StatusCreated {
				t.Fatalf("create: %d %s", r.Status, r.Body)
			}
			if loc := r.Header.Get("Location"); loc != "/api/v1/orders/BQ-2001" {
				t.Errorf("Location %q", loc)
			}
			o := r.order(t)
			placed := time.Date(2026, 11, 20, 8, 15, 0, 0, time.UTC)
			if o.Ref != "BQ-2001" || o.Status != "confirmed" || o.Customer != (api.Customer{Email: "ann@example.com", Name: "Ann Jensen", Locale: "da"}) ||
				len(o.Items) != 1 || o.Items[0] != (model.Item{Name: "Condolence bouquet, white", Quantity: 1}) ||
				o.Total != "499.00" || o.Currency != "DKK" || o.PlacedAt == nil || !o.PlacedAt.Equal(placed) ||
				o.ExpectedDelivery != "2026-11-22" || o.DeliveredAt != nil || o.Carrier != "PostNord" ||
				o.TrackingNumber != "00370712345" || o.TrackingURL != "https://tracking.example/00370712345" ||
				o.RecipientName != "Birthe Hansen" || o.Owner != (api.Owner{Name: anna.FullName, Title: anna.Title, Email: anna.Email}) ||
				o.Changed == nil || !*o.Changed || o.OwnerAssigned {
				t.Fatalf("created order:\n%s", r.Body)
			}
			if len(o.Timeline) != 2 || o.Timeline[0].Kind != "order_placed" || o.Timeline[1].Kind != "status_changed" ||
				o.Timeline[1].Data["status"] != "confirmed" || o.Timeline[1].Actor != (api.EventActor{Kind: "system", Name: "API key web-shop"}) ||
				o.Timeline[1].Text == "" || !o.Timeline[0].At.Equal(placed) {
				t.Fatalf("timeline:\n%s", r.Body)
			}

			// GET answers the same order (without the answer-only fields).
			g := a.apiCall(http.MethodGet, "/api/v1/orders/BQ-2001", key, "")
			if g.Status != http.StatusOK {
				t.Fatalf("get: %d %s", g.Status, g.Body)
			}
			var raw map[string]json.RawMessage
			_ = json.Unmarshal([]byte(g.Body), &raw)
			for _, f := range []string{"ref", "status", "customer", "items", "total", "currency", "placed_at", "expected_delivery",
				"delivered_at", "delivery_confirmed_by", "carrier", "tracking_number", "tracking_url", "recipient_name", "owner", "timeline"} {
				if _, ok := raw[f]; !ok {
					t.Errorf("GET lacks %q", f)
				}
			}
			if _, ok := raw["changed"]; ok {
				t.Error("GET says changed")
			}
			got := g.order(t)
			o.Changed = nil
			if mustJSON(t, got) != mustJSON(t, o) {
				t.Fatalf("GET differs from the PUT answer:\n%s\n%s", mustJSON(t, got), mustJSON(t, o))
			}

			// The same body again changes nothing: no event, no email, no row.
			before := a.apiCounts()
			a.clock.Add(time.Minute)
			r = a.apiCall(http.MethodPut, "/api/v1/orders/BQ-2001", key, body)
			if r.Status != http.StatusOK || r.order(t).Changed == nil || *r.order(t).Changed {
				t.Fatalf("repeat: %d %s", r.Status, r.Body)
			}
			if after := a.apiCounts(); after != before {
				t.Fatalf("repeated PUT wrote rows: %v → %v", before, after)
			}
			if u := r.order(t).UpdatedAt; !u.Equal(got.UpdatedAt) {
				t.Fatalf("repeated PUT touched the order: %v → %v", got.UpdatedAt, u)
			}

			// A changed body updates it: 200, changed, the owner handed over.
			r = a.apiCall(http.MethodPut, "/api/v1/orders/BQ-2001", key, apiOrderBody("processing", "carrier", "GLS", "owner_email", "JONAS@shop.example"))
			u := r.order(t)
			if r.Status != http.StatusOK || !*u.Changed || u.Status != "processing" || u.Carrier != "GLS" || u.Owner.Name != "Jonas Berg" || u.OwnerAssigned {
				t.Fatalf("update: %d %s", r.Status, r.Body)
			}
			if a.apiCounts() == before {
				t.Fatal("update wrote nothing")
			}
			// The timeline is the customer's: the staff-only audit of changed
			// details stays out.
			all, _ := a.store.OrderEvents(context.Background(), mustOrderID(t, a, "BQ-2001"), false)
			staffOnly := 0
			for _, e := range all {
				if !e.CustomerVisible {
					staffOnly++
				}
			}
			if staffOnly == 0 || len(u.Timeline) != len(all)-staffOnly {
				t.Fatalf("timeline has %d entries; the order has %d events, %d of them staff-only", len(u.Timeline), len(all), staffOnly)
			}
			// The answer to a replacement is the order as GET shows it, the
			// customer's new name included.
			r = a.apiCall(http.MethodPut, "/api/v1/orders/BQ-2001", key, strings.Replace(apiOrderBody("processing", "carrier", "GLS"), "Ann Jensen", "Ann Jensen-Holm", 1))
			u = r.order(t)
			g = a.apiCall(http.MethodGet, "/api/v1/orders/BQ-2001", key, "")
			u.Changed = nil
			if r.Status != http.StatusOK || u.Customer.Name != "Ann Jensen-Holm" || mustJSON(t, u) != mustJSON(t, g.order(t)) {
				t.Fatalf("replacement answer differs from GET:\n%s\n%s", r.Body, g.Body)
			}
		})
	}
}

func mustOrderID(t testing.TB, a *testApp, ref string) int64 {
	t.Helper()
	o, err := a.store.OrderByRef(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAPIOwnerAssigned(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			a := newTestApp(t, d)
			a.addStaff("anna@shop.example", "Anna Holm", "Florist", nil, false)
			gone := a.addStaff("old@shop.example", "Olle Gammal", "Florist", nil, false)
			if err := a.store.SetStaffActive(context.Background(), gone.ID, false); err != nil {
				t.Fatal(err)
			}
			key := a.apiNewKey("web-shop")
			for i, owner := range []string{"nobody@shop.example", "old@shop.example"} {
				ref := "BQ-30" + strconv.Itoa(i)
				body := apiOrderBody("received", "owner_email", owner)
				for try, want := range []int{http.StatusCreated, http.StatusOK} {
					r := a.apiCall(http.MethodPut, "/api/v1/orders/"+ref, key, body)
					o := r.order(t)
					if r.Status != want || o.Owner.Name != "Anna Holm" || !o.OwnerAssigned || !strings.Contains(o.Note, owner) ||
						!strings.Contains(o.Note, "Anna Holm") {
						t.Fatalf("owner_email %s, try %d: %d %s", owner, try+1, r.Status, r.Body)
					}
				}
			}
			// No owner_email: the rule picks one, and nothing needs saying.
			r := a.apiCall(http.MethodPut, "/api/v1/orders/BQ-310", key, apiOrderBody("received", "owner_email", ""))
			if o := r.order(t); r.Status != http.StatusCreated || o.Owner.Name != "Anna Holm" || o.OwnerAssigned || o.Note != "" {
				t.Fatalf("no owner_email: %d %s", r.Status, r.Body)
			}
		})
	}
}

func TestAPIErrors(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			a := newTestApp(t, d)
			_, _, order := a.seed() // BQ-1001, confirmed, Ann's
			key := a.apiNewKey("web-shop")
			if r := a.apiCall(http.MethodPost, "/api/v1/orders/BQ-1001/status", key, `{"status": "delivered"}`); r.Status != http.StatusOK {
				t.Fatalf("deliver: %d %s", r.Status, r.Body)
			}
			ok := `"customer": {"email": "ann@example.com"}, "status": "received"`
			for _, tc := range []struct {
				name, method, path, body string
				status                   int
				code, field              string
			}{
				{"syntax", "PUT", "/api/v1/orders/N-1", `{"status": `, 400, "bad_request", ""},
				{"trailing garbage", "PUT", "/api/v1/orders/N-1", `{` + ok + `} {"x": 1}`, 400, "bad_request", ""},
				{"an array", "PUT", "/api/v1/orders/N-1", `[{` + ok + `}]`, 400, "bad_request", ""},
				{"a string", "PUT", "/api/v1/orders/N-1", `"order"`, 400, "bad_request", ""},
				{"empty body", "PUT", "/api/v1/orders/N-1", ``, 400, "bad_request", ""},
				{"status body malformed", "POST", "/api/v1/orders/BQ-1001/status", `{"status": "delivered"`, 400, "bad_request", ""},
				{"quantity abc", "PUT", "/api/v1/orders/N-1", `{` + ok + `, "items": [{"name": "Roses", "quantity": "abc"}]}`, 422, "invalid", "items[0].quantity"},
				{"quantity negative", "PUT", "/api/v1/orders/N-1", `{` + ok + `, "items": [{"name": "Roses", "quantity": -2}]}`, 422, "invalid", "items[0].quantity"},
				{"unknown field", "PUT", "/api/v1/orders/N-1", `{` + ok + `, "colour": "white"}`, 422, "invalid", "colour"},
				{"unknown customer field", "PUT", "/api/v1/orders/N-1", `{"customer": {"email": "ann@example.com", "mobile": "1"}, "status": "received"}`, 422, "invalid", "customer.mobile"},
				{"bad email", "PUT", "/api/v1/orders/N-1", `{"customer": {"email": "ann at example"}, "status": "received"}`, 422, "invalid", "customer.email"},
				{"bad status", "PUT", "/api/v1/orders/N-1", `{"customer": {"email": "ann@example.com"}, "status": "lost"}`, 422, "invalid", "status"},
				{"bad date", "PUT", "/api/v1/orders/N-1", `{` + ok + `, "expected_delivery": "22/11"}`, 422, "invalid", "expected_delivery"},
				{"bad placed_at", "PUT", "/api/v1/orders/N-1", `{` + ok + `, "placed_at": "yesterday"}`, 422, "invalid", "placed_at"},
				{"too many decimals", "PUT", "/api/v1/orders/N-1", `{` + ok + `, "total": 499.001, "currency": "DKK"}`, 422, "invalid", "total"},
				{"bad ref", "PUT", "/api/v1/orders/N%25-1", `{` + ok + `}`, 422, "invalid", "ref"},
				{"another customer", "PUT", "/api/v1/orders/BQ-1001", `{"customer": {"email": "someone@else.example"}, "status": "delivered"}`, 422, "invalid", "customer.email"},
				{"backwards by PUT", "PUT", "/api/v1/orders/BQ-1001", `{"customer": {"email": "ann@example.com"}, "status": "shipped"}`, 422, "invalid", "status"},
				{"backwards without note", "POST", "/api/v1/orders/BQ-1001/status", `{"status": "shipped"}`, 422, "invalid", "note"},
				{"unknown status", "POST", "/api/v1/orders/BQ-1001/status", `{"status": "teleported"}`, 422, "invalid", "status"},
				{"status in the future", "POST", "/api/v1/orders/BQ-1001/status", `{"status": "delivered", "note": "again", "at": "2027-01-01T00:00:00Z"}`, 422, "invalid", "at"},
				{"unknown status field", "POST", "/api/v1/orders/BQ-1001/status", `{"status": "delivered", "by": "me"}`, 422, "invalid", "by"},
				{"get unknown", "GET", "/api/v1/orders/N-404", ``, 404, "not_found", ""},
				{"status of unknown", "POST", "/api/v1/orders/N-404/status", `{"status": "shipped"}`, 404, "not_found", ""},
				{"method not allowed", "DELETE", "/api/v1/orders/BQ-1001", ``, 405, "method_not_allowed", ""},
			} {
				before := a.apiCounts()
				o, _ := a.store.OrderByRef(context.Background(), order.Ref)
				r := a.apiCall(tc.method, tc.path, key, tc.body)
				apiWantError(t, tc.name, r, tc.status, tc.code, tc.field)
				if after := a.apiCounts(); after != before {
					t.Errorf("%s: the refused request wrote rows: %v → %v", tc.name, before, after)
				}
				if o2, _ := a.store.OrderByRef(context.Background(), order.Ref); o2.Status != o.Status || !o2.UpdatedAt.Equal(o.UpdatedAt) {
					t.Errorf("%s: the refused request changed the order", tc.name)
				}
			}
			// The other customer of the refused replacement was not created either.
			if _, err := a.store.CustomerByEmail(context.Background(), "someone@else.example"); err == nil {
				t.Error("a refused request created a customer")
			}
		})
	}
}

func TestAPIBodyTooLarge(t *testing.T) {
	a := newTestApp(t, "sqlite")
	key := a.apiNewKey("web-shop")
	big := `{"customer": {"email": "ann@example.com"}, "status": "received", "carrier": "` + strings.Repeat("x", maxBody) + `"}`
	// Declared length over the limit: refused before reading.
	apiWantError(t, "Content-Length", a.apiCall(http.MethodPut, "/api/v1/orders/BIG-1", key, big), http.StatusRequestEntityTooLarge, "too_large", "")
	// Chunked, no length: refused when reading passes the limit.
	for _, path := range []string{"/api/v1/orders/BIG-1", "/api/v1/orders/BIG-1/status"} {
		method := http.MethodPut
		if strings.HasSuffix(path, "/status") {
			method = http.MethodPost
		}
		req, _ := http.NewRequest(method, a.http.URL+path, io.MultiReader(strings.NewReader(big)))
		req.Header.Set("Authorization", "Bearer "+key)
		if req.ContentLength != 0 {
			t.Fatal("the request should have no length")
		}
		apiWantError(t, "chunked "+path, a.apiSend(req), http.StatusRequestEntityTooLarge, "too_large", "")
	}
	if n := a.apiCounts(); n[0] != 0 {
		t.Fatalf("a refused body created %d orders", n[0])
	}
	// Just under the limit is read (and then judged on its content).
	ok := `{"customer": {"email": "ann@example.com"}, "status": "received", "carrier": "x"}`
	apiWantError(t, "under the limit", a.apiCall(http.MethodPut, "/api/v1/orders/BIG-1", key, ok+strings.Repeat(" ", maxBody-len(ok)-1)+"x"),
		http.StatusBadRequest, "bad_request", "")
}

func TestAPINotices(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			a := newTestApp(t, d)
			a.addStaff("anna@shop.example", "Anna Holm", "Florist", nil, false)
			key := a.apiNewKey("web-shop")
			cust := "ann@example.com"

			// Created as shipped: one shipping notice, no delivery confirmation.
			if r := a.apiCall(http.MethodPut, "/api/v1/orders/S-1", key, apiOrderBody("shipped")); r.Status != http.StatusCreated {
				t.Fatalf("create shipped: %d %s", r.Status, r.Body)
			}
			if n, m := len(a.outboxTo(notify.OrderShipped, cust)), len(a.outboxTo(notify.DeliveryConfirmation, cust)); n != 1 || m != 0 {
				t.Fatalf("after a shipped order: %d shipping notices, %d confirmations; want 1 and 0", n, m)
			}
			// Created as delivered: the delivery confirmation, confirmed by the key.
			r := a.apiCall(http.MethodPut, "/api/v1/orders/D-1", key, apiOrderBody("delivered"))
			o := r.order(t)
			if r.Status != http.StatusCreated || o.DeliveredAt == nil || o.DeliveryConfirmedBy != "Blomsterhuset" || o.RecipientName != "Birthe Hansen" {
				t.Fatalf("create delivered: %d %s", r.Status, r.Body)
			}
			conf := a.outboxTo(notify.DeliveryConfirmation, cust)
			if len(conf) != 1 || conf[0].Data["order_ref"] != "D-1" || conf[0].Data["recipient_name"] != "Birthe Hansen" || conf[0].Locale != "da" {
				t.Fatalf("confirmations after a delivered order: %+v", conf)
			}

			// POST delivered on the shipped one, twice: one confirmation.
			at := "2026-11-20T08:30:00Z"
			for i := 0; i < 2; i++ {
				r := a.apiCall(http.MethodPost, "/api/v1/orders/S-1/status", key, `{"status": "delivered", "at": "`+at+`", "recipient_name": "Birthe Hansen"}`)
				o := r.order(t)
				if r.Status != http.StatusOK || o.Status != "delivered" || o.DeliveredAt == nil || o.DeliveredAt.Format(time.RFC3339) != at ||
					o.DeliveryConfirmedBy != "Blomsterhuset" || *o.Changed != (i == 0) {
					t.Fatalf("deliver #%d: %d %s", i+1, r.Status, r.Body)
				}
				a.clock.Add(time.Minute)
			}
			if conf := a.outboxTo(notify.DeliveryConfirmation, cust); len(conf) != 2 {
				t.Fatalf("%d delivery confirmations for two orders delivered (one of them posted twice), want 2", len(conf))
			}
			// Backwards with a note: allowed, and the timeline says why.
			r = a.apiCall(http.MethodPost, "/api/v1/orders/S-1/status", key, `{"status": "shipped", "note": "The driver took it back: wrong address"}`)
			o = r.order(t)
			last := o.Timeline[len(o.Timeline)-1]
			if r.Status != http.StatusOK || o.Status != "shipped" || o.DeliveredAt != nil || last.Data["note"] == "" || !strings.Contains(last.Text, "wrong address") {
				t.Fatalf("backwards with a note: %d %s", r.Status, r.Body)
			}
		})
	}
}

func TestAPIRateLimit(t *testing.T) {
	a := newTestApp(t, "sqlite") // the clock stands still: no token comes back by itself
	key, other := a.apiNewKey("web-shop"), a.apiNewKey("warehouse")
	for i := 0; i < api.KeyBurst; i++ {
		if r := a.apiCall(http.MethodGet, "/api/v1/orders/R-1", key, ""); r.Status != http.StatusNotFound {
			t.Fatalf("request %d within the burst: %d %s", i+1, r.Status, r.Body)
		}
	}
	r := a.apiCall(http.MethodGet, "/api/v1/orders/R-1", key, "")
	apiWantError(t, "past the burst", r, http.StatusTooManyRequests, "rate_limited", "")
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// Per key: another key is not held back.
	apiWantError(t, "other key", a.apiCall(http.MethodGet, "/api/v1/orders/R-1", other, ""), http.StatusNotFound, "not_found", "")
	// After the wait, the key may call again.
	a.clock.Add(time.Second)
	apiWantError(t, "after Retry-After", a.apiCall(http.MethodGet, "/api/v1/orders/R-1", key, ""), http.StatusNotFound, "not_found", "")

	// Wrong keys are limited per client address, then answered 429.
	for i := 0; i < api.BadKeyBurst; i++ {
		apiWantError(t, "wrong key", a.apiCall(http.MethodGet, "/api/v1/orders/R-1", "kedja_guess", ""), http.StatusUnauthorized, "unauthorized", "")
	}
	r = a.apiCall(http.MethodGet, "/api/v1/orders/R-1", "kedja_guess", "")
	apiWantError(t, "guessing", r, http.StatusTooManyRequests, "rate_limited", "")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// A good key from the same address still gets through.
	apiWantError(t, "good key while guessing", a.apiCall(http.MethodGet, "/api/v1/orders/R-1", key, ""), http.StatusNotFound, "not_found", "")
}

func TestAPIWithoutStaff(t *testing.T) {
	a := newTestApp(t, "sqlite")
	key := a.apiNewKey("web-shop")
	r := a.apiCall(http.MethodPut, "/api/v1/orders/NS-1", key, apiOrderBody("received"))
	apiWantError(t, "no staff to own it", r, http.StatusUnprocessableEntity, "invalid", "owner_email")
	if !strings.Contains(r.Body, "kedja staff add") {
		t.Fatalf("the error does not say how to fix it: %s", r.Body)
	}
	if n := a.apiCounts(); n != [4]int{} {
		t.Fatalf("a refused order wrote rows: %v", n)
	}
}
