package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/web/kit"

	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
)

type customersData struct {
	adminView
	Q         string
	Customers []*model.Customer
}

// adminCustomers searches customers by name or address.
func (s *Server) adminCustomers(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	list, err := s.store.SearchCustomers(c.Request().Context(), q, 100)
	if err != nil {
		return err
	}
	d := customersData{adminView: s.adminView(c, "admin.customers.title"), Q: q, Customers: list}
	return s.views.Render(c, http.StatusOK, "admin/customers", "results", d)
}

type customerData struct {
	adminView
	Customer  *model.Customer
	Orders    []*model.Order
	Inquiries []*model.Inquiry
	Facts     []*model.CustomerFact
	Form      map[string]string
}

// FactsBlock is the customer's facts, editable.
func (d customerData) FactsBlock() adminFacts {
	return adminFacts{adminView: d.adminView, CustomerID: d.Customer.ID, Facts: d.Facts,
		Next: "/admin/customers/" + strconv.FormatInt(d.Customer.ID, 10)}
}

// adminCustomer shows one customer's orders, inquiries and facts.
func (s *Server) adminCustomer(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.customerPage(c, id)
	if err != nil {
		return err
	}
	return s.views.Render(c, http.StatusOK, "admin/customer", "", d)
}

func (s *Server) customerPage(c echo.Context, id int64) (*customerData, error) {
	ctx := c.Request().Context()
	cust, err := s.store.CustomerByID(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &customerData{adminView: s.adminView(c, ""), Customer: cust, Form: map[string]string{"order_ref": c.QueryParam("order")}}
	d.Title = cust.Name
	if d.Orders, err = s.store.OrdersForCustomer(ctx, id, 200, 0); err != nil {
		return nil, err
	}
	if d.Inquiries, err = s.store.InquiriesForCustomer(ctx, id, 200, 0); err != nil {
		return nil, err
	}
	if d.Facts, err = s.store.Facts(ctx, id); err != nil {
		return nil, err
	}
	return d, nil
}

// adminFactNext is where a facts form returns: a local /admin path only.
func adminFactNext(c echo.Context, customerID int64) string {
	next := kit.SafeNext(c.FormValue("next"), "")
	if !strings.HasPrefix(next, "/admin/") {
		next = "/admin/customers/" + strconv.FormatInt(customerID, 10)
	}
	return next
}

func adminFactInput(c echo.Context) (label, value string, err error) {
	label, value = strings.TrimSpace(c.FormValue("label")), strings.TrimSpace(c.FormValue("value"))
	if label == "" || len(label) > 100 || len(value) > 1000 {
		return "", "", echo.NewHTTPError(http.StatusUnprocessableEntity, "a fact needs a label (up to 100 characters) and a value (up to 1000)")
	}
	return label, value, nil
}

// adminFactAdd records a new fact about a customer.
func (s *Server) adminFactAdd(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	label, value, err := adminFactInput(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.store.CustomerByID(ctx, id); err != nil {
		return err
	}
	f := &model.CustomerFact{CustomerID: id, Label: label, Value: value, UpdatedBy: kit.StaffOf(c).FullName}
	if err := s.store.AddFact(ctx, f); err != nil {
		return err
	}
	s.bus.Publish(live.CustomerTopic(id), live.Event{Name: "facts"})
	return adminRedirect(c, adminFactNext(c, id), "fact_saved")
}

// adminFactUpdate changes a fact, scoped to its customer.
func (s *Server) adminFactUpdate(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	fid, err := kit.PathID(c, "fact")
	if err != nil {
		return err
	}
	label, value, err := adminFactInput(c)
	if err != nil {
		return err
	}
	if err := s.store.UpdateFact(c.Request().Context(), id, fid, label, value, kit.StaffOf(c).FullName); err != nil {
		return err
	}
	s.bus.Publish(live.CustomerTopic(id), live.Event{Name: "facts"})
	return adminRedirect(c, adminFactNext(c, id), "fact_saved")
}
