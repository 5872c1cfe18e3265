package signin

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// TokenTTL is how long a sign-in link and code live.
const TokenTTL = 10 * time.Minute

// MaxCodeTries is how many wrong codes end a pending sign-in.
const MaxCodeTries = 5

// MaxCodeTriesPerDay caps code attempts on one person's sign-ins over a day,
// however many emails are requested: a guesser gets at most this many
// chances in a million a day. The link keeps working.
const MaxCodeTriesPerDay = 10

// HashToken is the stored form of a link token: hex SHA-256.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// HashCode is the stored form of a 6-digit code: an HMAC keyed by the
// server's key and bound to its token, so a stolen table reveals nothing.
func HashCode(key []byte, tokenHash, code string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(tokenHash))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return hex.EncodeToString(m.Sum(nil))
}

// NewToken returns 32 random bytes, base64url.
func NewToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("signin: token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// NewCode returns a uniformly random 6-digit code.
func NewCode() (string, error) {
	for {
		var b [4]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("signin: code: %w", err)
		}
		n := binary.BigEndian.Uint32(b[:])
		if n < 4294000000 { // reject the tail so every code is equally likely
			return fmt.Sprintf("%06d", n%1000000), nil
		}
	}
}

// Request is a sign-in request for one canonical address.
type Request struct {
	Purpose     string // model.KindCustomer or model.KindStaff
	Email       string // canonical, from ParseAddress
	BrowserHash string // hash of the pending-sign-in cookie: the code works only there
	ReturnTo    string // a local path to land on afterwards
	Accept      string // Accept-Language, for a customer with no locale yet
	// AllowMail, when set, is the global outbound cap on sign-in mail; it is
	// asked only when an email would really be queued.
	AllowMail func() bool
}

// MaxPerAddress and AddressWindow bound the links one address can be sent;
// past that, requests are dropped silently (the caller answers the same).
// The count is kept in the database, so it holds across instances.
const (
	MaxPerAddress = 3
	AddressWindow = 15 * time.Minute
)

// Start queues a sign-in email when the address belongs to a customer (or
// an active staff member) and within its limits. Otherwise it does the same
// work without anything usable (a decoy row that is dead on arrival), so the
// caller answers the same, in about the same time, either way. The token and
// code exist only in the email.
func Start(ctx context.Context, s *store.Store, key []byte, r Request, now time.Time) error {
	now = model.Normalize(now)
	settings, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	var subjectID int64
	var name, locale string
	switch r.Purpose {
	case model.KindCustomer:
		c, err := s.CustomerByEmail(ctx, r.Email)
		if errors.Is(err, store.ErrNotFound) {
			return decoy(ctx, s, key, r.Purpose, now)
		}
		if err != nil {
			return err
		}
		subjectID, name = c.ID, c.Name
		locale = i18n.Pick(c.Locale, "", r.Accept, settings.DefaultLocale)
		r.Email = c.Email // only the stored address is mailed
	case model.KindStaff:
		st, err := s.StaffByEmail(ctx, r.Email)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !st.Active) {
			return decoy(ctx, s, key, r.Purpose, now)
		}
		if err != nil {
			return err
		}
		subjectID, name, locale, r.Email = st.ID, st.FullName, "en", st.Email
	default:
		return fmt.Errorf("signin: unknown purpose %q", r.Purpose)
	}
	recent, err := s.LoginTokensSince(ctx, r.Purpose, subjectID, now.Add(-AddressWindow))
	if err != nil {
		return err
	}
	if recent >= MaxPerAddress || (r.AllowMail != nil && !r.AllowMail()) {
		return decoy(ctx, s, key, r.Purpose, now)
	}
	token, code, th, codeHash, err := secrets(key)
	if err != nil {
		return err
	}
	t := &model.LoginToken{
		TokenHash: th, Purpose: r.Purpose, SubjectID: subjectID, Email: r.Email,
		CodeHMAC: codeHash, BrowserHash: r.BrowserHash, ReturnTo: r.ReturnTo,
		ExpiresAt: now.Add(TokenTTL), CreatedAt: now,
	}
	return s.WithTx(ctx, func(tx *store.Store) error {
		if err := tx.CreateLoginToken(ctx, t); err != nil {
			return err
		}
		_, err := tx.Enqueue(ctx, notify.SignIn(r.Purpose, th, r.Email, name, locale, token, code, t.ExpiresAt))
		return err
	})
}

// TryCode spends one try of the pending sign-in t on code (spaces between
// its digits are allowed) and reports whether it is t's code. Anything but
// six characters spends nothing and fails. A sign-in whose last try failed
// is retired; so is one whose row has gone. Past MaxCodeTriesPerDay tries
// on one person's sign-ins every code fails: the emailed link still works.
func TryCode(ctx context.Context, s *store.Store, key []byte, t *model.LoginToken, code string, now time.Time) (bool, error) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 {
		return false, nil
	}
	spent, err := s.CodeTriesSince(ctx, t.Purpose, t.SubjectID, now.Add(-24*time.Hour))
	if err != nil {
		return false, err
	}
	if spent >= MaxCodeTriesPerDay {
		return false, nil
	}
	switch err := s.SpendCodeTry(ctx, t.ID, MaxCodeTries, now); {
	case errors.Is(err, store.ErrNotFound):
		return false, s.RetireLoginToken(ctx, t.ID, now)
	case err != nil:
		return false, err
	}
	want := HashCode(key, t.TokenHash, code)
	if subtle.ConstantTimeCompare([]byte(want), []byte(t.CodeHMAC)) == 1 {
		return true, nil
	}
	if t.CodeTries+1 >= MaxCodeTries {
		return false, s.RetireLoginToken(ctx, t.ID, now)
	}
	return false, nil
}

// secrets makes a token, a code and their stored forms.
func secrets(key []byte) (token, code, tokenHash, codeHash string, err error) {
	if token, err = NewToken(); err != nil {
		return "", "", "", "", err
	}
	if code, err = NewCode(); err != nil {
		return "", "", "", "", err
	}
	tokenHash = HashToken(token)
	return token, code, tokenHash, HashCode(key, tokenHash, code), nil
}

// decoy does the work of a real request (secrets, one write transaction)
// and stores a row no one can use: no subject, no address, already used and
// already expired. Its token is thrown away.
func decoy(ctx context.Context, s *store.Store, key []byte, purpose string, now time.Time) error {
	// The same limit query a known address costs, on a subject that has no rows.
	if _, err := s.LoginTokensSince(ctx, purpose, -1, now.Add(-AddressWindow)); err != nil {
		return err
	}
	_, _, th, codeHash, err := secrets(key)
	if err != nil {
		return err
	}
	used := now
	t := &model.LoginToken{TokenHash: th, Purpose: purpose, SubjectID: 0, Email: "", CodeHMAC: codeHash,
		ExpiresAt: now, UsedAt: &used, CreatedAt: now}
	return s.WithTx(ctx, func(tx *store.Store) error { return tx.CreateDecoyLoginToken(ctx, t) })
}
