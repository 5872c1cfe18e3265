package orders

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kedja/kedja/app/model"
)

// MalformedError means a JSON body is not a JSON object at all (a syntax
// error, trailing data, another type at the top): the API answers it as a
// 400. Everything decodable but wrong is a *FieldError (422).
type MalformedError struct{ Msg string }

func (e *MalformedError) Error() string { return e.Msg }

// DecodeJSON reads an order body of the JSON API (CONTRACT.md) into an
// Input for the order ref (taken from the URL). It only decodes: call
// Normalize next. Unknown fields and values of the wrong type are a
// *FieldError naming the field as the body does ("items[0].quantity");
// "total" may be a string or a JSON number, whose literal is kept exactly
// (never read as a float). A "ref" in the body must match ref.
func DecodeJSON(body []byte, ref string) (*Input, error) {
	obj, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	in := &Input{Ref: ref}
	d := &objDecoder{obj: obj}
	if v, ok := obj["ref"]; ok {
		var s string
		if err := decodeString("ref", v, &s); err != nil {
			return nil, err
		}
		if s != "" && strings.TrimSpace(s) != strings.TrimSpace(ref) {
			return nil, fieldErr("ref", "the body names order %q but the URL names %q: they must be the same", s, ref)
		}
	}
	d.skip("ref")
	if v, ok := obj["customer"]; ok && !isNull(v) {
		var cust map[string]json.RawMessage
		if err := json.Unmarshal(v, &cust); err != nil || cust == nil {
			return nil, fieldErr("customer", "an object with email, name and locale")
		}
		cd := &objDecoder{obj: cust, prefix: "customer."}
		cd.str("email", &in.CustomerEmail)
		cd.str("name", &in.CustomerName)
		cd.str("locale", &in.CustomerLocale)
		if err := cd.done(); err != nil {
			return nil, err
		}
	}
	d.skip("customer")
	d.str("status", &in.Status)
	d.when("placed_at", &in.PlacedAt)
	d.str("expected_delivery", &in.ExpectedDelivery)
	if d.err == nil {
		in.Items, d.err = decodeItems(obj["items"])
	}
	d.skip("items")
	d.money("total", &in.Total)
	d.str("currency", &in.Currency)
	d.str("owner_email", &in.OwnerEmail)
	d.str("carrier", &in.Carrier)
	d.str("tracking_number", &in.TrackingNumber)
	d.str("tracking_url", &in.TrackingURL)
	d.str("recipient_name", &in.RecipientName)
	d.when("delivered_at", &in.DeliveredAt)
	if err := d.done(); err != nil {
		return nil, err
	}
	return in, nil
}

// DecodeChangeJSON reads the body of a status change,
// {"status", "note", "at", "recipient_name"}; ChangeStatus checks the values.
func DecodeChangeJSON(body []byte) (Change, error) {
	obj, err := decodeObject(body)
	if err != nil {
		return Change{}, err
	}
	var ch Change
	d := &objDecoder{obj: obj}
	d.str("status", &ch.Status)
	d.str("note", &ch.Note)
	d.when("at", &ch.At)
	d.str("recipient_name", &ch.RecipientName)
	if err := d.done(); err != nil {
		return Change{}, err
	}
	if strings.TrimSpace(ch.Status) == "" {
		return Change{}, fieldErr("status", "a status is required: one of %s", strings.Join(model.OrderStatuses, ", "))
	}
	return ch, nil
}

// decodeObject parses body as exactly one JSON object.
func decodeObject(body []byte) (map[string]json.RawMessage, error) {
	var raw json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, &MalformedError{fmt.Sprintf("the body is not valid JSON (at byte %d: %s)", se.Offset, strings.TrimPrefix(se.Error(), "json: "))}
		}
		return nil, &MalformedError{"the body is not valid JSON: send one JSON object"}
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, &MalformedError{"the body must be one JSON object, {…}"}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, &MalformedError{"the body must be one JSON object, {…}"}
	}
	return obj, nil
}

// objDecoder reads known fields out of one JSON object, remembering the
// first error, and then refuses any field it was not asked about.
type objDecoder struct {
	obj    map[string]json.RawMessage
	prefix string // "customer.", "items[2]."
	seen   []string
	err    error
}

func (d *objDecoder) skip(name string) { d.seen = append(d.seen, name) }

func (d *objDecoder) str(name string, dst *string) {
	d.skip(name)
	if v, ok := d.obj[name]; ok && d.err == nil {
		d.err = decodeString(d.prefix+name, v, dst)
	}
}

func (d *objDecoder) when(name string, dst **time.Time) {
	var s string
	d.str(name, &s)
	if d.err != nil || strings.TrimSpace(s) == "" {
		return
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		d.err = fieldErr(d.prefix+name, "a time in RFC 3339, such as 2026-11-20T10:15:00Z")
		return
	}
	*dst = &t
}

// money reads an amount given as a string or a JSON number; the number's
// literal is kept as written, so NormalizeMoney sees exactly what was sent.
func (d *objDecoder) money(name string, dst *string) {
	d.skip(name)
	v, ok := d.obj[name]
	if !ok || d.err != nil {
		return
	}
	v = bytes.TrimSpace(v)
	if len(v) > 0 && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9')) {
		*dst = string(v)
		return
	}
	if err := decodeString(d.prefix+name, v, dst); err != nil {
		d.err = fieldErr(d.prefix+name, "an exact amount such as \"499.00\" (a string, or a JSON number)")
	}
}

// done returns the first error, else the first unknown field (in
// alphabetical order, so the answer is the same every time).
func (d *objDecoder) done() error {
	if d.err != nil {
		return d.err
	}
	var unknown []string
	for k := range d.obj {
		if !slices.Contains(d.seen, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fieldErr(d.prefix+unknown[0], "unknown field %q: check its spelling against the API documentation (GET /api/v1/openapi.json)", unknown[0])
	}
	return nil
}

func decodeItems(v json.RawMessage) ([]model.Item, error) {
	if v == nil || isNull(v) {
		return nil, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(v, &list); err != nil {
		return nil, fieldErr("items", "a list of items, [{\"name\": \"…\", \"quantity\": 1}]")
	}
	if len(list) > MaxItems {
		return nil, fieldErr("items", "at most %d items", MaxItems)
	}
	items := make([]model.Item, 0, len(list))
	for i, raw := range list {
		f := fmt.Sprintf("items[%d]", i)
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
			return nil, fieldErr(f, "an item, {\"name\": \"…\", \"quantity\": 1}")
		}
		d := &objDecoder{obj: obj, prefix: f + "."}
		var it model.Item
		d.str("name", &it.Name)
		d.skip("quantity")
		if q, ok := obj["quantity"]; ok && d.err == nil && !isNull(q) {
			if err := json.Unmarshal(q, &it.Quantity); err != nil {
				d.err = fieldErr(f+".quantity", "a whole number from 1 to %d", MaxQuantity)
			}
		}
		if err := d.done(); err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

// decodeString reads a JSON string (null reads as "").
func decodeString(field string, v json.RawMessage, dst *string) error {
	if isNull(v) {
		*dst = ""
		return nil
	}
	if err := json.Unmarshal(v, dst); err != nil {
		return fieldErr(field, "a string")
	}
	return nil
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }
