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
)

// Templates lists every template name.
var Templates = []string{SignInCustomer, SignInStaff, InquiryReceived, StaffReply, OrderShipped,
	OrderOutForDelivery, DeliveryConfirmation, EscalationToManager, EscalationAcknowledged, Handoff, OrderConfirmation}

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

// title is the case's name in a message: "Order BQ-1001", "Inquiry #7:
// Invoice copy".
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

// StaffReplyMsg carries a staff member's reply to the customer.
func StaffReplyMsg(c *model.Customer, locale string, q *model.Inquiry, m *model.Message, author *model.Staff) *model.OutboxMessage {
	return (&model.OutboxMessage{
		IdempotencyKey: "staff-reply:message:" + id(m.ID), Template: StaffReply, Locale: locale,
		ToEmail: c.Email, ToName: c.Name,
		Data: map[string]string{
			"path": inquiryPath(q.ID), "subject": q.Subject, "customer_name": c.Name, "body": m.Body,
			"author_name": author.FullName, "author_title": author.Title,
		},
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
			"confirmed_by": o.DeliveryConfirmedBy, "not_arrived_path": orderPath(o) + "#ask",
		},
	}).About(model.CaseOrder, o.ID, c.ID)
}

// EscalationToManagerMsg asks the manager to step in, with a link to the case
// in the admin view.
func EscalationToManagerMsg(e *model.Escalation, manager *model.Staff, c *model.Customer, k Case) *model.OutboxMessage {
	return &model.OutboxMessage{
		IdempotencyKey: "escalation:" + id(e.ID), Template: EscalationToManager, Locale: "en",
		ToEmail: manager.Email, ToName: manager.FullName,
		Data: map[string]string{
			"path": k.staffPath(), "case": k.title(), "customer_name": c.Name, "customer_email": c.Email,
			"reason": e.Reason, "manager_name": manager.FullName, "created_at": fmtTime(&e.CreatedAt),
		},
	}
}

// EscalationAcknowledgedMsg tells the customer the manager has taken it.
func EscalationAcknowledgedMsg(e *model.Escalation, manager *model.Staff, c *model.Customer, locale string, k Case) *model.OutboxMessage {
	return (&model.OutboxMessage{
		IdempotencyKey: "escalation-ack:" + id(e.ID), Template: EscalationAcknowledged, Locale: locale,
		ToEmail: c.Email, ToName: c.Name,
		Data: map[string]string{
			"path": k.customerPath(), "case": k.title(), "customer_name": c.Name,
			"manager_name": manager.FullName, "manager_title": manager.Title, "manager_email": manager.Email,
			"manager_phone": manager.Phone,
		},
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

// HandoffMsg tells the new owner a case is now theirs. eventKey is unique per
// handoff (the timeline event id).
func HandoffMsg(to, from *model.Staff, k Case, eventKey string) *model.OutboxMessage {
	return &model.OutboxMessage{
		IdempotencyKey: "handoff:" + eventKey, Template: Handoff, Locale: "en",
		ToEmail: to.Email, ToName: to.FullName,
		Data: map[string]string{"path": k.staffPath(), "case": k.handoffTitle(), "from_name": from.FullName, "to_name": to.FullName},
	}
}
