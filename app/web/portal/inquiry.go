package portal

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web/kit"
)

type inquiryData struct {
	view
	Inquiry    *model.Inquiry
	Manager    *model.Staff
	Escalation *model.Escalation
	Messages   []*model.Message
	Events     []*model.Event
	Reply      string     // the typed reply, kept on an error
	Reason     string     // the typed escalation reason, kept on an error
	Errors     formErrors // of the reply or escalate form
	OOB        bool       // the live part goes out of band (after an htmx reply)
	Steps      steps      // what the case owes the customer: its next step, missed promises
	Feedback   *model.Feedback
	CanReopen  bool // resolved within the last 14 days: one click opens it again
}

// loadInquiry fills an inquiry page for one of the customer's inquiries;
// another customer's is store.ErrNotFound.
func (h *Handlers) loadInquiry(c echo.Context, id int64) (*inquiryData, error) {
	ctx := c.Request().Context()
	cust := kit.CustomerOf(c)
	q, err := h.reads.InquiryForCustomer(ctx, cust.ID, id)
	if err != nil {
		return nil, err
	}
	d := &inquiryData{view: h.page(c, ""), Inquiry: q}
	d.Title = q.Subject
	if q.Owner != nil && q.Owner.ManagerID != nil {
		if d.Manager, err = h.reads.InquiryManagerForCustomer(ctx, cust.ID, q.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if d.Escalation, err = h.openEscalation(ctx, cust.ID, model.InquirySubject(q.ID)); err != nil {
		return nil, err
	}
	if d.Messages, err = h.reads.MessagesForCustomer(ctx, cust.ID, q.ID); err != nil {
		return nil, err
	}
	if d.Events, err = h.reads.InquiryEventsForCustomer(ctx, cust.ID, q.ID); err != nil {
		return nil, err
	}
	if d.Steps, err = h.caseSteps(ctx, cust.ID, store.InquiryCase(q.ID)); err != nil {
		return nil, err
	}
	if q.Status == model.InquiryResolved && q.ResolvedAt != nil {
		d.CanReopen = d.Now.Sub(*q.ResolvedAt) <= model.ReopenWindow
		if d.Feedback, err = h.reads.FeedbackForCustomer(ctx, cust.ID, q.ID, *q.ResolvedAt); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	return d, nil
}

// ReopenUntil is the last moment the resolved inquiry can be reopened with
// one click.
func (d inquiryData) ReopenUntil() string {
	if d.Inquiry.ResolvedAt == nil {
		return ""
	}
	return d.DateTime(d.Inquiry.ResolvedAt.Add(model.ReopenWindow))
}

// Next is the inquiry's next step in one sentence, or what its status says
// when it owes nothing (resolved).
func (d inquiryData) Next() string {
	if s := d.NextText(d.Steps, d.Inquiry.Owner); s != "" {
		return s
	}
	return d.InquiryNext(d.Inquiry)
}

// Inquiry shows one of the customer's inquiries: the conversation, owner,
// status, reply-due time and timeline. An htmx request gets the live part.
func (h *Handlers) Inquiry(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.loadInquiry(c, id)
	if err != nil {
		return err
	}
	if c.QueryParam("part") == "side" {
		return h.views.Render(c, http.StatusOK, "portal/inquiry", "inquiry_side", d)
	}
	return h.views.Render(c, http.StatusOK, "portal/inquiry", "inquiry_live", d)
}

// InquiryReply adds the customer's message. Without JavaScript it redirects
// back to the conversation; htmx gets an empty reply box and the updated
// conversation out of band. An empty message comes back with its error.
func (h *Handlers) InquiryReply(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	body := c.FormValue("body")
	_, err = h.inquiries.CustomerReply(c.Request().Context(), kit.CustomerOf(c).ID, id, body)
	if err != nil && refusal.Fields(err) == nil {
		return err
	}
	d, lerr := h.loadInquiry(c, id)
	if lerr != nil {
		return lerr
	}
	if err != nil {
		d.Errors, d.Reply = d.fieldErrors(err), body
		return h.views.Render(c, http.StatusUnprocessableEntity, "portal/inquiry", "reply_box", d)
	}
	if kit.IsHTMX(c) {
		d.OOB = true
		return h.views.Render(c, http.StatusOK, "portal/inquiry", "reply_done", d)
	}
	return c.Redirect(http.StatusSeeOther, "/inquiries/"+strconv.FormatInt(id, 10)+"#reply")
}

// InquiryEscalate asks a manager to step in on the inquiry; repeating it
// while the escalation is open changes nothing.
func (h *Handlers) InquiryEscalate(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	cust := kit.CustomerOf(c)
	reason := c.FormValue("reason")
	_, _, err = h.escalations.Escalate(c.Request().Context(), cust.ID, escalations.Subject{InquiryID: id},
		reason, model.CustomerActor(cust))
	if err != nil && refusal.Fields(err) == nil {
		return err
	}
	d, lerr := h.loadInquiry(c, id)
	if lerr != nil {
		return lerr
	}
	if err != nil {
		d.Errors, d.Reason = d.fieldErrors(err), reason
		return h.views.Render(c, http.StatusUnprocessableEntity, "portal/inquiry", "inquiry_side", d)
	}
	if kit.IsHTMX(c) {
		return h.views.Render(c, http.StatusOK, "portal/inquiry", "inquiry_side", d)
	}
	return c.Redirect(http.StatusSeeOther, "/inquiries/"+strconv.FormatInt(id, 10)+"#escalation")
}

// CaseOwner is the inquiry's owner, for the owner card.
func (d inquiryData) CaseOwner() *model.Staff { return d.Inquiry.Owner }

// EscalateAction is where the escalate button posts.
func (d inquiryData) EscalateAction() string {
	return "/inquiries/" + strconv.FormatInt(d.Inquiry.ID, 10) + "/escalate"
}

// LiveID is the id of the part of the page that live updates replace.
func (d inquiryData) LiveID() string { return "inquiry-side" }

// InquiryReopen opens one of the customer's resolved inquiries again with
// one click (for 14 days after it was resolved).
func (h *Handlers) InquiryReopen(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	err = h.inquiries.Reopen(c.Request().Context(), kit.CustomerOf(c).ID, id)
	if err != nil && refusal.Fields(err) == nil {
		return err
	}
	if err != nil {
		d, lerr := h.loadInquiry(c, id)
		if lerr != nil {
			return lerr
		}
		d.Errors = formErrors{"reopen": d.refusalText(err)}
		return h.views.Render(c, http.StatusUnprocessableEntity, "portal/inquiry", "", d)
	}
	return c.Redirect(http.StatusSeeOther, "/inquiries/"+strconv.FormatInt(id, 10))
}

type feedbackData struct {
	*inquiryData
	Solved bool
}

// FeedbackConfirm is the page a "Did this solve it?" link in the mail
// opens: it asks to confirm the answer (and offers a comment). A GET never
// records anything — mail scanners follow links.
func (h *Handlers) FeedbackConfirm(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.loadInquiry(c, id)
	if err != nil {
		return err
	}
	fd := &feedbackData{inquiryData: d, Solved: c.QueryParam("solved") == "yes"}
	fd.Title = fd.T("feedback.question")
	return h.views.Render(c, http.StatusOK, "portal/feedback", "", fd)
}

// Feedback records the customer's answer to "Did this solve it?": "not
// solved" opens the case again with a manager holding it. Answering again
// changes nothing.
func (h *Handlers) Feedback(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	solved := c.FormValue("solved") == "yes"
	_, _, err = h.escalations.Feedback(c.Request().Context(), kit.CustomerOf(c).ID, id, solved, c.FormValue("comment"))
	if err != nil && refusal.Fields(err) == nil {
		return err
	}
	if err != nil {
		d, lerr := h.loadInquiry(c, id)
		if lerr != nil {
			return lerr
		}
		fd := &feedbackData{inquiryData: d, Solved: solved}
		fd.Title, fd.Errors = fd.T("feedback.question"), formErrors{"comment": fd.refusalText(err)}
		return h.views.Render(c, http.StatusUnprocessableEntity, "portal/feedback", "", fd)
	}
	return c.Redirect(http.StatusSeeOther, "/inquiries/"+strconv.FormatInt(id, 10)+"#feedback")
}
