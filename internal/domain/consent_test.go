package domain_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"baobei/internal/domain"
)

// maintainedClaim is sales1's registration, followed up an hour after it
// was filed: maintained for active_window_days.
func maintainedClaim(t *testing.T, f *fixture) domain.Registration {
	t.Helper()
	r := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
	f.advance(time.Hour)
	mustFollowUp(t, f, "sales1", r.ID, "")
	f.advance(time.Hour)
	return r
}

func mustAskConsent(t *testing.T, f *fixture, user string, r domain.Registration) domain.ConsentRequest {
	t.Helper()
	c, err := f.svc.RequestConsent(context.Background(), f.a(t, user), domain.ConsentInput{ClaimRef: r.ClaimRef, Reason: "客户主动联系我询价"})
	if err != nil {
		t.Fatalf("%s asks consent: %v", user, err)
	}
	return c
}

func TestRequestConsentRefusals(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	r := maintainedClaim(t, f)
	stale := mustRegister(t, f, "sales2", company("杭州阿里云计算有限公司", "13912345678"))
	tests := []struct {
		name string
		by   string
		in   domain.ConsentInput
		code domain.Code
	}{
		{"unknown claim", "sales3", domain.ConsentInput{ClaimRef: "c_nothing", Reason: "询价"}, domain.CodeNotFound},
		{"no reason", "sales3", domain.ConsentInput{ClaimRef: r.ClaimRef}, domain.CodeInvalid},
		{"no claim", "sales3", domain.ConsentInput{Reason: "询价"}, domain.CodeInvalid},
		{"own claim", "sales1", domain.ConsentInput{ClaimRef: r.ClaimRef, Reason: "询价"}, domain.CodeInvalid},
		{"not maintained: consent not needed", "sales3", domain.ConsentInput{ClaimRef: stale.ClaimRef, Reason: "询价"}, domain.CodeInvalid},
		{"front desk", "frontdesk1", domain.ConsentInput{ClaimRef: r.ClaimRef, Reason: "询价"}, domain.CodeForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.svc.RequestConsent(ctx, f.a(t, tt.by), tt.in); domain.ErrorCode(err) != tt.code {
				t.Errorf("err = %v, want %s", err, tt.code)
			}
		})
	}
	mustAskConsent(t, f, "sales3", r)
	if _, err := f.svc.RequestConsent(ctx, f.a(t, "sales3"), domain.ConsentInput{ClaimRef: r.ClaimRef, Reason: "再问一次"}); domain.ErrorCode(err) != domain.CodeDuplicate {
		t.Errorf("asking twice: err = %v, want duplicate", err)
	}
}

// The owner answers: accepting makes the requester an assistant;
// declining does not. Each side sees its own view.
func TestAnswerConsent(t *testing.T) {
	for _, accept := range []bool{true, false} {
		name := map[bool]string{true: "accept", false: "decline"}[accept]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := mustDemo(t)
			ctx := context.Background()
			r := maintainedClaim(t, f)
			c := mustAskConsent(t, f, "sales3", r)
			if c.Status != domain.ConsentPending || c.Direction != "outgoing" || c.Requester != nil {
				t.Fatalf("created = %+v", c)
			}
			if f.notes(t, "sales1", "consent") != 1 {
				t.Error("the owner is not told")
			}
			in, err := f.svc.ConsentRequests(ctx, f.a(t, "sales1"), 0)
			if err != nil || len(in) != 1 || in[0].Direction != "incoming" || in[0].Requester == nil || in[0].Requester.Name != "王五" ||
				!in[0].CanAnswer || in[0].CustomerName != "北京华为技术有限公司" {
				t.Fatalf("owner's list = %+v, %v", in, err)
			}
			out, err := f.svc.ConsentRequests(ctx, f.a(t, "sales3"), 0)
			if err != nil || len(out) != 1 || out[0].Direction != "outgoing" || out[0].Requester != nil || out[0].RegistrationID != 0 || out[0].CanAnswer {
				t.Fatalf("requester's list = %+v, %v", out, err)
			}
			for _, tt := range []struct {
				user string
				want error
			}{{"sales3", domain.ErrForbidden}, {"manager1", domain.ErrForbidden}, {"sales2", domain.ErrNotFound}, {"manager2", domain.ErrNotFound}} {
				if _, err := f.svc.AnswerConsent(ctx, f.a(t, tt.user), c.ID, true); !errors.Is(err, tt.want) {
					t.Errorf("%s answers: err = %v, want %v", tt.user, err, tt.want)
				}
			}
			got, err := f.svc.AnswerConsent(ctx, f.a(t, "sales1"), c.ID, accept)
			want := map[bool]string{true: domain.ConsentAccepted, false: domain.ConsentDeclined}[accept]
			if err != nil || got.Status != want {
				t.Fatalf("answer = %+v, %v; want %s", got, err, want)
			}
			assistants, err := f.svc.Assistants(ctx, f.a(t, "sales1"), r.ID)
			if err != nil || (len(assistants) == 1) != accept || (accept && assistants[0].Name != "王五") {
				t.Errorf("assistants = %+v, %v", assistants, err)
			}
			if f.notes(t, "sales3", "consent") != 1 {
				t.Error("the requester is not told the answer")
			}
			if _, err := f.svc.AnswerConsent(ctx, f.a(t, "sales1"), c.ID, accept); domain.ErrorCode(err) != domain.CodeInvalid {
				t.Errorf("answering twice: err = %v, want invalid", err)
			}
		})
	}
}

