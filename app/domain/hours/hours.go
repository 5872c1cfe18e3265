// Package hours owns the business's clock: the days and hours it is open
// and the dates it is closed (public holidays), in the business's time zone
// (KEDJA_TIMEZONE). Reply-time and acknowledgement targets count only open
// time; what a customer is shown is the real clock time that results.
package hours

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// AllDays is every ISO weekday (Monday 1 … Sunday 7), as settings keep
// open days.
const AllDays = "1234567"

// Defaults of a business that has set no hours: open all day, every day.
const (
	DefaultFrom  = "00:00"
	DefaultUntil = "24:00"
)

// maxDays bounds how far Add looks for open time (ten years), so a
// schedule closed on every day cannot loop for ever.
const maxDays = 3660

// Schedule is when the business is open. The zero value is never open;
// build one with Always or New.
type Schedule struct {
	Loc    *time.Location
	Days   [7]bool         // indexed by time.Weekday (Sunday 0)
	From   int             // minutes after midnight the business opens
	Until  int             // minutes after midnight it closes, at most 24*60
	Closed map[string]bool // closed dates, "YYYY-MM-DD"
}

// Always is a schedule open every minute of every day in loc (nil: UTC).
func Always(loc *time.Location) Schedule {
	s, _ := New(loc, AllDays, DefaultFrom, DefaultUntil, nil)
	return s
}

// New builds a schedule from its settings form: open days as ISO weekday
// digits ("12345" is Monday to Friday), opening and closing clock times
// ("09:00", "17:00"; "24:00" is midnight at the end of the day) and closed
// dates. It refuses a schedule with no open time.
func New(loc *time.Location, days, from, until string, closed []string) (Schedule, error) {
	if loc == nil {
		loc = time.UTC
	}
	s := Schedule{Loc: loc, Closed: map[string]bool{}}
	var err error
	if s.Days, err = ParseDays(days); err != nil {
		return s, err
	}
	if s.From, err = ParseClock(from); err != nil {
		return s, err
	}
	if s.Until, err = ParseClock(until); err != nil {
		return s, err
	}
	if s.Until <= s.From {
		return s, fmt.Errorf("hours: the business must close after it opens (%s–%s)", from, until)
	}
	for _, d := range closed {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			return s, fmt.Errorf("hours: closed date %q: want YYYY-MM-DD", d)
		}
		s.Closed[d] = true
	}
	return s, nil
}

// ParseDays reads open days as ISO weekday digits, Monday 1 to Sunday 7, in
// any order ("12345"); commas and spaces are ignored.
func ParseDays(s string) ([7]bool, error) {
	var days [7]bool
	n := 0
	for _, r := range s {
		switch {
		case r == ',' || r == ' ':
			continue
		case r >= '1' && r <= '7':
			days[int(r-'0')%7] = true
			n++
		default:
			return days, fmt.Errorf("hours: open days %q: want weekday digits 1 (Monday) to 7 (Sunday)", s)
		}
	}
	if n == 0 {
		return days, errors.New("hours: the business must be open on at least one day")
	}
	return days, nil
}

// FormatDays writes open days as ParseDays reads them, Monday first.
func FormatDays(days [7]bool) string {
	var b strings.Builder
	for iso := 1; iso <= 7; iso++ {
		if days[iso%7] {
			b.WriteByte(byte('0' + iso))
		}
	}
	return b.String()
}

// ParseClock reads "HH:MM" (00:00 to 24:00) as minutes after midnight.
func ParseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("hours: clock time %q: want HH:MM, 00:00 to 24:00", s)
	}
	return hh*60 + mm, nil
}

// FormatClock writes minutes after midnight as "HH:MM".
func FormatClock(min int) string {
	return fmt.Sprintf("%02d:%02d", min/60, min%60)
}

// OpenOn reports whether the business opens at all on the local date of t.
func (s Schedule) OpenOn(t time.Time) bool {
	t = t.In(s.loc())
	return s.Days[t.Weekday()] && !s.Closed[t.Format("2006-01-02")]
}

// span is the open time of the local day that starts at midnight day.
func (s Schedule) span(day time.Time) (open, close time.Time) {
	y, m, d := day.Date()
	return time.Date(y, m, d, s.From/60, s.From%60, 0, 0, s.loc()),
		time.Date(y, m, d, s.Until/60, s.Until%60, 0, 0, s.loc())
}

func (s Schedule) loc() *time.Location {
	if s.Loc == nil {
		return time.UTC
	}
	return s.Loc
}

