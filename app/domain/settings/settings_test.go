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
