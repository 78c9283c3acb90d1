package domain_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"baobei/internal/domain"
)

// dealOf is a deal with the customer of in, signed an hour ago by signer.
func dealOf(t *testing.T, f *fixture, no string, in domain.RegistrationInput, buyerPhone, signer string, amount float64) domain.DealInput {
	t.Helper()
	signed := f.svc.Now().Add(-time.Hour)
	return domain.DealInput{ContractNo: no, Customer: in.Customer, BuyerPhone: buyerPhone, SignedAt: &signed, Amount: &amount,
		SignerID: f.a(t, signer).UserID}
}

// mustDeal records a deal as user.
func mustDeal(t *testing.T, f *fixture, user string, in domain.DealInput) domain.Deal {
	t.Helper()
	d, err := f.svc.RecordDeal(context.Background(), f.a(t, user), in)
	if err != nil {
		t.Fatalf("%s records %s: %v", user, in.ContractNo, err)
	}
	return d
}

func TestDealAttributedToOwner(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	reg := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
	f.advance(2 * time.Hour)
	// The clerk records a deal sales2 signed, under another spelling.
	d := mustDeal(t, f, "clerk1", dealOf(t, f, "HT-001", company("华为技术(北京)有限公司", ""), "", "sales2", 880000))
	if d.Status != domain.DealAttributed || d.Rule != domain.RuleRegistration || d.OwnerID != f.a(t, "sales1").UserID ||
		d.TeamID != f.a(t, "sales1").TeamID || d.RegistrationID != reg.ID || !slices.Equal(d.AssistIDs, []int64{f.a(t, "sales2").UserID}) {
		t.Fatalf("deal = %+v", d)
	}
	if d.CustomerID != reg.CustomerID || d.ClaimDeadline != nil {
		t.Errorf("customer %d (want %d), deadline %v", d.CustomerID, reg.CustomerID, d.ClaimDeadline)
	}
	// The claim becomes converted and keeps its customer from others.
	mustRegStatus(t, f, reg.ID, domain.StatusConverted)
	lost := mustRegister(t, f, "sales3", company("北京华为技术有限公司", "13900000000"))
	if lost.Status != domain.StatusRejected {
		t.Errorf("registering a converted customer: %s, want rejected", lost.Status)
	}
	_, err := f.svc.Register(ctx, f.a(t, "sales1"), company("北京华为技术有限公司", "13812345678"))
	wantCode(t, "the owner registers their converted customer again", err, domain.CodeDuplicate)
	// A later deal still credits the owner.
	d2 := mustDeal(t, f, "sales1", dealOf(t, f, "HT-002", company("北京华为技术有限公司", ""), "", "sales1", 1000))
	if d2.OwnerID != f.a(t, "sales1").UserID || len(d2.AssistIDs) != 0 {
		t.Errorf("second deal: owner %d assists %v", d2.OwnerID, d2.AssistIDs)
	}
	// The owner and the assistant are told.
	if f.notes(t, "sales1", "deal_credit") != 1 || f.notes(t, "sales2", "deal_assist") != 1 {
		t.Errorf("notifications: credit %d, assist %d", f.notes(t, "sales1", "deal_credit"), f.notes(t, "sales2", "deal_assist"))
	}

	t.Run("visibility", func(t *testing.T) {
		cases := []struct {
			user  string
			reads bool
		}{
			{"sales1", true}, {"sales2", true}, {"manager1", true}, {"clerk1", true}, {"admin", true},
			{"sales3", false}, {"sales4", false}, {"manager2", false}, {"frontdesk1", false},
		}
		for _, c := range cases {
			got, err := f.svc.Deal(ctx, f.a(t, c.user), d.ID)
			if c.reads && (err != nil || !got.Full) || !c.reads && domain.ErrorCode(err) != domain.CodeNotFound {
				t.Errorf("%s reads the deal: full %v, err %v; want reads %v", c.user, got.Full, err, c.reads)
			}
			list, _, err := f.svc.Deals(ctx, f.a(t, c.user), domain.DealFilter{})
			if err != nil || slices.ContainsFunc(list, func(x domain.Deal) bool { return x.ID == d.ID }) != c.reads {
				t.Errorf("%s lists the deal: %v, err %v; want %v", c.user, len(list), err, c.reads)
			}
		}
	})
	t.Run("duplicate contract", func(t *testing.T) {
		_, err := f.svc.RecordDeal(ctx, f.a(t, "clerk1"), dealOf(t, f, "HT-001", company("别的公司", ""), "", "sales2", 1))
		wantCode(t, "the same contract number", err, domain.CodeDuplicate)
	})
}

