package domain_test

import (
	"slices"
	"testing"
	"time"

	"baobei/internal/domain"
)

func TestAttribute(t *testing.T) {
	signed := time.Date(2026, 11, 10, 15, 0, 0, 0, shanghai)
	now := signed.Add(48 * time.Hour)
	const signer, owner, other, manager = 10, 20, 30, 90
	live := func(id, ownerID int64, status domain.Status, registeredBefore time.Duration) domain.AttributionCandidate {
		return domain.AttributionCandidate{RegistrationID: id, OwnerID: ownerID, TeamID: 1, Status: status, OwnerActive: true,
			RegisteredAt: signed.Add(-registeredBefore), StatusChangedAt: signed.Add(-registeredBefore),
			HoldsKeys: status == domain.StatusActive || status == domain.StatusConverted}
	}
	ended := func(c domain.AttributionCandidate, status domain.Status, at time.Time) domain.AttributionCandidate {
		c.Status, c.StatusChangedAt, c.HoldsKeys = status, at, false
		return c
	}
	pooled := func(c domain.AttributionCandidate) domain.AttributionCandidate {
		c.TeamPool, c.OwnerActive = true, false
		return c
	}
	relative := func(c domain.AttributionCandidate) domain.AttributionCandidate { c.RelativeOnly = true; return c }
	deadline := now.Add(3 * 24 * time.Hour)
	cases := []struct {
		name        string
		cands       []domain.AttributionCandidate
		relatives   bool // credit_departed_relatives
		wantStatus  domain.DealStatus
		wantRule    domain.AttributionRule
		wantReg     int64
		wantOwner   int64
		wantAssists []int64
	}{
		{"no registration: unclaimed", nil, false, domain.DealUnclaimed, domain.RuleClaimWindow, 0, 0, nil},
		{"active owner credited, signer assists", []domain.AttributionCandidate{live(1, owner, domain.StatusActive, time.Hour)},
			false, domain.DealAttributed, domain.RuleRegistration, 1, owner, []int64{signer}},
		{"the signer owns it: no assist", []domain.AttributionCandidate{live(1, signer, domain.StatusActive, time.Hour)},
			false, domain.DealAttributed, domain.RuleRegistration, 1, signer, []int64{}},
		{"converted claim keeps the customer", []domain.AttributionCandidate{live(1, owner, domain.StatusConverted, 90*24*time.Hour)},
			false, domain.DealAttributed, domain.RuleRegistration, 1, owner, []int64{signer}},
		{"pending visit counts as live", []domain.AttributionCandidate{live(1, owner, domain.StatusPendingVisit, time.Hour)},
			false, domain.DealAttributed, domain.RuleRegistration, 1, owner, []int64{signer}},
		{"registered after signing: unclaimed", []domain.AttributionCandidate{live(1, owner, domain.StatusActive, -time.Hour)},
			false, domain.DealUnclaimed, domain.RuleClaimWindow, 0, 0, nil},
		{"expired after signing: still credited", []domain.AttributionCandidate{ended(live(1, owner, domain.StatusActive, 40*24*time.Hour), domain.StatusExpired, signed.Add(time.Hour))},
			false, domain.DealAttributed, domain.RuleRegistration, 1, owner, []int64{signer}},
		{"expired before signing: unclaimed", []domain.AttributionCandidate{ended(live(1, owner, domain.StatusActive, 40*24*time.Hour), domain.StatusExpired, signed.Add(-time.Hour))},
			false, domain.DealUnclaimed, domain.RuleClaimWindow, 0, 0, nil},
		{"rejected at birth never counts", []domain.AttributionCandidate{ended(live(1, owner, domain.StatusActive, time.Hour), domain.StatusRejected, signed.Add(-time.Hour))},
			false, domain.DealUnclaimed, domain.RuleClaimWindow, 0, 0, nil},
		{"the holder beats an earlier pending claim", []domain.AttributionCandidate{
			live(1, other, domain.StatusPendingVisit, 5*time.Hour), live(2, owner, domain.StatusActive, time.Hour)},
			false, domain.DealAttributed, domain.RuleRegistration, 2, owner, []int64{signer}},
		{"among non-holders the earliest", []domain.AttributionCandidate{
			live(2, owner, domain.StatusPendingVisit, time.Hour), live(1, other, domain.StatusPendingVisit, 5*time.Hour)},
			false, domain.DealAttributed, domain.RuleRegistration, 1, other, []int64{signer}},
		{"team pool credits the team's manager", []domain.AttributionCandidate{pooled(live(1, owner, domain.StatusActive, time.Hour))},
			false, domain.DealAttributed, domain.RuleTeamPool, 1, manager, []int64{signer}},
		{"departed owner's relative: not credited", []domain.AttributionCandidate{relative(pooled(live(1, owner, domain.StatusActive, time.Hour)))},
			false, domain.DealUnclaimed, domain.RuleClaimWindow, 0, 0, nil},
		{"departed owner's relative: credited when the tenant says so", []domain.AttributionCandidate{relative(pooled(live(1, owner, domain.StatusActive, time.Hour)))},
			true, domain.DealAttributed, domain.RuleTeamPool, 1, manager, []int64{signer}},
		{"present owner's relative: credited", []domain.AttributionCandidate{relative(live(1, owner, domain.StatusActive, time.Hour))},
			false, domain.DealAttributed, domain.RuleRegistration, 1, owner, []int64{signer}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := domain.Attribute(domain.AttributionInput{SignedAt: signed, SignerID: signer, Candidates: c.cands,
				ClaimDeadline: deadline, CreditDepartedRelatives: c.relatives, TeamManagers: map[int64]int64{1: manager}})
			if a.Status != c.wantStatus || a.Rule != c.wantRule || a.RegistrationID != c.wantReg || a.OwnerID != c.wantOwner {
				t.Fatalf("got %s/%s reg %d owner %d, want %s/%s reg %d owner %d", a.Status, a.Rule, a.RegistrationID, a.OwnerID,
					c.wantStatus, c.wantRule, c.wantReg, c.wantOwner)
			}
			if c.wantStatus == domain.DealUnclaimed {
				if a.ClaimDeadline == nil || !a.ClaimDeadline.Equal(deadline) {
					t.Errorf("claim deadline %v, want %v", a.ClaimDeadline, deadline)
				}
				return
			}
			if !slices.Equal(a.AssistIDs, c.wantAssists) || a.TeamID != 1 || a.ClaimDeadline != nil {
				t.Errorf("assists %v team %d deadline %v, want %v team 1 no deadline", a.AssistIDs, a.TeamID, a.ClaimDeadline, c.wantAssists)
			}
		})
	}
}

