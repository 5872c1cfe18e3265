// Package testenv gives tests the real components they run against: a fresh
// migrated SQLite database in t.TempDir(), a fresh PostgreSQL schema when
// KEDJA_TEST_POSTGRES holds a URL, and the rule that a missing component
// skips locally but fails when KEDJA_REQUIRE_ALL=1 (CI).
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/kedja/kedja/app/store"
)

// Missing skips the test because component is absent, or fails it when
// KEDJA_REQUIRE_ALL=1.
func Missing(t testing.TB, component, why string) {
	t.Helper()
	if os.Getenv("KEDJA_REQUIRE_ALL") == "1" {
		t.Fatalf("%s is required (KEDJA_REQUIRE_ALL=1) but missing: %s", component, why)
	}
	t.Skipf("%s missing, skipping: %s", component, why)
}

// Dialects lists the databases the tests can run on here: always "sqlite",
// and "postgres" when KEDJA_TEST_POSTGRES is set. With KEDJA_REQUIRE_ALL=1
// and no PostgreSQL URL, asking for them fails the test.
func Dialects(t testing.TB) []string {
	t.Helper()
	if os.Getenv("KEDJA_TEST_POSTGRES") != "" {
		return []string{"sqlite", "postgres"}
	}
	if os.Getenv("KEDJA_REQUIRE_ALL") == "1" {
		t.Fatalf("PostgreSQL is required (KEDJA_REQUIRE_ALL=1): set KEDJA_TEST_POSTGRES")
	}
	return []string{"sqlite"}
}

// EachDB runs fn as a subtest on a fresh, migrated store of every dialect.
func EachDB(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range Dialects(t) {
		t.Run(d, func(t *testing.T) { fn(t, NewStore(t, d)) })
	}
}

// NewStore opens a fresh, migrated store of the given dialect, closed when
// the test ends.
func NewStore(t testing.TB, dialect string) *store.Store {
	t.Helper()
	u := DatabaseURL(t, dialect)
	ctx := context.Background()
	s, err := store.Open(ctx, u)
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", dialect, err)
	}
	return s
}

// DatabaseURL returns a KEDJA_DATABASE_URL for a fresh, empty database of the
// given dialect: a file in t.TempDir(), or a new PostgreSQL schema dropped
// when the test ends.
func DatabaseURL(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case "sqlite":
		return "sqlite://" + filepath.Join(t.TempDir(), "kedja.db")
	case "postgres":
		base := os.Getenv("KEDJA_TEST_POSTGRES")
		if base == "" {
			Missing(t, "PostgreSQL", "KEDJA_TEST_POSTGRES is empty")
		}
		var b [6]byte
		_, _ = rand.Read(b[:])
		schema := "kedja_test_" + hex.EncodeToString(b[:])
		db, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatalf("postgres: %v", err)
		}
		if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
			db.Close()
			t.Fatalf("postgres: create schema: %v", err)
		}
		t.Cleanup(func() {
			_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		})
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("KEDJA_TEST_POSTGRES: %v", err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	t.Fatalf("unknown dialect %q", dialect)
	return ""
}
