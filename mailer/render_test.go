package mailer

import (
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/notify"
)

// TestRenderEveryTemplateInEveryLocale renders every template the app can
// queue, in every locale its recipients can have, with the data the
// app/notify constructors write, and checks that the content a person needs
// is there: absolute links, the code, names, dates in their language.
func TestRenderEveryTemplateInEveryLocale(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, "")
	now := time.Date(2026, 11, 24, 13, 2, 0, 0, time.UTC)
	base := cfg.BaseURL.String()
	english := map[string]*Rendered{}
	for _, locale := range i18n.Locales {
		msgs := samples(now, locale)
		for _, name := range notify.Templates {
			m := msgs[name]
			if m == nil {
				t.Fatalf("no sample for %s", name)
			}
			t.Run(name+"/"+locale, func(t *testing.T) {
				v := &View{D: m.Data, ToName: m.ToName, Business: "Blomsterhuset", BaseURL: base, loc: cfg.Location, now: now}
				out, err := r.Render(m.Template, m.Locale, v)
				if err != nil {
					t.Fatal(err)
				}
				loc := m.Locale // staff mail is English whatever the locale
				if staffTemplates[name] {
					loc = "en"
				}
				if v.Locale != loc {
					t.Errorf("rendered in %q, want %q", v.Locale, loc)
				}
				for part, s := range map[string]string{"subject": out.Subject, "text": out.Text, "html": out.HTML} {
					for _, bad := range []string{"<no value>", "{{", "ZgotmplZ", "%!"} {
						if strings.Contains(s, bad) {
							t.Errorf("%s contains %q:\n%s", part, bad, s)
						}
					}
				}
				if out.Subject == "" || strings.Contains(out.Subject, "\n") {
					t.Errorf("subject %q", out.Subject)
				}
				link := base + m.Data["path"]
				mustContain(t, "text", out.Text, link, "Ann", "Blomsterhuset")
				mustContain(t, "html", out.HTML, link, `<html lang="`+loc+`">`, "Blomsterhuset", "style=\"")
				for _, bad := range []string{"<script", "<style", "<link", `src="http`, "<img"} {
					if strings.Contains(out.HTML, bad) {
						t.Errorf("html has %q: mail clients want inline styles and no external assets", bad)
					}
				}
				want := expected(name, loc, m.Data, cfg.Location, now)
				mustContain(t, "text", out.Text, want...)
				mustContain(t, "html", out.HTML, escapeForHTML(want)...)
				if locale == "en" {
					english[name] = out
				} else if !staffTemplates[name] && english[name] != nil && out.Subject == english[name].Subject {
					t.Errorf("%s subject is the English one: %q", locale, out.Subject)
				}
			})
		}
	}
}

