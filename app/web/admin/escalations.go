package admin

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/web/kit"
)

// escalationRow is one escalation with its case and customer.
type escalationRow struct {
	*model.Escalation
	Customer  *model.Customer
	Inquiry   *model.Inquiry
	Order     *model.Order
	Owner     *model.Staff     // the case's owner
	Inquiries []*model.Inquiry // an order's open inquiries, to reply in
	Late      bool             // waited longer than the reply-time target
	CanAct    bool             // the signed-in staff member may act on it
}

// OwnerID is the case's owner, for the hand-over list.
func (r escalationRow) OwnerID() int64 {
	if r.Owner == nil {
		return 0
	}
	return r.Owner.ID
}

// OwnerName is the case owner's full name, "—" when unknown.
func (r escalationRow) OwnerName() string {
	if r.Owner == nil {
		return "—"
	}
	return r.Owner.FullName
}

type escalationsData struct {
	view
	Rows       []escalationRow
	ReplyHours int
	Colleagues []*model.Staff // active staff, to hand a case to
	Form       map[string]string
	Feedback   []*model.Feedback // answers to "Did this solve it?" in the last 30 days, not solved first
}

// Escalations lists the open escalations addressed to the signed-in
// manager and to their reports, oldest first, with how long each has waited
// and what the manager can do about each.
func (h *Handlers) Escalations(c echo.Context) error {
	d, err := h.escalationsPage(c)
	if err != nil {
		return err
	}
	return h.views.Render(c, http.StatusOK, "admin/escalations", "escalations", d)
}

func (h *Handlers) escalationsPage(c echo.Context) (*escalationsData, error) {
	ctx := c.Request().Context()
	me := kit.StaffOf(c)
	reports, err := h.store.ReportsOf(ctx, me.ID)
	if err != nil {
		return nil, err
	}
	list, err := h.store.OpenEscalationsForManagers(ctx, append([]int64{me.ID}, reports...))
	if err != nil {
		return nil, err
	}
	business, err := h.store.Settings(ctx)
	if err != nil {
		return nil, err
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
	custs, err := h.store.CustomersByIDs(ctx, custIDs)
	if err != nil {
		return nil, err
	}
	inqs, err := h.store.InquiriesByIDs(ctx, inqIDs)
	if err != nil {
		return nil, err
	}
	ords, err := h.store.OrdersByIDs(ctx, ordIDs)
	if err != nil {
		return nil, err
	}
	asked, err := h.store.OpenInquiriesAboutOrders(ctx, ordIDs)
	if err != nil {
		return nil, err
	}
	people, err := h.store.ListStaff(ctx)
	if err != nil {
		return nil, err
	}
	d := &escalationsData{view: h.page(c, "admin.escalations.title"), ReplyHours: business.ReplyHours, Form: map[string]string{}}
	if d.Feedback, err = h.store.RecentFeedback(ctx, h.now().Add(-30*24*time.Hour), 100); err != nil {
		return nil, err
	}
	byID := make(map[int64]*model.Staff, len(people))
	for _, st := range people {
		byID[st.ID] = st
		if st.Active {
			d.Colleagues = append(d.Colleagues, st)
		}
	}
	now := h.now()
	for _, e := range list {
		r := escalationRow{Escalation: e, Customer: custs[e.CustomerID], Late: escalations.Late(e, business, now),
			CanAct: escalations.MayAct(e, me)}
		if e.InquiryID != nil && inqs[*e.InquiryID] != nil {
			r.Inquiry = inqs[*e.InquiryID]
			r.Owner = byID[r.Inquiry.OwnerID]
		}
		if e.OrderID != nil && ords[*e.OrderID] != nil {
			r.Order = ords[*e.OrderID]
			r.Owner = byID[r.Order.OwnerID]
			r.Inquiries = asked[r.Order.ID]
		}
		d.Rows = append(d.Rows, r)
	}
	return d, nil
}
