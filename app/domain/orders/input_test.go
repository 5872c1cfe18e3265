package orders

import (
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
)

func validInput() *Input {
	placed := time.Date(2026, 11, 20, 10, 15, 0, 0, time.FixedZone("CET", 3600))
	return &Input{
		Ref: " BQ-1001 ", CustomerEmail: " Ann.Jensen@Example.com", CustomerName: " Ann Jensen ", CustomerLocale: "DA",
		Status: "confirmed", PlacedAt: &placed, ExpectedDelivery: "2026-11-22",
		Items: []model.Item{{Name: " Condolence bouquet, white ", Quantity: 1}}, Total: "499.5", Currency: "dkk",
		OwnerEmail: "Anna@Shop.example", Carrier: "PostNord", TrackingNumber: "00370712345",
		TrackingURL: "https://tracking.postnord.example/?id=00370712345", RecipientName: "Birthe Hansen",
	}
}

func TestNormalizeCanonicalForm(t *testing.T) {
	in := validInput()
	if err := in.Normalize(); err != nil {
		t.Fatal(err)
	}
	if in.Ref != "BQ-1001" || in.CustomerEmail != "ann.jensen@example.com" || in.CustomerName != "Ann Jensen" ||
		in.CustomerLocale != "da" || in.Currency != "DKK" || in.Total != "499.50" || in.OwnerEmail != "anna@shop.example" ||
		in.Items[0].Name != "Condolence bouquet, white" {
		t.Errorf("not canonical: %+v", in)
	}
	if in.PlacedAt.Location() != time.UTC || in.PlacedAt.Hour() != 9 {
		t.Errorf("placed_at %v, want 09:15 UTC", in.PlacedAt)
	}
	// The same order written differently hashes the same; a real change does not.
	again := validInput()
	again.Total, again.Ref = "0499.50", "BQ-1001"
	if err := again.Normalize(); err != nil {
		t.Fatal(err)
	}
	if in.Hash() != again.Hash() {
		t.Error("equal orders hash differently")
	}
	again.Carrier = "GLS"
	if in.Hash() == again.Hash() {
		t.Error("a changed carrier hashes the same")
	}
}

func TestNormalizeRefusesEachBadField(t *testing.T) {
	for _, tc := range []struct {
		field string
		edit  func(*Input)
	}{
		{"ref", func(in *Input) { in.Ref = "" }},
		{"ref", func(in *Input) { in.Ref = "BQ 1001" }},
		{"ref", func(in *Input) { in.Ref = "BQ/1001" }},
		{"ref", func(in *Input) { in.Ref = strings.Repeat("x", MaxRef+1) }},
		{"customer.email", func(in *Input) { in.CustomerEmail = "" }},
		{"customer.email", func(in *Input) { in.CustomerEmail = "not-an-address" }},
		{"customer.email", func(in *Input) { in.CustomerEmail = "a@example.com, b@example.com" }},
		{"customer.email", func(in *Input) { in.CustomerEmail = "Ann <ann@example.com>" }},
		{"customer.email", func(in *Input) { in.CustomerEmail = "ann＠example.com" }},
		{"customer.email", func(in *Input) { in.CustomerEmail = "ann@example.com\r\nBcc: x@example.com" }},
		{"customer.name", func(in *Input) { in.CustomerName = "Ann\nJensen" }},
		{"customer.locale", func(in *Input) { in.CustomerLocale = "de" }},
		{"status", func(in *Input) { in.Status = "" }},
		{"status", func(in *Input) { in.Status = "lost" }},
		{"expected_delivery", func(in *Input) { in.ExpectedDelivery = "22/11/2026" }},
		{"expected_delivery", func(in *Input) { in.ExpectedDelivery = "2026-02-30" }},
		{"items[0].quantity", func(in *Input) { in.Items[0].Quantity = -1 }},
		{"items[0].quantity", func(in *Input) { in.Items[0].Quantity = 0 }},
		{"items[1].name", func(in *Input) { in.Items = append(in.Items, model.Item{Name: " ", Quantity: 1}) }},
		{"currency", func(in *Input) { in.Currency = "XYZ" }},
		{"currency", func(in *Input) { in.Currency = "" }},
		{"total", func(in *Input) { in.Total = "-1.00" }},
		{"total", func(in *Input) { in.Total = "499.001" }},
		{"total", func(in *Input) { in.Total = "1e3" }},
		{"total", func(in *Input) { in.Total = "1,000.00" }},
		{"total", func(in *Input) { in.Total = "499." }},
		{"total", func(in *Input) { in.Total = "NaN" }},
		{"owner_email", func(in *Input) { in.OwnerEmail = "anna at shop" }},
		{"tracking_url", func(in *Input) { in.TrackingURL = "javascript:alert(1)" }},
		{"tracking_url", func(in *Input) { in.TrackingURL = "/relative" }},
	} {
		in := validInput()
		tc.edit(in)
		err := in.Normalize()
		fe, ok := err.(*FieldError)
		if !ok || fe.Field != tc.field || fe.Message == "" {
			t.Errorf("%+v: got %v, want a FieldError on %s", in, err, tc.field)
		}
	}
}

func TestNormalizeMoney(t *testing.T) {
	for _, tc := range []struct{ in, cur, want string }{
		{"499", "DKK", "499.00"},
		{"499.5", "EUR", "499.50"},
		{"499.50", "SEK", "499.50"},
		{"0.1", "DKK", "0.10"},
		{"000", "DKK", "0.00"},
		{"1500", "JPY", "1500"},
		{"1500.00", "JPY", "1500"},
		{"12.345", "KWD", "12.345"},
		{"999999999999999.99", "DKK", "999999999999999.99"},
	} {
		got, err := NormalizeMoney(tc.in, tc.cur)
		if err != nil || got != tc.want {
			t.Errorf("NormalizeMoney(%q, %s) = %q, %v; want %q", tc.in, tc.cur, got, err, tc.want)
		}
	}
	for _, bad := range []struct{ in, cur string }{{"1500.5", "JPY"}, {"0.001", "EUR"}, {"+1", "DKK"}, {" 1", "DKK"}, {"", "DKK"}, {"1", "ZZZ"}} {
		if got, err := NormalizeMoney(bad.in, bad.cur); err == nil {
			t.Errorf("NormalizeMoney(%q, %s) = %q, want an error", bad.in, bad.cur, got)
		}
	}
}

func TestParseItems(t *testing.T) {
	got, err := ParseItems("2x Red roses; 1 x Card;Vase ; 3X Tulips;4× Lilies; 2024 vintage vase")
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Item{{Name: "Red roses", Quantity: 2}, {Name: "Card", Quantity: 1}, {Name: "Vase", Quantity: 1},
		{Name: "Tulips", Quantity: 3}, {Name: "Lilies", Quantity: 4}, {Name: "2024 vintage vase", Quantity: 1}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("item %d: %v, want %v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"-1x Rose", "Card; 99999999999x Rose"} {
		if _, err := ParseItems(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}
