package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/kedja/kedja/app/model"
)

// CustomerByEmail finds a customer by address, ignoring case.
func (s *Store) CustomerByEmail(ctx context.Context, email string) (*model.Customer, error) {
	c := new(model.Customer)
	err := s.r.NewSelect().Model(c).Where("lower(email) = ?", strings.ToLower(strings.TrimSpace(email))).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: customer %q: %w", email, notFound(err))
	}
	return c, nil
}

// CustomerByID finds a customer by id.
func (s *Store) CustomerByID(ctx context.Context, id int64) (*model.Customer, error) {
	c := new(model.Customer)
	if err := s.r.NewSelect().Model(c).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: customer %d: %w", id, notFound(err))
	}
	return c, nil
}

// UpsertCustomer finds the customer by address or creates them. A non-empty
// name fills in or updates the stored one; a locale from order data is kept
// only until the customer chooses one in the portal.
func (s *Store) UpsertCustomer(ctx context.Context, email, name, locale string) (*model.Customer, bool, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := model.Now()
	c, err := s.CustomerByEmail(ctx, email)
	if isNotFound(err) {
		c = &model.Customer{Email: email, Name: name, Locale: locale, CreatedAt: now, UpdatedAt: now}
		if _, err := s.w.NewInsert().Model(c).Exec(ctx); err != nil {
			if isUniqueViolation(err) {
				return nil, false, fmt.Errorf("store: insert customer %q: %w", email, ErrConflict)
			}
			return nil, false, fmt.Errorf("store: insert customer %q: %w", email, err)
		}
		return c, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	changed := false
	if name != "" && name != c.Name {
		c.Name, changed = name, true
	}
	if locale != "" && locale != c.Locale && !c.LocaleSet {
		c.Locale, changed = locale, true
	}
	if changed {
		c.UpdatedAt = now
		if _, err := s.w.NewUpdate().Model(c).Column("name", "locale", "updated_at").WherePK().Exec(ctx); err != nil {
			return nil, false, fmt.Errorf("store: update customer %q: %w", email, err)
		}
	}
	return c, false, nil
}

// UpdateCustomerProfile saves what the customer edits on /me: their name and
// chosen language.
func (s *Store) UpdateCustomerProfile(ctx context.Context, id int64, name, locale string) error {
	_, err := s.w.NewUpdate().Model((*model.Customer)(nil)).
		Set("name = ?", name).Set("locale = ?", locale).Set("locale_set = ?", locale != "").
		Set("updated_at = ?", model.Now()).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: update customer %d: %w", id, err)
	}
	return nil
}

// SearchCustomers finds customers whose name or address contains q.
func (s *Store) SearchCustomers(ctx context.Context, q string, limit int) ([]*model.Customer, error) {
	var list []*model.Customer
	sel := s.r.NewSelect().Model(&list).OrderExpr("name, id").Limit(int64(limit))
	if q = strings.ToLower(strings.TrimSpace(q)); q != "" {
		like := "%" + escapeLike(q) + "%"
		sel = sel.Where("lower(email) LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\'", like, like)
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: search customers: %w", err)
	}
	return list, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Facts returns what the business keeps about a customer.
func (s *Store) Facts(ctx context.Context, customerID int64) ([]*model.CustomerFact, error) {
	var list []*model.CustomerFact
	if err := s.r.NewSelect().Model(&list).Where("customer_id = ?", customerID).Order("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: facts of customer %d: %w", customerID, err)
	}
	return list, nil
}

// AddFact records a new fact about a customer.
func (s *Store) AddFact(ctx context.Context, f *model.CustomerFact) error {
	f.UpdatedAt = model.Now()
	if _, err := s.w.NewInsert().Model(f).Exec(ctx); err != nil {
		return fmt.Errorf("store: add fact: %w", err)
	}
	return nil
}

// UpdateFact changes a fact's value, scoped to its customer: another
// customer's fact is ErrNotFound.
func (s *Store) UpdateFact(ctx context.Context, customerID, factID int64, label, value, by string) error {
	res, err := s.w.NewUpdate().Model((*model.CustomerFact)(nil)).
		Set("label = ?", label).Set("value = ?", value).Set("updated_by = ?", by).Set("updated_at = ?", model.Now()).
		Where("id = ? AND customer_id = ?", factID, customerID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: update fact %d: %w", factID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: fact %d: %w", factID, ErrNotFound)
	}
	return nil
}
