package web

import (
	"net/http"
	"net/mail"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
)

type settingsData struct {
	adminView
	Settings *model.Settings
	Managers []*model.Staff
	Locales  []string
}

// LastResortID is the chosen manager of last resort, 0 for none.
func (d settingsData) LastResortID() int64 {
	if d.Settings.LastResortManagerID == nil {
		return 0
	}
	return *d.Settings.LastResortManagerID
}

func (s *Server) settingsForm(c echo.Context, st *model.Settings, status int, errMsg string) error {
	all, err := s.store.ListStaff(c.Request().Context())
	if err != nil {
		return err
	}
	d := settingsData{adminView: s.adminView(c, "admin.settings.title"), Settings: st, Locales: i18n.Locales}
	d.Error = errMsg
	for _, p := range all {
		if p.Active {
			d.Managers = append(d.Managers, p)
		}
	}
	return s.render(c, status, "admin/settings", "", d)
}

// adminSettings shows the business settings.
func (s *Server) adminSettings(c echo.Context) error {
	st, err := s.store.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	return s.settingsForm(c, st, http.StatusOK, "")
}

// adminSettingsSave checks and saves the business settings.
func (s *Server) adminSettingsSave(c echo.Context) error {
	ctx := c.Request().Context()
	st, err := s.store.Settings(ctx)
	if err != nil {
		return err
	}
	st.BusinessName = strings.TrimSpace(c.FormValue("business_name"))
	st.SupportEmail = strings.TrimSpace(c.FormValue("support_email"))
	st.DefaultLocale = c.FormValue("default_locale")
	hours, herr := strconv.Atoi(strings.TrimSpace(c.FormValue("reply_hours")))
	st.ReplyHours = hours
	st.LastResortManagerID = nil
	fail := func(msg string) error { return s.settingsForm(c, st, http.StatusUnprocessableEntity, msg) }
	switch {
	case st.BusinessName == "" || len(st.BusinessName) > 200:
		return fail("give the business name (up to 200 characters)")
	case st.SupportEmail != "" && !adminValidEmail(st.SupportEmail):
		return fail("give a valid support address, such as help@shop.example, or leave it empty")
	case !i18n.Supported(st.DefaultLocale):
		return fail("choose a default language from the list")
	case herr != nil || hours < 1 || hours > 24*14:
		return fail("the reply-time target is a whole number of hours from 1 to 336")
	}
	if v := c.FormValue("last_resort_manager_id"); v != "" && v != "0" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fail("choose the manager of last resort from the list")
		}
		m, err := s.store.StaffByID(ctx, id)
		if err != nil || !m.Active {
			return fail("choose the manager of last resort from the list")
		}
		st.LastResortManagerID = &id
	}
	if err := s.store.SaveSettings(ctx, st); err != nil {
		return err
	}
	s.bus.Publish(live.AllTopic, live.Event{Name: "settings"})
	return adminRedirect(c, "/admin/settings", "settings_saved")
}

func adminValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}
