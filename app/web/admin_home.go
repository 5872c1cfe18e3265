package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

type adminHomeData struct {
	Page
}

// adminHome is the staff start page.
func (s *Server) adminHome(c echo.Context) error {
	return s.render(c, http.StatusOK, "admin/home", "", adminHomeData{Page: s.staffPage(c, "admin.home.title")})
}
