package settings_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kedja/kedja/app/domain/internal/casetest"
	"github.com/kedja/kedja/app/domain/settings"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

// TestSave: the settings are checked as a whole and saved only when every
// value holds; every page learns of a saved change.
func TestSave(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.EnsureSettings(ctx, "Blomsterhuset"); err != nil {
			t.Fatal(err)
		}
		boss := casetest.AddStaff(t, s, &model.Staff{Email: "mette@shop.example", FullName: "Mette Lund", Title: "Shop manager"})
		bus := &casetest.Recorder{}
		svc := &settings.Service{Store: s, Bus: bus}
		good := settings.Form{BusinessName: " Blomsterhuset ", SupportEmail: "help@shop.example", DefaultLocale: "da",
			ReplyHours: "8", LastResort: casetest.Itoa(boss.ID)}
		for name, tc := range map[string]struct {
			change func(*settings.Form)
			want   error
		}{
			"no name":        {func(f *settings.Form) { f.BusinessName = " " }, settings.ErrBusinessName},
			"bad address":    {func(f *settings.Form) { f.SupportEmail = "help" }, settings.ErrSupportEmail},
			"unknown locale": {func(f *settings.Form) { f.DefaultLocale = "fr" }, settings.ErrDefaultLocale},
			"zero hours":     {func(f *settings.Form) { f.ReplyHours = "0" }, settings.ErrReplyHours},
			"three weeks":    {func(f *settings.Form) { f.ReplyHours = "504" }, settings.ErrReplyHours},
			"nobody":         {func(f *settings.Form) { f.LastResort = "424242" }, settings.ErrLastResortStaff},
		} {
			f := good
			tc.change(&f)
			st, _ := s.Settings(ctx)
			if err := svc.Save(ctx, st, f); !errors.Is(err, tc.want) {
				t.Errorf("%s: %v, want %v", name, err, tc.want)
			}
		}
		if st, _ := s.Settings(ctx); st.ReplyHours != 24 || bus.N() != 0 {
			t.Fatalf("a refused change was saved (%d hours) or published %v", st.ReplyHours, bus.Got)
		}
		st, _ := s.Settings(ctx)
		if err := svc.Save(ctx, st, good); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Settings(ctx)
		if got.BusinessName != "Blomsterhuset" || got.ReplyHours != 8 || got.DefaultLocale != "da" ||
			got.LastResortManagerID == nil || *got.LastResortManagerID != boss.ID || !bus.Has(live.AllTopic+" settings") {
			t.Errorf("saved %+v, published %v", got, bus.Got)
		}
	})
}

func TestOpeningHoursAndClosedDays(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		st, err := s.EnsureSettings(ctx, "Blomsterhuset")
		if err != nil {
			t.Fatal(err)
		}
		if st.OpenDays != "1234567" || st.OpenFrom != "00:00" || st.OpenUntil != "24:00" || st.AckHours != 4 {
			t.Fatalf("defaults: %+v", st)
		}
		svc := &settings.Service{Store: s}
		base := settings.Form{BusinessName: "Blomsterhuset", DefaultLocale: "da", ReplyHours: "8"}
		text := func(s string) *string { return &s }
		for name, tc := range map[string]struct {
			f    func(f *settings.Form)
			want error
		}{
			"no open day":        {func(f *settings.Form) { f.OpenDays = []string{} }, settings.ErrOpenDays},
			"a day that is none": {func(f *settings.Form) { f.OpenDays = []string{"8"} }, settings.ErrOpenDays},
			"closing first":      {func(f *settings.Form) { f.OpenFrom, f.OpenUntil = "17:00", "09:00" }, settings.ErrOpenHours},
			"hours in words":     {func(f *settings.Form) { f.OpenFrom, f.OpenUntil = "nine", "17:00" }, settings.ErrOpenHours},
			"no ack target":      {func(f *settings.Form) { f.AckHours = "0" }, settings.ErrAckHours},
			"a date in words":    {func(f *settings.Form) { f.ClosedDays = text("Christmas Eve") }, settings.ErrClosedDays},
		} {
			f := base
			tc.f(&f)
			copy := *st
			if err := svc.Save(ctx, &copy, f); !errors.Is(err, tc.want) {
				t.Errorf("%s: %v, want %v", name, err, tc.want)
			}
		}
		f := base
		f.AckHours, f.OpenDays, f.OpenFrom, f.OpenUntil = "3", []string{"1", "2", "3", "4", "5"}, "09:00", "17:30"
		f.ClosedDays = text("2026-12-25 Juledag\r\n\n2026-12-24  Juleaften \n2026-12-25 Juledag\n")
		if err := svc.Save(ctx, st, f); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Settings(ctx)
		if got.OpenDays != "12345" || got.OpenFrom != "09:00" || got.OpenUntil != "17:30" || got.AckHours != 3 || got.ReplyHours != 8 {
			t.Errorf("saved: %+v", got)
		}
		days, _ := s.ClosedDays(ctx)
		if out := settings.FormatClosedDays(days); out != "2026-12-24 Juleaften\n2026-12-25 Juledag\n" {
			t.Errorf("closed days: %q", out)
		}
		// Leaving the hours out of a form keeps them.
		if err := svc.Save(ctx, got, base); err != nil {
			t.Fatal(err)
		}
		again, _ := s.Settings(ctx)
		if again.OpenDays != "12345" || again.AckHours != 3 {
			t.Errorf("a form without hours changed them: %+v", again)
		}
		if days, _ := s.ClosedDays(ctx); len(days) != 2 {
			t.Errorf("a form without closed days cleared them: %d", len(days))
		}
	})
}
