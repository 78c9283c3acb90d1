package domain_test

import (
	"context"
	"testing"
	"time"

	"baobei/internal/domain"
)

// dashboardFixture arranges a month of the demo company: on day 0 sales1
// registers A and B (followed up once) and sales3 registers C; sales2
// asks sales1's consent about A. On day 24 (a Thursday) sales1 registers
// D, which sales3 then collides with (一组 against 二组), sales4 collides
// with sales3's C (二组 only), review becomes required and sales2 files E,
// which waits for review; front desk logs a visit.
func dashboardFixture(t *testing.T) *fixture {
	t.Helper()
	f := mustDemo(t)
	a := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
	mustRegister(t, f, "sales1", company("上海联影医疗科技有限公司", "13812345679"))
	mustRegister(t, f, "sales3", company("杭州阿里云计算有限公司", "13912345678"))
	f.advance(time.Hour)
	mustFollowUp(t, f, "sales1", a.ID, "")
	mustAskConsent(t, f, "sales2", a)

	f.advance(24 * 24 * time.Hour)
	mustRegister(t, f, "sales1", recent(f, company("深圳大疆创新科技有限公司", "13712345678")))
	if r := mustRegister(t, f, "sales3", recent(f, company("深圳市大疆创新科技有限公司", "13712345678"))); r.Status != domain.StatusRejected {
		t.Fatalf("sales3's collision is %s, want rejected", r.Status)
	}
	if r := mustRegister(t, f, "sales4", recent(f, company("阿里云计算有限公司", "13912345678"))); r.Status != domain.StatusRejected {
		t.Fatalf("sales4's collision is %s, want rejected", r.Status)
	}
	f.setPolicy(t, `{"review_required": true}`)
	if r := mustRegister(t, f, "sales2", recent(f, company("南京南瑞集团有限公司", "13612345678"))); r.Status != domain.StatusPendingReview {
		t.Fatalf("E is %s, want pending_review", r.Status)
	}
	if _, err := f.svc.RecordVisit(context.Background(), f.a(t, "frontdesk1"), domain.VisitInput{
		VisitorName: "李先生", Phone: "13512345678", Company: "苏州科达科技股份有限公司", PartySize: 2}); err != nil {
		t.Fatal(err)
	}
	return f
}

// recent makes in's first contact an hour before the fixture's now.
func recent(f *fixture, in domain.RegistrationInput) domain.RegistrationInput {
	first := f.svc.Now().Add(-time.Hour)
	in.FirstContactAt = &first
	return in
}

func (f *fixture) dashboard(t *testing.T, user string) domain.Dashboard {
	t.Helper()
	d, err := f.svc.Dashboard(context.Background(), f.a(t, user))
	if err != nil {
		t.Fatalf("%s's dashboard: %v", user, err)
	}
	return d
}

// names lists the customers of registrations.
func names(rs []domain.Registration) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Customer.Name)
	}
	return out
}

func conflictNames(cs []domain.ConflictSummary) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.CustomerName)
	}
	return out
}

