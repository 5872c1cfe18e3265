package admin

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web/kit"
)

type ordersData struct {
	view
	Q      string
	Orders []*model.Order
}

// Orders searches orders by reference or customer; with no query it
// shows the most recently active ones.
func (h *Handlers) Orders(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	ctx := c.Request().Context()
	if q != "" && c.Request().Header.Get("HX-Request") != "true" {
		// An exact reference goes straight to the order.
		if o, err := h.store.OrderByRef(ctx, q); err == nil {
			return c.Redirect(http.StatusSeeOther, "/admin/orders/"+o.Ref)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	list, err := h.store.SearchOrders(ctx, q, 100)
	if err != nil {
		return err
	}
	d := ordersData{view: h.page(c, "admin.orders.title"), Q: q, Orders: list}
	return h.views.Render(c, http.StatusOK, "admin/orders", "results", d)
}

type orderWorkData struct {
	view
	Order      *model.Order
	Events     []*model.Event
	Facts      []*model.CustomerFact
	Colleagues []*model.Staff
	Escalation *model.Escalation
	CanAct     bool // the signed-in staff member may act on the escalation
	Statuses   []string
	Form       map[string]string
}

// Value is what a form field shows: what was typed (after a refusal), else
// the order's current value def.
func (d orderWorkData) Value(field, def string) string {
	if v, ok := d.Form[field]; ok {
		return v
	}
	return def
}

// DeliveredAtInput is the delivery time the form starts from, in the
// business's time zone: the recorded one, else now.
func (d orderWorkData) DeliveredAtInput() string {
	t := d.now
	if d.Order.DeliveredAt != nil {
		t = *d.Order.DeliveredAt
	}
	return d.Value("delivered_at", t.In(d.loc).Format(localMinute))
}

// MaxDeliveredAt bounds the delivery time input: now, in the business's zone.
func (d orderWorkData) MaxDeliveredAt() string { return d.now.In(d.loc).Format(localMinute) }

// StatusChoices are the statuses the status form offers: all but delivered,
// which has its own form (recipient and time), unless the order is delivered.
func (d orderWorkData) StatusChoices() []string {
	var out []string
	for _, st := range d.Statuses {
		if st != model.OrderDelivered || d.Order.Status == model.OrderDelivered {
			out = append(out, st)
		}
	}
	return out
}

// EscalationBlock is the open escalation's buttons beside the order.
func (d orderWorkData) EscalationBlock() escalationBlock {
	return escalationBlock{view: d.view, E: d.Escalation, CanAct: d.CanAct, Next: "/admin/orders/" + d.Order.Ref}
}

// FactsBlock is the customer's facts, editable beside the order.
func (d orderWorkData) FactsBlock() factsBlock {
	return factsBlock{view: d.view, CustomerID: d.Order.CustomerID, Facts: d.Facts, Next: "/admin/orders/" + d.Order.Ref}
}

func (h *Handlers) orderWork(c echo.Context, ref string) (*orderWorkData, error) {
	ctx := c.Request().Context()
	o, err := h.store.OrderByRef(ctx, ref)
	if err != nil {
		return nil, err
	}
	d := &orderWorkData{view: h.page(c, ""), Order: o, Statuses: model.OrderStatuses, Form: map[string]string{}}
	d.Title = o.Ref
	if d.Events, err = h.store.OrderEvents(ctx, o.ID, false); err != nil {
		return nil, err
	}
	if d.Facts, err = h.store.Facts(ctx, o.CustomerID); err != nil {
		return nil, err
	}
	if d.Escalation, err = h.store.OpenEscalation(ctx, model.OrderSubject(o.ID)); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	d.CanAct = d.Escalation != nil && escalations.MayAct(d.Escalation, kit.StaffOf(c))
	all, err := h.store.ListStaff(ctx)
	if err != nil {
		return nil, err
	}
	for _, st := range all {
		if st.Active {
			d.Colleagues = append(d.Colleagues, st)
		}
	}
	return d, nil
}

// Order is the staff page of one order.
func (h *Handlers) Order(c echo.Context) error {
	d, err := h.orderWork(c, c.Param("ref"))
	if err != nil {
		return err
	}
	return h.views.Render(c, http.StatusOK, "admin/order", "", d)
}
