package domain_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"baobei/internal/domain"
)

func mustRegister(t *testing.T, f *fixture, user string, in domain.RegistrationInput) domain.Registration {
	t.Helper()
	r, err := f.svc.Register(context.Background(), f.a(t, user), in)
	if err != nil {
		t.Fatalf("%s registers %s: %v", user, in.Customer.Name, err)
	}
	return r
}

// The done-means: two salespeople of different teams register one
// company under two spellings; the second loses by time and learns only
// when the protection ends.
func TestRegisterTimeFirst(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	first := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
	if first.Status != domain.StatusActive {
		t.Fatalf("first status = %s, want active", first.Status)
	}
	if first.ActivatedAt == nil || first.ProtectedUntil == nil || !first.ProtectedUntil.Equal(first.ActivatedAt.Add(30*24*time.Hour)) {
		t.Fatalf("protected_until = %v, want activated_at %v + 30 days", first.ProtectedUntil, first.ActivatedAt)
	}
	f.advance(time.Hour)
	second := mustRegister(t, f, "sales3", company("华为技术(北京)有限公司", "13900000000"))
	if second.Status != domain.StatusRejected {
		t.Fatalf("second status = %s, want rejected", second.Status)
	}
	d := second.Decision
	if d == nil || d.Rule != domain.RuleTime || d.Winner != "other" {
		t.Fatalf("decision = %+v, want time rule lost", d)
	}
	want := "该客户已于 2026-11-02 10:31 被报备, 保护期至 2026-12-02 (先报备者优先)"
	if d.Reason.Zh != want {
		t.Errorf("reason = %q, want %q", d.Reason.Zh, want)
	}
	if strings.Contains(d.Reason.Zh+d.Reason.En, "张三") {
		t.Errorf("reason names the holder: %q", d.Reason.Zh)
	}
	if d.ProtectedUntil == nil || !d.ProtectedUntil.Equal(*first.ProtectedUntil) {
		t.Errorf("decision protected_until = %v, want %v", d.ProtectedUntil, first.ProtectedUntil)
	}
	if second.Conflict == nil || len(second.Conflict.MatchedOn) == 0 || second.Conflict.MatchedOn[0] != "name_exact" {
		t.Errorf("conflict = %+v, want matched on name_exact", second.Conflict)
	}
	// The loser cannot read the winner's claim.
	if _, err := f.svc.Registration(context.Background(), f.a(t, "sales3"), first.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("sales3 reads sales1's claim: err = %v, want not found", err)
	}
	// The holder is told about the attempt.
	notes, err := f.svc.Notifications(context.Background(), f.a(t, "sales1"), 10)
	if err != nil || len(notes) != 1 || notes[0].Kind != "conflict" {
		t.Errorf("holder notifications = %+v, %v", notes, err)
	}
}

func TestRegisterRejectsIncompleteAndDuplicate(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	thin := domain.RegistrationInput{Customer: domain.Customer{Kind: domain.KindCompany, Name: "某某科技有限公司"}}
	_, err := f.svc.Register(ctx, f.a(t, "sales1"), thin)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeInvalid {
		t.Fatalf("incomplete: err = %v, want invalid", err)
	}
	for _, field := range []string{"customer.contacts.0.phone", "customer.contacts.0.name", "needs"} {
		if _, ok := de.Fields[field]; !ok {
			t.Errorf("incomplete: fields %v lack %s", de.Fields, field)
		}
	}

	r := mustRegister(t, f, "sales1", company("上海某某科技有限公司", "13700000001"))
	_, err = f.svc.Register(ctx, f.a(t, "sales1"), company("上海某某科技股份有限公司", "13700000002"))
	if !errors.As(err, &de) || de.Code != domain.CodeDuplicate || de.ExistingID != r.ID {
		t.Fatalf("duplicate: err = %v, want duplicate of %d", err, r.ID)
	}
	// A phone alone is a strong key too.
	_, err = f.svc.Register(ctx, f.a(t, "sales1"), company("完全不同的公司", "+86 137-0000-0001"))
	if !errors.As(err, &de) || de.Code != domain.CodeDuplicate {
		t.Fatalf("duplicate by phone: err = %v, want duplicate", err)
	}
}

