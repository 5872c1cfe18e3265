package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
)

// adminEventsKeepAlive is how often an idle staff stream sends a comment, so
// proxies keep it open.
const adminEventsKeepAlive = 25 * time.Second

// adminEvents streams the staff topic (queue changes, inquiries changing) as
// Server-Sent Events to a staff session, until the browser goes away.
func (s *Server) adminEvents(c echo.Context) error {
	events, cancel := s.bus.Subscribe(live.StaffTopic)
	defer cancel()
	w := c.Response()
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 3000\n: connected\n\n"); err != nil {
		return nil
	}
	w.Flush()
	tick := time.NewTicker(adminEventsKeepAlive)
	defer tick.Stop()
	ctx := c.Request().Context()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			// A session ended meanwhile (sign-out, deactivation) ends the stream.
			if !s.staffSessionLive(c) {
				return nil
			}
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", adminSSELine(ev.Name), adminSSELine(ev.Data)); err != nil {
				return nil
			}
		}
		w.Flush()
	}
}

// adminSSELine keeps a value on one SSE line.
func adminSSELine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

// staffSessionLive reports whether the request's staff session still exists
// and its staff member is still active.
func (s *Server) staffSessionLive(c echo.Context) bool {
	sess, _ := c.Get(ctxSSession).(*model.Session)
	if sess == nil {
		return false
	}
	ctx := c.Request().Context()
	if _, err := s.store.SessionByHash(ctx, sess.IDHash); err != nil {
		return false
	}
	st, err := s.store.StaffByID(ctx, sess.SubjectID)
	return err == nil && st.Active
}
