package notify

import (
	"strconv"
	"time"

	"github.com/kedja/kedja/app/model"
)

// Why an inquiry is handed to its owner (InquiryAssignedMsg), besides the
// ways an inquiry is opened (model.OriginLateOrder, model.OriginNotArrived).
const (
	AssignedOpened    = "opened"     // a customer (or a colleague for them) opened it
	AssignedReopened  = "reopened"   // the customer opened it again
	AssignedNotSolved = "not_solved" // the customer said the answer did not solve it
)

// step writes promise p into d under prefix: its kind, who holds it (kind
// and name), what they will do, and its due time or day.
func step(d map[string]string, prefix string, p *model.Promise) {
	if p == nil {
		return
	}
	d[prefix+"kind"], d[prefix+"holder_kind"], d[prefix+"holder"] = p.Kind, p.HolderKind, p.HolderName
	if p.What != "" {
		d[prefix+"what"] = p.What
	}
	if p.DueAt != nil {
		d[prefix+"due"] = fmtTime(p.DueAt)
	}
	if p.DueDay != "" {
		d[prefix+"day"] = p.DueDay
	}
}

// actorName is who did something, as staff mail names them.
func actorName(by model.Actor) string {
	if by.Name == "" {
		return "Kedja"
	}
	return by.Name
}

// InquiryAssignedMsg tells staff member to that an inquiry is theirs, why
// (Assigned…, or how it was opened: model.Origin…) and who acted — the
// customer, a colleague who took it down, Kedja — with its reply-by time.
// key makes each occasion its own message (a timeline event id).
func InquiryAssignedMsg(to *model.Staff, c *model.Customer, q *model.Inquiry, by model.Actor, why, key string) *model.OutboxMessage {
	k := Case{Inquiry: q}
	return &model.OutboxMessage{
		IdempotencyKey: "inquiry-assigned:" + why + ":" + id(q.ID) + ":" + key, Template: InquiryAssigned, Locale: "en",
		ToEmail: to.Email, ToName: to.FullName,
		Data: with(k.data(), "path", k.staffPath(), "customer_name", c.Name, "customer_email", c.Email,
			"by_name", actorName(by), "by_kind", by.Kind, "why", why, "reply_due_at", fmtTime(q.ReplyDueAt)),
	}
}

// PromiseMissedMsg tells the customer honestly that a promise to them was
// missed: what was promised and by when, and who holds the case now
// (holder) and by when they will answer. One per missed promise.
func PromiseMissedMsg(c *model.Customer, locale string, k Case, missed *model.Promise, holder *model.Staff, answerBy time.Time) *model.OutboxMessage {
	d := with(k.data(), "path", k.customerPath(), "customer_name", c.Name,
		"holder_name", holder.FullName, "holder_title", holder.Title, "holder_email", holder.Email,
		"holder_phone", holder.Phone, "answer_by", fmtTime(&answerBy))
	step(d, "missed_", missed)
	return (&model.OutboxMessage{
		IdempotencyKey: "promise-missed:" + id(missed.ID), Template: PromiseMissed, Locale: locale,
		ToEmail: c.Email, ToName: c.Name, Data: d,
	}).About(k.about(c.ID))
}

// about is the case, for About: a customer's reply to mail about it goes
// into it.
func (k Case) about(customerID int64) (string, int64, int64) {
	if k.Order != nil {
		return model.CaseOrder, k.Order.ID, customerID
	}
	return model.CaseInquiry, k.Inquiry.ID, customerID
}

// EscalationReminderMsg reminds to, who held escalation e, that it went
// past them unanswered: to next (nil: there is no one above, and it stays
// with them). missed is the promise to answer that they did not keep.
func EscalationReminderMsg(to *model.Staff, e *model.Escalation, c *model.Customer, k Case, missed *model.Promise, next *model.Staff) *model.OutboxMessage {
	d := with(k.data(), "path", k.staffPath(), "customer_name", c.Name, "level", strconv.Itoa(e.Level))
	if next != nil {
		d["next_name"], d["next_title"] = next.FullName, next.Title
	}
	step(d, "missed_", missed)
	return &model.OutboxMessage{
		IdempotencyKey: "escalation-reminder:" + id(e.ID) + ":" + id(missed.ID), Template: EscalationReminder, Locale: "en",
		ToEmail: to.Email, ToName: to.FullName, Data: d,
	}
}

