package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Error is the JSON error body of CONTRACT.md: {"error": {"code", "message",
// "field"}} with its HTTP status.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Write sends e as the answer.
func (e *Error) Write(c echo.Context) error {
	return c.JSON(e.Status, map[string]any{"error": e})
}

// ForStatus is the API's answer to a failure that happened outside its own
// handlers (a body over the limit, a panic, an unknown route): the status's
// code, and msg, or the status's text when msg is empty or the failure is
// the server's.
func ForStatus(status int, msg string) *Error {
	code := map[int]string{400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
		405: "method_not_allowed", 413: "too_large", 422: "invalid", 429: "rate_limited"}[status]
	if code == "" {
		code = "internal"
	}
	if msg == "" || status >= 500 {
		msg = http.StatusText(status)
	}
	return &Error{Status: status, Code: code, Message: msg}
}