func sameList(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// TestDashboardSales: a salesperson's home holds their own live claims,
// soonest expiry first, their overdue follow-ups and the consent requests
// to answer or waiting for an answer — never another's.
func TestDashboardSales(t *testing.T) {
	t.Parallel()
	f := dashboardFixture(t)

	d := f.dashboard(t, "sales1")
	if want := []string{"北京华为技术有限公司", "上海联影医疗科技有限公司", "深圳大疆创新科技有限公司"}; d.Claims.Count != 3 || !sameList(names(d.Claims.Items), want) {
		t.Errorf("sales1's claims = %d %v, want %v", d.Claims.Count, names(d.Claims.Items), want)
	}
	// A was followed up on day 0 (due again 3 days later), B never: both overdue, B's the older.
	if want := []string{"上海联影医疗科技有限公司", "北京华为技术有限公司"}; d.Overdue.Count != 2 || !sameList(names(d.Overdue.Items), want) {
		t.Errorf("sales1's overdue = %d %v, want %v", d.Overdue.Count, names(d.Overdue.Items), want)
	}
	if d.ConsentsToAnswer.Count != 1 || !d.ConsentsToAnswer.Items[0].CanAnswer || d.ConsentsAsked.Count != 0 {
		t.Errorf("sales1's consents: to answer %+v, asked %+v", d.ConsentsToAnswer, d.ConsentsAsked)
	}
	if d.Reviews.Count != 0 || d.Figures != nil || d.Expiring.Count != 0 {
		t.Errorf("sales1 sees a decider's lists: %+v", d)
	}

	d = f.dashboard(t, "sales2")
	if d.ConsentsAsked.Count != 1 || d.ConsentsAsked.Items[0].CustomerName != "北京华为技术有限公司" || d.ConsentsToAnswer.Count != 0 {
		t.Errorf("sales2's consents: asked %+v, to answer %+v", d.ConsentsAsked, d.ConsentsToAnswer)
	}
	if d.Claims.Count != 1 || d.Claims.Items[0].Status != domain.StatusPendingReview {
		t.Errorf("sales2's claims = %+v, want E waiting for review", d.Claims)
	}

	d = f.dashboard(t, "sales3")
	if want := []string{"杭州阿里云计算有限公司"}; d.Claims.Count != 1 || !sameList(names(d.Claims.Items), want) {
		t.Errorf("sales3's claims = %d %v, want %v", d.Claims.Count, names(d.Claims.Items), want)
	}
}

// TestDashboardManager: a manager sees the queues and lists of their own
// teams only.
func TestDashboardManager(t *testing.T) {
	t.Parallel()
	f := dashboardFixture(t)

	d := f.dashboard(t, "manager1")
	if want := []string{"南京南瑞集团有限公司"}; d.Reviews.Count != 1 || !sameList(names(d.Reviews.Items), want) {
		t.Errorf("manager1's reviews = %d %v, want %v", d.Reviews.Count, names(d.Reviews.Items), want)
	}
	if want := []string{"北京华为技术有限公司", "上海联影医疗科技有限公司"}; d.Expiring.Count != 2 || !sameList(names(d.Expiring.Items), want) {
		t.Errorf("manager1's expiring = %d %v, want %v", d.Expiring.Count, names(d.Expiring.Items), want)
	}
	if d.TeamOverdue.Count != 2 {
		t.Errorf("manager1's overdue = %d %v, want A and B", d.TeamOverdue.Count, names(d.TeamOverdue.Items))
	}
	if want := []string{"深圳市大疆创新科技有限公司"}; d.Conflicts.Count != 1 || !sameList(conflictNames(d.Conflicts.Items), want) {
		t.Errorf("manager1's conflicts = %d %v, want %v", d.Conflicts.Count, conflictNames(d.Conflicts.Items), want)
	}
	// The cross-team conflict links to the claim manager1 may read: sales1's D.
	if c := d.Conflicts.Items[0]; c.RegistrationID == 0 {
		t.Errorf("conflict without a claim to open: %+v", c)
	} else if _, err := f.svc.Registration(context.Background(), f.a(t, "manager1"), c.RegistrationID); err != nil {
		t.Errorf("manager1 cannot open the conflict's claim: %v", err)
	}

	d = f.dashboard(t, "manager2")
	if d.Reviews.Count != 0 {
		t.Errorf("manager2 reviews 一组's registration: %v", names(d.Reviews.Items))
	}
	if want := []string{"杭州阿里云计算有限公司"}; d.Expiring.Count != 1 || !sameList(names(d.Expiring.Items), want) {
		t.Errorf("manager2's expiring = %d %v, want %v", d.Expiring.Count, names(d.Expiring.Items), want)
	}
	if want := []string{"阿里云计算有限公司", "深圳市大疆创新科技有限公司"}; d.Conflicts.Count != 2 || !sameList(conflictNames(d.Conflicts.Items), want) {
		t.Errorf("manager2's conflicts = %d %v, want %v", d.Conflicts.Count, conflictNames(d.Conflicts.Items), want)
	}
	if d.TeamOverdue.Count != 1 {
		t.Errorf("manager2's overdue = %d %v, want C", d.TeamOverdue.Count, names(d.TeamOverdue.Items))
	}
}

// TestDashboardAdminClerkFrontDesk: the admin's figures count the whole
// company; clerks and admins see every review; front desk today's visits.
func TestDashboardAdminClerkFrontDesk(t *testing.T) {
	t.Parallel()
	f := dashboardFixture(t)

	d := f.dashboard(t, "admin")
	users, err := f.svc.Users(context.Background(), f.a(t, "admin"))
	if err != nil {
		t.Fatal(err)
	}
	want := domain.TenantFigures{LiveClaims: 5, RegistrationsWeek: 4, Registrations30Days: 7, Conflicted30Days: 2,
		Users: len(users), Teams: 2}
	if d.Figures == nil || *d.Figures != want {
		t.Fatalf("figures = %+v, want %+v", d.Figures, want)
	}
	if r, ok := d.Figures.ConflictRate(); !ok || r < 0.285 || r > 0.286 {
		t.Errorf("conflict rate = %.3f (%t), want 2/7", r, ok)
	}
	if _, ok := (domain.TenantFigures{}).ConflictRate(); ok {
		t.Error("a conflict rate of no registrations")
	}
	if d.Reviews.Count != 1 || d.Claims.Count != 0 {
		t.Errorf("admin: reviews %d, own claims %d", d.Reviews.Count, d.Claims.Count)
	}

	d = f.dashboard(t, "clerk1")
	if d.Reviews.Count != 1 || d.Figures != nil || d.Conflicts.Count != 0 {
		t.Errorf("clerk1: reviews %d, figures %v, conflicts %d", d.Reviews.Count, d.Figures, d.Conflicts.Count)
	}

	d = f.dashboard(t, "frontdesk1")
	if d.VisitsToday != 1 || d.Reviews.Count != 0 {
		t.Errorf("frontdesk1: %d visits today, %d reviews", d.VisitsToday, d.Reviews.Count)
	}
	f.advance(24 * time.Hour)
	if d = f.dashboard(t, "frontdesk1"); d.VisitsToday != 0 {
		t.Errorf("the next day frontdesk1 sees %d visits", d.VisitsToday)
	}
}

// TestDashboardQueues: cases, deal claims, approvals and unclaimed deals
// reach the home of whoever decides them, and nobody else's.
func TestDashboardQueues(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	_, _, caseID := arbitration(t, f) // sales1 against sales2, both 一组
	signed := f.svc.Now().Add(-time.Hour)
	amount := 88000.0
	deal, err := f.svc.RecordDeal(ctx, f.a(t, "clerk1"), domain.DealInput{ContractNo: "HT-HOME-1",
		Customer: domain.Customer{Kind: domain.KindCompany, Name: "厦门鼓浪屿茶业有限公司"}, SignedAt: &signed, Amount: &amount,
		SignerID: f.a(t, "sales4").UserID})
	if err != nil || deal.Status != domain.DealUnclaimed {
		t.Fatalf("deal %+v, %v", deal, err)
	}
	if d := f.dashboard(t, "clerk1"); d.UnclaimedDeals.Count != 1 || d.UnclaimedDeals.Items[0].ContractNo != "HT-HOME-1" {
		t.Errorf("clerk1's unclaimed deals = %+v", d.UnclaimedDeals)
	}
	if _, err := f.svc.ClaimDeal(ctx, f.a(t, "sales1"), deal.ID, "上周陪同客户看过样品"); err != nil {
		t.Fatal(err)
	}
	f.setPolicy(t, `{"max_live_per_user":1}`)
	mustRegister(t, f, "sales3", company("广州白云电器有限公司", "13400000001"))
	if r := mustRegister(t, f, "sales3", company("广州珠江啤酒有限公司", "13400000002")); r.Status != domain.StatusPendingReview {
		t.Fatalf("over the cap: %s, want waiting for approval", r.Status)
	}

	m1 := f.dashboard(t, "manager1")
	if m1.Disputes.Count != 1 || m1.Disputes.Items[0].ID != caseID {
		t.Errorf("manager1's cases = %+v, want case %d", m1.Disputes, caseID)
	}
	if m1.DealClaims.Count != 1 || m1.DealClaims.Items[0].Kind != domain.ApprovalDealClaim || m1.Approvals.Count != 0 {
		t.Errorf("manager1: deal claims %+v, approvals %+v", m1.DealClaims, m1.Approvals)
	}
	m2 := f.dashboard(t, "manager2")
	if m2.Disputes.Count != 0 || m2.DealClaims.Count != 0 {
		t.Errorf("manager2 sees 一组's case %+v or claim %+v", m2.Disputes, m2.DealClaims)
	}
	if m2.Approvals.Count != 1 || m2.Approvals.Items[0].Kind != domain.ApprovalCap {
		t.Errorf("manager2's approvals = %+v, want sales3's cap", m2.Approvals)
	}
	if d := f.dashboard(t, "admin"); d.DealClaims.Count != 1 || d.Approvals.Count != 1 || d.Figures.OpenDisputes != 1 {
		t.Errorf("admin: deal claims %d, approvals %d, open disputes %d", d.DealClaims.Count, d.Approvals.Count, d.Figures.OpenDisputes)
	}
	if d := f.dashboard(t, "sales1"); d.Disputes.Count != 0 || d.DealClaims.Count != 0 {
		t.Errorf("sales1 sees deciders' queues: %+v %+v", d.Disputes, d.DealClaims)
	}
}