// PromiseMovedMsg tells the customer their case's next step changed
// without a reply: what was promised (old, nil if nothing), what is
// promised now (next) and why. key is unique per change (the timeline
// event id).
func PromiseMovedMsg(c *model.Customer, locale string, k Case, old, next *model.Promise, reason string, by *model.Staff, key string) *model.OutboxMessage {
	d := with(k.data(), "path", k.customerPath(), "customer_name", c.Name, "reason", reason)
	if by != nil {
		d["by_name"], d["by_title"] = by.FullName, by.Title
	}
	step(d, "from_", old)
	step(d, "next_", next)
	return (&model.OutboxMessage{
		IdempotencyKey: "promise-moved:" + key, Template: PromiseMoved, Locale: locale,
		ToEmail: c.Email, ToName: c.Name, Data: d,
	}).About(k.about(c.ID))
}

// OrderLateMsg tells the customer first that their order is late: it was
// expected on its day and no delivery has been reported; its owner is
// checking and will write by replyBy in the inquiry Kedja opened for them
// (q, where the link leads); manager, if any, has been told. One per order.
func OrderLateMsg(c *model.Customer, locale string, o *model.Order, q *model.Inquiry, owner, manager *model.Staff, replyBy time.Time) *model.OutboxMessage {
	d := with(Case{Order: o}.data(), "path", inquiryPath(q.ID), "order_path", orderPath(o), "customer_name", c.Name,
		"expected_delivery", o.ExpectedDelivery, "carrier", o.Carrier, "tracking_url", o.TrackingURL,
		"owner_name", owner.FullName, "owner_title", owner.Title, "owner_email", owner.Email, "owner_phone", owner.Phone,
		"reply_due_at", fmtTime(&replyBy))
	if manager != nil && manager.ID != owner.ID {
		d["manager_name"], d["manager_title"] = manager.FullName, manager.Title
	}
	// A reply goes into the inquiry opened for it.
	return (&model.OutboxMessage{
		IdempotencyKey: "order-late:" + id(o.ID), Template: OrderLate, Locale: locale,
		ToEmail: c.Email, ToName: c.Name, Data: d,
	}).About(model.CaseInquiry, q.ID, c.ID)
}

// FeedbackPath is the page that asks "Did this solve it?" about inquiry
// id with the answer given (a link in the resolution email: the page
// confirms, a POST records it).
func FeedbackPath(inquiryID int64, solved bool) string {
	a := "no"
	if solved {
		a = "yes"
	}
	return inquiryPath(inquiryID) + "/feedback?solved=" + a
}

// InquiryResolvedMsg carries the answer that resolved the inquiry: the
// customer can say whether it solved it (two links) and reopen it with one
// click until the reopen window closes.
func InquiryResolvedMsg(c *model.Customer, locale string, q *model.Inquiry, m *model.Message, by *model.Staff) *model.OutboxMessage {
	until := m.CreatedAt.Add(model.ReopenWindow)
	if q.ResolvedAt != nil {
		until = q.ResolvedAt.Add(model.ReopenWindow)
	}
	return (&model.OutboxMessage{
		IdempotencyKey: "inquiry-resolved:message:" + id(m.ID), Template: InquiryResolved, Locale: locale,
		ToEmail: c.Email, ToName: c.Name,
		Data: with(Case{Inquiry: q}.data(), "path", inquiryPath(q.ID), "customer_name", c.Name, "body", m.Body,
			"author_name", by.FullName, "author_title", by.Title,
			"solved_path", FeedbackPath(q.ID, true), "not_solved_path", FeedbackPath(q.ID, false),
			"reopen_path", inquiryPath(q.ID)+"#reopen", "reopen_until", fmtTime(&until)),
	}).About(model.CaseInquiry, q.ID, c.ID)
}
