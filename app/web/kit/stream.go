package kit

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/live"
)

// Stream writes events as Server-Sent Events until the browser goes away,
// the subscription ends or, checked every interval, alive says the session
// behind it has ended. An idle stream sends the comment each interval, so
// proxies keep it open and a closed tab is noticed.
func Stream(c echo.Context, events <-chan live.Event, every time.Duration, comment string, alive func() bool) error {
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
	tick := time.NewTicker(every)
	defer tick.Stop()
	ctx := c.Request().Context()
	idle := []byte(": " + comment + "\n\n")
	buf := make([]byte, 0, 128)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if !alive() {
				return nil
			}
			if _, err := w.Write(idle); err != nil {
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
