// Package settings owns the business's settings as an administrator edits
// them: its name, support address, default language, reply-time and
// acknowledgement targets, opening days and hours, the dates it is closed,
// and the manager of last resort.
package settings

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/app/domain/hours"
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
	ErrAckHours        = refusal.New("ack_hours", "invalid", fmt.Sprintf("the acknowledgement target is a whole number of hours from 1 to %d", MaxReplyHours))
	ErrOpenDays        = refusal.New("open_days", "invalid", "choose at least one day the business is open")
	ErrOpenHours       = refusal.New("open_from", "invalid", "give opening hours as HH:MM, closing after opening (24:00 is midnight)")
	ErrClosedDays      = refusal.New("closed_days", "invalid", "write one closed date a line, as YYYY-MM-DD, optionally followed by its name")
)

// MaxClosedDays bounds the closed dates kept (several years of holidays).
const MaxClosedDays = 400

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
	ReplyHours    string   // a whole number of open hours
	LastResort    string   // the manager of last resort's staff id as chosen from a list; "" or "0" for none
	AckHours      string   // a whole number of open hours; "" keeps the current target
	OpenDays      []string // ISO weekday digits ticked, "1" Monday … "7" Sunday; nil keeps the current days
	OpenFrom      string   // "09:00"; "" keeps the current hours
	OpenUntil     string   // "17:00"
	ClosedDays    *string  // one date a line, "2026-12-24 Christmas Eve"; nil keeps the current ones
}

// ParseClosedDays reads closed dates, one a line: a date (YYYY-MM-DD) and
// an optional name. Blank lines are skipped; the dates come back sorted,
// each once.
func ParseClosedDays(text string) ([]*model.ClosedDay, error) {
	seen := map[string]*model.ClosedDay{}
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		day, label, _ := strings.Cut(line, " ")
		if _, err := time.Parse("2006-01-02", day); err != nil {
			return nil, ErrClosedDays
		}
		label = strings.Join(strings.Fields(label), " ")
		if len(label) > 200 {
			return nil, ErrClosedDays
		}
		seen[day] = &model.ClosedDay{Day: day, Label: label}
	}
	if len(seen) > MaxClosedDays {
		return nil, ErrClosedDays
	}
	out := make([]*model.ClosedDay, 0, len(seen))
	for _, d := range seen {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b *model.ClosedDay) int { return strings.Compare(a.Day, b.Day) })
	return out, nil
}

// FormatClosedDays writes closed dates as ParseClosedDays reads them.
func FormatClosedDays(list []*model.ClosedDay) string {
	var b strings.Builder
	for _, d := range list {
		b.WriteString(d.Day)
		if d.Label != "" {
			b.WriteString(" " + d.Label)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Save writes f into st, trimmed, checks it and saves it; every customer
// page learns of it. The values are written into st even when they are
// refused, so a form can show them again.
func (s *Service) Save(ctx context.Context, st *model.Settings, f Form) error {
	st.BusinessName = strings.TrimSpace(f.BusinessName)
	st.SupportEmail = strings.TrimSpace(f.SupportEmail)
	st.DefaultLocale = f.DefaultLocale
	reply, herr := strconv.Atoi(strings.TrimSpace(f.ReplyHours))
	st.ReplyHours = reply
	st.LastResortManagerID = nil
	switch {
	case st.BusinessName == "" || len(st.BusinessName) > 200:
		return ErrBusinessName
	case st.SupportEmail != "" && !validEmail(st.SupportEmail):
		return ErrSupportEmail
	case !i18n.Supported(st.DefaultLocale):
		return ErrDefaultLocale
	case herr != nil || reply < 1 || reply > MaxReplyHours:
		return ErrReplyHours
	}
	if f.AckHours != "" {
		ack, err := strconv.Atoi(strings.TrimSpace(f.AckHours))
		st.AckHours = ack
		if err != nil || ack < 1 || ack > MaxReplyHours {
			return ErrAckHours
		}
	}
	if f.OpenDays != nil {
		days, err := hours.ParseDays(strings.Join(f.OpenDays, ""))
		if err != nil {
			return ErrOpenDays
		}
		st.OpenDays = hours.FormatDays(days)
	}
	if f.OpenFrom != "" || f.OpenUntil != "" {
		st.OpenFrom, st.OpenUntil = strings.TrimSpace(f.OpenFrom), strings.TrimSpace(f.OpenUntil)
	}
	if _, err := hours.New(nil, st.OpenDays, st.OpenFrom, st.OpenUntil, nil); err != nil {
		if _, derr := hours.ParseDays(st.OpenDays); derr != nil {
			return ErrOpenDays
		}
		return ErrOpenHours
	}
	var closed []*model.ClosedDay
	if f.ClosedDays != nil {
		var err error
		if closed, err = ParseClosedDays(*f.ClosedDays); err != nil {
			return err
		}
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
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		if err := tx.SaveSettings(ctx, st); err != nil {
			return err
		}
		if f.ClosedDays != nil {
			return tx.SaveClosedDays(ctx, closed)
		}
		return nil
	})
	if err != nil {
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
