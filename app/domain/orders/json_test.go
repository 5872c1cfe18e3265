package orders

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
)

const contractBody = `{
  "customer": {"email": "ann@example.com", "name": "Ann Jensen", "locale": "da"},
  "status": "confirmed",
  "placed_at": "2026-11-20T10:15:00Z",
  "expected_delivery": "2026-11-22",
  "items": [{"name": "Condolence bouquet, white", "quantity": 1}],
  "total": "499.00", "currency": "DKK",
  "owner_email": "anna@shop.example",
  "carrier": "PostNord", "tracking_number": "00370712345", "tracking_url": "https://tracking.example/00370712345",
  "recipient_name": "Birthe Hansen"
}`

func TestDecodeJSONContractBody(t *testing.T) {
	in, err := DecodeJSON([]byte(contractBody), "BQ-1001")
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Normalize(); err != nil {
		t.Fatal(err)
	}
	placed := time.Date(2026, 11, 20, 10, 15, 0, 0, time.UTC)
	want := &Input{Ref: "BQ-1001", CustomerEmail: "ann@example.com", CustomerName: "Ann Jensen", CustomerLocale: "da",
		Status: "confirmed", PlacedAt: &placed, ExpectedDelivery: "2026-11-22",
		Items: []model.Item{{Name: "Condolence bouquet, white", Quantity: 1}}, Total: "499.00", Currency: "DKK",
		OwnerEmail: "anna@shop.example", Carrier: "PostNord", TrackingNumber: "00370712345",
		TrackingURL: "https://tracking.example/00370712345", RecipientName: "Birthe Hansen"}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("decoded\n%+v\nwant\n%+v", in, want)
	}
}