// Add is the moment d of open time after from: the clock stops while the
// business is closed (nights, closed weekdays, closed dates). Days are laid
// out in local wall-clock time, so a day on which the clocks change is as
// long as it really is. The result is in UTC, as Kedja stores times.
func (s Schedule) Add(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return model.Normalize(from)
	}
	t := from.In(s.loc())
	left := d
	for i := 0; i < maxDays; i++ {
		y, m, dd := t.Date()
		if s.OpenOn(t) {
			open, close := s.span(t)
			if t.Before(open) {
				t = open
			}
			if t.Before(close) {
				if avail := close.Sub(t); left <= avail {
					return model.Normalize(t.Add(left))
				} else {
					left -= avail
				}
			}
		}
		t = time.Date(y, m, dd+1, 0, 0, 0, 0, s.loc())
	}
	return model.Normalize(from.Add(d)) // never open: count real time
}

// Between is the open time from a to b (zero when b is not after a).
func (s Schedule) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	var total time.Duration
	t := a.In(s.loc())
	for i := 0; i < maxDays && t.Before(b); i++ {
		y, m, dd := t.Date()
		if s.OpenOn(t) {
			open, close := s.span(t)
			start, end := later(t, open), earlier(close, b)
			if end.After(start) {
				total += end.Sub(start)
			}
		}
		t = time.Date(y, m, dd+1, 0, 0, 0, 0, s.loc())
	}
	return total
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// NextDayAt is hour:minute on the first open day after the local date of
// now ("tomorrow 12:00", or Monday's when tomorrow is a Saturday the shop
// is closed), kept within that day's opening hours. In UTC.
func (s Schedule) NextDayAt(now time.Time, hour, minute int) time.Time {
	t := now.In(s.loc())
	y, m, d := t.Date()
	for i := 1; i <= maxDays; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, s.loc())
		if !s.OpenOn(day) {
			continue
		}
		at := time.Date(y, m, d+i, hour, minute, 0, 0, s.loc())
		open, close := s.span(day)
		if at.Before(open) {
			at = open
		}
		if !at.Before(close) {
			at = close.Add(-time.Hour)
			if at.Before(open) {
				at = open
			}
		}
		return model.Normalize(at)
	}
	return model.Normalize(now.Add(24 * time.Hour))
}

// EndOfDay is midnight at the end of day ("2026-12-04") in the business's
// time zone: a date promised for a day ("expected 4 December") is missed
// once that day is over. In UTC.
func (s Schedule) EndOfDay(day string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", day, s.loc())
	if err != nil {
		return time.Time{}, fmt.Errorf("hours: date %q: want YYYY-MM-DD", day)
	}
	y, m, d := t.Date()
	return model.Normalize(time.Date(y, m, d+1, 0, 0, 0, 0, s.loc())), nil
}

// Today is the business's local date at now, "YYYY-MM-DD".
func (s Schedule) Today(now time.Time) string { return now.In(s.loc()).Format("2006-01-02") }

// Targets are the business's promises about its own speed, in open hours.
type Targets struct {
	Reply time.Duration // a reply is owed within this much open time
	Ack   time.Duration // an escalation is acknowledged within this much open time
}

// Clock is the business's schedule and targets as the settings hold them.
type Clock struct {
	Schedule
	Targets
}

// ReplyBy is when a reply owed from now is due.
func (c Clock) ReplyBy(now time.Time) time.Time { return c.Add(now, c.Reply) }

// AckBy is when an escalation made now must be acknowledged.
func (c Clock) AckBy(now time.Time) time.Time { return c.Add(now, c.Ack) }

// Default is the clock of a business with no settings yet: always open, a
// reply within 24 hours, an acknowledgement within 4.
func Default(loc *time.Location) Clock {
	return Clock{Schedule: Always(loc), Targets: Targets{Reply: 24 * time.Hour, Ack: 4 * time.Hour}}
}

// FromSettings is the clock the settings describe, with closed dates; a
// broken schedule in the settings (which Save never writes) falls back to
// always open, so no due time is ever lost.
func FromSettings(st *model.Settings, closed []string, loc *time.Location) Clock {
	c := Default(loc)
	if st == nil {
		return c
	}
	if sc, err := New(loc, st.OpenDays, st.OpenFrom, st.OpenUntil, closed); err == nil {
		c.Schedule = sc
	}
	if st.ReplyHours > 0 {
		c.Reply = time.Duration(st.ReplyHours) * time.Hour
	}
	if st.AckHours > 0 {
		c.Ack = time.Duration(st.AckHours) * time.Hour
	}
	return c
}

// Load reads the business's clock through s (inside a transaction, its
// snapshot): the settings and the closed dates. Without settings (a bare
// database) it is Default.
func Load(ctx context.Context, s *store.Store, loc *time.Location) (Clock, error) {
	st, err := s.Settings(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return Default(loc), nil
	}
	if err != nil {
		return Clock{}, fmt.Errorf("hours: %w", err)
	}
	days, err := s.ClosedDays(ctx)
	if err != nil {
		return Clock{}, fmt.Errorf("hours: %w", err)
	}
	closed := make([]string, len(days))
	for i, d := range days {
		closed[i] = d.Day
	}
	return FromSettings(st, closed, loc), nil
}
