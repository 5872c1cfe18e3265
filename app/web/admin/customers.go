package admin

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/web/kit"
)

type customersData struct {
	view
	Q         string
	Customers []*model.Customer
}

// Customers searches customers by name or address.
func (h *Handlers) Customers(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	list, err := h.store.SearchCustomers(c.Request().Context(), q, 100)
	if err != nil {
		return err
	}
	d := customersData{view: h.page(c, "admin.customers.title"), Q: q, Customers: list}
	return h.views.Render(c, http.StatusOK, "admin/customers", "results", d)
}

type customerData struct {
	view
	Customer  *model.Customer
	Orders    []*model.Order
	Inquiries []*model.Inquiry
	Facts     []*model.CustomerFact
	Form      map[string]string
}

// FactsBlock is the customer's facts, editable.
func (d customerData) FactsBlock() factsBlock {
	return factsBlock{view: d.view, CustomerID: d.Customer.ID, Facts: d.Facts,
		Next: "/admin/customers/" + strconv.FormatInt(d.Customer.ID, 10)}
}

// Customer shows one customer's orders, inquiries and facts.
func (h *Handlers) Customer(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.customerPage(c, id)
	if err != nil {
		return err
	}
	return h.views.Render(c, http.StatusOK, "admin/customer", "", d)
}

func (h *Handlers) customerPage(c echo.Context, id int64) (*customerData, error) {
	ctx := c.Request().Context()
	cust, err := h.store.CustomerByID(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &customerData{view: h.page(c, ""), Customer: cust, Form: map[string]string{"order_ref": c.QueryParam("order")}}
	d.Title = cust.Name
	if d.Orders, err = h.store.OrdersForCustomer(ctx, id, 200, 0); err != nil {
		return nil, err
	}
	if d.Inquiries, err = h.store.InquiriesForCustomer(ctx, id, 200, 0); err != nil {
		return nil, err
	}
	if d.Facts, err = h.store.Facts(ctx, id); err != nil {
		return nil, err
	}
	return d, nil
}

// factNext is where a facts form returns: a local /admin path only.
func factNext(c echo.Context, customerID int64) string {
	next := kit.SafeNext(c.FormValue("next"), "")
	if !strings.HasPrefix(next, "/admin/") {
		next = "/admin/customers/" + strconv.FormatInt(customerID, 10)
	}
	return next
}

func factInput(c echo.Context) (label, value string, err error) {
	label, value = strings.TrimSpace(c.FormValue("label")), strings.TrimSpace(c.FormValue("value"))
	if label == "" || len(label) > 100 || len(value) > 1000 {
		return "", "", echo.NewHTTPError(http.StatusUnprocessableEntity, "a fact needs a label (up to 100 characters) and a value (up to 1000)")
	}
	return label, value, nil
}

// FactAdd records a new fact about a customer.
func (h *Handlers) FactAdd(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	label, value, err := factInput(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := h.store.CustomerByID(ctx, id); err != nil {
		return err
	}
	f := &model.CustomerFact{CustomerID: id, Label: label, Value: value, UpdatedBy: kit.StaffOf(c).FullName}
	if err := h.store.AddFact(ctx, f); err != nil {
		return err
	}
	h.bus.Publish(live.CustomerTopic(id), live.Event{Name: "facts"})
	return redirect(c, factNext(c, id), "fact_saved")
}

// FactUpdate changes a fact, scoped to its customer.
func (h *Handlers) FactUpdate(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	fid, err := kit.PathID(c, "fact")
	if err != nil {
		return err
	}
	label, value, err := factInput(c)
	if err != nil {
		return err
	}
	if err := h.store.UpdateFact(c.Request().Context(), id, fid, label, value, kit.StaffOf(c).FullName); err != nil {
		return err
	}
	h.bus.Publish(live.CustomerTopic(id), live.Event{Name: "facts"})
	return redirect(c, factNext(c, id), "fact_saved")
}
