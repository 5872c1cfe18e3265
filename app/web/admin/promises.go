package admin

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/hours"
	"github.com/kedja/kedja/app/domain/promises"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// promiseShare is one person's (or everyone's) promises that fell due in
// the last 30 days: how many were kept on time.
type promiseShare struct {
	Name   string
	OnTime int
	Due    int
}

// Percent is the share kept on time, 0–100.
func (p promiseShare) Percent() int {
	if p.Due == 0 {
		return 0
	}
	return p.OnTime * 100 / p.Due
}

// shares reads the share of promises kept on time in the 30 days before
// now, per staff member (third parties' dates under "Third parties") and
// overall.
func (h *Handlers) shares(ctx context.Context, now time.Time) (promiseShare, []promiseShare, error) {
	tallies, err := h.store.PromiseTallies(ctx, now.Add(-30*24*time.Hour), now)
	if err != nil {
		return promiseShare{}, nil, err
	}
	ids := make([]int64, 0, len(tallies))
	for _, t := range tallies {
		if t.StaffID != 0 {
			ids = append(ids, t.StaffID)
		}
	}
	people, err := h.store.StaffByIDs(ctx, ids)
	if err != nil {
		return promiseShare{}, nil, err
	}
	all := promiseShare{Name: "Everyone"}
	var per []promiseShare
	for _, t := range tallies {
		all.OnTime, all.Due = all.OnTime+t.OnTime, all.Due+t.Due
		name := "Third parties"
		if p := people[t.StaffID]; p != nil {
			name = p.FullName
		}
		per = append(per, promiseShare{Name: name, OnTime: t.OnTime, Due: t.Due})
	}
	sort.Slice(per, func(i, j int) bool { return per[i].Name < per[j].Name })
	return all, per, nil
}

// promiseRow is one promise on the Promises page: the promise, its case,
// its customer.
type promiseRow struct {
	P        *model.Promise
	Inquiry  *model.Inquiry
	Order    *model.Order
	Customer *model.Customer
}

// personPromises is what one person holds: due soon, and missed.
type personPromises struct {
	Name   string
	Due    []promiseRow
	Missed []promiseRow
}

type promisesData struct {
	view
	People []*personPromises
	Share  promiseShare
	Shares []promiseShare
	Within time.Duration
}

// Promises lists, by person, the promises due in the next two days (or already
// past and not yet handled by the check) and the missed ones not yet kept,
// with the share of promises kept on time in the last 30 days.
func (h *Handlers) Promises(c echo.Context) error {
	ctx := c.Request().Context()
	now := model.Normalize(h.now())
	d := promisesData{view: h.page(c, "admin.promises.title"), Within: 48 * time.Hour}
	due, err := h.store.PromisesDueBefore(ctx, now.Add(d.Within), 500)
	if err != nil {
		return err
	}
	missed, err := h.store.MissedPromises(ctx, 500)
	if err != nil {
		return err
	}
	rows, err := h.promiseRows(ctx, append(due, missed...))
	if err != nil {
		return err
	}
	by := map[string]*personPromises{}
	person := func(name string) *personPromises {
		if by[name] == nil {
			by[name] = &personPromises{Name: name}
			d.People = append(d.People, by[name])
		}
		return by[name]
	}
	for _, r := range rows {
		p := person(r.P.HolderName)
		if r.P.State == model.PromiseMissed {
			p.Missed = append(p.Missed, r)
		} else {
			p.Due = append(p.Due, r)
		}
	}
	sort.Slice(d.People, func(i, j int) bool {
		a, b := d.People[i], d.People[j]
		if len(a.Missed) != len(b.Missed) {
			return len(a.Missed) > len(b.Missed)
		}
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	})
	if d.Share, d.Shares, err = h.shares(ctx, now); err != nil {
		return err
	}
	return h.views.Render(c, http.StatusOK, "admin/promises", "", d)
}

// promiseRows loads the cases and customers of promises (three queries).
func (h *Handlers) promiseRows(ctx context.Context, list []*model.Promise) ([]promiseRow, error) {
	var qids, oids, cids []int64
	for _, p := range list {
		if p.InquiryID != nil {
			qids = append(qids, *p.InquiryID)
		}
		if p.OrderID != nil {
			oids = append(oids, *p.OrderID)
		}
		cids = append(cids, p.CustomerID)
	}
	qs, err := h.store.InquiriesByIDs(ctx, qids)
	if err != nil {
		return nil, err
	}
	os, err := h.store.OrdersByIDs(ctx, oids)
	if err != nil {
		return nil, err
	}
	cs, err := h.store.CustomersByIDs(ctx, cids)
	if err != nil {
		return nil, err
	}
	rows := make([]promiseRow, 0, len(list))
	for _, p := range list {
		r := promiseRow{P: p, Customer: cs[p.CustomerID]}
		if p.InquiryID != nil {
			r.Inquiry = qs[*p.InquiryID]
		}
		if p.OrderID != nil {
			r.Order = os[*p.OrderID]
		}
		rows = append(rows, r)
	}
	return rows, nil
}

