package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

// TestPromisesThroughThePages walks a promise through the staff and
// customer pages: a reply with a promise and its one-click deadline, the
// customer's page naming it, a deadline moved with a reason, a refused and
// an accepted resolve, "Did this solve it?" from the mail link (the GET
// asks, the POST acts), "not solved" back with the manager, and the staff
// views of promises and late orders.
func TestPromisesThroughThePages(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			w := newPortalWorld(t, d)
			a := w.app
			ctx := context.Background()
			staff := a.client()
			staff.signIn(w.anna.Email, true)
			ann := w.signedIn(w.ann)
			q := strconv.FormatInt(w.annQ.ID, 10)
			path := "/admin/inquiries/" + q

			page := staff.get(path)
			// One-click deadlines: the reply-time target and tomorrow 12:00.
			mustContain(t, page.Body, `name="next" value="staff"`, "reply-time target: Sat 21 Nov 10:00", "tomorrow 12:00: Sat 21 Nov 12:00",
				`type="datetime-local"`, `name="_csrf"`)
			r := staff.post(path+"/reply", form("body", "I have asked accounting.", "next", "staff", "what", "send the invoice copy", "due", "tomorrow"))
			wantRedirect(t, "reply with a promise", r, path+"?done=replied")
			next, err := a.store.NextStep(ctx, store.InquiryCase(w.annQ.ID))
			tomorrowNoon := time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC) // 12:00 in Copenhagen
			if err != nil || next.Kind != model.PromiseAction || next.What != "send the invoice copy" || !next.DueAt.Equal(tomorrowNoon) {
				t.Fatalf("next step: %+v %v", next, err)
			}
			if m := a.outboxTo(notify.StaffReply, w.ann.Email); len(m) != 1 || m[0].Data["next_what"] != "send the invoice copy" {
				t.Fatalf("reply mail: %+v", m)
			}
			// A promise needs a deadline.
			wantStatus(t, "no deadline", staff.post(path+"/reply", form("body", "x", "next", "staff", "due", "pick", "due_at", "")),
				http.StatusUnprocessableEntity)

			cust := ann.get("/inquiries/" + q)
			mustContain(t, cust.Body, "Anna Holm har lovet: »send the invoice copy«, senest i morgen kl. 12.00", `id="next-step"`)
			mustContain(t, ann.get("/").Body, "Anna Holm har lovet")

			// Moving it needs a reason; the customer is emailed it.
			wantStatus(t, "move without reason", staff.post(path+"/move", form("move_due_at", "2026-11-23T12:00", "move_what", "send the invoice copy")),
				http.StatusUnprocessableEntity)
			wantRedirect(t, "move", staff.post(path+"/move", form("move_due_at", "2026-11-23T12:00", "move_what", "send the invoice copy",
				"reason", "Accounting is closed until Monday.")), path+"?done=moved")
			if m := a.outboxTo(notify.PromiseMoved, w.ann.Email); len(m) != 1 || m[0].Data["reason"] != "Accounting is closed until Monday." {
				t.Fatalf("moved mail: %+v", m)
			}
			mustContain(t, ann.get("/inquiries/"+q).Body, "Fristen er flyttet til", "Accounting is closed until Monday.")

			// Resolving needs an answer.
			wantStatus(t, "resolve without an answer", staff.post(path+"/resolve", form("answer", " ")), http.StatusUnprocessableEntity)
			wantRedirect(t, "resolve", staff.post(path+"/resolve", form("answer", "The copy is attached to your order.")), path+"?done=resolved")
			cust = ann.get("/inquiries/" + q)
			mustContain(t, cust.Body, "Løste dette det?", `name="solved" value="yes"`, `action="/inquiries/`+q+`/reopen"`,
				"The copy is attached to your order.")

			// The mail's "not solved" link asks first; nothing is recorded.
			before := w.counts(t)
			confirm := ann.get("/inquiries/" + q + "/feedback?solved=no")
			if confirm.StatusCode != http.StatusOK || !strings.Contains(confirm.Body, "Sagen åbnes igen") {
				t.Fatalf("confirm page: %d\n%s", confirm.StatusCode, confirm.Body)
			}
			if after := w.counts(t); after["timeline_events"] != before["timeline_events"] {
				t.Fatal("the GET recorded something")
			}
			if r := w.signedIn(w.bob).post("/inquiries/"+q+"/feedback", form("solved", "no")); r.StatusCode != http.StatusNotFound {
				t.Errorf("another customer's feedback: %d", r.StatusCode)
			}
			wantRedirect(t, "not solved", ann.post("/inquiries/"+q+"/feedback", form("solved", "no", "comment", "Still the wrong one.")),
				"/inquiries/"+q+"#feedback")
			got, _ := a.store.InquiryByID(ctx, w.annQ.ID)
			e, err := a.store.OpenEscalation(ctx, model.InquirySubject(w.annQ.ID))
			if got.Status != model.InquiryOpen || err != nil || e.Cause != model.CauseNotSolved || e.ManagerID != w.boss.ID {
				t.Fatalf("after not solved: %s %+v %v", got.Status, e, err)
			}
			mustContain(t, ann.get("/inquiries/"+q).Body, "Birgit Lund har nu din sag og svarer senest")
			staff.signIn(w.boss.Email, true)
			mustContain(t, staff.get("/admin/escalations").Body, "Not solved", "Still the wrong one.")

			// The staff views.
			mustContain(t, staff.get("/admin/promises").Body, "Birgit Lund", "Answer the escalation")
			a.clock.Add(5 * 24 * time.Hour) // BQ-2002, expected 24 November, is late now
			staff = a.client()
			staff.signIn(w.boss.Email, true)
			late := staff.get("/admin/late-orders")
			mustContain(t, late.Body, "BQ-2002", "BQ-1001", "d late")
			mustContain(t, staff.get("/admin/counts").Body, `id="count-late"`, ">2<")
			mustContain(t, staff.get("/admin").Body, "Promises kept on time, last 30 days")
		})
	}
}