func TestRegisterConflictRules(t *testing.T) {
	tests := []struct {
		name       string
		policy     string
		newcomer   func(domain.RegistrationInput) domain.RegistrationInput
		wantHolder domain.Status
		wantNew    domain.Status
		wantRule   domain.Rule
	}{
		{"time first keeps the holder", `{}`, nil, domain.StatusActive, domain.StatusRejected, domain.RuleTime},
		{"completeness first: a fuller newcomer wins",
			`{"conflict_rules":["completeness","time","history"]}`,
			func(in domain.RegistrationInput) domain.RegistrationInput {
				in.Customer.Size, in.Customer.Project = "500人", "数据中心项目"
				in.Customer.USCC = "91350100M000100Y43"
				return in
			}, domain.StatusRejected, domain.StatusActive, domain.RuleCompleteness},
		{"history backed only by evidence goes to arbitration", `{}`,
			func(in domain.RegistrationInput) domain.RegistrationInput {
				in.HistoryClaim = "2024年签约过合同 HT-2024-019"
				return in
			}, domain.StatusInDispute, domain.StatusInDispute, domain.RuleHistory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustDemo(t)
			f.setPolicy(t, tt.policy)
			holderIn := company("深圳腾达科技有限公司", "13600000001")
			holderIn.Customer.Industry, holderIn.Customer.Address = "", "" // 10 points less complete
			holder := mustRegister(t, f, "sales1", holderIn)
			f.advance(time.Minute)
			in := company("深圳腾达科技有限公司", "13600000002")
			if tt.newcomer != nil {
				in = tt.newcomer(in)
			}
			got := mustRegister(t, f, "sales3", in)
			h, err := f.svc.Registration(context.Background(), f.a(t, "admin"), holder.ID)
			if err != nil {
				t.Fatal(err)
			}
			if h.Status != tt.wantHolder || got.Status != tt.wantNew {
				t.Fatalf("holder %s, newcomer %s; want %s, %s", h.Status, got.Status, tt.wantHolder, tt.wantNew)
			}
			if got.Decision != nil && got.Decision.Rule != tt.wantRule {
				t.Errorf("rule = %s, want %s", got.Decision.Rule, tt.wantRule)
			}
			if got.Conflict == nil {
				t.Fatal("no conflict recorded")
			}
			// Whoever is live holds the keys: one more claim collides with it.
			f.advance(time.Minute)
			third := mustRegister(t, f, "sales4", company("深圳腾达科技有限公司", "13600000003"))
			if third.Status.Live() && third.Status != domain.StatusInDispute {
				t.Errorf("third claim is %s, want it to lose", third.Status)
			}
		})
	}
}

