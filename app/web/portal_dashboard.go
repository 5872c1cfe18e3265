package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

type dashboardData struct {
	Page
}

// dashboard lists every order and inquiry of the signed-in customer.
func (s *Server) dashboard(c echo.Context) error {
	d := dashboardData{Page: s.page(c, "dashboard.title")}
	return s.render(c, http.StatusOK, "portal/dashboard", "", d)
}
