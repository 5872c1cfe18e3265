package web

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/singleflight"

	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// sessionCacheTTL bounds how long a customer's verified cookie, session row
// and customer row are reused without asking the database. Signing out on
// this instance forgets at once; another instance learns through the bus,
// and at worst within this time.
const sessionCacheTTL = time.Second

// sessionCache remembers, per signed cookie value, the customer session it
// verified to and the customer, for a moment: a portal page served from the
// page cache then costs no database query and no cookie decryption, which
// is what lets a dashboard reload keep pace with a static file.
type sessionCache struct {
	mu      sync.RWMutex
	entries map[string]*cachedSession // by the raw cookie value
	gens    map[int64]uint64          // per customer: bumped to forget their entries
	max     int
	flight  singleflight.Group // lookups under way, by cookie value
}

type cachedSession struct {
	sess   model.Session
	cust   model.Customer
	gen    uint64    // the customer's generation when it was cached
	loaded time.Time // wall clock
	at     time.Time // the server's clock (tests move it)
}

func newSessionCache(bus live.Bus) *sessionCache {
	sc := &sessionCache{entries: map[string]*cachedSession{}, gens: map[int64]uint64{}, max: 20000}
	if t, ok := bus.(interface {
		Tap(func(topic string, ev live.Event))
	}); ok {
		t.Tap(sc.observe)
	}
	return sc
}

// observe forgets a customer's cached sessions on any change on their topic
// (their name or language, a sign-out elsewhere), and everything on a change
// for everyone.
func (sc *sessionCache) observe(topic string, _ live.Event) {
	switch {
	case topic == live.StaffTopic:
	case strings.HasPrefix(topic, "customer:"):
		if id, err := strconv.ParseInt(strings.TrimPrefix(topic, "customer:"), 10, 64); err == nil {
			sc.forgetCustomer(id)
			return
		}
		sc.forgetAll()
	default:
		sc.forgetAll()
	}
}

// get returns the entry of a cookie value while it is fresh by both the
// wall clock and the server's clock.
func (sc *sessionCache) get(raw string, now time.Time) *cachedSession {
	sc.mu.RLock()
	e := sc.entries[raw]
	stale := e != nil && e.gen != sc.gens[e.cust.ID]
	sc.mu.RUnlock()
	if e == nil || stale || time.Since(e.loaded) > sessionCacheTTL || now.Sub(e.at) > sessionCacheTTL || now.Before(e.at) {
		return nil
	}
	return e
}

func (sc *sessionCache) put(raw string, sess *model.Session, cust *model.Customer, now time.Time) *cachedSession {
	e := &cachedSession{sess: *sess, cust: *cust, loaded: time.Now(), at: now}
	sc.mu.Lock()
	if len(sc.entries) >= sc.max {
		sc.entries = map[string]*cachedSession{}
	}
	e.gen = sc.gens[cust.ID]
	sc.entries[raw] = e
	sc.mu.Unlock()
	return e
}

// forgetCustomer ends a customer's cached entries at once, whatever their
// number: their generation moves on (an event per imported order must not
// walk every cached session).
func (sc *sessionCache) forgetCustomer(id int64) {
	sc.mu.Lock()
	sc.gens[id]++
	sc.mu.Unlock()
}

func (sc *sessionCache) forgetAll() {
	sc.mu.Lock()
	sc.entries = map[string]*cachedSession{}
	sc.gens = map[int64]uint64{} // no entry is left to compare with
	sc.mu.Unlock()
}

// customerSession returns the request's customer session and customer, from
// the cache when this cookie was verified a moment ago, else through
// lookupSession and the database. Expiry and idle limits are checked on
// every request either way.
func (s *Server) customerSession(c echo.Context) (*model.Session, *model.Customer, error) {
	ck, err := c.Request().Cookie(s.cookies.customerName)
	if err != nil || ck.Value == "" {
		return nil, nil, nil
	}
	now := s.now()
	if e := s.sessions.get(ck.Value, now); e != nil {
		idle, _ := limitsOf(model.KindCustomer)
		if !now.After(e.sess.ExpiresAt) && now.Sub(e.sess.LastSeenAt) <= idle && now.Sub(e.sess.LastSeenAt) <= touchEvery {
			sess, cust := e.sess, e.cust
			return &sess, &cust, nil
		}
	}
	// Many requests with one cookie (a page and its fragments, a reload
	// storm) look it up once; the others wait for that answer.
	v, err, _ := s.sessions.flight.Do(ck.Value, func() (any, error) {
		sess := s.lookupSession(c, model.KindCustomer)
		if sess == nil {
			return (*cachedSession)(nil), nil
		}
		cust, err := s.store.CustomerByID(c.Request().Context(), sess.SubjectID)
		if errors.Is(err, store.ErrNotFound) {
			return (*cachedSession)(nil), nil
		}
		if err != nil {
			return nil, err
		}
		return s.sessions.put(ck.Value, sess, cust, now), nil
	})
	if err != nil {
		return nil, nil, err
	}
	e := v.(*cachedSession)
	if e == nil {
		return nil, nil, nil
	}
	sess, cust := e.sess, e.cust
	return &sess, &cust, nil
}

// sessionsEnded forgets cached sessions after sessions were deleted here,
// and tells other instances (through the bus) when a customer is known.
func (s *Server) sessionsEnded(customerID int64) {
	s.sessions.forgetAll()
	if customerID != 0 {
		s.bus.Publish(live.CustomerTopic(customerID), live.Event{Name: "signout"})
	}
}
