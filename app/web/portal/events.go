package portal

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/web/kit"
)

// eventsHeartbeat is how often an idle customer stream sends a comment, so
// proxies keep it open and a closed tab is noticed.
const eventsHeartbeat = 20 * time.Second

// Events streams the signed-in customer's changes as Server-Sent Events:
// only their own topic, so no one sees another customer's activity. The
// subscription ends when the browser goes away or the session ends.
func (h *Handlers) Events(c echo.Context) error {
	events, cancel := h.bus.Subscribe(live.CustomerTopic(kit.CustomerOf(c).ID))
	defer cancel()
	return kit.Stream(c, events, eventsHeartbeat, "heartbeat", func() bool { return h.sessionLive(c) })
}
