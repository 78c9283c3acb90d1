package domain

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// Working days (工作日). A tenant's calendar lists public holidays and
// make-up working days (调休); any other Saturday or Sunday is a rest day
// and any other weekday a working day. Each day-based policy window
// counts calendar days or working days (Policy.DayCount).

// DayCount says how a policy window counts its days.
type DayCount string

// The two ways of counting days.
const (
	// CalendarDays: N days are N × 24 hours (api.md).
	CalendarDays DayCount = "calendar"
	// WorkingDays: N days are N × 24 hours of working days' time; the
	// hours of rest days and holidays do not count.
	WorkingDays DayCount = "working"
)

// Calendar day kinds.
const (
	DayHoliday = "holiday"
	DayWorkday = "workday"
)

// CalendarDay is one listed day of a tenant's calendar: a holiday or a
// make-up working day, with its name (春节, 调休).
type CalendarDay struct {
	Date string `json:"date"` // YYYY-MM-DD
	Kind string `json:"kind"` // holiday | workday
	Name string `json:"name"`
}

// Calendar is a tenant's listed days, by date (YYYY-MM-DD) to kind.
type Calendar map[string]string

// Working reports whether the civil date d (any time of it, read in its
// own location) is a working day.
func (c Calendar) Working(d time.Time) bool {
	switch c[d.Format(time.DateOnly)] {
	case DayHoliday:
		return false
	case DayWorkday:
		return true
	}
	return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
}

// maxCalendarWalk bounds the days addDays walks; no window of the policy
// spans more than ten years of days.
const maxCalendarWalk = 40000

// addDays is the end of a window of n policy days starting at start, in
// the tenant's zone loc: for CalendarDays start + n × 24 hours; for
// WorkingDays the instant by which n × 24 hours of working days' time
// (wall-clock time in loc, so a day is 24 hours however long it is) have
// passed, skipping rest days and holidays. A window that starts on a rest
// day starts at the next working day's midnight, and one that ends at the
// end of a working day ends at the following midnight.
//
// A negative n walks backwards: addDays(now, -n, …) is the latest start
// whose window of n days has ended by now, so that "start <=
// addDays(now, -n, …)" in SQL says exactly what "addDays(start, n, …) <=
// now" says in Go (the working time between two instants only shrinks as
// the start moves later).
func addDays(start time.Time, n int, mode DayCount, cal Calendar, loc *time.Location) time.Time {
	if mode != WorkingDays || n == 0 {
		return start.Add(time.Duration(n) * 24 * time.Hour)
	}
	t := start.In(loc)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	clock := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
		time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())
	step, left := 1, time.Duration(n)*24*time.Hour
	if n < 0 {
		step, left = -1, -left
	}
	for range maxCalendarWalk {
		if cal.Working(day) {
			avail := 24*time.Hour - clock // forwards: the rest of the day
			if step < 0 {
				avail = clock // backwards: the part of the day gone by
			}
			if left <= avail {
				return wallClock(day, clock+time.Duration(step)*left, loc)
			}
			left -= avail
		}
		day = day.AddDate(0, 0, step)
		clock = 0
		if step < 0 {
			clock = 24 * time.Hour
		}
	}
	return wallClock(day, clock, loc)
}

// wallClock is the instant clock (0 to 24 hours) of wall-clock time into
// the civil day whose midnight is day.
func wallClock(day time.Time, clock time.Duration, loc *time.Location) time.Time {
	if clock >= 24*time.Hour {
		day, clock = day.AddDate(0, 0, 1), clock-24*time.Hour
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, int(clock), loc)
}

