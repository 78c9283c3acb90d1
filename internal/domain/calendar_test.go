package domain

import (
	"testing"
	"time"
)

// springFestival2027 is a Spring Festival as a tenant would list it: a
// week off (Mon 8 – Fri 12 February, and Monday 15) with make-up working
// days on Sunday 7 and Saturday 20 February.
var springFestival2027 = Calendar{
	"2027-02-07": DayWorkday, "2027-02-08": DayHoliday, "2027-02-09": DayHoliday, "2027-02-10": DayHoliday,
	"2027-02-11": DayHoliday, "2027-02-12": DayHoliday, "2027-02-15": DayHoliday, "2027-02-20": DayWorkday,
}

func TestAddDays(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	at := func(loc *time.Location, s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name  string
		start time.Time
		n     int
		mode  DayCount
		loc   *time.Location
		want  time.Time
	}{
		{"calendar days are 24 hours, weekend or not", at(sh, "2027-01-29 10:00"), 3, CalendarDays, sh, at(sh, "2027-02-01 10:00")},
		{"calendar days ignore holidays", at(sh, "2027-02-07 10:00"), 2, CalendarDays, sh, at(sh, "2027-02-09 10:00")},
		{"an unset mode counts calendar days", at(sh, "2027-02-07 10:00"), 2, "", sh, at(sh, "2027-02-09 10:00")},
		{"working day to working day", at(sh, "2027-01-04 10:00"), 1, WorkingDays, sh, at(sh, "2027-01-05 10:00")},
		{"Friday plus one skips the weekend", at(sh, "2027-01-08 10:00"), 1, WorkingDays, sh, at(sh, "2027-01-11 10:00")},
		{"a start on Saturday starts on Monday", at(sh, "2027-01-09 15:00"), 1, WorkingDays, sh, at(sh, "2027-01-12 00:00")},
		{"zero days is the start", at(sh, "2027-01-09 15:00"), 0, WorkingDays, sh, at(sh, "2027-01-09 15:00")},
		{"a 调休 Sunday is a working day", at(sh, "2027-02-05 10:00"), 1, WorkingDays, sh, at(sh, "2027-02-07 10:00")},
		{"across Spring Festival", at(sh, "2027-02-07 10:00"), 1, WorkingDays, sh, at(sh, "2027-02-16 10:00")},
		{"five working days spanning Spring Festival", at(sh, "2027-02-04 09:00"), 5, WorkingDays, sh, at(sh, "2027-02-18 09:00")},
		{"the 调休 Saturday after the festival", at(sh, "2027-02-19 09:00"), 1, WorkingDays, sh, at(sh, "2027-02-20 09:00")},
		{"thirty working days", at(sh, "2027-01-25 10:31"), 30, WorkingDays, sh, at(sh, "2027-03-12 10:31")},
		{"backwards across Spring Festival", at(sh, "2027-02-16 10:00"), -1, WorkingDays, sh, at(sh, "2027-02-07 10:00")},
		{"backwards from a holiday ends at a working day's start", at(sh, "2027-02-10 12:00"), -1, WorkingDays, sh, at(sh, "2027-02-07 00:00")},
		{"backwards in calendar days", at(sh, "2027-02-10 12:00"), -1, CalendarDays, sh, at(sh, "2027-02-09 12:00")},
		{"the tenant's zone decides the day: Friday 10:00 in Shanghai", time.Date(2027, 1, 8, 2, 0, 0, 0, time.UTC), 1, WorkingDays, sh,
			time.Date(2027, 1, 11, 2, 0, 0, 0, time.UTC)},
		{"the tenant's zone decides the day: Friday 20:00 UTC is Saturday in Shanghai", time.Date(2027, 1, 8, 20, 0, 0, 0, time.UTC), 1, WorkingDays, sh,
			at(sh, "2027-01-12 00:00")},
		{"the same instant in a UTC tenant is still Friday", time.Date(2027, 1, 8, 20, 0, 0, 0, time.UTC), 1, WorkingDays, time.UTC,
			time.Date(2027, 1, 11, 20, 0, 0, 0, time.UTC)},
		{"a DST change keeps the wall clock", at(ny, "2027-03-12 10:00"), 1, WorkingDays, ny, at(ny, "2027-03-15 10:00")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := addDays(c.start, c.n, c.mode, springFestival2027, c.loc); !got.Equal(c.want) {
				t.Errorf("addDays(%s, %d, %q) = %s, want %s", c.start.In(c.loc), c.n, c.mode, got.In(c.loc), c.want.In(c.loc))
			}
		})
	}
}

// TestAddDaysBackwardsIsTheInverse checks, hour by hour around Spring
// Festival, that "start <= addDays(now, -n)" (what the sweeper's SQL
// compares) holds exactly when "addDays(start, n) <= now" (what Go
// computes when it stores a deadline).
func TestAddDaysBackwardsIsTheInverse(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	from := time.Date(2027, 1, 28, 0, 30, 0, 0, sh)
	now := time.Date(2027, 2, 17, 9, 30, 0, 0, sh)
	for _, n := range []int{1, 3, 7} {
		limit := addDays(now, -n, WorkingDays, springFestival2027, sh)
		for start := from; !start.After(now); start = start.Add(time.Hour) {
			ended := !addDays(start, n, WorkingDays, springFestival2027, sh).After(now)
			if due := !start.After(limit); due != ended {
				t.Fatalf("n=%d start %s: SQL says due %v, Go says ended %v (limit %s)", n, start, due, ended, limit)
			}
		}
	}
}

func TestWorking(t *testing.T) {
	for day, want := range map[string]bool{
		"2027-02-05": true,  // Friday
		"2027-02-06": false, // Saturday
		"2027-02-07": true,  // 调休 Sunday
		"2027-02-08": false, // Spring Festival Monday
		"2027-02-14": false, // Sunday
		"2027-02-20": true,  // 调休 Saturday
	} {
		d, _ := time.Parse(time.DateOnly, day)
		if got := springFestival2027.Working(d); got != want {
			t.Errorf("Working(%s) = %v, want %v", day, got, want)
		}
	}
}

func TestParseCalendarLines(t *testing.T) {
	days, err := ParseCalendarLines("2027-02-11 holiday 春节\n\n  2027-02-07 workday 调休 上班\n2027-10-01 放假\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []CalendarDay{{"2027-02-11", DayHoliday, "春节"}, {"2027-02-07", DayWorkday, "调休 上班"}, {"2027-10-01", DayHoliday, ""}}
	if len(days) != len(want) {
		t.Fatalf("got %v, want %v", days, want)
	}
	for i := range want {
		if days[i] != want[i] {
			t.Errorf("line %d: got %v, want %v", i, days[i], want[i])
		}
	}
	for _, bad := range []string{"2027-02-30 holiday", "2027-02-11", "2027-02-11 vacation 春节", "明天 holiday"} {
		if _, err := ParseCalendarLines("2027-01-01 holiday 元旦\n" + bad); ErrorCode(err) != CodeInvalid || err.(*Error).Fields["lines"].En == "" {
			t.Errorf("%q: got %v, want a line error", bad, err)
		}
	}
}
