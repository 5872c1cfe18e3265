package portal

import (
	"context"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// steps is what a case owes the customer, read from its outstanding
// promises: the next step, a manager's promise to answer an escalation,
// and the promises that were missed and are not yet kept.
type steps struct {
	Next   *model.Promise   // the case's next step (nil: none)
	Answer *model.Promise   // an escalation's manager answers by …
	Missed []*model.Promise // missed and not settled, oldest first
}

// sort files the outstanding promises of one case.
func (st *steps) add(p *model.Promise) {
	switch {
	case p.State == model.PromiseMissed:
		st.Missed = append(st.Missed, p)
	case p.Kind == model.PromiseEscalation:
		st.Answer = p
	case p.IsNext:
		st.Next = p
	}
}

// caseSteps reads one of the customer's cases' outstanding promises.
func (h *Handlers) caseSteps(ctx context.Context, customerID int64, k store.CaseKey) (steps, error) {
	var st steps
	list, err := h.reads.CasePromisesForCustomer(ctx, customerID, k)
	if err != nil {
		return st, err
	}
	for _, p := range list {
		if p.Outstanding {
			st.add(p)
		}
	}
	return st, nil
}

// NextText is the case's next step in one sentence (see kit.Words.Step):
// the manager who holds it when one does, else its next step; "" when it
// has none.
func (v view) NextText(st steps, owner *model.Staff) string {
	name := ""
	if owner != nil {
		name = owner.FullName
	}
	if st.Answer != nil {
		return v.Step(st.Answer, name)
	}
	return v.Step(st.Next, name)
}

// Late reports whether the case has a missed promise outstanding, or a
// next step past its time.
func (v view) Late(st steps) bool {
	return len(st.Missed) > 0 || v.StepLate(st)
}

// StepLate reports whether the next step (or the manager's answer) is past
// its time and not yet handled by the check.
func (v view) StepLate(st steps) bool {
	for _, p := range []*model.Promise{st.Next, st.Answer} {
		if p != nil && p.DueAt != nil && p.HolderKind == model.HolderStaff && v.Now.After(*p.DueAt) {
			return true
		}
	}
	return false
}
