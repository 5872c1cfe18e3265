package i18n

import (
	"testing"
	"time"
)

func TestFormatDate(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	day := time.Date(2026, 11, 24, 14, 2, 0, 0, time.UTC)
	for _, tc := range []struct{ l, date, dt string }{
		{"en", "Tuesday 24 November", "Tuesday 24 November, 14:02"},
		{"sv", "tisdag 24 november", "tisdag 24 november kl. 14:02"},
		{"da", "tirsdag den 24. november", "tirsdag den 24. november kl. 14.02"},
		{"nl", "dinsdag 24 november", "dinsdag 24 november om 14:02"},
	} {
		if got := FormatDate(tc.l, day, now); got != tc.date {
			t.Errorf("%s date = %q, want %q", tc.l, got, tc.date)
		}
		if got := FormatDateTime(tc.l, day, now); got != tc.dt {
			t.Errorf("%s datetime = %q, want %q", tc.l, got, tc.dt)
		}
	}
	if got := FormatDate("en", day.AddDate(1, 0, 0), now); got != "Wednesday 24 November 2027" {
		t.Errorf("other year = %q", got)
	}
}

func TestFormatMoney(t *testing.T) {
	for _, tc := range []struct{ l, amount, cur, want string }{
		{"en", "1250.00", "DKK", "DKK\u00a01,250.00"},
		{"da", "1250.00", "DKK", "1.250,00\u00a0DKK"},
		{"sv", "1195.50", "SEK", "1\u00a0195,50\u00a0SEK"},
		{"nl", "499.00", "EUR", "EUR\u00a0499,00"},
		{"en", "1000000", "JPY", "JPY\u00a01,000,000"},
		{"en", "-5.00", "DKK", "DKK\u00a0-5.00"},
	} {
		if got := FormatMoney(tc.l, tc.amount, tc.cur); got != tc.want {
			t.Errorf("%s %s = %q, want %q", tc.l, tc.amount, got, tc.want)
		}
	}
}
