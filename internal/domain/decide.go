package domain

import (
	"fmt"
	"slices"
	"time"

	"baobei/internal/i18n"
)

// Rule is one of the tenant's ordered conflict rules (domain.md, Conflict
// resolution).
type Rule string

// The three conflict rules.
const (
	RuleHistory      Rule = "history"
	RuleTime         Rule = "time"
	RuleCompleteness Rule = "completeness"
)

// allRules are the valid rules, in the default order.
var allRules = []Rule{RuleHistory, RuleTime, RuleCompleteness}

// Label returns the rule's name as shown to people (历史合作优先,
// 先报备者优先, 信息完整度优先); "" for anything else.
func (r Rule) Label() i18n.Text {
	switch r {
	case RuleHistory:
		return i18n.Text{Zh: "历史合作优先", En: "history first"}
	case RuleTime:
		return i18n.Text{Zh: "先报备者优先", En: "time first"}
	case RuleCompleteness:
		return i18n.Text{Zh: "信息完整度优先", En: "completeness first"}
	}
	return i18n.Text{}
}

// ParseRules parses the tenant's conflict rules. It reports false unless ss
// names at least one rule, each at most once, in any order.
func ParseRules(ss []string) ([]Rule, bool) {
	if len(ss) == 0 || len(ss) > len(allRules) {
		return nil, false
	}
	rules := make([]Rule, 0, len(ss))
	for _, s := range ss {
		r := Rule(s)
		if !slices.Contains(allRules, r) || slices.Contains(rules, r) {
			return nil, false
		}
		rules = append(rules, r)
	}
	return rules, true
}

// Claim is one side of a conflict, as the rule engine sees it.
type Claim struct {
	RegistrationID int64
	// OwnerName is the owner's display name, for the managers' reason.
	OwnerName string
	// EffectiveAt is registered_at, or the first visit under require_visit.
	EffectiveAt  time.Time
	Completeness int
	// HistoryDeal: a signed deal for this customer by the same owner or team
	// is in the system.
	HistoryDeal bool
	// HistoryEvidence: prior cooperation is claimed by text or uploaded
	// evidence only, which the system cannot verify.
	HistoryEvidence bool
}

// Decision is the rule engine's verdict on a conflict between two claims.
type Decision struct {
	// Rule is the rule that decided, or the one that sent the conflict to
	// arbitration (history evidence), or "" when no rule decided.
	Rule Rule
	// Winner is 0 when a wins, 1 when b wins, -1 when undecided: the
	// conflict goes to arbitration.
	Winner int
	// Reason explains the decision to managers; it names both owners.
	Reason i18n.Text
}

// Undecided is Decision.Winner when the conflict goes to arbitration.
const Undecided = -1

// decideTimeLayout is how times appear in reasons, in the tenant's zone.
const decideTimeLayout = "2006-01-02 15:04"

// Decide ranks two conflicting claims by the tenant's rules, in order; the
// first rule that decides wins (domain.md, Conflict resolution):
//
//   - history: exactly one claim backed by a signed deal in the system wins.
//     Otherwise, when neither has a deal but either claims history by
//     evidence alone, no rule may overrule that claim unseen: the conflict
//     goes to arbitration at once (Rule history, Winner -1).
//   - time: the earlier EffectiveAt wins; equal times pass.
//   - completeness: the higher score wins when the scores differ by at least
//     margin (and at all); otherwise the rule passes.
//
// When no rule decides, Winner is -1 and Rule "". Unknown rules are skipped
// (ParseRules keeps them out of a policy). Times in the reason are shown in
// loc; nil means UTC.
func Decide(rules []Rule, margin int, loc *time.Location, a, b Claim) Decision {
	if loc == nil {
		loc = time.UTC
	}
	for _, r := range rules {
		var d Decision
		var decided bool
		switch r {
		case RuleHistory:
			d, decided = decideHistory(a, b)
		case RuleTime:
			d, decided = decideTime(loc, a, b)
		case RuleCompleteness:
			d, decided = decideCompleteness(margin, a, b)
		}
		if decided {
			d.Rule = r
			return d
		}
	}
	return Decision{Winner: Undecided, Reason: i18n.Text{
		Zh: "规则无法裁决, 提交仲裁",
		En: "The rules cannot decide; sent to arbitration",
	}}
}

