// Package notify builds the outbox rows for every email Kedja sends: which
// template, in which language, to whom, with which data and links. Callers
// enqueue them with store.Enqueue inside the transaction of the change that
// causes them; the mailer renders Template in Locale with Data. Links are
// stored as paths ("/orders/BQ-1001"), built only here: the mailer prefixes
// KEDJA_BASE_URL. A customer's mail about a case records the case and
// customer (About), so the mailer gives it a reply address and thread ids
// that lead back.
package notify

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/model"
)

// Template names: one mail template each under mailer/templates.
const (
	SignInCustomer         = "signin_customer"
	SignInStaff            = "signin_staff"
	InquiryReceived        = "inquiry_received"
	StaffReply             = "staff_reply"
	OrderShipped           = "order_shipped"
	OrderOutForDelivery    = "order_out_for_delivery"
	DeliveryConfirmation   = "delivery_confirmation"
	EscalationToManager    = "escalation_manager"
	EscalationAcknowledged = "escalation_acknowledged"
	Handoff                = "handoff"
	InquiryAssigned        = "inquiry_assigned"    // to staff: a new or reopened inquiry is theirs
	EscalationReminder     = "escalation_reminder" // to staff: an escalation went past them unanswered
	PromiseMissed          = "promise_missed"      // to the customer: what was promised, missed, who holds it now
	PromiseMoved           = "promise_moved"       // to the customer: a deadline moved, and why
	OrderLate              = "order_late"          // to the customer: their order is late and who is on it
	InquiryResolved        = "inquiry_resolved"    // to the customer: the answer, "Did this solve it?", reopen
)

// Templates lists every template name.
var Templates = []string{SignInCustomer, SignInStaff, InquiryReceived, StaffReply, OrderShipped,
	OrderOutForDelivery, DeliveryConfirmation, EscalationToManager, EscalationAcknowledged, Handoff, OrderConfirmation,
	InquiryAssigned, EscalationReminder, PromiseMissed, PromiseMoved, OrderLate, InquiryResolved}

// StaffTemplates are the templates of mail to staff, written in English.
var StaffTemplates = []string{SignInStaff, EscalationToManager, Handoff, InquiryAssigned, EscalationReminder}

// IsSignIn reports whether mail of this template carries a sign-in link and
// code in its data: it is never resent, and its secrets are scrubbed once it
// has been sent or has failed (Scrubbed).
func IsSignIn(template string) bool {
	return template == SignInCustomer || template == SignInStaff
}

// signInSecrets are the data keys of sign-in mail that hold the plaintext
// token (in the link path) and code; only their hashes are kept elsewhere.
func signInSecrets() []string { return []string{"path", "code"} }

// Scrubbed returns m's data without the sign-in secrets, or nil when m is
// not sign-in mail and its data stays as it is.
func Scrubbed(m *model.OutboxMessage) map[string]string {
	if !IsSignIn(m.Template) {
		return nil
	}
	secrets := signInSecrets()
	d := make(map[string]string, len(m.Data))
	for k, v := range m.Data {
		if !slices.Contains(secrets, k) {
			d[k] = v
		}
	}
	return d
}

// SettingsReader reads the business settings (a store.Store is one).
type SettingsReader interface {
	Settings(ctx context.Context) (*model.Settings, error)
}

// Locale is the language of an email to a customer: the first of choices
// Kedja speaks (the customer's own, then, say, the order's), else the
// business's default language (read only then), else English.
func Locale(ctx context.Context, business SettingsReader, choices ...string) string {
	for _, l := range choices {
		if i18n.Supported(l) {
			return l
		}
	}
	if st, err := business.Settings(ctx); err == nil && i18n.Supported(st.DefaultLocale) {
		return st.DefaultLocale
	}
	return "en"
}

// Case is what a message about a case names and links to: an order or an
// inquiry (one of the two).
type Case struct {
	Order   *model.Order
	Inquiry *model.Inquiry
}

// title is the case's name in a message to staff (in English): "Order
// BQ-1001", "Inquiry #7: Invoice copy". Mail to customers names it in
// their language from data (see data).
func (k Case) title() string {
	if k.Order != nil {
		return "Order " + k.Order.Ref
	}
	return "Inquiry #" + id(k.Inquiry.ID) + ": " + k.Inquiry.Subject
}

// handoffTitle is the case's name in a handoff message: an inquiry goes by
// its subject alone.
func (k Case) handoffTitle() string {
	if k.Order != nil {
		return k.title()
	}
	return k.Inquiry.Subject
}

