package orders

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/currency"

	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/model"
)

// Limits on what the shop's systems send.
const (
	MaxRef      = 100
	MaxText     = 500  // names, carrier, tracking number
	MaxURL      = 2000 // tracking URL
	MaxItems    = 500
	MaxQuantity = 1_000_000
	MaxNote     = 2000
)

// FieldError is an invalid value in an order: Field names it the way
// CONTRACT.md's bodies do ("customer.email", "items[2].quantity"), Message
// says in English what is expected. The API answers it as a 422, the CSV
// import as a bad row.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Input is one order as the shop's systems send it (an API body or a CSV
// row). Normalize checks it and puts it in canonical form; Upsert takes only
// normalized input.
type Input struct {
	Ref              string       `json:"ref"`
	CustomerEmail    string       `json:"customer_email"`
	CustomerName     string       `json:"customer_name"`
	CustomerLocale   string       `json:"customer_locale"`
	Status           string       `json:"status"`
	PlacedAt         *time.Time   `json:"placed_at"`
	ExpectedDelivery string       `json:"expected_delivery"` // YYYY-MM-DD or ""
	Items            []model.Item `json:"items"`
	Total            string       `json:"total"` // exact decimal in the currency's minor unit, e.g. "499.00"
	Currency         string       `json:"currency"`
	OwnerEmail       string       `json:"owner_email"`
	Carrier          string       `json:"carrier"`
	TrackingNumber   string       `json:"tracking_number"`
	TrackingURL      string       `json:"tracking_url"`
	RecipientName    string       `json:"recipient_name"`
	// DeliveredAt is when a delivered order was delivered (nil: now). It
	// is left out of the hash when nil, so inputs without it hash as they
	// did before the field existed.
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}

// Normalize validates in and rewrites it in canonical form: trimmed text,
// lower-case addresses, the total with exactly the currency's decimals, the
// currency in upper case. The first invalid field is returned as a
// *FieldError and in is then left half-normalized.
func (in *Input) Normalize() error {
	in.Ref = strings.TrimSpace(in.Ref)
	switch {
	case !utf8.ValidString(in.Ref):
		return fieldErr("ref", "text in UTF-8")
	case in.Ref == "":
		return fieldErr("ref", "an order reference is required")
	case utf8.RuneCountInString(in.Ref) > MaxRef:
		return fieldErr("ref", "at most %d characters", MaxRef)
	case strings.ContainsAny(in.Ref, "/?#%\\") || strings.IndexFunc(in.Ref, unicode.IsSpace) >= 0 || strings.IndexFunc(in.Ref, unicode.IsControl) >= 0:
		return fieldErr("ref", "letters, digits and punctuation other than / ? # %% \\, with no spaces")
	}
	email, err := NormalizeEmail(in.CustomerEmail)
	if err != nil {
		return fieldErr("customer.email", "%s", err.Error())
	}
	in.CustomerEmail = email
	if in.CustomerName, err = cleanLine("customer.name", in.CustomerName, MaxText); err != nil {
		return err
	}
	in.CustomerLocale = strings.ToLower(strings.TrimSpace(in.CustomerLocale))
	if in.CustomerLocale != "" && !i18n.Supported(in.CustomerLocale) {
		return fieldErr("customer.locale", "one of en, sv, da, nl")
	}
	in.Status = strings.TrimSpace(in.Status)
	if in.Status == "" {
		return fieldErr("status", "a status is required")
	}
	if !model.ValidOrderStatus(in.Status) {
		return fieldErr("status", "one of %s", strings.Join(model.OrderStatuses, ", "))
	}
	if in.PlacedAt != nil {
		t, err := normalizeTime("placed_at", *in.PlacedAt)
		if err != nil {
			return err
		}
		in.PlacedAt = &t
	}
	if in.DeliveredAt != nil {
		if in.Status != model.OrderDelivered {
			return fieldErr("delivered_at", "only for an order with status delivered (this one is %s)", in.Status)
		}
		t, err := normalizeTime("delivered_at", *in.DeliveredAt)
		if err != nil {
			return err
		}
		in.DeliveredAt = &t
	}
	if in.ExpectedDelivery, err = NormalizeDate("expected_delivery", in.ExpectedDelivery); err != nil {
		return err
	}
	if len(in.Items) > MaxItems {
		return fieldErr("items", "at most %d items", MaxItems)
	}
	for i := range in.Items {
		f := fmt.Sprintf("items[%d]", i)
		if in.Items[i].Name, err = cleanLine(f+".name", in.Items[i].Name, MaxText); err != nil {
			return err
		}
		if in.Items[i].Name == "" {
			return fieldErr(f+".name", "an item needs a name")
		}
		if q := in.Items[i].Quantity; q < 1 || q > MaxQuantity {
			return fieldErr(f+".quantity", "a whole number from 1 to %d", MaxQuantity)
		}
	}
	if in.Items == nil {
		in.Items = []model.Item{}
	}
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	in.Total = strings.TrimSpace(in.Total)
	if in.Currency != "" {
		if _, err := currency.ParseISO(in.Currency); err != nil || len(in.Currency) != 3 {
			return fieldErr("currency", "an ISO 4217 currency code such as DKK, SEK, EUR")
		}
	}
	if in.Total != "" {
		if in.Currency == "" {
			return fieldErr("currency", "a currency is required with a total")
		}
		if in.Total, err = NormalizeMoney(in.Total, in.Currency); err != nil {
			return fieldErr("total", "%s", err.Error())
		}
	}
	if in.OwnerEmail = strings.TrimSpace(in.OwnerEmail); in.OwnerEmail != "" {
		if in.OwnerEmail, err = NormalizeEmail(in.OwnerEmail); err != nil {
			return fieldErr("owner_email", "%s", err.Error())
		}
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"carrier", &in.Carrier}, {"tracking_number", &in.TrackingNumber}, {"recipient_name", &in.RecipientName}} {
		if *f.v, err = cleanLine(f.name, *f.v, MaxText); err != nil {
			return err
		}
	}
	if in.TrackingURL, err = NormalizeURL("tracking_url", in.TrackingURL); err != nil {
		return err
	}
	return nil
}

