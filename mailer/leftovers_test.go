package mailer

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/notify"
)

// englishOnly are words of the English templates that Swedish, Danish and
// Dutch do not use, so finding one in their mail means an untranslated
// leftover. (Words the languages share — order, link, code, in, is, for —
// are not listed.)
var englishOnly = regexp.MustCompile(`(?i)\b(the|your|you|hello|hi|please|thanks|thank|here|who|which|will|has|have|was|were|with|from|this|that|our|see|delivered|shipped|reply|replies|sign|received|inquiry|question|arrived|wrong|tell|us|named|been|expected|tracking|track|regards|view|open|button|today|tomorrow|yesterday)\b`)

// TestNoEnglishLeftovers renders every customer mail in sv, da and nl with
// its data replaced by neutral tokens, so only the template's own words
// remain, and fails on an English word among them.
func TestNoEnglishLeftovers(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, "")
	now := time.Date(2026, 11, 24, 13, 2, 0, 0, time.UTC)
	tags := regexp.MustCompile(`<[^>]*>`)
	// English itself is rendered too: the detector must find its words
	// there, or it could not find a leftover either.
	for _, locale := range []string{"en", "sv", "da", "nl"} {
		for _, name := range notify.Templates {
			if staffTemplates[name] {
				continue
			}
			t.Run(name+"/"+locale, func(t *testing.T) {
				m := samples(now, locale)[name]
				for k, v := range m.Data {
					if _, err := time.Parse(time.RFC3339, v); err == nil || strings.HasSuffix(k, "path") || k == "expected_delivery" {
						continue
					}
					m.Data[k] = "X1"
				}
				v := &View{D: m.Data, ToName: "Xq Yq", Business: "Bq", BaseURL: "https://x.example", Support: "s@x.example",
					loc: cfg.Location, now: now}
				out, err := r.Render(m.Template, m.Locale, v)
				if err != nil {
					t.Fatal(err)
				}
				html := tags.ReplaceAllString(out.HTML, " ")
				for part, s := range map[string]string{"subject": out.Subject, "text": out.Text, "html": html} {
					s = regexp.MustCompile(`https?://\S+`).ReplaceAllString(s, " ")
					w := englishOnly.FindAllString(s, -1)
					switch {
					case locale == "en" && part != "subject" && len(w) == 0:
						t.Errorf("the detector finds no English word in the English %s:\n%s", part, s)
					case locale != "en" && len(w) > 0:
						t.Errorf("%s has English words %q:\n%s", part, w, s)
					}
				}
			})
		}
	}
}
