// Package config reads Kedja's configuration from the environment once, at
// start, and validates it as a whole.
package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // the zone database is embedded: the binary needs no files beside it
)

// Config is the whole typed configuration of a Kedja process.
type Config struct {
	Addr        string
	BaseURL     *url.URL
	DatabaseURL string
	SMTPURL     *url.URL // nil: mail is written to the log
	SMTPCAFile  string   // KEDJA_SMTP_CA_FILE, "" for none
	// SMTPRootCAs are the certificate authorities trusted for the relay:
	// the system's and those of KEDJA_SMTP_CA_FILE (nil: the system's).
	SMTPRootCAs *x509.CertPool
	MailFrom    *mail.Address
	// MailFromName is KEDJA_MAIL_FROM's display name when the variable is
	// set (not the default's "Kedja"): the From name of every mail. Empty:
	// the business name is.
	MailFromName string
	SessionKey   string // empty: generated once and kept in the database
	BusinessName string
	// InboundSMTPAddr is where the built-in SMTP receiver listens ("" off).
	InboundSMTPAddr string
	// IMAPURL is the mailbox polled for replies and new mail (nil: off).
	IMAPURL        *url.URL
	TrustedProxies []netip.Prefix
	Location       *time.Location // times shown to people are in this zone
}

// Vars lists the environment variables Kedja reads, with their defaults.
var Vars = []struct{ Name, Default, Help string }{
	{"KEDJA_ADDR", ":8080", "listen address"},
	{"KEDJA_BASE_URL", "http://localhost:8080", "public URL used in emailed links"},
	{"KEDJA_DATABASE_URL", "sqlite://kedja.db", "sqlite://PATH (sqlite://:memory: allowed) or postgres://…"},
	{"KEDJA_SMTP_URL", "", "smtp://user:pass@host:port, smtps://…; ?insecure=1 for local relays; empty: mail goes to the log"},
	{"KEDJA_SMTP_CA_FILE", "", "PEM file of CA certificates trusted for the relay, besides the system's"},
	{"KEDJA_MAIL_FROM", "Kedja <no-reply@localhost>", "From address"},
	{"KEDJA_SESSION_KEY", "", "cookie key material (default: generated once and kept in the database)"},
	{"KEDJA_BUSINESS_NAME", "Kedja", "name shown to customers and in mail"},
	{"KEDJA_INBOUND_SMTP_ADDR", "", "listen address of the built-in SMTP receiver for replies and new mail (e.g. 127.0.0.1:2525); empty: off"},
	{"KEDJA_IMAP_URL", "", "imaps://user:pass@host:993/INBOX (or imap://… with STARTTLS) of a mailbox polled for replies and new mail; empty: off"},
	{"KEDJA_TRUSTED_PROXIES", "", "comma-separated CIDRs of proxies whose X-Forwarded-For is believed"},
	{"KEDJA_TIMEZONE", "Europe/Copenhagen", "IANA time zone in which dates and times are shown to people"},
}

// Error names the variable that is wrong and what is expected.
type Error struct {
	Var string
	Msg string
}

func (e *Error) Error() string { return e.Var + ": " + e.Msg }

