package web

import (
	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/model"
)

// Page is what the layout needs; every page's data embeds it.
type Page struct {
	Lang         string
	Title        string
	CSRF         string
	BusinessName string
	Customer     *model.Customer
	Staff        *model.Staff
	Admin        bool // a staff page: the admin navigation is shown
	Demo         bool
	Path         string
	NoHistory    bool // pages with customer data: htmx keeps no history snapshot

	cat *i18n.Catalog
}

// T translates id in the page's language.
func (p Page) T(id string, args ...any) string { return p.cat.T(p.Lang, id, args...) }

// page builds the layout data for a request.
func (s *Server) page(c echo.Context, titleID string) Page {
	csrf, _ := c.Get(ctxCSRF).(string)
	p := Page{
		Lang: s.locale(c), CSRF: csrf, BusinessName: s.cfg.BusinessName, Customer: customerOf(c),
		Demo: s.demo, Path: c.Request().URL.Path, cat: s.cat,
	}
	if p.Customer != nil {
		p.NoHistory = true
	}
	if titleID != "" {
		p.Title = p.T(titleID)
	}
	return p
}

// staffPage builds the layout data for an /admin page (English for now, the
// strings kept in the same catalogs).
func (s *Server) staffPage(c echo.Context, titleID string) Page {
	p := s.page(c, "")
	p.Lang, p.Customer, p.Staff, p.Admin, p.NoHistory = "en", nil, staffOf(c), true, true
	if titleID != "" {
		p.Title = p.T(titleID)
	}
	return p
}

// locale picks the language of a customer-facing response: the signed-in
// customer's choice, else the language cookie, else Accept-Language, else
// English.
func (s *Server) locale(c echo.Context) string {
	if cust := customerOf(c); cust != nil && cust.LocaleSet && i18n.Supported(cust.Locale) {
		return cust.Locale
	}
	if ck, err := c.Cookie("kedja_lang"); err == nil && i18n.Supported(ck.Value) {
		return ck.Value
	}
	cust := customerOf(c)
	fromOrders := ""
	if cust != nil {
		fromOrders = cust.Locale
	}
	return i18n.Pick("", fromOrders, c.Request().Header.Get("Accept-Language"), "en")
}
