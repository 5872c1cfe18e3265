package cli

import (
	"context"
	"time"

	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// MailCases adapts the inquiries service to mailin.Cases, the one place
// incoming mail reaches case operations. Each call builds the service on tx,
// so the case change joins mailin's transaction (and its Message-ID
// dedupe) and commits or rolls back with it.
type MailCases struct {
	Bus      live.Publisher
	Location *time.Location
}

func (m MailCases) service(tx *store.Store, now time.Time) *inquiries.Service {
	return &inquiries.Service{Store: tx, Bus: m.Bus, Now: func() time.Time { return now }, Location: m.Location}
}

// Open opens an inquiry for the customer (about orderRef, or in general)
// with the owner rule, inside tx.
func (m MailCases) Open(ctx context.Context, tx *store.Store, customerID int64, subject, body, orderRef string, by model.Actor, now time.Time) (*model.Inquiry, error) {
	return m.service(tx, now).Open(ctx, customerID, inquiries.Question{Subject: subject, Body: body, OrderRef: orderRef}, by)
}

// CustomerReply adds the customer's message to their inquiry, reopening a
// resolved one, inside tx.
func (m MailCases) CustomerReply(ctx context.Context, tx *store.Store, customerID, inquiryID int64, body string, now time.Time) (*model.Message, error) {
	return m.service(tx, now).CustomerReply(ctx, customerID, inquiryID, body)
}
