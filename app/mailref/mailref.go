// Package mailref ties an email to its case, so a customer's reply finds
// its way back: the reply address and the Message-IDs mail clients thread
// on. Both carry a token that only the holder of the key (a secret kept in
// the database) can make, so an address cannot be guessed or forged to
// write into someone else's case.
//
// The reply address is plus-addressing on the support address:
//
//	help+i41-7-3kq9x2mv7hd0c5ta@shop.example
//	│    ││  │ └ token: HMAC-SHA256(key, "i41-7"), 80 bits, base32, lower case
//	│    ││  └ the customer's id
//	│    │└ the case's id
//	│    └ the case's kind: i = inquiry, o = order
//	└ the support address's local part (mail to help+anything@ reaches help@
//	  at every common provider)
//
// The case's thread id, sent as In-Reply-To and References of every mail
// about it (so clients thread them), is the same reference as a Message-ID:
//
//	<kedja-i41-7-3kq9x2mv7hd0c5ta@portal.shop.example>
//
// Letters are compared without case: some servers fold local parts.
package mailref

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
)

// Case kinds a reference can name.
const (
	KindInquiry = "inquiry"
	KindOrder   = "order"
)

// Ref names a case and the customer it belongs to.
type Ref struct {
	Kind       string // KindInquiry or KindOrder
	ID         int64
	CustomerID int64
}

// Valid reports whether r names a case.
func (r Ref) Valid() bool {
	return (r.Kind == KindInquiry || r.Kind == KindOrder) && r.ID > 0 && r.CustomerID > 0
}

// Signer makes and checks references with one key.
type Signer struct {
	key []byte
}

// ErrShortKey is returned by New for a key too short to sign with.
var ErrShortKey = errors.New("mailref: key shorter than 32 bytes")

// New returns a Signer for key (at least 32 bytes of random material).
func New(key []byte) (*Signer, error) {
	if len(key) < 32 {
		return nil, ErrShortKey
	}
	return &Signer{key: append([]byte(nil), key...)}, nil
}

var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// tag is "i41-7" for inquiry 41 of customer 7.
func tag(r Ref) string {
	k := "i"
	if r.Kind == KindOrder {
		k = "o"
	}
	return k + strconv.FormatInt(r.ID, 10) + "-" + strconv.FormatInt(r.CustomerID, 10)
}

func (s *Signer) token(t string) string {
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte("kedja-reply-v1\x00" + t))
	return b32.EncodeToString(mac.Sum(nil)[:10])
}

// signed is "i41-7-TOKEN".
func (s *Signer) signed(r Ref) string {
	t := tag(r)
	return t + "-" + s.token(t)
}

// parse checks "i41-7-TOKEN" (any case) and returns its reference.
func (s *Signer) parse(v string) (Ref, bool) {
	v = strings.ToLower(v)
	parts := strings.Split(v, "-")
	if len(parts) != 3 || len(parts[0]) < 2 {
		return Ref{}, false
	}
	var r Ref
	switch parts[0][0] {
	case 'i':
		r.Kind = KindInquiry
	case 'o':
		r.Kind = KindOrder
	default:
		return Ref{}, false
	}
	id, err1 := strconv.ParseInt(parts[0][1:], 10, 64)
	cust, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return Ref{}, false
	}
	r.ID, r.CustomerID = id, cust
	// The tag is rebuilt from the numbers, so "i041" cannot pass for "i41".
	if !r.Valid() || !hmac.Equal([]byte(s.token(tag(r))), []byte(parts[2])) || tag(r) != parts[0]+"-"+parts[1] {
		return Ref{}, false
	}
	return r, true
}

// ReplyAddress is the reply address of case r on support address support
// ("help@shop.example"). It is "" when support is not an address.
func (s *Signer) ReplyAddress(support string, r Ref) string {
	local, domain, ok := strings.Cut(support, "@")
	if !ok || local == "" || domain == "" || !r.Valid() {
		return ""
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return local + "+" + s.signed(r) + "@" + domain
}

// ParseReplyAddress returns the case an address names, when it is a reply
// address of support made with this key. Any other address, and one whose
// token does not match its numbers, is ok == false.
func (s *Signer) ParseReplyAddress(support, addr string) (Ref, bool) {
	sl, sd, ok1 := strings.Cut(strings.ToLower(support), "@")
	al, ad, ok2 := strings.Cut(strings.ToLower(addr), "@")
	if !ok1 || !ok2 || sd != ad {
		return Ref{}, false
	}
	if i := strings.IndexByte(sl, '+'); i >= 0 {
		sl = sl[:i]
	}
	base, detail, ok := strings.Cut(al, "+")
	if !ok || base != sl {
		return Ref{}, false
	}
	return s.parse(detail)
}

// IsSupport reports whether addr is the support address itself or one of
// its plus-addresses (any detail, signed or not).
func IsSupport(support, addr string) bool {
	sl, sd, ok1 := strings.Cut(strings.ToLower(support), "@")
	al, ad, ok2 := strings.Cut(strings.ToLower(addr), "@")
	if !ok1 || !ok2 || sd != ad || sl == "" {
		return false
	}
	if i := strings.IndexByte(sl, '+'); i >= 0 {
		sl = sl[:i]
	}
	base, _, _ := strings.Cut(al, "+")
	return base == sl
}

// ThreadID is the Message-ID (without angle brackets) that every mail
// about case r refers to, on host (the portal's host name).
func (s *Signer) ThreadID(host string, r Ref) string {
	if host == "" {
		host = "localhost"
	}
	return "kedja-" + s.signed(r) + "@" + host
}

// ParseThreadID returns the case a Message-ID (with or without angle
// brackets) names, when it is a thread id made with this key.
func (s *Signer) ParseThreadID(id string) (Ref, bool) {
	id = strings.TrimSpace(strings.Trim(strings.TrimSpace(id), "<>"))
	left, _, ok := strings.Cut(id, "@")
	if !ok || !strings.HasPrefix(strings.ToLower(left), "kedja-") {
		return Ref{}, false
	}
	return s.parse(left[len("kedja-"):])
}

// OutboxMessageID is the Message-ID (without angle brackets) of outbox row
// id with idempotency key key, on host: derived from both, so every retry
// of a message carries the same identity — "outbox-42.1f0c2a9e5b7d@host".
func OutboxMessageID(host string, id int64, key string) string {
	if host == "" {
		host = "localhost"
	}
	sum := sha256.Sum256([]byte(strconv.FormatInt(id, 10) + "\x00" + key))
	return "outbox-" + strconv.FormatInt(id, 10) + "." + hex.EncodeToString(sum[:6]) + "@" + host
}

// ParseOutboxMessageID returns the outbox row id a Message-ID (with or
// without angle brackets) claims; the caller checks it against the row
// with OutboxMessageID.
func ParseOutboxMessageID(id string) (int64, bool) {
	id = strings.TrimSpace(strings.Trim(strings.TrimSpace(id), "<>"))
	left, _, ok := strings.Cut(id, "@")
	if !ok || !strings.HasPrefix(left, "outbox-") {
		return 0, false
	}
	num, _, ok := strings.Cut(left[len("outbox-"):], ".")
	n, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}
