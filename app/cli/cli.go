// Package cli is Kedja's command line: serve, migrate, demo, staff add,
// apikey create, import orders, backup, version and healthcheck. Exit status 0 on
// success, 1 on a runtime failure, 2 on bad usage, with one line on stderr.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/kedja/kedja/app/config"
	"github.com/kedja/kedja/app/store"
)

// Version is set at build time with -ldflags "-X github.com/kedja/kedja/app/cli.Version=…".
var Version = "dev"

// Env is what a command runs with.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, when set, is called by serve with the address it listens on.
	Ready func(addr string)
}

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":       {"migrate, then serve HTTP (--demo loads the demo data first)", runServe},
		"migrate":     {"apply pending migrations and exit", runMigrate},
		"demo":        {"load the demo data (idempotent) and exit", runDemo},
		"staff":       {"staff add --email E --name \"Full Name\" --title T [--phone P] [--manager EMAIL] [--admin]", runStaff},
		"apikey":      {"apikey create --name N: create an API key, printed once", runAPIKey},
		"import":      {"import orders FILE.csv: import orders from CSV", runImport},
		"backup":      {"backup FILE: a consistent copy of the SQLite database while the server runs (PostgreSQL: pg_dump)", runBackup},
		"version":     {"print the version", runVersion},
		"healthcheck": {"call /healthz on this machine's server (for Docker HEALTHCHECK)", runHealthcheck},
	}
}

// Run runs the command in args and returns the exit status.
func Run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return RunEnv(context.Background(), &Env{Stdout: stdout, Stderr: stderr, Getenv: getenv}, args)
}

// RunEnv is Run with a context and an Env (tests use it to learn serve's
// address). SIGINT and SIGTERM cancel the context.
func RunEnv(ctx context.Context, env *Env, args []string) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	name := "serve"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	if name == "-h" || name == "--help" || name == "help" {
		printUsage(env.Stdout)
		return 0
	}
	cmd, ok := commands()[name]
	if !ok {
		fmt.Fprintf(env.Stderr, "kedja: unknown command %q; run `kedja help` for the list\n", name)
		return 2
	}
	err := cmd.run(ctx, env, args)
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "kedja %s: %s\n", name, oneLine(ue.msg))
		return 2
	default:
		fmt.Fprintf(env.Stderr, "kedja %s: %s\n", name, oneLine(err.Error()))
		return 1
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: kedja [command] [flags]   (no command: serve)")
	fmt.Fprintln(w, "\nCommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nConfiguration (environment; a flag of the same name in kebab case overrides, e.g. --database-url):")
	for _, v := range config.Vars {
		fmt.Fprintf(w, "  %-22s %s (default %q)\n", v.Name, v.Help, v.Default)
	}
}

// flagSet returns a FlagSet for a command with the configuration flags
// (--addr, --database-url, …) that override the environment.
func flagSet(env *Env, name, usage string) (*flag.FlagSet, func() (config.Config, error)) {
	fs := flag.NewFlagSet("kedja "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stdout) // where --help goes; parse keeps errors off it
	overrides := map[string]*string{}
	for _, v := range config.Vars {
		flagName := strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(v.Name, "KEDJA_")), "_", "-")
		overrides[v.Name] = fs.String(flagName, "", v.Help+" (overrides "+v.Name+")")
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: kedja %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	load := func() (config.Config, error) {
		return config.Load(func(k string) string {
			if p := overrides[k]; p != nil && *p != "" {
				return *p
			}
			return env.Getenv(k)
		})
	}
	return fs, load
}

// parse parses flags. A bad flag is a usage error (exit 2) that the caller
// prints as one line on stderr; --help prints the usage on stdout (exit 0).
func parse(fs *flag.FlagSet, args []string) error {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
		return err
	}
	if err != nil {
		return usagef("%v (see --help)", err)
	}
	return nil
}

// open loads the configuration and opens and migrates the database.
func open(ctx context.Context, load func() (config.Config, error)) (config.Config, *store.Store, error) {
	cfg, err := load()
	if err != nil {
		return cfg, nil, err
	}
	s, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return cfg, nil, err
	}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		return cfg, nil, err
	}
	if _, err := s.EnsureSettings(ctx, cfg.BusinessName); err != nil {
		s.Close()
		return cfg, nil, err
	}
	return cfg, s, nil
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
