package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kedja/kedja/app/model"
)

// RaiseMailAlert records a mail transport problem of kind (model.Alert…)
// at now: a new alert, or the standing one with its message, detail and
// last time brought up to date and its count raised. The first time is kept.
func (s *Store) RaiseMailAlert(ctx context.Context, kind, message, detail string, now time.Time) error {
	now = model.Normalize(now)
	_, err := s.w.NewRaw(`INSERT INTO mail_alerts (kind, message, detail, first_at, last_at, count)
VALUES (?, ?, ?, ?, ?, 1)
ON CONFLICT (kind) DO UPDATE SET message = excluded.message, detail = excluded.detail,
	last_at = excluded.last_at, count = mail_alerts.count + 1`, kind, message, clip(detail), now, now).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: raise mail alert %s: %w", kind, err)
	}
	return nil
}

// ClearMailAlert removes the alert of kind, if any: the transport works.
func (s *Store) ClearMailAlert(ctx context.Context, kind string) error {
	if _, err := s.w.NewDelete().Model((*model.MailAlert)(nil)).Where("kind = ?", kind).Exec(ctx); err != nil {
		return fmt.Errorf("store: clear mail alert %s: %w", kind, err)
	}
	return nil
}

// MailAlerts returns the standing mail transport alerts, the most recent
// first, for the admin outbox page.
func (s *Store) MailAlerts(ctx context.Context) ([]*model.MailAlert, error) {
	var list []*model.MailAlert
	if err := s.r.NewSelect().Model(&list).OrderExpr("last_at DESC, kind").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: mail alerts: %w", err)
	}
	return list, nil
}
