package admin

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/settings"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/model"
)

type settingsData struct {
	view
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

func (h *Handlers) settingsForm(c echo.Context, st *model.Settings, status int, errMsg string) error {
	all, err := h.store.ListStaff(c.Request().Context())
	if err != nil {
		return err
	}
	d := settingsData{view: h.page(c, "admin.settings.title"), Settings: st, Locales: i18n.Locales}
	d.Error = errMsg
	for _, p := range all {
		if p.Active {
			d.Managers = append(d.Managers, p)
		}
	}
	return h.views.Render(c, status, "admin/settings", "", d)
}

// Settings shows the business settings.
func (h *Handlers) Settings(c echo.Context) error {
	st, err := h.store.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	return h.settingsForm(c, st, http.StatusOK, "")
}

// SettingsSave checks and saves the business settings.
func (h *Handlers) SettingsSave(c echo.Context) error {
	st, err := h.store.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	f := settings.Form{BusinessName: c.FormValue("business_name"), SupportEmail: c.FormValue("support_email"),
		DefaultLocale: c.FormValue("default_locale"), ReplyHours: c.FormValue("reply_hours"),
		LastResort: c.FormValue("last_resort_manager_id")}
	if err := h.settings.Save(c.Request().Context(), st, f); err != nil {
		if msg, ok := refusalText(err); ok {
			return h.settingsForm(c, st, http.StatusUnprocessableEntity, msg)
		}
		return err
	}
	return redirect(c, "/admin/settings", "settings_saved")
}
