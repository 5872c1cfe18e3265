package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/kedja/kedja/app/demo"
	"github.com/kedja/kedja/app/domain/signin"
	staffdomain "github.com/kedja/kedja/app/domain/staff"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs, load := flagSet(env, "migrate", "migrate [configuration flags]")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	s, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	applied, err := s.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(env.Stdout, "database is up to date")
	}
	for _, name := range applied {
		fmt.Fprintln(env.Stdout, "applied", name)
	}
	return nil
}

func runDemo(ctx context.Context, env *Env, args []string) error {
	fs, load := flagSet(env, "demo", "demo [configuration flags]")
	if err := parse(fs, args); err != nil {
		return err
	}
	_, s, err := open(ctx, load)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := demo.Load(ctx, s, time.Now()); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "demo data loaded")
	return nil
}

func runStaff(ctx context.Context, env *Env, args []string) error {
	const usage = `staff add --email E --name "Full Name" --title T [--phone P] [--manager EMAIL] [--admin]`
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(env.Stdout, "Usage: kedja "+usage)
			return nil
		}
		return usagef("usage: kedja %s", usage)
	}
	fs, load := flagSet(env, "staff add", usage)
	email := fs.String("email", "", "the staff member's email address (required)")
	name := fs.String("name", "", "full name, as customers will see it (required)")
	title := fs.String("title", "", "role or title, such as \"Customer service\" (required)")
	phone := fs.String("phone", "", "phone number customers may call")
	manager := fs.String("manager", "", "the manager's email address (an existing staff member)")
	admin := fs.Bool("admin", false, "may manage staff, settings and API keys")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	addr, err := signin.ParseAddress(*email)
	switch {
	case *email == "":
		return usagef("--email is required")
	case err != nil:
		return usagef("--email %q: %v", *email, err)
	case strings.TrimSpace(*name) == "":
		return usagef("--name is required: the full name customers will see")
	case !validFullName(*name):
		return usagef("--name %q: %s", strings.TrimSpace(*name), staffdomain.ErrFullName.Error())
	case strings.TrimSpace(*title) == "":
		return usagef("--title is required, such as \"Customer service\"")
	case fs.NArg() > 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	_, s, err := open(ctx, load)
	if err != nil {
		return err
	}
	defer s.Close()
	full, _ := staffdomain.FullName(*name)
	st := &model.Staff{Email: addr, FullName: full, Title: strings.TrimSpace(*title),
		Phone: strings.TrimSpace(*phone), IsAdmin: *admin, Active: true}
	if *manager != "" {
		m, err := s.StaffByEmail(ctx, *manager)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("--manager %q is not a staff member: add the manager first", *manager)
		}
		if err != nil {
			return err
		}
		if strings.EqualFold(m.Email, addr) {
			return usagef("--manager cannot be the staff member themself")
		}
		st.ManagerID = &m.ID
	}
	if _, err := s.SaveStaff(ctx, st); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, st.ID)
	return nil
}

// validFullName reports whether name is a full name as the admin form
// asks for one (staff.FullName).
func validFullName(name string) bool {
	_, err := staffdomain.FullName(name)
	return err == nil
}

func runVersion(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] != "-h" && args[0] != "--help" {
		return usagef("version takes no arguments")
	}
	fmt.Fprintf(env.Stdout, "kedja %s (%s)\n", Version, runtime.Version())
	return nil
}

func runHealthcheck(ctx context.Context, env *Env, args []string) error {
	fs, load := flagSet(env, "healthcheck", "healthcheck [configuration flags]")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(cfg.Addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("unhealthy: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unhealthy: /healthz answered %s", resp.Status)
	}
	fmt.Fprintln(env.Stdout, "ok")
	return nil
}
