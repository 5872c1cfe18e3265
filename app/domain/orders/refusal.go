package orders

import "github.com/kedja/kedja/app/domain/refusal"

// As lets errors.As read a *FieldError as the refusal every domain package
// says no with: its field, the code "invalid" (the text names the problem
// but not the field, which a form labels) or "needs_note" (ErrNeedsNote, a
// whole sentence), and the message as its text. The API and the CSV import
// keep reading *FieldError itself.
func (e *FieldError) As(target any) bool {
	r, ok := target.(*refusal.Refusal)
	if !ok {
		return false
	}
	code := "invalid"
	if e == ErrNeedsNote {
		code = "needs_note"
	}
	*r = refusal.New(e.Field, code, e.Message)
	return true
}
