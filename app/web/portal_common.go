package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/model"
)

// portalView is what every customer page's template can call: the layout
// data plus wording of statuses, dates and timeline events in the reader's
// language and time zone.
type portalView struct {
	Page
	loc *time.Location
	now time.Time
}

func (s *Server) portalView(c echo.Context, titleID string) portalView {
	loc := s.cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	return portalView{Page: s.page(c, titleID), loc: loc, now: s.now().In(loc)}
}

// Date is "Tuesday 24 November" in the reader's language.
func (v portalView) Date(t time.Time) string { return i18n.FormatDate(v.Lang, t.In(v.loc), v.now) }

// DateTime is "Tuesday 24 November, 14:02".
func (v portalView) DateTime(t time.Time) string {
	return i18n.FormatDateTime(v.Lang, t.In(v.loc), v.now)
}

// When is a time relative to today when that reads better: "14:00 today",
// "09:00 tomorrow", else the date and time.
func (v portalView) When(t time.Time) string {
	t = t.In(v.loc)
	y, m, d := v.now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, v.loc)
	switch day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, v.loc); {
	case day.Equal(today):
		return v.T("when.today", "Time", i18n.FormatTime(v.Lang, t))
	case day.Equal(today.AddDate(0, 0, 1)):
		return v.T("when.tomorrow", "Time", i18n.FormatTime(v.Lang, t))
	case day.Equal(today.AddDate(0, 0, -1)):
		return v.T("when.yesterday", "Time", i18n.FormatTime(v.Lang, t))
	}
	return v.DateTime(t)
}

// Due is a deadline relative to today when that reads better: "14:00
// today", "09:00 tomorrow", else the date and time.
func (v portalView) Due(t time.Time) string {
	t = t.In(v.loc)
	y, m, d := v.now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, v.loc)
	switch day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, v.loc); {
	case day.Equal(today):
		return v.T("due.today", "Time", i18n.FormatTime(v.Lang, t))
	case day.Equal(today.AddDate(0, 0, 1)):
		return v.T("due.tomorrow", "Time", i18n.FormatTime(v.Lang, t))
	}
	return v.DateTime(t)
}

// Day writes a "YYYY-MM-DD" date as "Tuesday 24 November" ("" stays "").
func (v portalView) Day(s string) string {
	t, ok := i18n.ParseDay(s, v.loc)
	if !ok {
		return s
	}
	return i18n.FormatDate(v.Lang, t, v.now)
}

// ShortDay writes a "YYYY-MM-DD" date as "26 November".
func (v portalView) ShortDay(s string) string {
	t, ok := i18n.ParseDay(s, v.loc)
	if !ok {
		return s
	}
	return i18n.FormatShortDate(v.Lang, t)
}

// Money is an amount in the reader's notation.
func (v portalView) Money(amount, currency string) string {
	return i18n.FormatMoney(v.Lang, amount, currency)
}

// ISO is a machine-readable time for <time datetime>.
func (v portalView) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// OrderStatus is an order status in plain words.
func (v portalView) OrderStatus(s string) string { return v.T("order.status." + s) }

// InquiryStatus is an inquiry status in plain words.
func (v portalView) InquiryStatus(q *model.Inquiry) string {
	if q.Status == model.InquiryWaitingThirdParty && q.ThirdPartyName != "" {
		return v.T("inquiry.status.waiting_on", "Party", q.ThirdPartyName)
	}
	return v.T("inquiry.status." + q.Status)
}

// Tone is the colour class of a status; the words always come with it.
func (v portalView) Tone(status string) string {
	switch status {
	case model.OrderDelivered, model.InquiryResolved:
		return "ok"
	case model.OrderShipped, model.OrderOutForDelivery, model.InquiryWaitingCustomer:
		return "info"
	case model.InquiryWaitingThirdParty:
		return "warn"
	case model.OrderCancelled, model.OrderReturned:
		return ""
	}
	return "info"
}

// Initials are the owner's initials on their card.
func (v portalView) Initials(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			b.WriteRune(r)
			break
		}
		if b.Len() >= 4 {
			break
		}
	}
	return strings.ToUpper(b.String())
}

