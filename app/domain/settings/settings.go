// Package settings owns the business's settings as an administrator edits
// them: its name, support address, default language, reply-time target and
// manager of last resort.
package settings

import (
	"context"
	"fmt"
	"net/mail"
	"strconv"
	"strings"

	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// MaxReplyHours is the longest reply-time target: two weeks.
const MaxReplyHours = 24 * 14

// Refusals of a settings change.
var (
	ErrBusinessName    = refusal.New("business_name", "invalid", "give the business name (up to 200 characters)")
	ErrSupportEmail    = refusal.New("support_email", "invalid", "give a valid support address, such as help@shop.example, or leave it empty")
	ErrDefaultLocale   = refusal.New("default_locale", "invalid", "choose a default language from the list")
	ErrReplyHours      = refusal.New("reply_hours", "invalid", fmt.Sprintf("the reply-time target is a whole number of hours from 1 to %d", MaxReplyHours))
	ErrLastResortStaff = refusal.New("last_resort_manager_id", "invalid", "choose the manager of last resort from the list")
)

// Service saves the settings. Build one in main and share it.
type Service struct {
	Store *store.Store
	Bus   live.Publisher // nil: nothing is published
}

// Form is the settings as an administrator types them.
type Form struct {
	BusinessName  string
	SupportEmail  string
	DefaultLocale string
	ReplyHours    string // a whole number of hours
	LastResort    string // the manager of last resort's staff id as chosen from a list; "" or "0" for none
}

// Save writes f into st, trimmed, checks it and saves it; every customer
// page learns of it. The values are written into st even when they are
// refused, so a form can show them again.
func (s *Service) Save(ctx context.Context, st *model.Settings, f Form) error {
	st.BusinessName = strings.TrimSpace(f.BusinessName)
	st.SupportEmail = strings.TrimSpace(f.SupportEmail)
	st.DefaultLocale = f.DefaultLocale
	hours, herr := strconv.Atoi(strings.TrimSpace(f.ReplyHours))
	st.ReplyHours = hours
	st.LastResortManagerID = nil
	switch {
	case st.BusinessName == "" || len(st.BusinessName) > 200:
		return ErrBusinessName
	case st.SupportEmail != "" && !validEmail(st.SupportEmail):
		return ErrSupportEmail
	case !i18n.Supported(st.DefaultLocale):
		return ErrDefaultLocale
	case herr != nil || hours < 1 || hours > MaxReplyHours:
		return ErrReplyHours
	}
	if f.LastResort != "" && f.LastResort != "0" {
		id, err := strconv.ParseInt(f.LastResort, 10, 64)
		if err != nil {
			return ErrLastResortStaff
		}
		m, err := s.Store.StaffByID(ctx, id)
		if err != nil || !m.Active {
			return ErrLastResortStaff
		}
		st.LastResortManagerID = &id
	}
	if err := s.Store.SaveSettings(ctx, st); err != nil {
		return fmt.Errorf("settings: save: %w", err)
	}
	if s.Bus != nil {
		s.Bus.Publish(live.AllTopic, live.Event{Name: "settings"})
	}
	return nil
}

// validEmail reports whether s is one plain address.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}
