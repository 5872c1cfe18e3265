// Package mailer sends the outbox: a background worker that claims due rows
// and delivers them over SMTP (go-mail), or writes them to the log when no
// SMTP server is configured.
package mailer

import (
	"context"
	"log/slog"
	"time"

	"github.com/kedja/kedja/app/config"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// Worker delivers queued email.
type Worker struct {
	cfg   config.Config
	store *store.Store
	log   *slog.Logger
	wake  chan struct{}
}

// New returns a worker for the outbox of s.
func New(cfg config.Config, s *store.Store, log *slog.Logger) (*Worker, error) {
	w := &Worker{cfg: cfg, store: s, log: log, wake: make(chan struct{}, 1)}
	return w, nil
}

// Wake makes the worker look for due mail now.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers mail until ctx is done.
func (w *Worker) Run(ctx context.Context) error {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		w.drain(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-w.wake:
		}
	}
}

// drain is the first, log-only sender: the full SMTP sender replaces it.
func (w *Worker) drain(ctx context.Context) {
	list, err := w.store.ListOutbox(ctx, model.MailPending, 100)
	if err != nil {
		w.log.Error("mailer: list", "err", err)
		return
	}
	for _, m := range list {
		w.log.Info("mail (no SMTP configured)", "to", m.ToEmail, "template", m.Template,
			"link", w.cfg.BaseURL.String()+m.Data["path"], "code", m.Data["code"])
		now := model.Now()
		if _, err := w.store.DB().NewUpdate().Model(m).Set("state = ?", model.MailSent).Set("sent_at = ?", now).
			WherePK().Exec(ctx); err != nil {
			w.log.Error("mailer: mark sent", "err", err)
		}
	}
}