// OrderNext says what happens next with an order.
func (v portalView) OrderNext(o *model.Order) string {
	switch o.Status {
	case model.OrderDelivered:
		when := ""
		if o.DeliveredAt != nil {
			when = v.When(*o.DeliveredAt)
		}
		if o.RecipientName != "" {
			return v.T("next.order.delivered_to", "When", when, "Name", o.RecipientName)
		}
		return v.T("next.order.delivered", "When", when)
	case model.OrderCancelled:
		return v.T("next.order.cancelled")
	case model.OrderReturned:
		return v.T("next.order.returned")
	}
	if o.ExpectedDelivery == "" {
		if o.Status == model.OrderOutForDelivery {
			return v.T("next.order.out")
		}
		return v.T("next.order.nodate")
	}
	day, ok := i18n.ParseDay(o.ExpectedDelivery, v.loc)
	if !ok {
		return v.T("next.order.nodate")
	}
	y, m, d := v.now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, v.loc)
	if day.Before(today) {
		return v.T("next.order.late", "Date", v.Day(o.ExpectedDelivery))
	}
	if (o.Status == model.OrderShipped || o.Status == model.OrderOutForDelivery) && o.Carrier != "" {
		if day.Equal(today) {
			return v.T("next.order.carrier_today", "Carrier", o.Carrier)
		}
		return v.T("next.order.carrier", "Carrier", o.Carrier, "Date", v.Day(o.ExpectedDelivery))
	}
	if day.Equal(today) {
		return v.T("next.order.today")
	}
	return v.T("next.order.expected", "Date", v.Day(o.ExpectedDelivery))
}

// OrderLate reports whether an undelivered order is past its expected day.
func (v portalView) OrderLate(o *model.Order) bool {
	if !o.IsOpen || o.ExpectedDelivery == "" {
		return false
	}
	day, ok := i18n.ParseDay(o.ExpectedDelivery, v.loc)
	y, m, d := v.now.Date()
	return ok && day.Before(time.Date(y, m, d, 0, 0, 0, 0, v.loc))
}

// InquiryNext says what happens next with an inquiry, naming the owner.
func (v portalView) InquiryNext(q *model.Inquiry) string {
	name := ""
	if q.Owner != nil {
		name = q.Owner.FirstName()
	}
	switch q.Status {
	case model.InquiryResolved:
		if q.ResolvedAt != nil {
			return v.T("next.inquiry.resolved_at", "When", v.When(*q.ResolvedAt))
		}
		return v.T("next.inquiry.resolved")
	case model.InquiryWaitingCustomer:
		return v.T("next.inquiry.waiting_you", "Name", name)
	case model.InquiryWaitingThirdParty:
		if q.ThirdPartyExpected != "" {
			return v.T("next.inquiry.third_party_date", "Party", q.ThirdPartyName, "Date", v.ShortDay(q.ThirdPartyExpected))
		}
		return v.T("next.inquiry.third_party", "Party", q.ThirdPartyName)
	}
	if q.ReplyDueAt == nil {
		return v.T("next.inquiry.soon", "Name", name)
	}
	if v.InquiryOverdue(q) {
		return v.T("next.inquiry.overdue", "Name", name, "When", v.Due(*q.ReplyDueAt))
	}
	return v.T("next.inquiry.reply_by", "Name", name, "When", v.Due(*q.ReplyDueAt))
}

// InquiryOverdue reports whether the business owes a reply past its time.
func (v portalView) InquiryOverdue(q *model.Inquiry) bool {
	return q.Status == model.InquiryOpen && q.ReplyDueAt != nil && v.now.After(*q.ReplyDueAt)
}

