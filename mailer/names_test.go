package mailer

import (
	"context"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"testing"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/testenv"
	"github.com/kedja/kedja/mailer/mailtest"
)

// decodeAddress parses a header address the way a mail client does,
// decoding RFC 2047 words in the name.
func decodeAddress(t *testing.T, header string) *mail.Address {
	t.Helper()
	p := mail.AddressParser{WordDecoder: new(mime.WordDecoder)}
	a, err := p.Parse(header)
	if err != nil {
		t.Fatalf("header %q does not parse: %v", header, err)
	}
	return a
}

// TestNamesCannotBreakMail: whatever a name holds — quotes, backslashes,
// angle brackets, line breaks, non-ASCII — every mail is delivered to the
// right address with the name readable in To, sign-in mail included; line
// breaks become spaces and never reach a header or a one-line field.
func TestNamesCannotBreakMail(t *testing.T) {
	names := []struct{ name, want string }{
		{`Ann "Jensen`, `Ann "Jensen`},
		{`Ann Jensen\`, `Ann Jensen\`},
		{`"‹ann@evil.example>"`, `"‹ann@evil.example>"`},
		{`Ann <Jensen> <x@evil.example>`, `Ann <Jensen> <x@evil.example>`},
		{"Ann\r\nBcc: victim@evil.example", "Ann Bcc: victim@evil.example"},
		{"Ann\nJensen\r", "Ann Jensen"},
		{"Åsa Ñúñez 王小明", "Åsa Ñúñez 王小明"},
		{"=?utf-8?q?Mallory?=", "=?utf-8?q?Mallory?="},
		{`\"`, `\"`},
		{"", ""},
	}
	s := testenv.NewStore(t, "sqlite")
	e := newEnv(t, s, mailtest.Start(t))
	ctx := context.Background()
	want := map[string]string{} // address -> the name its mail must carry
	for i, n := range names {
		for _, tpl := range []string{notify.SignInCustomer, notify.DeliveryConfirmation, notify.EscalationToManager} {
			m := samples(e.clk.Now(), "da")[tpl]
			m.IdempotencyKey = fmt.Sprint("name:", i, tpl)
			m.ToEmail = fmt.Sprintf("person%d@example.com", i)
			m.ToName = n.name
			m.Data["customer_name"] = n.name
			m.Data["order_ref"] = "BQ-1001\r\nBcc: victim@evil.example"
			if _, err := s.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
			want[m.ToEmail] = n.want
		}
	}
	e.drain(t)
	failed, err := s.AdminOutbox(ctx, model.MailFailed, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range failed {
		t.Errorf("message to %q failed: %s", m.ToName, m.LastError)
	}
	got := e.srv.Messages()
	if len(got) != 3*len(names) {
		t.Fatalf("server got %d messages, want %d", len(got), 3*len(names))
	}
	per := map[string]int{}
	for i, m := range got {
		if len(m.To) != 1 {
			t.Fatalf("message %d: envelope to %v", i, m.To)
		}
		addr := m.To[0]
		per[addr]++
		to := decodeAddress(t, m.Header.Get("To"))
		if name, ok := want[addr]; !ok || to.Address != addr || to.Name != name {
			t.Errorf("message %d: To %q decodes to %q <%s>, want %q <%s>", i, m.Header.Get("To"), to.Name, to.Address, name, addr)
		}
		for _, k := range []string{"Bcc", "Cc"} {
			if v := m.Header.Get(k); v != "" {
				t.Errorf("message %d: a %s header got in: %q", i, k, v)
			}
		}
		if strings.ContainsAny(m.Subject(), "\r\n") {
			t.Errorf("message %d: subject %q spans lines", i, m.Subject())
		}
		text, _, err := m.Parts()
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "Bcc:") {
				t.Errorf("message %d: a line break in a name or ref reached the text as a line of its own: %q", i, line)
			}
		}
	}
	for addr := range want {
		if per[addr] != 3 {
			t.Errorf("%s got %d messages, want 3", addr, per[addr])
		}
	}
}

// TestFromKeepsItsName: the display name of KEDJA_MAIL_FROM is the From
// name; without one, the business name is, whatever characters it has.
func TestFromKeepsItsName(t *testing.T) {
	cases := []struct{ mailFrom, business, want string }{
		{"", "Blomsterhuset", "Blomsterhuset"}, // the default KEDJA_MAIL_FROM's "Kedja" does not replace the business name
		{"Blomsterhuset Support <no-reply@blomsterhuset.example>", "Kedja", "Blomsterhuset Support"},
		{"no-reply@blomsterhuset.example", `Blomster "Huset`, `Blomster "Huset`},
		{"no-reply@blomsterhuset.example", "Blomster\\", "Blomster\\"},
		{"no-reply@blomsterhuset.example", "Blomster\r\nX-Evil: 1", "Blomster X-Evil: 1"},
		{`"Blomster \"Huset" <no-reply@blomsterhuset.example>`, "Other", `Blomster "Huset`},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			s := testenv.NewStore(t, "sqlite")
			srv := mailtest.Start(t)
			e := newEnv(t, s, srv)
			ctx := context.Background()
			st, err := s.Settings(ctx)
			if err != nil {
				t.Fatal(err)
			}
			st.BusinessName = c.business
			if err := s.SaveSettings(ctx, st); err != nil {
				t.Fatal(err)
			}
			cfg := testConfigWith(t, map[string]string{"KEDJA_SMTP_URL": srv.URL().String(), "KEDJA_MAIL_FROM": c.mailFrom})
			if e.w, err = New(cfg, s, discardLogger(), WithNow(e.clk.Now)); err != nil {
				t.Fatal(err)
			}
			m := samples(e.clk.Now(), "sv")[notify.SignInCustomer]
			if _, err := s.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
			e.drain(t)
			if r := e.row(t, m.ID); r.State != model.MailSent {
				t.Fatalf("state %s: %s", r.State, r.LastError)
			}
			got := srv.Messages()[0]
			from := decodeAddress(t, got.Header.Get("From"))
			wantAddr := "no-reply@blomsterhuset.example"
			if c.mailFrom == "" {
				wantAddr = "no-reply@localhost"
			}
			if from.Name != c.want || from.Address != wantAddr {
				t.Errorf("From %q decodes to %q <%s>, want %q", got.Header.Get("From"), from.Name, from.Address, c.want)
			}
			if got.Header.Get("X-Evil") != "" {
				t.Errorf("a header was injected through the business name")
			}
		})
	}
}
