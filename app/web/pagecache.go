package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/singleflight"

	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/web/kit"
)

// csrfPlaceholder stands in for the CSRF token in cached pages; each response
// gets its own browser's token in its place.
const csrfPlaceholder = "KEDJA-CSRF-PLACEHOLDER-d41d8cd98f00b204e980"

// pageCacheTTL bounds how stale a cached page can be when no change event
// arrives (relative times such as "reply by 14:00 today" age).
const pageCacheTTL = 20 * time.Second

// pageCache keeps rendered customer pages until a change to that customer
// (any live event on their topic), a staff-wide change, or the TTL ends them.
// A signed-in customer's dashboard is then served without touching the
// database for its lists, which is what lets it keep pace with a static page.
type pageCache struct {
	mu      sync.RWMutex
	now     func() time.Time
	entries map[pageKey]*cachedPage
	gens    map[int64]uint64 // per customer: bumped on every change
	global  uint64           // bumped on staff-wide changes
	max     int
	bufs    sync.Pool          // *bytes.Buffer to assemble responses in
	flight  singleflight.Group // renders under way, by page and generation
}

type pageKey struct {
	customer int64
	lang     string
	uri      string
	htmx     bool
}

type cachedPage struct {
	parts       [][]byte // the page split where the CSRF token goes
	contentType string
	gen, global uint64
	expires     time.Time
}

func newPageCache(now func() time.Time, bus live.Bus) *pageCache {
	pc := &pageCache{now: now, entries: map[pageKey]*cachedPage{}, gens: map[int64]uint64{}, max: 50000}
	if t, ok := bus.(interface {
		Tap(func(topic string, ev live.Event))
	}); ok {
		t.Tap(pc.observe)
	}
	return pc
}

// observe forgets a customer's pages on any event on their topic, and every
// page on an event for everyone (a staff member renamed, settings changed, a
// reconnected listener). Staff-queue events need nothing: every change a
// customer can see is also published on that customer's topic.
func (pc *pageCache) observe(topic string, _ live.Event) {
	switch {
	case topic == live.StaffTopic:
	case strings.HasPrefix(topic, "customer:"):
		if n, err := strconv.ParseInt(strings.TrimPrefix(topic, "customer:"), 10, 64); err == nil {
			pc.invalidate(n)
			return
		}
		pc.invalidateAll()
	default:
		pc.invalidateAll()
	}
}

func (pc *pageCache) invalidate(customerID int64) {
	pc.mu.Lock()
	pc.gens[customerID]++
	pc.mu.Unlock()
}

func (pc *pageCache) invalidateAll() {
	pc.mu.Lock()
	pc.global++
	pc.entries = map[pageKey]*cachedPage{}
	pc.mu.Unlock()
}

func (pc *pageCache) generation(customerID int64) (uint64, uint64) {
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	return pc.gens[customerID], pc.global
}

func (pc *pageCache) get(k pageKey) *cachedPage {
	pc.mu.RLock()
	e := pc.entries[k]
	gen, global := pc.gens[k.customer], pc.global
	pc.mu.RUnlock()
	if e == nil || e.gen != gen || e.global != global || pc.now().After(e.expires) {
		return nil
	}
	return e
}

func (pc *pageCache) put(k pageKey, e *cachedPage) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if e.gen != pc.gens[k.customer] || e.global != pc.global {
		return // a change happened while rendering: don't keep the old view
	}
	if len(pc.entries) >= pc.max {
		pc.entries = map[pageKey]*cachedPage{}
	}
	pc.entries[k] = e
}

// captureWriter records what a handler writes.
type captureWriter struct {
	http.ResponseWriter
	buf    bytes.Buffer
	status int
}

func (w *captureWriter) WriteHeader(code int)        { w.status = code }
func (w *captureWriter) Write(b []byte) (int, error) { return w.buf.Write(b) }

// cachePage serves a signed-in customer's GET page from the cache when it
// can, and fills the cache otherwise. Only 200 HTML answers are kept. When
// many requests miss the same page at once (a reload storm right after a
// change), one renders it and the others wait for that page.
func (s *Server) cachePage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		cust := kit.CustomerOf(c)
		token := kit.CSRFToken(c)
		if cust == nil || c.Request().Method != http.MethodGet || token == "" {
			return next(c)
		}
		k := pageKey{customer: cust.ID, lang: s.layout.Locale(c), uri: c.Request().URL.RequestURI(),
			htmx: c.Request().Header.Get("HX-Request") == "true"}
		if e := s.pages.get(k); e != nil {
			return s.pages.writeCached(c, e, token)
		}
		gen, global := s.pages.generation(cust.ID)
		var mine *rendered // set only in the request that rendered
		v, _, _ := s.pages.flight.Do(fmt.Sprintf("%d\x00%s\x00%s\x00%v\x00%d\x00%d", k.customer, k.lang, k.uri, k.htmx, gen, global), func() (any, error) {
			mine = s.renderPage(c, next, k, gen, global)
			return mine, nil
		})
		r := v.(*rendered)
		switch {
		case r.page != nil:
			return s.pages.writeCached(c, r.page, token)
		case mine == nil:
			return next(c) // not a cacheable page: render this request's own
		case r.err != nil:
			return r.err
		}
		return s.pages.write(c.Response(), &cachedPage{parts: r.parts}, r.status, token)
	}
}

// rendered is one render of a page: the page when it may be cached, else
// what the handler answered.
type rendered struct {
	page   *cachedPage
	parts  [][]byte
	status int
	err    error
}

// renderPage runs the handler with the CSRF placeholder in the token's
// place, capturing what it writes, and caches a 200 HTML page.
func (s *Server) renderPage(c echo.Context, next echo.HandlerFunc, k pageKey, gen, global uint64) *rendered {
	resp := c.Response()
	orig := resp.Writer
	cw := &captureWriter{ResponseWriter: orig, status: http.StatusOK}
	resp.Writer = cw
	token := kit.CSRFToken(c)
	kit.SetCSRFToken(c, csrfPlaceholder)
	err := next(c)
	kit.SetCSRFToken(c, token)
	resp.Writer = orig
	resp.Committed = false
	resp.Size = 0
	if err != nil {
		return &rendered{err: err}
	}
	r := &rendered{parts: bytes.Split(cw.buf.Bytes(), []byte(csrfPlaceholder)), status: cw.status}
	ct := orig.Header().Get(echo.HeaderContentType)
	if cw.status == http.StatusOK && strings.HasPrefix(ct, "text/html") {
		r.page = &cachedPage{parts: r.parts, contentType: ct, gen: gen, global: global, expires: s.now().Add(pageCacheTTL)}
		s.pages.put(k, r.page)
	}
	return r
}

// write sends page e with token in its places, in one write: a page handed
// over in pieces costs the connection more system calls.
func (pc *pageCache) write(resp *echo.Response, e *cachedPage, status int, token string) error {
	buf, _ := pc.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= 1<<20 {
			buf.Reset()
			pc.bufs.Put(buf)
		}
	}()
	for i, p := range e.parts {
		if i > 0 {
			buf.WriteString(token)
		}
		buf.Write(p)
	}
	resp.Header().Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	resp.WriteHeader(status)
	_, err := resp.Write(buf.Bytes())
	return err
}

func (pc *pageCache) writeCached(c echo.Context, e *cachedPage, token string) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, e.contentType)
	h.Add("Vary", "HX-Request")
	return pc.write(c.Response(), e, http.StatusOK, token)
}
