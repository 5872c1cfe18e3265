package admin

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/domain/promises"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web/kit"
)

type inquiryWorkData struct {
	view
	Inquiry    *model.Inquiry
	Messages   []*model.Message
	Events     []*model.Event
	Facts      []*model.CustomerFact
	Escalation *model.Escalation
	CanAct     bool           // the signed-in staff member may act on the escalation
	Colleagues []*model.Staff // active colleagues, for reassigning
	Form       map[string]string
	Promises   []*model.Promise // every promise of the case, oldest first
	Next       *model.Promise   // the case's next step, if any
	Defaults   nextStepDefaults // the reply form's one-click deadlines
}

// Inquiry is the work page of one inquiry: the conversation with
// internal notes marked, the customer's facts and order beside it, and the
// actions.
func (h *Handlers) Inquiry(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.inquiryWork(c, id)
	if err != nil {
		return err
	}
	fragment := "work"
	if c.QueryParam("part") == "timeline" {
		fragment = "timeline"
	}
	return h.views.Render(c, http.StatusOK, "admin/inquiry", fragment, d)
}

func (h *Handlers) inquiryWork(c echo.Context, id int64) (*inquiryWorkData, error) {
	ctx := c.Request().Context()
	q, err := h.store.InquiryByID(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &inquiryWorkData{view: h.page(c, ""), Inquiry: q, Form: map[string]string{}}
	d.Title = q.Subject
	if d.Messages, err = h.store.Messages(ctx, id, true); err != nil {
		return nil, err
	}
	if d.Events, err = h.store.InquiryEvents(ctx, id, false); err != nil {
		return nil, err
	}
	if d.Facts, err = h.store.Facts(ctx, q.CustomerID); err != nil {
		return nil, err
	}
	if d.Escalation, err = h.store.OpenEscalation(ctx, model.InquirySubject(id)); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	d.CanAct = d.Escalation != nil && escalations.MayAct(d.Escalation, kit.StaffOf(c))
	all, err := h.store.ListStaff(ctx)
	if err != nil {
		return nil, err
	}
	for _, st := range all {
		if st.Active {
			d.Colleagues = append(d.Colleagues, st)
		}
	}
	if err := h.inquiryPromises(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// inquiryAction runs one staff action on an inquiry and goes back to its
// page; a refusal re-renders the page with the message and the input kept.
func (h *Handlers) inquiryAction(c echo.Context, done string, act func(id int64, me *model.Staff) error) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	err = act(id, kit.StaffOf(c))
	if msg, ok := refusalText(err); ok {
		d, derr := h.inquiryWork(c, id)
		if derr != nil {
			return derr
		}
		d.Error = msg
		for _, k := range []string{"body", "note", "party", "expected", "to", "next", "what", "due", "due_at", "reason", "answer",
			"move_due_at", "move_what"} {
			d.Form[k] = c.FormValue(k)
		}
		return h.views.Render(c, http.StatusUnprocessableEntity, "admin/inquiry", "", d)
	}
	if err != nil {
		return err
	}
	return redirect(c, "/admin/inquiries/"+strconv.FormatInt(id, 10), done)
}

func (h *Handlers) InquiryReply(c echo.Context) error {
	return h.inquiryAction(c, "replied", func(id int64, me *model.Staff) error {
		next, err := h.nextStep(c, me)
		if err != nil {
			return err
		}
		_, err = h.inquiries.StaffReply(c.Request().Context(), id, me, c.FormValue("body"), next)
		return err
	})
}

func (h *Handlers) InquiryNote(c echo.Context) error {
	return h.inquiryAction(c, "noted", func(id int64, me *model.Staff) error {
		_, err := h.inquiries.Note(c.Request().Context(), id, me, c.FormValue("note"))
		return err
	})
}

func (h *Handlers) InquiryReassign(c echo.Context) error {
	return h.inquiryAction(c, "reassigned", func(id int64, me *model.Staff) error {
		to, err := strconv.ParseInt(c.FormValue("to"), 10, 64)
		if err != nil {
			return errChooseInquiryOwner
		}
		err = h.inquiries.Reassign(c.Request().Context(), id, to, me)
		if errors.Is(err, store.ErrNotFound) && !inquiryMissing(c, h, id) {
			return errChooseInquiryOwner
		}
		return err
	})
}

// inquiryMissing tells a missing inquiry (404) from a missing target.
func inquiryMissing(c echo.Context, h *Handlers, id int64) bool {
	_, err := h.store.InquiryByID(c.Request().Context(), id)
	return errors.Is(err, store.ErrNotFound)
}

func (h *Handlers) InquiryThirdParty(c echo.Context) error {
	return h.inquiryAction(c, "third_party", func(id int64, me *model.Staff) error {
		return h.inquiries.WaitOnThirdParty(c.Request().Context(), id, me, c.FormValue("party"), c.FormValue("expected"))
	})
}

func (h *Handlers) InquiryResolve(c echo.Context) error {
	return h.inquiryAction(c, "resolved", func(id int64, me *model.Staff) error {
		return h.inquiries.Resolve(c.Request().Context(), id, me, c.FormValue("answer"))
	})
}

// EscalationBlock is the open escalation's buttons beside the conversation.
func (d inquiryWorkData) EscalationBlock() escalationBlock {
	return escalationBlock{view: d.view, E: d.Escalation, CanAct: d.CanAct,
		Next: "/admin/inquiries/" + strconv.FormatInt(d.Inquiry.ID, 10)}
}

// FactsBlock is the customer's facts, editable beside the conversation.
func (d inquiryWorkData) FactsBlock() factsBlock {
	return factsBlock{view: d.view, CustomerID: d.Inquiry.CustomerID, Facts: d.Facts,
		Next: "/admin/inquiries/" + strconv.FormatInt(d.Inquiry.ID, 10)}
}

// InquiryMove moves the case's deadline, or gives its promise to someone
// else, without a reply: a new promise with a reason the customer reads
// (and is emailed).
func (h *Handlers) InquiryMove(c echo.Context) error {
	return h.inquiryAction(c, "moved", func(id int64, me *model.Staff) error {
		due, err := time.ParseInLocation("2006-01-02T15:04", c.FormValue("move_due_at"), h.loc)
		if err != nil {
			return promises.ErrNoDue
		}
		holder := me.ID
		if to, err := strconv.ParseInt(c.FormValue("move_to"), 10, 64); err == nil && to > 0 {
			holder = to
		}
		step := promises.Step{Holder: model.HolderStaff, StaffID: holder, What: c.FormValue("move_what"), Due: due}
		return h.inquiries.Move(c.Request().Context(), id, me, step, c.FormValue("reason"))
	})
}
