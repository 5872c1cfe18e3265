package web

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
	portalView
	Inquiry    *model.Inquiry
	Manager    *model.Staff
	Escalation *model.Escalation
	Messages   []*model.Message
	Events     []*model.Event
	Reply      string     // the typed reply, kept on an error
	Reason     string     // the typed escalation reason, kept on an error
	Errors     formErrors // of the reply or escalate form
	OOB        bool       // the live part goes out of band (after an htmx reply)
}

// loadInquiry fills an inquiry page for one of the customer's inquiries;
// another customer's is store.ErrNotFound.
func (s *Server) loadInquiry(c echo.Context, id int64) (*inquiryData, error) {
	ctx := c.Request().Context()
	cust := kit.CustomerOf(c)
	q, err := s.store.InquiryForCustomer(ctx, cust.ID, id)
	if err != nil {
		return nil, err
	}
	d := &inquiryData{portalView: s.portalView(c, ""), Inquiry: q}
	d.Title = q.Subject
	if q.Owner != nil && q.Owner.ManagerID != nil {
		if d.Manager, err = s.store.StaffByID(ctx, *q.Owner.ManagerID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	e, err := s.store.LatestEscalationForCustomer(ctx, cust.ID, model.InquirySubject(q.ID))
	switch {
	case err == nil && e.IsOpen:
		d.Escalation = e
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	if d.Messages, err = s.store.MessagesForCustomer(ctx, cust.ID, q.ID); err != nil {
		return nil, err
	}
	if d.Events, err = s.store.InquiryEvents(ctx, q.ID, true); err != nil {
		return nil, err
	}
	return d, nil
}

// inquiry shows one of the customer's inquiries: the conversation, owner,
// status, reply-due time and timeline. An htmx request gets the live part.
func (s *Server) inquiry(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.loadInquiry(c, id)
	if err != nil {
		return err
	}
	if c.QueryParam("part") == "side" {
		return s.views.Render(c, http.StatusOK, "portal/inquiry", "inquiry_side", d)
	}
	return s.views.Render(c, http.StatusOK, "portal/inquiry", "inquiry_live", d)
}

// inquiryReply adds the customer's message. Without JavaScript it redirects
// back to the conversation; htmx gets an empty reply box and the updated
// conversation out of band. An empty message comes back with its error.
func (s *Server) inquiryReply(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	body := c.FormValue("body")
	_, err = s.inquiries.CustomerReply(c.Request().Context(), kit.CustomerOf(c).ID, id, body)
	if err != nil && refusal.Fields(err) == nil {
		return err
	}
	d, lerr := s.loadInquiry(c, id)
	if lerr != nil {
		return lerr
	}
	if err != nil {
		d.Errors, d.Reply = d.fieldErrors(err), body
		return s.views.Render(c, http.StatusUnprocessableEntity, "portal/inquiry", "reply_box", d)
	}
	if kit.IsHTMX(c) {
		d.OOB = true
		return s.views.Render(c, http.StatusOK, "portal/inquiry", "reply_done", d)
	}
	return c.Redirect(http.StatusSeeOther, "/inquiries/"+strconv.FormatInt(id, 10)+"#reply")
}

// inquiryEscalate asks a manager to step in on the inquiry; repeating it
// while the escalation is open changes nothing.
func (s *Server) inquiryEscalate(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	cust := kit.CustomerOf(c)
	reason := c.FormValue("reason")
	_, _, err = s.escalations.Escalate(c.Request().Context(), cust.ID, escalations.Subject{InquiryID: id},
		reason, model.CustomerActor(cust))
	if err != nil && refusal.Fields(err) == nil {
		return err
	}
	d, lerr := s.loadInquiry(c, id)
	if lerr != nil {
		return lerr
	}
	if err != nil {
		d.Errors, d.Reason = d.fieldErrors(err), reason
		return s.views.Render(c, http.StatusUnprocessableEntity, "portal/inquiry", "inquiry_side", d)
	}
	if kit.IsHTMX(c) {
		return s.views.Render(c, http.StatusOK, "portal/inquiry", "inquiry_side", d)
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
