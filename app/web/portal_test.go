package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/testenv"
)

func portalHas(t *testing.T, where, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: missing %q", where, w)
		}
	}
}

func portalLacks(t *testing.T, where, body string, nots ...string) {
	t.Helper()
	for _, n := range nots {
		if strings.Contains(body, n) {
			t.Errorf("%s: must not contain %q", where, n)
		}
	}
}

func TestPortalPages(t *testing.T) {
	w := newPortalWorld(t, "sqlite")
	ann := w.signedIn(w.ann)

	r := ann.get("/")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d", r.StatusCode)
	}
	// Ann reads Danish (from her order data).
	portalHas(t, "dashboard", r.Body, `<html lang="da">`, "Ordre BQ-1001", "Afsendt", "Din kontaktperson: Anna Holm",
		"Med PostNord, forventes tirsdag den 24. november", "Invoice copy", "Anna Holm svarer senest i morgen kl. 10.00",
		`sse-connect="/events"`, `hx-trigger="sse:dashboard"`)
	portalLacks(t, "dashboard", r.Body, "BQ-2002", "Bob", "secret")

	r = ann.get("/orders/BQ-1001")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("order: %d", r.StatusCode)
	}
	portalHas(t, "order", r.Body, "Condolence bouquet, white", "1.250,00\u00a0DKK", "Anna Holm", "Florist",
		"anna@shop.example", "&#43;45 55 66 77 88", "Leder: Birgit Lund", "PostNord", "https://tracking.example/00370712345",
		"Birthe Hansen", "Ordren blev afgivet", "Spørg om ordren", "Eskalér til en leder", `hx-trigger="sse:order:BQ-1001"`)

	r = ann.get("/inquiries/" + strconv.FormatInt(w.annQ.ID, 10))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("inquiry: %d", r.StatusCode)
	}
	portalHas(t, "inquiry", r.Body, "Please send the invoice again.", "Anna Holm", "Venter på vores svar",
		"Spørgsmålet er modtaget; Anna Holm tager sig af det", `name="body"`)

	// A live update gets only the fragment.
	r = ann.htmxGet("/orders/BQ-1001")
	if strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, `id="order-live"`) {
		t.Errorf("htmx order fragment: %.200s", r.Body)
	}

	r = ann.get("/inquiries/new?order=BQ-1001")
	portalHas(t, "ask page", r.Body, "Stil et spørgsmål", `<option value="BQ-1001" selected>`, `name="subject"`, `name="body"`)
	portalLacks(t, "ask page", r.Body, "BQ-2002")

	r = ann.get("/me")
	portalHas(t, "me", r.Body, "Det ved vi om dig", "TV box serial", "SN-1234", "Ann Jensen", `action="/signout-everywhere"`)
	portalLacks(t, "me", r.Body, "BOB-SECRET-CARD")
}