func TestDecodeJSONTotal(t *testing.T) {
	for _, tc := range []struct {
		total, currency, want, field string
	}{
		{`"499.00"`, "DKK", "499.00", ""},
		{`499.00`, "DKK", "499.00", ""},
		{`499.5`, "DKK", "499.50", ""},
		{`499`, "DKK", "499.00", ""},
		{`0.1`, "EUR", "0.10", ""},
		{`1500`, "JPY", "1500", ""},
		// Exactly as written, never via float64, which would make this
		// 1000000000000000.00.
		{`999999999999999.99`, "DKK", "999999999999999.99", ""},
		{`1.0000000000000002`, "DKK", "", "total"},
		{`1e3`, "DKK", "", "total"},
		{`-5`, "DKK", "", "total"},
		{`true`, "DKK", "", "total"},
		{`{"amount": 1}`, "DKK", "", "total"},
		{`"499.005"`, "DKK", "", "total"},
		{`null`, "DKK", "", ""},
	} {
		t.Run(tc.total, func(t *testing.T) {
			body := `{"customer": {"email": "a@b.example"}, "status": "received", "total": ` + tc.total + `, "currency": "` + tc.currency + `"}`
			in, err := DecodeJSON([]byte(body), "R-1")
			if err == nil {
				err = in.Normalize()
			}
			if tc.field != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != tc.field {
					t.Fatalf("err %v, want a *FieldError on %q", err, tc.field)
				}
				return
			}
			if err != nil || in.Total != tc.want {
				t.Fatalf("total %q, err %v; want %q", in.Total, err, tc.want)
			}
		})
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	const ok = `"customer": {"email": "a@b.example"}, "status": "received"`
	for _, tc := range []struct {
		name, body string
		malformed  bool
		field      string
	}{
		{"empty", ``, true, ""},
		{"syntax", `{"status": }`, true, ""},
		{"trailing garbage", `{` + ok + `} x`, true, ""},
		{"two objects", `{` + ok + `}{}`, true, ""},
		{"array", `[{` + ok + `}]`, true, ""},
		{"string", `"hello"`, true, ""},
		{"null", `null`, true, ""},
		{"number", `42`, true, ""},
		{"unknown field", `{` + ok + `, "colour": "red"}`, false, "colour"},
		{"unknown field is case sensitive", `{` + ok + `, "Status": "shipped"}`, false, "Status"},
		{"unknown customer field", `{"customer": {"email": "a@b.example", "phone": "1"}, "status": "received"}`, false, "customer.phone"},
		{"unknown item field", `{` + ok + `, "items": [{"name": "x", "quantity": 1, "sku": "A"}]}`, false, "items[0].sku"},
		{"quantity a string", `{` + ok + `, "items": [{"name": "x", "quantity": 1}, {"name": "y", "quantity": "abc"}]}`, false, "items[1].quantity"},
		{"quantity a fraction", `{` + ok + `, "items": [{"name": "x", "quantity": 1.5}]}`, false, "items[0].quantity"},
		{"quantity overflows", `{` + ok + `, "items": [{"name": "x", "quantity": 1e40}]}`, false, "items[0].quantity"},
		{"quantity zero", `{` + ok + `, "items": [{"name": "x", "quantity": 0}]}`, false, "items[0].quantity"},
		{"quantity missing", `{` + ok + `, "items": [{"name": "x"}]}`, false, "items[0].quantity"},
		{"item not an object", `{` + ok + `, "items": ["x"]}`, false, "items[0]"},
		{"items not a list", `{` + ok + `, "items": {"name": "x"}}`, false, "items"},
		{"item without name", `{` + ok + `, "items": [{"quantity": 2}]}`, false, "items[0].name"},
		{"status a number", `{"customer": {"email": "a@b.example"}, "status": 3}`, false, "status"},
		{"status unknown", `{"customer": {"email": "a@b.example"}, "status": "lost"}`, false, "status"},
		{"status missing", `{"customer": {"email": "a@b.example"}}`, false, "status"},
		{"customer missing", `{"status": "received"}`, false, "customer.email"},
		{"customer a string", `{"customer": "a@b.example", "status": "received"}`, false, "customer"},
		{"customer email a list", `{"customer": {"email": ["a@b.example"]}, "status": "received"}`, false, "customer.email"},
		{"customer email two addresses", `{"customer": {"email": "a@b.example, c@d.example"}, "status": "received"}`, false, "customer.email"},
		{"locale unknown", `{"customer": {"email": "a@b.example", "locale": "de"}, "status": "received"}`, false, "customer.locale"},
		{"placed_at not RFC 3339", `{` + ok + `, "placed_at": "20/11/2026"}`, false, "placed_at"},
		{"placed_at a number", `{` + ok + `, "placed_at": 1763633700}`, false, "placed_at"},
		{"placed_at year 0", `{` + ok + `, "placed_at": "0000-01-01T00:00:00+01:00"}`, false, "placed_at"},
		{"expected_delivery a time", `{` + ok + `, "expected_delivery": "2026-11-22T10:00:00Z"}`, false, "expected_delivery"},
		{"tracking_url not a URL", `{` + ok + `, "tracking_url": "javascript:alert(1)"}`, false, "tracking_url"},
		{"owner_email bad", `{` + ok + `, "owner_email": "anna"}`, false, "owner_email"},
		{"currency unknown", `{` + ok + `, "total": "1.00", "currency": "XYZ"}`, false, "currency"},
		{"total without currency", `{` + ok + `, "total": "1.00"}`, false, "currency"},
		{"ref differs", `{` + ok + `, "ref": "R-2"}`, false, "ref"},
		{"carrier with a newline", `{` + ok + `, "carrier": "Post\nNord"}`, false, "carrier"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := DecodeJSON([]byte(tc.body), "R-1")
			if err == nil {
				err = in.Normalize()
			}
			var me *MalformedError
			var fe *FieldError
			switch {
			case tc.malformed:
				if !errors.As(err, &me) {
					t.Fatalf("err %v (%T), want *MalformedError", err, err)
				}
			case !errors.As(err, &fe) || fe.Field != tc.field:
				t.Fatalf("err %v (%T), want a *FieldError on %q", err, err, tc.field)
			case fe.Message == "":
				t.Fatal("field error without a message")
			}
		})
	}
}

