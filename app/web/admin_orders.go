package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/web/kit"

	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

type ordersData struct {
	adminView
	Q      string
	Orders []*model.Order
}

// adminOrders searches orders by reference or customer; with no query it
// shows the most recently active ones.
func (s *Server) adminOrders(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	ctx := c.Request().Context()
	if q != "" && c.Request().Header.Get("HX-Request") != "true" {
		// An exact reference goes straight to the order.
		if o, err := s.store.OrderByRef(ctx, q); err == nil {
			return c.Redirect(http.StatusSeeOther, "/admin/orders/"+o.Ref)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	list, err := s.store.SearchOrders(ctx, q, 100)
	if err != nil {
		return err
	}
	d := ordersData{adminView: s.adminView(c, "admin.orders.title"), Q: q, Orders: list}
	return s.views.Render(c, http.StatusOK, "admin/orders", "results", d)
}

type orderWorkData struct {
	adminView
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
	return d.Value("delivered_at", t.In(d.loc).Format(adminLocalMinute))
}

// MaxDeliveredAt bounds the delivery time input: now, in the business's zone.
func (d orderWorkData) MaxDeliveredAt() string { return d.now.In(d.loc).Format(adminLocalMinute) }

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
func (d orderWorkData) EscalationBlock() adminEscalationBlock {
	return adminEscalationBlock{adminView: d.adminView, E: d.Escalation, CanAct: d.CanAct, Next: "/admin/orders/" + d.Order.Ref}
}

// FactsBlock is the customer's facts, editable beside the order.
func (d orderWorkData) FactsBlock() adminFacts {
	return adminFacts{adminView: d.adminView, CustomerID: d.Order.CustomerID, Facts: d.Facts, Next: "/admin/orders/" + d.Order.Ref}
}

func (s *Server) orderWork(c echo.Context, ref string) (*orderWorkData, error) {
	ctx := c.Request().Context()
	o, err := s.store.OrderByRef(ctx, ref)
	if err != nil {
		return nil, err
	}
	d := &orderWorkData{adminView: s.adminView(c, ""), Order: o, Statuses: model.OrderStatuses, Form: map[string]string{}}
	d.Title = o.Ref
	if d.Events, err = s.store.OrderEvents(ctx, o.ID, false); err != nil {
		return nil, err
	}
	if d.Facts, err = s.store.Facts(ctx, o.CustomerID); err != nil {
		return nil, err
	}
	if d.Escalation, err = s.store.OpenEscalation(ctx, model.OrderSubject(o.ID)); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	d.CanAct = d.Escalation != nil && escalations.MayAct(d.Escalation, kit.StaffOf(c))
	all, err := s.store.ListStaff(ctx)
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

// adminOrder is the staff page of one order.
func (s *Server) adminOrder(c echo.Context) error {
	d, err := s.orderWork(c, c.Param("ref"))
	if err != nil {
		return err
	}
	return s.views.Render(c, http.StatusOK, "admin/order", "", d)
}
