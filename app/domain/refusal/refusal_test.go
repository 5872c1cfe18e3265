package refusal_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/kedja/kedja/app/domain/refusal"
)

var (
	errNoSubject = refusal.New("subject", "required", "give it a subject")
	errLongBody  = refusal.New("body", "too_long", "the message is too long")
)

// TestRefusals: refusals travel wrapped and joined; errors.Is and As find
// them, All and Fields list every one, in order.
func TestRefusals(t *testing.T) {
	both := fmt.Errorf("inquiries: open: %w", refusal.Join(errNoSubject, nil, errLongBody))
	if !errors.Is(both, errNoSubject) || !errors.Is(both, errLongBody) {
		t.Errorf("errors.Is misses a joined refusal: %v", both)
	}
	var r refusal.Refusal
	if !errors.As(both, &r) || r != errNoSubject {
		t.Errorf("errors.As finds %+v first, want the subject's", r)
	}
	if got := refusal.All(both); !reflect.DeepEqual(got, []refusal.Refusal{errNoSubject, errLongBody}) {
		t.Errorf("All = %+v", got)
	}
	if got := refusal.Fields(both); !reflect.DeepEqual(got, map[string]string{"subject": "required", "body": "too_long"}) {
		t.Errorf("Fields = %v", got)
	}
	if refusal.Fields(errors.New("disk full")) != nil || refusal.Join(nil, nil) != nil {
		t.Error("a failure or nothing read as a refusal")
	}
	if errNoSubject.Error() != "give it a subject" {
		t.Errorf("Error() = %q, want the text", errNoSubject.Error())
	}
}
