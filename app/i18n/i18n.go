// Package i18n loads Kedja's message catalogs (go-i18n, one JSON file per
// area and language under locales/, named AREA.LANG.json) and negotiates the
// locale of a request.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var localesFS embed.FS

// Locales are the languages Kedja speaks, the default first.
var Locales = []string{"en", "sv", "da", "nl"}

// Supported reports whether l is one of Locales.
func Supported(l string) bool {
	for _, v := range Locales {
		if v == l {
			return true
		}
	}
	return false
}

// Catalog translates message ids. It is built once and safe for concurrent
// use.
type Catalog struct {
	bundle     *goi18n.Bundle
	localizers map[string]*goi18n.Localizer
	ids        map[string]map[string]bool       // locale -> ids
	simple     map[string]map[string]*simpleMsg // locale -> id -> message
	cache      sync.Map                         // locale+"\x00"+id -> string, for messages without data
}

// Load reads every embedded catalog.
func Load() (*Catalog, error) { return LoadFS(localesFS, "locales") }

// LoadFS reads the catalogs in dir of fsys.
func LoadFS(fsys fs.FS, dir string) (*Catalog, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalog{bundle: b, localizers: map[string]*goi18n.Localizer{}, ids: map[string]map[string]bool{},
		simple: map[string]map[string]*simpleMsg{}}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		mf, err := b.LoadMessageFileFS(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", e.Name(), err)
		}
		lang := mf.Tag.String()
		if c.ids[lang] == nil {
			c.ids[lang] = map[string]bool{}
		}
		for _, m := range mf.Messages {
			if c.ids[lang][m.ID] {
				return nil, fmt.Errorf("i18n: %s: message %q defined twice", e.Name(), m.ID)
			}
			c.ids[lang][m.ID] = true
			if c.simple[lang] == nil {
				c.simple[lang] = map[string]*simpleMsg{}
			}
			if sm, ok := compileSimple(m); ok {
				c.simple[lang][m.ID] = sm
			}
		}
	}
	for _, l := range Locales {
		c.localizers[l] = goi18n.NewLocalizer(b, l, "en")
		if c.simple[l] == nil {
			c.simple[l] = map[string]*simpleMsg{}
		}
	}
	return c, nil
}

// IDs returns the message ids of a locale, sorted.
func (c *Catalog) IDs(locale string) []string {
	var out []string
	for id := range c.ids[locale] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// T translates id into locale. args are key/value pairs for the message's
// template ({{.Name}}); a "Count" key selects the plural form. A missing id
// returns the id itself, so a gap shows on the page instead of failing it.
func (c *Catalog) T(locale, id string, args ...any) string {
	if sm := c.simpleFor(locale, id); sm != nil {
		if len(sm.fields) == 0 {
			return sm.parts[0]
		}
		return sm.fill(args)
	}
	return c.localize(locale, id, args)
}

// simpleFor is the hand-filled form of id in locale (English for an
// unknown locale), or nil when the template engine is needed.
func (c *Catalog) simpleFor(locale, id string) *simpleMsg {
	m := c.simple[locale]
	if m == nil {
		m = c.simple["en"]
	}
	return m[id]
}

// localize runs go-i18n: plural forms and full templates.
func (c *Catalog) localize(locale, id string, args []any) string {
	lz := c.localizers[locale]
	if lz == nil {
		lz = c.localizers["en"]
	}
	if len(args) == 0 {
		key := locale + "\x00" + id
		if v, ok := c.cache.Load(key); ok {
			return v.(string)
		}
		s, err := lz.Localize(&goi18n.LocalizeConfig{MessageID: id})
		if err != nil {
			return id
		}
		c.cache.Store(key, s)
		return s
	}
	data := make(map[string]any, len(args)/2)
	var count any
	for i := 0; i+1 < len(args); i += 2 {
		k := fmt.Sprint(args[i])
		data[k] = args[i+1]
		if k == "Count" {
			count = args[i+1]
		}
	}
	s, err := lz.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil {
		return id
	}
	return s
}

// Negotiate picks the best supported locale from an Accept-Language header,
// or "" when none matches.
func Negotiate(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil {
		return ""
	}
	for _, t := range tags {
		base, _ := t.Base()
		if Supported(base.String()) {
			return base.String()
		}
		// Norwegian readers understand Danish and Swedish best.
		if b := base.String(); b == "nb" || b == "no" || b == "nn" {
			return "da"
		}
	}
	return ""
}

// Pick chooses a customer's locale: their own choice, else the one from order
// data, else Accept-Language, else the fallback.
func Pick(chosen, fromOrders, acceptLanguage, fallback string) string {
	for _, l := range []string{chosen, fromOrders, Negotiate(acceptLanguage), fallback} {
		if Supported(l) {
			return l
		}
	}
	return "en"
}
