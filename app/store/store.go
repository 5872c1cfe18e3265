// Package store is Kedja's data layer: bun over SQLite or PostgreSQL, chosen
// by URL, with the same code above the driver. It never imports echo.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/migrate"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" database/sql driver

	"github.com/kedja/kedja/app/config"
	"github.com/kedja/kedja/migrations"
)

// ErrNotFound is returned (wrapped) when a row does not exist or is not the
// caller's to see. The web layer turns it into a 404 in one place.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned (wrapped) when a change collides with another one,
// such as a second staff member with the same address.
var ErrConflict = errors.New("conflict")

// Store reads and writes Kedja's data. Outside a transaction, reads go
// through a pool of readers and writes through one writer connection (on
// SQLite, so concurrent requests never see "database is locked"); inside
// WithTx both go through the transaction.
type Store struct {
	db  *bun.DB // writer
	rdb *bun.DB // readers (the same as db on PostgreSQL)
	w   bun.IDB
	r   bun.IDB

	dialect     string
	afterCommit *[]func()
	wake        func()
	pinned      *bun.Conn // in WithBulkTx on PostgreSQL: the transaction's connection, for COPY
	groups      *groups   // Group's queues, shared by the stores made from one Open
}

// Open connects to the database named by a KEDJA_DATABASE_URL.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	driver, dsn, err := config.ParseDatabaseURL(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	var s *Store
	switch driver {
	case "sqlite":
		s, err = openSQLite(dsn)
	case "postgres":
		s, err = openPostgres(dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", driver, err)
	}
	return s, nil
}

func openSQLite(path string) (*Store, error) {
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	if path == ":memory:" {
		// A uniquely named shared in-memory database, through one connection:
		// plain :memory: would give each pooled connection its own database.
		var b [8]byte
		_, _ = rand.Read(b[:])
		sqldb, err := sql.Open("sqlite", "file:kedja-"+hex.EncodeToString(b[:])+"?mode=memory&cache=shared&"+pragmas)
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		sqldb.SetMaxOpenConns(1)
		sqldb.SetMaxIdleConns(1)
		sqldb.SetConnMaxLifetime(0)
		sqldb.SetConnMaxIdleTime(0)
		db := bun.NewDB(sqldb, sqlitedialect.New())
		return newStore(db, db, "sqlite"), nil
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas + "&_pragma=journal_mode(WAL)"
	wdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %q: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxIdleTime(0)
	wdb.SetConnMaxLifetime(0)
	rdbSQL, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("store: open sqlite %q: %w", path, err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	rdbSQL.SetMaxOpenConns(n)
	rdbSQL.SetMaxIdleConns(n)
	rdbSQL.SetConnMaxIdleTime(0)
	rdbSQL.SetConnMaxLifetime(0)
	return newStore(bun.NewDB(wdb, sqlitedialect.New()), bun.NewDB(rdbSQL, sqlitedialect.New()), "sqlite"), nil
}

func openPostgres(dsn string) (*Store, error) {
	// bun writes the values into the SQL text, so every statement is new to
	// the server: preparing it first (pgx's default) only costs a round
	// trip and fills the statement cache. The simple protocol sends it once.
	if u, err := url.Parse(dsn); err == nil && u.Query().Get("default_query_exec_mode") == "" {
		q := u.Query()
		q.Set("default_query_exec_mode", "simple_protocol")
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	sqldb, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	sqldb.SetMaxOpenConns(max(8, 4*runtime.GOMAXPROCS(0)))
	sqldb.SetMaxIdleConns(max(8, 4*runtime.GOMAXPROCS(0)))
	db := bun.NewDB(sqldb, pgdialect.New())
	return newStore(db, db, "postgres"), nil
}

func newStore(db, rdb *bun.DB, dialect string) *Store {
	return &Store{db: db, rdb: rdb, w: db, r: rdb, dialect: dialect, groups: &groups{queues: map[string]*groupQueue{}}}
}

// Dialect is "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect }

// DB is the writer bun.DB, for code (the mailer's claim) that needs
// dialect-specific SQL.
func (s *Store) DB() *bun.DB { return s.db }

// IDB is what this store writes through: the transaction inside WithTx, else
// the writer connection.
func (s *Store) IDB() bun.IDB { return s.w }

// RIDB is what this store reads through.
func (s *Store) RIDB() bun.IDB { return s.r }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.PingContext(ctx); err != nil {
		return err
	}
	var one int
	return s.r.NewRaw("SELECT 1").Scan(ctx, &one)
}

// Close closes every connection.
func (s *Store) Close() error {
	err := s.db.Close()
	if s.rdb != s.db {
		err = errors.Join(err, s.rdb.Close())
	}
	return err
}

// InTx reports whether s is bound to a transaction.
func (s *Store) InTx() bool { return s.afterCommit != nil }

// WithTx runs fn in one transaction: on SQLite through the single writer with
// BEGIN IMMEDIATE, so a transaction never fails half-way for a lock. If fn
// returns an error the transaction is rolled back. Functions registered with
// AfterCommit run once the commit succeeded. Nested calls join the outer
// transaction.
func (s *Store) WithTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.InTx() {
		return fn(s)
	}
	var after []func()
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		txs := &Store{db: s.db, rdb: s.rdb, w: tx, r: tx, dialect: s.dialect, afterCommit: &after, wake: s.wake, groups: s.groups}
		return fn(txs)
	})
	if err != nil {
		return err
	}
	for _, f := range after {
		f()
	}
	return nil
}

