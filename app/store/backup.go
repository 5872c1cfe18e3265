package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrBackupUnsupported is returned by Backup on PostgreSQL, whose own tools
// (pg_dump) make consistent online copies.
var ErrBackupUnsupported = errors.New("kedja backup copies SQLite databases; back up PostgreSQL with pg_dump (see README, Backup and restore)")

// Backup writes a consistent copy of the SQLite database to path while other
// connections (a running server) go on reading and writing: VACUUM INTO
// reads one snapshot in a read transaction, so it waits for no writer and
// no writer waits for it. The copy is written beside path under a
// temporary name and renamed into place when complete, so path never holds
// half a copy. A path that exists when it starts is not overwritten.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect != "sqlite" {
		return ErrBackupUnsupported
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("store: backup: %s already exists: %w", path, os.ErrExist)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".part-*")
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	name := tmp.Name()
	tmp.Close()
	// VACUUM INTO refuses an existing file, even an empty one.
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.Remove(name)
		}
	}()
	// The readers are query_only, which refuses VACUUM INTO: the copy goes
	// through the writer connection, where it is still a read transaction of
	// the database (other processes' writers carry on in WAL mode).
	if _, err := s.db.NewRaw("VACUUM INTO ?", name).Exec(ctx); err != nil {
		return fmt.Errorf("store: backup: vacuum into %s: %w", name, err)
	}
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		return fmt.Errorf("store: backup: sync %s: %w", name, err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	done = true
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