// checkNow refuses what only the clock can tell is wrong: a delivery in the
// future (5 minutes of clock skew allowed).
func (in *Input) checkNow(now time.Time) error {
	if in.DeliveredAt != nil && in.DeliveredAt.After(now.Add(5*time.Minute)) {
		return fieldErr("delivered_at", "a time that has already happened")
	}
	return nil
}

// Hash is a digest of the normalized input: an upsert whose hash matches the
// stored one changes nothing.
func (in *Input) Hash() string {
	b, err := json.Marshal(in)
	if err != nil {
		// Normalize keeps every field marshalable; should that ever break,
		// a unique hash makes the upsert write rather than skip.
		b = fmt.Appendf(nil, "%p %v", in, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// normalizeTime puts t in stored form (UTC, microseconds) and refuses years
// outside 1900–9999: a typo, and past 9999 not writable as RFC 3339 again.
func normalizeTime(field string, t time.Time) (time.Time, error) {
	t = model.Normalize(t)
	if t.Year() < 1900 || t.Year() > 9999 {
		return t, fieldErr(field, "a time between the years 1900 and 9999")
	}
	return t, nil
}

// NormalizeEmail checks that s is exactly one plain address and returns it in
// lower case.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("an email address is required")
	}
	if len(s) > 254 || strings.ContainsAny(s, "\r\n\t ,;<>\"()[]\\") {
		return "", fmt.Errorf("one plain email address such as ann@example.com")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", fmt.Errorf("one plain email address such as ann@example.com")
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", fmt.Errorf("one plain email address such as ann@example.com")
	}
	for _, r := range s {
		if r > unicode.MaxASCII {
			return "", fmt.Errorf("one plain email address such as ann@example.com")
		}
	}
	return strings.ToLower(s), nil
}

// NormalizeDate checks a calendar date, YYYY-MM-DD ("" stays "").
func NormalizeDate(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return "", fieldErr(field, "a date as YYYY-MM-DD, such as 2026-11-24")
	}
	return t.Format("2006-01-02"), nil
}

// NormalizeURL checks an absolute http(s) URL ("" stays "").
func NormalizeURL(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s) > MaxURL ||
		strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "", fieldErr(field, "an absolute http or https URL")
	}
	return s, nil
}

// NormalizeMoney checks an exact, non-negative decimal amount ("499",
// "499.5", "499.00") and writes it with exactly the currency's number of
// decimals ("499.00" for DKK, "1500" for JPY). More decimals than the
// currency has, exponents, signs and thousands separators are refused:
// money is never rounded or parsed as a float.
func NormalizeMoney(s, cur string) (string, error) {
	unit, err := currency.ParseISO(cur)
	if err != nil {
		return "", fmt.Errorf("unknown currency %q", cur)
	}
	scale, _ := currency.Standard.Rounding(unit)
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") || !digits(whole) || !digits(frac) || len(whole) > 15 {
		return "", fmt.Errorf("an exact amount such as \"499.00\", with a dot for decimals and no sign")
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > scale {
		return "", fmt.Errorf("%s has %d decimals", cur, scale)
	}
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	if scale == 0 {
		return whole, nil
	}
	return whole + "." + frac + strings.Repeat("0", scale-len(frac)), nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// cleanLine trims s and refuses control characters and overlong text.
func cleanLine(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "", fieldErr(field, "one line of text")
	}
	if utf8.RuneCountInString(s) > max {
		return "", fieldErr(field, "at most %d characters", max)
	}
	return s, nil
}

// ParseItems reads the CSV form of items, "2x Name; 1x Other name" (also
// "2 x Name", "2X Name", "2× Name"). A part without a count ("Card") is one
// of it.
func ParseItems(s string) ([]model.Item, error) {
	var items []model.Item
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		i := len(items)
		if strings.HasPrefix(part, "-") {
			return nil, fieldErr(fmt.Sprintf("items[%d].quantity", i), "a whole number from 1 to %d", MaxQuantity)
		}
		item := model.Item{Name: part, Quantity: 1}
		n := strings.IndexFunc(part, func(r rune) bool { return r < '0' || r > '9' })
		if n > 0 {
			rest := strings.TrimLeft(part[n:], " ")
			for _, x := range []string{"x ", "X ", "× "} {
				if name, ok := strings.CutPrefix(rest, x); ok {
					q, err := strconv.Atoi(part[:n])
					if err != nil || q > MaxQuantity {
						return nil, fieldErr(fmt.Sprintf("items[%d].quantity", i), "a whole number from 1 to %d", MaxQuantity)
					}
					item.Name, item.Quantity = strings.TrimSpace(name), q
					break
				}
			}
		}
		items = append(items, item)
	}
	return items, nil
}