func TestWeekStart(t *testing.T) {
	utc := time.UTC
	cases := []struct {
		name string
		at   time.Time
		loc  *time.Location
		want string
	}{
		{"a Monday morning", time.Date(2026, 11, 2, 0, 0, 0, 0, shanghai), shanghai, "2026-11-02"},
		{"the Sunday night after", time.Date(2026, 11, 8, 23, 59, 59, 0, shanghai), shanghai, "2026-11-02"},
		{"Wednesday", time.Date(2026, 11, 4, 12, 0, 0, 0, shanghai), shanghai, "2026-11-02"},
		{"Sunday 20:00 UTC is Monday in Shanghai", time.Date(2026, 11, 8, 20, 0, 0, 0, utc), shanghai, "2026-11-09"},
		{"the same instant in UTC", time.Date(2026, 11, 8, 20, 0, 0, 0, utc), utc, "2026-11-02"},
		{"across a month and year", time.Date(2027, 1, 1, 9, 0, 0, 0, shanghai), shanghai, "2026-12-28"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := domain.WeekStart(c.at, c.loc)
			if got.Format(time.DateOnly) != c.want || got.Weekday() != time.Monday || got.Location() != c.loc || got.Hour() != 0 {
				t.Errorf("WeekStart(%v) = %v, want Monday %s 00:00 in %s", c.at, got, c.want, c.loc)
			}
		})
	}
}
