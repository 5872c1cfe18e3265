package store

import (
	"context"
	"errors"
	"fmt"
)

// Savepoint runs fn as a unit inside the surrounding transaction: when fn
// fails, its writes and the AfterCommit functions it registered are undone
// and the transaction carries on (on PostgreSQL also after an SQL error,
// which would otherwise abort the whole transaction). Outside a transaction
// it is WithTx. Bulk work (the CSV import) uses it to put many rows in one
// transaction without one bad row taking the others with it.
func (s *Store) Savepoint(ctx context.Context, fn func(tx *Store) error) error {
	if !s.InTx() {
		return s.WithTx(ctx, fn)
	}
	n := len(*s.afterCommit)
	if _, err := s.w.NewRaw("SAVEPOINT kedja_sp").Exec(ctx); err != nil {
		return fmt.Errorf("store: savepoint: %w", err)
	}
	if err := fn(s); err != nil {
		if _, rerr := s.w.NewRaw("ROLLBACK TO SAVEPOINT kedja_sp").Exec(ctx); rerr != nil {
			return errors.Join(err, fmt.Errorf("store: roll back to savepoint: %w", rerr))
		}
		*s.afterCommit = (*s.afterCommit)[:n]
		// ROLLBACK TO keeps the savepoint; release it so nesting stays flat.
		if _, rerr := s.w.NewRaw("RELEASE SAVEPOINT kedja_sp").Exec(ctx); rerr != nil {
			return errors.Join(err, fmt.Errorf("store: release savepoint: %w", rerr))
		}
		return err
	}
	if _, err := s.w.NewRaw("RELEASE SAVEPOINT kedja_sp").Exec(ctx); err != nil {
		return fmt.Errorf("store: release savepoint: %w", err)
	}
	return nil
}