func TestPortalStaffMessagesShowNameAndTitleButNoNotes(t *testing.T) {
	w := newPortalWorld(t, "sqlite")
	ctx := context.Background()
	now := model.Normalize(w.app.clock.Now())
	for _, m := range []*model.Message{
		{InquiryID: w.annQ.ID, AuthorKind: model.AuthorStaff, AuthorStaffID: &w.anna.ID, Body: "Here it is.", CreatedAt: now},
		{InquiryID: w.annQ.ID, AuthorKind: model.AuthorStaff, AuthorStaffID: &w.anna.ID, Body: "INTERNAL: wrong invoice twice", Internal: true, CreatedAt: now},
	} {
		if err := w.app.store.InsertMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	hidden := &model.Event{CustomerID: w.ann.ID, InquiryID: &w.annQ.ID, Kind: "note_added", ActorKind: model.ActorStaff,
		ActorName: "Anna Holm", Data: map[string]string{"note": "HIDDEN-EVENT"}, CreatedAt: now}
	handoff := &model.Event{CustomerID: w.ann.ID, InquiryID: &w.annQ.ID, Kind: "handoff", ActorKind: model.ActorSystem,
		Data: map[string]string{"from": "Anna Holm", "to": "Jonas Berg", "to_title": "Florist"}, CustomerVisible: true, CreatedAt: now}
	for _, e := range []*model.Event{hidden, handoff} {
		if err := w.app.store.InsertEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	r := w.signedIn(w.ann).get("/inquiries/" + strconv.FormatInt(w.annQ.ID, 10))
	portalHas(t, "inquiry", r.Body, "Here it is.", "Anna Holm<span class=\"muted\">, Florist</span>",
		"Givet videre fra Anna Holm til Jonas Berg, Florist")
	portalLacks(t, "inquiry", r.Body, "INTERNAL", "HIDDEN-EVENT")
}

// TestPortalScoping: every customer route answers 404 for another
// customer's order, inquiry or fact, and changes nothing.
func TestPortalScoping(t *testing.T) {
	for _, dialect := range testenv.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			w := newPortalWorld(t, dialect)
			ann := w.signedIn(w.ann)
			bobQ := strconv.FormatInt(w.bobQ.ID, 10)
			bobFact := strconv.FormatInt(w.bobFact.ID, 10)
			before, facts := w.counts(t), w.factValues(t)
			for _, tc := range []struct {
				method, path string
				form         url.Values
			}{
				{"GET", "/orders/BQ-2002", nil},
				{"GET", "/inquiries/" + bobQ, nil},
				{"POST", "/inquiries/" + bobQ + "/messages", url.Values{"body": {"hijack"}}},
				{"POST", "/inquiries/" + bobQ + "/escalate", url.Values{"reason": {"x"}}},
				{"POST", "/orders/BQ-2002/escalate", url.Values{"reason": {"x"}}},
				{"POST", "/inquiries", url.Values{"subject": {"s"}, "body": {"b"}, "order_ref": {"BQ-2002"}}},
				{"POST", "/me/facts/" + bobFact, url.Values{"value": {"overwritten"}}},
				{"GET", "/orders/NO-SUCH", nil},
				{"GET", "/inquiries/999999", nil},
				{"GET", "/inquiries/abc", nil},
			} {
				var r *response
				if tc.method == "GET" {
					r = ann.get(tc.path)
				} else {
					r = ann.post(tc.path, tc.form)
				}
				if r.StatusCode != http.StatusNotFound {
					t.Errorf("%s %s: %d, want 404", tc.method, tc.path, r.StatusCode)
				}
				portalLacks(t, tc.path, r.Body, "secret", "BOB-SECRET", "Jonas")
			}
			after := w.counts(t)
			for k, v := range before {
				if after[k] != v {
					t.Errorf("%s: %d rows, was %d", k, after[k], v)
				}
			}
			if got := w.factValues(t); got != facts {
				t.Errorf("facts changed: %s -> %s", facts, got)
			}
			// Anonymous visitors are sent to sign in, and posts are refused.
			anon := w.app.client()
			if r := anon.get("/orders/BQ-1001"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
				t.Errorf("anonymous order page: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			if r := anon.post("/orders/BQ-1001/escalate", nil); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("anonymous escalate: %d", r.StatusCode)
			}
			if r := anon.get("/events"); r.StatusCode != http.StatusSeeOther {
				t.Errorf("anonymous events: %d", r.StatusCode)
			}
			// Without the CSRF token nothing happens.
			req, _ := http.NewRequest(http.MethodPost, w.app.http.URL+"/orders/BQ-1001/escalate", strings.NewReader(""))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if r := ann.do(req); r.StatusCode != http.StatusForbidden {
				t.Errorf("escalate without token: %d", r.StatusCode)
			}
			if got := w.counts(t)["escalations"]; got != before["escalations"] {
				t.Errorf("escalations changed without a token")
			}
		})
	}
}

