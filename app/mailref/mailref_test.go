package mailref

import (
	"strings"
	"testing"
)

func signer(t *testing.T, key string) *Signer {
	t.Helper()
	s, err := New([]byte(strings.Repeat(key, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestReplyAddressRoundTrip(t *testing.T) {
	s := signer(t, "k")
	for _, r := range []Ref{{KindInquiry, 41, 7}, {KindOrder, 5, 7}, {KindInquiry, 9007199254740993, 123456789}} {
		a := s.ReplyAddress("help@shop.example", r)
		if !strings.HasPrefix(a, "help+") || !strings.HasSuffix(a, "@shop.example") || len(a) > 254 {
			t.Fatalf("reply address %q", a)
		}
		for _, variant := range []string{a, strings.ToUpper(a)} {
			got, ok := s.ParseReplyAddress("Help@Shop.Example", variant)
			if !ok || got != r {
				t.Errorf("%q parses to %+v %v, want %+v", variant, got, ok, r)
			}
		}
		id := s.ThreadID("portal.shop.example", r)
		if got, ok := s.ParseThreadID("<" + id + ">"); !ok || got != r {
			t.Errorf("thread id %q parses to %+v %v", id, got, ok)
		}
		if !IsSupport("help@shop.example", a) {
			t.Errorf("%q is not a support address", a)
		}
	}
}

// TestForgedReplyAddresses: another case's or customer's numbers with a
// real token, a changed token, another key, another support address and
// zero-padded numbers are all refused.
func TestForgedReplyAddresses(t *testing.T) {
	s := signer(t, "k")
	real := s.ReplyAddress("help@shop.example", Ref{KindInquiry, 41, 7})
	_, detail, _ := strings.Cut(strings.TrimSuffix(real, "@shop.example"), "+")
	token := detail[strings.LastIndex(detail, "-")+1:]
	flip := []byte(token)
	flip[0] ^= 1
	other := signer(t, "z").ReplyAddress("help@shop.example", Ref{KindInquiry, 41, 7})
	for _, a := range []string{
		"help+i41-8-" + token + "@shop.example",
		"help+i42-7-" + token + "@shop.example",
		"help+o41-7-" + token + "@shop.example",
		"help+i041-7-" + token + "@shop.example",
		"help+i41-7-" + string(flip) + "@shop.example",
		"help+i41-7@shop.example",
		"help+i41-7-" + token + "@other.example",
		"sales+i41-7-" + token + "@shop.example",
		"help@shop.example",
		other,
	} {
		if r, ok := s.ParseReplyAddress("help@shop.example", a); ok {
			t.Errorf("%q accepted as %+v", a, r)
		}
	}
	if _, ok := s.ParseThreadID("<kedja-i41-8-" + token + "@portal.shop.example>"); ok {
		t.Errorf("forged thread id accepted")
	}
	if _, err := New([]byte("short")); err == nil {
		t.Errorf("a short key was accepted")
	}
}
