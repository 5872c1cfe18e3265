package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web/kit"
)

type orderData struct {
	view
	Order      *model.Order
	Manager    *model.Staff      // the owner's manager, when they have one
	Escalation *model.Escalation // the open escalation, if any
	Events     []*model.Event
	Inquiries  []*model.Inquiry
	Ask        inquiryForm
	Reason     string
	Errors     formErrors // of the escalate form
	Steps      steps      // the delivery promise, a manager's answer, missed promises
}

// Next is the order's next step in one sentence: its status's words (the
// carrier, the day) and, while it is on its way, who answers for it.
func (d orderData) Next() string {
	if d.Steps.Answer != nil {
		return d.NextText(d.Steps, d.Order.Owner)
	}
	return d.OrderNext(d.Order)
}

// NotArrivedPath is the "This did not arrive" page of the order.
func (d orderData) NotArrivedPath() string {
	return "/orders/" + url.PathEscape(d.Order.Ref) + "/not-arrived"
}

// loadOrder fills an order page for one of the customer's orders; another
// customer's order is store.ErrNotFound.
func (h *Handlers) loadOrder(c echo.Context, ref string) (*orderData, error) {
	ctx := c.Request().Context()
	cust := kit.CustomerOf(c)
	o, err := h.reads.OrderForCustomer(ctx, cust.ID, ref)
	if err != nil {
		return nil, err
	}
	d := &orderData{view: h.page(c, ""), Order: o}
	d.Title = d.T("order.title", "Ref", o.Ref)
	d.Ask.OrderRef = o.Ref
	if o.Owner != nil && o.Owner.ManagerID != nil {
		if d.Manager, err = h.reads.OrderManagerForCustomer(ctx, cust.ID, o.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if d.Escalation, err = h.openEscalation(ctx, cust.ID, model.OrderSubject(o.ID)); err != nil {
		return nil, err
	}
	if d.Events, err = h.reads.OrderEventsForCustomer(ctx, cust.ID, o.ID); err != nil {
		return nil, err
	}
	if d.Inquiries, err = h.reads.InquiriesAboutOrder(ctx, cust.ID, o.ID); err != nil {
		return nil, err
	}
	if d.Steps, err = h.caseSteps(ctx, cust.ID, store.OrderCase(o.ID)); err != nil {
		return nil, err
	}
	return d, nil
}

// Order shows one of the customer's orders; an htmx request (a live update)
// gets the part that changes.
func (h *Handlers) Order(c echo.Context) error {
	d, err := h.loadOrder(c, c.Param("ref"))
	if err != nil {
		return err
	}
	return h.views.Render(c, http.StatusOK, "portal/order", "order_live", d)
}

// OrderEscalate asks a manager to step in on the order. Repeating it while
// the escalation is open changes nothing.
func (h *Handlers) OrderEscalate(c echo.Context) error {
	cust := kit.CustomerOf(c)
	ref := c.Param("ref")
	reason := c.FormValue("reason")
	_, _, err := h.escalations.Escalate(c.Request().Context(), cust.ID, escalations.Subject{OrderRef: ref},
		reason, model.CustomerActor(cust))
	if err != nil && refusal.Fields(err) == nil {
		return err
	}
	d, lerr := h.loadOrder(c, ref)
	if lerr != nil {
		return lerr
	}
	if err != nil {
		d.Errors, d.Reason = d.fieldErrors(err), reason
		return h.views.Render(c, http.StatusUnprocessableEntity, "portal/order", "order_live", d)
	}
	if kit.IsHTMX(c) {
		return h.views.Render(c, http.StatusOK, "portal/order", "order_live", d)
	}
	return c.Redirect(http.StatusSeeOther, "/orders/"+url.PathEscape(ref)+"#escalation")
}

// CaseOwner is the order's owner, for the owner card.
func (d orderData) CaseOwner() *model.Staff { return d.Order.Owner }

// EscalateAction is where the escalate button posts.
func (d orderData) EscalateAction() string {
	return "/orders/" + url.PathEscape(d.Order.Ref) + "/escalate"
}

// LiveID is the id of the part of the page that live updates replace.
func (d orderData) LiveID() string { return "order-live" }

// NotArrivedConfirm is "This did not arrive" for one of the customer's
// orders (a link in the delivery confirmation): a page that asks to
// confirm. A GET changes nothing — mail scanners follow links.
func (h *Handlers) NotArrivedConfirm(c echo.Context) error {
	d, err := h.loadOrder(c, c.Param("ref"))
	if err != nil {
		return err
	}
	d.Title = d.T("not_arrived.title", "Ref", d.Order.Ref)
	return h.views.Render(c, http.StatusOK, "portal/not_arrived", "", d)
}

// NotArrived opens an inquiry about the delivered order, held by its
// owner, with the delivery facts in it, and shows it; while one is open it
// shows that one.
func (h *Handlers) NotArrived(c echo.Context) error {
	q, _, err := h.inquiries.NotArrived(c.Request().Context(), kit.CustomerOf(c).ID, c.Param("ref"))
	if err != nil && refusal.Fields(err) == nil {
		return err
	}
	if err != nil {
		d, lerr := h.loadOrder(c, c.Param("ref"))
		if lerr != nil {
			return lerr
		}
		d.Title = d.T("not_arrived.title", "Ref", d.Order.Ref)
		d.Errors = formErrors{"not_arrived": d.refusalText(err)}
		return h.views.Render(c, http.StatusUnprocessableEntity, "portal/not_arrived", "", d)
	}
	return c.Redirect(http.StatusSeeOther, "/inquiries/"+strconv.FormatInt(q.ID, 10))
}
