// Package staff owns a staff member's life at the business: joining with
// their details (an email address, a full name, a title, a manager who does
// not report to them), changing those details, leaving — when every open
// case of theirs goes to someone else and their sessions end — and coming
// back.
package staff

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// Refusals of the staff actions.
var (
	ErrBadEmail        = refusal.New("email", "invalid", "give a valid email address, such as anna@shop.example")
	ErrEmailTaken      = refusal.New("email", "taken", "a staff member with that address exists already")
	ErrFullName        = refusal.New("full_name", "invalid", "give the full name (first and last name), never a first name alone")
	ErrTitle           = refusal.New("title", "invalid", "give a title (up to 100 characters); the phone number is at most 50")
	ErrNoSuchManager   = refusal.New("manager_id", "invalid", "choose a manager from the list")
	ErrInactiveManager = refusal.New("manager_id", "inactive", "the manager must be an active staff member")
	ErrManagerLoop     = refusal.New("manager_id", "loop", "that manager reports (directly or not) to this person")
	ErrOwnAdminFlag    = refusal.New("is_admin", "own", "you cannot remove your own admin flag")
	ErrSelf            = refusal.New("", "self", "you cannot deactivate yourself")
	ErrAlreadyInactive = refusal.New("", "inactive", "that staff member is already inactive")
)

// Service carries out the staff actions. Build one in main and share it.
type Service struct {
	Store *store.Store
	Bus   live.Publisher   // nil: nothing is published
	Now   func() time.Time // the clock
}

// now is the service's clock as Kedja stores times.
func (s *Service) now() time.Time { return model.Normalize(s.Now()) }

// publish tells the listeners of each topic, if there are any.
func (s *Service) publish(name string, topics ...string) {
	if s.Bus == nil {
		return
	}
	for _, t := range topics {
		s.Bus.Publish(t, live.Event{Name: name})
	}
}

// Details are a staff member's details as an administrator types them.
type Details struct {
	Email    string
	FullName string // first and last name: customers see it
	Title    string
	Phone    string
	IsAdmin  bool
	Manager  string // the manager's staff id as chosen from a list; "" or "0" for none
}

// apply writes d into p, trimmed, and checks it: a valid address, a full
// name, a title, and a manager who is active and does not report to p.
func (s *Service) apply(ctx context.Context, p *model.Staff, d Details) error {
	p.Email = strings.TrimSpace(d.Email)
	p.FullName = strings.Join(strings.Fields(d.FullName), " ")
	p.Title = strings.TrimSpace(d.Title)
	p.Phone = strings.TrimSpace(d.Phone)
	p.IsAdmin = d.IsAdmin
	p.ManagerID = nil
	if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
		return ErrBadEmail
	}
	var err error
	if p.FullName, err = FullName(d.FullName); err != nil {
		return err
	}
	if p.Title == "" || len(p.Title) > 100 || len(p.Phone) > 50 {
		return ErrTitle
	}
	if d.Manager != "" && d.Manager != "0" {
		mid, err := strconv.ParseInt(d.Manager, 10, 64)
		if err != nil {
			return ErrNoSuchManager
		}
		if err := s.checkManager(ctx, p.ID, mid); err != nil {
			return err
		}
		p.ManagerID = &mid
	}
	return nil
}

// FullName is a staff member's name as it is kept — single spaces, no
// surrounding space — or ErrFullName: customers see it, so it is a first
// and a last name, never a first name alone, and at most 200 bytes.
func FullName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if !strings.Contains(name, " ") || len(name) > 200 {
		return name, ErrFullName
	}
	return name, nil
}

// checkManager refuses an unknown or inactive manager, and a chain of
// managers that leads back to the person (self; 0 for someone new).
func (s *Service) checkManager(ctx context.Context, self, mid int64) error {
	seen := map[int64]bool{}
	for id, first := mid, true; id != 0; first = false {
		if id == self && self != 0 {
			return ErrManagerLoop
		}
		if seen[id] {
			return nil
		}
		seen[id] = true
		m, err := s.Store.StaffByID(ctx, id)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return ErrNoSuchManager
			}
			return err
		}
		if first && !m.Active {
			return ErrInactiveManager
		}
		if m.ManagerID == nil {
			break
		}
		id = *m.ManagerID
	}
	return nil
}

