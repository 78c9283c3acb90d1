package ui

import (
	"testing"
	"time"

	"baobei/internal/domain"
	"baobei/templates"
)

func TestProtection(t *testing.T) {
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	pol := domain.DefaultPolicy() // expiry_notice_days 3
	at := func(d time.Duration) *time.Time { tm := now.Add(d); return &tm }
	const day = 24 * time.Hour
	tests := []struct {
		name string
		reg  domain.Registration
		want templates.Countdown
	}{
		{"just activated", domain.Registration{Status: domain.StatusActive, ProtectedUntil: at(30 * day)}, templates.Countdown{Show: true, Days: 30}},
		{"part of a day is a day", domain.Registration{Status: domain.StatusActive, ProtectedUntil: at(3*day + time.Minute)}, templates.Countdown{Show: true, Days: 4}},
		{"within the notice", domain.Registration{Status: domain.StatusActive, ProtectedUntil: at(3 * day)}, templates.Countdown{Show: true, Days: 3, Soon: true}},
		{"last hour", domain.Registration{Status: domain.StatusActive, ProtectedUntil: at(time.Hour)}, templates.Countdown{Show: true, Days: 1, Soon: true}},
		{"past, not yet swept", domain.Registration{Status: domain.StatusActive, ProtectedUntil: at(-time.Hour)}, templates.Countdown{Show: true, Expired: true}},
		{"permanent", domain.Registration{Status: domain.StatusActive}, templates.Countdown{Permanent: true}},
		{"paused in a dispute", domain.Registration{Status: domain.StatusInDispute, ProtectedUntil: at(10 * day)}, templates.Countdown{}},
		{"pending review", domain.Registration{Status: domain.StatusPendingReview}, templates.Countdown{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := protection(tt.reg, pol, now); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestTimeline(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	at := func(h int) *time.Time { tm := t0.Add(time.Duration(h) * time.Hour); return &tm }
	keys := func(es []templates.TimelineEntry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Key+":"+string(e.Status))
		}
		return out
	}
	tests := []struct {
		name string
		reg  domain.Registration
		want []string
	}{
		{"active at once", domain.Registration{Status: domain.StatusActive, RegisteredAt: t0, ActivatedAt: at(0), StatusChangedAt: t0},
			[]string{"timeline.registered:", "timeline.activated:"}},
		{"lost at once", domain.Registration{Status: domain.StatusRejected, RegisteredAt: t0, StatusChangedAt: t0},
			[]string{"timeline.registered:", "timeline.status:rejected"}},
		{"waiting for review", domain.Registration{Status: domain.StatusPendingReview, RegisteredAt: t0, StatusChangedAt: t0},
			[]string{"timeline.registered:"}},
		{"approved, visited, followed up, then lost", domain.Registration{Status: domain.StatusRejected, RegisteredAt: t0,
			ActivatedAt: at(5), VisitedAt: at(2), LastFollowUpAt: at(30), StatusChangedAt: *at(40)},
			[]string{"timeline.registered:", "timeline.visited:", "timeline.activated:", "timeline.follow_up:", "timeline.status:rejected"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := keys(timeline(tt.reg))
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}