// AfterCommit registers f to run after the surrounding transaction commits
// (live events are published this way); outside a transaction it runs now.
func (s *Store) AfterCommit(f func()) {
	if s.afterCommit == nil {
		f()
		return
	}
	*s.afterCommit = append(*s.afterCommit, f)
}

// Migrate applies pending migrations and returns the names it applied.
//
// On PostgreSQL several instances may start at once against one database:
// each takes a transaction-level advisory lock (one per schema) first, so
// they migrate one after the other and the later ones find nothing to do.
// The lock goes with the locking transaction, so a crashed instance never
// leaves it held. On SQLite the one writer (and bun's lock row) is enough.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	m, _, err := s.migrator()
	if err != nil {
		return nil, err
	}
	if s.dialect == "postgres" {
		lock, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("store: migration lock: %w", err)
		}
		defer lock.Rollback() //nolint:errcheck // it only ever held the lock
		if _, err := lock.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext('kedja:migrate:' || current_schema()))"); err != nil {
			return nil, fmt.Errorf("store: migration lock: %w", err)
		}
		if err := m.Init(ctx); err != nil {
			return nil, fmt.Errorf("store: init migrations: %w", err)
		}
		return applied(m.Migrate(ctx))
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("store: init migrations: %w", err)
	}
	if err := m.Lock(ctx); err != nil {
		return nil, fmt.Errorf("store: lock migrations: %w", err)
	}
	defer m.Unlock(ctx) //nolint:errcheck
	return applied(m.Migrate(ctx))
}

// PendingMigrations names the migrations this binary has that the database
// has not applied (all of them on a database never migrated).
func (s *Store) PendingMigrations(ctx context.Context) ([]string, error) {
	m, ms, err := s.migrator()
	if err != nil {
		return nil, err
	}
	var exists bool
	q := "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'bun_migrations')"
	if s.dialect == "postgres" {
		q = "SELECT to_regclass('bun_migrations') IS NOT NULL"
	}
	if err := s.r.NewRaw(q).Scan(ctx, &exists); err != nil {
		return nil, fmt.Errorf("store: pending migrations: %w", err)
	}
	var names []string
	if !exists {
		for _, mg := range ms.Sorted() {
			names = append(names, mg.Name+"_"+mg.Comment)
		}
		return names, nil
	}
	list, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: pending migrations: %w", err)
	}
	for _, mg := range list.Unapplied() {
		names = append(names, mg.Name+"_"+mg.Comment)
	}
	return names, nil
}

// migrator is bun's migrator over this dialect's embedded migrations.
func (s *Store) migrator() (*migrate.Migrator, *migrate.Migrations, error) {
	sub, err := fs.Sub(migrations.FS, s.dialect)
	if err != nil {
		return nil, nil, fmt.Errorf("store: migrations: %w", err)
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(sub); err != nil {
		return nil, nil, fmt.Errorf("store: discover migrations: %w", err)
	}
	return migrate.NewMigrator(s.db, ms, migrate.WithMarkAppliedOnSuccess(true)), ms, nil
}

// applied lists the names of a migration group.
func applied(group *migrate.MigrationGroup, err error) ([]string, error) {
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	var names []string
	for _, mg := range group.Migrations {
		names = append(names, mg.Name+"_"+mg.Comment)
	}
	return names, nil
}

// isUniqueViolation reports whether err is a unique-constraint violation on
// either database.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505") ||
		strings.Contains(msg, "duplicate key value")
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
