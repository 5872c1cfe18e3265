// Command echo5k serves a fixed 5 KB HTML page with echo: the baseline the
// dashboard is measured against in the same run.
package main

import (
	"net/http"
	"os"
	"strings"

	"github.com/labstack/echo/v4"
)

func main() {
	page := "<!doctype html><html><body>" + strings.Repeat("<p>Kedja baseline page.</p>", 190) + "</body></html>"
	e := echo.New()
	e.HideBanner = true
	e.GET("/", func(c echo.Context) error { return c.HTML(http.StatusOK, page) })
	addr := ":8081"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	e.Logger.Fatal(e.Start(addr))
}