func TestDecodeJSONNullsAndRef(t *testing.T) {
	body := `{"ref": "R-1", "customer": {"email": "a@b.example", "name": null}, "status": "received", "items": null,
		"placed_at": null, "carrier": null}`
	in, err := DecodeJSON([]byte(body), "R-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Normalize(); err != nil {
		t.Fatal(err)
	}
	if in.CustomerName != "" || in.PlacedAt != nil || in.Items == nil || len(in.Items) != 0 || in.Carrier != "" {
		t.Fatalf("nulls: %+v", in)
	}
}

func TestDecodeChangeJSON(t *testing.T) {
	ch, err := DecodeChangeJSON([]byte(`{"status": "delivered", "note": "left with neighbour", "at": "2026-11-21T14:02:00+01:00", "recipient_name": "Birthe Hansen"}`))
	if err != nil {
		t.Fatal(err)
	}
	if ch.Status != "delivered" || ch.Note != "left with neighbour" || ch.RecipientName != "Birthe Hansen" ||
		ch.At == nil || !ch.At.Equal(time.Date(2026, 11, 21, 13, 2, 0, 0, time.UTC)) {
		t.Fatalf("decoded %+v", ch)
	}
	for body, field := range map[string]string{
		`{"status": "shipped", "when": "now"}`: "when",
		`{"status": 5}`:                        "status",
		`{"note": "x"}`:                        "status",
		`{"status": "shipped", "at": "today"}`: "at",
	} {
		var fe *FieldError
		if _, err := DecodeChangeJSON([]byte(body)); !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: err %v, want a *FieldError on %q", body, err, field)
		}
	}
	var me *MalformedError
	if _, err := DecodeChangeJSON([]byte(`["delivered"]`)); !errors.As(err, &me) {
		t.Errorf("array: err %v, want *MalformedError", err)
	}
}

// FuzzDecodeOrderJSON: decoding never panics, every refusal is a
// *MalformedError or a *FieldError with a field and a message, and an
// accepted, normalized input is a fixed point of Normalize (same value, same
// hash), so the same body always upserts to the same thing.
func FuzzDecodeOrderJSON(f *testing.F) {
	f.Add([]byte(contractBody), "BQ-1001")
	f.Add([]byte(`{"customer": {"email": "A@B.example"}, "status": " shipped ", "total": 499.5, "currency": "dkk"}`), "R-1")
	f.Add([]byte(`{"customer": {"email": "a@b.example"}, "status": "received", "items": [{"name": " Card ", "quantity": 2}]}`), " R-2 ")
	f.Add([]byte(`{"customer": {"email": "a@b.example"}, "status": "received", "placed_at": "2026-11-20T10:15:00.123456789+05:30"}`), "R-3")
	f.Add([]byte(`{"customer": {"email": "a@b.example"}, "status": "received", "total": "0007.1", "currency": "JPY"}`), "R-4")
	f.Add([]byte(`{"status": "received"} []`), "R-5")
	f.Add([]byte(`[1, 2, 3]`), "R-6")
	f.Fuzz(func(t *testing.T, body []byte, ref string) {
		in, err := DecodeJSON(body, ref)
		if err == nil {
			err = in.Normalize()
		}
		if err != nil {
			var me *MalformedError
			var fe *FieldError
			switch {
			case errors.As(err, &me):
				if me.Msg == "" {
					t.Fatal("malformed without a message")
				}
			case errors.As(err, &fe):
				if fe.Field == "" || fe.Message == "" {
					t.Fatalf("field error %+v lacks a field or a message", fe)
				}
			default:
				t.Fatalf("refusal of type %T: %v", err, err)
			}
			return
		}
		again := *in
		again.Items = slices.Clone(in.Items)
		if in.PlacedAt != nil {
			p := *in.PlacedAt
			again.PlacedAt = &p
		}
		if err := again.Normalize(); err != nil {
			t.Fatalf("normalized input refused on a second Normalize: %v\n%+v", err, in)
		}
		if !reflect.DeepEqual(&again, in) || again.Hash() != in.Hash() {
			t.Fatalf("Normalize is not a fixed point:\n%+v\n%+v", in, &again)
		}
		if strings.TrimSpace(in.Ref) != in.Ref {
			t.Fatalf("ref %q not trimmed", in.Ref)
		}
	})
}
