package domain_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"baobei/internal/domain"
)

// setSpringFestival lists the 2027 Spring Festival of calendar_test.go as
// the demo company's calendar, through the admin's bulk paste.
func setSpringFestival(t *testing.T, f *fixture) {
	t.Helper()
	days, err := domain.ParseCalendarLines(`2027-02-07 workday 调休
2027-02-08 holiday 春节
2027-02-09 holiday 春节
2027-02-10 holiday 春节
2027-02-11 holiday 春节
2027-02-12 holiday 春节
2027-02-15 holiday 春节
2027-02-20 workday 调休`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetCalendarYear(context.Background(), f.a(t, "admin"), 2027, days); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) setNow(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
}

// TestProtectionInWorkingDaysAcrossSpringFestival: five working days of
// protection from Thursday 4 February 2027 end on Thursday 18 February
// (Fri 5, the 调休 Sunday 7, Tue 16, Wed 17, Thu 18), not on the 9th as
// five calendar days would; the sweeper expires the claim then, not
// earlier.
func TestProtectionInWorkingDaysAcrossSpringFestival(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	setSpringFestival(t, f)
	f.setPolicy(t, `{"protection_days":5,"expiry_notice_days":0,"day_count":{"protection_days":"working"}}`)
	f.setNow(time.Date(2027, 2, 4, 9, 0, 0, 0, shanghai))
	r := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
	want := time.Date(2027, 2, 18, 9, 0, 0, 0, shanghai)
	if r.ProtectedUntil == nil || !r.ProtectedUntil.Equal(want) {
		t.Fatalf("protected until %v, want %s", r.ProtectedUntil, want)
	}
	for _, at := range []time.Time{time.Date(2027, 2, 9, 9, 0, 0, 0, shanghai), want.Add(-time.Second)} {
		f.setNow(at)
		if res := f.sweep(t); res.Counts["expired"] != 0 {
			t.Fatalf("sweep at %s expired %d, want none", at, res.Counts["expired"])
		}
	}
	f.setNow(want)
	if res := f.sweep(t); res.Counts["expired"] != 1 || f.reg(t, r.ID).Status != domain.StatusExpired {
		t.Fatalf("sweep at %s = %+v, want the claim expired", want, res)
	}
}

// TestVisitWindowInWorkingDays: the sweeper's relative comparison (filed
// before now minus the window) agrees with the window counted forwards:
// a claim filed on Friday 5 February with two working days to visit
// lapses on Tuesday 16 February at the same time of day.
func TestVisitWindowInWorkingDays(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	setSpringFestival(t, f)
	f.setPolicy(t, `{"require_visit":true,"visit_window_days":2,"day_count":{"visit_window_days":"working"}}`)
	f.setNow(time.Date(2027, 2, 5, 10, 0, 0, 0, shanghai))
	r := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
	if r.Status != domain.StatusPendingVisit {
		t.Fatalf("status %s, want pending_visit", r.Status)
	}
	lapses := time.Date(2027, 2, 16, 10, 0, 0, 0, shanghai)
	f.setNow(lapses.Add(-time.Second))
	if res := f.sweep(t); res.Counts["lapsed"] != 0 {
		t.Fatalf("lapsed %d a second early", res.Counts["lapsed"])
	}
	f.setNow(lapses)
	if res := f.sweep(t); res.Counts["lapsed"] != 1 || f.reg(t, r.ID).Status != domain.StatusLapsed {
		t.Fatalf("sweep at %s = %+v, want the claim lapsed", lapses, res)
	}
}

func TestCalendarYearRules(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	setSpringFestival(t, f)
	days, err := f.svc.CalendarYear(ctx, f.a(t, "sales1"), 2027)
	if err != nil || len(days) != 8 || days[0] != (domain.CalendarDay{Date: "2027-02-07", Kind: "workday", Name: "调休"}) {
		t.Fatalf("calendar = %v, %v", days, err)
	}
	if _, err := f.svc.SetCalendarYear(ctx, f.a(t, "manager1"), 2027, nil); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Errorf("manager sets the calendar: %v, want forbidden", err)
	}
	bad := []domain.CalendarDay{{Date: "2026-12-31", Kind: "holiday"}, {Date: "2027-01-01", Kind: "rest"},
		{Date: "2027-05-01", Kind: "holiday"}, {Date: "2027-05-01", Kind: "holiday"}}
	_, err = f.svc.SetCalendarYear(ctx, f.a(t, "admin"), 2027, bad)
	var e *domain.Error
	if domain.ErrorCode(err) != domain.CodeInvalid || !errors.As(err, &e) || len(e.Fields) != 3 {
		t.Fatalf("bad days: %v, want three field errors", err)
	}
	if days, _ := f.svc.CalendarYear(ctx, f.a(t, "admin"), 2027); len(days) != 8 {
		t.Errorf("a refused change changed the calendar: %v", days)
	}
}
