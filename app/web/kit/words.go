package kit

import (
	"time"

	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/model"
)

// Words say statuses, times and timeline events to a customer: in the
// page's language, in the business's time zone (Loc), relative to Now. The
// portal's pages embed them; the API words its timeline with them.
type Words struct {
	Page
	Loc *time.Location // the business's time zone
	Now time.Time      // in Loc
}

// Date is "Tuesday 24 November" in the reader's language.
func (v Words) Date(t time.Time) string { return i18n.FormatDate(v.Lang, t.In(v.Loc), v.Now) }

// DateTime is "Tuesday 24 November, 14:02".
func (v Words) DateTime(t time.Time) string {
	return i18n.FormatDateTime(v.Lang, t.In(v.Loc), v.Now)
}

// When is a time relative to today when that reads better: "14:00 today",
// "09:00 tomorrow", else the date and time.
func (v Words) When(t time.Time) string {
	t = t.In(v.Loc)
	y, m, d := v.Now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, v.Loc)
	switch day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, v.Loc); {
	case day.Equal(today):
		return v.T("when.today", "Time", i18n.FormatTime(v.Lang, t))
	case day.Equal(today.AddDate(0, 0, 1)):
		return v.T("when.tomorrow", "Time", i18n.FormatTime(v.Lang, t))
	case day.Equal(today.AddDate(0, 0, -1)):
		return v.T("when.yesterday", "Time", i18n.FormatTime(v.Lang, t))
	}
	return v.DateTime(t)
}

// Day writes a "YYYY-MM-DD" date as "Tuesday 24 November" ("" stays "").
func (v Words) Day(s string) string {
	t, ok := i18n.ParseDay(s, v.Loc)
	if !ok {
		return s
	}
	return i18n.FormatDate(v.Lang, t, v.Now)
}

// ShortDay writes a "YYYY-MM-DD" date as "26 November".
func (v Words) ShortDay(s string) string {
	t, ok := i18n.ParseDay(s, v.Loc)
	if !ok {
		return s
	}
	return i18n.FormatShortDate(v.Lang, t)
}

// OrderStatus is an order status in plain words.
func (v Words) OrderStatus(s string) string { return v.T("order.status." + s) }

// InquiryStatus is an inquiry status in plain words.
func (v Words) InquiryStatus(q *model.Inquiry) string {
	if q.Status == model.InquiryWaitingThirdParty && q.ThirdPartyName != "" {
		return v.T("inquiry.status.waiting_on", "Party", q.ThirdPartyName)
	}
	return v.T("inquiry.status." + q.Status)
}

// EventText is the customer's sentence for a timeline event.
func (v Words) EventText(e *model.Event) string {
	if s := v.PromiseText(e); s != "" {
		return s
	}
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
		switch d["cause"] {
		case model.CauseBreach:
			return v.T("event.escalated_auto", "Manager", d["manager"])
		case model.CauseNotSolved:
			return v.T("event.escalated_not_solved", "Manager", d["manager"])
		}
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

func (v Words) statusText(d map[string]string, actor string) string {
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
func (v Words) EventBy(e *model.Event) string {
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
