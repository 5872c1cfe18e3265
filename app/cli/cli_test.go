package cli

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/store"
)

func run(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := RunEnv(context.Background(), &Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}, args)
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	db := map[string]string{"KEDJA_DATABASE_URL": "sqlite://" + filepath.Join(t.TempDir(), "k.db")}
	for _, tc := range []struct {
		name    string
		vars    map[string]string
		args    []string
		code    int
		errWant string
	}{
		{"unknown command", db, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"bad flag", db, []string{"migrate", "--nope"}, 2, "flag provided but not defined"},
		{"bad flag of staff add", db, []string{"staff", "add", "--nope"}, 2, "flag provided but not defined"},
		{"bad flag of serve", db, []string{"serve", "--nope"}, 2, "flag provided but not defined"},
		{"staff add help", nil, []string{"staff", "add", "--help"}, 0, ""},
		{"bad database scheme", map[string]string{"KEDJA_DATABASE_URL": "mysql://x"}, []string{"migrate"}, 1, "KEDJA_DATABASE_URL: unsupported scheme"},
		{"flag overrides env", map[string]string{"KEDJA_DATABASE_URL": "mysql://x"}, []string{"migrate", "--database-url", db["KEDJA_DATABASE_URL"]}, 0, ""},
		{"staff add without name", db, []string{"staff", "add", "--email", "a@b.example", "--title", "T"}, 2, "--name is required"},
		{"staff add a first name alone", db, []string{"staff", "add", "--email", "a@b.example", "--name", "  Anna ", "--title", "T"}, 2, `--name "Anna": give the full name (first and last name), never a first name alone`},
		{"staff add bad email", db, []string{"staff", "add", "--email", "a@b.example, c@d.example", "--name", "A B", "--title", "T"}, 2, "--email"},
		{"staff add unknown manager", db, []string{"staff", "add", "--email", "a@b.example", "--name", "A B", "--title", "T", "--manager", "x@y.example"}, 1, "add the manager first"},
		{"version", nil, []string{"version"}, 0, ""},
		{"help", nil, []string{"--help"}, 0, ""},
		{"migrate help", nil, []string{"migrate", "--help"}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.vars, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.errWant) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.errWant)
			}
			if code != 0 && strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Fatalf("an error should be one line, got %q", stderr)
			}
			if code == 0 && strings.HasSuffix(tc.args[len(tc.args)-1], "help") && (!strings.Contains(stdout, "Usage") || stderr != "") {
				t.Fatalf("--help: stdout %q, stderr %q; want the usage on stdout", stdout, stderr)
			}
		})
	}
}

func TestMigrateTwiceAndStaffAdd(t *testing.T) {
	vars := map[string]string{"KEDJA_DATABASE_URL": "sqlite://" + filepath.Join(t.TempDir(), "k.db")}
	if code, out, _ := run(t, vars, "migrate"); code != 0 || !strings.Contains(out, "applied") {
		t.Fatalf("first migrate: %d %q", code, out)
	}
	if code, out, _ := run(t, vars, "migrate"); code != 0 || strings.TrimSpace(out) != "database is up to date" {
		t.Fatalf("second migrate: %d %q", code, out)
	}
	code, out, stderr := run(t, vars, "staff", "add", "--email", "Mette@Shop.example", "--name", "Mette Lindqvist", "--title", "Manager", "--admin")
	if code != 0 || strings.TrimSpace(out) == "" {
		t.Fatalf("staff add: %d %q %q", code, out, stderr)
	}
	code, out2, _ := run(t, vars, "staff", "add", "--email", "anna@shop.example", "--name", "Anna Holm", "--title", "Florist", "--manager", "mette@shop.example")
	if code != 0 || out2 == out {
		t.Fatalf("second staff: %d %q", code, out2)
	}
	// Same address again updates, keeping the id.
	code, out3, _ := run(t, vars, "staff", "add", "--email", "ANNA@shop.example", "--name", "Anna Holm-Berg", "--title", "Florist")
	if code != 0 || out3 != out2 {
		t.Fatalf("update staff: %d %q, want id %q", code, out3, out2)
	}
}

func TestDemoIsIdempotent(t *testing.T) {
	vars := map[string]string{"KEDJA_DATABASE_URL": "sqlite://" + filepath.Join(t.TempDir(), "k.db")}
	for i := 0; i < 2; i++ {
		if code, _, stderr := run(t, vars, "demo"); code != 0 {
			t.Fatalf("demo #%d: %d %s", i+1, code, stderr)
		}
	}
	s, err := store.Open(context.Background(), vars["KEDJA_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	staff, _ := s.ListStaff(context.Background())
	orders, _ := s.SearchOrders(context.Background(), "", 100)
	if len(staff) != 4 || len(orders) != 12 {
		t.Fatalf("after two demo loads: %d staff, %d orders; want 4 and 12", len(staff), len(orders))
	}
}

func TestServeStartsOnEmptyDirAndStops(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(wd) })
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var errb bytes.Buffer
	env := &Env{Stdout: &bytes.Buffer{}, Stderr: &errb, Getenv: envMap{"KEDJA_ADDR": "127.0.0.1:0"}.get, Ready: func(a string) { ready <- a }}
	go func() { done <- RunEnv(ctx, env, []string{"serve", "--demo"}) }()
	var addr string
	select {
	case addr = <-ready:
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errb.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, err := os.Stat(filepath.Join(dir, "kedja.db")); err != nil {
		t.Fatalf("kedja.db not created in the working directory: %v", err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d after shutdown: %s", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

type envMap map[string]string

func (m envMap) get(k string) string { return m[k] }
