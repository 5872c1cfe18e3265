package portal

import (
	"errors"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/web/kit"
)

// view is what every customer page's template can call: the layout
// data plus wording of statuses, dates and timeline events in the reader's
// language and time zone.
type view struct {
	kit.Words
}

func (h *Handlers) page(c echo.Context, titleID string) view {
	return view{Words: kit.Words{Page: h.layout.Page(c, titleID), Loc: h.loc, Now: h.now().In(h.loc)}}
}

// Due is a deadline relative to today when that reads better: "14:00
// today", "09:00 tomorrow", else the date and time.
func (v view) Due(t time.Time) string {
	t = t.In(v.Loc)
	y, m, d := v.Now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, v.Loc)
	switch day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, v.Loc); {
	case day.Equal(today):
		return v.T("due.today", "Time", i18n.FormatTime(v.Lang, t))
	case day.Equal(today.AddDate(0, 0, 1)):
		return v.T("due.tomorrow", "Time", i18n.FormatTime(v.Lang, t))
	}
	return v.DateTime(t)
}

// Money is an amount in the reader's notation.
func (v view) Money(amount, currency string) string {
	return i18n.FormatMoney(v.Lang, amount, currency)
}

// ISO is a machine-readable time for <time datetime>.
func (v view) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Tone is the colour class of a status; the words always come with it.
func (v view) Tone(status string) string {
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
func (v view) Initials(name string) string {
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
func (v view) OrderNext(o *model.Order) string {
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
	day, ok := i18n.ParseDay(o.ExpectedDelivery, v.Loc)
	if !ok {
		return v.T("next.order.nodate")
	}
	y, m, d := v.Now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, v.Loc)
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
func (v view) OrderLate(o *model.Order) bool {
	if !o.IsOpen || o.ExpectedDelivery == "" {
		return false
	}
	day, ok := i18n.ParseDay(o.ExpectedDelivery, v.Loc)
	y, m, d := v.Now.Date()
	return ok && day.Before(time.Date(y, m, d, 0, 0, 0, 0, v.Loc))
}

// InquiryNext says what happens next with an inquiry, naming the owner.
func (v view) InquiryNext(q *model.Inquiry) string {
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
func (v view) InquiryOverdue(q *model.Inquiry) bool {
	return q.Status == model.InquiryOpen && q.ReplyDueAt != nil && v.Now.After(*q.ReplyDueAt)
}

// refusalText words a refusal that has no form field of its own (reopen
// too late, an answer already given) in the reader's language, with the
// domain's English text as the fallback.
func (v view) refusalText(err error) string {
	var r refusal.Refusal
	if !errors.As(err, &r) {
		return ""
	}
	if t := v.T("refusal." + r.Code); t != "refusal."+r.Code {
		return t
	}
	return r.Text
}

// formErrors are a form's problems keyed by field, worded for the reader.
type formErrors map[string]string

// fieldErrors words the validation problems of err, or returns nil when err
// is not a validation error.
func (v view) fieldErrors(err error) formErrors {
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
