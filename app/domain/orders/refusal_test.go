package orders_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/domain/refusal"
)

// TestFieldErrorIsARefusal: the orders domain's field errors read as the
// refusal every domain package says no with, wrapped or not.
func TestFieldErrorIsARefusal(t *testing.T) {
	var r refusal.Refusal
	err := fmt.Errorf("orders: status of %q: %w", "BQ-1", &orders.FieldError{Field: "note", Message: "at most 2000 characters"})
	if !errors.As(err, &r) || r != refusal.New("note", "invalid", "at most 2000 characters") {
		t.Errorf("a field error as a refusal: %+v", r)
	}
	if !errors.As(fmt.Errorf("orders: %w", orders.ErrNeedsNote), &r) || r.Code != "needs_note" || r.Text != orders.ErrNeedsNote.Message {
		t.Errorf("ErrNeedsNote as a refusal: %+v", r)
	}
	if got := refusal.Fields(err); got["note"] != "invalid" {
		t.Errorf("fields: %v", got)
	}
	if !errors.Is(fmt.Errorf("orders: reassign: %w", orders.ErrInactiveOwner), owner.ErrInactive) {
		t.Error("ErrInactiveOwner is not owner.ErrInactive")
	}
}