// TestPortalEscalateDoubleSubmit: two tabs escalating at the same moment
// make one escalation and one email; the page then names the manager.
func TestPortalEscalateDoubleSubmit(t *testing.T) {
	for _, dialect := range testenv.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			w := newPortalWorld(t, dialect)
			ann := w.signedIn(w.ann)
			ann.csrf()
			before := w.counts(t)
			var wg sync.WaitGroup
			codes := make([]int, 6)
			for i := range codes {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					codes[i] = ann.post("/orders/BQ-1001/escalate", url.Values{"reason": {"No delivery email"}}).StatusCode
				}(i)
			}
			wg.Wait()
			for i, c := range codes {
				if c != http.StatusSeeOther {
					t.Errorf("submit %d: %d", i, c)
				}
			}
			after := w.counts(t)
			if after["escalations"] != before["escalations"]+1 || after["outbox"] != before["outbox"]+1 {
				t.Errorf("escalations %d->%d, mail %d->%d", before["escalations"], after["escalations"], before["outbox"], after["outbox"])
			}
			r := ann.get("/orders/BQ-1001")
			portalHas(t, "order after escalation", r.Body, "Eskaleret til Birgit Lund, Butikschef, i dag kl. 10.00",
				"Birgit har fået besked, men har ikke bekræftet endnu.")
			portalLacks(t, "order after escalation", r.Body, "Eskalér til en leder</button>")
			list, err := w.app.store.ListOutbox(context.Background(), "", 100)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, m := range list {
				if m.Template == "escalation_manager" {
					found = m.ToEmail == "birgit@shop.example" && m.Data["path"] == "/admin/orders/BQ-1001"
				}
			}
			if !found {
				t.Error("no escalation email to the manager")
			}
			// htmx escalation of the inquiry returns the live fragment.
			r = ann.htmxPost("/inquiries/"+strconv.FormatInt(w.annQ.ID, 10)+"/escalate", nil)
			if r.StatusCode != http.StatusOK || strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, "Eskaleret til Birgit Lund") {
				t.Errorf("htmx escalate: %d %.300s", r.StatusCode, r.Body)
			}
		})
	}
}

