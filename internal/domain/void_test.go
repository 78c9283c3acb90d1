package domain_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"baobei/internal/domain"
)

// Voiding a visit that confirmed a claim recomputes the claim's
// visited_at from its remaining visits; the voided visit stays, marked.
func TestVoidVisitRecomputesVisitedAt(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	reg := mustRegister(t, f, "sales1", company("深圳腾达科技有限公司", "13811112222"))
	f.advance(time.Hour)
	first := mustVisit(t, f, walkIn(t, f, "张经理", "13811112222", "深圳腾达科技", "sales1"))
	f.advance(24 * time.Hour)
	second := mustVisit(t, f, walkIn(t, f, "张经理", "13811112222", "深圳腾达科技", "sales1"))
	if first.Effect != domain.VisitConfirmed || second.Effect != domain.VisitConfirmed {
		t.Fatalf("effects %s, %s", first.Effect, second.Effect)
	}
	if r := mustRegStatus(t, f, reg.ID, domain.StatusActive); !r.VisitedAt.Equal(first.VisitedAt) {
		t.Fatalf("visited_at = %v, want the first visit %v", r.VisitedAt, first.VisitedAt)
	}

	for _, user := range []string{"frontdesk1", "manager1", "sales1"} {
		_, err := f.svc.VoidVisit(ctx, f.a(t, user), first.ID, "登记错了")
		wantCode(t, user+" voids a visit", err, domain.CodeForbidden)
	}
	_, err := f.svc.VoidVisit(ctx, f.a(t, "clerk1"), first.ID, "  ")
	wantCode(t, "voiding without a reason", err, domain.CodeInvalid)

	v, err := f.svc.VoidVisit(ctx, f.a(t, "clerk1"), first.ID, "来访人不是该客户")
	if err != nil {
		t.Fatal(err)
	}
	if v.VoidedAt == nil || v.VoidReason != "来访人不是该客户" || v.VoidedByName == "" {
		t.Fatalf("voided visit = %+v", v)
	}
	if r := mustRegStatus(t, f, reg.ID, domain.StatusActive); r.VisitedAt == nil || !r.VisitedAt.Equal(second.VisitedAt) {
		t.Fatalf("visited_at after voiding the first visit = %v, want %v", r.VisitedAt, second.VisitedAt)
	}
	_, err = f.svc.VoidVisit(ctx, f.a(t, "admin"), first.ID, "再作废一次")
	wantCode(t, "voiding twice", err, domain.CodeInvalid)
	if _, err := f.svc.VoidVisit(ctx, f.a(t, "admin"), second.ID, "也录错了"); err != nil {
		t.Fatal(err)
	}
	if r := mustRegStatus(t, f, reg.ID, domain.StatusActive); r.VisitedAt != nil {
		t.Errorf("visited_at with every visit voided = %v, want none", r.VisitedAt)
	}
	// The first day's sheet still lists the voided visit, marked.
	day := first.VisitedAt.In(shanghai).Format(time.DateOnly)
	sheet, err := f.svc.Visits(ctx, f.a(t, "frontdesk1"), day)
	if err != nil || len(sheet) != 1 || sheet[0].VoidedAt == nil {
		t.Errorf("sheet of %s = %+v, %v", day, sheet, err)
	}
	// Audited with before → after, on the visit and on the registration.
	recs, _, err := f.svc.AuditLog(ctx, f.a(t, "admin"), domain.AuditFilter{Action: "visit.void", EntityID: first.ID, Limit: 5})
	if err != nil || len(recs) != 1 || !strings.Contains(recs[0].Before, `"voided": false`) || !strings.Contains(recs[0].After, "来访人不是该客户") {
		t.Errorf("visit.void audit = %+v, %v", recs, err)
	}
	if acts := auditActions(t, f, "registration", reg.ID); strings.Count(strings.Join(acts, ","), "registration.visit") != 4 {
		t.Errorf("registration audit = %v, want two confirmations and two recomputations", acts)
	}
}

// Under require_visit, voiding the visit that activated a claim sends it
// back to waiting for a visit: protection cleared, keys freed.
func TestVoidVisitUnderRequireVisitReturnsClaimToPending(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	f.setPolicy(t, `{"require_visit": true}`)
	reg := mustRegister(t, f, "sales1", company("深圳腾达科技有限公司", "13811112222"))
	if reg.Status != domain.StatusPendingVisit {
		t.Fatalf("status = %s", reg.Status)
	}
	f.advance(time.Hour)
	v := mustVisit(t, f, walkIn(t, f, "张经理", "13811112222", "深圳腾达科技", "sales1"))
	mustRegStatus(t, f, reg.ID, domain.StatusActive)
	if h := liveKeyHolders(t, f, "phone", "13811112222"); len(h) != 1 {
		t.Fatalf("keys after the visit: %v", h)
	}
	if _, err := f.svc.VoidVisit(ctx, f.a(t, "clerk1"), v.ID, "陪同人登记错了"); err != nil {
		t.Fatal(err)
	}
	r := mustRegStatus(t, f, reg.ID, domain.StatusPendingVisit)
	if r.VisitedAt != nil || r.ActivatedAt != nil || r.ProtectedUntil != nil {
		t.Errorf("after the void: visited %v activated %v protected %v", r.VisitedAt, r.ActivatedAt, r.ProtectedUntil)
	}
	if h := liveKeyHolders(t, f, "phone", "13811112222"); len(h) != 0 {
		t.Errorf("keys still held by %v", h)
	}
	if f.notes(t, "sales1", "visit") != 1 {
		t.Errorf("the owner was not told")
	}
}

