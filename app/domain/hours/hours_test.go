package hours_test

import (
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/hours"
)

func stockholm(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// office is Monday to Friday, 09:00 to 17:00, Stockholm time, closed on
// the given dates.
func office(t *testing.T, closed ...string) hours.Schedule {
	t.Helper()
	s, err := hours.New(stockholm(t), "12345", "09:00", "17:00", closed)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func local(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, stockholm(t))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAddCountsOpenTime(t *testing.T) {
	s := office(t, "2026-12-24", "2026-12-25")
	for _, tc := range []struct {
		name, from string
		d          time.Duration
		want       string
	}{
		{"within the day", "2026-11-18 10:00", 4 * time.Hour, "2026-11-18 14:00"},
		{"overnight", "2026-11-18 16:00", 4 * time.Hour, "2026-11-19 12:00"},
		{"before opening", "2026-11-18 06:30", time.Hour, "2026-11-18 10:00"},
		{"after closing", "2026-11-18 19:00", time.Hour, "2026-11-19 10:00"},
		{"across a weekend", "2026-11-20 15:00", 4 * time.Hour, "2026-11-23 11:00"},
		{"from a Saturday", "2026-11-21 12:00", 2 * time.Hour, "2026-11-23 11:00"},
		{"a whole target of 24 open hours", "2026-11-18 09:00", 24 * time.Hour, "2026-11-20 17:00"},
		{"across the Christmas holidays", "2026-12-23 16:00", 2 * time.Hour, "2026-12-28 10:00"},
		// Summer time ends on Sunday 25 October 2026: Friday 16:00 is
		// 14:00 UTC, Monday 11:00 is 10:00 UTC — the wall clock counts.
		{"across the end of summer time", "2026-10-23 16:00", 3 * time.Hour, "2026-10-26 11:00"},
		// Summer time starts on Sunday 28 March 2027.
		{"across the start of summer time", "2027-03-26 16:00", 3 * time.Hour, "2027-03-29 11:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := s.Add(local(t, tc.from), tc.d)
			want := local(t, tc.want).UTC()
			if !got.Equal(want) {
				t.Errorf("Add(%s, %v) = %s, want %s", tc.from, tc.d, got.In(stockholm(t)).Format("Mon 2006-01-02 15:04 MST"), tc.want)
			}
			if got.Location() != time.UTC {
				t.Errorf("result in %v, want UTC", got.Location())
			}
			if back := s.Between(local(t, tc.from), got); back != tc.d {
				t.Errorf("Between gives back %v, want %v", back, tc.d)
			}
		})
	}
}

// TestAlwaysOpenCountsRealTime: a business open day and night counts the
// real hours of a day on which the clocks change — 24 hours from Saturday
// noon before summer time ends is Sunday 11:00 on the wall clock.
func TestAlwaysOpenCountsRealTime(t *testing.T) {
	s := hours.Always(stockholm(t))
	from := local(t, "2026-10-24 12:00")
	got := s.Add(from, 24*time.Hour)
	if !got.Equal(from.Add(24 * time.Hour)) {
		t.Errorf("Add = %v, want %v", got, from.Add(24*time.Hour))
	}
	if want := local(t, "2026-10-25 11:00"); !got.Equal(want) {
		t.Errorf("wall clock %s, want 11:00", got.In(stockholm(t)).Format("15:04"))
	}
}

func TestNextDayAtAndEndOfDay(t *testing.T) {
	s := office(t, "2026-12-24")
	for _, tc := range []struct{ now, want string }{
		{"2026-11-18 10:00", "2026-11-19 12:00"}, // Wednesday: Thursday noon
		{"2026-11-20 10:00", "2026-11-23 12:00"}, // Friday: Monday noon
		{"2026-12-23 10:00", "2026-12-25 12:00"}, // the 24th is closed
	} {
		if got := s.NextDayAt(local(t, tc.now), 12, 0); !got.Equal(local(t, tc.want)) {
			t.Errorf("NextDayAt(%s) = %s, want %s", tc.now, got.In(stockholm(t)), tc.want)
		}
	}
	end, err := s.EndOfDay("2026-10-25") // 25 hours long
	if err != nil || !end.Equal(local(t, "2026-10-26 00:00")) {
		t.Errorf("EndOfDay = %v, %v", end, err)
	}
	if _, err := s.EndOfDay("soon"); err == nil {
		t.Error("EndOfDay accepted a word")
	}
	if got := s.Today(time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC)); got != "2026-12-01" {
		t.Errorf("Today = %s, want the local date 2026-12-01", got)
	}
}

func TestParsing(t *testing.T) {
	for _, bad := range [][3]string{{"", "09:00", "17:00"}, {"1238", "09:00", "17:00"}, {"12345", "9", "17:00"},
		{"12345", "09:00", "24:30"}, {"12345", "17:00", "09:00"}, {"12345", "09:60", "17:00"}} {
		if _, err := hours.New(time.UTC, bad[0], bad[1], bad[2], nil); err == nil {
			t.Errorf("New(%q, %q, %q) accepted", bad[0], bad[1], bad[2])
		}
	}
	if _, err := hours.New(time.UTC, "12345", "09:00", "17:00", []string{"24 December"}); err == nil {
		t.Error("a closed date in words was accepted")
	}
	days, err := hours.ParseDays("5, 1,2")
	if err != nil || hours.FormatDays(days) != "125" {
		t.Errorf("ParseDays = %v %v", hours.FormatDays(days), err)
	}
	if m, err := hours.ParseClock("24:00"); err != nil || m != 24*60 || hours.FormatClock(m) != "24:00" {
		t.Errorf("ParseClock(24:00) = %d %v", m, err)
	}
}
