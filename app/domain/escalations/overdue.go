package escalations

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// OverdueReason is the reason recorded on an escalation that silence made.
const OverdueReason = "No reply by the promised time: escalated automatically."

// EscalateOverdue escalates every open inquiry whose reply is overdue and
// that was not escalated since it fell due — the customer should not have to
// ask for a manager when the business has gone quiet. Each goes to the
// owner's manager exactly as a customer's click would (Escalate), once per
// missed reply time: a manager who resolves it is not asked again until a
// new reply falls due. It returns how many it escalated.
func (s *Service) EscalateOverdue(ctx context.Context) (int, error) {
	n := 0
	for {
		list, err := s.Store.OverdueUnescalated(ctx, s.now(), 100)
		if err != nil {
			return n, fmt.Errorf("escalations: escalate overdue: %w", err)
		}
		made := 0
		for _, q := range list {
			_, created, err := s.Escalate(ctx, q.CustomerID, Subject{InquiryID: q.ID}, OverdueReason, kedja())
			if err != nil {
				return n, fmt.Errorf("escalations: escalate overdue inquiry %d: %w", q.ID, err)
			}
			if created {
				made++
			}
		}
		n += made
		if len(list) < 100 || made == 0 {
			return n, nil
		}
	}
}

// WatchOverdue runs EscalateOverdue every interval until ctx ends, logging
// what it did and what failed.
func (s *Service) WatchOverdue(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.EscalateOverdue(ctx); err != nil && ctx.Err() == nil {
			log.Error("overdue escalation failed", "err", err)
		} else if n > 0 {
			log.Info("escalated overdue inquiries", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
