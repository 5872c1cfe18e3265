package staffwork

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kedja/kedja/app/domain/cases"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// MaxSubject bounds an inquiry's subject, in characters (as cases.MaxSubject).
const MaxSubject = 200

// Validation errors of OpenOnBehalf; the web layer shows their text.
var (
	ErrNoSubject     = errors.New("give the inquiry a subject, such as “Invoice copy”")
	ErrNoQuestion    = errors.New("write down what the customer asked, in their words")
	ErrLongSubject   = fmt.Errorf("the subject is too long (at most %d characters)", MaxSubject)
	ErrLongQuestion  = fmt.Errorf("the question is too long (at most %d characters)", MaxBody)
	ErrNotTheirOrder = errors.New("that order is not one of this customer's: choose one of theirs, or none")
)

// OnBehalf is what a customer asked outside the portal — on the phone, at
// the counter — as a staff member writes it down.
type OnBehalf struct {
	Subject  string
	Body     string // the customer's question, in their words
	OrderRef string // one of the customer's orders, or "" for a general question
}

// OpenOnBehalf opens an inquiry for the customer, written by a staff member
// who took the question another way. It is the customer's inquiry as if they
// had opened it in the portal: the question is the customer's message, the
// owner is chosen by the owner rule (the order's owner when it is about an
// order and they are active, else the least-loaded colleague), the business
// owes a reply within the reply-time target, and the customer is emailed
// who owns it and by when they will hear back. The timeline (the customer's
// and the staff's) says who opened it on the customer's behalf.
func OpenOnBehalf(ctx context.Context, s *store.Store, bus Publisher, customerID int64, in OnBehalf, by *model.Staff, now time.Time) (*model.Inquiry, error) {
	if err := in.clean(); err != nil {
		return nil, err
	}
	if in.OrderRef != "" {
		if _, err := s.OrderForCustomer(ctx, customerID, in.OrderRef); errors.Is(err, store.ErrNotFound) {
			return nil, ErrNotTheirOrder
		} else if err != nil {
			return nil, fmt.Errorf("staffwork: open inquiry for customer %d: %w", customerID, err)
		}
	}
	q, err := cases.OpenInquiry(ctx, s, bus, customerID, in.Subject, in.Body, in.OrderRef, model.StaffActor(by), now)
	if err != nil {
		return nil, fmt.Errorf("staffwork: open inquiry for customer %d: %w", customerID, err)
	}
	return q, nil
}

// clean trims and checks the input.
func (in *OnBehalf) clean() error {
	in.Subject = strings.Join(strings.Fields(in.Subject), " ")
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	in.OrderRef = strings.TrimSpace(in.OrderRef)
	switch {
	case in.Subject == "":
		return ErrNoSubject
	case utf8.RuneCountInString(in.Subject) > MaxSubject:
		return ErrLongSubject
	case in.Body == "":
		return ErrNoQuestion
	case len(in.Body) > MaxBody:
		return ErrLongQuestion
	}
	return nil
}
