package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/testenv"
)

func TestAdminInquiryActions(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			a := newTestApp(t, d)
			ctx := context.Background()
			anna, cust, order := a.seed()
			jonas := a.addStaff("jonas@shop.example", "Jonas Berg", "Driver", nil, false)
			q := a.addInquiry(cust, order, anna, "Did the bouquet arrive?", 2*time.Hour)
			c := a.client()
			c.signIn(anna.Email, true)
			path := "/admin/inquiries/" + itoa(q.ID)

			r := c.get(path)
			mustContain(t, r.Body, "Did the bouquet arrive?", "Ann Jensen", "BQ-1001", "Anna Holm, Florist", `sse-connect="/admin/events"`)

			// An empty reply is refused with the reason, and nothing is sent.
			r = c.post(path+"/reply", form("body", "   "))
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "write a message first") {
				t.Fatalf("empty reply: %d", r.StatusCode)
			}
			r = c.post(path+"/reply", form("body", "Yes, Jonas delivered it to Birthe Hansen at 14:10."))
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("reply: %d %s", r.StatusCode, r.Body)
			}
			mails := a.outboxTo(notify.StaffReply, cust.Email)
			if len(mails) != 1 || mails[0].Data["author_name"] != "Anna Holm" || mails[0].Data["author_title"] != "Florist" {
				t.Fatalf("reply email: %+v", mails)
			}
			got, _ := a.store.InquiryByID(ctx, q.ID)
			if got.Status != model.InquiryWaitingCustomer || got.ReplyDueAt != nil {
				t.Errorf("after reply: %s %v", got.Status, got.ReplyDueAt)
			}

			// An internal note is marked on the staff page and not emailed.
			c.post(path+"/notes", form("note", "Birthe is her aunt."))
			r = c.get(path)
			mustContain(t, r.Body, "Birthe is her aunt.", "Internal note", "Yes, Jonas delivered it")
			if n := len(a.outboxTo(notify.StaffReply, cust.Email)); n != 1 {
				t.Errorf("%d reply emails after a note", n)
			}

			// Handoff: the customer's timeline names both, the new owner is emailed.
			r = c.post(path+"/reassign", form("to", itoa(jonas.ID)))
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("reassign: %d %s", r.StatusCode, r.Body)
			}
			if m := a.outboxTo(notify.Handoff, jonas.Email); len(m) != 1 || m[0].Data["path"] != path {
				t.Fatalf("handoff email: %+v", m)
			}
			evs, _ := a.store.InquiryEvents(ctx, q.ID, true)
			last := evs[len(evs)-1]
			if last.Kind != "handoff" || last.Data["from"] != "Anna Holm" || last.Data["to"] != "Jonas Berg" || last.ActorName != "Anna Holm" {
				t.Errorf("handoff event: %+v", last)
			}
			if r := c.post(path+"/reassign", form("to", "999999")); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("reassign to nobody: %d", r.StatusCode)
			}

			// Third party, then resolve.
			if r := c.post(path+"/third-party", form("party", "Keramik Nord", "expected", "2026-11-24")); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("third party: %d", r.StatusCode)
			}
			if r := c.post(path+"/resolve", form("answer", "The pots have come.")); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("resolve: %d", r.StatusCode)
			}
			got, _ = a.store.InquiryByID(ctx, q.ID)
			if got.Status != model.InquiryResolved || got.IsOpen {
				t.Errorf("after resolve: %s", got.Status)
			}
			r = c.get(path)
			mustContain(t, r.Body, "Resolved", "Waiting on Keramik Nord, expected 2026-11-24", "Handed over from Anna Holm to Jonas Berg")
			if r := c.get("/admin/inquiries/424242"); r.StatusCode != http.StatusNotFound {
				t.Errorf("missing inquiry: %d", r.StatusCode)
			}
		})
	}
}

func TestAdminQueue(t *testing.T) {
	a := newTestApp(t, "sqlite")
	anna, cust, order := a.seed()
	boss := a.addStaff("mette@shop.example", "Mette Lund", "Shop manager", nil, true)
	jonas := a.addStaff("jonas@shop.example", "Jonas Berg", "Driver", boss, false)
	later := a.addInquiry(cust, order, anna, "Due later", 5*time.Hour)
	overdue := a.addInquiry(cust, nil, jonas, "Already overdue", -3*time.Hour)
	soon := a.addInquiry(cust, nil, anna, "Due soon", time.Hour)
	ctx := context.Background()
	esc := &model.Escalation{Subject: "inquiry:" + itoa(soon.ID), InquiryID: &soon.ID, CustomerID: cust.ID,
		RequestedByKind: model.ActorCustomer, ManagerID: boss.ID, State: model.EscalationOpen, CreatedAt: a.clock.Now().Add(-30 * time.Hour)}
	if err := a.store.InsertEscalation(ctx, esc); err != nil {
		t.Fatal(err)
	}

	c := a.client()
	c.signIn(boss.Email, true)
	body := c.get("/admin").Body
	iOver, iSoon, iLater := strings.Index(body, "Already overdue"), strings.Index(body, "Due soon"), strings.Index(body, "Due later")
	if iOver < 0 || iSoon < 0 || iLater < 0 || !(iOver < iSoon && iSoon < iLater) {
		t.Fatalf("queue order wrong: %d %d %d", iOver, iSoon, iLater)
	}
	mustContain(t, body, "Overdue by 3 h 0 min", "Escalated", "My team&#39;s")

	check := func(view string, want []string, not []string) {
		t.Helper()
		b := c.get("/admin?view=" + view).Body
		for _, w := range want {
			if !strings.Contains(b, ">"+w+"<") {
				t.Errorf("view %s lacks %q", view, w)
			}
		}
		for _, n := range not {
			if strings.Contains(b, ">"+n+"<") {
				t.Errorf("view %s shows %q", view, n)
			}
		}
	}
	check("team", []string{"Already overdue"}, []string{"Due soon", "Due later"})
	check("escalated", []string{"Due soon"}, []string{"Already overdue", "Due later"})
	check("mine", nil, []string{"Due soon", "Due later", "Already overdue"})

	// Counts in the navigation.
	r := c.get("/admin/counts")
	mustContain(t, r.Body, `id="count-queue" hx-swap-oob="true" class="count alert"`, ">3</span>", `id="count-escalations"`)

	// The escalation waited 30 h, past the 24 h target: it is marked.
	r = c.get("/admin/escalations")
	mustContain(t, r.Body, "Due soon", "Ann Jensen", "Past the reply-time target", "waiting 1 d 6 h")

	// Anna (no reports) sees no team filter; her own view has her two.
	c2 := a.client()
	c2.signIn(anna.Email, true)
	b := c2.get("/admin?view=mine").Body
	if strings.Contains(b, "My team") || !strings.Contains(b, "Due soon") || !strings.Contains(b, "Due later") || strings.Contains(b, ">Already overdue<") {
		t.Errorf("anna's queue wrong")
	}
	_ = later
	_ = overdue
}
