package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/testenv"
)

// escalationWorld is the portal world plus a second team: Per Olsen reports
// to Mette Lund, a manager without the admin flag, and owns Bob's order
// BQ-3003. Ann's order is escalated (to Birgit Lund, Anna's manager and an
// admin), and so is Bob's (to Mette).
type escalationWorld struct {
	*portalWorld
	mette, per *model.Staff
	bobOrder3  *model.Order
	annEsc     *model.Escalation
	bobEsc     *model.Escalation
}

func newEscalationWorld(t *testing.T, dialect string) *escalationWorld {
	t.Helper()
	w := &escalationWorld{portalWorld: newPortalWorld(t, dialect)}
	a := w.app
	w.mette = a.addStaff("mette@shop.example", "Mette Lund", "Team lead", nil, false)
	w.per = a.addStaff("per@shop.example", "Per Olsen", "Driver", w.mette, false)
	w.bobOrder3 = a.addOrder("BQ-3003", w.bob, w.per, model.OrderShipped)
	w.annEsc = w.escalate(t, w.ann, escalations.Subject{OrderRef: "BQ-1001"}, "Nobody answers")
	w.bobEsc = w.escalate(t, w.bob, escalations.Subject{OrderRef: "BQ-3003"}, "Where is it?")
	if w.annEsc.ManagerID != w.boss.ID || w.bobEsc.ManagerID != w.mette.ID {
		t.Fatalf("escalations went to %d and %d", w.annEsc.ManagerID, w.bobEsc.ManagerID)
	}
	return w
}

func (w *escalationWorld) escalate(t *testing.T, c *model.Customer, sub escalations.Subject, reason string) *model.Escalation {
	t.Helper()
	e, _, err := w.app.escalations.Escalate(context.Background(), c.ID, sub, reason, model.CustomerActor(c))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (w *escalationWorld) escalation(t *testing.T, id int64) *model.Escalation {
	t.Helper()
	e, err := w.app.store.EscalationByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestAdminEscalationAcknowledgeResolve(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			w := newEscalationWorld(t, d)
			a := w.app
			boss := a.client()
			boss.signIn(w.boss.Email, true)
			ack := "/admin/escalations/" + itoa(w.annEsc.ID) + "/acknowledge"
			r := boss.get("/admin/escalations")
			mustContain(t, r.Body, `action="`+ack+`"`, "Nobody answers", `href="/admin/orders/BQ-1001#order-actions"`,
				`href="/admin/customers/`+itoa(w.ann.ID)+`?order=BQ-1001#open-inquiry"`, `href="/admin/inquiries/`+itoa(w.annQ.ID)+`#reply"`,
				`<label for="esc-to-`+itoa(w.annEsc.ID)+`">`)

			wantRedirect(t, "acknowledge", boss.post(ack, nil), "/admin/escalations?done=acknowledged")
			e := w.escalation(t, w.annEsc.ID)
			if e.State != model.EscalationAcknowledged || e.AcknowledgedAt == nil {
				t.Fatalf("after acknowledge: %+v", e)
			}
			mails := a.outboxTo(notify.EscalationAcknowledged, w.ann.Email)
			if len(mails) != 1 || mails[0].Locale != "da" || mails[0].Data["manager_name"] != "Birgit Lund" || mails[0].Data["path"] != "/orders/BQ-1001" {
				t.Fatalf("acknowledgement emails: %+v", mails)
			}
			evs := a.orderEvents(w.annOrder)
			last := evs[len(evs)-1]
			if last.Kind != model.EventEscalationAcknowledged || !last.CustomerVisible || last.ActorName != "Birgit Lund" || last.Data["manager"] != "Birgit Lund" {
				t.Fatalf("acknowledge event: %+v", last)
			}
			mustContain(t, boss.get("/admin/escalations?done=acknowledged").Body, "Acknowledged. The customer can see you have taken it.")
			mustContain(t, w.signedIn(w.ann).get("/orders/BQ-1001").Body, "Birgit Lund har taget sig af eskaleringen", "Birgit Lund tog sig af sagen")
			// Twice is once.
			wantRedirect(t, "acknowledge again", boss.post(ack, nil), "/admin/escalations?done=acknowledged")
			if n := len(a.outboxTo(notify.EscalationAcknowledged, w.ann.Email)); n != 1 {
				t.Fatalf("%d acknowledgement emails after a second click", n)
			}

			// Resolving from the order's page goes back there.
			page := boss.get("/admin/orders/BQ-1001").Body
			resolve := "/admin/escalations/" + itoa(w.annEsc.ID) + "/resolve"
			mustContain(t, page, `action="`+resolve+`"`, `name="next" value="/admin/orders/BQ-1001"`)
			wantRedirect(t, "resolve", boss.post(resolve, form("next", "/admin/orders/BQ-1001")), "/admin/orders/BQ-1001?done=escalation_resolved")
			if e := w.escalation(t, w.annEsc.ID); e.State != model.EscalationResolved || e.IsOpen {
				t.Fatalf("after resolve: %+v", e)
			}
			evs = a.orderEvents(w.annOrder)
			if last := evs[len(evs)-1]; last.Kind != model.EventEscalationResolved || last.ActorName != "Birgit Lund" {
				t.Fatalf("resolve event: %+v", last)
			}
			// Only local admin pages are places to go back to.
			qe := w.escalate(t, w.ann, escalations.Subject{InquiryID: w.annQ.ID}, "")
			mustContain(t, boss.get("/admin/inquiries/"+itoa(w.annQ.ID)).Body, `action="/admin/escalations/`+itoa(qe.ID)+`/acknowledge"`)
			wantRedirect(t, "acknowledge with a foreign next", boss.post("/admin/escalations/"+itoa(qe.ID)+"/acknowledge",
				form("next", "https://evil.example/admin/")), "/admin/escalations?done=acknowledged")
			wantStatus(t, "no such escalation", boss.post("/admin/escalations/424242/acknowledge", nil), http.StatusNotFound)
		})
	}
}

