package admin

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/web/kit"
)

// eventsKeepAlive is how often an idle staff stream sends a comment, so
// proxies keep it open.
const eventsKeepAlive = 25 * time.Second

// Events streams the staff topic (queue changes, inquiries changing) as
// Server-Sent Events to a staff session, until the browser goes away or the
// session ends (sign-out, deactivation).
func (h *Handlers) Events(c echo.Context) error {
	events, cancel := h.bus.Subscribe(live.StaffTopic)
	defer cancel()
	return kit.Stream(c, events, eventsKeepAlive, "keep-alive", func() bool { return h.sessionLive(c) })
}
