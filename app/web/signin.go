package web

import (
	"crypto/sha256"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/signin"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web/kit"
)

// The customer and staff sign-in flows are the same code with a different
// purpose: these are the routes' entry points.

func (s *Server) loginForm(c echo.Context) error      { return s.signInForm(c, model.KindCustomer) }
func (s *Server) loginRequest(c echo.Context) error   { return s.signInRequest(c, model.KindCustomer) }
func (s *Server) authConfirm(c echo.Context) error    { return s.signInConfirm(c, model.KindCustomer) }
func (s *Server) authConsume(c echo.Context) error    { return s.signInConsume(c, model.KindCustomer) }
func (s *Server) staffLoginForm(c echo.Context) error { return s.signInForm(c, model.KindStaff) }
func (s *Server) staffLoginRequest(c echo.Context) error {
	return s.signInRequest(c, model.KindStaff)
}
func (s *Server) staffAuthConfirm(c echo.Context) error { return s.signInConfirm(c, model.KindStaff) }
func (s *Server) staffAuthConsume(c echo.Context) error { return s.signInConsume(c, model.KindStaff) }
func (s *Server) loginCode(c echo.Context) error        { return s.signInCode(c, model.KindCustomer) }
func (s *Server) staffLoginCode(c echo.Context) error   { return s.signInCode(c, model.KindStaff) }

type signInData struct {
	kit.Page
	Kind   string // customer or staff
	Action string // where the form posts
	Email  string
	Error  string
	Next   string
	Masked string
	// CodeAction is where the 6-digit code form posts.
	CodeAction string
}

func (s *Server) signInPage(c echo.Context, kind, titleID string) signInData {
	p := s.layout.Page(c, titleID)
	action := "/login"
	if kind == model.KindStaff {
		p = s.layout.StaffPage(c, titleID)
		p.Staff = nil
		action = "/admin/login"
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	return signInData{Page: p, Kind: kind, Action: action, CodeAction: action + "/code", Next: kit.SafeNext(c.QueryParam("next"), "")}
}

func (s *Server) codeKey() []byte {
	k := sha256.Sum256([]byte("kedja sign-in code\x00" + s.cookies.keyMaterial))
	return k[:]
}

func (s *Server) signInForm(c echo.Context, kind string) error {
	return s.views.Render(c, http.StatusOK, "auth/login", "", s.signInPage(c, kind, "signin.title"))
}

// signInRequest answers the same whether or not the address is known.
func (s *Server) signInRequest(c echo.Context, kind string) error {
	d := s.signInPage(c, kind, "signin.title")
	d.Email = c.FormValue("email")
	d.Next = kit.SafeNext(c.FormValue("next"), "")
	email, err := signin.ParseAddress(d.Email)
	if err != nil {
		d.Error = d.T("signin.error.address")
		return s.views.Render(c, http.StatusUnprocessableEntity, "auth/login", "", d)
	}
	pending, err := s.startPending(c, kind)
	if err != nil {
		return err
	}
	req := signin.Request{Purpose: kind, Email: email, ReturnTo: d.Next, Accept: c.Request().Header.Get("Accept-Language"),
		BrowserHash: hashID(pending), AllowMail: s.allowSignInMail}
	if err := signin.Start(c.Request().Context(), s.store, s.codeKey(), req, s.now()); err != nil {
		return err
	}
	d.Title = d.T("signin.sent.title")
	return s.views.Render(c, http.StatusOK, "auth/sent", "", d)
}

// signInConfirm shows a button and never consumes the token: mail scanners
// fetch links (and run their scripts) and must not burn them.
func (s *Server) signInConfirm(c echo.Context, kind string) error {
	d := s.signInPage(c, kind, "signin.confirm.title")
	token := c.Param("token")
	t, err := s.store.UsableLoginToken(c.Request().Context(), kind, signin.HashToken(token), model.Normalize(s.now()))
	if errors.Is(err, store.ErrNotFound) {
		d.Title = d.T("signin.invalid.title")
		return s.views.Render(c, http.StatusOK, "auth/invalid", "", d)
	}
	if err != nil {
		return err
	}
	d.Masked = signin.Mask(t.Email)
	d.Action = c.Request().URL.Path
	return s.views.Render(c, http.StatusOK, "auth/confirm", "", d)
}

// signInConsume uses the token once, atomically, and starts a fresh session.
func (s *Server) signInConsume(c echo.Context, kind string) error {
	return s.finishSignIn(c, kind, signin.HashToken(c.Param("token")), model.Normalize(s.now()))
}

// signInCode signs in the browser that asked for the email with its 6-digit
// code. Every failure (no pending sign-in, wrong code, no tries left,
// expired, unknown address) gets the same answer.
func (s *Server) signInCode(c echo.Context, kind string) error {
	d := s.signInPage(c, kind, "signin.sent.title")
	now := model.Normalize(s.now())
	t, err := s.pendingToken(c, kind, now)
	if err != nil {
		return err
	}
	if t != nil {
		ok, err := signin.TryCode(c.Request().Context(), s.store, s.codeKey(), t, c.FormValue("code"), now)
		if err != nil {
			return err
		}
		if ok {
			return s.finishSignIn(c, kind, t.TokenHash, now)
		}
	}
	d.Error = d.T("signin.code.error")
	return s.views.Render(c, http.StatusUnprocessableEntity, "auth/sent", "", d)
}

// pendingToken is the usable token this browser asked for, or nil.
func (s *Server) pendingToken(c echo.Context, kind string, now time.Time) (*model.LoginToken, error) {
	ck, err := c.Cookie(s.cookies.pendingName(kind))
	if err != nil || len(ck.Value) != 43 {
		return nil, nil
	}
	t, err := s.store.PendingLoginToken(c.Request().Context(), kind, hashID(ck.Value), now)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return t, err
}

// finishSignIn consumes the token (atomically: one winner) and starts the
// session; a lost race is the friendly "no longer works" page.
func (s *Server) finishSignIn(c echo.Context, kind, tokenHash string, now time.Time) error {
	t, err := s.store.ConsumeLoginToken(c.Request().Context(), kind, tokenHash, now)
	if errors.Is(err, store.ErrNotFound) {
		d := s.signInPage(c, kind, "signin.invalid.title")
		return s.views.Render(c, http.StatusOK, "auth/invalid", "", d)
	}
	if err != nil {
		return err
	}
	if err := s.startSession(c, kind, t.SubjectID); err != nil {
		return err
	}
	s.clearPending(c, kind)
	home := "/"
	if kind == model.KindStaff {
		home = "/admin"
	}
	return c.Redirect(http.StatusSeeOther, kit.SafeNext(t.ReturnTo, home))
}

// signOutEverywhere ends every session of the signed-in customer, on every
// device, this one included.
func (s *Server) signOutEverywhere(c echo.Context) error {
	cust := kit.CustomerOf(c)
	if _, err := s.store.DeleteSessionsOf(c.Request().Context(), model.KindCustomer, cust.ID); err != nil {
		return err
	}
	s.sessionsEnded(cust.ID)
	if err := s.writeSessionCookie(c, model.KindCustomer, "", -1); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}

// logout ends this browser's customer session.
func (s *Server) logout(c echo.Context) error {
	if err := s.endSession(c, model.KindCustomer); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}

// staffLogout ends this browser's staff session.
func (s *Server) staffLogout(c echo.Context) error {
	if err := s.endSession(c, model.KindStaff); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/login")
}
