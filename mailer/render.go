package mailer

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/notify"
)

//go:embed templates
var templateFS embed.FS

// staffTemplates go to staff, in English only.
var staffTemplates = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range notify.StaffTemplates {
		m[t] = true
	}
	return m
}()

// Renderer turns an outbox row into a subject, a text part and an HTML part.
// Every template is parsed once, when it is built.
type Renderer struct {
	text map[string]*texttemplate.Template // "name.locale"
	html map[string]*htmltemplate.Template
	cat  *i18n.Catalog // the words templates share with the portal (View.T)
}

// NewRenderer parses the embedded templates: templates/LOCALE/NAME.tmpl for
// every name in notify.Templates (customer mail in every locale, staff mail
// in English), each defining "subject", "text" and "html"; the HTML part is
// wrapped in templates/layout.html.tmpl.
func NewRenderer() (*Renderer, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, fmt.Errorf("mailer: %w", err)
	}
	r := &Renderer{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}, cat: cat}
	layout, err := fs.ReadFile(templateFS, "templates/layout.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("mailer: templates: %w", err)
	}
	base, err := htmltemplate.New("layout").Option("missingkey=zero").Parse(string(layout))
	if err != nil {
		return nil, fmt.Errorf("mailer: parse layout: %w", err)
	}
	for _, name := range notify.Templates {
		locales := i18n.Locales
		if staffTemplates[name] {
			locales = []string{"en"}
		}
		for _, loc := range locales {
			path := "templates/" + loc + "/" + name + ".tmpl"
			src, err := fs.ReadFile(templateFS, path)
			if err != nil {
				return nil, fmt.Errorf("mailer: template %s in %s: %w", name, loc, err)
			}
			t, err := texttemplate.New(name).Option("missingkey=zero").Parse(string(src))
			if err != nil {
				return nil, fmt.Errorf("mailer: parse %s: %w", path, err)
			}
			h, err := base.Clone()
			if err != nil {
				return nil, fmt.Errorf("mailer: parse %s: %w", path, err)
			}
			if h, err = h.Parse(string(src)); err != nil {
				return nil, fmt.Errorf("mailer: parse %s: %w", path, err)
			}
			for _, part := range []string{"subject", "text", "html"} {
				if t.Lookup(part) == nil {
					return nil, fmt.Errorf("mailer: %s defines no %q", path, part)
				}
			}
			r.text[name+"."+loc] = t
			r.html[name+"."+loc] = h
		}
	}
	return r, nil
}

// Rendered is one email's content.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
}

// Render writes template name in locale (English when the template has no
// such locale) with v.
func (r *Renderer) Render(name, locale string, v *View) (*Rendered, error) {
	key := name + "." + locale
	if _, ok := r.text[key]; !ok {
		key, locale = name+".en", "en"
	}
	t, h := r.text[key], r.html[key]
	if t == nil {
		return nil, fmt.Errorf("mailer: no template %q", name)
	}
	v.Locale, v.cat = locale, r.cat
	var subj, text, html bytes.Buffer
	if err := t.ExecuteTemplate(&subj, "subject", v); err != nil {
		return nil, fmt.Errorf("mailer: render %s subject: %w", key, err)
	}
	v.Subject = strings.Join(strings.Fields(subj.String()), " ")
	if err := t.ExecuteTemplate(&text, "text", v); err != nil {
		return nil, fmt.Errorf("mailer: render %s text: %w", key, err)
	}
	if err := h.ExecuteTemplate(&html, "layout", v); err != nil {
		return nil, fmt.Errorf("mailer: render %s html: %w", key, err)
	}
	return &Rendered{Subject: v.Subject, Text: tidyText(text.String()) + footerText(v), HTML: html.String()}, nil
}

// tidyText trims the lines of a text part and keeps at most one empty line
// between paragraphs, so templates can be indented for reading.
func tidyText(s string) string {
	var b strings.Builder
	blank := true
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			if !blank {
				b.WriteString("\n")
			}
			blank = true
			continue
		}
		b.WriteString(line)
		b.WriteString("\n")
		blank = false
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func footerText(v *View) string {
	return "\n-- \n" + v.Business + " · " + v.BaseURL + "\n"
}

// View is what a mail template sees: the outbox data in D and helpers that
// make absolute links and write dates in the recipient's language.
type View struct {
	D        map[string]string // the outbox row's data, keys as app/notify sets them
	ToName   string
	Business string
	BaseURL  string // without a trailing slash
	Support  string // support address, may be empty
	Locale   string
	Subject  string

	loc *time.Location
	now time.Time
	cat *i18n.Catalog
}

// URL makes a path absolute under the base URL; an absolute http(s) URL is
// kept as it is.
func (v *View) URL(path string) string {
	if path == "" {
		return v.BaseURL + "/"
	}
	if u, err := url.Parse(path); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return path
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return v.BaseURL + path
}

// Link is the absolute URL of data key "path".
func (v *View) Link() string { return v.URL(v.D["path"]) }

