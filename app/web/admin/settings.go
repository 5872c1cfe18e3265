package admin

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/settings"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/model"
)

type settingsData struct {
	view
	Settings   *model.Settings
	Managers   []*model.Staff
	Locales    []string
	ClosedDays string // one a line, as the form shows them
}

// Weekdays are the open-day choices, Monday first: ISO digit and name.
func (d settingsData) Weekdays() [][2]string {
	return [][2]string{{"1", "Monday"}, {"2", "Tuesday"}, {"3", "Wednesday"}, {"4", "Thursday"}, {"5", "Friday"},
		{"6", "Saturday"}, {"7", "Sunday"}}
}

// OpenOn reports whether the business opens on ISO weekday digit.
func (d settingsData) OpenOn(digit string) bool { return strings.Contains(d.Settings.OpenDays, digit) }

// LastResortID is the chosen manager of last resort, 0 for none.
func (d settingsData) LastResortID() int64 {
	if d.Settings.LastResortManagerID == nil {
		return 0
	}
	return *d.Settings.LastResortManagerID
}

func (h *Handlers) settingsForm(c echo.Context, st *model.Settings, closed *string, status int, errMsg string) error {
	all, err := h.store.ListStaff(c.Request().Context())
	if err != nil {
		return err
	}
	d := settingsData{view: h.page(c, "admin.settings.title"), Settings: st, Locales: i18n.Locales}
	d.Error = errMsg
	if closed != nil {
		d.ClosedDays = *closed
	} else {
		days, err := h.store.ClosedDays(c.Request().Context())
		if err != nil {
			return err
		}
		d.ClosedDays = settings.FormatClosedDays(days)
	}
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
	return h.settingsForm(c, st, nil, http.StatusOK, "")
}

// SettingsSave checks and saves the business settings.
func (h *Handlers) SettingsSave(c echo.Context) error {
	st, err := h.store.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	f := settings.Form{BusinessName: c.FormValue("business_name"), SupportEmail: c.FormValue("support_email"),
		DefaultLocale: c.FormValue("default_locale"), ReplyHours: c.FormValue("reply_hours"),
		LastResort: c.FormValue("last_resort_manager_id"), AckHours: c.FormValue("ack_hours"),
		OpenFrom: c.FormValue("open_from"), OpenUntil: c.FormValue("open_until")}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	// The hours are on the form (this page always sends them): an unticked
	// day is a closed one.
	if form.Has("hours") {
		f.OpenDays = append([]string{}, form["open_days"]...)
		closed := c.FormValue("closed_days")
		f.ClosedDays = &closed
	}
	if err := h.settings.Save(c.Request().Context(), st, f); err != nil {
		if msg, ok := refusalText(err); ok {
			return h.settingsForm(c, st, f.ClosedDays, http.StatusUnprocessableEntity, msg)
		}
		return err
	}
	return redirect(c, "/admin/settings", "settings_saved")
}
