package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/web/kit"
)

// recoverPanics turns a panic into a 500 and a log line with the stack.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.Error("panic", "path", c.Path(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = fmt.Errorf("web: panic: %v", r)
			}
		}()
		return next(c)
	}
}

// logRequests writes one structured line per request. The route pattern is
// logged, not the URL, so sign-in tokens never reach the log.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		if c.Path() == "/healthz" || strings.HasPrefix(c.Path(), "/static") {
			return nil
		}
		level := slog.LevelInfo
		if c.Response().Status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(c.Request().Context(), level, "request",
			slog.String("method", c.Request().Method),
			slog.String("route", c.Path()),
			slog.Int("status", c.Response().Status),
			slog.Int64("bytes", c.Response().Size),
			slog.Duration("duration", time.Since(start)),
			slog.String("ip", c.RealIP()),
		)
		return nil
	}
}

const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	secure := s.cfg.Secure()
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		return next(c)
	}
}

// csrf is a double-submit token: a random value in an HttpOnly cookie that
// every state-changing request must repeat in the X-CSRF-Token header or the
// _csrf form field. Unlike echo's CSRF middleware it does not waive the token
// for same-origin Sec-Fetch-Site requests: CONTRACT.md refuses any request
// without it. Cross-site requests are refused outright.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	name := s.cookies.csrfName
	return func(c echo.Context) error {
		token := ""
		if ck, err := c.Cookie(name); err == nil && len(ck.Value) == 43 {
			token = ck.Value
		} else {
			var b [32]byte
			_, _ = rand.Read(b[:])
			token = base64.RawURLEncoding.EncodeToString(b[:])
			c.SetCookie(&http.Cookie{Name: name, Value: token, Path: "/", HttpOnly: true,
				Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode, MaxAge: 0})
		}
		kit.SetCSRFToken(c, token)
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if c.Request().Header.Get("Sec-Fetch-Site") == "cross-site" {
			return echo.NewHTTPError(http.StatusForbidden, "cross-site request refused")
		}
		sent := c.Request().Header.Get("X-CSRF-Token")
		if sent == "" {
			sent = c.FormValue("_csrf")
		}
		if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
			return echo.NewHTTPError(http.StatusForbidden, "missing or invalid CSRF token")
		}
		return next(c)
	}
}

// ipExtractor takes the client address from the connection, unless it comes
// from a trusted proxy, whose X-Forwarded-For is then believed.
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		_, n, err := net.ParseCIDR(p.String())
		if err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// limitSignIn allows about 10 sign-in requests a minute per client IP.
func (s *Server) limitSignIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ok, wait := s.limits.Allow("signin-ip:"+c.RealIP(), 6*time.Second, 10)
		if !ok {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
			return echo.NewHTTPError(http.StatusTooManyRequests, "too many sign-in attempts; wait a minute and try again")
		}
		return next(c)
	}
}

// The global cap on sign-in mail, per instance: about 100 a minute. (The
// per-address limit is signin.MaxPerAddress, counted in the database.)
const (
	mailEvery = 600 * time.Millisecond
	mailBurst = 100
)

// allowSignInMail is the global outbound cap on sign-in mail.
func (s *Server) allowSignInMail() bool {
	ok, _ := s.limits.Allow("signin-mail", mailEvery, mailBurst)
	return ok
}

// Request body limits: 1 MiB for everything (CONTRACT's API limit), more for
// the CSV upload, which streams its file.
const (
	maxBody       = 1 << 20
	maxUploadBody = 256 << 20
)

// uploadRoute reports whether the route takes a body up to maxUploadBody.
func uploadRoute(path string) bool { return path == "/admin/import" }

// limitBody refuses a body over its route's limit with 413: at once when
// Content-Length says so, else when the handler reads past the limit (the
// read fails with *http.MaxBytesError, which handleError answers as 413).
// An upload route takes a large body only with the CSRF token in its header
// (htmx sends it): then the CSRF check needs no form, and nothing reads the
// body before the staff session and admin flag have been checked. Without
// it the CSRF check would parse — and spool to disk — the whole upload of
// anyone, signed in or not.
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		limit := int64(maxBody)
		if uploadRoute(c.Path()) && c.Request().Header.Get("X-CSRF-Token") != "" {
			limit = maxUploadBody
		}
		r := c.Request()
		if r.ContentLength > limit {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is over %d MiB", limit>>20))
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
		return next(c)
	}
}
