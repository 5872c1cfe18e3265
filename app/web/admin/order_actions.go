package admin

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web/kit"
)

// localMinute is the layout of <input type="datetime-local">: a wall
// clock time in the business's time zone (KEDJA_TIMEZONE), to the minute.
const localMinute = "2006-01-02T15:04"

// orderFormFields are the inputs of the order page's forms, kept as typed
// when one is refused.
func orderFormFields() []string {
	return []string{"status", "note", "expected", "recipient", "delivered_at", "delivery_note", "to"}
}

// orderAction runs one staff action on an order and goes back to its page
// (POST, redirect, GET) with a notice; a refusal re-renders the page with the
// message beside the form it is about and every typed value kept. done is
// the notice key, or "" when act reports that nothing changed.
func (h *Handlers) orderAction(c echo.Context, form string, act func(ctx context.Context, o *model.Order, me *model.Staff) (done string, err error)) error {
	ctx := c.Request().Context()
	o, err := h.store.OrderByRef(ctx, c.Param("ref"))
	if err != nil {
		return err
	}
	done, err := act(ctx, o, kit.StaffOf(c))
	if msg, ok := refusalText(err); ok {
		d, derr := h.orderWork(c, o.Ref)
		if derr != nil {
			return derr
		}
		d.Error, d.Failed = msg, form
		for _, k := range orderFormFields() {
			d.Form[k] = c.FormValue(k)
		}
		return h.views.Render(c, http.StatusUnprocessableEntity, "admin/order", "", d)
	}
	if err != nil {
		return err
	}
	if done == "" {
		done = "unchanged"
	}
	return redirect(c, "/admin/orders/"+url.PathEscape(o.Ref), done)
}

// OrderStatus changes an order's status, with an optional note for the
// customer (required when the order moves back: orders.ErrNeedsNote).
func (h *Handlers) OrderStatus(c echo.Context) error {
	return h.orderAction(c, "status", func(ctx context.Context, o *model.Order, me *model.Staff) (string, error) {
		ch := orders.Change{Status: c.FormValue("status"), Note: c.FormValue("note")}
		_, changed, err := h.orders.ChangeStatus(ctx, o.Ref, ch, model.StaffActor(me))
		return doneIf(changed, "status"), err
	})
}

// OrderDelivered marks the order delivered: to whom and when (a local
// time in the business's zone), confirmed by the signed-in staff member; the
// orders domain queues the delivery confirmation email.
func (h *Handlers) OrderDelivered(c echo.Context) error {
	return h.orderAction(c, "delivered", func(ctx context.Context, o *model.Order, me *model.Staff) (string, error) {
		recipient := strings.TrimSpace(c.FormValue("recipient"))
		if recipient == "" {
			return "", errNoRecipient
		}
		at, err := time.ParseInLocation(localMinute, strings.TrimSpace(c.FormValue("delivered_at")), h.loc)
		if err != nil {
			return "", errDeliveryTime
		}
		ch := h.deliveryChange(o, recipient, at, c.FormValue("delivery_note"))
		_, changed, err := h.orders.ChangeStatus(ctx, o.Ref, ch, model.StaffActor(me))
		return doneIf(changed, "delivered"), err
	})
}

// deliveryChange is the status change of a delivery typed into the form.
// The form shows the recorded time to the minute: sending that back keeps
// the recorded time (to the second) as it is, so correcting only the
// recipient does not move it. Any other time on a delivered order is a
// correction the orders domain records without a second confirmation.
func (h *Handlers) deliveryChange(o *model.Order, recipient string, at time.Time, note string) orders.Change {
	ch := orders.Change{Status: model.OrderDelivered, RecipientName: recipient, At: &at, Note: note}
	if o.Status == model.OrderDelivered && o.DeliveredAt != nil && o.DeliveredAt.In(h.loc).Truncate(time.Minute).Equal(at) {
		ch.At = nil
	}
	return ch
}

// OrderExpected sets (or, empty, clears) the expected delivery date.
func (h *Handlers) OrderExpected(c echo.Context) error {
	return h.orderAction(c, "expected", func(ctx context.Context, o *model.Order, me *model.Staff) (string, error) {
		date := strings.TrimSpace(c.FormValue("expected"))
		if date == o.ExpectedDelivery {
			return "", nil
		}
		_, err := h.orders.SetExpected(ctx, o.Ref, date, c.FormValue("reason"), model.StaffActor(me))
		return "expected", err
	})
}

// OrderReassign hands the order to an active colleague: a handoff the
// customer sees, and an email to the new owner.
func (h *Handlers) OrderReassign(c echo.Context) error {
	return h.orderAction(c, "reassign", func(ctx context.Context, o *model.Order, me *model.Staff) (string, error) {
		to, err := strconv.ParseInt(c.FormValue("to"), 10, 64)
		if err != nil {
			return "", errChooseOrderOwner
		}
		if to == o.OwnerID {
			return "", owner.ErrSameOrderOwner
		}
		_, err = h.orders.Reassign(ctx, o.Ref, to, me)
		if errors.Is(err, store.ErrNotFound) {
			return "", errChooseOrderOwner
		}
		return "order_reassigned", err
	})
}

// doneIf is the notice key when something changed, "" when nothing did.
func doneIf(changed bool, key string) string {
	if changed {
		return key
	}
	return ""
}
