package cases

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// OverdueReason is the reason recorded on an escalation that silence made.
const OverdueReason = "No reply by the promised time: escalated automatically."

// kedja is the actor of what Kedja does by itself.
var kedja = model.Actor{Kind: model.ActorSystem, Name: "Kedja"}

// EscalateOverdue escalates every open inquiry whose reply is overdue and
// that was not escalated since it fell due — the customer should not have to
// ask for a manager when the business has gone quiet. Each goes to the
// owner's manager exactly as a customer's click would (Escalate), once per
// missed reply time: a manager who resolves it is not asked again until a
// new reply falls due. It returns how many it escalated.
func EscalateOverdue(ctx context.Context, s *store.Store, bus Publisher, now time.Time) (int, error) {
	n := 0
	for {
		list, err := s.OverdueUnescalated(ctx, model.Normalize(now), 100)
		if err != nil {
			return n, fmt.Errorf("cases: escalate overdue: %w", err)
		}
		made := 0
		for _, q := range list {
			_, created, err := Escalate(ctx, s, bus, q.CustomerID, Subject{InquiryID: q.ID}, OverdueReason, kedja, now)
			if err != nil {
				return n, fmt.Errorf("cases: escalate overdue inquiry %d: %w", q.ID, err)
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
func WatchOverdue(ctx context.Context, s *store.Store, bus Publisher, now func() time.Time, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := EscalateOverdue(ctx, s, bus, now()); err != nil && ctx.Err() == nil {
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
