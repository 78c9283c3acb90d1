package domain_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"baobei/internal/domain"
)

// A salesperson leaves: their claims go to the team pool, stay with the
// team, and a manager reassigns them one by one or in bulk; past deals
// keep their credit.
func TestDepartureTeamPool(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	sales1 := f.a(t, "sales1")
	a := mustRegister(t, f, "sales1", company("武汉光谷芯片有限公司", "13500001111"))
	b := mustRegister(t, f, "sales1", company("长沙湘江机械有限公司", "13500002222"))
	c := mustRegister(t, f, "sales1", company("合肥科大讯达有限公司", "13500003333"))
	f.advance(2 * time.Hour)
	deal := mustDeal(t, f, "clerk1", dealOf(t, f, "HT-401", company("武汉光谷芯片有限公司", ""), "", "sales1", 120000))
	mustRegStatus(t, f, a.ID, domain.StatusConverted)

	if err := f.svc.SetActive(ctx, f.a(t, "admin"), sales1.UserID, false); err != nil {
		t.Fatal(err)
	}
	pool, err := f.svc.TeamPool(ctx, f.a(t, "manager1"))
	if err != nil || len(pool) != 3 {
		t.Fatalf("manager1's team pool: %d, %v; want 3", len(pool), err)
	}
	for _, p := range pool {
		if p.TeamID != sales1.TeamID || p.PooledAt.IsZero() || p.TeamName == "" {
			t.Errorf("pooled %+v", p)
		}
	}
	if p, err := f.svc.TeamPool(ctx, f.a(t, "manager2")); err != nil || len(p) != 0 {
		t.Errorf("manager2 sees %d pooled claims of another team, %v", len(p), err)
	}
	_, err = f.svc.TeamPool(ctx, f.a(t, "sales2"))
	wantCode(t, "a salesperson reads the team pool", err, domain.CodeForbidden)
	if n := f.notes(t, "manager1", "team_pool"); n != 1 {
		t.Errorf("manager1 was told %d times, want once", n)
	}
	// The team still holds the customers.
	if r := mustRegister(t, f, "sales3", company("长沙湘江机械有限公司", "13900000000")); r.Status != domain.StatusRejected {
		t.Errorf("another team registers a pooled customer: %s", r.Status)
	}

	cases := []struct {
		name  string
		by    string
		ids   []int64
		owner string
		code  domain.Code
	}{
		{"another team's manager", "manager2", []int64{b.ID}, "sales3", domain.CodeNotFound},
		{"to another team's salesperson", "manager1", []int64{b.ID}, "sales3", domain.CodeInvalid},
		{"to the departed", "manager1", []int64{b.ID}, "sales1", domain.CodeInvalid},
		{"a salesperson", "sales2", []int64{b.ID}, "sales2", domain.CodeForbidden},
		{"nothing chosen", "manager1", nil, "sales2", domain.CodeInvalid},
		{"one by one", "manager1", []int64{b.ID}, "sales2", ""},
		{"in bulk", "manager1", []int64{a.ID, c.ID}, "manager1", ""},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			n, err := f.svc.Reassign(ctx, f.a(t, cs.by), cs.ids, f.a(t, cs.owner).UserID)
			wantCode(t, cs.name, err, cs.code)
			if cs.code == "" && n != len(cs.ids) {
				t.Errorf("reassigned %d, want %d", n, len(cs.ids))
			}
		})
	}
	if r := f.reg(t, b.ID); r.OwnerID != f.a(t, "sales2").UserID || r.Status != domain.StatusActive {
		t.Errorf("b after reassignment: owner %d status %s", r.OwnerID, r.Status)
	}
	if r := f.reg(t, a.ID); r.OwnerID != f.a(t, "manager1").UserID || r.Status != domain.StatusConverted {
		t.Errorf("a after reassignment: owner %d status %s", r.OwnerID, r.Status)
	}
	if p, _ := f.svc.TeamPool(ctx, f.a(t, "manager1")); len(p) != 0 {
		t.Errorf("%d claims left in the pool", len(p))
	}
	// Past credit stays with the departed salesperson.
	got, err := f.svc.Deal(ctx, f.a(t, "admin"), deal.ID)
	if err != nil || got.OwnerID != sales1.UserID {
		t.Errorf("deal owner after the departure: %d, %v", got.OwnerID, err)
	}
	perf, err := f.svc.Performance(ctx, f.a(t, "manager1"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(perf.People, func(p domain.PersonPerformance) bool { return p.UserID == sales1.UserID })
	if i < 0 || perf.People[i].Deals != 1 || perf.People[i].Amount != 120000 || perf.People[i].Active {
		t.Errorf("the departed salesperson's performance: %+v", perf.People)
	}
	// A later deal with the customer credits its new owner.
	d2 := mustDeal(t, f, "clerk1", dealOf(t, f, "HT-402", company("武汉光谷芯片有限公司", ""), "", "sales2", 1000))
	if d2.OwnerID != f.a(t, "manager1").UserID {
		t.Errorf("later deal credited to %d", d2.OwnerID)
	}
}

// A deal with a customer waiting in the team pool credits the team,
// through its manager; one with a relative of that customer does not,
// unless the tenant says so.
func TestDepartureDeals(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	in := person("孙大圣", "13512340000", "self")
	in.Customer.Contacts = append(in.Customer.Contacts, domain.Contact{Name: "孙小圣", Phone: "13512349999", Relation: "child"})
	mustRegister(t, f, "sales3", in)
	if err := f.svc.SetActive(ctx, f.a(t, "admin"), f.a(t, "sales3").UserID, false); err != nil {
		t.Fatal(err)
	}
	f.advance(2 * time.Hour)
	direct := mustDeal(t, f, "clerk1", dealOf(t, f, "HT-501", person("孙大圣", "13512340000", "self"), "", "sales4", 8000))
	if direct.Rule != domain.RuleTeamPool || direct.OwnerID != f.a(t, "manager2").UserID || direct.TeamID != f.a(t, "sales4").TeamID {
		t.Errorf("deal with the pooled customer: %+v", direct)
	}
	relative := mustDeal(t, f, "clerk1", dealOf(t, f, "HT-502", person("孙小圣", "", "self"), "13512349999", "sales4", 9000))
	if relative.Status != domain.DealUnclaimed {
		t.Errorf("deal with the departed's customer's child: %s, want unclaimed", relative.Status)
	}
	f.setPolicy(t, `{"credit_departed_relatives": true}`)
	credited := mustDeal(t, f, "clerk1", dealOf(t, f, "HT-503", person("孙小圣", "", "self"), "13512349999", "sales4", 9000))
	if credited.Rule != domain.RuleTeamPool {
		t.Errorf("with credit_departed_relatives: %s/%s", credited.Status, credited.Rule)
	}
}

func TestCustomerGrades(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	f.setPolicy(t, `{"grade_thresholds": {"vip": 500000, "key": 100000}}`)
	cases := []struct {
		name    string
		amounts []float64 // deals signed an hour ago
		old     float64   // a deal signed 13 months ago, 0 for none
		want    domain.CustomerGrade
	}{
		{"鸿运VIP有限公司", []float64{300000, 200000}, 0, domain.GradeVIP},
		{"鸿运重点有限公司", []float64{100000}, 0, domain.GradeKey},
		{"鸿运边界有限公司", []float64{499999.99}, 0, domain.GradeKey},
		{"鸿运一般有限公司", []float64{99999.99}, 0, domain.GradeGeneral},
		{"鸿运旧客有限公司", nil, 900000, domain.GradeGeneral},
		{"鸿运储备有限公司", nil, 0, domain.GradeReserve},
	}
	regs := map[string]domain.Registration{}
	for i, c := range cases {
		regs[c.name] = mustRegister(t, f, "sales1", company(c.name, "1330000000"+string(rune('0'+i))))
	}
	f.advance(2 * time.Hour)
	for i, c := range cases {
		for j, a := range c.amounts {
			mustDeal(t, f, "sales1", dealOf(t, f, "G-"+c.name+string(rune('a'+j)), company(c.name, ""), "", "sales1", a))
		}
		if c.old > 0 {
			in := dealOf(t, f, "G-old-"+string(rune('0'+i)), company(c.name, ""), "", "sales1", c.old)
			*in.SignedAt = f.svc.Now().AddDate(-1, -1, 0)
			f.asOwner(t, `UPDATE registrations SET registered_at = registered_at - interval '400 days' WHERE id = $1`, regs[c.name].ID)
			mustDeal(t, f, "sales1", in)
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := f.svc.CustomerGradeOf(ctx, f.a(t, "sales1"), regs[c.name].ID)
			if err != nil || g != c.want {
				t.Errorf("grade = %s, %v; want %s", g, err, c.want)
			}
			list, _, err := f.svc.Customers(ctx, f.a(t, "manager1"), domain.CustomerFilter{Grade: c.want, Query: c.name})
			if err != nil || len(list) != 1 || list[0].Grade != c.want || list[0].RegistrationID != regs[c.name].ID {
				t.Errorf("filtered by %s: %+v, %v", c.want, list, err)
			}
		})
	}
	all, _, err := f.svc.Customers(ctx, f.a(t, "sales3"), domain.CustomerFilter{})
	if err != nil || len(all) != 0 {
		t.Errorf("sales3 sees %d of sales1's customers, %v", len(all), err)
	}
	_, err = f.svc.CustomerGradeOf(ctx, f.a(t, "sales3"), regs["鸿运VIP有限公司"].ID)
	wantCode(t, "sales3 grades sales1's customer", err, domain.CodeNotFound)
}

