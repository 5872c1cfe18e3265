package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
)

// addStaff creates an active staff member.
func (a *testApp) addStaff(email, name, title string, manager *model.Staff, admin bool) *model.Staff {
	a.t.Helper()
	st := &model.Staff{Email: email, FullName: name, Title: title, Phone: "+45 1234 5678", Active: true, IsAdmin: admin}
	if manager != nil {
		st.ManagerID = &manager.ID
	}
	if _, err := a.store.SaveStaff(context.Background(), st); err != nil {
		a.t.Fatal(err)
	}
	return st
}

// addInquiry opens an inquiry owned by owner with one customer message and a
// reply due in dueIn.
func (a *testApp) addInquiry(c *model.Customer, o *model.Order, owner *model.Staff, subject string, dueIn time.Duration) *model.Inquiry {
	a.t.Helper()
	ctx := context.Background()
	now := model.Normalize(a.clock.Now())
	due := now.Add(dueIn)
	q := &model.Inquiry{CustomerID: c.ID, Subject: subject, OwnerID: owner.ID, Status: model.InquiryOpen,
		ReplyDueAt: &due, LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
	if o != nil {
		q.OrderID = &o.ID
	}
	if err := a.store.InsertInquiry(ctx, q); err != nil {
		a.t.Fatal(err)
	}
	if err := a.store.InsertMessage(ctx, &model.Message{InquiryID: q.ID, AuthorKind: model.AuthorCustomer,
		Body: "Did the bouquet arrive?", CreatedAt: now}); err != nil {
		a.t.Fatal(err)
	}
	return q
}

// outboxTo returns the queued emails of a template to an address.
func (a *testApp) outboxTo(template, to string) []*model.OutboxMessage {
	a.t.Helper()
	list, err := a.store.ListOutbox(context.Background(), "", 1000)
	if err != nil {
		a.t.Fatal(err)
	}
	var out []*model.OutboxMessage
	for _, m := range list {
		if m.Template == template && m.ToEmail == to {
			out = append(out, m)
		}
	}
	return out
}

// mustContain fails unless body holds every want.
func mustContain(t testing.TB, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Fatalf("page lacks %q:\n%s", w, body)
		}
	}
}

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func strconvFormat(n int64) string { return strconv.FormatInt(n, 10) }
