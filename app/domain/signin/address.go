// Package signin holds the magic-link rules: what counts as one email
// address, how tokens and codes are made and stored (hashed), and how a
// sign-in request is queued through the outbox.
package signin

import (
	"net/mail"
	"strings"
	"unicode"

	"github.com/kedja/kedja/app/domain/refusal"
)

// ErrBadAddress explains why an input is not exactly one email address.
var ErrBadAddress = refusal.New("email", "invalid", "enter one email address, such as name@example.com")

// ParseAddress accepts exactly one plain address (no display name, no list,
// no quotes or control characters, at most 254 characters) and returns it
// in canonical form: trimmed, lower-case.
func ParseAddress(in string) (string, error) {
	s := strings.TrimSpace(in)
	if s == "" || len(s) > 254 {
		return "", ErrBadAddress
	}
	for _, r := range s {
		if r > unicode.MaxASCII || r <= ' ' || r == 0x7f || strings.ContainsRune(`"'(),:;<>[\]`+"`", r) {
			return "", ErrBadAddress
		}
	}
	if strings.Count(s, "@") != 1 {
		return "", ErrBadAddress
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" || len(local) > 64 || domain == "" || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") ||
		strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return "", ErrBadAddress
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return "", ErrBadAddress
		}
		for _, r := range label {
			if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return "", ErrBadAddress
			}
		}
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", ErrBadAddress
	}
	return strings.ToLower(s), nil
}

// Mask shows an address without giving it away: "a***@example.com".
func Mask(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" {
		return "***"
	}
	return local[:1] + "***@" + domain
}
