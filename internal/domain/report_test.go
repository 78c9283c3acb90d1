package domain_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"baobei/internal/domain"
)

// reportScene files, on 2026-11-02, the claims, conflicts, decisions,
// visits and deals the report tests count:
//
//	一组: sales1 registers 华为 and 中兴; sales2 registers 华为 (loses by
//	time), 中兴 with a history claim (arbitration; manager1 decides for
//	sales1) and, under review, 小米 (rejected in review). 华为 visits with
//	sales1 and signs a deal of 100,000 with sales1.
//	二组: sales3 registers 腾讯 and 华为 (loses by time).
//	Nobody's: a walk-in logged as unassigned, and an unclaimed deal of 5,000.
func reportScene(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	huawei := company("北京华为技术有限公司", "13800000001")
	zte := company("中兴通讯股份有限公司", "13800000002")
	mustRegister(t, f, "sales1", huawei)
	holder := mustRegister(t, f, "sales1", zte)
	if r := mustRegister(t, f, "sales2", huawei); r.Status != domain.StatusRejected {
		t.Fatalf("sales2's 华为 is %s, want rejected", r.Status)
	}
	in := company("中兴通讯股份有限公司", "13800000012")
	in.HistoryClaim = "2024年签约过合同"
	newcomer := mustRegister(t, f, "sales2", in)
	if newcomer.Conflict == nil || newcomer.Conflict.DisputeID == 0 {
		t.Fatalf("sales2's 中兴 went to no case: %+v", newcomer)
	}
	if _, err := f.svc.DecideDispute(ctx, f.a(t, "manager1"), newcomer.Conflict.DisputeID,
		domain.DisputeDecisionInput{WinnerRegistrationID: holder.ID, Reason: "先报备"}); err != nil {
		t.Fatal(err)
	}
	mustRegister(t, f, "sales3", company("深圳腾讯计算机系统有限公司", "13800000003"))
	if r := mustRegister(t, f, "sales3", huawei); r.Status != domain.StatusRejected {
		t.Fatalf("sales3's 华为 is %s, want rejected", r.Status)
	}
	mustVisit(t, f, domain.VisitInput{VisitorName: "张经理", Phone: "13800000001", Company: "北京华为技术有限公司",
		SalespersonID: f.a(t, "sales1").UserID})
	mustVisit(t, f, domain.VisitInput{VisitorName: "路人", Company: "无名贸易有限公司"})
	f.advance(2 * time.Hour) // deals are signed an hour before they are recorded
	mustDeal(t, f, "sales1", dealOf(t, f, "HT-R1", huawei, "", "sales1", 100000))
	mustDeal(t, f, "clerk1", dealOf(t, f, "HT-R2", company("百度在线网络技术有限公司", ""), "", "sales2", 5000))
	f.setPolicy(t, `{"review_required": true}`)
	xiaomi := mustRegister(t, f, "sales2", company("小米科技有限责任公司", "13800000004"))
	if _, err := f.svc.Review(ctx, f.a(t, "manager1"), xiaomi.ID, false, "资料不实"); err != nil {
		t.Fatal(err)
	}
}

