package web

import (
	"errors"
	"net/http"
	"net/mail"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/staffwork"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
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
	return s.render(c, http.StatusOK, "admin/staff", "", staffListData{adminView: s.adminView(c, "admin.staff.title"), People: list, Managers: by, Load: load})
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
	return s.render(c, status, "admin/staff_form", "", d)
}

// adminStaffNew is the empty form for a new staff member.
func (s *Server) adminStaffNew(c echo.Context) error {
	return s.staffForm(c, &model.Staff{Active: true}, http.StatusOK, "")
}

// adminStaffEdit is the form of an existing staff member.
func (s *Server) adminStaffEdit(c echo.Context) error {
	id, err := adminID(c, "id")
	if err != nil {
		return err
	}
	p, err := s.store.StaffByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.staffForm(c, p, http.StatusOK, "")
}

// staffInput reads and checks the form into p.
func (s *Server) staffInput(c echo.Context, p *model.Staff) error {
	p.Email = strings.TrimSpace(c.FormValue("email"))
	p.FullName = strings.Join(strings.Fields(c.FormValue("full_name")), " ")
	p.Title = strings.TrimSpace(c.FormValue("title"))
	p.Phone = strings.TrimSpace(c.FormValue("phone"))
	p.IsAdmin = c.FormValue("is_admin") == "on" || c.FormValue("is_admin") == "1"
	p.ManagerID = nil
	if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
		return adminFormError("give a valid email address, such as anna@shop.example")
	}
	if !strings.Contains(p.FullName, " ") || len(p.FullName) > 200 {
		return adminFormError("give the full name (first and last name), never a first name alone")
	}
	if p.Title == "" || len(p.Title) > 100 || len(p.Phone) > 50 {
		return adminFormError("give a title (up to 100 characters); the phone number is at most 50")
	}
	if v := c.FormValue("manager_id"); v != "" && v != "0" {
		mid, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return adminFormError("choose a manager from the list")
		}
		if err := s.checkManager(c, p.ID, mid); err != nil {
			return err
		}
		p.ManagerID = &mid
	}
	return nil
}

// checkManager refuses an unknown or inactive manager, and a chain of
// managers that leads back to the person.
func (s *Server) checkManager(c echo.Context, self, mid int64) error {
	ctx := c.Request().Context()
	seen := map[int64]bool{}
	for id, first := mid, true; id != 0; first = false {
		if id == self && self != 0 {
			return adminFormError("that manager reports (directly or not) to this person")
		}
		if seen[id] {
			return nil
		}
		seen[id] = true
		m, err := s.store.StaffByID(ctx, id)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return adminFormError("choose a manager from the list")
			}
			return err
		}
		if first && !m.Active {
			return adminFormError("the manager must be an active staff member")
		}
		if m.ManagerID == nil {
			break
		}
		id = *m.ManagerID
	}
	return nil
}

// adminStaffCreate adds a staff member.
func (s *Server) adminStaffCreate(c echo.Context) error {
	p := &model.Staff{Active: true}
	if err := s.staffInput(c, p); err != nil {
		if msg, ok := adminUserError(err); ok {
			return s.staffForm(c, p, http.StatusUnprocessableEntity, msg)
		}
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.store.StaffByEmail(ctx, p.Email); err == nil {
		return s.staffForm(c, p, http.StatusUnprocessableEntity, "a staff member with that address exists already")
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if _, err := s.store.SaveStaff(ctx, p); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return s.staffForm(c, p, http.StatusUnprocessableEntity, "a staff member with that address exists already")
		}
		return err
	}
	s.bus.Publish(live.StaffTopic, live.Event{Name: "queue"})
	return adminRedirect(c, "/admin/staff", "staff_saved")
}

// adminStaffUpdate saves an existing staff member's details.
func (s *Server) adminStaffUpdate(c echo.Context) error {
	id, err := adminID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, err := s.store.StaffByID(ctx, id)
	if err != nil {
		return err
	}
	if err := s.staffInput(c, p); err != nil {
		if msg, ok := adminUserError(err); ok {
			return s.staffForm(c, p, http.StatusUnprocessableEntity, msg)
		}
		return err
	}
	if me := staffOf(c); me.ID == p.ID && !p.IsAdmin {
		return s.staffForm(c, p, http.StatusUnprocessableEntity, "you cannot remove your own admin flag")
	}
	if err := s.store.UpdateStaff(ctx, p); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return s.staffForm(c, p, http.StatusUnprocessableEntity, "a staff member with that address exists already")
		}
		return err
	}
	// Names and titles show on customers' pages: every cached page forgets.
	s.bus.Publish(live.AllTopic, live.Event{Name: "staff"})
	s.bus.Publish(live.StaffTopic, live.Event{Name: "queue"})
	return adminRedirect(c, "/admin/staff/"+strconv.FormatInt(id, 10), "staff_saved")
}

// adminStaffDeactivate turns a staff member off, handing over their open
// cases and ending their sessions (staffwork.Deactivate).
func (s *Server) adminStaffDeactivate(c echo.Context) error {
	id, err := adminID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	_, err = staffwork.Deactivate(ctx, s.store, s.bus, id, staffOf(c), s.now())
	if msg, ok := adminUserError(err); ok {
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
	id, err := adminID(c, "id")
	if err != nil {
		return err
	}
	if err := s.store.SetStaffActive(c.Request().Context(), id, true); err != nil {
		return err
	}
	return adminRedirect(c, "/admin/staff/"+strconv.FormatInt(id, 10), "activated")
}
