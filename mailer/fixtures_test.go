package mailer

import (
	"log/slog"
	"testing"
	"time"

	"github.com/kedja/kedja/app/config"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
)

// testConfig is a configuration as an operator would write it, with the
// SMTP URL given (empty: log mode).
func testConfig(t testing.TB, smtpURL string) config.Config {
	t.Helper()
	return testConfigWith(t, map[string]string{"KEDJA_SMTP_URL": smtpURL})
}

// testConfigWith is testConfig with more (or other) variables set.
func testConfigWith(t testing.TB, more map[string]string) config.Config {
	t.Helper()
	env := map[string]string{
		"KEDJA_BASE_URL":      "https://portal.blomsterhuset.example",
		"KEDJA_DATABASE_URL":  "sqlite://unused.db",
		"KEDJA_MAIL_FROM":     "Shop <no-reply@blomsterhuset.example>",
		"KEDJA_BUSINESS_NAME": "Blomsterhuset",
		"KEDJA_TIMEZONE":      "Europe/Copenhagen",
	}
	for k, v := range more {
		env[k] = v
		if v == "" && k == "KEDJA_MAIL_FROM" {
			delete(env, k) // the default
		}
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

// samples builds one realistic outbox row per template through the
// constructors in app/notify, so the data keys are exactly theirs.
func samples(now time.Time, locale string) map[string]*model.OutboxMessage {
	ann := &model.Customer{ID: 7, Email: "ann.jensen@example.com", Name: "Ann Jensen", Locale: locale}
	anna := &model.Staff{ID: 2, Email: "anna@blomsterhuset.example", FullName: "Anna Holm", Title: "Florist"}
	mette := &model.Staff{ID: 1, Email: "mette@blomsterhuset.example", FullName: "Mette Lund", Title: "Store manager", Phone: "+45 12 34 56 78"}
	due := now.Add(26 * time.Hour)
	q := &model.Inquiry{ID: 41, CustomerID: ann.ID, Subject: "Invoice copy for BH-1010", OwnerID: anna.ID, ReplyDueAt: &due}
	msg := &model.Message{ID: 99, InquiryID: q.ID, Body: "Hi Ann,\nthe corrected invoice is attached to your order page.\nSorry for the trouble."}
	delivered := now.Add(-3 * time.Hour)
	o := &model.Order{ID: 5, Ref: "BQ-1001", CustomerID: ann.ID, OwnerID: anna.ID, Status: model.OrderShipped,
		ExpectedDelivery: now.Add(48 * time.Hour).In(time.UTC).Format("2006-01-02"), Carrier: "PostNord",
		TrackingNumber: "00370712345", TrackingURL: "https://tracking.postnord.example/?id=00370712345&lang=da",
		RecipientName: "Birthe Hansen", DeliveryConfirmedBy: "PostNord (driver scan)"}
	out := *o
	out.Status = model.OrderOutForDelivery
	del := *o
	del.Status, del.DeliveredAt = model.OrderDelivered, &delivered
	conf := *o
	conf.Status, conf.Owner, conf.Total, conf.Currency = model.OrderConfirmed, anna, "499.00", "DKK"
	conf.Items = []model.Item{{Name: "Condolence bouquet, white", Quantity: 1}, {Name: "Card", Quantity: 2}}
	e := &model.Escalation{ID: 3, Subject: "inquiry:41", CustomerID: ann.ID, ManagerID: mette.ID,
		Reason: "I was promised the invoice within 24 hours three times.", CreatedAt: now.Add(-time.Hour)}
	// The escalated case: inquiry 41 (its pages are /inquiries/41 and
	// /admin/inquiries/41).
	escalated := notify.Case{Inquiry: &model.Inquiry{ID: 41, CustomerID: ann.ID, Subject: "Invoice copy for BH-1010"}}
	expires := now.Add(10 * time.Minute)
	// The next step a reply sets, and the promise a breach missed.
	promised := now.Add(20 * time.Hour)
	next := &model.Promise{ID: 12, Kind: model.PromiseAction, HolderKind: model.HolderStaff, HolderName: "Anna Holm",
		What: "send the corrected invoice", DueAt: &promised}
	missedDue := now.Add(-2 * time.Hour)
	missed := &model.Promise{ID: 13, Kind: model.PromiseReply, HolderKind: model.HolderStaff, HolderName: "Anna Holm", DueAt: &missedDue}
	answerBy := now.Add(4 * time.Hour)
	breach := *e
	breach.Cause, breach.Level, breach.Reason = model.CauseBreach, 2, "Missed: Anna Holm promised to reply by Tuesday 24 November, 11:02."
	resolvedAt := now.Add(-time.Hour)
	resolved := &model.Inquiry{ID: 41, CustomerID: ann.ID, Subject: "Invoice copy for BH-1010", ResolvedAt: &resolvedAt}
	lateOrder := *o
	lateOrder.ExpectedDelivery = now.Add(-48 * time.Hour).In(time.UTC).Format("2006-01-02")
	msgs := map[string]*model.OutboxMessage{
		notify.SignInCustomer: notify.SignIn(model.KindCustomer, "h1", ann.Email, ann.Name, locale,
			"tok3nCUSTOMERabc", "482913", expires),
		notify.SignInStaff: notify.SignIn(model.KindStaff, "h2", anna.Email, anna.FullName, locale,
			"tok3nSTAFFxyz", "105728", expires),
		notify.InquiryReceived:        notify.InquiryReceivedMsg(ann, locale, q, anna),
		notify.StaffReply:             notify.StaffReplyMsg(ann, locale, q, msg, anna, next),
		notify.OrderShipped:           notify.OrderStatusMsg(ann, locale, o, "t1"),
		notify.OrderOutForDelivery:    notify.OrderStatusMsg(ann, locale, &out, "t2"),
		notify.DeliveryConfirmation:   notify.DeliveryConfirmationMsg(ann, locale, &del),
		notify.OrderConfirmation:      notify.OrderConfirmationMsg(ann, locale, &conf),
		notify.EscalationToManager:    notify.EscalationToManagerMsg(e, mette, ann, escalated, nil, &answerBy),
		notify.EscalationAcknowledged: notify.EscalationAcknowledgedMsg(e, mette, ann, locale, escalated),
		notify.Handoff:                notify.HandoffMsg(mette, anna, nil, escalated, "t9"),
		notify.InquiryAssigned:        notify.InquiryAssignedMsg(anna, ann, q, model.CustomerActor(ann), notify.AssignedOpened, "t10"),
		notify.EscalationReminder:     notify.EscalationReminderMsg(anna, &breach, ann, escalated, missed, mette),
		notify.PromiseMissed:          notify.PromiseMissedMsg(ann, locale, escalated, missed, mette, answerBy),
		notify.PromiseMoved:           notify.PromiseMovedMsg(ann, locale, escalated, missed, next, "Accounting needs one more day.", anna, "t11"),
		notify.OrderLate:              notify.OrderLateMsg(ann, locale, &lateOrder, q, anna, mette, due),
		notify.InquiryResolved:        notify.InquiryResolvedMsg(ann, locale, resolved, msg, anna),
	}
	// Queued at the sample's own time, so a test clock decides when it is
	// due, not the day the test happens to run.
	for _, m := range msgs {
		m.CreatedAt, m.NextAttemptAt = model.Normalize(now), model.Normalize(now)
	}
	return msgs
}

// clock is a controllable clock for the worker.
type clock struct {
	ch chan time.Time
}

func newClock(t time.Time) *clock {
	c := &clock{ch: make(chan time.Time, 1)}
	c.ch <- model.Normalize(t)
	return c
}

// Now returns the clock's time.
func (c *clock) Now() time.Time {
	t := <-c.ch
	c.ch <- t
	return t
}

// Add moves the clock forward.
func (c *clock) Add(d time.Duration) {
	t := <-c.ch
	c.ch <- t.Add(d)
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
