package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/model"
)

type outboxData struct {
	adminView
	State    string
	States   []string
	Messages []*model.OutboxMessage
	CanRetry bool
}

// adminOutbox lists the newest emails with their state, attempts and last
// error. Message data (sign-in links and codes among it) is never shown.
func (s *Server) adminOutbox(c echo.Context) error {
	state := c.QueryParam("state")
	switch state {
	case model.MailPending, model.MailSending, model.MailSent, model.MailFailed:
	default:
		state = ""
	}
	list, err := s.store.ListOutbox(c.Request().Context(), state, 200)
	if err != nil {
		return err
	}
	d := outboxData{adminView: s.adminView(c, "admin.outbox.title"), State: state,
		States: []string{"", model.MailPending, model.MailSending, model.MailSent, model.MailFailed}, CanRetry: adminCanRetryMail}
	for _, m := range list {
		m.Data = nil // never handed to the template
	}
	d.Messages = list
	return s.render(c, http.StatusOK, "admin/outbox", "", d)
}