// line finds the line named name.
func line(t *testing.T, lines []domain.ReportLine, name string) domain.ReportLine {
	t.Helper()
	for _, l := range lines {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("no line %q in %+v", name, lines)
	return domain.ReportLine{}
}

// counts maps a breakdown's keys to their counts.
func counts(cs []domain.ReportCount) map[string]int {
	m := map[string]int{}
	for _, c := range cs {
		m[c.Key] = c.Count
	}
	return m
}

func TestReportFigures(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	reportScene(t, f)
	ctx := context.Background()
	f.advance(time.Hour)

	type figs = domain.ReportFigures
	zero := figs{}
	for _, tc := range []struct {
		name, user, from, to, team string
		teams                      map[string]figs
		people                     map[string]figs
		absent                     []string // names that must not appear
		total                      figs
		decisions, attribution     map[string]int
	}{
		{
			name: "manager1, last 30 days", user: "manager1",
			teams: map[string]figs{"一组": {Registrations: 5, Conflicts: 2, Visited: 1, Converted: 1, Visits: 1, Deals: 1, Amount: 100000}},
			people: map[string]figs{
				"张三":  {Registrations: 2, Visited: 1, Converted: 1, Visits: 1, Deals: 1, Amount: 100000},
				"李四":  {Registrations: 3, Conflicts: 2},
				"李经理": zero, // a person with no registrations
			},
			absent:      []string{"二组", "王五"},
			total:       figs{Registrations: 5, Conflicts: 2, Visited: 1, Converted: 1, Visits: 1, Deals: 1, Amount: 100000},
			decisions:   map[string]int{"time": 1, "dispute": 1, "review": 1, "history": 0, "completeness": 0},
			attribution: map[string]int{"registration": 1, "claim_window": 0},
		},
		{
			name: "admin, the whole company", user: "admin", from: "2026-11-02", to: "2026-11-02",
			teams: map[string]figs{
				"一组": {Registrations: 5, Conflicts: 2, Visited: 1, Converted: 1, Visits: 1, Deals: 1, Amount: 100000},
				"二组": {Registrations: 2, Conflicts: 1},
			},
			people: map[string]figs{"王五": {Registrations: 2, Conflicts: 1}, "赵六": zero},
			total:  figs{Registrations: 7, Conflicts: 3, Visited: 1, Converted: 1, Visits: 2, Deals: 1, Amount: 100000},
			// sales2's rejected 中兴 was decided in the case; both 华为 losers by time.
			decisions:   map[string]int{"time": 2, "dispute": 1, "review": 1},
			attribution: map[string]int{"registration": 1, "claim_window": 1},
		},
		{
			name: "clerk narrowed to 二组", user: "clerk1", team: "二组",
			teams:       map[string]figs{"二组": {Registrations: 2, Conflicts: 1}},
			people:      map[string]figs{"王五": {Registrations: 2, Conflicts: 1}},
			absent:      []string{"一组", "张三"},
			total:       figs{Registrations: 2, Conflicts: 1},
			decisions:   map[string]int{"time": 1, "dispute": 0, "review": 0},
			attribution: map[string]int{"registration": 0, "claim_window": 0},
		},
		{
			name: "an empty period", user: "admin", from: "2026-10-01", to: "2026-10-31",
			teams:       map[string]figs{"一组": zero, "二组": zero},
			people:      map[string]figs{"张三": zero},
			total:       zero,
			decisions:   map[string]int{"time": 0, "history": 0, "completeness": 0, "dispute": 0, "review": 0},
			attribution: map[string]int{"registration": 0, "claim_window": 0, "duty_team": 0},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			team := ""
			if tc.team != "" {
				team = teamID(t, f, tc.team)
			}
			rep, err := f.svc.Report(ctx, f.a(t, tc.user), tc.from, tc.to, team)
			if err != nil {
				t.Fatal(err)
			}
			if tc.from == "" && (rep.From.Format(time.DateOnly) != "2026-10-04" || rep.To.Format(time.DateOnly) != "2026-11-02") {
				t.Errorf("default period %s – %s, want the 30 days 2026-10-04 – 2026-11-02", rep.From, rep.To)
			}
			if len(rep.Teams) != len(tc.teams) {
				t.Errorf("teams %+v, want %d", rep.Teams, len(tc.teams))
			}
			for name, want := range tc.teams {
				if got := line(t, rep.Teams, name).ReportFigures; got != want {
					t.Errorf("team %s: %+v, want %+v", name, got, want)
				}
			}
			for name, want := range tc.people {
				if got := line(t, rep.People, name).ReportFigures; got != want {
					t.Errorf("person %s: %+v, want %+v", name, got, want)
				}
			}
			for _, name := range tc.absent {
				for _, l := range append(rep.Teams, rep.People...) {
					if l.Name == name {
						t.Errorf("%s sees %s's line", tc.user, name)
					}
				}
			}
			if rep.Total != tc.total {
				t.Errorf("total %+v, want %+v", rep.Total, tc.total)
			}
			got := counts(rep.Decisions)
			for k, n := range tc.decisions {
				if got[k] != n {
					t.Errorf("decisions by %s: %d, want %d (all: %v)", k, got[k], n, got)
				}
			}
			got = counts(rep.Attribution)
			for k, n := range tc.attribution {
				if got[k] != n {
					t.Errorf("deals by %s: %d, want %d (all: %v)", k, got[k], n, got)
				}
			}
			funnel := counts(rep.Funnel())
			if funnel["registered"] != tc.total.Registrations || funnel["visited"] != tc.total.Visited || funnel["deal"] != tc.total.Converted {
				t.Errorf("funnel %v, want the total's %+v", funnel, tc.total)
			}
		})
	}
}

