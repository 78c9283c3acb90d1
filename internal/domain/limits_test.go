package domain_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"baobei/internal/domain"
)

func TestSameRegion(t *testing.T) {
	tests := []struct {
		customer, user string
		want           bool
	}{
		{"北京", "北京", true},
		{" 北京 ", "北京", true},
		{"Beijing", "beijing", true},
		{"上海", "北京", false},
		{"", "北京", true},
		{"上海", "", true},
	}
	for _, tt := range tests {
		if got := domain.SameRegion(tt.customer, tt.user); got != tt.want {
			t.Errorf("SameRegion(%q, %q) = %v, want %v", tt.customer, tt.user, got, tt.want)
		}
	}
}

// regIn is company(name, phone) in a region.
func regIn(name, phone, region string) domain.RegistrationInput {
	in := company(name, phone)
	in.Customer.Region = region
	return in
}

func kinds(as []domain.Approval) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Kind)
	}
	slices.Sort(out)
	return out
}

// Registrations over the cap or out of region are held for the owner's
// manager; decisions let them go on or reject them.
func TestHolds(t *testing.T) {
	tests := []struct {
		name      string
		policy    string
		region    string
		wantHolds []string
		decisions []bool // in the order of wantHolds
		want      domain.Status
	}{
		{"within the cap and region", `{"max_live_per_user":2,"cross_region_approval":true}`, "北京", nil, nil, domain.StatusActive},
		{"over the cap, approved", `{"max_live_per_user":1}`, "北京", []string{"cap"}, []bool{true}, domain.StatusActive},
		{"over the cap, rejected", `{"max_live_per_user":1}`, "北京", []string{"cap"}, []bool{false}, domain.StatusRejected},
		{"cross-region, approved", `{"cross_region_approval":true}`, "上海", []string{"cross_region"}, []bool{true}, domain.StatusActive},
		{"cross-region off", `{}`, "上海", nil, nil, domain.StatusActive},
		{"both, both approved", `{"max_live_per_user":1,"cross_region_approval":true}`, "上海", []string{"cap", "cross_region"}, []bool{true, true}, domain.StatusActive},
		{"both, one rejected", `{"max_live_per_user":1,"cross_region_approval":true}`, "上海", []string{"cap", "cross_region"}, []bool{true, false}, domain.StatusRejected},
		{"approved under require_visit", `{"max_live_per_user":1,"require_visit":true}`, "北京", []string{"cap"}, []bool{true}, domain.StatusPendingVisit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := mustDemo(t)
			ctx := context.Background()
			f.setPolicy(t, tt.policy)
			mustRegister(t, f, "sales1", regIn("已有客户有限公司", "13700000001", "北京"))
			r := mustRegister(t, f, "sales1", regIn("北京华为技术有限公司", "13812345678", tt.region))
			holds, err := f.svc.RegistrationHolds(ctx, f.a(t, "sales1"), r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(kinds(holds), tt.wantHolds) {
				t.Fatalf("holds %v, want %v", kinds(holds), tt.wantHolds)
			}
			if len(tt.wantHolds) > 0 && r.Status != domain.StatusPendingReview {
				t.Fatalf("held registration is %s, want pending_review", r.Status)
			}
			// A held claim holds its customer: time-first counts from filing.
			if len(tt.wantHolds) > 0 {
				if other := mustRegister(t, f, "sales3", regIn("北京华为技术有限公司", "13812345678", "北京")); other.Status != domain.StatusRejected {
					t.Fatalf("a later claim while held is %s, want rejected", other.Status)
				}
			}
			for i, approve := range tt.decisions {
				if _, err := f.svc.DecideApproval(ctx, f.a(t, "manager1"), holds[i].ID, approve, "不符合规定"); err != nil {
					t.Fatalf("decide %s: %v", holds[i].Kind, err)
				}
				if !approve {
					break
				}
			}
			got := f.reg(t, r.ID)
			if got.Status != tt.want {
				t.Fatalf("status %s, want %s", got.Status, tt.want)
			}
			if left, _ := f.svc.RegistrationHolds(ctx, f.a(t, "sales1"), r.ID); len(left) != 0 {
				t.Errorf("holds left pending: %v", kinds(left))
			}
			if tt.want == domain.StatusRejected {
				if got.Decision == nil || got.Decision.Reason.Zh == "" {
					t.Errorf("rejected without a reason: %+v", got.Decision)
				}
				// The customer is free again.
				if again := mustRegister(t, f, "sales4", regIn("北京华为技术有限公司", "13812345678", "北京")); again.Status != domain.StatusActive {
					t.Errorf("after the rejection another claim is %s, want active", again.Status)
				}
			}
		})
	}
}

// Reviewing a held registration in the review queue decides its holds.
func TestReviewDecidesHolds(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	f.setPolicy(t, `{"cross_region_approval":true}`)
	r := mustRegister(t, f, "sales1", regIn("北京华为技术有限公司", "13812345678", "上海"))
	if _, err := f.svc.Review(ctx, f.a(t, "clerk1"), r.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if got := f.reg(t, r.ID); got.Status != domain.StatusActive {
		t.Errorf("status %s, want active", got.Status)
	}
	if n := f.ownerInt(t, `SELECT count(*) FROM approvals WHERE entity_id = $1 AND status = 'approved' AND kind = 'cross_region'`, r.ID); n != 1 {
		t.Errorf("the hold is not decided with the review")
	}
	if q, _, _ := f.svc.Approvals(ctx, f.a(t, "manager1"), 0, 0); len(q) != 0 {
		t.Errorf("queue = %+v, want empty", q)
	}
}

// A manager over the cap cannot approve their own hold: an admin does.
func TestHoldOfAManager(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	f.setPolicy(t, `{"max_live_per_user":1}`)
	mustRegister(t, f, "manager1", company("已有客户有限公司", "13700000001"))
	r := mustRegister(t, f, "manager1", company("北京华为技术有限公司", "13812345678"))
	holds, err := f.svc.RegistrationHolds(ctx, f.a(t, "manager1"), r.ID)
	if err != nil || len(holds) != 1 {
		t.Fatalf("holds = %+v, %v", holds, err)
	}
	if _, err := f.svc.DecideApproval(ctx, f.a(t, "manager1"), holds[0].ID, true, ""); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("deciding one's own hold: err = %v, want forbidden", err)
	}
	if f.notes(t, "admin", "approval") != 1 {
		t.Error("the admin is not told, though nobody else may decide")
	}
	if _, err := f.svc.DecideApproval(ctx, f.a(t, "admin"), holds[0].ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if got := f.reg(t, r.ID); got.Status != domain.StatusActive {
		t.Errorf("status %s, want active", got.Status)
	}
}

// A salesperson's simultaneous registrations are counted one after
// another: with a cap of one, exactly one is active.
func TestCapConcurrent(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	f.setPolicy(t, `{"max_live_per_user":1}`)
	const n = 6
	start := make(chan struct{})
	var wg sync.WaitGroup
	statuses := make([]domain.Status, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			r, err := f.svc.Register(context.Background(), f.a(t, "sales1"), company(fmt.Sprintf("并发%d科技有限公司", i), fmt.Sprintf("135%08d", i)))
			statuses[i], errs[i] = r.Status, err
		})
	}
	close(start)
	wg.Wait()
	active := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if statuses[i] == domain.StatusActive {
			active++
		} else if statuses[i] != domain.StatusPendingReview {
			t.Errorf("registration %d is %s", i, statuses[i])
		}
	}
	if active != 1 {
		t.Errorf("%d active registrations, want 1 (statuses %v)", active, statuses)
	}
}
