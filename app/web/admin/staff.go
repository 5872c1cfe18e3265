package admin

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/staff"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/web/kit"
)

type staffListData struct {
	view
	People   []*model.Staff
	Managers map[int64]*model.Staff
	Load     map[int64][2]int // open orders and inquiries per staff member
}

// OpenOrders is the number of open orders a staff member owns.
func (d staffListData) OpenOrders(id int64) int { return d.Load[id][0] }

// OpenInquiries is the number of open inquiries a staff member owns.
func (d staffListData) OpenInquiries(id int64) int { return d.Load[id][1] }

// ManagerName is the full name of the staff member with id, "" for none.
func (d staffListData) ManagerName(id *int64) string {
	if id == nil || d.Managers[*id] == nil {
		return ""
	}
	return d.Managers[*id].FullName
}

// StaffList lists every staff member, active first.
func (h *Handlers) StaffList(c echo.Context) error {
	list, err := h.store.ListStaff(c.Request().Context())
	if err != nil {
		return err
	}
	load, err := h.store.OpenCaseLoad(c.Request().Context())
	if err != nil {
		return err
	}
	by := make(map[int64]*model.Staff, len(list))
	for _, st := range list {
		by[st.ID] = st
	}
	return h.views.Render(c, http.StatusOK, "admin/staff", "", staffListData{view: h.page(c, "admin.staff.title"), People: list, Managers: by, Load: load})
}

type staffFormData struct {
	view
	Person   *model.Staff // being edited; ID 0 when new
	Managers []*model.Staff
	Open     [2]int64 // open orders and inquiries
}

// ManagerID is the selected manager's id, 0 for none.
func (d staffFormData) ManagerID() int64 {
	if d.Person.ManagerID == nil {
		return 0
	}
	return *d.Person.ManagerID
}

func (h *Handlers) staffForm(c echo.Context, p *model.Staff, status int, errMsg string) error {
	ctx := c.Request().Context()
	all, err := h.store.ListStaff(ctx)
	if err != nil {
		return err
	}
	d := staffFormData{view: h.page(c, "admin.staff.new"), Person: p}
	d.Error = errMsg
	if p.ID != 0 {
		d.Title = p.FullName
		o, i, err := h.store.CountOpenCases(ctx, p.ID)
		if err != nil {
			return err
		}
		d.Open = [2]int64{o, i}
	}
	for _, st := range all {
		if st.Active && st.ID != p.ID {
			d.Managers = append(d.Managers, st)
		}
	}
	return h.views.Render(c, status, "admin/staff_form", "", d)
}

// StaffNew is the empty form for a new staff member.
func (h *Handlers) StaffNew(c echo.Context) error {
	return h.staffForm(c, &model.Staff{Active: true}, http.StatusOK, "")
}

// StaffEdit is the form of an existing staff member.
func (h *Handlers) StaffEdit(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	p, err := h.store.StaffByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return h.staffForm(c, p, http.StatusOK, "")
}

// staffDetails reads the staff form.
func staffDetails(c echo.Context) staff.Details {
	return staff.Details{Email: c.FormValue("email"), FullName: c.FormValue("full_name"), Title: c.FormValue("title"),
		Phone: c.FormValue("phone"), IsAdmin: c.FormValue("is_admin") == "on" || c.FormValue("is_admin") == "1",
		Manager: c.FormValue("manager_id")}
}

// StaffCreate adds a staff member.
func (h *Handlers) StaffCreate(c echo.Context) error {
	p := &model.Staff{Active: true}
	if err := h.staff.Create(c.Request().Context(), p, staffDetails(c)); err != nil {
		if msg, ok := refusalText(err); ok {
			return h.staffForm(c, p, http.StatusUnprocessableEntity, msg)
		}
		return err
	}
	return redirect(c, "/admin/staff", "staff_saved")
}

// StaffUpdate saves an existing staff member's details.
func (h *Handlers) StaffUpdate(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	p, err := h.store.StaffByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := h.staff.Update(c.Request().Context(), p, staffDetails(c), kit.StaffOf(c)); err != nil {
		if msg, ok := refusalText(err); ok {
			return h.staffForm(c, p, http.StatusUnprocessableEntity, msg)
		}
		return err
	}
	return redirect(c, "/admin/staff/"+strconv.FormatInt(id, 10), "staff_saved")
}

// StaffDeactivate turns a staff member off, handing over their open
// cases and ending their sessions (staff.Service.Deactivate).
func (h *Handlers) StaffDeactivate(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	_, err = h.staff.Deactivate(ctx, id, kit.StaffOf(c))
	if msg, ok := refusalText(err); ok {
		p, perr := h.store.StaffByID(ctx, id)
		if perr != nil {
			return perr
		}
		return h.staffForm(c, p, http.StatusUnprocessableEntity, msg)
	}
	if err != nil {
		return err
	}
	return redirect(c, "/admin/staff/"+strconv.FormatInt(id, 10), "deactivated")
}

// StaffActivate lets a deactivated staff member back in; they get cases
// again by the owner rule.
func (h *Handlers) StaffActivate(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.staff.Activate(c.Request().Context(), id); err != nil {
		return err
	}
	return redirect(c, "/admin/staff/"+strconv.FormatInt(id, 10), "activated")
}
