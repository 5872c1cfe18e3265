// Package refusal is how every domain package says no to what a person
// asked: one small value naming the field it is about, a code the web layer
// words in the reader's language, and a default English text that says what
// to do instead. Several refusals of one form travel together as one error
// (Join); errors.As finds the first, All finds every one.
package refusal

import "errors"

// Refusal is a request the domain will not carry out as asked. It is a
// comparable value: errors.Is matches a refusal with the same field, code
// and text, so packages can export the ones callers test for.
type Refusal struct {
	Field string // the form field or input it is about; "" for the request as a whole
	Code  string // names the problem for a localized message: "required", "too_long", …
	Text  string // what to do instead, in English: shown as it is where no localized message exists
}

// New is a refusal of field with code, saying text.
func New(field, code, text string) Refusal { return Refusal{Field: field, Code: code, Text: text} }

// Error is the default text.
func (r Refusal) Error() string { return r.Text }

// Join is one error of several refusals (nil ones are dropped), or nil when
// there are none.
func Join(errs ...error) error { return errors.Join(errs...) }

// All returns every refusal in err's tree (wrapped, joined), in order.
func All(err error) []Refusal {
	var out []Refusal
	var walk func(error)
	walk = func(e error) {
		switch x := e.(type) {
		case nil:
		case Refusal:
			out = append(out, x)
		case interface{ Unwrap() []error }:
			for _, inner := range x.Unwrap() {
				walk(inner)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		default:
			// Another package's error may read as a refusal (errors.As).
			var r Refusal
			if errors.As(e, &r) {
				out = append(out, r)
			}
		}
	}
	walk(err)
	return out
}

// Fields maps each field err refuses to its code, or is nil when err holds
// no refusal.
func Fields(err error) map[string]string {
	all := All(err)
	if len(all) == 0 {
		return nil
	}
	out := make(map[string]string, len(all))
	for _, r := range all {
		if _, seen := out[r.Field]; !seen {
			out[r.Field] = r.Code
		}
	}
	return out
}
