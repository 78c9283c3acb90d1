package domain_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"baobei/internal/domain"
)

func TestNextFollowUpDue(t *testing.T) {
	pol := domain.DefaultPolicy()
	last := time.Date(2026, 11, 2, 10, 0, 0, 0, shanghai)
	tests := []struct {
		grade string
		want  time.Duration // 0: no due date
	}{
		{"H", 1 * day}, {"A", 3 * day}, {"B", 7 * day}, {"C", 15 * day}, {"", 0}, {"X", 0},
	}
	for _, tt := range tests {
		t.Run(tt.grade, func(t *testing.T) {
			got := domain.NextFollowUpDue(pol, tt.grade, last)
			switch {
			case tt.want == 0 && got != nil:
				t.Errorf("due = %v, want none", got)
			case tt.want != 0 && (got == nil || !got.Equal(last.Add(tt.want))):
				t.Errorf("due = %v, want %v", got, last.Add(tt.want))
			}
		})
	}
}

func TestLogFollowUpInput(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	r := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
	f.advance(day)
	now := f.svc.Now()
	future, early := now.Add(time.Hour), r.RegisteredAt.Add(-time.Hour)
	tests := []struct {
		name  string
		in    domain.FollowUpInput
		field string
	}{
		{"unknown channel", domain.FollowUpInput{Channel: "fax"}, "channel"},
		{"no channel", domain.FollowUpInput{}, "channel"},
		{"bad grade", domain.FollowUpInput{Channel: "call", Grade: "Z"}, "grade"},
		{"in the future", domain.FollowUpInput{Channel: "call", At: &future}, "at"},
		{"before the registration", domain.FollowUpInput{Channel: "call", At: &early}, "at"},
		{"control characters", domain.FollowUpInput{Channel: "call", Note: "a\x00b"}, "note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.LogFollowUp(context.Background(), f.a(t, "sales1"), r.ID, tt.in)
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.CodeInvalid || de.Fields[tt.field].Zh == "" {
				t.Errorf("err = %v, want invalid %s", err, tt.field)
			}
		})
	}
}

func TestLogFollowUp(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	r := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
	if r.NextFollowUpDue == nil || !r.NextFollowUpDue.Equal(r.ActivatedAt.Add(3*day)) {
		t.Fatalf("grade A: first due %v, want activation + 3 days", r.NextFollowUpDue)
	}
	f.advance(4 * day)
	if !f.reg(t, r.ID).Overdue(f.svc.Now()) {
		t.Fatal("not overdue 4 days after activation at grade A")
	}
	at := f.svc.Now().Add(-time.Hour)
	fu, err := f.svc.LogFollowUp(ctx, f.a(t, "sales1"), r.ID, domain.FollowUpInput{Channel: "visit", Note: "上门拜访, 客户有意向", At: &at, Grade: "B"})
	if err != nil {
		t.Fatal(err)
	}
	if fu.GradeBefore != "A" || fu.Grade != "B" || !fu.At.Equal(at) {
		t.Errorf("follow-up = %+v", fu)
	}
	got := f.reg(t, r.ID)
	if got.Grade != "B" || got.LastFollowUpAt == nil || !got.LastFollowUpAt.Equal(at) ||
		got.NextFollowUpDue == nil || !got.NextFollowUpDue.Equal(at.Add(7*day)) || got.Overdue(f.svc.Now()) {
		t.Errorf("after follow-up: grade %s last %v due %v overdue %v", got.Grade, got.LastFollowUpAt, got.NextFollowUpDue, got.Overdue(f.svc.Now()))
	}
	// An older contact logged later does not move the last follow-up back.
	older := at.Add(-2 * day)
	if _, err := f.svc.LogFollowUp(ctx, f.a(t, "sales1"), r.ID, domain.FollowUpInput{Channel: "call", At: &older}); err != nil {
		t.Fatal(err)
	}
	if got := f.reg(t, r.ID); !got.LastFollowUpAt.Equal(at) {
		t.Errorf("last follow-up moved back to %v", got.LastFollowUpAt)
	}
	history, err := f.svc.FollowUps(ctx, f.a(t, "manager1"), r.ID)
	if err != nil || len(history) != 2 || history[0].Channel != "visit" || history[0].UserName != "张三" {
		t.Fatalf("history = %+v, %v", history, err)
	}

	for _, tt := range []struct {
		user string
		want error
	}{
		{"sales2", domain.ErrNotFound},   // cannot read it
		{"manager2", domain.ErrNotFound}, // another team's
		{"manager1", domain.ErrForbidden},
	} {
		_, err := f.svc.LogFollowUp(ctx, f.a(t, tt.user), r.ID, domain.FollowUpInput{Channel: "call"})
		if !errors.Is(err, tt.want) {
			t.Errorf("%s logs a follow-up: err = %v, want %v", tt.user, err, tt.want)
		}
	}
	if _, err := f.svc.FollowUps(ctx, f.a(t, "sales3"), r.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("sales3 reads the history: err = %v, want not found", err)
	}
}