// data is what a message needs to name the case in any language: its kind
// ("order" or "inquiry"), the order's reference or the inquiry's number and
// subject — and "case", the English title, which staff mail and mail
// queued before the others existed use.
func (k Case) data() map[string]string {
	d := map[string]string{"case": k.title()}
	if k.Order != nil {
		d["case_kind"], d["order_ref"] = "order", k.Order.Ref
	} else {
		d["case_kind"], d["inquiry_id"], d["subject"] = "inquiry", id(k.Inquiry.ID), k.Inquiry.Subject
	}
	return d
}

// with is d with the pairs kv added.
func with(d map[string]string, kv ...string) map[string]string {
	for i := 0; i+1 < len(kv); i += 2 {
		d[kv[i]] = kv[i+1]
	}
	return d
}

// staffPath is the case's page in the admin view.
func (k Case) staffPath() string {
	if k.Order != nil {
		return "/admin/orders/" + k.Order.Ref
	}
	return "/admin/inquiries/" + id(k.Inquiry.ID)
}

// customerPath is the case's page in the portal.
func (k Case) customerPath() string {
	if k.Order != nil {
		return orderPath(k.Order)
	}
	return inquiryPath(k.Inquiry.ID)
}

func orderPath(o *model.Order) string { return "/orders/" + o.Ref }

// NotArrivedPath is the "This did not arrive" page of the order with this
// reference (CONTRACT: GET confirms, POST opens an inquiry).
func NotArrivedPath(ref string) string { return "/orders/" + ref + "/not-arrived" }

func inquiryPath(inquiryID int64) string { return "/inquiries/" + id(inquiryID) }

