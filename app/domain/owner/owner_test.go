package owner_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kedja/kedja/app/domain/internal/casetest"
	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

func TestPick(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := owner.Pick(ctx, s, "", 0); !errors.Is(err, owner.ErrNoStaff) {
			t.Fatalf("no staff: %v, want ErrNoStaff", err)
		}
		anna := casetest.AddStaff(t, s, &model.Staff{Email: "anna@shop.example", FullName: "Anna Holm", Title: "Florist"})
		jonas := casetest.AddStaff(t, s, &model.Staff{Email: "jonas@shop.example", FullName: "Jonas Kristensen", Title: "Florist"})
		c, _, _ := s.UpsertCustomer(ctx, "ann@example.com", "Ann", "")
		casetest.AddOrder(t, s, "A1", c.ID, anna.ID, model.OrderShipped)
		casetest.AddOrder(t, s, "A2", c.ID, anna.ID, model.OrderDelivered) // closed: does not count
		casetest.AddOrder(t, s, "J1", c.ID, jonas.ID, model.OrderDelivered)

		for _, tc := range []struct {
			name     string
			explicit string
			orderOwn int64
			want     int64
		}{
			{"explicit owner", "ANNA@shop.example", 0, anna.ID},
			{"unknown explicit falls back to least loaded", "ghost@shop.example", 0, jonas.ID},
			{"order owner for an inquiry about an order", "", anna.ID, anna.ID},
			{"least loaded counts open cases only", "", 0, jonas.ID},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := owner.Pick(ctx, s, tc.explicit, tc.orderOwn)
				if err != nil || got.ID != tc.want {
					t.Fatalf("got %v, %v; want staff %d", got, err, tc.want)
				}
			})
		}
		if err := s.SetStaffActive(ctx, anna.ID, false); err != nil {
			t.Fatal(err)
		}
		if got, _ := owner.Pick(ctx, s, "anna@shop.example", anna.ID); got.ID != jonas.ID {
			t.Fatalf("an inactive staff member was picked: %d", got.ID)
		}
	})
}