// The buyer is the registered customer's spouse: the registration earns it.
func TestDealRelativePhone(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	in := person("李建国", "13811110000", "self")
	in.Customer.Contacts = append(in.Customer.Contacts, domain.Contact{Name: "王芳", Phone: "13922220000", Relation: "spouse"})
	reg := mustRegister(t, f, "sales1", in)
	f.advance(2 * time.Hour)
	d := mustDeal(t, f, "sales3", dealOf(t, f, "HT-101", person("王芳", "", "self"), "139 2222 0000", "sales3", 300000))
	if d.Status != domain.DealAttributed || d.OwnerID != f.a(t, "sales1").UserID || d.RegistrationID != reg.ID {
		t.Fatalf("deal with the spouse: %s owner %d reg %d", d.Status, d.OwnerID, d.RegistrationID)
	}
	// A colleague's phone is no evidence.
	other := company("苏州工业园有限公司", "13700001111")
	other.Customer.Contacts[0].Relation = "colleague"
	mustRegister(t, f, "sales1", other)
	f.advance(2 * time.Hour)
	d = mustDeal(t, f, "sales3", dealOf(t, f, "HT-102", person("某人", "", "self"), "13700001111", "sales3", 1000))
	if d.Status != domain.DealUnclaimed {
		t.Errorf("deal through a colleague's phone: %s, want unclaimed", d.Status)
	}
}

// No registration: the deal waits for claims; a manager approves one.
func TestDealUnclaimedClaimApproved(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	d := mustDeal(t, f, "clerk1", dealOf(t, f, "HT-201", company("厦门鼓浪屿茶业有限公司", ""), "13600002222", "sales4", 50000))
	if d.Status != domain.DealUnclaimed || d.Rule != domain.RuleClaimWindow || d.OwnerID != 0 ||
		d.ClaimDeadline == nil || !d.ClaimDeadline.Equal(f.svc.Now().Add(3*day)) {
		t.Fatalf("unclaimed deal: %+v", d)
	}
	// Any salesperson sees it to claim it, without the buyer's phone.
	seen, err := f.svc.Deal(ctx, f.a(t, "sales3"), d.ID)
	if err != nil || seen.Full || seen.BuyerPhone != "" {
		t.Fatalf("sales3 sees %+v, %v", seen, err)
	}
	list, _, err := f.svc.Deals(ctx, f.a(t, "sales3"), domain.DealFilter{Status: domain.DealUnclaimed})
	if err != nil || len(list) != 1 || list[0].BuyerPhone != "" {
		t.Fatalf("unclaimed list for sales3: %+v, %v", list, err)
	}
	_, err = f.svc.ClaimDeal(ctx, f.a(t, "sales3"), d.ID, "")
	wantCode(t, "a claim without evidence", err, domain.CodeInvalid)
	c3, err := f.svc.ClaimDeal(ctx, f.a(t, "sales3"), d.ID, "3 月起微信跟进, 附聊天记录")
	if err != nil || c3.Status != domain.ClaimPending {
		t.Fatalf("claim: %+v, %v", c3, err)
	}
	_, err = f.svc.ClaimDeal(ctx, f.a(t, "sales3"), d.ID, "再来一次")
	wantCode(t, "a second claim by the same person", err, domain.CodeInvalid)
	c1, err := f.svc.ClaimDeal(ctx, f.a(t, "sales1"), d.ID, "我也跟进过")
	if err != nil {
		t.Fatal(err)
	}
	// The claim waits in manager2's approvals queue, not manager1's.
	queue, _, err := f.svc.Approvals(ctx, f.a(t, "manager2"), 50, 0)
	if err != nil || len(queue) != 1 || queue[0].Kind != domain.ApprovalDealClaim || queue[0].EntityID != c3.ID {
		t.Fatalf("manager2's queue: %+v, %v", queue, err)
	}
	if q, _, _ := f.svc.Approvals(ctx, f.a(t, "manager1"), 50, 0); len(q) != 1 || q[0].EntityID != c1.ID {
		t.Fatalf("manager1's queue: %+v", q)
	}
	_, err = f.svc.DecideDealClaim(ctx, f.a(t, "manager1"), c3.ID, true, "")
	wantCode(t, "another team's manager decides", err, domain.CodeForbidden)
	_, err = f.svc.DecideDealClaim(ctx, f.a(t, "sales2"), c3.ID, true, "")
	wantCode(t, "a salesperson decides", err, domain.CodeForbidden)
	_, err = f.svc.DecideDealClaim(ctx, f.a(t, "frontdesk1"), c3.ID, true, "")
	wantCode(t, "the front desk decides", err, domain.CodeNotFound)
	// manager2 approves through the approvals queue.
	if _, err := f.svc.DecideApproval(ctx, f.a(t, "manager2"), queue[0].ID, true, "证据充分"); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Deal(ctx, f.a(t, "admin"), d.ID)
	if err != nil || got.Status != domain.DealAttributed || got.Rule != domain.RuleClaim || got.OwnerID != f.a(t, "sales3").UserID ||
		got.TeamID != f.a(t, "sales3").TeamID || !slices.Equal(got.AssistIDs, []int64{f.a(t, "sales4").UserID}) {
		t.Fatalf("claimed deal: %+v, %v", got, err)
	}
	statuses := map[int64]domain.ClaimStatus{}
	for _, c := range got.Claims {
		statuses[c.ID] = c.Status
	}
	if statuses[c3.ID] != domain.ClaimApproved || statuses[c1.ID] != domain.ClaimRejected {
		t.Errorf("claims after approval: %v", statuses)
	}
	if q, _, _ := f.svc.Approvals(ctx, f.a(t, "manager1"), 50, 0); len(q) != 0 {
		t.Errorf("the losing claim still waits for manager1: %+v", q)
	}
	_, err = f.svc.ClaimDeal(ctx, f.a(t, "sales2"), d.ID, "晚了")
	wantCode(t, "a claim on an attributed deal", err, domain.CodeNotFound)
	f.advance(4 * day)
	if n := f.sweep(t).Counts["deal_claims"]; n != 0 {
		t.Errorf("the sweep moved %d attributed deals", n)
	}
}