// loadCalendar reads every listed day of the tenant.
func loadCalendar(ctx context.Context, tx pgx.Tx, tenantID int64) (Calendar, error) {
	rows, err := tx.Query(ctx, `SELECT to_char(day, 'YYYY-MM-DD'), kind FROM calendar_days WHERE tenant_id = $1`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	var (
		cal       Calendar // nil when nothing is listed
		day, kind string
	)
	_, err = pgx.ForEachRow(rows, []any{&day, &kind}, func() error {
		if cal == nil {
			cal = Calendar{}
		}
		cal[day] = kind
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	return cal, nil
}

// CalendarYear returns the listed days of one year, in date order. Any
// role may read it.
func (s *Service) CalendarYear(ctx context.Context, by Actor, year int) ([]CalendarDay, error) {
	if err := checkYear(year); err != nil {
		return nil, err
	}
	var days []CalendarDay
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var err error
		days, err = calendarYear(ctx, tx, by.TenantID, year)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("calendar year: %w", err)
	}
	return days, nil
}

// checkYear refuses a year outside 1900 – 9999 (Invalid, field year).
func checkYear(year int) error {
	if year < 1900 || year > 9999 {
		return Invalid(map[string]i18n.Text{"year": {Zh: "年份须在 1900 – 9999 之间", En: "must be a year from 1900 to 9999"}})
	}
	return nil
}

func calendarYear(ctx context.Context, tx pgx.Tx, tenantID int64, year int) ([]CalendarDay, error) {
	rows, err := tx.Query(ctx, `SELECT to_char(day, 'YYYY-MM-DD'), kind, name FROM calendar_days
		WHERE tenant_id = $1 AND day >= make_date($2, 1, 1) AND day < make_date($2 + 1, 1, 1) ORDER BY day`, tenantID, year)
	if err != nil {
		return nil, err
	}
	days, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CalendarDay, error) {
		var d CalendarDay
		err := r.Scan(&d.Date, &d.Kind, &d.Name)
		return d, err
	})
	if days == nil {
		days = []CalendarDay{}
	}
	return days, err
}

// SetCalendarYear replaces the listed days of one year by days (the
// admin's calendar page and PUT /api/v1/calendar) and records the change
// in the audit log. Admins only (ErrForbidden); a day outside the year, a
// bad date or kind, a name over 100 characters or a day listed twice is
// Invalid, keyed "days.<i>", and changes nothing. Deadlines already
// stored (protected_until, claim deadlines) keep their values; the
// calendar applies to those computed from now on.
func (s *Service) SetCalendarYear(ctx context.Context, by Actor, year int, days []CalendarDay) ([]CalendarDay, error) {
	if !by.Is(RoleAdmin) {
		return nil, ErrForbidden
	}
	if err := checkYear(year); err != nil {
		return nil, err
	}
	if errs := validateCalendarDays(year, days); len(errs) > 0 {
		return nil, Invalid(errs)
	}
	var after []CalendarDay
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		before, err := calendarYear(ctx, tx, by.TenantID, year)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM calendar_days WHERE tenant_id = $1 AND day >= make_date($2, 1, 1) AND day < make_date($2 + 1, 1, 1)`,
			by.TenantID, year); err != nil {
			return err
		}
		dates, kinds, names := make([]string, len(days)), make([]string, len(days)), make([]string, len(days))
		for i, d := range days {
			dates[i], kinds[i], names[i] = d.Date, d.Kind, strings.TrimSpace(d.Name)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO calendar_days (tenant_id, day, kind, name)
			SELECT $1, d::date, k, n FROM unnest($2::text[], $3::text[], $4::text[]) AS x(d, k, n)`, by.TenantID, dates, kinds, names); err != nil {
			return err
		}
		if after, err = calendarYear(ctx, tx, by.TenantID, year); err != nil {
			return err
		}
		return audit(ctx, tx, by, "calendar.update", "calendar", int64(year), map[string]any{"days": before}, map[string]any{"days": after})
	})
	if err != nil {
		return nil, fmt.Errorf("set calendar: %w", err)
	}
	return after, nil
}

