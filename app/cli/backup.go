package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/kedja/kedja/app/config"
	"github.com/kedja/kedja/app/store"
)

const backupUsage = "backup [configuration flags] FILE"

const backupHelp = `Write a consistent copy of the SQLite database (KEDJA_DATABASE_URL) to FILE
while the server keeps running (SQLite's VACUUM INTO: one snapshot, taken
without stopping writers). FILE must not exist. The copy is a complete SQLite
database: to restore, stop Kedja, put the copy in place of the database file
(remove its -wal and -shm files) and start Kedja again.

Migrations are not applied: take the backup with the new binary before an
upgrade. On PostgreSQL use pg_dump instead (see README, "Backup and restore").
`

// runBackup is `kedja backup FILE`.
func runBackup(ctx context.Context, env *Env, args []string) error {
	fs, load := flagSet(env, "backup", backupUsage)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: kedja %s\n\n%s\nFlags:\n", backupUsage, backupHelp)
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || fs.Arg(0) == "" {
		return usagef("give the file to write: kedja backup FILE")
	}
	file := fs.Arg(0)
	cfg, err := load()
	if err != nil {
		return err
	}
	driver, path, err := config.ParseDatabaseURL(cfg.DatabaseURL)
	switch {
	case err != nil:
		return err
	case driver == "postgres":
		return usagef("%v", store.ErrBackupUnsupported)
	case path == ":memory:":
		return usagef("KEDJA_DATABASE_URL is sqlite://:memory:, which keeps nothing to back up")
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no SQLite database at %s (KEDJA_DATABASE_URL): %w", path, err)
	}
	if _, err := os.Lstat(file); err == nil {
		return usagef("%s already exists: give a new file name (a backup never overwrites)", file)
	}
	s, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Backup(ctx, file); err != nil {
		if errors.Is(err, os.ErrExist) {
			return usagef("%s already exists: give a new file name (a backup never overwrites)", file)
		}
		return err
	}
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backed up %s to %s (%d bytes)\n", path, file, st.Size())
	return nil
}
