package domain

import (
	"sort"
	"time"

	"baobei/internal/i18n"
)

// DealStatus says whether a deal's credit is settled (domain.md, Deals and
// attribution).
type DealStatus string

// The deal states.
const (
	// DealAttributed: a salesperson is credited, through a live
	// registration or an approved claim.
	DealAttributed DealStatus = "attributed"
	// DealUnclaimed: nobody held the customer; salespeople may claim it
	// with evidence until the claim deadline.
	DealUnclaimed DealStatus = "unclaimed"
	// DealDutyTeam: the claim window passed; the team on duty in the week
	// it was signed is credited, through its manager.
	DealDutyTeam DealStatus = "duty_team"
)

// DealStatuses lists the deal states, in the order filters show them.
var DealStatuses = []DealStatus{DealAttributed, DealUnclaimed, DealDutyTeam}

// AttributionRule names the rule that settled a deal's credit.
type AttributionRule string

// The attribution rules, in the order domain.md lists them.
const (
	// RuleRegistration: a registration live at signed_at earned it.
	RuleRegistration AttributionRule = "registration"
	// RuleTeamPool: the registration that earned it is in its team's pool
	// (its owner left); the team is credited, through its manager.
	RuleTeamPool AttributionRule = "team_pool"
	// RuleClaimWindow: no registration; open for claims until the deadline.
	RuleClaimWindow AttributionRule = "claim_window"
	// RuleClaim: a manager approved a salesperson's claim.
	RuleClaim AttributionRule = "claim"
	// RuleDutyTeam: the claim window passed; the duty team is credited.
	RuleDutyTeam AttributionRule = "duty_team"
)

// Label names the rule for people.
func (r AttributionRule) Label() i18n.Text {
	switch r {
	case RuleRegistration:
		return i18n.Text{Zh: "报备归属 (签约时有效报备)", En: "Registration live at signing"}
	case RuleTeamPool:
		return i18n.Text{Zh: "团队公海 (原销售已离职)", En: "Team pool (the owner left)"}
	case RuleClaimWindow:
		return i18n.Text{Zh: "无人报备, 认领期内", En: "Not registered; open for claims"}
	case RuleClaim:
		return i18n.Text{Zh: "举证认领, 经理批准", En: "Claim approved by a manager"}
	case RuleDutyTeam:
		return i18n.Text{Zh: "认领期满, 归当周值班团队", En: "Claim window passed; the duty team of the week"}
	case RuleDispute:
		return i18n.Text{Zh: "申诉裁决", En: "Decided in a dispute"}
	}
	return i18n.Text{}
}

// AttributionCandidate is a registration of the deal's customer (matched
// on a strong key or the buyer's phone), in whatever state it is now.
type AttributionCandidate struct {
	RegistrationID  int64
	OwnerID         int64
	TeamID          int64
	Status          Status
	RegisteredAt    time.Time
	StatusChangedAt time.Time
	// HoldsKeys: it holds the customer now (live_keys).
	HoldsKeys bool
	// TeamPool: its owner left and it waits in the team pool.
	TeamPool bool
	// OwnerActive: its owner still works here.
	OwnerActive bool
	// RelativeOnly: it matched only through a relative's phone (spouse,
	// parent, child, sibling), not the customer's own identity.
	RelativeOnly bool
}

// liveAt reports whether the registration claimed its customer at t:
// registered by then and, unless it is live (or converted, which keeps the
// customer) now, left that state only after t. A claim rejected at birth
// changed state at its registration time and so never counts.
func (c AttributionCandidate) liveAt(t time.Time) bool {
	if c.RegisteredAt.After(t) {
		return false
	}
	if c.Status.Live() || c.Status == StatusConverted {
		return true
	}
	return c.StatusChangedAt.After(t)
}

// AttributionInput is what Attribute decides on.
type AttributionInput struct {
	SignedAt   time.Time
	SignerID   int64
	Candidates []AttributionCandidate
	// ClaimDeadline is when the claim window (claim_window_days from when
	// the deal is recorded) closes.
	ClaimDeadline time.Time
	// CreditDepartedRelatives is the policy's credit_departed_relatives.
	CreditDepartedRelatives bool
	// TeamManagers maps a team to the manager credited on its behalf.
	TeamManagers map[int64]int64
}

// Attribution is who gets credit for a deal. For an unclaimed deal only
// Status, Rule and ClaimDeadline are set; OwnerID is 0 when a team is
// credited that has no manager.
type Attribution struct {
	Status         DealStatus
	Rule           AttributionRule
	RegistrationID int64
	OwnerID        int64
	TeamID         int64
	AssistIDs      []int64
	ClaimDeadline  *time.Time
}

// Attribute decides a new deal's credit (domain.md, Deals and attribution,
// rules 1, 2 and 4):
//
//   - among the registrations live at signed_at, the one holding the
//     customer wins, else the earliest registered; its owner is credited
//     and the signer, when someone else, gets assist credit. A claim in
//     the team pool credits its team, through the team's manager.
//   - a claim whose owner has left (or that waits in the team pool) and
//     that matched only through a relative's phone does not count unless
//     the tenant credits departed salespeople's relatives.
//   - with none, the deal is unclaimed until Now + claim_window_days.
//
// Rule 3 (the duty team after the window) is the sweep's, since it
// depends on the roster when the window closes.
func Attribute(in AttributionInput) Attribution {
	var live []AttributionCandidate
	for _, c := range in.Candidates {
		if !c.liveAt(in.SignedAt) {
			continue
		}
		departed := c.TeamPool || !c.OwnerActive
		if departed && c.RelativeOnly && !in.CreditDepartedRelatives {
			continue
		}
		live = append(live, c)
	}
	if len(live) == 0 {
		deadline := in.ClaimDeadline
		return Attribution{Status: DealUnclaimed, Rule: RuleClaimWindow, ClaimDeadline: &deadline}
	}
	sort.SliceStable(live, func(i, j int) bool {
		a, b := live[i], live[j]
		if a.HoldsKeys != b.HoldsKeys {
			return a.HoldsKeys
		}
		if !a.RegisteredAt.Equal(b.RegisteredAt) {
			return a.RegisteredAt.Before(b.RegisteredAt)
		}
		return a.RegistrationID < b.RegistrationID
	})
	w := live[0]
	a := Attribution{Status: DealAttributed, Rule: RuleRegistration, RegistrationID: w.RegistrationID,
		OwnerID: w.OwnerID, TeamID: w.TeamID}
	if w.TeamPool {
		a.Rule, a.OwnerID = RuleTeamPool, in.TeamManagers[w.TeamID]
	}
	a.AssistIDs = assistsOf(a.OwnerID, in.SignerID)
	return a
}

// assistsOf is the assist credit when owner is credited for a deal signer
// signed: the signer, unless they are the owner.
func assistsOf(owner, signer int64) []int64 {
	if signer == 0 || signer == owner {
		return []int64{}
	}
	return []int64{signer}
}

// WeekStart returns the Monday (00:00 in loc) of the week containing t:
// duty weeks start on Monday in the tenant's time zone.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	back := (int(l.Weekday()) + 6) % 7 // days since Monday
	return time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, loc)
}
