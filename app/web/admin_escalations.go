package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/model"
)

// escalationRow is one escalation with its case and customer.
type escalationRow struct {
	*model.Escalation
	Customer *model.Customer
	Inquiry  *model.Inquiry
	Order    *model.Order
	Late     bool // waited longer than the reply-time target
}

type escalationsData struct {
	adminView
	Rows       []escalationRow
	ReplyHours int
	CanAct     bool
}

// adminEscalations lists the open escalations addressed to the signed-in
// manager and to their reports, oldest first, with how long each has waited.
func (s *Server) adminEscalations(c echo.Context) error {
	ctx := c.Request().Context()
	me := staffOf(c)
	reports, err := s.store.ReportsOf(ctx, me.ID)
	if err != nil {
		return err
	}
	list, err := s.store.OpenEscalationsForManagers(ctx, append([]int64{me.ID}, reports...))
	if err != nil {
		return err
	}
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return err
	}
	var custIDs, inqIDs, ordIDs []int64
	for _, e := range list {
		custIDs = append(custIDs, e.CustomerID)
		if e.InquiryID != nil {
			inqIDs = append(inqIDs, *e.InquiryID)
		}
		if e.OrderID != nil {
			ordIDs = append(ordIDs, *e.OrderID)
		}
	}
	custs, err := s.store.CustomersByIDs(ctx, custIDs)
	if err != nil {
		return err
	}
	inqs, err := s.store.InquiriesByIDs(ctx, inqIDs)
	if err != nil {
		return err
	}
	ords, err := s.store.OrdersByIDs(ctx, ordIDs)
	if err != nil {
		return err
	}
	d := escalationsData{adminView: s.adminView(c, "admin.escalations.title"), ReplyHours: settings.ReplyHours, CanAct: adminCanActOnEscalations}
	target := time.Duration(settings.ReplyHours) * time.Hour
	now := s.now()
	for _, e := range list {
		r := escalationRow{Escalation: e, Customer: custs[e.CustomerID], Late: now.Sub(e.CreatedAt) > target}
		if e.InquiryID != nil {
			r.Inquiry = inqs[*e.InquiryID]
		}
		if e.OrderID != nil {
			r.Order = ords[*e.OrderID]
		}
		d.Rows = append(d.Rows, r)
	}
	return s.render(c, http.StatusOK, "admin/escalations", "escalations", d)
}