// decideHistory applies the history rule; decided includes sending the
// conflict to arbitration.
func decideHistory(a, b Claim) (d Decision, decided bool) {
	label := RuleHistory.Label()
	if a.HistoryDeal != b.HistoryDeal {
		w, wc, lc := pick(a.HistoryDeal, a, b)
		return Decision{Winner: w, Reason: i18n.Text{
			Zh: fmt.Sprintf("%s: %s 在系统中有该客户的签约记录, %s 没有", label.Zh, owner(wc), owner(lc)),
			En: fmt.Sprintf("History first: %s has a signed deal with this customer in the system, %s has none", owner(wc), owner(lc)),
		}}, true
	}
	// Deals on both sides cannot be told apart by history, and without any
	// claim of history there is nothing to judge.
	if a.HistoryDeal || !(a.HistoryEvidence || b.HistoryEvidence) {
		return Decision{}, false
	}
	var zh, en string
	switch {
	case a.HistoryEvidence && b.HistoryEvidence:
		zh = fmt.Sprintf("%s 和 %s 都声称与该客户有历史合作", owner(a), owner(b))
		en = fmt.Sprintf("%s and %s both claim prior cooperation with this customer", owner(a), owner(b))
	default:
		c, other := a, b
		if b.HistoryEvidence {
			c, other = b, a
		}
		zh = fmt.Sprintf("%s 声称与该客户有历史合作 (%s 没有)", owner(c), owner(other))
		en = fmt.Sprintf("%s claims prior cooperation with this customer (%s does not)", owner(c), owner(other))
	}
	return Decision{Winner: Undecided, Reason: i18n.Text{
		Zh: fmt.Sprintf("%s: %s, 但系统中没有签约记录, 须由经理审核证据, 提交仲裁", label.Zh, zh),
		En: fmt.Sprintf("History first: %s, but no signed deal is in the system; a manager must judge the evidence, sent to arbitration", en),
	}}, true
}

// decideTime applies the time-first rule. When both times fall in the same
// minute the reason shows seconds, so that it explains itself.
func decideTime(loc *time.Location, a, b Claim) (Decision, bool) {
	if a.EffectiveAt.Equal(b.EffectiveAt) {
		return Decision{}, false
	}
	w, wc, lc := pick(a.EffectiveAt.Before(b.EffectiveAt), a, b)
	layout := decideTimeLayout
	if wc.EffectiveAt.In(loc).Format(layout) == lc.EffectiveAt.In(loc).Format(layout) {
		layout += ":05"
	}
	wt, lt := wc.EffectiveAt.In(loc).Format(layout), lc.EffectiveAt.In(loc).Format(layout)
	return Decision{Winner: w, Reason: i18n.Text{
		Zh: fmt.Sprintf("%s: %s 于 %s 报备, 早于 %s 于 %s 报备", RuleTime.Label().Zh, owner(wc), wt, owner(lc), lt),
		En: fmt.Sprintf("Time first: %s registered at %s, before %s at %s", owner(wc), wt, owner(lc), lt),
	}}, true
}

// decideCompleteness applies the completeness rule with the tenant's margin.
func decideCompleteness(margin int, a, b Claim) (Decision, bool) {
	diff := a.Completeness - b.Completeness
	if diff == 0 || max(diff, -diff) < margin {
		return Decision{}, false
	}
	w, wc, lc := pick(diff > 0, a, b)
	return Decision{Winner: w, Reason: i18n.Text{
		Zh: fmt.Sprintf("%s: %s 的报备完整度 %d, 高于 %s 的 %d (差距不小于 %d)",
			RuleCompleteness.Label().Zh, owner(wc), wc.Completeness, owner(lc), lc.Completeness, margin),
		En: fmt.Sprintf("Completeness first: %s's registration is %d%% complete, %s's %d%% (a difference of at least %d)",
			owner(wc), wc.Completeness, owner(lc), lc.Completeness, margin),
	}}, true
}

// pick returns the winner's index and the winning and losing claims: a when
// aWins, b otherwise.
func pick(aWins bool, a, b Claim) (winner int, w, l Claim) {
	if aWins {
		return 0, a, b
	}
	return 1, b, a
}

// owner names a claim's owner, or the registration when the name is unknown.
func owner(c Claim) string {
	if c.OwnerName != "" {
		return c.OwnerName
	}
	return fmt.Sprintf("#%d", c.RegistrationID)
}

// LoserReason tells the losing salesperson why: the customer is registered
// since heldSince and protected until protectedUntil (zero: permanently), by
// rule. It never names the holder (domain.md: the loser is not told who holds
// the customer). Times are shown in loc; nil means UTC.
func LoserReason(rule Rule, heldSince, protectedUntil time.Time, loc *time.Location) i18n.Text {
	if loc == nil {
		loc = time.UTC
	}
	since := heldSince.In(loc).Format(decideTimeLayout)
	zhUntil, enUntil := "永久保护", "is protected permanently"
	if !protectedUntil.IsZero() {
		until := protectedUntil.In(loc).Format(time.DateOnly)
		zhUntil, enUntil = "保护期至 "+until, "is protected until "+until
	}
	t := i18n.Text{
		Zh: fmt.Sprintf("该客户已于 %s 被报备, %s", since, zhUntil),
		En: fmt.Sprintf("This customer was registered on %s and %s", since, enUntil),
	}
	if l := rule.Label(); l.Zh != "" {
		t.Zh += " (" + l.Zh + ")"
		t.En += " (" + l.En + ")"
	}
	return t
}
