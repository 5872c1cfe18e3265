package i18n

import (
	"strings"
	"time"
)

// Names of weekdays (Sunday first) and months, per locale.
var (
	weekdays = map[string][7]string{
		"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		"sv": {"söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"},
		"da": {"søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"},
		"nl": {"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"},
	}
	months = map[string][12]string{
		"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		"sv": {"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"},
		"da": {"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"},
		"nl": {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
	}
)

func loc(l string) string {
	if Supported(l) {
		return l
	}
	return "en"
}

// FormatDate writes a date the way the locale does: "Tuesday 24 November"
// (en), "tisdag 24 november" (sv), "tirsdag den 24. november" (da), "dinsdag
// 24 november" (nl). The year is added when it is not the current one.
func FormatDate(locale string, t time.Time, now time.Time) string {
	l := loc(locale)
	wd, d, m := weekdays[l][t.Weekday()], itoa(t.Day()), months[l][t.Month()-1]
	var s string
	switch l {
	case "da":
		s = wd + " den " + d + ". " + m
	default:
		s = wd + " " + d + " " + m
	}
	if t.Year() != now.Year() {
		s += " " + itoa(t.Year())
	}
	return s
}

// FormatShortDate is "24 November" / "24 november" / "24. november".
func FormatShortDate(locale string, t time.Time) string {
	l := loc(locale)
	if l == "da" {
		return itoa(t.Day()) + ". " + months[l][t.Month()-1]
	}
	return itoa(t.Day()) + " " + months[l][t.Month()-1]
}

// FormatTime is the 24-hour clock ("14:02"; Danish writes "14.02").
func FormatTime(locale string, t time.Time) string {
	sep := ":"
	if loc(locale) == "da" {
		sep = "."
	}
	return pad2(t.Hour()) + sep + pad2(t.Minute())
}

// FormatDateTime is the date and the time, "Tuesday 24 November, 14:02".
func FormatDateTime(locale string, t, now time.Time) string {
	word := map[string]string{"en": ", ", "sv": " kl. ", "da": " kl. ", "nl": " om "}[loc(locale)]
	return FormatDate(locale, t, now) + word + FormatTime(locale, t)
}

// ParseDay parses a "YYYY-MM-DD" date in the given location.
func ParseDay(s string, in *time.Location) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", s, in)
	return t, err == nil
}

// FormatMoney writes an exact decimal amount ("1250.00") with the locale's
// separators and the currency: "DKK 1,250.00" (en), "1 250,00 SEK" (sv),
// "1.250,00 kr." style for da ("1.250,00 DKK"), "€ 1.250,00" style for nl
// ("DKK 1.250,00"). The amount is never converted to a float.
func FormatMoney(locale, amount, currency string) string {
	if amount == "" {
		return ""
	}
	neg := strings.HasPrefix(amount, "-")
	amount = strings.TrimPrefix(amount, "-")
	whole, frac, _ := strings.Cut(amount, ".")
	l := loc(locale)
	group, dec := ",", "."
	switch l {
	case "sv":
		group, dec = "\u00a0", ","
	case "da", "nl":
		group, dec = ".", ","
	}
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(r)
	}
	num := b.String()
	if frac != "" {
		num += dec + frac
	}
	if neg {
		num = "-" + num
	}
	switch l {
	case "sv", "da":
		return num + "\u00a0" + currency
	default:
		return currency + "\u00a0" + num
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func pad2(n int) string {
	if n < 10 {
		return "0" + itoa(n)
	}
	return itoa(n)
}
