package admin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/web/kit"
)

// view is embedded in every admin page's data: the layout's Page plus
// the clock and time zone, with the small formatting helpers templates call.
type view struct {
	kit.Page
	Error  string // a refused action, shown above the forms
	Failed string // which form Error is about, to show it there too ("status", "delivered", …)
	Notice string // a done action ("Reply sent")
	now    time.Time
	loc    *time.Location
}

func (h *Handlers) page(c echo.Context, titleID string) view {
	v := view{Page: h.layout.StaffPage(c, titleID), now: h.now(), loc: h.loc}
	if k := c.QueryParam("done"); k != "" && noticeKey(k) {
		v.Notice = v.T("admin.done." + k)
	}
	return v
}

// noticeKey keeps ?done= to the ids we wrote.
func noticeKey(k string) bool {
	for _, r := range k {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return len(k) < 30
}

// When formats a time (or *time.Time; nil is "") for staff: "Mon 24 Nov 14:02".
func (v view) When(t any) string { return When(t, v.now, v.loc) }

// When is how staff pages write a time (or *time.Time; nil is "") seen at
// now in the business's time zone loc: "Mon 24 Nov 14:02", with the year
// when it is not this year's.
func When(t any, now time.Time, loc *time.Location) string {
	var tt time.Time
	switch x := t.(type) {
	case time.Time:
		tt = x
	case *time.Time:
		if x == nil {
			return ""
		}
		tt = *x
	default:
		return ""
	}
	if tt.IsZero() {
		return ""
	}
	tt = tt.In(loc)
	if tt.Year() != now.In(loc).Year() {
		return tt.Format("Mon 2 Jan 2006 15:04")
	}
	return tt.Format("Mon 2 Jan 15:04")
}

// ISO is a time as an RFC 3339 string for <time datetime>.
func (v view) ISO(t any) string {
	switch x := t.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case *time.Time:
		if x != nil {
			return x.UTC().Format(time.RFC3339)
		}
	}
	return ""
}

// Zone is the business's time zone, in which staff read and type times.
func (v view) Zone() string { return v.loc.String() }

// Overdue reports whether a due time has passed.
func (v view) Overdue(due *time.Time) bool { return due != nil && due.Before(v.now) }

// Waited is how long ago t was, roughly: "3 h 20 min", "2 d 4 h".
func (v view) Waited(t time.Time) string { return duration(v.now.Sub(t)) }

// Until is how long until t, or how long past it, roughly.
func (v view) Until(t *time.Time) string {
	if t == nil {
		return ""
	}
	return duration(t.Sub(v.now))
}

func duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	case d < 24*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " h " + strconv.Itoa(int(d%time.Hour/time.Minute)) + " min"
	default:
		return strconv.Itoa(int(d/(24*time.Hour))) + " d " + strconv.Itoa(int(d%(24*time.Hour)/time.Hour)) + " h"
	}
}

// InquiryStatus is the staff label of an inquiry status.
func (v view) InquiryStatus(st string) string { return v.T("admin.inquiry.status." + st) }

// OrderStatus is the staff label of an order status.
func (v view) OrderStatus(st string) string { return v.T("admin.order.status." + st) }

// StatusClass is the CSS class of a status pill.
func (v view) StatusClass(st string) string {
	switch st {
	case model.InquiryOpen, model.OrderReceived, model.OrderConfirmed, model.OrderProcessing:
		return "info"
	case model.InquiryWaitingCustomer, model.OrderShipped, model.OrderOutForDelivery:
		return "info"
	case model.InquiryWaitingThirdParty:
		return "warn"
	case model.InquiryResolved, model.OrderDelivered:
		return "ok"
	case model.OrderCancelled, model.OrderReturned:
		return ""
	}
	return ""
}

