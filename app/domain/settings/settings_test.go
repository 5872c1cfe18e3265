package settings_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kedja/kedja/app/domain/settings"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

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
