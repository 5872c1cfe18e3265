package web

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/web/kit"
)

// adminEventsKeepAlive is how often an idle staff stream sends a comment, so
// proxies keep it open.
const adminEventsKeepAlive = 25 * time.Second

// adminEvents streams the staff topic (queue changes, inquiries changing) as
// Server-Sent Events to a staff session, until the browser goes away or the
// session ends (sign-out, deactivation).
func (s *Server) adminEvents(c echo.Context) error {
	events, cancel := s.bus.Subscribe(live.StaffTopic)
	defer cancel()
	return kit.Stream(c, events, adminEventsKeepAlive, "keep-alive", func() bool { return s.staffSessionLive(c) })
}

// staffSessionLive reports whether the request's staff session still exists
// and its staff member is still active.
func (s *Server) staffSessionLive(c echo.Context) bool {
	sess := kit.StaffSession(c)
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