// EventText is the staff sentence of a timeline event.
func (v view) EventText(e *model.Event) string {
	// Promises read as the customer reads them, in English.
	if s := (kit.Words{Page: v.Page, Loc: v.loc, Now: v.now.In(v.loc)}).PromiseText(e); s != "" {
		return s
	}
	d := e.Data
	switch e.Kind {
	case model.EventHandoff:
		return v.T("admin.event.handoff", "From", d["from"], "To", d["to"])
	case model.EventStatusChanged:
		if d["third_party"] != "" {
			return v.T("admin.event.third_party", "Party", d["third_party"], "Expected", d["expected"])
		}
		label := d["status"]
		if model.ValidOrderStatus(label) {
			label = v.OrderStatus(label)
		} else {
			label = v.InquiryStatus(label)
		}
		s := v.T("admin.event.status", "Status", label)
		if d["recipient_name"] != "" {
			s += " · " + v.T("admin.event.recipient", "Name", d["recipient_name"])
		}
		if d["note"] != "" {
			s += " · " + d["note"]
		}
		return s
	case model.EventStaffReplied:
		return v.T("admin.event.replied")
	case model.EventNoteAdded:
		return v.T("admin.event.note")
	case model.EventEscalated:
		return v.T("admin.event.escalated", "Manager", d["manager"])
	case model.EventInquiryOpened:
		if d["on_behalf"] != "" {
			return v.T("admin.event.opened_on_behalf", "Name", d["opened_by"])
		}
	case model.EventExpectedChanged:
		if d["expected"] == "" {
			return v.T("admin.event.expected_cleared")
		}
		return v.T("admin.event.expected", "Date", d["expected"])
	}
	if t := v.T("admin.event." + e.Kind); t != "admin.event."+e.Kind {
		return t
	}
	return strings.ReplaceAll(e.Kind, "_", " ")
}

// refusalText is what to tell the staff member when err is a refusal (a
// validation or rule of the domain, or of the form itself) rather than a
// failure: the orders domain's field errors after their field's label on
// the order page, any other refusal's text as it is.
func refusalText(err error) (string, bool) {
	var ofe *orders.FieldError
	if errors.As(err, &ofe) {
		return orderFieldMessage(ofe), true
	}
	var r refusal.Refusal
	if errors.As(err, &r) {
		return r.Text, true
	}
	return "", false
}

// orderFieldLabel names the orders domain's fields as the order page's
// forms label them.
func orderFieldLabel(field string) string {
	switch field {
	case "status":
		return "Status"
	case "note":
		return "Note"
	case "at":
		return "Delivered at"
	case "recipient_name":
		return "Received by"
	case "expected_delivery":
		return "Expected delivery"
	}
	return field
}

// orderFieldMessage words an invalid order field for staff.
func orderFieldMessage(fe *orders.FieldError) string {
	if fe == orders.ErrNeedsNote {
		return fe.Message
	}
	return orderFieldLabel(fe.Field) + ": " + fe.Message
}

// Refusals of the admin forms' own input, which never reaches the domain.
var (
	errChooseInquiryOwner = refusal.New("to", "choose", "choose who takes the inquiry")
	errChooseCaseOwner    = refusal.New("to", "choose", "choose who takes the case")
	errChooseOrderOwner   = refusal.New("to", "choose", "choose who takes the order")
	errNoRecipient        = refusal.New("recipient", "required", "write who received the order (a name, or where it was left)")
	errDeliveryTime       = refusal.New("delivered_at", "invalid", "give the delivery time as a date and a time, such as 2026-11-20 14:10")
)

// redirect sends the browser back to path after an action (POST,
// redirect, GET), with a notice key.
func redirect(c echo.Context, path, done string) error {
	if done != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "done=" + done
	}
	return c.Redirect(http.StatusSeeOther, path)
}

// escalationBlock is the data of the acknowledge/resolve buttons shown
// on a case's page while it is escalated (views/partials/admin.html).
type escalationBlock struct {
	view
	E      *model.Escalation
	CanAct bool   // the signed-in staff member may act on it (escalations.MayAct)
	Next   string // the page to come back to
}

// factsBlock is the data of the editable facts block (views/partials/admin.html).
type factsBlock struct {
	view
	CustomerID int64
	Facts      []*model.CustomerFact
	Next       string // where the forms return to
}