// TestReportExpiries: the sweeper's expiries count on the day they
// happen, for the claim's owner and team; a converted claim does not
// expire.
func TestReportExpiries(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	reportScene(t, f)
	ctx := context.Background()
	f.advance(31 * 24 * time.Hour)
	if _, err := f.svc.Sweep(ctx, f.svc.Now()); err != nil {
		t.Fatal(err)
	}
	rep, err := f.svc.Report(ctx, f.a(t, "admin"), "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total.Registrations != 0 || rep.Total.Expiries != 2 {
		t.Errorf("last 30 days: %+v, want no registrations and 2 expiries", rep.Total)
	}
	if n := line(t, rep.People, "张三").Expiries; n != 1 {
		t.Errorf("张三's expiries %d, want 1 (中兴; 华为 converted)", n)
	}
	if n := line(t, rep.Teams, "二组").Expiries; n != 1 {
		t.Errorf("二组's expiries %d, want 1", n)
	}
}

func TestReportConflictRate(t *testing.T) {
	for _, tc := range []struct {
		regs, conflicts int
		rate            float64
		ok              bool
	}{
		{0, 0, 0, false},
		{5, 2, 0.4, true},
		{3, 0, 0, true},
		{1, 1, 1, true},
	} {
		rate, ok := domain.ReportFigures{Registrations: tc.regs, Conflicts: tc.conflicts}.ConflictRate()
		if rate != tc.rate || ok != tc.ok {
			t.Errorf("%d of %d: %v %v, want %v %v", tc.conflicts, tc.regs, rate, ok, tc.rate, tc.ok)
		}
	}
}

// TestReportAccess: who may read which report, and which periods and
// teams are refused.
func TestReportAccess(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, user, from, to, team string
		field                      string // the field an Invalid error names
		err                        error
	}{
		{name: "sales", user: "sales1", err: domain.ErrForbidden},
		{name: "front desk", user: "frontdesk1", err: domain.ErrForbidden},
		{name: "another manager's team", user: "manager1", team: "二组", err: domain.ErrNotFound},
		{name: "no such team", user: "admin", team: "999999", err: domain.ErrNotFound},
		{name: "team not a number", user: "admin", team: "x", field: "team_id"},
		{name: "malformed from", user: "manager1", from: "2026/11/01", field: "from"},
		{name: "malformed to", user: "manager1", to: "tomorrow", field: "to"},
		{name: "end before start", user: "manager1", from: "2026-11-02", to: "2026-11-01", field: "to"},
		{name: "367 days", user: "manager1", from: "2025-11-01", to: "2026-11-02", field: "to"},
		{name: "366 days", user: "manager1", from: "2025-11-02", to: "2026-11-02"},
		{name: "one day", user: "manager1", from: "2026-11-02", to: "2026-11-02"},
		{name: "own team", user: "manager1", team: "一组"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			team := tc.team
			if team == "一组" || team == "二组" {
				team = teamID(t, f, team)
			}
			_, err := f.svc.Report(ctx, f.a(t, tc.user), tc.from, tc.to, team)
			switch {
			case tc.field != "":
				var de *domain.Error
				if !errors.As(err, &de) || de.Code != domain.CodeInvalid || de.Fields[tc.field].Zh == "" || de.Fields[tc.field].En == "" {
					t.Errorf("err = %v, want invalid %s in both languages", err, tc.field)
				}
			case !errors.Is(err, tc.err):
				t.Errorf("err = %v, want %v", err, tc.err)
			}
		})
	}
}

// teamID returns the id of the demo team named name, as text.
func teamID(t *testing.T, f *fixture, name string) string {
	t.Helper()
	teams, err := f.svc.Teams(context.Background(), f.a(t, "admin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range teams {
		if x.Name == name {
			return strconv.FormatInt(x.ID, 10)
		}
	}
	t.Fatalf("no team %s", name)
	return ""
}

// TestReportLeavesOutVoided: a voided visit or deal (a correction) no
// longer counts in the report, nor converts its registration.
func TestReportLeavesOutVoided(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	reportScene(t, f)
	ctx := context.Background()
	huawei := company("北京华为技术有限公司", "")
	v := mustVisit(t, f, domain.VisitInput{VisitorName: "误登", Company: "无名贸易有限公司"})
	d := mustDeal(t, f, "sales1", dealOf(t, f, "HT-R9", huawei, "", "sales1", 7000))
	before, err := f.svc.Report(ctx, f.a(t, "admin"), "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.VoidVisit(ctx, f.a(t, "clerk1"), v.ID, "重复登记"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.VoidDeal(ctx, f.a(t, "clerk1"), d.ID, "合同录错"); err != nil {
		t.Fatal(err)
	}
	after, err := f.svc.Report(ctx, f.a(t, "admin"), "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	want := before.Total
	want.Visits--
	want.Deals--
	want.Amount -= 7000
	if after.Total != want {
		t.Errorf("after voiding a visit and a deal: %+v, want %+v", after.Total, want)
	}
}
