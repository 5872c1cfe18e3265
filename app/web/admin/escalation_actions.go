package admin

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web/kit"
)

// escalationAction runs one manager action on an escalation and goes back
// to the page it came from (the escalations list, or the case's page). Only
// the manager it is addressed to, their manager or an administrator may act:
// anyone else gets a 403 that says who can.
func (h *Handlers) escalationAction(c echo.Context, done string, act func(ctx context.Context, id int64, me *model.Staff) error) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	err = act(c.Request().Context(), id, kit.StaffOf(c))
	if errors.Is(err, escalations.ErrNotManager) {
		return h.escalationRefused(c, id, http.StatusForbidden, "")
	}
	if msg, ok := refusalText(err); ok {
		return h.escalationRefused(c, id, http.StatusUnprocessableEntity, msg)
	}
	if err != nil {
		return err
	}
	return redirect(c, escalationNext(c), done)
}

// escalationRefused shows the escalations list with why the action was
// refused; for a 403, who may act instead.
func (h *Handlers) escalationRefused(c echo.Context, id int64, status int, msg string) error {
	if status == http.StatusForbidden {
		e, err := h.store.EscalationByID(c.Request().Context(), id)
		if err != nil {
			return err
		}
		msg = "This escalation is addressed to " + e.Manager.FullName + ". Only they, their manager or an administrator can act on it: ask one of them."
	}
	d, err := h.escalationsPage(c)
	if err != nil {
		return err
	}
	d.Error, d.Failed = msg, "escalation-"+strconv.FormatInt(id, 10)
	d.Form["to"] = c.FormValue("to")
	return h.views.Render(c, status, "admin/escalations", "", d)
}

// escalationNext is where an escalation form returns: a local /admin
// page, else the escalations list.
func escalationNext(c echo.Context) string {
	next := kit.SafeNext(c.FormValue("next"), "")
	if !strings.HasPrefix(next, "/admin/") {
		next = "/admin/escalations"
	}
	return next
}

// EscalationAcknowledge records that the manager has taken the
// escalation; the customer sees it at once and is emailed.
func (h *Handlers) EscalationAcknowledge(c echo.Context) error {
	return h.escalationAction(c, "acknowledged", func(ctx context.Context, id int64, me *model.Staff) error {
		_, err := h.escalations.Acknowledge(ctx, id, me)
		return err
	})
}

// EscalationResolve closes the escalation.
func (h *Handlers) EscalationResolve(c echo.Context) error {
	return h.escalationAction(c, "escalation_resolved", func(ctx context.Context, id int64, me *model.Staff) error {
		_, err := h.escalations.Resolve(ctx, id, me)
		return err
	})
}

// EscalationReassign hands the escalated case to another owner.
func (h *Handlers) EscalationReassign(c echo.Context) error {
	return h.escalationAction(c, "reassigned", func(ctx context.Context, id int64, me *model.Staff) error {
		to, err := strconv.ParseInt(c.FormValue("to"), 10, 64)
		if err != nil {
			return errChooseCaseOwner
		}
		err = h.escalations.HandOver(ctx, id, to, me)
		if errors.Is(err, store.ErrNotFound) {
			if _, eerr := h.store.EscalationByID(ctx, id); eerr == nil {
				return errChooseCaseOwner
			}
		}
		return err
	})
}
