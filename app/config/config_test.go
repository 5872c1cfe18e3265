package config

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.BaseURL.String() != "http://localhost:8080" || c.DatabaseURL != "sqlite://kedja.db" ||
		c.SMTPURL != nil || c.MailFrom.Address != "no-reply@localhost" || c.MailFromName != "" || c.BusinessName != "Kedja" || c.Secure() {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"KEDJA_DATABASE_URL", "mysql://x", `KEDJA_DATABASE_URL: unsupported scheme "mysql"`},
		{"KEDJA_DATABASE_URL", "sqlite://", "KEDJA_DATABASE_URL: sqlite:// needs a path"},
		{"KEDJA_BASE_URL", "localhost:8080", "KEDJA_BASE_URL: want an absolute"},
		{"KEDJA_SMTP_URL", "http://mail", `KEDJA_SMTP_URL: unsupported scheme "http"`},
		{"KEDJA_MAIL_FROM", "not an address", "KEDJA_MAIL_FROM:"},
		{"KEDJA_ADDR", "8080", "KEDJA_ADDR:"},
		{"KEDJA_SESSION_KEY", "short", "KEDJA_SESSION_KEY: too short"},
		{"KEDJA_TRUSTED_PROXIES", "10.0.0.0/8, nonsense", "KEDJA_TRUSTED_PROXIES:"},
		{"KEDJA_INBOUND_SMTP_ADDR", "2525", "KEDJA_INBOUND_SMTP_ADDR: want host:port"},
		{"KEDJA_IMAP_URL", "pop3://u:p@mail", `KEDJA_IMAP_URL: unsupported scheme "pop3"`},
		{"KEDJA_IMAP_URL", "imaps://mail.example.com/INBOX", "KEDJA_IMAP_URL: missing user name"},
		{"KEDJA_SMTP_CA_FILE", "/nonexistent/ca.pem", "KEDJA_SMTP_CA_FILE: cannot read the CA file"},
		{"KEDJA_SMTP_CA_FILE", "config_test.go", "KEDJA_SMTP_CA_FILE: config_test.go holds no PEM certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(map[string]string{tc.name: tc.value}))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestGoodValues(t *testing.T) {
	c, err := Load(env(map[string]string{
		"KEDJA_BASE_URL": "https://portal.example.com/", "KEDJA_DATABASE_URL": "postgres://u:p@db:5432/kedja",
		"KEDJA_SMTP_URL": "smtps://u:p@mail.example.com:465", "KEDJA_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7",
		"KEDJA_INBOUND_SMTP_ADDR": "127.0.0.1:2525", "KEDJA_IMAP_URL": "imaps://help%40shop.example:pw@imap.example.com/INBOX",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Secure() || c.BaseURL.String() != "https://portal.example.com" || c.SMTPURL.Scheme != "smtps" || len(c.TrustedProxies) != 2 ||
		c.InboundSMTPAddr != "127.0.0.1:2525" || c.IMAPURL.User.Username() != "help@shop.example" {
		t.Fatalf("got %+v", c)
	}
}