func TestAdminEscalationSomeoneElses(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			w := newEscalationWorld(t, d)
			a := w.app
			// Anna manages nobody and is no admin; Birgit is Anna's manager, not Mette's.
			anna := a.client()
			anna.signIn(w.anna.Email, true)
			base := "/admin/escalations/" + itoa(w.bobEsc.ID)
			counts := w.counts(t)
			for _, p := range []string{"/acknowledge", "/resolve", "/reassign"} {
				r := anna.post(base+p, form("to", itoa(w.anna.ID)))
				wantStatus(t, "anna "+p, r, http.StatusForbidden)
				mustContain(t, r.Body, "This escalation is addressed to Mette Lund. Only they, their manager or an administrator can act on it")
			}
			if e := w.escalation(t, w.bobEsc.ID); e.State != model.EscalationOpen || e.AcknowledgedAt != nil {
				t.Fatalf("a refused action changed the escalation: %+v", e)
			}
			if got := w.counts(t); got["timeline_events"] != counts["timeline_events"] || got["outbox"] != counts["outbox"] {
				t.Fatalf("a refused action wrote rows: %v -> %v", counts, got)
			}
			if a.orderNow("BQ-3003").OwnerID != w.per.ID {
				t.Fatal("a refused hand-over moved the order")
			}
			// Her case pages say who can act instead of offering buttons.
			page := anna.get("/admin/orders/BQ-3003").Body
			mustContain(t, page, "Addressed to Mette Lund: only they, their manager or an administrator can act on it.")
			if strings.Contains(page, `action="`+base+`/acknowledge"`) {
				t.Error("the order page offers Anna an acknowledge button she may not use")
			}

			// Mette may, and hands the order to Anna: a handoff Bob sees, an email to Anna.
			mette := a.client()
			mette.signIn(w.mette.Email, true)
			mustContain(t, mette.get("/admin/escalations").Body, `action="`+base+`/acknowledge"`, "Where is it?")
			wantRedirect(t, "mette hands over", mette.post(base+"/reassign", form("to", itoa(w.anna.ID))), "/admin/escalations?done=reassigned")
			if a.orderNow("BQ-3003").OwnerID != w.anna.ID {
				t.Fatal("the order did not move")
			}
			evs := a.orderEvents(w.bobOrder3)
			if last := evs[len(evs)-1]; last.Kind != "handoff" || last.Data["from"] != "Per Olsen" || last.Data["to"] != "Anna Holm" || last.ActorName != "Mette Lund" {
				t.Fatalf("handoff: %+v", last)
			}
			if m := a.outboxTo(notify.Handoff, w.anna.Email); len(m) != 1 {
				t.Fatalf("%d handoff emails to Anna", len(m))
			}
			r := mette.post(base+"/reassign", form("to", itoa(w.anna.ID)))
			wantStatus(t, "to the owner", r, http.StatusUnprocessableEntity)
			mustContain(t, r.Body, "the order already belongs to that staff member")
			wantStatus(t, "to nobody", mette.post(base+"/reassign", form("to", "999999")), http.StatusUnprocessableEntity)

			// An escalated inquiry is handed over the inquiry's way.
			qe := w.escalate(t, w.ann, escalations.Subject{InquiryID: w.annQ.ID}, "")
			boss := a.client()
			boss.signIn(w.boss.Email, true)
			wantRedirect(t, "boss hands over the inquiry", boss.post("/admin/escalations/"+itoa(qe.ID)+"/reassign",
				form("to", itoa(w.jonas.ID))), "/admin/escalations?done=reassigned")
			if q, _ := a.store.InquiryByID(context.Background(), w.annQ.ID); q.OwnerID != w.jonas.ID {
				t.Fatalf("inquiry owner %d", q.OwnerID)
			}
			// An admin may act on any escalation, also one outside their team.
			wantRedirect(t, "admin acknowledges Mette's", boss.post(base+"/acknowledge", nil), "/admin/escalations?done=acknowledged")
			if e := w.escalation(t, w.bobEsc.ID); e.State != model.EscalationAcknowledged {
				t.Fatalf("admin acknowledge: %+v", e)
			}
		})
	}
}
