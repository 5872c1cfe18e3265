package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

func TestQueueOrderPagesAndCounts(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
		me := &model.Staff{Email: "me@shop.example", FullName: "Me Myself", Title: "T", Active: true}
		other := &model.Staff{Email: "o@shop.example", FullName: "Other Person", Title: "T", Active: true}
		for _, st := range []*model.Staff{me, other} {
			if _, err := s.SaveStaff(ctx, st); err != nil {
				t.Fatal(err)
			}
		}
		c, _, err := s.UpsertCustomer(ctx, "c@example.com", "Cee", "")
		if err != nil {
			t.Fatal(err)
		}
		// d2, d-1 (overdue), none-a, d5, none-b, resolved, d1 (mine)
		add := func(name string, due *time.Duration, owner *model.Staff, status string, act time.Duration) *model.Inquiry {
			q := &model.Inquiry{CustomerID: c.ID, Subject: name, OwnerID: owner.ID, Status: status,
				LastActivityAt: now.Add(act), CreatedAt: now, UpdatedAt: now}
			if due != nil {
				d := now.Add(*due)
				q.ReplyDueAt = &d
			}
			if err := s.InsertInquiry(ctx, q); err != nil {
				t.Fatal(err)
			}
			return q
		}
		h := func(n int) *time.Duration { d := time.Duration(n) * time.Hour; return &d }
		add("d2", h(2), other, model.InquiryOpen, 0)
		overdue := add("d-1", h(-1), other, model.InquiryOpen, 0)
		add("none-b", nil, other, model.InquiryWaitingCustomer, time.Minute)
		add("d5", h(5), other, model.InquiryWaitingThirdParty, 0)
		add("none-a", nil, other, model.InquiryWaitingCustomer, 0)
		add("closed", nil, other, model.InquiryResolved, 0)
		add("d1", h(1), me, model.InquiryOpen, 0)
		e := &model.Escalation{Subject: fmt.Sprintf("inquiry:%d", overdue.ID), InquiryID: &overdue.ID, CustomerID: c.ID,
			RequestedByKind: model.ActorCustomer, ManagerID: me.ID, State: model.EscalationOpen, CreatedAt: now}
		if err := s.InsertEscalation(ctx, e); err != nil {
			t.Fatal(err)
		}

		var got []string
		for off := 0; off < 10; off += 2 {
			list, _, err := s.Queue(ctx, store.QueueFilter{View: store.QueueAll, Me: me.ID, Limit: 2, Offset: off})
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range list {
				if q.Owner == nil || q.Customer == nil {
					t.Fatal("owner or customer not joined")
				}
				got = append(got, q.Subject)
			}
		}
		if want := "d-1 d1 d2 d5 none-a none-b"; strings.Join(got, " ") != want {
			t.Errorf("queue order %q, want %q", strings.Join(got, " "), want)
		}
		list, esc, err := s.Queue(ctx, store.QueueFilter{View: store.QueueEscalated, Me: me.ID})
		if err != nil || len(list) != 1 || list[0].ID != overdue.ID || !esc[overdue.ID] {
			t.Errorf("escalated view: %v %v", list, err)
		}
		cnt, err := s.CountQueue(ctx, store.QueueFilter{Me: me.ID, Team: []int64{me.ID, other.ID}}, now)
		if err != nil {
			t.Fatal(err)
		}
		want := store.QueueCounts{Open: 6, Overdue: 1, Mine: 1, MineOverdue: 0, Team: 6, Others: 5, WaitingCustomer: 2,
			ThirdParty: 1, Escalated: 1, MyEscalations: 1}
		if cnt != want {
			t.Errorf("counts %+v, want %+v", cnt, want)
		}
	})
}
