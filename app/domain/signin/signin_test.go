package signin

import (
	"encoding/base64"
	"testing"
)

func TestTokensAndCodes(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		tok, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(raw) != 32 || seen[tok] {
			t.Fatalf("token %q: %v", tok, err)
		}
		seen[tok] = true
		code, err := NewCode()
		if err != nil || len(code) != 6 {
			t.Fatalf("code %q: %v", code, err)
		}
		for _, r := range code {
			if r < '0' || r > '9' {
				t.Fatalf("code %q", code)
			}
		}
	}
	if HashToken("a") == "a" || len(HashToken("a")) != 64 {
		t.Fatal("token hash")
	}
	k1, k2 := []byte("key one"), []byte("key two")
	if HashCode(k1, "t", "123456") == HashCode(k2, "t", "123456") ||
		HashCode(k1, "t", "123456") == HashCode(k1, "u", "123456") ||
		HashCode(k1, "t", "123456") != HashCode(k1, "t", "123456") {
		t.Fatal("code HMAC must depend on key and token, and be stable")
	}
}
