package domain_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"baobei/internal/domain"
)

func TestRenewal(t *testing.T) {
	pol := domain.DefaultPolicy()
	start := time.Date(2026, 11, 2, 10, 31, 0, 0, shanghai)
	until := start.Add(30 * day)
	at := func(d time.Duration) *time.Time { x := start.Add(d); return &x }
	active := func(last *time.Time, renewals int) domain.Registration {
		return domain.Registration{Status: domain.StatusActive, ProtectedUntil: &until, LastFollowUpAt: last, Renewals: renewals}
	}
	tests := []struct {
		name    string
		r       domain.Registration
		now     time.Duration
		auto    bool
		invalid string // part of the refusal, "" when allowed
	}{
		{"maintained in the window", active(at(20*day), 0), 25 * day, true, ""},
		{"window opens exactly 7 days before", active(at(20*day), 0), 23 * day, true, ""},
		{"too early", active(at(20*day), 0), 22 * day, false, "最早可于 2026-11-25 10:31"},
		{"after the end", active(at(20*day), 0), 30 * day, false, "保护期已结束"},
		{"not maintained", active(at(5*day), 0), 25 * day, false, ""},
		{"never followed up", active(nil, 0), 25 * day, false, ""},
		{"renewals used up", active(at(20*day), 2), 25 * day, false, ""},
		{"not active", domain.Registration{Status: domain.StatusPendingReview, ProtectedUntil: &until}, 25 * day, false, "只有生效中"},
		{"permanent", domain.Registration{Status: domain.StatusActive}, 25 * day, false, "永久保护"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := domain.Renewal(pol, tt.r, start.Add(tt.now))
			if tt.invalid != "" {
				var de *domain.Error
				if !errors.As(err, &de) || de.Code != domain.CodeInvalid || !strings.Contains(de.Message.Zh, tt.invalid) {
					t.Fatalf("err = %v, want invalid mentioning %q", err, tt.invalid)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Auto != tt.auto || (!v.Auto && v.Why.Zh == "") {
				t.Errorf("verdict = %+v, want auto %v (with a reason when not)", v, tt.auto)
			}
		})
	}
}

// A renewal that is not automatic waits for the owner's manager, who may
// approve it; asking twice does not ask twice.
func TestRenewWithApproval(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	r := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
	if _, err := f.svc.Renew(ctx, f.a(t, "manager1"), r.ID); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("the manager renews: err = %v, want forbidden", err)
	}
	if _, err := f.svc.Renew(ctx, f.a(t, "sales3"), r.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("another salesperson renews: err = %v, want not found", err)
	}
	if _, err := f.svc.Renew(ctx, f.a(t, "sales1"), r.ID); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("renewal on day 0: err = %v, want invalid", err)
	}
	f.advance(25 * day) // no follow-up: not maintained
	res, err := f.svc.Renew(ctx, f.a(t, "sales1"), r.ID)
	if err != nil || !res.Pending || res.ApprovalID == 0 || !strings.Contains(res.Why.Zh, "未保持维护") {
		t.Fatalf("renewal = %+v, %v; want pending approval", res, err)
	}
	if !res.Registration.ProtectedUntil.Equal(*r.ProtectedUntil) {
		t.Errorf("pending renewal moved protection to %v", res.Registration.ProtectedUntil)
	}
	again, err := f.svc.Renew(ctx, f.a(t, "sales1"), r.ID)
	if err != nil || again.ApprovalID != res.ApprovalID {
		t.Fatalf("second request = %+v, %v; want the same approval %d", again, err, res.ApprovalID)
	}
	if n := f.notes(t, "manager1", "approval"); n != 1 {
		t.Errorf("manager1 got %d approval notifications, want 1", n)
	}
	if n := f.notes(t, "admin", "approval"); n != 0 {
		t.Errorf("admin got %d approval notifications, want 0 (the manager decides)", n)
	}
	queue, _, err := f.svc.Approvals(ctx, f.a(t, "manager1"), 0, 0)
	if err != nil || len(queue) != 1 || queue[0].Kind != domain.ApprovalRenewal || queue[0].RequesterName != "张三" {
		t.Fatalf("manager1's queue = %+v, %v", queue, err)
	}
	if other, _, _ := f.svc.Approvals(ctx, f.a(t, "manager2"), 0, 0); len(other) != 0 {
		t.Errorf("manager2 sees %+v", other)
	}
	if _, _, err := f.svc.Approvals(ctx, f.a(t, "sales1"), 0, 0); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("sales lists approvals: err = %v, want forbidden", err)
	}
	for _, tt := range []struct {
		user string
		want error
	}{{"sales1", domain.ErrForbidden}, {"manager2", domain.ErrNotFound}, {"sales2", domain.ErrNotFound}} {
		if _, err := f.svc.DecideApproval(ctx, f.a(t, tt.user), res.ApprovalID, true, ""); !errors.Is(err, tt.want) {
			t.Errorf("%s decides: err = %v, want %v", tt.user, err, tt.want)
		}
	}
	if _, err := f.svc.DecideApproval(ctx, f.a(t, "manager1"), res.ApprovalID, false, ""); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("rejecting without a reason: err = %v, want invalid", err)
	}
	a, err := f.svc.DecideApproval(ctx, f.a(t, "manager1"), res.ApprovalID, true, "客户仍在谈")
	if err != nil || a.Status != domain.ApprovalApproved {
		t.Fatalf("approve = %+v, %v", a, err)
	}
	got := f.reg(t, r.ID)
	if !got.ProtectedUntil.Equal(r.ProtectedUntil.Add(30*day)) || got.Renewals != 1 {
		t.Errorf("after approval: protected until %v, renewals %d", got.ProtectedUntil, got.Renewals)
	}
	if _, err := f.svc.DecideApproval(ctx, f.a(t, "manager1"), res.ApprovalID, true, ""); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("deciding twice: err = %v, want invalid", err)
	}
	if n := f.notes(t, "sales1", "approval"); n != 1 {
		t.Errorf("owner got %d decision notifications, want 1", n)
	}
}

// Renewals beyond max_renewals need a manager even when maintained; a
// pending renewal of a claim that expires is cancelled.
func TestRenewBeyondMax(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	f.setPolicy(t, `{"max_renewals":0}`)
	ctx := context.Background()
	r := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
	f.advance(25 * day)
	mustFollowUp(t, f, "sales1", r.ID, "")
	res, err := f.svc.Renew(ctx, f.a(t, "sales1"), r.ID)
	if err != nil || !res.Pending || !strings.Contains(res.Why.Zh, "达到上限") {
		t.Fatalf("renewal = %+v, %v; want pending for the limit", res, err)
	}
	f.advance(6 * day)
	f.sweep(t)
	if queue, _, _ := f.svc.Approvals(ctx, f.a(t, "manager1"), 0, 0); len(queue) != 0 {
		t.Errorf("queue after expiry = %+v, want the renewal cancelled", queue)
	}
	if n := f.ownerInt(t, `SELECT count(*) FROM approvals WHERE id = $1 AND status = 'cancelled'`, res.ApprovalID); n != 1 {
		t.Error("the renewal approval is not cancelled")
	}
}