// Unanswered after consent_timeout_hours, a request escalates to the
// owner's manager, who answers it from the approvals queue.
func TestConsentEscalates(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	r := maintainedClaim(t, f)
	c := mustAskConsent(t, f, "sales3", r)
	f.advance(47 * time.Hour)
	if res := f.sweep(t); res.Counts["consents_escalated"] != 0 {
		t.Fatalf("escalated before the timeout: %v", res.Counts)
	}
	f.advance(2 * time.Hour)
	if res := f.sweep(t); res.Counts["consents_escalated"] != 1 {
		t.Fatalf("sweep after the timeout: %v, want 1 escalated", res.Counts)
	}
	if again := f.sweep(t); again.Counts["consents_escalated"] != 0 {
		t.Fatalf("escalated twice: %v", again.Counts)
	}
	in, err := f.svc.ConsentRequests(ctx, f.a(t, "manager1"), 0)
	if err != nil || len(in) != 1 || in[0].Status != domain.ConsentEscalated || !in[0].CanAnswer {
		t.Fatalf("manager1's consents = %+v, %v", in, err)
	}
	if other, _ := f.svc.ConsentRequests(ctx, f.a(t, "manager2"), 0); len(other) != 0 {
		t.Errorf("manager2 sees %+v", other)
	}
	queue, _, err := f.svc.Approvals(ctx, f.a(t, "manager1"), 0, 0)
	if err != nil || len(queue) != 1 || queue[0].Kind != domain.ApprovalConsent || queue[0].EntityID != c.ID {
		t.Fatalf("manager1's queue = %+v, %v", queue, err)
	}
	if f.notes(t, "manager1", "approval") != 1 {
		t.Error("the manager is not told")
	}
	if _, err := f.svc.DecideApproval(ctx, f.a(t, "manager1"), queue[0].ID, true, ""); err != nil {
		t.Fatal(err)
	}
	out, _ := f.svc.ConsentRequests(ctx, f.a(t, "sales3"), 0)
	if len(out) != 1 || out[0].Status != domain.ConsentAccepted {
		t.Fatalf("requester's view = %+v, want accepted", out)
	}
	if as, _ := f.svc.Assistants(ctx, f.a(t, "sales1"), r.ID); len(as) != 1 {
		t.Errorf("assistants = %+v", as)
	}
	if f.notes(t, "sales1", "consent") != 3 { // asked, escalated, answered by the manager
		t.Errorf("owner has %d consent notifications, want 3", f.notes(t, "sales1", "consent"))
	}
}

// An escalated request answered by the owner settles its approval; a
// claim that ends cancels open requests.
func TestConsentSettledElsewhere(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	r := maintainedClaim(t, f)
	c := mustAskConsent(t, f, "sales3", r)
	f.advance(49 * time.Hour)
	f.sweep(t)
	if _, err := f.svc.AnswerConsent(ctx, f.a(t, "sales1"), c.ID, false); err != nil {
		t.Fatal(err)
	}
	if q, _, _ := f.svc.Approvals(ctx, f.a(t, "manager1"), 0, 0); len(q) != 0 {
		t.Errorf("queue after the owner answered = %+v", q)
	}

	c2 := mustAskConsent(t, f, "sales4", r)
	if _, err := f.svc.Release(ctx, f.a(t, "sales1"), r.ID, domain.ReleaseInput{ReasonCode: "no_interest"}); err != nil {
		t.Fatal(err)
	}
	out, _ := f.svc.ConsentRequests(ctx, f.a(t, "sales4"), 0)
	if len(out) != 1 || out[0].ID != c2.ID || out[0].Status != domain.ConsentCancelled {
		t.Fatalf("after release = %+v, want cancelled", out)
	}
	if f.notes(t, "sales4", "consent") != 1 {
		t.Error("the requester is not told the claim ended")
	}
}
