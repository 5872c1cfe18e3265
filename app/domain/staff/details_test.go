package staff_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kedja/kedja/app/domain/internal/casetest"
	"github.com/kedja/kedja/app/domain/staff"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

// TestDetails: a staff member's details are checked in one place — a valid
// address, a full name, a title, a manager who is active and does not
// report to them, an address nobody else has, one's own admin flag kept —
// and are written back trimmed, refused or not, so a form can show them.
func TestDetails(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		bus := &casetest.Recorder{}
		svc := leave(s, bus, t0)
		boss := person(t, s, "mette@shop.example", "Mette Lund", nil)
		gone := person(t, s, "old@shop.example", "Old Hand", nil)
		if err := s.SetStaffActive(ctx, gone.ID, false); err != nil {
			t.Fatal(err)
		}
		anna := &model.Staff{Active: true}
		ok := staff.Details{Email: " anna@shop.example ", FullName: " Anna   Holm ", Title: "Florist", Manager: itoa(boss.ID)}
		for name, tc := range map[string]struct {
			d    staff.Details
			want error
		}{
			"bad address":       {staff.Details{Email: "anna", FullName: "Anna Holm", Title: "Florist"}, staff.ErrBadEmail},
			"first name only":   {staff.Details{Email: "anna@shop.example", FullName: "Anna", Title: "Florist"}, staff.ErrFullName},
			"no title":          {staff.Details{Email: "anna@shop.example", FullName: "Anna Holm"}, staff.ErrTitle},
			"not a manager id":  {staff.Details{Email: "anna@shop.example", FullName: "Anna Holm", Title: "Florist", Manager: "boss"}, staff.ErrNoSuchManager},
			"no such manager":   {staff.Details{Email: "anna@shop.example", FullName: "Anna Holm", Title: "Florist", Manager: "424242"}, staff.ErrNoSuchManager},
			"inactive manager":  {staff.Details{Email: "anna@shop.example", FullName: "Anna Holm", Title: "Florist", Manager: itoa(gone.ID)}, staff.ErrInactiveManager},
			"someone's address": {staff.Details{Email: boss.Email, FullName: "Anna Holm", Title: "Florist"}, staff.ErrEmailTaken},
		} {
			if err := svc.Create(ctx, &model.Staff{Active: true}, tc.d); !errors.Is(err, tc.want) {
				t.Errorf("%s: %v, want %v", name, err, tc.want)
			}
		}
		if bus.N() != 0 {
			t.Errorf("refusals published %v", bus.Got)
		}
		if err := svc.Create(ctx, anna, ok); err != nil {
			t.Fatal(err)
		}
		if anna.ID == 0 || anna.Email != "anna@shop.example" || anna.FullName != "Anna Holm" || anna.ManagerID == nil || *anna.ManagerID != boss.ID {
			t.Fatalf("created %+v", anna)
		}
		if !bus.Has(live.StaffTopic + " queue") {
			t.Errorf("creating published %v", bus.Got)
		}
		// Mette reporting to Anna, who reports to Mette, is a loop.
		d := staff.Details{Email: boss.Email, FullName: boss.FullName, Title: "Shop manager", IsAdmin: true, Manager: itoa(anna.ID)}
		if err := svc.Update(ctx, boss, d, boss); !errors.Is(err, staff.ErrManagerLoop) {
			t.Errorf("a manager loop: %v", err)
		}
		d.Manager, d.IsAdmin = "", false
		if err := svc.Update(ctx, boss, d, boss); !errors.Is(err, staff.ErrOwnAdminFlag) || boss.Title != "Shop manager" {
			t.Errorf("one's own admin flag: %v (details written back: %q)", err, boss.Title)
		}
		d.IsAdmin = true
		if err := svc.Update(ctx, boss, d, boss); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.StaffByID(ctx, boss.ID); got.Title != "Shop manager" || !bus.Has(live.AllTopic+" staff") {
			t.Errorf("updated %+v, published %v", got, bus.Got)
		}
	})
}

func itoa(n int64) string { return casetest.Itoa(n) }
