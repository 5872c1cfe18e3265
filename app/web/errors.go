package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web/api"
	"github.com/kedja/kedja/app/web/kit"
)

// handleError is the one place errors become responses: store.ErrNotFound is
// a 404, echo.HTTPError keeps its status, anything else is a logged 500 with a
// page that gives nothing away.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg := http.StatusInternalServerError, ""
	var he *echo.HTTPError
	var ae *api.Error
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		status, msg = http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is over %d MiB", tooBig.Limit>>20)
	case errors.As(err, &ae):
		_ = ae.Write(c)
		return
	case errors.Is(err, store.ErrNotFound):
		status = http.StatusNotFound
	case errors.As(err, &he):
		status = he.Code
		if m, ok := he.Message.(string); ok {
			msg = m
		}
	}
	if status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "route", c.Path(), "err", err)
	}
	if strings.HasPrefix(c.Request().URL.Path, "/api/") {
		_ = api.ForStatus(status, msg).Write(c)
		return
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	p := s.layout.Page(c, "")
	if strings.HasPrefix(c.Request().URL.Path, "/admin") {
		p.Lang = "en"
	}
	data := struct {
		kit.Page
		Status  int
		Message string
	}{Page: p, Status: status}
	key := "error.generic"
	switch status {
	case http.StatusNotFound:
		key = "error.notfound"
	case http.StatusForbidden:
		key = "error.forbidden"
	}
	if status < 500 && status != http.StatusNotFound && status != http.StatusForbidden {
		data.Message = msg
	}
	data.Title = p.T(key + ".title")
	if data.Message == "" {
		data.Message = p.T(key + ".body")
	}
	if err := s.views.Execute(c.Response(), status, "error", "layout", data); err != nil {
		s.log.Error("render error page", "err", err)
		_ = c.String(status, http.StatusText(status))
	}
}
