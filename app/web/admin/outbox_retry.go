package admin

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web/kit"
)

// OutboxRetry queues a failed email again (store.RetryOutbox): due at
// once, a fresh retry budget, the same Message-ID. A sign-in email, or one
// that is not failed, is refused with the reason.
func (h *Handlers) OutboxRetry(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	err = h.store.RetryOutbox(ctx, id, h.now())
	if errors.Is(err, store.ErrConflict) {
		return h.outboxPage(c, http.StatusConflict, h.outboxRetryRefusal(c, id))
	}
	if err != nil {
		return err
	}
	h.log.Info("outbox message queued again", "outbox_id", id, "staff_id", kit.StaffOf(c).ID, "staff", kit.StaffOf(c).FullName)
	path := "/admin/outbox"
	if st := outboxState(c.FormValue("state")); st != "" {
		path += "?state=" + url.QueryEscape(st)
	}
	return redirect(c, path, "resent")
}

// outboxRetryRefusal says why a message cannot be resent. Only its template
// and state are read: the data of unsent sign-in mail never leaves here.
func (h *Handlers) outboxRetryRefusal(c echo.Context, id int64) string {
	m, err := h.store.OutboxByID(c.Request().Context(), id)
	if err != nil {
		return "That email cannot be resent now."
	}
	template, state := m.Template, m.State
	m.Data = nil
	switch {
	case notify.IsSignIn(template):
		return "A sign-in email cannot be resent: its link was removed when sending failed. Ask the person to request a new sign-in link."
	case state == model.MailSent:
		return "That email has been sent already; nothing to resend."
	default:
		return "Only failed emails can be resent; that one is " + state + " and will be tried again by itself."
	}
}