// expected lists what a template must say, with the data of samples.
func expected(name, locale string, d map[string]string, loc *time.Location, now time.Time) []string {
	at := func(k string) string {
		tm, _ := time.Parse(time.RFC3339, d[k])
		return i18n.FormatDateTime(locale, tm.In(loc), now.In(loc))
	}
	switch name {
	case notify.SignInCustomer, notify.SignInStaff:
		tm, _ := time.Parse(time.RFC3339, d["expires_at"])
		return []string{d["code"], i18n.FormatTime(locale, tm.In(loc))}
	case notify.OrderConfirmation:
		day, _ := i18n.ParseDay(d["expected_delivery"], loc)
		return []string{"BQ-1001", "1× Condolence bouquet, white", "2× Card", "499.00 DKK", "Anna Holm", "Florist",
			"anna@blomsterhuset.example", i18n.FormatDate(locale, day, now.In(loc))}
	case notify.InquiryReceived:
		return []string{d["subject"], "Anna Holm", "Florist", "anna@blomsterhuset.example", at("reply_due_at")}
	case notify.StaffReply:
		return []string{d["subject"], "Anna Holm", "Florist", "the corrected invoice is attached to your order page.",
			"send the corrected invoice", at("next_due")}
	case notify.OrderShipped:
		day, _ := i18n.ParseDay(d["expected_delivery"], loc)
		return []string{"BQ-1001", "PostNord", "00370712345", d["tracking_url"], i18n.FormatDate(locale, day, now.In(loc))}
	case notify.OrderOutForDelivery:
		return []string{"BQ-1001", "PostNord", "00370712345", d["tracking_url"]}
	case notify.DeliveryConfirmation:
		return []string{"BQ-1001", "Birthe Hansen", "PostNord (driver scan)", at("delivered_at"),
			"https://portal.blomsterhuset.example/orders/BQ-1001/not-arrived"}
	case notify.EscalationToManager:
		return []string{"Mette", "Ann Jensen", "ann.jensen@example.com", "Invoice copy for BH-1010",
			"I was promised the invoice within 24 hours three times.", at("created_at"), at("answer_by")}
	case notify.EscalationAcknowledged:
		return []string{"Mette Lund", "Store manager", "mette@blomsterhuset.example", "+45 12 34 56 78", "Invoice copy for BH-1010",
			caseTitle(locale, "inquiry"), "41"}
	case notify.Handoff:
		return []string{"Mette", "Anna Holm", "Invoice copy for BH-1010"}
	case notify.InquiryAssigned:
		return []string{"Anna", "Ann Jensen", "ann.jensen@example.com", "Invoice copy for BH-1010", at("reply_due_at")}
	case notify.EscalationReminder:
		return []string{"Anna", "Mette Lund", "Invoice copy for BH-1010", at("missed_due")}
	case notify.PromiseMissed:
		return []string{caseTitle(locale, "inquiry"), "Anna Holm", "Mette Lund", "Store manager", at("missed_due"), at("answer_by")}
	case notify.PromiseMoved:
		return []string{caseTitle(locale, "inquiry"), "Anna Holm", "send the corrected invoice", at("next_due"), at("from_due"),
			"Accounting needs one more day."}
	case notify.OrderLate:
		day, _ := i18n.ParseDay(d["expected_delivery"], loc)
		return []string{"BQ-1001", "Anna Holm", "PostNord", "Mette Lund", at("reply_due_at"), i18n.FormatDate(locale, day, now.In(loc))}
	case notify.InquiryResolved:
		return []string{"Invoice copy for BH-1010", "Anna Holm", "the corrected invoice is attached to your order page.",
			"https://portal.blomsterhuset.example/inquiries/41/feedback?solved=yes",
			"https://portal.blomsterhuset.example/inquiries/41/feedback?solved=no", at("reopen_until")}
	}
	return nil
}

// caseTitle is the word a mail in locale uses for a case of kind.
func caseTitle(locale, kind string) string {
	return map[string]map[string]string{
		"order":   {"en": "Order", "sv": "Beställning", "da": "Ordre", "nl": "Bestelling"},
		"inquiry": {"en": "Inquiry", "sv": "Fråga", "da": "Spørgsmål", "nl": "Vraag"},
	}[kind][locale]
}

func escapeForHTML(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.NewReplacer("&", "&amp;", "+", "&#43;").Replace(s)
	}
	return out
}

func mustContain(t *testing.T, part, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", part, w, s)
		}
	}
}

// TestRenderWithoutName greets politely when the recipient has no name.
func TestRenderWithoutName(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, "")
	now := time.Now()
	for _, locale := range i18n.Locales {
		m := samples(now, locale)[notify.SignInCustomer]
		v := &View{D: m.Data, Business: "Shop", BaseURL: "http://localhost:8080", loc: cfg.Location, now: now}
		out, err := r.Render(m.Template, locale, v)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.Text, " ,") || strings.Contains(out.HTML, " ,") {
			t.Errorf("%s: dangling greeting:\n%s", locale, out.Text)
		}
	}
}

// TestRenderUnknownLocaleFallsBackToEnglish: a customer with an unset or
// unknown locale gets English.
func TestRenderUnknownLocaleFallsBackToEnglish(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, "")
	now := time.Now()
	for _, locale := range []string{"", "de"} {
		m := samples(now, locale)[notify.DeliveryConfirmation]
		v := &View{D: m.Data, ToName: m.ToName, Business: "Shop", BaseURL: "http://localhost:8080", loc: cfg.Location, now: now}
		out, err := r.Render(m.Template, m.Locale, v)
		if err != nil {
			t.Fatal(err)
		}
		if v.Locale != "en" || !strings.HasPrefix(out.Subject, "Delivered") {
			t.Errorf("locale %q: rendered %q in %q", locale, out.Subject, v.Locale)
		}
	}
}
