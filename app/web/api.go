package web

import (
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
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// openAPIDoc describes the JSON API v1 (OpenAPI 3); a test keeps it and the
// route table in step.
//
//go:embed openapi.json
var openAPIDoc []byte

const ctxAPIKey = "api_key"

// The API's rate per key, 20 requests a second with bursts of 100, and per
// client address for requests with a wrong key.
const (
	apiEvery    = 50 * time.Millisecond
	apiBurst    = 100
	apiBadEvery = 100 * time.Millisecond
	apiBadBurst = 30
)

// apiOpenAPI serves the OpenAPI document; it needs no key.
func (s *Server) apiOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDoc)
}

// requireAPIKey lets a request through with a valid, unrevoked key in
// Authorization: Bearer, within its key's rate; else 401 or 429.
func (s *Server) requireAPIKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		key, ok := bearer(c.Request().Header.Get(echo.HeaderAuthorization))
		err := apikeys.ErrInvalid
		var k *model.APIKey
		if ok {
			k, err = apikeys.Authenticate(c.Request().Context(), s.store, key, s.now())
		}
		if errors.Is(err, apikeys.ErrInvalid) || errors.Is(err, apikeys.ErrRevoked) {
			if ok, wait := s.limits.Allow("api-bad-key:"+c.RealIP(), apiBadEvery, apiBadBurst); !ok {
				return apiTooMany(c, wait, "too many requests with a wrong API key from this address")
			}
			msg := err.Error()
			if key == "" {
				msg = "send an API key in the header Authorization: Bearer <key>; create one with `kedja apikey create --name N`"
			}
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="kedja"`)
			return &APIError{Status: http.StatusUnauthorized, Code: "unauthorized", Message: msg}
		}
		if err != nil {
			return err
		}
		if ok, wait := s.limits.Allow("api-key:"+strconv.FormatInt(k.ID, 10), apiEvery, apiBurst); !ok {
			return apiTooMany(c, wait, fmt.Sprintf("API key %q is over its rate of %d requests a second", k.Name, time.Second/apiEvery))
		}
		c.Set(ctxAPIKey, k)
		return next(c)
	}
}

// apiNoRoute answers a request no API route takes (with a valid key): 405
// with Allow when the path is served for other methods, else 404. (echo
// answers 404 for both once the group has middleware.)
func (s *Server) apiNoRoute(c echo.Context) error {
	req := c.Request()
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodPatch, http.MethodDelete} {
		probe := s.echo.NewContext(req, nil)
		s.echo.Router().Find(m, echo.GetPath(req), probe)
		if p := probe.Path(); p != "" && !strings.HasSuffix(p, "*") {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		return &APIError{Status: http.StatusNotFound, Code: "not_found",
			Message: "there is no such API route: the routes are listed in GET /api/v1/openapi.json"}
	}
	c.Response().Header().Set(echo.HeaderAllow, strings.Join(allow, ", "))
	return &APIError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
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

func apiTooMany(c echo.Context, wait time.Duration, msg string) error {
	secs := int((wait + time.Second - 1) / time.Second)
	c.Response().Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	return &APIError{Status: http.StatusTooManyRequests, Code: "rate_limited",
		Message: msg + "; wait the seconds in Retry-After and try again"}
}

// apiKeyOf is the key the request authenticated with.
func apiKeyOf(c echo.Context) *model.APIKey {
	k, _ := c.Get(ctxAPIKey).(*model.APIKey)
	return k
}

// apiActor is who a change made with key is recorded as.
func apiActor(k *model.APIKey) model.Actor {
	return model.Actor{Kind: model.ActorSystem, Name: "API key " + k.Name}
}

// apiRef is the {ref} of the path, unescaped and trimmed.
func apiRef(c echo.Context) string {
	ref := c.Param("ref")
	if u, err := url.PathUnescape(ref); err == nil {
		ref = u
	}
	return strings.TrimSpace(ref)
}

// apiBody reads the request body; a body over the limit fails with
// *http.MaxBytesError, which handleError answers as a 413.
func apiBody(c echo.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return nil, fmt.Errorf("web: read API request body: %w", err)
	}
	return b, nil
}

// apiFail turns the domain's refusals into the API's error answers; other
// errors go on to handleError (413, 500).
func apiFail(err error, ref string) error {
	var me *orders.MalformedError
	var fe *orders.FieldError
	switch {
	case errors.As(err, &me):
		return &APIError{Status: http.StatusBadRequest, Code: "bad_request", Message: me.Msg}
	case errors.As(err, &fe):
		return &APIError{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: fe.Error(), Field: fe.Field}
	case errors.Is(err, store.ErrNotFound):
		return &APIError{Status: http.StatusNotFound, Code: "not_found",
			Message: fmt.Sprintf("no order has the reference %q: create it with PUT /api/v1/orders/{ref}", ref)}
	case errors.Is(err, owner.ErrNoStaff):
		return &APIError{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: "owner_email",
			Message: "no active staff member can own the order: add one with `kedja staff add`, then send the order again"}
	}
	return err
}
