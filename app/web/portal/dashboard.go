package portal

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web/kit"
)

// DashboardPageSize is how many cases the dashboard shows before "More".
const DashboardPageSize = 50

// caseRow is one line of the dashboard: an order or an inquiry, with its
// words worked out in Go (the template only prints them; a page of 50 rows
// would otherwise make hundreds of reflective method calls).
type caseRow struct {
	Order      *model.Order
	Inquiry    *model.Inquiry
	Escalation *model.Escalation // open escalation, if any

	URL, Title, Status, Tone, Meta, Next, Escalated string
	Late                                            bool

	open bool
	at   time.Time
	id   int64
}

// before reports whether r comes before o on the dashboard: open first,
// newest activity first, inquiries before orders on a tie, then newest id.
func (r *caseRow) before(o *caseRow) bool {
	if r.open != o.open {
		return r.open
	}
	if !r.at.Equal(o.at) {
		return r.at.After(o.at)
	}
	if (r.Inquiry != nil) != (o.Inquiry != nil) {
		return r.Inquiry != nil
	}
	return r.id > o.id
}

// cursor is the position after this row, for the "More" link.
func (r *caseRow) cursor() string {
	kind, open := "o", "0"
	if r.Inquiry != nil {
		kind = "i"
	}
	if r.open {
		open = "1"
	}
	return kind + "." + open + "." + strconv.FormatInt(r.at.UnixMicro(), 10) + "." + strconv.FormatInt(r.id, 10)
}

// parseCursor reads a "More" link's position into the cursors of the two
// lists: rows after it in the merged order.
func parseCursor(s string) (orders, inquiries *store.Cursor, ok bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 || (parts[0] != "o" && parts[0] != "i") || (parts[1] != "0" && parts[1] != "1") {
		return nil, nil, false
	}
	micros, err1 := strconv.ParseInt(parts[2], 10, 64)
	id, err2 := strconv.ParseInt(parts[3], 10, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return nil, nil, false
	}
	open, at := parts[1] == "1", time.UnixMicro(micros).UTC()
	if parts[0] == "i" {
		// After an inquiry: later inquiries by id; orders on the same
		// (open, time) come after every inquiry, so all of them.
		return &store.Cursor{Open: open, At: at, ID: math.MaxInt64}, &store.Cursor{Open: open, At: at, ID: id}, true
	}
	// After an order: inquiries on the same (open, time) came before it.
	return &store.Cursor{Open: open, At: at, ID: id}, &store.Cursor{Open: open, At: at, ID: 0}, true
}

type dashboardData struct {
	view
	Rows  []*caseRow
	After string // this page's position ("" for the first page)
	More  string // the next page's position, "" when there is none
}