// TestThisDidNotArriveLink: the delivery confirmation links to a page that
// asks (a GET changes nothing); the POST opens an inquiry about the order
// held by its owner and shows it.
func TestThisDidNotArriveLink(t *testing.T) {
	w := newPortalWorld(t, "sqlite")
	a := w.app
	ctx := context.Background()
	ann := w.signedIn(w.ann)
	r := ann.get("/orders/BQ-1001/not-arrived")
	mustContain(t, r.Body, "Ordren er ikke meldt leveret endnu.")
	at := a.clock.Now().Add(-time.Hour)
	if _, _, err := a.orders.ChangeStatus(ctx, "BQ-1001", orders.Change{Status: model.OrderDelivered, At: &at, RecipientName: "Birthe Hansen"},
		model.StaffActor(w.anna)); err != nil {
		t.Fatal(err)
	}
	m := a.outboxTo(notify.DeliveryConfirmation, w.ann.Email)
	if len(m) != 1 || m[0].Data["not_arrived_path"] != "/orders/BQ-1001/not-arrived" {
		t.Fatalf("confirmation: %+v", m)
	}
	before := w.counts(t)
	r = ann.get("/orders/BQ-1001/not-arrived")
	mustContain(t, r.Body, "Kom ordre BQ-1001 ikke frem?", "Birthe Hansen", `action="/orders/BQ-1001/not-arrived"`, `name="_csrf"`)
	if after := w.counts(t); after["inquiries"] != before["inquiries"] {
		t.Fatal("the GET opened an inquiry")
	}
	mustContain(t, ann.get("/orders/BQ-1001").Body, `href="/orders/BQ-1001/not-arrived"`)
	if r := w.signedIn(w.bob).get("/orders/BQ-1001/not-arrived"); r.StatusCode != http.StatusNotFound {
		t.Errorf("another customer's order: %d", r.StatusCode)
	}
	r = ann.post("/orders/BQ-1001/not-arrived", nil)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/inquiries/") {
		t.Fatalf("post: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	page := ann.get(r.Header.Get("Location"))
	mustContain(t, page.Body, "BQ-1001 kom ikke frem", "Birthe Hansen", "Anna Holm svarer senest")
}