// After the window the deal goes to the duty team of the week it was
// signed; with no roster entry it stays unclaimed until one is set.
func TestDealDutyTeam(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	week := domain.WeekStart(f.svc.Now(), shanghai).Format(time.DateOnly)
	team2 := f.a(t, "sales3").TeamID
	if _, err := f.svc.SetDuty(ctx, f.a(t, "clerk1"), week, team2); err != nil {
		t.Fatal(err)
	}
	onDuty := mustDeal(t, f, "clerk1", dealOf(t, f, "HT-301", company("青岛啤酒花园有限公司", ""), "", "sales1", 20000))
	// A deal signed three weeks ago, in a week nobody was on duty.
	noRoster := dealOf(t, f, "HT-302", company("大连海景酒店有限公司", ""), "", "sales1", 30000)
	*noRoster.SignedAt = f.svc.Now().Add(-21 * day)
	unrostered := mustDeal(t, f, "clerk1", noRoster)
	claimed := mustDeal(t, f, "clerk1", dealOf(t, f, "HT-303", company("天津港口贸易有限公司", ""), "", "sales1", 40000))
	if _, err := f.svc.ClaimDeal(ctx, f.a(t, "sales2"), claimed.ID, "我带客户看过样品"); err != nil {
		t.Fatal(err)
	}

	f.advance(3*day - time.Minute)
	if n := f.sweep(t).Counts["deal_claims"]; n != 0 {
		t.Fatalf("%d deals assigned inside the window", n)
	}
	_, err := f.svc.ClaimDeal(ctx, f.a(t, "sales3"), onDuty.ID, "最后一分钟")
	if err != nil {
		t.Fatalf("a claim a minute before the deadline: %v", err)
	}
	if _, err := f.svc.DecideDealClaim(ctx, f.a(t, "manager2"), mustOnlyClaim(t, f, onDuty.ID, "sales3"), false, "证据不足"); err != nil {
		t.Fatal(err)
	}
	f.advance(2 * time.Minute)
	_, err = f.svc.ClaimDeal(ctx, f.a(t, "sales4"), onDuty.ID, "晚了")
	wantCode(t, "a claim after the deadline", err, domain.CodeInvalid)
	if n := f.sweep(t).Counts["deal_claims"]; n != 1 {
		t.Fatalf("%d deals assigned after the window, want 1 (the rostered one)", n)
	}
	got, _ := f.svc.Deal(ctx, f.a(t, "admin"), onDuty.ID)
	if got.Status != domain.DealDutyTeam || got.Rule != domain.RuleDutyTeam || got.TeamID != team2 ||
		got.OwnerID != f.a(t, "manager2").UserID || !slices.Equal(got.AssistIDs, []int64{f.a(t, "sales1").UserID}) {
		t.Errorf("duty deal: %+v", got)
	}
	for _, id := range []int64{unrostered.ID, claimed.ID} {
		if got, _ := f.svc.Deal(ctx, f.a(t, "admin"), id); got.Status != domain.DealUnclaimed {
			t.Errorf("deal %s: %s, want still unclaimed", got.ContractNo, got.Status)
		}
	}
	if n := f.sweep(t).Counts["deal_claims"]; n != 0 {
		t.Errorf("a second sweep assigned %d", n)
	}
	// The clerk fills in the old week: the waiting deal goes at once.
	old := domain.WeekStart(*noRoster.SignedAt, shanghai).Format(time.DateOnly)
	if _, err := f.svc.SetDuty(ctx, f.a(t, "admin"), old, f.a(t, "sales1").TeamID); err != nil {
		t.Fatal(err)
	}
	got, _ = f.svc.Deal(ctx, f.a(t, "admin"), unrostered.ID)
	if got.Status != domain.DealDutyTeam || got.OwnerID != f.a(t, "manager1").UserID || len(got.AssistIDs) != 1 {
		t.Errorf("deal after the roster was filled: %+v", got)
	}
}