type lateOrdersData struct {
	view
	Orders []*model.Order
	Today  string
}

// LateOrders lists the orders past their expected day with no delivery
// reported, the longest late first.
func (h *Handlers) LateOrders(c echo.Context) error {
	ctx := c.Request().Context()
	clock, err := hours.Load(ctx, h.store, h.loc)
	if err != nil {
		return err
	}
	d := lateOrdersData{view: h.page(c, "admin.late.title"), Today: clock.Today(h.now())}
	if d.Orders, err = h.store.LateOrders(ctx, d.Today, 500); err != nil {
		return err
	}
	return h.views.Render(c, http.StatusOK, "admin/late_orders", "", d)
}

// DaysLate is how many days past its expected day an order is.
func (d lateOrdersData) DaysLate(o *model.Order) int {
	exp, err1 := time.Parse("2006-01-02", o.ExpectedDelivery)
	today, err2 := time.Parse("2006-01-02", d.Today)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(today.Sub(exp) / (24 * time.Hour))
}

// PromiseWhat is a promise in a few words for staff.
func (v view) PromiseWhat(p *model.Promise) string {
	switch p.Kind {
	case model.PromiseReply:
		return "Reply"
	case model.PromiseAction:
		return "“" + p.What + "”"
	case model.PromiseThirdParty:
		return p.HolderName + " expected " + p.DueDay
	case model.PromiseDelivery:
		return "Delivery by " + p.DueDay
	case model.PromiseEscalation:
		return "Answer the escalation"
	case model.PromiseCustomer:
		return "The customer's answer"
	}
	return p.Kind
}

// PromiseState is how a promise stands or ended, for staff: "kept", "kept
// 21 h late", "missed", "withdrawn: …".
func (v view) PromiseState(p *model.Promise) string {
	switch p.State {
	case model.PromiseKeptLate:
		return "kept " + duration(p.LateBy()) + " late"
	case model.PromiseWithdrawn:
		if p.Reason != "" {
			return "withdrawn: " + p.Reason
		}
		return "withdrawn"
	case model.PromiseMissed:
		if p.Outstanding {
			return "missed, not yet kept"
		}
		if p.Reason != "" {
			return "missed; closed: " + p.Reason
		}
		return "missed"
	case model.PromiseOpen:
		if p.DueAt != nil && p.DueAt.Before(v.now) {
			return "past due"
		}
		return "open"
	}
	return p.State
}

// nextStepDefaults are the one-click deadlines the reply form offers: the
// reply-time target from now and tomorrow 12:00, both in opening hours.
type nextStepDefaults struct {
	Target   time.Time
	Tomorrow time.Time
}

func (h *Handlers) defaults(ctx context.Context) (nextStepDefaults, error) {
	clock, err := hours.Load(ctx, h.store, h.loc)
	if err != nil {
		return nextStepDefaults{}, err
	}
	now := h.now()
	return nextStepDefaults{Target: clock.ReplyBy(now), Tomorrow: clock.NextDayAt(now, 12, 0)}, nil
}

// nextStep reads a next step from a staff form: next is "customer",
// "staff", "third_party" or "keep"; a staff promise says what ("what") and
// by when — the reply-time target, tomorrow 12:00 or a picked time
// ("due": "target", "tomorrow", "pick" with "due_at" in the business's
// zone); a third party is named ("party") with its day ("expected").
func (h *Handlers) nextStep(c echo.Context, me *model.Staff) (promises.Step, error) {
	st := promises.Step{Holder: c.FormValue("next")}
	switch st.Holder {
	case "", model.HolderCustomer:
		st.Holder = model.HolderCustomer
	case model.HolderStaff:
		st.What, st.StaffID = c.FormValue("what"), me.ID
		df, err := h.defaults(c.Request().Context())
		if err != nil {
			return st, err
		}
		switch c.FormValue("due") {
		case "target":
			st.Due = df.Target
		case "tomorrow":
			st.Due = df.Tomorrow
		default:
			if t, err := time.ParseInLocation("2006-01-02T15:04", c.FormValue("due_at"), h.loc); err == nil {
				st.Due = t
			}
		}
	case model.HolderThirdParty:
		st.Party, st.Day = c.FormValue("party"), c.FormValue("expected")
	case promises.Keep:
	default:
		return st, promises.ErrNoHolder
	}
	return st, nil
}

// Local writes t for a datetime-local input in the business's zone.
func (v view) Local(t time.Time) string { return t.In(v.loc).Format("2006-01-02T15:04") }

// inquiryPromises reads an inquiry's promises, its next step and the
// form's defaults.
func (h *Handlers) inquiryPromises(ctx context.Context, d *inquiryWorkData) error {
	var err error
	if d.Promises, err = h.store.CasePromises(ctx, store.InquiryCase(d.Inquiry.ID)); err != nil {
		return err
	}
	for _, p := range d.Promises {
		if p.IsNext {
			d.Next = p
		}
	}
	d.Defaults, err = h.defaults(ctx)
	return err
}
