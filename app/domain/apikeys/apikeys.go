// Package apikeys owns the keys the shop's systems call the JSON API with: a
// key is shown once when it is made and only its SHA-256 is stored; it
// authenticates until it is revoked, and its last use is recorded (about
// once a minute, not on every request).
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// Prefix starts every key, so a key pasted in the wrong place (a log, a
// repository) is recognisable.
const Prefix = "kedja_"

// keyLen is the length of a key: the prefix and 32 random bytes in
// unpadded base64url.
const keyLen = len(Prefix) + 43 // base64.RawURLEncoding.EncodedLen(32)

// displayLen is how much of a key the lists show (the prefix and 6
// characters of the secret: enough to tell keys apart, far too little to
// guess the rest).
const displayLen = len(Prefix) + 6

// MaxName is the longest key name.
const MaxName = 100

// TouchEvery is how stale the recorded last use may get before a request
// writes a new one.
const TouchEvery = time.Minute

// ErrInvalid means the key is not one Kedja issued (or it was mistyped).
var ErrInvalid = errors.New("the API key is not valid: send the whole key, as `kedja apikey create` printed it, in the header Authorization: Bearer <key>")

// ErrRevoked means the key was revoked.
var ErrRevoked = errors.New("this API key has been revoked: create a new one with `kedja apikey create --name N` or under /admin/api-keys")

// CheckName trims a key name and checks it: one line, 1 to MaxName
// characters. A bad name is a refusal.Refusal of field "name".
func CheckName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", refusal.New("name", "required", "give the key a name that says what uses it, such as web-shop")
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", refusal.New("name", "invalid", "the key name must be one line of text, such as web-shop")
	case utf8.RuneCountInString(name) > MaxName:
		return "", refusal.New("name", "too_long", fmt.Sprintf("the key name is at most %d characters", MaxName))
	}
	return name, nil
}

// Hash is the stored form of a key: hex SHA-256.
func Hash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// generate makes a new key from 32 bytes of crypto/rand.
func generate() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("apikeys: random: %w", err)
	}
	return Prefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// wellFormed reports whether s has the shape of a key Kedja issues.
func wellFormed(s string) bool {
	if len(s) != keyLen || !strings.HasPrefix(s, Prefix) {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(s[len(Prefix):])
	return err == nil
}

// Create makes a key called name and returns it, the one time it is ever
// available, with its stored row. The name must not be in use by another
// active key, so timelines ("API key web-shop") say which system acted: a
// name in use is a refusal.Refusal of field "name", code "taken".
func Create(ctx context.Context, s *store.Store, name string, now time.Time) (string, *model.APIKey, error) {
	name, err := CheckName(name)
	if err != nil {
		return "", nil, err
	}
	taken, err := s.ActiveAPIKeyNamed(ctx, name)
	if err != nil {
		return "", nil, err
	}
	if taken {
		return "", nil, refusal.New("name", "taken", fmt.Sprintf("an active API key is already called %q: choose another name, or revoke that key first", name))
	}
	key, err := generate()
	if err != nil {
		return "", nil, err
	}
	k := &model.APIKey{Name: name, Prefix: key[:displayLen], KeyHash: Hash(key), CreatedAt: model.Normalize(now)}
	if err := s.InsertAPIKey(ctx, k); err != nil {
		return "", nil, fmt.Errorf("apikeys: create %q: %w", name, err)
	}
	return key, k, nil
}

// Authenticate returns the active key whose secret is key (ErrInvalid,
// ErrRevoked otherwise) and records its use when the recorded one is older
// than TouchEvery.
func Authenticate(ctx context.Context, s *store.Store, key string, now time.Time) (*model.APIKey, error) {
	if !wellFormed(key) {
		return nil, ErrInvalid
	}
	k, err := s.APIKeyByHash(ctx, Hash(key))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("apikeys: authenticate: %w", err)
	}
	if k.RevokedAt != nil {
		return nil, ErrRevoked
	}
	now = model.Normalize(now)
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= TouchEvery {
		wrote, err := s.TouchAPIKey(ctx, k.ID, now, now.Add(-TouchEvery))
		if err != nil {
			return nil, fmt.Errorf("apikeys: record use: %w", err)
		}
		if wrote {
			k.LastUsedAt = &now
		}
	}
	return k, nil
}

// Revoke revokes the key with this id; revoking a revoked key changes
// nothing. It returns the key as stored afterwards.
func Revoke(ctx context.Context, s *store.Store, id int64, now time.Time) (*model.APIKey, error) {
	if err := s.RevokeAPIKey(ctx, id, model.Normalize(now)); err != nil {
		return nil, fmt.Errorf("apikeys: revoke: %w", err)
	}
	return s.APIKeyByID(ctx, id)
}
