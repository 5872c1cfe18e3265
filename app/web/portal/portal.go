// Package portal is Kedja's customer portal: the dashboard, an order, an
// inquiry, asking a question, escalating, what the business knows about
// the customer, and their live updates. Every read and write it can make
// takes the signed-in customer's id (Reads, Writes, Inquiries,
// Escalations): it holds no store, so no page can reach another customer's
// data. The route table, the guards and the page cache are package web's.
package portal

import (
	"context"
	"errors"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web/kit"
)

// Reads are what the portal shows, each scoped to one customer.
type Reads interface {
	OrdersForCustomerAfter(ctx context.Context, customerID int64, after *store.Cursor, limit int) ([]*model.Order, error)
	InquiriesForCustomerAfter(ctx context.Context, customerID int64, after *store.Cursor, limit int) ([]*model.Inquiry, error)
	OpenEscalationsForCustomer(ctx context.Context, customerID int64) (map[string]*model.Escalation, error)
	OrderForCustomer(ctx context.Context, customerID int64, ref string) (*model.Order, error)
	OrderEventsForCustomer(ctx context.Context, customerID, orderID int64) ([]*model.Event, error)
	OrderManagerForCustomer(ctx context.Context, customerID, orderID int64) (*model.Staff, error)
	InquiriesAboutOrder(ctx context.Context, customerID, orderID int64) ([]*model.Inquiry, error)
	InquiryForCustomer(ctx context.Context, customerID, inquiryID int64) (*model.Inquiry, error)
	InquiryEventsForCustomer(ctx context.Context, customerID, inquiryID int64) ([]*model.Event, error)
	InquiryManagerForCustomer(ctx context.Context, customerID, inquiryID int64) (*model.Staff, error)
	MessagesForCustomer(ctx context.Context, customerID, inquiryID int64) ([]*model.Message, error)
	LatestEscalationForCustomer(ctx context.Context, customerID int64, subject string) (*model.Escalation, error)
	Facts(ctx context.Context, customerID int64) ([]*model.CustomerFact, error)
	OutstandingForCustomer(ctx context.Context, customerID int64) ([]*model.Promise, error)
	CasePromisesForCustomer(ctx context.Context, customerID int64, k store.CaseKey) ([]*model.Promise, error)
	FeedbackForCustomer(ctx context.Context, customerID, inquiryID int64, resolvedAt time.Time) (*model.Feedback, error)
}

// Writes are the customer's own details as they change them.
type Writes interface {
	UpdateCustomerProfile(ctx context.Context, customerID int64, name, locale string) error
	UpdateFact(ctx context.Context, customerID, factID int64, label, value, by string) error
}

// Inquiries are what a customer does with their questions
// (inquiries.Service).
type Inquiries interface {
	Open(ctx context.Context, customerID int64, q inquiries.Question, by model.Actor) (*model.Inquiry, error)
	CustomerReply(ctx context.Context, customerID, inquiryID int64, text string) (*model.Message, error)
	Reopen(ctx context.Context, customerID, inquiryID int64) error
	NotArrived(ctx context.Context, customerID int64, ref string) (*model.Inquiry, bool, error)
}

// Escalations are a customer asking for a manager (escalations.Service).
type Escalations interface {
	Escalate(ctx context.Context, customerID int64, sub escalations.Subject, reason string, by model.Actor) (*model.Escalation, bool, error)
	Feedback(ctx context.Context, customerID, inquiryID int64, solved bool, comment string) (*model.Feedback, *model.Escalation, error)
}

// Handlers answer the customer pages.
type Handlers struct {
	reads       Reads
	writes      Writes
	inquiries   Inquiries
	escalations Escalations
	bus         live.Bus
	views       *kit.Renderer
	layout      *kit.Layout
	loc         *time.Location
	now         func() time.Time
	secure      bool
	sessionLive func(echo.Context) bool
}

// Deps is what the customer pages need.
type Deps struct {
	Reads       Reads
	Writes      Writes
	Inquiries   Inquiries
	Escalations Escalations
	Bus         live.Bus // the customer's stream subscribes; profile changes are published
	Views       *kit.Renderer
	Layout      *kit.Layout
	Location    *time.Location // the business's time zone
	Now         func() time.Time
	Secure      bool // cookies are Secure (the site is served over HTTPS)
	// SessionLive reports whether the request's customer session still
	// stands (the customer's stream ends when it does not).
	SessionLive func(echo.Context) bool
}

// New returns the customer pages' handlers.
func New(d Deps) *Handlers {
	return &Handlers{reads: d.Reads, writes: d.Writes, inquiries: d.Inquiries, escalations: d.Escalations,
		bus: d.Bus, views: d.Views, layout: d.Layout, loc: d.Location, now: d.Now, secure: d.Secure,
		sessionLive: d.SessionLive}
}

// openEscalation is the customer's open escalation of subject
// (model.OrderSubject, model.InquirySubject), or nil when there is none.
func (h *Handlers) openEscalation(ctx context.Context, customerID int64, subject string) (*model.Escalation, error) {
	e, err := h.reads.LatestEscalationForCustomer(ctx, customerID, subject)
	switch {
	case err == nil && e.IsOpen:
		return e, nil
	case err == nil || errors.Is(err, store.ErrNotFound):
		return nil, nil
	}
	return nil, err
}
