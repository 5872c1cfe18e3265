package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/kedja/kedja/app/model"
)

// EnsureSettings creates the settings row on first start, with a generated
// session key and the given business name, and returns the settings.
func (s *Store) EnsureSettings(ctx context.Context, businessName string) (*model.Settings, error) {
	var b [48]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("store: session key: %w", err)
	}
	def := &model.Settings{
		ID: 1, BusinessName: businessName, SupportEmail: "", DefaultLocale: "en",
		ReplyHours: 24, SessionKey: base64.RawURLEncoding.EncodeToString(b[:]), OrderConfirmation: true,
		AckHours: 4, OpenDays: "1234567", OpenFrom: "00:00", OpenUntil: "24:00",
	}
	if _, err := s.w.NewInsert().Model(def).On("CONFLICT (id) DO NOTHING").Exec(ctx); err != nil {
		return nil, fmt.Errorf("store: ensure settings: %w", err)
	}
	return s.Settings(ctx)
}

// Settings returns the business settings.
func (s *Store) Settings(ctx context.Context) (*model.Settings, error) {
	st := new(model.Settings)
	if err := s.r.NewSelect().Model(st).Where("id = 1").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: settings: %w", notFound(err))
	}
	return st, nil
}

// SetOrderConfirmation turns the order confirmation mail on or off. It is
// not among SaveSettings' columns, so a settings form that does not show it
// cannot turn it off by leaving it out.
func (s *Store) SetOrderConfirmation(ctx context.Context, on bool) error {
	if _, err := s.w.NewUpdate().Model((*model.Settings)(nil)).Set("order_confirmation = ?", on).Where("id = 1").Exec(ctx); err != nil {
		return fmt.Errorf("store: set order confirmation: %w", err)
	}
	return nil
}

// SaveSettings writes the editable business settings (not the session key).
func (s *Store) SaveSettings(ctx context.Context, st *model.Settings) error {
	_, err := s.w.NewUpdate().Model(st).
		Column("business_name", "support_email", "default_locale", "reply_hours", "last_resort_manager_id",
			"ack_hours", "open_days", "open_from", "open_until").
		Where("id = 1").Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: save settings: %w", err)
	}
	return nil
}
