package i18n

import (
	"fmt"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// simpleMsg is a message whose only template actions are {{.Field}}
// placeholders and which has no plural forms: T fills it in by hand, which
// is much cheaper than running a template on every page render.
type simpleMsg struct {
	parts  []string // literal text; parts[i] comes before fields[i]
	fields []string
	size   int
}

// compileSimple returns the simple form of m, or false when m needs the
// template engine (plurals, functions, conditions, custom delimiters).
func compileSimple(m *goi18n.Message) (*simpleMsg, bool) {
	if m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != "" ||
		(m.LeftDelim != "" && m.LeftDelim != "{{") || (m.RightDelim != "" && m.RightDelim != "}}") {
		return nil, false
	}
	s := m.Other
	sm := &simpleMsg{}
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return nil, false
		}
		action := strings.TrimSpace(s[i+2 : i+j])
		if len(action) < 2 || action[0] != '.' || !isIdent(action[1:]) {
			return nil, false
		}
		sm.parts = append(sm.parts, s[:i])
		sm.fields = append(sm.fields, action[1:])
		s = s[i+j+2:]
	}
	if strings.Contains(s, "}}") {
		return nil, false
	}
	sm.parts = append(sm.parts, s)
	for _, p := range sm.parts {
		sm.size += len(p)
	}
	return sm, true
}

func isIdent(s string) bool {
	for i, r := range s {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return s != ""
}

// fill writes the message with args (key/value pairs). A field without a
// value writes "<no value>", as the template engine does.
func (sm *simpleMsg) fill(args []any) string {
	n := sm.size
	vals := make([]string, len(sm.fields))
	for i, f := range sm.fields {
		v, found := "", false
		for k := 0; k+1 < len(args); k += 2 {
			if key, _ := args[k].(string); key == f {
				v, found = toString(args[k+1]), true
				break
			}
		}
		if !found {
			v = "<no value>"
		}
		vals[i] = v
		n += len(v)
	}
	var b strings.Builder
	b.Grow(n)
	for i, p := range sm.parts {
		b.WriteString(p)
		if i < len(vals) {
			b.WriteString(vals[i])
		}
	}
	return b.String()
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}