// A voided deal credits nobody: the converted claim is active again,
// performance and the unclaimed list drop it, and claims on it end.
func TestVoidDealUndoesCredit(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	reg := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
	f.advance(2 * time.Hour)
	d := mustDeal(t, f, "clerk1", dealOf(t, f, "HT-001", company("北京华为技术有限公司", ""), "", "sales2", 880000))
	mustRegStatus(t, f, reg.ID, domain.StatusConverted)
	credited := func() float64 {
		t.Helper()
		p, err := f.svc.Performance(ctx, f.a(t, "admin"), "", "")
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range p.People {
			if x.UserID == f.a(t, "sales1").UserID {
				return x.Amount
			}
		}
		return 0
	}
	if credited() != 880000 {
		t.Fatalf("sales1 credited %v before the void", credited())
	}
	for _, user := range []string{"sales1", "manager1", "frontdesk1"} {
		_, err := f.svc.VoidDeal(ctx, f.a(t, user), d.ID, "合同作废")
		wantCode(t, user+" voids a deal", err, domain.CodeForbidden)
	}
	_, err := f.svc.VoidDeal(ctx, f.a(t, "clerk1"), d.ID, "")
	wantCode(t, "voiding without a reason", err, domain.CodeInvalid)

	got, err := f.svc.VoidDeal(ctx, f.a(t, "clerk1"), d.ID, "合同号录错, 重新录入")
	if err != nil {
		t.Fatal(err)
	}
	if got.VoidedAt == nil || got.VoidReason != "合同号录错, 重新录入" || got.Status != domain.DealAttributed {
		t.Fatalf("voided deal = %+v", got)
	}
	if credited() != 0 {
		t.Errorf("sales1 still credited %v after the void", credited())
	}
	mustRegStatus(t, f, reg.ID, domain.StatusActive)
	if f.notes(t, "sales1", "deal_void") != 1 || f.notes(t, "sales2", "deal_void") != 1 {
		t.Errorf("the credited and the assistant were not told")
	}
	_, err = f.svc.VoidDeal(ctx, f.a(t, "admin"), d.ID, "再来")
	wantCode(t, "voiding twice", err, domain.CodeInvalid)
	recs, _, err := f.svc.AuditLog(ctx, f.a(t, "admin"), domain.AuditFilter{Action: "deal.void", EntityID: d.ID, Limit: 5})
	if err != nil || len(recs) != 1 || !strings.Contains(recs[0].Before, `"amount": 880000`) || !strings.Contains(recs[0].After, "合同号录错") {
		t.Errorf("deal.void audit = %+v, %v", recs, err)
	}

	// An unclaimed deal voided: its pending claim is rejected and salespeople
	// no longer see it to claim.
	u := mustDeal(t, f, "clerk1", dealOf(t, f, "HT-002", company("无人报备的公司", ""), "", "sales2", 1000))
	c, err := f.svc.ClaimDeal(ctx, f.a(t, "sales3"), u.ID, "我跟进过")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.VoidDeal(ctx, f.a(t, "admin"), u.ID, "重复录入"); err != nil {
		t.Fatal(err)
	}
	after, err := f.svc.Deal(ctx, f.a(t, "admin"), u.ID)
	if err != nil || len(after.Claims) != 1 || after.Claims[0].ID != c.ID || after.Claims[0].Status != domain.ClaimRejected {
		t.Fatalf("claims after the void: %+v, %v", after.Claims, err)
	}
	if q, _, _ := f.svc.Approvals(ctx, f.a(t, "manager2"), 50, 0); len(q) != 0 {
		t.Errorf("manager2's queue still holds %+v", q)
	}
	list, _, err := f.svc.Deals(ctx, f.a(t, "sales4"), domain.DealFilter{Status: domain.DealUnclaimed})
	if err != nil || len(list) != 0 {
		t.Errorf("unclaimed list for sales4: %+v, %v", list, err)
	}
	_, err = f.svc.ClaimDeal(ctx, f.a(t, "sales4"), u.ID, "我也跟进过")
	wantCode(t, "claiming a voided deal", err, domain.CodeNotFound)
}
