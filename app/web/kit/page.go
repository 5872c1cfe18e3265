package kit

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

// Language is one choice of language, named in itself.
type Language struct {
	Code, Name string
}

// Languages are the portal's languages, each in its own words.
func Languages() []Language {
	return []Language{{"en", "English"}, {"sv", "Svenska"}, {"da", "Dansk"}, {"nl", "Nederlands"}}
}

// Languages lists the language choices for the switch.
func (p Page) Languages() []Language { return Languages() }

// Layout builds the layout data of every page: the catalog to word it in,
// the business's name, and whether demo data is loaded (the sign-in pages
// then say where links appear).
type Layout struct {
	Catalog      *i18n.Catalog
	BusinessName string
	Demo         bool
}

// Page builds the layout data for a request, in the reader's language
// (Locale), titled by the message titleID ("" for none).
func (l *Layout) Page(c echo.Context, titleID string) Page {
	p := Page{
		Lang: l.Locale(c), CSRF: CSRFToken(c), BusinessName: l.BusinessName, Customer: CustomerOf(c),
		Demo: l.Demo, Path: c.Request().URL.Path, cat: l.Catalog,
	}
	if p.Customer != nil {
		p.NoHistory = true
	}
	if titleID != "" {
		p.Title = p.T(titleID)
	}
	return p
}

// StaffPage builds the layout data for an /admin page (English for now, the
// strings kept in the same catalogs).
func (l *Layout) StaffPage(c echo.Context, titleID string) Page {
	p := l.Page(c, "")
	p.Lang, p.Customer, p.Staff, p.Admin, p.NoHistory = "en", nil, StaffOf(c), true, true
	if titleID != "" {
		p.Title = p.T(titleID)
	}
	return p
}

// In is a page in lang with no request behind it, for words written
// elsewhere (the API's timeline).
func (l *Layout) In(lang string) Page {
	return Page{Lang: lang, BusinessName: l.BusinessName, cat: l.Catalog}
}

// Locale picks the language of a customer-facing response: the signed-in
// customer's choice, else the language cookie, else Accept-Language, else
// English.
func (l *Layout) Locale(c echo.Context) string {
	if cust := CustomerOf(c); cust != nil && cust.LocaleSet && i18n.Supported(cust.Locale) {
		return cust.Locale
	}
	if ck, err := c.Cookie(LangCookie); err == nil && i18n.Supported(ck.Value) {
		return ck.Value
	}
	cust := CustomerOf(c)
	fromOrders := ""
	if cust != nil {
		fromOrders = cust.Locale
	}
	return i18n.Pick("", fromOrders, c.Request().Header.Get("Accept-Language"), "en")
}
