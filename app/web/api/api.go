// Package api is Kedja's JSON API v1 for the shop's systems: orders by the
// shop's own reference, authenticated with an API key (RequireKey), its
// error shape (Error) and its OpenAPI document.
package api

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/apikeys"
	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web/kit"
)

// openAPIDoc describes the JSON API v1 (OpenAPI 3); a test keeps it and the
// route table in step.
//
//go:embed openapi.json
var openAPIDoc []byte

// Document is the OpenAPI document of the API.
func Document() []byte { return bytes.Clone(openAPIDoc) }

const ctxKey = "api_key"

// Handlers answer the API's routes.
type Handlers struct {
	store  *store.Store
	orders *orders.Service
	bus    live.Publisher
	layout *kit.Layout
	loc    *time.Location
	now    func() time.Time
	limits *kit.RateLimiter
}

// Deps is what the API needs.
type Deps struct {
	Store    *store.Store
	Orders   *orders.Service  // creates and changes orders on the business's clock
	Bus      live.Publisher   // the orders' changes are published here
	Layout   *kit.Layout      // words the timeline (in English)
	Location *time.Location   // the business's time zone
	Now      func() time.Time // the clock
}

// New returns the API's handlers, with their own rate limits per key and
// per address.
func New(d Deps) *Handlers {
	return &Handlers{store: d.Store, orders: d.Orders, bus: d.Bus, layout: d.Layout, loc: d.Location, now: d.Now, limits: kit.NewRateLimiter(d.Now)}
}

// The API's rate per key, 20 requests a second with bursts of 100, and per
// client address for requests with a wrong key.
const (
	KeyEvery    = 50 * time.Millisecond
	KeyBurst    = 100
	BadKeyEvery = 100 * time.Millisecond
	BadKeyBurst = 30
)

// OpenAPI serves the OpenAPI document; it needs no key.
func (h *Handlers) OpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDoc)
}

// RequireKey lets a request through with a valid, unrevoked key in
// Authorization: Bearer, within its key's rate; else 401 or 429.
func (h *Handlers) RequireKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		key, ok := bearer(c.Request().Header.Get(echo.HeaderAuthorization))
		err := apikeys.ErrInvalid
		var k *model.APIKey
		if ok {
			k, err = apikeys.Authenticate(c.Request().Context(), h.store, key, h.now())
		}
		if errors.Is(err, apikeys.ErrInvalid) || errors.Is(err, apikeys.ErrRevoked) {
			if ok, wait := h.limits.Allow("api-bad-key:"+c.RealIP(), BadKeyEvery, BadKeyBurst); !ok {
				return tooMany(c, wait, "too many requests with a wrong API key from this address")
			}
			msg := err.Error()
			if key == "" {
				msg = "send an API key in the header Authorization: Bearer <key>; create one with `kedja apikey create --name N`"
			}
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="kedja"`)
			return &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: msg}
		}
		if err != nil {
			return err
		}
		if ok, wait := h.limits.Allow("api-key:"+strconv.FormatInt(k.ID, 10), KeyEvery, KeyBurst); !ok {
			return tooMany(c, wait, fmt.Sprintf("API key %q is over its rate of %d requests a second", k.Name, time.Second/KeyEvery))
		}
		c.Set(ctxKey, k)
		return next(c)
	}
}

// NoRoute answers a request no API route takes (with a valid key): 405
// with Allow when the path is served for other methods, else 404. (echo
// answers 404 for both once the group has middleware.)
func (h *Handlers) NoRoute(c echo.Context) error {
	req := c.Request()
	e := c.Echo()
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodPatch, http.MethodDelete} {
		probe := e.NewContext(req, nil)
		e.Router().Find(m, echo.GetPath(req), probe)
		if p := probe.Path(); p != "" && !strings.HasSuffix(p, "*") {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		return &Error{Status: http.StatusNotFound, Code: "not_found",
			Message: "there is no such API route: the routes are listed in GET /api/v1/openapi.json"}
	}
	c.Response().Header().Set(echo.HeaderAllow, strings.Join(allow, ", "))
	return &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
		Message: fmt.Sprintf("%s is not served here; this path takes %s", req.Method, strings.Join(allow, ", "))}
}

// bearer takes the token out of an Authorization header value.
func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func tooMany(c echo.Context, wait time.Duration, msg string) error {
	secs := int((wait + time.Second - 1) / time.Second)
	c.Response().Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	return &Error{Status: http.StatusTooManyRequests, Code: "rate_limited",
		Message: msg + "; wait the seconds in Retry-After and try again"}
}

// keyOf is the key the request authenticated with.
func keyOf(c echo.Context) *model.APIKey {
	k, _ := c.Get(ctxKey).(*model.APIKey)
	return k
}

// actor is who a change made with key is recorded as.
func actor(k *model.APIKey) model.Actor {
	return model.Actor{Kind: model.ActorSystem, Name: "API key " + k.Name}
}

// refParam is the {ref} of the path, unescaped and trimmed.
func refParam(c echo.Context) string {
	ref := c.Param("ref")
	if u, err := url.PathUnescape(ref); err == nil {
		ref = u
	}
	return strings.TrimSpace(ref)
}

// body reads the request body; a body over the limit fails with
// *http.MaxBytesError, which the central error handler answers as a 413.
func body(c echo.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return nil, fmt.Errorf("api: read request body: %w", err)
	}
	return b, nil
}

// fail turns the domain's refusals into the API's error answers; other
// errors go on to the central error handler (413, 500).
func fail(err error, ref string) error {
	var me *orders.MalformedError
	var fe *orders.FieldError
	switch {
	case errors.As(err, &me):
		return &Error{Status: http.StatusBadRequest, Code: "bad_request", Message: me.Msg}
	case errors.As(err, &fe):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: fe.Error(), Field: fe.Field}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: "not_found",
			Message: fmt.Sprintf("no order has the reference %q: create it with PUT /api/v1/orders/{ref}", ref)}
	case errors.Is(err, owner.ErrNoStaff):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: "owner_email",
			Message: "no active staff member can own the order: add one with `kedja staff add`, then send the order again"}
	}
	return err
}
