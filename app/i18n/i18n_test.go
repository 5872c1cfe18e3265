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