// SignInPath is the path of a sign-in link for purpose (model.KindCustomer
// or model.KindStaff) with its token.
func SignInPath(purpose, token string) string {
	if purpose == model.KindStaff {
		return "/admin/auth/" + token
	}
	return "/auth/" + token
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// SignIn is the sign-in link and code. key makes each request its own
// message (the token hash); the link carries token (SignInPath). It goes in
// the sign-in lane, ahead of every notice.
func SignIn(purpose, key, toEmail, toName, locale, token, code string, expires time.Time) *model.OutboxMessage {
	tpl := SignInCustomer
	if purpose == model.KindStaff {
		tpl, locale = SignInStaff, "en"
	}
	return &model.OutboxMessage{
		IdempotencyKey: "signin:" + key, Template: tpl, Locale: locale, ToEmail: toEmail, ToName: toName,
		Priority: model.PrioritySignIn,
		Data:     map[string]string{"path": SignInPath(purpose, token), "code": code, "expires_at": fmtTime(&expires)},
	}
}

// InquiryReceivedMsg tells the customer who owns their new inquiry and when
// they will reply.
func InquiryReceivedMsg(c *model.Customer, locale string, q *model.Inquiry, owner *model.Staff) *model.OutboxMessage {
	return (&model.OutboxMessage{
		IdempotencyKey: "inquiry-received:inquiry:" + id(q.ID), Template: InquiryReceived, Locale: locale,
		ToEmail: c.Email, ToName: c.Name,
		Data: map[string]string{
			"path": inquiryPath(q.ID), "subject": q.Subject, "customer_name": c.Name,
			"owner_name": owner.FullName, "owner_title": owner.Title, "owner_email": owner.Email,
			"reply_due_at": fmtTime(q.ReplyDueAt),
		},
	}).About(model.CaseInquiry, q.ID, c.ID)
}

// StaffReplyMsg carries a staff member's reply to the customer, with the
// next step it set (nil: none to tell).
func StaffReplyMsg(c *model.Customer, locale string, q *model.Inquiry, m *model.Message, author *model.Staff, next *model.Promise) *model.OutboxMessage {
	d := map[string]string{
		"path": inquiryPath(q.ID), "subject": q.Subject, "customer_name": c.Name, "body": m.Body,
		"author_name": author.FullName, "author_title": author.Title,
	}
	step(d, "next_", next)
	return (&model.OutboxMessage{
		IdempotencyKey: "staff-reply:message:" + id(m.ID), Template: StaffReply, Locale: locale,
		ToEmail: c.Email, ToName: c.Name, Data: d,
	}).About(model.CaseInquiry, q.ID, c.ID)
}

// OrderStatusMsg is the shipped / out-for-delivery notice, with tracking.
// eventKey is unique per status change (for example the timeline event id).
func OrderStatusMsg(c *model.Customer, locale string, o *model.Order, eventKey string) *model.OutboxMessage {
	tpl := OrderShipped
	if o.Status == model.OrderOutForDelivery {
		tpl = OrderOutForDelivery
	}
	return (&model.OutboxMessage{
		IdempotencyKey: "order-" + o.Status + ":order:" + o.Ref + ":" + eventKey, Template: tpl, Locale: locale,
		ToEmail: c.Email, ToName: c.Name,
		Data: map[string]string{
			"path": orderPath(o), "order_ref": o.Ref, "customer_name": c.Name,
			"carrier": o.Carrier, "tracking_number": o.TrackingNumber, "tracking_url": o.TrackingURL,
			"expected_delivery": o.ExpectedDelivery,
		},
	}).About(model.CaseOrder, o.ID, c.ID)
}

// DeliveryConfirmationMsg tells the customer when and to whom the order was
// delivered and who confirmed it. One per delivery of an order.
func DeliveryConfirmationMsg(c *model.Customer, locale string, o *model.Order) *model.OutboxMessage {
	return (&model.OutboxMessage{
		IdempotencyKey: "delivery-confirmation:order:" + o.Ref + ":" + fmtTime(o.DeliveredAt), Template: DeliveryConfirmation,
		Locale: locale, ToEmail: c.Email, ToName: c.Name,
		Data: map[string]string{
			"path": orderPath(o), "order_ref": o.Ref, "customer_name": c.Name,
			"delivered_at": fmtTime(o.DeliveredAt), "recipient_name": o.RecipientName,
			"confirmed_by": o.DeliveryConfirmedBy, "not_arrived_path": NotArrivedPath(o.Ref),
		},
	}).About(model.CaseOrder, o.ID, c.ID)
}

// EscalationToManagerMsg asks the manager to step in, with a link to the
// case in the admin view: why (the cause — the customer asked, a promise
// was missed, the answer did not solve it, it climbed from a colleague who
// did not answer — and the reason), and by when they should acknowledge
// it (answerBy, nil: no deadline). missed is the promise whose breach made
// it, if any. key makes each level's mail its own.
func EscalationToManagerMsg(e *model.Escalation, manager *model.Staff, c *model.Customer, k Case, missed *model.Promise, answerBy *time.Time) *model.OutboxMessage {
	level := max(e.Level, 1)
	d := with(k.data(), "path", k.staffPath(), "customer_name", c.Name, "customer_email", c.Email,
		"reason", e.Reason, "manager_name", manager.FullName, "created_at", fmtTime(&e.CreatedAt),
		"cause", e.Cause, "level", strconv.Itoa(level), "answer_by", fmtTime(answerBy))
	step(d, "missed_", missed)
	key := "escalation:" + id(e.ID)
	if level > 1 {
		key += ":level:" + strconv.Itoa(level)
	}
	return &model.OutboxMessage{
		IdempotencyKey: key, Template: EscalationToManager, Locale: "en",
		ToEmail: manager.Email, ToName: manager.FullName, Data: d,
	}
}

// EscalationAcknowledgedMsg tells the customer the manager has taken it:
// in words that fit why it was escalated (e.Cause) — the customer who did
// not ask for a manager is never told they did.
func EscalationAcknowledgedMsg(e *model.Escalation, manager *model.Staff, c *model.Customer, locale string, k Case) *model.OutboxMessage {
	cause := e.Cause
	if cause == "" {
		cause = model.CauseCustomer
	}
	return (&model.OutboxMessage{
		IdempotencyKey: "escalation-ack:" + id(e.ID) + ackLevel(e), Template: EscalationAcknowledged, Locale: locale,
		ToEmail: c.Email, ToName: c.Name,
		Data: with(k.data(), "path", k.customerPath(), "customer_name", c.Name,
			"manager_name", manager.FullName, "manager_title", manager.Title, "manager_email", manager.Email,
			"manager_phone", manager.Phone, "cause", cause),
	}).About(escalationCase(e))
}

// escalationCase is the case an escalation is about, for About.
func escalationCase(e *model.Escalation) (string, int64, int64) {
	if e.InquiryID != nil {
		return model.CaseInquiry, *e.InquiryID, e.CustomerID
	}
	if e.OrderID != nil {
		return model.CaseOrder, *e.OrderID, e.CustomerID
	}
	return "", 0, e.CustomerID
}

// ackLevel keeps one acknowledgement email per level an escalation reached.
func ackLevel(e *model.Escalation) string {
	if e.Level > 1 {
		return ":level:" + strconv.Itoa(e.Level)
	}
	return ""
}

// HandoffMsg tells the new owner a case is now theirs: who had it (from)
// and who handed it over (by; nil when Kedja did, as when someone left).
// eventKey is unique per handoff (the timeline event id).
func HandoffMsg(to, from, by *model.Staff, k Case, eventKey string) *model.OutboxMessage {
	byName := "Kedja"
	if by != nil {
		byName = by.FullName
	}
	return &model.OutboxMessage{
		IdempotencyKey: "handoff:" + eventKey, Template: Handoff, Locale: "en",
		ToEmail: to.Email, ToName: to.FullName,
		Data: with(k.data(), "path", k.staffPath(), "case", k.handoffTitle(), "from_name", from.FullName,
			"to_name", to.FullName, "by_name", byName),
	}
}
