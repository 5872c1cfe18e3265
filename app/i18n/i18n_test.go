package i18n

import (
	"strings"
	"testing"
)

// TestEveryLocaleHasEveryKey fails when a customer-facing message exists in
// one language but not in another. Staff strings ("admin." ids) are English
// only for now.
func TestEveryLocaleHasEveryKey(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]bool{}
	for _, l := range Locales {
		for _, id := range c.IDs(l) {
			all[id] = true
		}
	}
	if len(all) == 0 {
		t.Fatal("no messages loaded")
	}
	for _, l := range Locales {
		have := map[string]bool{}
		for _, id := range c.IDs(l) {
			have[id] = true
		}
		for id := range all {
			if !have[id] && !strings.HasPrefix(id, "admin.") {
				t.Errorf("locale %s is missing %q", l, id)
			}
		}
	}
}

func TestNegotiateAndPick(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"da-DK,da;q=0.9,en;q=0.8", "da"},
		{"fr-FR, nl;q=0.5", "nl"},
		{"sv", "sv"},
		{"nb-NO", "da"},
		{"fr", ""},
		{"", ""},
	} {
		if got := Negotiate(tc.header); got != tc.want {
			t.Errorf("Negotiate(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
	if got := Pick("", "sv", "da", "en"); got != "sv" {
		t.Errorf("order locale should win over Accept-Language, got %q", got)
	}
	if got := Pick("nl", "sv", "da", "en"); got != "nl" {
		t.Errorf("customer's choice should win, got %q", got)
	}
	if got := Pick("", "", "fr", "xx"); got != "en" {
		t.Errorf("fallback should be en, got %q", got)
	}
}

func TestTranslate(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("da", "error.notfound.title"); got != "Ikke fundet" {
		t.Errorf("da not found = %q", got)
	}
	if got := c.T("xx", "error.notfound.title"); got != "Not found" {
		t.Errorf("unknown locale should fall back to en, got %q", got)
	}
	if got := c.T("en", "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key = %q", got)
	}
}

// TestSimpleMessagesMatchTheTemplateEngine: the hand-filled fast path gives
// exactly what go-i18n gives, for every message in every language.
func TestSimpleMessagesMatchTheTemplateEngine(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	args := []any{"Name", "Anna <Holm>", "When", "i dag kl. 14.00", "Ref", "BQ-1", "Date", "24 november",
		"Party", "PostNord", "Title", "Florist", "Time", "14:02", "From", "A", "To", "B", "Manager", "M",
		"Status", "S", "Subject", "Q", "Owner", "O", "Carrier", "C", "Number", "1", "Email", "e@x"}
	fast := 0
	for _, l := range append(Locales, "xx") {
		for _, id := range c.IDs("en") {
			got := c.T(l, id, args...)
			if want := c.localize(l, id, args); got != want {
				t.Errorf("%s %s: fast %q, engine %q", l, id, got, want)
			}
			if got0, want0 := c.T(l, id), c.localize(l, id, nil); got0 != want0 {
				t.Errorf("%s %s without args: fast %q, engine %q", l, id, got0, want0)
			}
			if c.simpleFor(l, id) != nil {
				fast++
			}
		}
	}
	if fast == 0 {
		t.Error("no message took the fast path")
	}
	if got := c.T("da", "no.such.key", "Name", "x"); got != "no.such.key" {
		t.Errorf("missing key with args = %q", got)
	}
}
