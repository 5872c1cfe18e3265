package cli

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kedja/kedja/app/config"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web"
)

func TestAPIKeyCreate(t *testing.T) {
	vars := map[string]string{"KEDJA_DATABASE_URL": "sqlite://" + filepath.Join(t.TempDir(), "k.db")}
	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		errWant string
		outWant string
	}{
		{"no subcommand", []string{"apikey"}, 2, "usage: kedja apikey create --name N", ""},
		{"unknown subcommand", []string{"apikey", "delete"}, 2, "usage: kedja apikey create --name N", ""},
		{"missing --name", []string{"apikey", "create"}, 2, "--name is required", ""},
		{"blank --name", []string{"apikey", "create", "--name", "  "}, 2, "give the key a name", ""},
		{"stray argument", []string{"apikey", "create", "--name", "web", "shop"}, 2, `unexpected argument "shop"`, ""},
		{"bad flag", []string{"apikey", "create", "--nme", "web-shop"}, 2, "flag provided but not defined", ""},
		{"help", []string{"apikey", "--help"}, 0, "", "Usage: kedja apikey create --name N"},
		{"create help", []string{"apikey", "create", "--help"}, 0, "", "-name string"},
		{"unreachable database", []string{"apikey", "create", "--name", "web-shop", "--database-url", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"}, 1, "store: connect to postgres", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, vars, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.errWant) || !strings.Contains(stdout, tc.outWant) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %d, %q and %q", code, stdout, stderr, tc.code, tc.outWant, tc.errWant)
			}
			if code != 0 && strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Fatalf("the error should be one line, got %q", stderr)
			}
		})
	}

	code, out, stderr := run(t, vars, "apikey", "create", "--name", "web-shop")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	key := lines[len(lines)-1]
	if code != 0 || !regexp.MustCompile(`^kedja_[A-Za-z0-9_-]{43}$`).MatchString(key) {
		t.Fatalf("create: exit %d, stdout %q, stderr %q; want the key alone on the last line", code, out, stderr)
	}
	// A second active key of the same name is refused (a runtime state, exit 1).
	if code, _, stderr := run(t, vars, "apikey", "create", "--name", "web-shop"); code != 1 || !strings.Contains(stderr, "already called") {
		t.Fatalf("same name again: exit %d, %q", code, stderr)
	}

	// The printed key authenticates against the real server on that database.
	ctx := context.Background()
	s, err := store.Open(ctx, vars["KEDJA_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(wire(cfg, s, cat, live.NewHub(), slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	for _, tc := range []struct {
		key  string
		want int
	}{{key, http.StatusNotFound}, {key[:10] + map[bool]string{true: "B", false: "A"}[key[10] == 'A'] + key[11:], http.StatusUnauthorized}} {
		req, _ := http.NewRequest(http.MethodGet, hs.URL+"/api/v1/orders/NONE-1", nil)
		req.Header.Set("Authorization", "Bearer "+tc.key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Fatalf("key %q…: %d, want %d", tc.key[:10], resp.StatusCode, tc.want)
		}
	}
}
