package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/web/kit"

	"github.com/kedja/kedja/app/domain/staff"
	"github.com/kedja/kedja/app/model"
)

type staffListData struct {
	adminView
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

// adminStaffList lists every staff member, active first.
func (s *Server) adminStaffList(c echo.Context) error {
	list, err := s.store.ListStaff(c.Request().Context())
	if err != nil {
		return err
	}
	load, err := s.store.OpenCaseLoad(c.Request().Context())
	if err != nil {
		return err
	}
	by := make(map[int64]*model.Staff, len(list))
	for _, st := range list {
		by[st.ID] = st
	}
	return s.views.Render(c, http.StatusOK, "admin/staff", "", staffListData{adminView: s.adminView(c, "admin.staff.title"), People: list, Managers: by, Load: load})
}

type staffFormData struct {
	adminView
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

func (s *Server) staffForm(c echo.Context, p *model.Staff, status int, errMsg string) error {
	ctx := c.Request().Context()
	all, err := s.store.ListStaff(ctx)
	if err != nil {
		return err
	}
	d := staffFormData{adminView: s.adminView(c, "admin.staff.new"), Person: p}
	d.Error = errMsg
	if p.ID != 0 {
		d.Title = p.FullName
		o, i, err := s.store.CountOpenCases(ctx, p.ID)
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
	return s.views.Render(c, status, "admin/staff_form", "", d)
}

// adminStaffNew is the empty form for a new staff member.
func (s *Server) adminStaffNew(c echo.Context) error {
	return s.staffForm(c, &model.Staff{Active: true}, http.StatusOK, "")
}

// adminStaffEdit is the form of an existing staff member.
func (s *Server) adminStaffEdit(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	p, err := s.store.StaffByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.staffForm(c, p, http.StatusOK, "")
}

// staffDetails reads the staff form.
func staffDetails(c echo.Context) staff.Details {
	return staff.Details{Email: c.FormValue("email"), FullName: c.FormValue("full_name"), Title: c.FormValue("title"),
		Phone: c.FormValue("phone"), IsAdmin: c.FormValue("is_admin") == "on" || c.FormValue("is_admin") == "1",
		Manager: c.FormValue("manager_id")}
}

// adminStaffCreate adds a staff member.
func (s *Server) adminStaffCreate(c echo.Context) error {
	p := &model.Staff{Active: true}
	if err := s.staff.Create(c.Request().Context(), p, staffDetails(c)); err != nil {
		if msg, ok := adminRefusal(err); ok {
			return s.staffForm(c, p, http.StatusUnprocessableEntity, msg)
		}
		return err
	}
	return adminRedirect(c, "/admin/staff", "staff_saved")
}

// adminStaffUpdate saves an existing staff member's details.
func (s *Server) adminStaffUpdate(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	p, err := s.store.StaffByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := s.staff.Update(c.Request().Context(), p, staffDetails(c), kit.StaffOf(c)); err != nil {
		if msg, ok := adminRefusal(err); ok {
			return s.staffForm(c, p, http.StatusUnprocessableEntity, msg)
		}
		return err
	}
	return adminRedirect(c, "/admin/staff/"+strconv.FormatInt(id, 10), "staff_saved")
}

// adminStaffDeactivate turns a staff member off, handing over their open
// cases and ending their sessions (staff.Service.Deactivate).
func (s *Server) adminStaffDeactivate(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	_, err = s.staff.Deactivate(ctx, id, kit.StaffOf(c))
	if msg, ok := adminRefusal(err); ok {
		p, perr := s.store.StaffByID(ctx, id)
		if perr != nil {
			return perr
		}
		return s.staffForm(c, p, http.StatusUnprocessableEntity, msg)
	}
	if err != nil {
		return err
	}
	return adminRedirect(c, "/admin/staff/"+strconv.FormatInt(id, 10), "deactivated")
}

// adminStaffActivate lets a deactivated staff member back in; they get cases
// again by the owner rule.
func (s *Server) adminStaffActivate(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.staff.Activate(c.Request().Context(), id); err != nil {
		return err
	}
	return adminRedirect(c, "/admin/staff/"+strconv.FormatInt(id, 10), "activated")
}
