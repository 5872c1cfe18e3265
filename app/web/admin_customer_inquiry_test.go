package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/testenv"
)

func TestAdminInquiryOnBehalf(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			w := newPortalWorld(t, d)
			a := w.app
			ctx := context.Background()
			// Jonas takes Ann's call about her order, which is Anna's.
			c := a.client()
			c.signIn(w.jonas.Email, true)
			path := "/admin/customers/" + itoa(w.ann.ID)
			mustContain(t, c.get(path+"?order=BQ-1001").Body, `<label for="oi-subject">`, `<label for="oi-body">`, `<label for="oi-order">`,
				`<option value="BQ-1001" selected>`)

			counts := w.counts(t)
			r := c.post(path+"/inquiries", form("subject", "Card text", "body", " ", "order_ref", "BQ-1001"))
			wantStatus(t, "no question", r, http.StatusUnprocessableEntity)
			mustContain(t, r.Body, "write down what the customer asked", `value="Card text"`, `<option value="BQ-1001" selected>`)
			r = c.post(path+"/inquiries", form("subject", "Card text", "body", "x", "order_ref", "BQ-2002"))
			wantStatus(t, "another customer's order", r, http.StatusUnprocessableEntity)
			mustContain(t, r.Body, "that order is not one of this customer")
			if got := w.counts(t); got["inquiries"] != counts["inquiries"] || got["outbox"] != counts["outbox"] || got["timeline_events"] != counts["timeline_events"] {
				t.Fatalf("a refused inquiry wrote rows: %v -> %v", counts, got)
			}
			wantStatus(t, "no such customer", c.post("/admin/customers/424242/inquiries", form("subject", "x", "body", "y")), http.StatusNotFound)

			body := "She asked on the phone whether the card can say “With love, Ann”."
			r = c.post(path+"/inquiries", form("subject", "Card text", "body", body, "order_ref", "BQ-1001"))
			if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/admin/inquiries/") {
				t.Fatalf("open: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			loc := r.Header.Get("Location")
			id, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(loc, "/admin/inquiries/"), "?done=inquiry_opened"), 10, 64)
			q, err := a.store.InquiryByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if q.CustomerID != w.ann.ID || q.OwnerID != w.anna.ID || q.OrderID == nil || *q.OrderID != w.annOrder.ID || q.Status != model.InquiryOpen || q.ReplyDueAt == nil {
				t.Fatalf("inquiry: %+v", q)
			}
			msgs, _ := a.store.Messages(ctx, q.ID, true)
			if len(msgs) != 1 || msgs[0].AuthorKind != model.AuthorCustomer || msgs[0].Body != body {
				t.Fatalf("messages: %+v", msgs)
			}
			evs, _ := a.store.InquiryEvents(ctx, q.ID, true)
			if len(evs) != 1 || evs[0].ActorName != "Jonas Berg" || evs[0].ActorKind != model.ActorStaff || evs[0].Data["on_behalf"] != "true" {
				t.Fatalf("events: %+v", evs)
			}
			var mine []*model.OutboxMessage
			for _, m := range a.outboxTo(notify.InquiryReceived, w.ann.Email) {
				if m.Data["path"] == "/inquiries/"+itoa(q.ID) {
					mine = append(mine, m)
				}
			}
			if len(mine) != 1 || mine[0].Locale != "da" || mine[0].Data["owner_name"] != "Anna Holm" {
				t.Fatalf("confirmation: %+v", mine)
			}
			mustContain(t, c.get(loc).Body, "Inquiry opened on the customer&#39;s behalf.", "Opened on the customer&#39;s behalf by Jonas Berg", "With love, Ann")
			// Ann's own pages say who noted it for her.
			ann := w.signedIn(w.ann)
			mustContain(t, ann.get("/inquiries/"+itoa(q.ID)).Body, "Jonas Berg noterede dit spørgsmål »Card text« for dig", "Anna Holm")
			mustContain(t, ann.get("/orders/BQ-1001").Body, "Jonas Berg noterede dit spørgsmål »Card text« for dig")
		})
	}
}