// Dashboard lists every order and inquiry of the signed-in customer, open
// ones first, newest activity first, 50 at a time: three queries (orders and
// inquiries with their owners joined, and the customer's open escalations).
func (h *Handlers) Dashboard(c echo.Context) error {
	ctx := c.Request().Context()
	cust := kit.CustomerOf(c)
	d := dashboardData{view: h.page(c, "dashboard.title")}
	var oc, ic *store.Cursor
	if after := c.QueryParam("after"); after != "" {
		var ok bool
		if oc, ic, ok = parseCursor(after); !ok {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		d.After = after
	}
	orders, err := h.reads.OrdersForCustomerAfter(ctx, cust.ID, oc, DashboardPageSize+1)
	if err != nil {
		return err
	}
	inquiries, err := h.reads.InquiriesForCustomerAfter(ctx, cust.ID, ic, DashboardPageSize+1)
	if err != nil {
		return err
	}
	var escalations map[string]*model.Escalation
	if len(orders)+len(inquiries) > 0 {
		if escalations, err = h.reads.OpenEscalationsForCustomer(ctx, cust.ID); err != nil {
			return err
		}
	}
	// What each case owes the customer: one query for the whole page.
	owed := map[store.CaseKey]*steps{}
	if len(orders)+len(inquiries) > 0 {
		ps, err := h.reads.OutstandingForCustomer(ctx, cust.ID)
		if err != nil {
			return err
		}
		for _, p := range ps {
			k := store.CaseKey{}
			if p.OrderID != nil {
				k.OrderID = *p.OrderID
			} else if p.InquiryID != nil {
				k.InquiryID = *p.InquiryID
			}
			if owed[k] == nil {
				owed[k] = &steps{}
			}
			owed[k].add(p)
		}
	}
	d.Rows = mergeCases(orders, inquiries, escalations, DashboardPageSize+1)
	if len(d.Rows) > DashboardPageSize {
		d.Rows = d.Rows[:DashboardPageSize]
		d.More = d.Rows[DashboardPageSize-1].cursor()
	}
	for _, r := range d.Rows {
		k := store.InquiryCase(r.id)
		if r.Order != nil {
			k = store.OrderCase(r.id)
		}
		st := owed[k]
		if st == nil {
			st = &steps{}
		}
		d.describe(r, *st)
	}
	return h.views.Render(c, http.StatusOK, "portal/dashboard", "cases", &d)
}

// describe works out a row's words in the reader's language: the case's
// next step (st) names who holds it in full.
func (v *view) describe(r *caseRow, st steps) {
	owner := ""
	if o := r.Order; o != nil {
		if o.Owner != nil {
			owner = o.Owner.FullName
		}
		r.URL = "/orders/" + url.PathEscape(o.Ref)
		r.Title = v.T("dashboard.order", "Ref", o.Ref)
		r.Status, r.Tone = v.OrderStatus(o.Status), v.Tone(o.Status)
		r.Next, r.Late = v.OrderNext(o), v.OrderLate(o) || len(st.Missed) > 0
		if st.Answer != nil {
			r.Next = v.NextText(st, o.Owner)
		}
		if owner != "" {
			r.Meta = v.T("dashboard.owner", "Name", owner)
		}
		if o.PlacedAt != nil {
			if r.Meta != "" {
				r.Meta += " · "
			}
			r.Meta += v.T("dashboard.placed", "Date", v.Date(*o.PlacedAt))
		}
	} else {
		q := r.Inquiry
		if q.Owner != nil {
			owner = q.Owner.FullName
		}
		r.URL = "/inquiries/" + strconv.FormatInt(q.ID, 10)
		r.Title = q.Subject
		r.Status, r.Tone = v.InquiryStatus(q), v.Tone(q.Status)
		r.Next, r.Late = v.InquiryNext(q), v.InquiryOverdue(q) || v.Late(st)
		if s := v.NextText(st, q.Owner); s != "" {
			r.Next = s
		}
		r.Meta = v.T("dashboard.question")
		if owner != "" {
			r.Meta += " · " + v.T("dashboard.owner", "Name", owner)
		}
	}
	if e := r.Escalation; e != nil && e.Manager != nil {
		r.Escalated = v.T("dashboard.escalated", "Name", e.Manager.FullName)
		if e.AcknowledgedAt != nil {
			r.Escalated += " · " + v.T("escalation.acknowledged_short")
		}
	}
}

// mergeCases merges the two sorted lists into at most n rows.
func mergeCases(orders []*model.Order, inquiries []*model.Inquiry, esc map[string]*model.Escalation, n int) []*caseRow {
	rows := make([]*caseRow, 0, min(n, len(orders)+len(inquiries)))
	buf := make([]caseRow, len(orders)+len(inquiries))
	i, j := 0, 0
	for len(rows) < n && (i < len(orders) || j < len(inquiries)) {
		var r *caseRow
		if i < len(orders) {
			o := orders[i]
			r = &buf[i+j]
			*r = caseRow{Order: o, open: o.IsOpen, at: o.LastActivityAt, id: o.ID}
		}
		if j < len(inquiries) {
			q := inquiries[j]
			qr := caseRow{Inquiry: q, open: q.IsOpen, at: q.LastActivityAt, id: q.ID}
			if r == nil || qr.before(r) {
				r = &buf[i+j]
				*r = qr
			}
		}
		if r.Order != nil {
			i++
			if len(esc) > 0 {
				r.Escalation = esc[model.OrderSubject(r.id)]
			}
		} else {
			j++
			if len(esc) > 0 {
				r.Escalation = esc[model.InquirySubject(r.id)]
			}
		}
		rows = append(rows, r)
	}
	return rows
}