func TestPerformance(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	mustRegister(t, f, "sales1", company("福州闽江电器有限公司", "13300001111"))
	f.advance(2 * time.Hour)
	mustDeal(t, f, "clerk1", dealOf(t, f, "P-1", company("福州闽江电器有限公司", ""), "", "sales2", 1000))
	mustDeal(t, f, "clerk1", dealOf(t, f, "P-2", company("无主客户有限公司", ""), "", "sales3", 500))
	lastMonth := dealOf(t, f, "P-3", company("福州闽江电器有限公司", ""), "", "sales1", 7)
	*lastMonth.SignedAt = f.svc.Now().AddDate(0, -1, 0)
	f.asOwner(t, `UPDATE registrations SET registered_at = registered_at - interval '60 days'`)
	mustDeal(t, f, "clerk1", lastMonth)

	p, err := f.svc.Performance(ctx, f.a(t, "manager1"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]domain.PersonPerformance{}
	for _, x := range p.People {
		byName[x.Name] = x
	}
	s1, s2 := byName["张三"], byName["李四"]
	if s1.Deals != 1 || s1.Amount != 1000 || s2.Assists != 1 || s2.AssistAmount != 1000 || s2.Deals != 0 {
		t.Errorf("this month: %+v", p.People)
	}
	if _, ok := byName["王五"]; ok || len(p.Teams) != 1 || p.Teams[0].Amount != 1000 {
		t.Errorf("manager1 sees another team or a wrong total: %+v %+v", p.People, p.Teams)
	}
	from := f.svc.Now().AddDate(0, -2, 0).Format(time.DateOnly)
	p, err = f.svc.Performance(ctx, f.a(t, "admin"), from, "")
	if err != nil || p.Unclaimed != 1 || p.UnclaimedAmount != 500 {
		t.Fatalf("admin over two months: %+v, %v", p, err)
	}
	for _, x := range p.People {
		if x.Name == "张三" && (x.Deals != 2 || x.Amount != 1007) {
			t.Errorf("two months of 张三: %+v", x)
		}
	}
	for _, c := range []struct{ from, to string }{{"2026-13-01", ""}, {"2026-11-10", "2026-11-01"}, {"", "tomorrow"}} {
		_, err := f.svc.Performance(ctx, f.a(t, "admin"), c.from, c.to)
		wantCode(t, c.from+"…"+c.to, err, domain.CodeInvalid)
	}
	_, err = f.svc.Performance(ctx, f.a(t, "sales1"), "", "")
	wantCode(t, "a salesperson's performance view", err, domain.CodeForbidden)
}