func TestPortalAskValidationKeepsText(t *testing.T) {
	w := newPortalWorld(t, "sqlite")
	ann := w.signedIn(w.ann)
	before := w.counts(t)
	r := ann.post("/inquiries", url.Values{"subject": {"  "}, "body": {"My typed <text> stays"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty subject: %d", r.StatusCode)
	}
	portalHas(t, "ask form", r.Body, "My typed &lt;text&gt; stays", "Skriv et kort emne", `aria-invalid="true"`)
	// From the order page, the order page comes back with the form filled.
	r = ann.post("/inquiries", url.Values{"subject": {"Where is it?"}, "body": {""}, "order_ref": {"BQ-1001"}, "from": {"order"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty body: %d", r.StatusCode)
	}
	portalHas(t, "order ask form", r.Body, `value="Where is it?"`, "Skriv din besked først.", "Condolence bouquet")
	if after := w.counts(t); after["inquiries"] != before["inquiries"] {
		t.Error("an invalid question was saved")
	}
	// A valid one opens, owned by the order's owner, and shows.
	r = ann.post("/inquiries", url.Values{"subject": {"Where is it?"}, "body": {"It has not come."}, "order_ref": {"BQ-1001"}, "from": {"order"}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/inquiries/") {
		t.Fatalf("ask: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	r = ann.get(r.Header.Get("Location"))
	portalHas(t, "new inquiry", r.Body, "Where is it?", "It has not come.", "Anna Holm", "Ordre BQ-1001")
	// The order's timeline mentions it.
	r = ann.get("/orders/BQ-1001")
	portalHas(t, "order", r.Body, "Du spurgte: »Where is it?«")
}

func TestPortalReplyReopens(t *testing.T) {
	w := newPortalWorld(t, "sqlite")
	ctx := context.Background()
	q := w.annQ
	q.Status = model.InquiryResolved
	if err := w.app.store.UpdateInquiry(ctx, q); err != nil {
		t.Fatal(err)
	}
	ann := w.signedIn(w.ann)
	path := "/inquiries/" + strconv.FormatInt(q.ID, 10)
	r := ann.get(path)
	portalHas(t, "resolved", r.Body, "Løst", "Hvis du svarer, bliver det åbnet igen.")
	// An empty reply comes back with its error.
	r = ann.post(path+"/messages", url.Values{"body": {"   "}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty reply: %d", r.StatusCode)
	}
	r = ann.post(path+"/messages", url.Values{"body": {"Still the wrong invoice."}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d", r.StatusCode)
	}
	got, err := w.app.store.InquiryForCustomer(ctx, w.ann.ID, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != model.InquiryOpen || got.ReplyDueAt == nil {
		t.Errorf("after reply: %s %v", got.Status, got.ReplyDueAt)
	}
	r = ann.get(path)
	portalHas(t, "reopened", r.Body, "Still the wrong invoice.", "Genåbnet", "Venter på vores svar")
	// htmx reply: an empty box and the conversation out of band.
	r = ann.htmxPost(path+"/messages", map[string]string{"body": "One more thing."})
	portalHas(t, "htmx reply", r.Body, `id="reply"`, `hx-swap-oob="true"`, "One more thing.")
}

func TestPortalMe(t *testing.T) {
	w := newPortalWorld(t, "sqlite")
	ann := w.signedIn(w.ann)
	fact := strconv.FormatInt(w.annFact.ID, 10)
	r := ann.post("/me/facts/"+fact, url.Values{"value": {"SN-9999"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("correct fact: %d", r.StatusCode)
	}
	r = ann.get("/me?saved=1")
	portalHas(t, "me", r.Body, "SN-9999", "Senest ændret af dig")
	r = ann.post("/me", url.Values{"name": {""}, "locale": {"sv"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty name: %d", r.StatusCode)
	}
	r = ann.post("/me", url.Values{"name": {"Ann B. Jensen"}, "locale": {"sv"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", r.StatusCode)
	}
	c, err := w.app.store.CustomerByID(context.Background(), w.ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Ann B. Jensen" || c.Locale != "sv" || !c.LocaleSet {
		t.Errorf("customer = %+v", c)
	}
	r = ann.get("/")
	portalHas(t, "dashboard in sv", r.Body, `<html lang="sv">`, "Hej Ann B. Jensen", "Beställning BQ-1001")
}

func TestPortalLanguageSwitch(t *testing.T) {
	w := newPortalWorld(t, "sqlite")
	// A visitor: remembered in a cookie.
	v := w.app.client()
	r := v.post("/lang", url.Values{"lang": {"nl"}, "next": {"/login"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
		t.Fatalf("switch: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if r := v.get("/login"); !strings.Contains(r.Body, `<html lang="nl">`) {
		t.Error("the visitor's choice was not remembered")
	}
	if r := v.post("/lang", url.Values{"lang": {"xx"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown language: %d", r.StatusCode)
	}
	// Off-site next is ignored.
	if r := v.post("/lang", url.Values{"lang": {"sv"}, "next": {"//evil.example"}}); r.Header.Get("Location") != "/" {
		t.Errorf("open redirect: %s", r.Header.Get("Location"))
	}
	// Signed in: stored on the customer, so it follows them to other devices.
	ann := w.signedIn(w.ann)
	ann.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}})
	c, _ := w.app.store.CustomerByID(context.Background(), w.ann.ID)
	if c.Locale != "en" || !c.LocaleSet {
		t.Errorf("customer locale = %q set=%v", c.Locale, c.LocaleSet)
	}
	other := w.signedIn(w.ann)
	if r := other.get("/"); !strings.Contains(r.Body, `<html lang="en">`) || !strings.Contains(r.Body, "Order BQ-1001") {
		t.Error("the choice did not follow the customer to another browser")
	}
}