// Fifty salespeople register one customer at the same instant: exactly one
// claim is live, and the database, not a pre-check, decided it.
func TestRegisterConcurrentOneWinner(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	admin := f.a(t, "admin")
	teams, err := f.svc.Teams(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	const n = 50
	sellers := make([]domain.Actor, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range sellers {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			u, err := f.svc.CreateUser(ctx, admin, domain.UserInput{Username: fmt.Sprintf("s%02d", i), DisplayName: fmt.Sprintf("销售%02d", i),
				Role: domain.RoleSales, TeamID: teams[i%2].ID, Password: "password1"})
			if err != nil {
				errs <- err
				return
			}
			sellers[i], err = f.svc.Actor(ctx, admin.TenantID, u.ID)
			if err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	start := make(chan struct{})
	results := make(chan domain.Registration, n)
	failures := make(chan error, n)
	for i := range sellers {
		wg.Add(1)
		go func(a domain.Actor) {
			defer wg.Done()
			<-start
			r, err := f.svc.Register(ctx, a, company("杭州同时科技有限公司", "13500000000"))
			if err != nil {
				failures <- err
				return
			}
			results <- r
		}(sellers[i])
	}
	close(start)
	wg.Wait()
	close(results)
	close(failures)
	for err := range failures {
		t.Errorf("register: %v", err)
	}
	live := 0
	for r := range results {
		if r.Status.Live() {
			live++
		}
	}
	if live != 1 {
		t.Fatalf("%d live claims returned, want 1", live)
	}
	regs, _, err := f.svc.Registrations(ctx, admin, domain.RegistrationFilter{Status: domain.StatusActive, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(regs) != 1 {
		t.Fatalf("%d active registrations in the database, want 1", len(regs))
	}
}

func TestRegistrationVisibility(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	r := mustRegister(t, f, "sales1", company("广州可见性测试有限公司", "13400000001"))
	tests := []struct {
		user      string
		canRead   bool
		fullPhone bool
	}{
		{"sales1", true, true},
		{"sales2", false, false},
		{"sales3", false, false},
		{"manager1", true, true},
		{"manager2", false, false},
		{"clerk1", true, false},
		{"admin", true, true},
		{"frontdesk1", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			got, err := f.svc.Registration(ctx, f.a(t, tt.user), r.ID)
			if !tt.canRead {
				if !errors.Is(err, domain.ErrNotFound) {
					t.Fatalf("err = %v, want not found", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if phone := got.Customer.Contacts[0].Phone; (phone == "13400000001") != tt.fullPhone {
				t.Errorf("phone = %q, full phone expected: %v", phone, tt.fullPhone)
			}
			list, _, err := f.svc.Registrations(ctx, f.a(t, tt.user), domain.RegistrationFilter{})
			if err != nil || len(list) != 1 {
				t.Errorf("list = %d items, %v; want 1", len(list), err)
			}
		})
	}
}

func TestCheckHidesOwnerAndWarnsOnSimilarNames(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))

	res, err := f.svc.Check(ctx, f.a(t, "sales3"), company("华为技术（北京）有限公司", ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) != 1 || res.Matches[0].Match != "name_exact" || res.Matches[0].Own || res.Matches[0].OwnerName != "" {
		t.Fatalf("matches = %+v, want one anonymous name_exact", res.Matches)
	}
	if res.Matches[0].ProtectedUntil == nil || res.Matches[0].ClaimRef == "" {
		t.Errorf("match lacks protection end or claim ref: %+v", res.Matches[0])
	}

	res, err = f.svc.Check(ctx, f.a(t, "sales3"), company("北京华为技术服务有限公司", ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) != 1 || res.Matches[0].Match != "name_similar" || res.Matches[0].Similarity < 0.6 || res.Matches[0].Strong() {
		t.Fatalf("matches = %+v, want one weak name_similar", res.Matches)
	}

	res, err = f.svc.Check(ctx, f.a(t, "manager1"), company("北京华为技术有限公司", ""))
	if err != nil || len(res.Matches) != 1 || res.Matches[0].OwnerName != "张三" || res.Matches[0].OwnerTeam != "一组" {
		t.Fatalf("holder's manager check = %+v, %v; want the owner's name and team", res.Matches, err)
	}
	// Another team's manager is a competitor here: no name, and the team
	// only when the company shows it.
	res, err = f.svc.Check(ctx, f.a(t, "manager2"), company("北京华为技术有限公司", ""))
	if err != nil || len(res.Matches) != 1 || res.Matches[0].OwnerName != "" || res.Matches[0].OwnerTeam != "" {
		t.Fatalf("other manager check = %+v, %v; want it anonymous", res.Matches, err)
	}
	f.setPolicy(t, `{"show_owner_team":true}`)
	res, err = f.svc.Check(ctx, f.a(t, "sales3"), company("北京华为技术有限公司", ""))
	if err != nil || len(res.Matches) != 1 || res.Matches[0].OwnerName != "" || res.Matches[0].OwnerTeam != "一组" {
		t.Fatalf("show_owner_team check = %+v, %v; want the team, never the person", res.Matches, err)
	}

	// A similar name only warns: registering it succeeds.
	r := mustRegister(t, f, "sales3", company("北京华为技术服务有限公司", "13900000009"))
	if r.Status != domain.StatusActive {
		t.Errorf("similar name status = %s, want active", r.Status)
	}
}

// A key shared by more customers than common_key_limit is no evidence:
// it is reported as common and does not block.
func TestCommonKeyIsNotEvidence(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	f.setPolicy(t, `{"common_key_limit":2}`)
	switchboard := "01088888888"
	// Three customers already known with the switchboard (from the pool, say).
	f.asOwner(t, `
		WITH c AS (
			INSERT INTO customers (tenant_id, kind, name, name_key, details)
			SELECT t.id, 'company', '旧客户' || g, '旧客户' || g, '{}' FROM tenants t, generate_series(1, 3) g
			RETURNING tenant_id, id)
		INSERT INTO customer_keys (tenant_id, kind, key, customer_id) SELECT tenant_id, 'phone', $1, id FROM c`, switchboard)
	ctx := context.Background()
	res, err := f.svc.Check(ctx, f.a(t, "sales1"), company("总机测试有限公司", switchboard))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Matches {
		if m.Strong() {
			t.Errorf("strong match on a common key: %+v", m)
		}
	}
	r := mustRegister(t, f, "sales1", company("总机测试有限公司", switchboard))
	f.advance(time.Minute)
	r2 := mustRegister(t, f, "sales3", company("另一家总机测试有限公司", switchboard))
	if r.Status != domain.StatusActive || r2.Status != domain.StatusActive {
		t.Fatalf("statuses %s, %s; want both active: the shared number is no evidence", r.Status, r2.Status)
	}
}

func TestReviewRequired(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	f.setPolicy(t, `{"review_required":true}`)
	r := mustRegister(t, f, "sales1", company("成都审核测试有限公司", "13300000001"))
	if r.Status != domain.StatusPendingReview || r.ProtectedUntil != nil {
		t.Fatalf("status %s protected %v, want pending_review unprotected", r.Status, r.ProtectedUntil)
	}
	// Pending review already holds the customer.
	f.advance(time.Minute)
	other := mustRegister(t, f, "sales3", company("成都审核测试有限公司", "13300000002"))
	if other.Status != domain.StatusRejected {
		t.Fatalf("competing claim %s, want rejected", other.Status)
	}
	if _, err := f.svc.Review(ctx, f.a(t, "manager2"), r.ID, true, ""); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("other team's manager reviews: %v, want not found", err)
	}
	if _, err := f.svc.Review(ctx, f.a(t, "sales1"), r.ID, true, ""); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("owner reviews own: %v, want forbidden", err)
	}
	if _, err := f.svc.Review(ctx, f.a(t, "manager1"), r.ID, false, ""); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("reject without reason: %v, want invalid", err)
	}
	got, err := f.svc.Review(ctx, f.a(t, "manager1"), r.ID, true, "")
	if err != nil || got.Status != domain.StatusActive || got.ProtectedUntil == nil {
		t.Fatalf("approved: %+v, %v", got.Status, err)
	}

	r2 := mustRegister(t, f, "sales2", company("重庆驳回测试有限公司", "13300000003"))
	got, err = f.svc.Review(ctx, f.a(t, "clerk1"), r2.ID, false, "客户信息不实")
	if err != nil || got.Status != domain.StatusRejected {
		t.Fatalf("rejected: %v, %v", got.Status, err)
	}
	// The rejected claim freed the customer.
	f.advance(time.Minute)
	again := mustRegister(t, f, "sales3", company("重庆驳回测试有限公司", "13300000004"))
	if again.Status != domain.StatusPendingReview {
		t.Errorf("after rejection another claim is %s, want pending_review", again.Status)
	}
}
