package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/signin"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web/kit"
)

// Session lifetimes, enforced on the server from the session row.
const (
	customerIdle     = 30 * 24 * time.Hour
	customerAbsolute = 90 * 24 * time.Hour
	staffIdle        = 12 * time.Hour
	staffAbsolute    = 7 * 24 * time.Hour
	touchEvery       = time.Minute // last_seen_at is written at most this often
)

// cookies signs and encrypts the session cookies with gorilla/sessions. Each
// cookie carries only a random session id; the session itself is a row.
type cookies struct {
	store        *sessions.CookieStore
	customerName string
	staffName    string
	csrfName     string
	secure       bool
	keyMaterial  string
}

func newCookies(keyMaterial string, secure bool) *cookies {
	hashKey := sha256.Sum256([]byte("kedja cookie signing\x00" + keyMaterial))
	blockKey := sha256.Sum256([]byte("kedja cookie encryption\x00" + keyMaterial))
	cs := sessions.NewCookieStore(hashKey[:], blockKey[:])
	// gorilla's defaults are HttpOnly off, SameSite None, 30 days: set all.
	cs.Options = &sessions.Options{Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
	prefix := ""
	if secure {
		prefix = "__Host-"
	}
	return &cookies{store: cs, customerName: prefix + "kedja", staffName: prefix + "kedja_staff",
		csrfName: prefix + "kedja_csrf", secure: secure, keyMaterial: keyMaterial}
}

func (k *cookies) name(kind string) string {
	if kind == model.KindStaff {
		return k.staffName
	}
	return k.customerName
}

// pendingName is the pending-sign-in cookie of kind: it binds the emailed
// code to the browser that asked for it.
func (k *cookies) pendingName(kind string) string {
	if kind == model.KindStaff {
		return k.staffName + "_signin"
	}
	return k.customerName + "_signin"
}

// startPending gives this browser a fresh pending-sign-in cookie and returns
// its value (only its hash is stored, in login_tokens.browser_hash).
func (s *Server) startPending(c echo.Context, kind string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	v := base64.RawURLEncoding.EncodeToString(b[:])
	c.SetCookie(&http.Cookie{Name: s.cookies.pendingName(kind), Value: v, Path: "/", HttpOnly: true,
		Secure: s.cookies.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(signin.TokenTTL / time.Second)})
	return v, nil
}

// clearPending drops the pending-sign-in cookie once it has done its work.
func (s *Server) clearPending(c echo.Context, kind string) {
	c.SetCookie(&http.Cookie{Name: s.cookies.pendingName(kind), Value: "", Path: "/", HttpOnly: true,
		Secure: s.cookies.secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

func hashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

func limitsOf(kind string) (idle, absolute time.Duration) {
	if kind == model.KindStaff {
		return staffIdle, staffAbsolute
	}
	return customerIdle, customerAbsolute
}

// startSession begins a new session of kind for subjectID with a fresh id
// (never reusing one the browser brought: no fixation), ending any session
// of the same kind this browser had.
func (s *Server) startSession(c echo.Context, kind string, subjectID int64) error {
	ctx := c.Request().Context()
	if old := s.sessionIDFromCookie(c, kind); old != "" {
		_ = s.store.DeleteSession(ctx, hashID(old))
		s.sessionsEnded(0)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	id := base64.RawURLEncoding.EncodeToString(b[:])
	now := model.Normalize(s.now())
	_, absolute := limitsOf(kind)
	row := &model.Session{IDHash: hashID(id), Kind: kind, SubjectID: subjectID, CSRFToken: "",
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(absolute)}
	if err := s.store.CreateSession(ctx, row); err != nil {
		return err
	}
	return s.writeSessionCookie(c, kind, id, int(absolute/time.Second))
}

func (s *Server) writeSessionCookie(c echo.Context, kind, id string, maxAge int) error {
	sess := sessions.NewSession(s.cookies.store, s.cookies.name(kind))
	opts := *s.cookies.store.Options
	opts.MaxAge = maxAge
	sess.Options = &opts
	sess.IsNew = true
	if id != "" {
		sess.Values["id"] = id
	}
	return s.cookies.store.Save(c.Request(), c.Response(), sess)
}

// sessionIDFromCookie returns the session id a browser carries, or "" when it
// carries none or one that does not verify (a tampered cookie is anonymous).
func (s *Server) sessionIDFromCookie(c echo.Context, kind string) string {
	ck, err := c.Request().Cookie(s.cookies.name(kind))
	if err != nil {
		return ""
	}
	values := map[any]any{}
	if err := s.cookies.store.Codecs[0].Decode(s.cookies.name(kind), ck.Value, &values); err != nil {
		return ""
	}
	id, _ := values["id"].(string)
	return id
}

// endSession deletes this browser's session row of kind and clears its
// cookie; a copied cookie stops working at once.
func (s *Server) endSession(c echo.Context, kind string) error {
	if id := s.sessionIDFromCookie(c, kind); id != "" {
		if err := s.store.DeleteSession(c.Request().Context(), hashID(id)); err != nil {
			return err
		}
		s.sessionsEnded(0)
	}
	return s.writeSessionCookie(c, kind, "", -1)
}

// loadSessions puts the signed-in customer and staff member (if any) in the
// context. Expired, idle, unknown or tampered sessions are anonymous.
func (s *Server) loadSessions(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, cust, err := s.customerSession(c)
		if err != nil {
			return err
		}
		if sess != nil {
			kit.SetCustomer(c, cust, sess)
		}
		if sess := s.lookupSession(c, model.KindStaff); sess != nil {
			st, err := s.store.StaffByID(c.Request().Context(), sess.SubjectID)
			if err == nil && st.Active {
				kit.SetStaff(c, st, sess)
			} else if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return next(c)
	}
}

func (s *Server) lookupSession(c echo.Context, kind string) *model.Session {
	id := s.sessionIDFromCookie(c, kind)
	if id == "" {
		return nil
	}
	ctx := c.Request().Context()
	sess, err := s.store.SessionByHash(ctx, hashID(id))
	if err != nil || sess.Kind != kind {
		return nil
	}
	now := s.now()
	idle, _ := limitsOf(kind)
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > idle {
		_ = s.store.DeleteSession(ctx, sess.IDHash)
		return nil
	}
	if now.Sub(sess.LastSeenAt) > touchEvery {
		if err := s.store.TouchSession(ctx, sess.IDHash, model.Normalize(now)); err == nil {
			sess.LastSeenAt = model.Normalize(now)
		}
	}
	return sess
}

// requireCustomer sends anonymous visitors to /login and back afterwards.
func (s *Server) requireCustomer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if kit.CustomerOf(c) == nil {
			return s.toSignIn(c, "/login")
		}
		return next(c)
	}
}

// requireStaff sends visitors without a staff session to /admin/login. A
// customer session never opens /admin.
func (s *Server) requireStaff(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if kit.StaffOf(c) == nil {
			return s.toSignIn(c, "/admin/login")
		}
		return next(c)
	}
}

// requireAdmin refuses staff without the admin flag.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if st := kit.StaffOf(c); st == nil || !st.IsAdmin {
			return echo.NewHTTPError(http.StatusForbidden, "this page is for administrators")
		}
		return next(c)
	}
}

func (s *Server) toSignIn(c echo.Context, login string) error {
	r := c.Request()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return echo.NewHTTPError(http.StatusUnauthorized, "please sign in again")
	}
	target := login + "?next=" + url.QueryEscape(r.URL.RequestURI())
	if r.Header.Get("HX-Request") == "true" {
		c.Response().Header().Set("HX-Redirect", target)
		return c.NoContent(http.StatusUnauthorized)
	}
	return c.Redirect(http.StatusSeeOther, target)
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

// customerSessionLive reports whether the request's customer session still
// exists (sign out everywhere ends open streams too).
func (s *Server) customerSessionLive(c echo.Context) bool {
	sess := kit.CustomerSession(c)
	if sess == nil {
		return false
	}
	_, err := s.store.SessionByHash(c.Request().Context(), sess.IDHash)
	return err == nil
}
