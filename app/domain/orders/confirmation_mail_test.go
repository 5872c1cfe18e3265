package orders_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/config"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
	"github.com/kedja/kedja/mailer"
	"github.com/kedja/kedja/mailer/mailtest"
)

// TestOrderConfirmationIsSent: the order confirmations of new orders of
// customers in each language go out through the real mailer to an SMTP
// server, each in its customer's language, naming the order, its items and
// its owner.
func TestOrderConfirmationIsSent(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		smtp := mailtest.Start(t)
		cfg, err := config.Load(func(k string) string {
			return map[string]string{"KEDJA_BASE_URL": "https://portal.example", "KEDJA_SMTP_URL": smtp.URL().String(),
				"KEDJA_BUSINESS_NAME": "Blomsterhuset"}[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		subjects := map[string]string{"en": "We have your order", "da": "Vi har modtaget din ordre",
			"sv": "Vi har tagit emot din beställning", "nl": "We hebben je bestelling"}
		owned := map[string]string{"en": "looks after your order", "da": "tager sig af din ordre",
			"sv": "tar hand om din beställning", "nl": "zorgt voor je bestelling"}
		for _, loc := range []string{"en", "da", "sv", "nl"} {
			in := input("M-"+loc, model.OrderConfirmed)
			in.CustomerEmail, in.CustomerLocale = loc+"@example.com", loc
			in.Items = []model.Item{{Name: "Roses", Quantity: 2}, {Name: "Card", Quantity: 1}}
			f.upsert(t, in)
		}
		w, err := mailer.New(cfg, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		msgs := smtp.WaitFor(t, 4, 10*time.Second)
		if len(msgs) != 4 {
			t.Fatalf("%d messages sent, want 4", len(msgs))
		}
		for _, m := range msgs {
			loc := strings.TrimSuffix(m.To[0], "@example.com")
			text, html, err := m.Parts()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(m.Subject(), subjects[loc]) || !strings.Contains(m.Subject(), "M-"+loc) {
				t.Errorf("%s: subject %q", loc, m.Subject())
			}
			for _, part := range []string{text, html} {
				for _, want := range []string{"M-" + loc, "2× Roses", "1× Card", "Anna Holm", "https://portal.example/orders/M-" + loc} {
					if !strings.Contains(part, want) {
						t.Errorf("%s: lacks %q:\n%s", loc, want, part)
					}
				}
			}
			if !strings.Contains(text, owned[loc]) {
				t.Errorf("%s text lacks %q:\n%s", loc, owned[loc], text)
			}
		}
	})
}