// Create adds p, a new active staff member, with details d. The details are
// written into p even when they are refused, so a form can show them again.
func (s *Service) Create(ctx context.Context, p *model.Staff, d Details) error {
	if err := s.apply(ctx, p, d); err != nil {
		return err
	}
	if _, err := s.Store.StaffByEmail(ctx, p.Email); err == nil {
		return ErrEmailTaken
	} else if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("staff: create %s: %w", p.Email, err)
	}
	if _, err := s.Store.SaveStaff(ctx, p); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return ErrEmailTaken
		}
		return fmt.Errorf("staff: create %s: %w", p.Email, err)
	}
	s.publish("queue", live.StaffTopic)
	return nil
}

// Update changes p's details to d, written into p even when they are
// refused. by is who makes the change: nobody removes their own admin flag.
// Names and titles show on customers' pages, so every page learns of it.
func (s *Service) Update(ctx context.Context, p *model.Staff, d Details, by *model.Staff) error {
	if err := s.apply(ctx, p, d); err != nil {
		return err
	}
	if by != nil && by.ID == p.ID && !p.IsAdmin {
		return ErrOwnAdminFlag
	}
	if err := s.Store.UpdateStaff(ctx, p); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return ErrEmailTaken
		}
		return fmt.Errorf("staff: update staff %d: %w", p.ID, err)
	}
	s.publish("staff", live.AllTopic)
	s.publish("queue", live.StaffTopic)
	return nil
}

// Deactivate turns a staff member off in one transaction: their open orders
// and inquiries go to their manager, else to the least-loaded colleague
// (owner.Successor, owner.HandOver: a handoff event on each), the
// escalations waiting on them go to the same person, and every session of
// theirs ends. When nobody active would be left to own the cases it refuses
// (owner.ErrNoStaff) and changes nothing; so it does for oneself (ErrSelf).
// by is nil when Kedja does it. It returns who took the cases.
func (s *Service) Deactivate(ctx context.Context, staffID int64, by *model.Staff) (*model.Staff, error) {
	if by != nil && by.ID == staffID {
		return nil, ErrSelf
	}
	now := s.now()
	var to *model.Staff
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		leaving, err := tx.StaffByID(ctx, staffID)
		if err != nil {
			return err
		}
		if !leaving.Active {
			return ErrAlreadyInactive
		}
		if to, err = owner.Successor(ctx, tx, leaving); err != nil {
			return err
		}
		if err := tx.SetStaffActive(ctx, leaving.ID, false); err != nil {
			return err
		}
		if err := owner.HandOver(ctx, tx, leaving, to, by, now); err != nil {
			return err
		}
		if _, err := tx.ReassignOpenEscalations(ctx, staffID, to.ID); err != nil {
			return err
		}
		// Their open promises — replies owed, their own promises, the
		// answers to escalations — are the successor's to keep now.
		if _, err := tx.TransferOpenPromises(ctx, staffID, to); err != nil {
			return err
		}
		if _, err := tx.DeleteSessionsOf(ctx, model.KindStaff, staffID); err != nil {
			return err
		}
		// Many customers' cases changed owner: every page forgets itself.
		tx.AfterCommit(func() {
			s.publish("dashboard", live.AllTopic)
			s.publish("queue", live.StaffTopic)
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("staff: deactivate staff %d: %w", staffID, err)
	}
	return to, nil
}

// Activate lets a deactivated staff member back in; they get cases again by
// the owner rule.
func (s *Service) Activate(ctx context.Context, staffID int64) error {
	if err := s.Store.SetStaffActive(ctx, staffID, true); err != nil {
		return fmt.Errorf("staff: activate staff %d: %w", staffID, err)
	}
	return nil
}