// mustOnlyClaim returns the id of user's claim on a deal.
func mustOnlyClaim(t *testing.T, f *fixture, dealID int64, user string) int64 {
	t.Helper()
	d, err := f.svc.Deal(context.Background(), f.a(t, "admin"), dealID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Claims {
		if c.ClaimantID == f.a(t, user).UserID {
			return c.ID
		}
	}
	t.Fatalf("no claim by %s on deal %d", user, dealID)
	return 0
}

func TestDutyRoster(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	monday := domain.WeekStart(f.svc.Now(), shanghai)
	team := f.a(t, "sales1").TeamID
	cases := []struct {
		name string
		by   string
		week string
		team int64
		code domain.Code
	}{
		{"a Tuesday", "clerk1", monday.AddDate(0, 0, 1).Format(time.DateOnly), team, domain.CodeInvalid},
		{"not a date", "clerk1", "next week", team, domain.CodeInvalid},
		{"no such team", "clerk1", monday.Format(time.DateOnly), 999999, domain.CodeInvalid},
		{"a manager", "manager1", monday.Format(time.DateOnly), team, domain.CodeForbidden},
		{"the clerk", "clerk1", monday.Format(time.DateOnly), team, ""},
		{"the admin changes it", "admin", monday.Format(time.DateOnly), f.a(t, "sales3").TeamID, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.SetDuty(ctx, f.a(t, c.by), c.week, c.team)
			wantCode(t, c.name, err, c.code)
		})
	}
	weeks, err := f.svc.DutyRoster(ctx, f.a(t, "sales1"), f.svc.Now(), 3)
	if err != nil || len(weeks) != 3 || !weeks[0].WeekStart.Equal(monday) || weeks[0].TeamID != f.a(t, "sales3").TeamID ||
		weeks[1].TeamID != 0 || !weeks[2].WeekStart.Equal(monday.AddDate(0, 0, 14)) {
		t.Errorf("roster: %+v, %v", weeks, err)
	}
}

// A signed deal in the system is the history rule's evidence: the
// salesperson who signed with the customer before wins a later conflict.
func TestHistoryRuleUsesDeals(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	mustDeal(t, f, "sales3", dealOf(t, f, "HT-H1", company("昆明滇池花卉有限公司", ""), "", "sales3", 5000))
	f.advance(time.Hour)
	holder := mustRegister(t, f, "sales1", company("昆明滇池花卉有限公司", "13100001111"))
	f.advance(time.Hour)
	newcomer := mustRegister(t, f, "sales3", company("昆明滇池花卉有限公司", "13100002222"))
	if newcomer.Status != domain.StatusActive || newcomer.Decision == nil || newcomer.Decision.Rule != domain.RuleHistory {
		t.Fatalf("the signer's registration: %s %+v", newcomer.Status, newcomer.Decision)
	}
	mustRegStatus(t, f, holder.ID, domain.StatusRejected)
}
