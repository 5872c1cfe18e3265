package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
)

// eventsHeartbeat is how often an idle customer stream sends a comment, so
// proxies keep it open and a closed tab is noticed.
const eventsHeartbeat = 20 * time.Second

// events streams the signed-in customer's changes as Server-Sent Events:
// only their own topic, so no one sees another customer's activity. The
// subscription ends when the browser goes away or the session ends.
func (s *Server) events(c echo.Context) error {
	cust := customerOf(c)
	events, cancel := s.bus.Subscribe(live.CustomerTopic(cust.ID))
	defer cancel()
	w := c.Response()
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte("retry: 3000\n: connected\n\n")); err != nil {
		return nil
	}
	w.Flush()
	tick := time.NewTicker(eventsHeartbeat)
	defer tick.Stop()
	ctx := c.Request().Context()
	buf := make([]byte, 0, 128)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if !s.customerSessionLive(c) {
				return nil
			}
			if _, err := w.Write([]byte(": heartbeat\n\n")); err != nil {
				return nil
			}
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			buf = append(buf[:0], "event: "...)
			buf = append(buf, sseLine(ev.Name)...)
			buf = append(buf, "\ndata: "...)
			buf = append(buf, sseLine(ev.Data)...)
			buf = append(buf, "\n\n"...)
			if _, err := w.Write(buf); err != nil {
				return nil
			}
		}
		w.Flush()
	}
}

// sseLine keeps a value on one SSE line.
func sseLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// customerSessionLive reports whether the request's customer session still
// exists (sign out everywhere ends open streams too).
func (s *Server) customerSessionLive(c echo.Context) bool {
	sess, _ := c.Get(ctxCSession).(*model.Session)
	if sess == nil {
		return false
	}
	_, err := s.store.SessionByHash(c.Request().Context(), sess.IDHash)
	return err == nil
}
