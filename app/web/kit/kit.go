// Package kit is what two or more of Kedja's audiences share on the web:
// rendering pages (Renderer, Page, Layout), who the request is from
// (CustomerOf, StaffOf, CSRFToken), reading parameters (PathID, IsHTMX,
// SafeNext), the Server-Sent Events loop (Stream), the customer's wording of
// statuses and timeline events (Words, used by the portal and the API), the
// business's time zone (Location) and rate limits (RateLimiter). It knows
// no route and no audience: package web wires it, and portal, admin and api
// use it.
package kit

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/model"
)

// LangCookie remembers a visitor's choice of language.
const LangCookie = "kedja_lang"

// Context keys of what package web's middleware learns about a request.
const (
	keyCSRF            = "csrf"
	keyCustomer        = "customer"
	keyStaff           = "staff"
	keyCustomerSession = "customer_session"
	keyStaffSession    = "staff_session"
)

// CustomerOf is the signed-in customer, or nil.
func CustomerOf(c echo.Context) *model.Customer {
	v, _ := c.Get(keyCustomer).(*model.Customer)
	return v
}

// StaffOf is the signed-in staff member, or nil.
func StaffOf(c echo.Context) *model.Staff {
	v, _ := c.Get(keyStaff).(*model.Staff)
	return v
}

// CustomerSession is the signed-in customer's session, or nil.
func CustomerSession(c echo.Context) *model.Session {
	v, _ := c.Get(keyCustomerSession).(*model.Session)
	return v
}

// StaffSession is the signed-in staff member's session, or nil.
func StaffSession(c echo.Context) *model.Session {
	v, _ := c.Get(keyStaffSession).(*model.Session)
	return v
}

// SetCustomer records the request's customer and their session.
func SetCustomer(c echo.Context, cust *model.Customer, sess *model.Session) {
	c.Set(keyCustomer, cust)
	c.Set(keyCustomerSession, sess)
}

// SetStaff records the request's staff member and their session.
func SetStaff(c echo.Context, st *model.Staff, sess *model.Session) {
	c.Set(keyStaff, st)
	c.Set(keyStaffSession, sess)
}

// CSRFToken is the CSRF token forms of this request carry.
func CSRFToken(c echo.Context) string {
	v, _ := c.Get(keyCSRF).(string)
	return v
}

// SetCSRFToken records the CSRF token forms of this request carry.
func SetCSRFToken(c echo.Context, token string) { c.Set(keyCSRF, token) }

// PathID reads a numeric path parameter; anything else is a 404.
func PathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return id, nil
}

// IsHTMX reports whether the request came from htmx (not a boosted page
// load), which gets a fragment instead of a whole page or a redirect.
func IsHTMX(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-Boosted") != "true"
}

// SafeNext keeps a redirect on this site: next when it is a local path,
// else fallback.
func SafeNext(next, fallback string) string {
	if len(next) < 1 || next[0] != '/' || (len(next) > 1 && (next[1] == '/' || next[1] == '\\')) {
		return fallback
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return fallback
	}
	return next
}

// Location is the business's time zone, loc, or UTC when none is set.
func Location(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
