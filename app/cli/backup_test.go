package cli

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

func TestBackupCommand(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"KEDJA_DATABASE_URL": "sqlite://" + filepath.Join(dir, "k.db")}
	if code, _, stderr := run(t, vars, "staff", "add", "--email", "anna@shop.example", "--name", "Anna Holm", "--title", "Florist"); code != 0 {
		t.Fatalf("staff add: %d %s", code, stderr)
	}
	copyPath := filepath.Join(dir, "copy.db")
	code, out, stderr := run(t, vars, "backup", copyPath)
	if code != 0 || !strings.Contains(out, "backed up") || stderr != "" {
		t.Fatalf("backup: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	db, err := sql.Open("sqlite", "file:"+copyPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check, name string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check %q %v", check, err)
	}
	if err := db.QueryRow("SELECT full_name FROM staff").Scan(&name); err != nil || name != "Anna Holm" {
		t.Fatalf("the copy's staff: %q %v", name, err)
	}

	for _, tc := range []struct {
		name    string
		vars    map[string]string
		args    []string
		code    int
		errWant string
	}{
		{"no file", vars, []string{"backup"}, 2, "kedja backup FILE"},
		{"two files", vars, []string{"backup", "a.db", "b.db"}, 2, "kedja backup FILE"},
		{"existing file", vars, []string{"backup", copyPath}, 2, "already exists"},
		{"postgres", map[string]string{"KEDJA_DATABASE_URL": "postgres://kedja@db.example:5432/kedja"}, []string{"backup", filepath.Join(dir, "pg.db")}, 2, "pg_dump"},
		{"memory", map[string]string{"KEDJA_DATABASE_URL": "sqlite://:memory:"}, []string{"backup", filepath.Join(dir, "m.db")}, 2, ":memory:"},
		{"no database", map[string]string{"KEDJA_DATABASE_URL": "sqlite://" + filepath.Join(dir, "none.db")}, []string{"backup", filepath.Join(dir, "n.db")}, 1, "no SQLite database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, tc.vars, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.errWant) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Fatalf("exit %d, stderr %q; want %d and one line with %q", code, stderr, tc.code, tc.errWant)
			}
		})
	}
}