// EventText is the customer's sentence for a timeline event.
func (v portalView) EventText(e *model.Event) string {
	d := e.Data
	switch e.Kind {
	case model.EventOrderPlaced, model.EventOrderCreated:
		return v.T("event.order_placed")
	case model.EventStatusChanged:
		return v.statusText(d, e.ActorName)
	case model.EventHandoff:
		if d["to_title"] != "" {
			return v.T("event.handoff_title", "From", d["from"], "To", d["to"], "Title", d["to_title"])
		}
		return v.T("event.handoff", "From", d["from"], "To", d["to"])
	case model.EventInquiryOpened:
		if d["on_behalf"] != "" {
			return v.T("event.opened_on_behalf", "Name", d["opened_by"], "Subject", d["subject"])
		}
		if e.OrderID != nil {
			return v.T("event.asked", "Subject", d["subject"])
		}
		return v.T("event.inquiry_opened", "Owner", d["owner"], "Title", d["owner_title"])
	case model.EventEscalated:
		if d["manager_title"] == "" {
			return v.T("event.escalated_plain", "Manager", d["manager"])
		}
		return v.T("event.escalated", "Manager", d["manager"], "Title", d["manager_title"])
	case model.EventEscalationAcknowledged:
		return v.T("event.escalation_acknowledged", "Manager", d["manager"], "Title", d["manager_title"])
	case model.EventEscalationResolved:
		return v.T("event.escalation_resolved", "Manager", d["manager"])
	case model.EventExpectedChanged, model.EventExpectedDeliveryChanged:
		if d["expected"] != "" {
			return v.T("event.expected_changed", "Date", v.Day(d["expected"]))
		}
	case model.EventOwnerChanged, model.EventReassigned:
		if d["to"] != "" {
			return v.T("event.handoff", "From", d["from"], "To", d["to"])
		}
	}
	if t := v.T("event." + e.Kind); t != "event."+e.Kind {
		return t
	}
	return v.T("event.updated")
}

func (v portalView) statusText(d map[string]string, actor string) string {
	st := d["status"]
	switch {
	case d["third_party"] != "":
		if d["expected"] != "" {
			return v.T("event.third_party_date", "Party", d["third_party"], "Date", v.ShortDay(d["expected"]))
		}
		return v.T("event.third_party", "Party", d["third_party"])
	case st == model.OrderDelivered:
		s := v.T("event.delivered")
		if d["recipient_name"] != "" {
			s = v.T("event.delivered_to", "Name", d["recipient_name"])
		}
		if d["confirmed_by"] != "" && d["confirmed_by"] != actor {
			s += " " + v.T("event.confirmed_by", "Name", d["confirmed_by"])
		}
		return s
	case d["from"] == model.InquiryResolved && st == model.InquiryOpen:
		return v.T("event.reopened")
	case model.ValidOrderStatus(st):
		s := v.T("event.order_status", "Status", v.OrderStatus(st))
		if d["note"] != "" {
			s += " — " + d["note"]
		}
		return s
	case st == model.InquiryResolved:
		return v.T("event.resolved")
	case st != "":
		return v.T("event.inquiry_status", "Status", v.T("inquiry.status."+st))
	}
	return v.T("event.updated")
}

// EventBy names who made a change, for the timeline: staff by full name,
// "you" for the customer, nothing for the shop's systems.
func (v portalView) EventBy(e *model.Event) string {
	switch e.ActorKind {
	case model.ActorStaff:
		if e.ActorName == "" || e.Data["on_behalf"] != "" {
			return ""
		}
		return v.T("event.by", "Name", e.ActorName)
	case model.ActorCustomer:
		if e.Kind == model.EventInquiryOpened {
			return "" // "You asked …" says it already
		}
		return v.T("event.by_you")
	}
	return ""
}

// formErrors are a form's problems keyed by field, worded for the reader.
type formErrors map[string]string

// fieldErrors words the validation problems of err, or returns nil when err
// is not a validation error.
func (v portalView) fieldErrors(err error) formErrors {
	f := refusal.Fields(err)
	if f == nil {
		return nil
	}
	out := make(formErrors, len(f))
	for field, code := range f {
		out[field] = v.T("form." + field + "." + code)
	}
	return out
}

// pathID reads a numeric path parameter; anything else is a 404.
func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return id, nil
}

// isHTMX reports whether the request came from htmx (not a boosted page
// load), which gets a fragment instead of a redirect.
func isHTMX(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-Boosted") != "true"
}

// customerActor is the signed-in customer as the actor of a change.
func customerActor(c *model.Customer) model.Actor {
	return model.Actor{Kind: model.ActorCustomer, Name: c.Name}
}
