package signin

import (
	"strings"
	"testing"
)

func TestParseAddressRefusesAnythingButOneAddress(t *testing.T) {
	bad := map[string]string{
		"empty":             "",
		"spaces only":       "   ",
		"CR":                "ann@example.com\rBcc: eve@evil.test",
		"LF":                "ann@example.com\nBcc: eve@evil.test",
		"CRLF header":       "ann@example.com\r\nBcc: eve@evil.test",
		"CR inside":         "ann\r@example.com",
		"comma list":        "ann@example.com,eve@evil.test",
		"comma space list":  "ann@example.com, eve@evil.test",
		"semicolon list":    "ann@example.com;eve@evil.test",
		"space list":        "ann@example.com eve@evil.test",
		"display name":      "Ann <ann@example.com>",
		"angle brackets":    "<ann@example.com>",
		"double quotes":     `"ann"@example.com`,
		"quoted at":         `"ann@x"@example.com`,
		"single quote":      "ann'o@example.com",
		"full-width at":     "ann＠example.com",
		"full-width letter": "ａnn@example.com",
		"two ats":           "ann@eve@example.com",
		"no at":             "ann.example.com",
		"no domain":         "ann@",
		"no local":          "@example.com",
		"no dot in domain":  "ann@localhost",
		"domain literal":    "ann@[127.0.0.1]",
		"leading dot":       ".ann@example.com",
		"double dot":        "ann..j@example.com",
		"domain dash":       "ann@-example.com",
		"tab":               "ann@exa\tmple.com",
		"NUL":               "ann@example.com\x00",
		"DEL":               "ann@example.com\x7f",
		"comment":           "ann(comment)@example.com",
		"255 chars":         strings.Repeat("a", 60) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 62) + ".com",
		"local over 64":     strings.Repeat("a", 65) + "@example.com",
		"label over 63":     "ann@" + strings.Repeat("b", 64) + ".com",
		"backslash":         `ann\@example.com`,
		"unicode domain":    "ann@exämple.com",
		"zero-width space":  "ann\u200b@example.com",
	}
	for name, in := range bad {
		t.Run(name, func(t *testing.T) {
			if got, err := ParseAddress(in); err == nil {
				t.Fatalf("ParseAddress(%q) = %q, want an error", in, got)
			}
		})
	}
	good := map[string]string{
		"ann@example.com":        "ann@example.com",
		"  Ann@Example.COM  ":    "ann@example.com",
		"ann.j+tag@mail.shop.dk": "ann.j+tag@mail.shop.dk",
		"a_b-c@x-y.example.nl":   "a_b-c@x-y.example.nl",
	}
	at254 := strings.Repeat("a", 60) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 61) + ".com"
	good[at254] = at254
	for in, want := range good {
		if got, err := ParseAddress(in); err != nil || got != want {
			t.Errorf("ParseAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// FuzzParseAddress checks that whatever is accepted is exactly one plain,
// canonical address that can go in a mail header as it is.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"ann@example.com", "Ann <ann@example.com>", "a@b.c,d@e.f", "a\r\n@b.c",
		"ann＠example.com", `"a"@b.c`, " A@B.CO ", strings.Repeat("a", 250) + "@b.co"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseAddress(in)
		if err != nil {
			if got != "" {
				t.Fatalf("error with a value %q", got)
			}
			return
		}
		if len(got) > 254 || strings.Count(got, "@") != 1 || got != strings.ToLower(got) {
			t.Fatalf("ParseAddress(%q) = %q", in, got)
		}
		if strings.ContainsAny(got, "\r\n\t ,;<>\"'()[]\\:") {
			t.Fatalf("ParseAddress(%q) = %q carries a forbidden character", in, got)
		}
		for _, r := range got {
			if r > 0x7e || r < 0x21 {
				t.Fatalf("ParseAddress(%q) = %q carries %U", in, got, r)
			}
		}
		if again, err := ParseAddress(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", in, got, again, err)
		}
	})
}

func TestMask(t *testing.T) {
	if got := Mask("ann@example.com"); got != "a***@example.com" {
		t.Fatal(got)
	}
	if got := Mask("nonsense"); got != "***" {
		t.Fatal(got)
	}
}
