package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

func TestImportOrdersUsage(t *testing.T) {
	db := map[string]string{"KEDJA_DATABASE_URL": "sqlite://" + filepath.Join(t.TempDir(), "k.db")}
	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		out, errw string
	}{
		{"no subcommand", []string{"import"}, 2, "", "usage: kedja import orders"},
		{"other subcommand", []string{"import", "customers", "x.csv"}, 2, "", "usage: kedja import orders"},
		{"no file", []string{"import", "orders"}, 2, "", "give one file"},
		{"two files", []string{"import", "orders", "a.csv", "b.csv"}, 2, "", "give one file"},
		{"bad flag", []string{"import", "orders", "--nope", "a.csv"}, 2, "", "flag provided but not defined"},
		{"help", []string{"import", "--help"}, 0, "Exit status: 0 when every row imported, 1 when some rows failed", ""},
		{"orders help", []string{"import", "orders", "--help"}, 0, "order_ref, customer_email and status are required", ""},
		{"missing file", []string{"import", "orders", filepath.Join(t.TempDir(), "nope.csv")}, 1, "", "cannot read the CSV file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errw := run(t, db, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errw, tc.errw) {
				t.Fatalf("exit %d\nstdout %q\nstderr %q\nwant %d, %q, %q", code, out, errw, tc.code, tc.out, tc.errw)
			}
		})
	}
}

func TestImportOrdersCommand(t *testing.T) {
	for _, dialect := range testenv.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			vars := map[string]string{"KEDJA_DATABASE_URL": testenv.DatabaseURL(t, dialect)}
			if code, _, errw := run(t, vars, "staff", "add", "--email", "anna@shop.example", "--name", "Anna Holm", "--title", "Florist"); code != 0 {
				t.Fatalf("staff add: %d %s", code, errw)
			}
			dir := t.TempDir()
			write := func(name, body string) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}
			mixed := write("mixed.csv", "\xEF\xBB\xBForder_ref;customer_email;status;items;total;currency\r\n"+
				"K-1;ann@example.com;confirmed;\"2x Roser; 1x Kort\";499,00;DKK\r\n"+
				"K-2;ann@example.com;sent;;;\r\n"+
				"K-3;bo@example.com;shipped;1x Buket;;\r\n")

			code, out, errw := run(t, vars, "import", "orders", mixed)
			if code != 1 || out != "created 2, updated 0, unchanged 0, failed 1\n" ||
				!strings.HasPrefix(errw, "line 3: status: one of received, confirmed") || !strings.Contains(errw, "1 of 3 rows failed") {
				t.Fatalf("first import: exit %d\nstdout %q\nstderr %q", code, out, errw)
			}
			code, out, errw = run(t, vars, "import", "orders", mixed)
			if code != 1 || out != "created 0, updated 0, unchanged 2, failed 1\n" || strings.Count(errw, "line 3:") != 1 {
				t.Fatalf("second import: exit %d\nstdout %q\nstderr %q", code, out, errw)
			}
			good := write("good.csv", "order_ref,customer_email,status\nK-1,ann@example.com,processing\nK-4,cy@example.com,received\n")
			if code, out, errw := run(t, vars, "import", "orders", good); code != 0 || out != "created 1, updated 1, unchanged 0, failed 0\n" || errw != "" {
				t.Fatalf("good file: exit %d\nstdout %q\nstderr %q", code, out, errw)
			}
			bad := write("bad.csv", "order_ref,customer_email,status,colour\nK-9,x@example.com,received,red\n")
			if code, out, errw := run(t, vars, "import", "orders", bad); code != 1 || out != "" ||
				strings.Count(errw, "\n") != 1 || !strings.Contains(errw, `csv: line 1: unknown column "colour"`) {
				t.Fatalf("unknown column: exit %d\nstdout %q\nstderr %q", code, out, errw)
			}

			s, err := store.Open(context.Background(), vars["KEDJA_DATABASE_URL"])
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			o, err := s.OrderByRef(context.Background(), "K-1")
			if err != nil || o.Status != "processing" || o.Total != "" || o.Owner.Email != "anna@shop.example" {
				t.Fatalf("K-1 after the imports: %+v %v", o, err)
			}
			if _, err := s.OrderByRef(context.Background(), "K-9"); err == nil {
				t.Fatal("a file with an unknown column imported a row")
			}
		})
	}
}

// TestImportOrdersFromStdin reads "-" from standard input (os.Stdin is
// swapped for a file, so this test is not parallel).
func TestImportOrdersFromStdin(t *testing.T) {
	vars := map[string]string{"KEDJA_DATABASE_URL": "sqlite://" + filepath.Join(t.TempDir(), "k.db")}
	if code, _, errw := run(t, vars, "staff", "add", "--email", "anna@shop.example", "--name", "Anna Holm", "--title", "Florist"); code != 0 {
		t.Fatalf("staff add: %d %s", code, errw)
	}
	p := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(p, []byte("order_ref,customer_email,status\nIN-1,ann@example.com,received\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stdin := os.Stdin
	os.Stdin = f
	t.Cleanup(func() { os.Stdin = stdin })
	if code, out, errw := run(t, vars, "import", "orders", "-"); code != 0 || out != "created 1, updated 0, unchanged 0, failed 0\n" {
		t.Fatalf("stdin: exit %d %q %q", code, out, errw)
	}
}
