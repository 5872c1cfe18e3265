package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/settings"
	"github.com/kedja/kedja/app/i18n"
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
	return s.views.Render(c, status, "admin/settings", "", d)
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
	st, err := s.store.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	f := settings.Form{BusinessName: c.FormValue("business_name"), SupportEmail: c.FormValue("support_email"),
		DefaultLocale: c.FormValue("default_locale"), ReplyHours: c.FormValue("reply_hours"),
		LastResort: c.FormValue("last_resort_manager_id")}
	if err := s.settings.Save(c.Request().Context(), st, f); err != nil {
		if msg, ok := adminRefusal(err); ok {
			return s.settingsForm(c, st, http.StatusUnprocessableEntity, msg)
		}
		return err
	}
	return adminRedirect(c, "/admin/settings", "settings_saved")
}
