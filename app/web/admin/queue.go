package admin

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/hours"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web/kit"
)

const queuePageSize = 100

type queueData struct {
	view
	View      string
	Views     []string
	Manager   bool // has reports: the team filter is shown
	Items     []*model.Inquiry
	Escalated map[int64]bool
	Counts    store.QueueCounts
	Offset    int
	Next      int            // offset of the next page, 0 when none
	Prev      int            // offset of the previous page, -1 when none
	Share     promiseShare   // promises kept on time in the last 30 days, everyone
	Shares    []promiseShare // the same per person
}

// Count is the number shown on a filter.
func (d queueData) Count(view string) int {
	c := d.Counts
	return map[string]int{store.QueueAll: c.Open, store.QueueMine: c.Mine, store.QueueTeam: c.Team,
		store.QueueOthers: c.Others, store.QueueWaitingCustomer: c.WaitingCustomer,
		store.QueueThirdParty: c.ThirdParty, store.QueueEscalated: c.Escalated}[view]
}

// queueFilter is the filter of the signed-in staff member, with their team.
func (h *Handlers) queueFilter(c echo.Context, view string) (store.QueueFilter, bool, error) {
	me := kit.StaffOf(c)
	reports, err := h.store.ReportsOf(c.Request().Context(), me.ID)
	if err != nil {
		return store.QueueFilter{}, false, err
	}
	return store.QueueFilter{View: view, Me: me.ID, Team: append([]int64{me.ID}, reports...)}, len(reports) > 0, nil
}

// Home is the work queue: open inquiries, the one due first on top.
func (h *Handlers) Home(c echo.Context) error {
	ctx := c.Request().Context()
	view := c.QueryParam("view")
	valid := false
	for _, v := range store.QueueViews {
		valid = valid || v == view
	}
	if !valid {
		view = store.QueueAll
	}
	f, manager, err := h.queueFilter(c, view)
	if err != nil {
		return err
	}
	offset, _ := strconv.Atoi(c.QueryParam("offset"))
	f.Limit, f.Offset = queuePageSize+1, max(0, offset)
	items, esc, err := h.store.Queue(ctx, f)
	if err != nil {
		return err
	}
	counts, err := h.store.CountQueue(ctx, f, model.Normalize(h.now()))
	if err != nil {
		return err
	}
	d := queueData{view: h.page(c, "admin.queue.title"), View: view, Manager: manager,
		Items: items, Escalated: esc, Counts: counts, Offset: f.Offset, Prev: -1}
	for _, v := range store.QueueViews {
		if v != store.QueueTeam || manager {
			d.Views = append(d.Views, v)
		}
	}
	if len(items) > queuePageSize {
		d.Items, d.Next = items[:queuePageSize], f.Offset+queuePageSize
	}
	if f.Offset > 0 {
		d.Prev = max(0, f.Offset-queuePageSize)
	}
	if d.Share, d.Shares, err = h.shares(ctx, model.Normalize(h.now())); err != nil {
		return err
	}
	return h.views.Render(c, http.StatusOK, "admin/queue", "queue", d)
}

type countsData struct {
	view
	Counts store.QueueCounts
	Late   int // orders past their expected day with no delivery reported
	Missed int // missed promises not yet kept
}

// Counts is the navigation's numbers, fetched by the header and again
// whenever a live event arrives.
func (h *Handlers) Counts(c echo.Context) error {
	f, _, err := h.queueFilter(c, store.QueueAll)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	counts, err := h.store.CountQueue(ctx, f, model.Normalize(h.now()))
	if err != nil {
		return err
	}
	d := countsData{view: h.page(c, ""), Counts: counts}
	clock, err := hours.Load(ctx, h.store, h.loc)
	if err != nil {
		return err
	}
	if d.Late, err = h.store.CountLateOrders(ctx, clock.Today(h.now())); err != nil {
		return err
	}
	if d.Missed, err = h.store.CountMissedPromises(ctx); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.views.Render(c, http.StatusOK, "admin/counts", "counts", d)
}
