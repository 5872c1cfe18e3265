// Package notify builds the outbox rows for every email Kedja sends. Callers
// enqueue them with store.Enqueue inside the transaction of the change that
// causes them; the mailer renders Template in Locale with Data. Links are
// stored as paths ("/orders/BQ-1001"): the mailer prefixes KEDJA_BASE_URL.
package notify

import (
	"strconv"
	"time"

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

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// SignIn is the sign-in link and code. key makes each request its own
// message (the token hash); path is "/auth/TOKEN" or "/admin/auth/TOKEN".
func SignIn(purpose, key, toEmail, toName, locale, path, code string, expires time.Time) *model.OutboxMessage {
	tpl := SignInCustomer
	if purpose == model.KindStaff {
		tpl, locale = SignInStaff, "en"
	}
	return &model.OutboxMessage{
		IdempotencyKey: "signin:" + key, Template: tpl, Locale: locale, ToEmail: toEmail, ToName: toName,
		Data: map[string]string{"path": path, "code": code, "expires_at": fmtTime(&expires)},
	}
}

// InquiryReceivedMsg tells the customer who owns their new inquiry and when
// they will reply.
func InquiryReceivedMsg(c *model.Customer, locale string, q *model.Inquiry, owner *model.Staff) *model.OutboxMessage {
	return &model.OutboxMessage{
		IdempotencyKey: "inquiry-received:inquiry:" + id(q.ID), Template: InquiryReceived, Locale: locale,
		ToEmail: c.Email, ToName: c.Name,
		Data: map[string]string{
			"path": "/inquiries/" + id(q.ID), "subject": q.Subject, "customer_name": c.Name,
			"owner_name": owner.FullName, "owner_title": owner.Title, "owner_email": owner.Email,
			"reply_due_at": fmtTime(q.ReplyDueAt),
		},
	}
}

// StaffReplyMsg carries a staff member's reply to the customer.
func StaffReplyMsg(c *model.Customer, locale string, q *model.Inquiry, m *model.Message, author *model.Staff) *model.OutboxMessage {
	return &model.OutboxMessage{
		IdempotencyKey: "staff-reply:message:" + id(m.ID), Template: StaffReply, Locale: locale,
		ToEmail: c.Email, ToName: c.Name,
		Data: map[string]string{
			"path": "/inquiries/" + id(q.ID), "subject": q.Subject, "customer_name": c.Name, "body": m.Body,
			"author_name": author.FullName, "author_title": author.Title,
		},
	}
}

// OrderStatusMsg is the shipped / out-for-delivery notice, with tracking.
// eventKey is unique per status change (for example the timeline event id).
func OrderStatusMsg(c *model.Customer, locale string, o *model.Order, eventKey string) *model.OutboxMessage {
	tpl := OrderShipped
	if o.Status == model.OrderOutForDelivery {
		tpl = OrderOutForDelivery
	}
	return &model.OutboxMessage{
		IdempotencyKey: "order-" + o.Status + ":order:" + o.Ref + ":" + eventKey, Template: tpl, Locale: locale,
		ToEmail: c.Email, ToName: c.Name,
		Data: map[string]string{
			"path": "/orders/" + o.Ref, "order_ref": o.Ref, "customer_name": c.Name,
			"carrier": o.Carrier, "tracking_number": o.TrackingNumber, "tracking_url": o.TrackingURL,
			"expected_delivery": o.ExpectedDelivery,
		},
	}
}

// DeliveryConfirmationMsg tells the customer when and to whom the order was
// delivered and who confirmed it. One per delivery of an order.
func DeliveryConfirmationMsg(c *model.Customer, locale string, o *model.Order) *model.OutboxMessage {
	return &model.OutboxMessage{
		IdempotencyKey: "delivery-confirmation:order:" + o.Ref + ":" + fmtTime(o.DeliveredAt), Template: DeliveryConfirmation,
		Locale: locale, ToEmail: c.Email, ToName: c.Name,
		Data: map[string]string{
			"path": "/orders/" + o.Ref, "order_ref": o.Ref, "customer_name": c.Name,
			"delivered_at": fmtTime(o.DeliveredAt), "recipient_name": o.RecipientName,
			"confirmed_by": o.DeliveryConfirmedBy, "not_arrived_path": "/orders/" + o.Ref + "#ask",
		},
	}
}

// EscalationToManagerMsg asks the manager to step in, with a link to the case
// in the admin view.
func EscalationToManagerMsg(e *model.Escalation, manager *model.Staff, c *model.Customer, caseTitle, adminPath string) *model.OutboxMessage {
	return &model.OutboxMessage{
		IdempotencyKey: "escalation:" + id(e.ID), Template: EscalationToManager, Locale: "en",
		ToEmail: manager.Email, ToName: manager.FullName,
		Data: map[string]string{
			"path": adminPath, "case": caseTitle, "customer_name": c.Name, "customer_email": c.Email,
			"reason": e.Reason, "manager_name": manager.FullName, "created_at": fmtTime(&e.CreatedAt),
		},
	}
}

// EscalationAcknowledgedMsg tells the customer the manager has taken it.
func EscalationAcknowledgedMsg(e *model.Escalation, manager *model.Staff, c *model.Customer, locale, caseTitle, path string) *model.OutboxMessage {
	return &model.OutboxMessage{
		IdempotencyKey: "escalation-ack:" + id(e.ID), Template: EscalationAcknowledged, Locale: locale,
		ToEmail: c.Email, ToName: c.Name,
		Data: map[string]string{
			"path": path, "case": caseTitle, "customer_name": c.Name,
			"manager_name": manager.FullName, "manager_title": manager.Title, "manager_email": manager.Email,
			"manager_phone": manager.Phone,
		},
	}
}

// HandoffMsg tells the new owner a case is now theirs. eventKey is unique per
// handoff (the timeline event id).
func HandoffMsg(to, from *model.Staff, caseTitle, adminPath, eventKey string) *model.OutboxMessage {
	return &model.OutboxMessage{
		IdempotencyKey: "handoff:" + eventKey, Template: Handoff, Locale: "en",
		ToEmail: to.Email, ToName: to.FullName,
		Data: map[string]string{"path": adminPath, "case": caseTitle, "from_name": from.FullName, "to_name": to.FullName},
	}
}