// validateCalendarDays checks the days of one year (any year when year
// is 0), one message per bad entry.
func validateCalendarDays(year int, days []CalendarDay) map[string]i18n.Text {
	errs := map[string]i18n.Text{}
	var seen []string
	for i, d := range days {
		key := fmt.Sprintf("days.%d", i)
		t, err := time.Parse(time.DateOnly, d.Date)
		switch {
		case err != nil:
			errs[key] = i18n.Text{Zh: "日期格式须为 YYYY-MM-DD", En: "a date must be YYYY-MM-DD"}
		case year != 0 && t.Year() != year:
			errs[key] = i18n.Text{Zh: fmt.Sprintf("日期须在 %d 年内", year), En: fmt.Sprintf("the date must be in %d", year)}
		case d.Kind != DayHoliday && d.Kind != DayWorkday:
			errs[key] = i18n.Text{Zh: "类型须为 holiday (放假) 或 workday (调休上班)", En: "the kind must be holiday or workday"}
		case slices.Contains(seen, d.Date):
			errs[key] = i18n.Text{Zh: "同一天列了两次", En: "this day is listed twice"}
		default:
			if m, bad := checkText(d.Name, maxShortRunes, false); bad {
				errs[key] = m
			}
		}
		seen = append(seen, d.Date)
	}
	return errs
}

// AddCalendarDays lists days in the calendar, replacing what was listed
// for the same dates (the admin's add form and bulk paste), and records
// the change in the audit log. Admins only (ErrForbidden); bad entries
// are Invalid as for SetCalendarYear and change nothing.
func (s *Service) AddCalendarDays(ctx context.Context, by Actor, days []CalendarDay) error {
	if !by.Is(RoleAdmin) {
		return ErrForbidden
	}
	if errs := validateCalendarDays(0, days); len(errs) > 0 {
		return Invalid(errs)
	}
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		for _, d := range days {
			if _, err := tx.Exec(ctx, `INSERT INTO calendar_days (tenant_id, day, kind, name) VALUES ($1, $2::date, $3, $4)
				ON CONFLICT (tenant_id, day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name`,
				by.TenantID, d.Date, d.Kind, strings.TrimSpace(d.Name)); err != nil {
				return err
			}
		}
		return audit(ctx, tx, by, "calendar.add", "calendar", 0, nil, map[string]any{"days": days})
	})
	if err != nil {
		return fmt.Errorf("add calendar days: %w", err)
	}
	return nil
}

// RemoveCalendarDay takes a date (YYYY-MM-DD) off the calendar, so that
// it counts as its weekday again, and records it in the audit log.
// Admins only (ErrForbidden); a date not listed is ErrNotFound.
func (s *Service) RemoveCalendarDay(ctx context.Context, by Actor, date string) error {
	if !by.Is(RoleAdmin) {
		return ErrForbidden
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return ErrNotFound
	}
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var d CalendarDay
		err := tx.QueryRow(ctx, `DELETE FROM calendar_days WHERE tenant_id = $1 AND day = $2::date
			RETURNING to_char(day, 'YYYY-MM-DD'), kind, name`, by.TenantID, date).Scan(&d.Date, &d.Kind, &d.Name)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, by, "calendar.remove", "calendar", 0, d, nil)
	})
	if err != nil {
		return fmt.Errorf("remove calendar day: %w", err)
	}
	return nil
}

// ParseCalendarLines reads the admin's bulk paste, one day a line:
// "2027-02-11 holiday 春节" or "2027-02-07 workday 调休" (the name is
// optional; 放假/休 and 班/上班 are accepted for the kind). Blank lines are
// skipped. A line that does not read is Invalid, keyed "lines", naming
// its number.
func ParseCalendarLines(text string) ([]CalendarDay, error) {
	var days []CalendarDay
	for i, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		d := CalendarDay{Date: f[0]}
		if len(f) > 1 {
			switch f[1] {
			case DayHoliday, "放假", "休":
				d.Kind = DayHoliday
			case DayWorkday, "班", "上班":
				d.Kind = DayWorkday
			}
		}
		if _, err := time.Parse(time.DateOnly, d.Date); err != nil || d.Kind == "" {
			return nil, Invalid(map[string]i18n.Text{"lines": {
				Zh: fmt.Sprintf("第 %d 行格式不对, 应为「2027-02-11 holiday 春节」或「2027-02-07 workday 调休」", i+1),
				En: fmt.Sprintf("line %d does not read; write \"2027-02-11 holiday 春节\" or \"2027-02-07 workday 调休\"", i+1)}})
		}
		d.Name = strings.Join(f[2:], " ")
		days = append(days, d)
	}
	return days, nil
}
