package portal

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/web/kit"
)

// inquiryForm is what a customer typed into "Ask a question", kept when it
// comes back with errors.
type inquiryForm struct {
	Subject  string
	Body     string
	OrderRef string
	Errors   formErrors
}

type newInquiryData struct {
	view
	Form   inquiryForm
	Orders []*model.Order // the customer's recent orders, to pick one
}

// newInquiryPage renders the "Ask a question" page.
func (h *Handlers) newInquiryPage(c echo.Context, status int, f inquiryForm) error {
	d := newInquiryData{view: h.page(c, "ask.title"), Form: f}
	orders, err := h.reads.OrdersForCustomerAfter(c.Request().Context(), kit.CustomerOf(c).ID, nil, 50)
	if err != nil {
		return err
	}
	d.Orders = orders
	return h.views.Render(c, status, "portal/inquiry_new", "", d)
}

// InquiryNew shows the form, about an order when ?order= names one.
func (h *Handlers) InquiryNew(c echo.Context) error {
	return h.newInquiryPage(c, http.StatusOK, inquiryForm{OrderRef: strings.TrimSpace(c.QueryParam("order"))})
}

// InquiryCreate opens an inquiry and shows it. On a validation error the
// form comes back with what was typed and a message by each field — on the
// Order page when it was asked from there.
func (h *Handlers) InquiryCreate(c echo.Context) error {
	cust := kit.CustomerOf(c)
	f := inquiryForm{Subject: c.FormValue("subject"), Body: c.FormValue("body"), OrderRef: strings.TrimSpace(c.FormValue("order_ref"))}
	q, err := h.inquiries.Open(c.Request().Context(), cust.ID,
		inquiries.Question{Subject: f.Subject, Body: f.Body, OrderRef: f.OrderRef}, model.CustomerActor(cust))
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/inquiries/"+strconv.FormatInt(q.ID, 10))
	}
	if refusal.Fields(err) == nil {
		return err
	}
	v := h.page(c, "")
	f.Errors = v.fieldErrors(err)
	if f.OrderRef != "" && c.FormValue("from") == "order" {
		d, lerr := h.loadOrder(c, f.OrderRef)
		if lerr != nil {
			return lerr
		}
		d.Ask = f
		return h.views.Render(c, http.StatusUnprocessableEntity, "portal/order", "", d)
	}
	return h.newInquiryPage(c, http.StatusUnprocessableEntity, f)
}
