package admin

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
)

type outboxData struct {
	view
	State    string
	States   []string
	Messages []*model.OutboxMessage
}

// SignIn reports whether mail of this template is sign-in mail, which cannot
// be resent (its link is gone once it failed).
func (d outboxData) SignIn(template string) bool { return notify.IsSignIn(template) }

// Outbox lists the newest emails with their state, attempts and last
// error, and a Resend button on the failed ones. Message data (sign-in links
// and codes among it) is never read (store.AdminOutbox).
func (h *Handlers) Outbox(c echo.Context) error {
	return h.outboxPage(c, http.StatusOK, "")
}

// outboxPage renders the outbox list, with errMsg when an action was refused.
func (h *Handlers) outboxPage(c echo.Context, status int, errMsg string) error {
	state := outboxState(c.QueryParam("state"))
	if state == "" {
		state = outboxState(c.FormValue("state"))
	}
	list, err := h.store.AdminOutbox(c.Request().Context(), state, 200)
	if err != nil {
		return err
	}
	d := outboxData{view: h.page(c, "admin.outbox.title"), State: state, Messages: list,
		States: []string{"", model.MailPending, model.MailSending, model.MailSent, model.MailFailed}}
	d.Error = errMsg
	return h.views.Render(c, status, "admin/outbox", "", d)
}

// outboxState keeps a state filter to the known states ("" for all).
func outboxState(st string) string {
	switch st {
	case model.MailPending, model.MailSending, model.MailSent, model.MailFailed:
		return st
	}
	return ""
}