// Load reads the configuration through getenv (os.Getenv in main) and
// validates it. The error, if any, is one line naming the variable.
func Load(getenv func(string) string) (Config, error) {
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		for _, v := range Vars {
			if v.Name == name {
				return v.Default
			}
		}
		return ""
	}
	var c Config
	var errs []error
	fail := func(v, format string, args ...any) {
		errs = append(errs, &Error{Var: v, Msg: fmt.Sprintf(format, args...)})
	}

	c.Addr = get("KEDJA_ADDR")
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		fail("KEDJA_ADDR", "want host:port such as :8080, got %q", c.Addr)
	}

	base, err := url.Parse(get("KEDJA_BASE_URL"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		fail("KEDJA_BASE_URL", "want an absolute http:// or https:// URL such as https://portal.example.com, got %q", get("KEDJA_BASE_URL"))
	} else {
		base.Path = strings.TrimRight(base.Path, "/")
		c.BaseURL = base
	}

	c.DatabaseURL = get("KEDJA_DATABASE_URL")
	if _, _, err := ParseDatabaseURL(c.DatabaseURL); err != nil {
		fail("KEDJA_DATABASE_URL", "%v", err)
	}

	if s := get("KEDJA_SMTP_URL"); s != "" {
		u, err := url.Parse(s)
		switch {
		case err != nil:
			fail("KEDJA_SMTP_URL", "not a URL: want smtp://user:pass@host:port or smtps://…")
		case u.Scheme != "smtp" && u.Scheme != "smtps":
			fail("KEDJA_SMTP_URL", "unsupported scheme %q: want smtp:// or smtps://", u.Scheme)
		case u.Hostname() == "":
			fail("KEDJA_SMTP_URL", "missing host: want smtp://user:pass@host:port")
		default:
			c.SMTPURL = u
		}
	}

	if f := get("KEDJA_SMTP_CA_FILE"); f != "" {
		pool, err := loadCAFile(f)
		if err != nil {
			fail("KEDJA_SMTP_CA_FILE", "%v", err)
		} else {
			c.SMTPCAFile, c.SMTPRootCAs = f, pool
		}
	}

	from, err := mail.ParseAddress(get("KEDJA_MAIL_FROM"))
	if err != nil {
		fail("KEDJA_MAIL_FROM", "want an address such as \"Shop <no-reply@shop.example>\", got %q", get("KEDJA_MAIL_FROM"))
	} else {
		c.MailFrom = from
		if strings.TrimSpace(getenv("KEDJA_MAIL_FROM")) != "" {
			c.MailFromName = from.Name
		}
	}

	c.SessionKey = getenv("KEDJA_SESSION_KEY")
	if c.SessionKey != "" && len(c.SessionKey) < 32 {
		fail("KEDJA_SESSION_KEY", "too short: want at least 32 characters of random material")
	}

	c.BusinessName = get("KEDJA_BUSINESS_NAME")

	if a := get("KEDJA_INBOUND_SMTP_ADDR"); a != "" {
		if _, _, err := net.SplitHostPort(a); err != nil {
			fail("KEDJA_INBOUND_SMTP_ADDR", "want host:port such as 127.0.0.1:2525 or :25, got %q", a)
		} else {
			c.InboundSMTPAddr = a
		}
	}
	if s := get("KEDJA_IMAP_URL"); s != "" {
		u, err := url.Parse(s)
		switch {
		case err != nil:
			fail("KEDJA_IMAP_URL", "not a URL: want imaps://user:pass@host:993/INBOX")
		case u.Scheme != "imap" && u.Scheme != "imaps":
			fail("KEDJA_IMAP_URL", "unsupported scheme %q: want imaps:// or imap://", u.Scheme)
		case u.Hostname() == "":
			fail("KEDJA_IMAP_URL", "missing host: want imaps://user:pass@host:993/INBOX")
		case u.User == nil || u.User.Username() == "":
			fail("KEDJA_IMAP_URL", "missing user name: want imaps://user:pass@host:993/INBOX")
		default:
			c.IMAPURL = u
		}
	}

	if s := get("KEDJA_TRUSTED_PROXIES"); s != "" {
		for _, part := range strings.Split(s, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if !strings.Contains(part, "/") {
				if a, err := netip.ParseAddr(part); err == nil {
					c.TrustedProxies = append(c.TrustedProxies, netip.PrefixFrom(a, a.BitLen()))
					continue
				}
			}
			p, err := netip.ParsePrefix(part)
			if err != nil {
				fail("KEDJA_TRUSTED_PROXIES", "want comma-separated CIDRs such as 10.0.0.0/8, got %q", part)
				continue
			}
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	tz := get("KEDJA_TIMEZONE")
	if l, err := time.LoadLocation(tz); err != nil {
		fail("KEDJA_TIMEZONE", "want an IANA time zone such as Europe/Copenhagen, got %q", tz)
	} else {
		c.Location = l
	}
	return c, errors.Join(errs...)
}

// loadCAFile is the system's certificate pool plus the PEM certificates in
// file, which must hold at least one.
func loadCAFile(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("cannot read the CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate (want -----BEGIN CERTIFICATE----- blocks)", file)
	}
	return pool, nil
}

// ParseDatabaseURL splits a KEDJA_DATABASE_URL into its driver ("sqlite" or
// "postgres") and what that driver needs (a file path or the postgres URL).
func ParseDatabaseURL(s string) (driver, dsn string, err error) {
	switch {
	case strings.HasPrefix(s, "sqlite://"):
		path := strings.TrimPrefix(s, "sqlite://")
		if path == "" {
			return "", "", errors.New("sqlite:// needs a path, such as sqlite://kedja.db or sqlite://:memory:")
		}
		return "sqlite", path, nil
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return "", "", errors.New("not a valid postgres URL: want postgres://user:pass@host:5432/dbname")
		}
		return "postgres", s, nil
	default:
		scheme, _, _ := strings.Cut(s, "://")
		return "", "", fmt.Errorf("unsupported scheme %q: want sqlite://PATH or postgres://…", scheme)
	}
}

// Secure reports whether the public URL is https, which turns on Secure
// cookies, the __Host- prefix and HSTS.
func (c Config) Secure() bool { return c.BaseURL != nil && c.BaseURL.Scheme == "https" }
