package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
)

// seedQueue bulk-loads n open inquiries over 20 staff members and n/3
// customers, a tenth of them escalated.
func seedQueue(b *testing.B, a *testApp, n int) *model.Staff {
	b.Helper()
	ctx := context.Background()
	var staff []*model.Staff
	for i := 0; i < 20; i++ {
		staff = append(staff, a.addStaff(fmt.Sprintf("s%d@shop.example", i), fmt.Sprintf("Staff Member%d", i), "Florist", nil, i == 0))
	}
	now := model.Normalize(a.clock.Now())
	var custs []*model.Customer
	for i := 0; i < n/3+1; i++ {
		custs = append(custs, &model.Customer{Email: fmt.Sprintf("c%d@example.com", i), Name: fmt.Sprintf("Customer %d", i), CreatedAt: now, UpdatedAt: now})
	}
	db := a.store.IDB()
	if _, err := db.NewInsert().Model(&custs).Exec(ctx); err != nil {
		b.Fatal(err)
	}
	var qs []*model.Inquiry
	for i := 0; i < n; i++ {
		due := now.Add(time.Duration(i%97-20) * time.Hour)
		status := []string{model.InquiryOpen, model.InquiryWaitingCustomer, model.InquiryWaitingThirdParty}[i%3]
		qs = append(qs, &model.Inquiry{CustomerID: custs[i%len(custs)].ID, Subject: fmt.Sprintf("Question %d", i), OwnerID: staff[i%20].ID,
			Status: status, IsOpen: true, ReplyDueAt: &due, LastActivityAt: now, CreatedAt: now, UpdatedAt: now})
	}
	for i := 0; i < len(qs); i += 500 {
		chunk := qs[i:min(i+500, len(qs))]
		if _, err := db.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < n; i += 10 {
		e := &model.Escalation{Subject: fmt.Sprintf("inquiry:%d", qs[i].ID), InquiryID: &qs[i].ID, CustomerID: qs[i].CustomerID,
			RequestedByKind: model.ActorCustomer, ManagerID: staff[0].ID, State: model.EscalationOpen, CreatedAt: now}
		if err := a.store.InsertEscalation(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	return staff[0]
}

// BenchmarkAdminQueue measures the work queue page and the navigation counts
// with 10,000 open inquiries.
func BenchmarkAdminQueue(b *testing.B) {
	a := newTestApp(b, "sqlite")
	me := seedQueue(b, a, 10000)
	c := a.client()
	c.signIn(me.Email, true)
	for _, path := range []string{"/admin", "/admin?view=escalated", "/admin?view=mine", "/admin/counts"} {
		b.Run(path, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if r := c.get(path); r.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", path, r.StatusCode)
				}
			}
		})
	}
}
