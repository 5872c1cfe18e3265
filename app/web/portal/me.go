package portal

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/web/kit"
)

type meData struct {
	view
	Name     string
	Locale   string
	Facts    []*model.CustomerFact
	Errors   formErrors
	FactID   int64  // the fact whose form came back with an error
	FactText string // what was typed into it
	Saved    bool
	Locales  []kit.Language
}

func (h *Handlers) mePage(c echo.Context, status int, d meData) error {
	cust := kit.CustomerOf(c)
	facts, err := h.reads.Facts(c.Request().Context(), cust.ID)
	if err != nil {
		return err
	}
	d.view = h.page(c, "me.title")
	d.Facts, d.Locales = facts, kit.Languages()
	if d.Name == "" && d.Errors == nil {
		d.Name = cust.Name
	}
	if d.Locale == "" {
		d.Locale = d.Lang
	}
	return h.views.Render(c, status, "portal/me", "", d)
}

// Me shows what the business knows about the customer, which they can
// correct, and the button that signs them out everywhere.
func (h *Handlers) Me(c echo.Context) error {
	return h.mePage(c, http.StatusOK, meData{Saved: c.QueryParam("saved") == "1"})
}

// MeSave saves the customer's name and language.
func (h *Handlers) MeSave(c echo.Context) error {
	cust := kit.CustomerOf(c)
	name := strings.TrimSpace(c.FormValue("name"))
	locale := c.FormValue("locale")
	errs := formErrors{}
	v := h.page(c, "")
	switch {
	case name == "":
		errs["name"] = v.T("form.name.required")
	case utf8.RuneCountInString(name) > 200:
		errs["name"] = v.T("form.name.too_long")
	}
	if !i18n.Supported(locale) {
		errs["locale"] = v.T("form.locale.invalid")
	}
	if len(errs) > 0 {
		return h.mePage(c, http.StatusUnprocessableEntity, meData{Name: name, Locale: locale, Errors: errs})
	}
	if err := h.writes.UpdateCustomerProfile(c.Request().Context(), cust.ID, name, locale); err != nil {
		return err
	}
	h.setLangCookie(c, locale)
	h.profileChanged(cust.ID)
	return c.Redirect(http.StatusSeeOther, "/me?saved=1")
}

// MeFact corrects the value of one fact on file; another customer's fact
// is a 404.
func (h *Handlers) MeFact(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	cust := kit.CustomerOf(c)
	ctx := c.Request().Context()
	facts, err := h.reads.Facts(ctx, cust.ID)
	if err != nil {
		return err
	}
	var fact *model.CustomerFact
	for _, f := range facts {
		if f.ID == id {
			fact = f
		}
	}
	if fact == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	value := strings.TrimSpace(c.FormValue("value"))
	if utf8.RuneCountInString(value) > 1000 {
		v := h.page(c, "")
		return h.mePage(c, http.StatusUnprocessableEntity, meData{Errors: formErrors{"fact": v.T("form.value.too_long")}, FactID: id, FactText: value})
	}
	if err := h.writes.UpdateFact(ctx, cust.ID, id, fact.Label, value, "customer"); err != nil {
		return err
	}
	h.profileChanged(cust.ID)
	return c.Redirect(http.StatusSeeOther, "/me?saved=1")
}

// profileChanged tells the customer's open pages and the staff views that
// their details changed (cached pages show the name).
func (h *Handlers) profileChanged(customerID int64) {
	h.bus.Publish(live.CustomerTopic(customerID), live.Event{Name: "profile"})
	h.bus.Publish(live.StaffTopic, live.Event{Name: "customer"})
}

// setLangCookie remembers a language choice in this browser for a year.
func (h *Handlers) setLangCookie(c echo.Context, locale string) {
	c.SetCookie(&http.Cookie{Name: kit.LangCookie, Value: locale, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode})
}

// SetLanguage is the language switch: remembered in a cookie for visitors
// and on the customer for the signed-in, then back to the page.
func (h *Handlers) SetLanguage(c echo.Context) error {
	locale := c.FormValue("lang")
	if !i18n.Supported(locale) {
		return echo.NewHTTPError(http.StatusBadRequest, "unknown language")
	}
	h.setLangCookie(c, locale)
	if cust := kit.CustomerOf(c); cust != nil {
		if err := h.writes.UpdateCustomerProfile(c.Request().Context(), cust.ID, cust.Name, locale); err != nil {
			return err
		}
		h.profileChanged(cust.ID)
	}
	return c.Redirect(http.StatusSeeOther, kit.SafeNext(c.FormValue("next"), "/"))
}