// First is the recipient's first name, for a greeting.
func (v *View) First() string {
	f := strings.Fields(v.ToName)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// Has reports whether data key k is set.
func (v *View) Has(k string) bool { return strings.TrimSpace(v.D[k]) != "" }

func (v *View) instant(k string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, v.D[k])
	if err != nil {
		return time.Time{}, false
	}
	return t.In(v.loc), true
}

// DateTime writes data key k (RFC 3339) as a date and time in the business's
// time zone, "tisdag 24 november kl. 14:02".
func (v *View) DateTime(k string) string {
	t, ok := v.instant(k)
	if !ok {
		return v.D[k]
	}
	return i18n.FormatDateTime(v.Locale, t, v.now.In(v.loc))
}

// Time writes data key k (RFC 3339) as a clock time, "14:02".
func (v *View) Time(k string) string {
	t, ok := v.instant(k)
	if !ok {
		return v.D[k]
	}
	return i18n.FormatTime(v.Locale, t)
}

// Date writes data key k, a day ("2026-11-24") or an instant, as a date.
func (v *View) Date(k string) string {
	if t, ok := i18n.ParseDay(v.D[k], v.loc); ok {
		return i18n.FormatDate(v.Locale, t, v.now.In(v.loc))
	}
	if t, ok := v.instant(k); ok {
		return i18n.FormatDate(v.Locale, t, v.now.In(v.loc))
	}
	return v.D[k]
}

// Lines splits data key k into lines, for quoting a message body.
func (v *View) Lines(k string) []string {
	return strings.Split(strings.ReplaceAll(strings.TrimSpace(v.D[k]), "\r\n", "\n"), "\n")
}

// Button is a call-to-action link in the HTML part.
type Button struct{ URL, Label string }

// Btn makes a Button for the layout's "button" template.
func (v *View) Btn(url, label string) Button { return Button{URL: url, Label: label} }

// Rows pairs labels with values for the layout's "facts" table, leaving out
// pairs whose value is empty.
func (v *View) Rows(kv ...string) [][2]string {
	var out [][2]string
	for i := 0; i+1 < len(kv); i += 2 {
		if strings.TrimSpace(kv[i+1]) != "" {
			out = append(out, [2]string{kv[i], kv[i+1]})
		}
	}
	return out
}

// T is message id of the shared catalog (app/i18n) in the mail's language,
// with key/value arguments: the portal and the mail say things the same
// way.
func (v *View) T(id string, args ...any) string {
	if v.cat == nil {
		return id
	}
	return v.cat.T(v.Locale, id, args...)
}

// Case names the case the mail is about in the mail's language: "Ordre
// BQ-1001", "Spørgsmål #7: Invoice copy". Mail queued before its data
// named the kind has the English title it was queued with.
func (v *View) Case() string {
	switch v.D["case_kind"] {
	case "order":
		return v.T("mail.case.order", "Ref", v.D["order_ref"])
	case "inquiry":
		return v.T("mail.case.inquiry", "ID", v.D["inquiry_id"], "Subject", v.D["subject"])
	}
	return v.D["case"]
}

// Step is the promise under prefix in data ("next_", "missed_", "from_")
// as one sentence in the mail's language: "Anna Holm will reply by
// Thursday 3 December, 12:00", "Waiting on Klarna, expected Friday 4
// December". who names the person waiting when the customer holds it.
func (v *View) Step(prefix, who string) string {
	name, what := v.D[prefix+"holder"], v.D[prefix+"what"]
	when, day := v.DateTime(prefix+"due"), v.Date(prefix+"day")
	switch v.D[prefix+"kind"] {
	case "reply":
		return v.T("next.reply_by", "Name", name, "When", when)
	case "action":
		return v.T("next.promised", "Name", name, "What", what, "When", when)
	case "third_party":
		return v.T("next.inquiry.third_party_date", "Party", name, "Date", day)
	case "delivery":
		return v.T("next.delivery_by", "Name", name, "Date", day)
	case "escalation":
		return v.T("next.manager_by_plain", "Name", name, "When", when)
	case "customer":
		return v.T("next.waiting_you", "Name", who)
	}
	return ""
}

// Missed is the missed promise under prefix as one sentence: "Missed: Anna
// Holm promised to reply by Friday 20 November, 09:00".
func (v *View) Missed(prefix string) string {
	name, what := v.D[prefix+"holder"], v.D[prefix+"what"]
	when, day := v.DateTime(prefix+"due"), v.Date(prefix+"day")
	switch v.D[prefix+"kind"] {
	case "reply":
		return v.T("promise.event.missed_reply", "Name", name, "When", when)
	case "action":
		return v.T("promise.event.missed", "Name", name, "What", what, "When", when)
	case "third_party":
		return v.T("promise.event.missed_third_party", "Party", name, "Date", day)
	case "delivery":
		return v.T("promise.event.missed_delivery", "Date", day)
	case "escalation":
		return v.T("promise.event.missed_answer", "Name", name, "When", when)
	}
	return ""
}
