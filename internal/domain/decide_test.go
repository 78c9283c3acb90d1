package domain

import (
	"slices"
	"strings"
	"testing"
	"time"

	"baobei/internal/i18n"
)

// cst is the tenant zone of the tests (Asia/Shanghai has no DST; a fixed
// zone keeps the tests independent of the machine's tzdata).
var cst = time.FixedZone("CST", 8*3600)

// t0 is 2026-11-02 10:31 in cst.
var t0 = time.Date(2026, 11, 2, 2, 31, 0, 0, time.UTC)

// claim returns a claim by owner at t0+after with the given completeness.
func claim(id int64, owner string, after time.Duration, completeness int) Claim {
	return Claim{RegistrationID: id, OwnerName: owner, EffectiveAt: t0.Add(after), Completeness: completeness}
}

func withDeal(c Claim) Claim     { c.HistoryDeal = true; return c }
func withEvidence(c Claim) Claim { c.HistoryEvidence = true; return c }

var defaultRules = []Rule{RuleHistory, RuleTime, RuleCompleteness}

func TestDecide(t *testing.T) {
	zhang := claim(1, "张三", 0, 80)
	li := claim(2, "李四", 30*time.Minute, 60)
	liEarly := claim(2, "李四", -30*time.Minute, 60)
	liSameTime := claim(2, "李四", 0, 60)
	tests := []struct {
		name       string
		rules      []Rule
		margin     int
		a, b       Claim
		wantRule   Rule
		wantWinner int
	}{
		// history
		{"history: a has a deal", defaultRules, 20, withDeal(zhang), liEarly, RuleHistory, 0},
		{"history: b has a deal", defaultRules, 20, zhang, withDeal(li), RuleHistory, 1},
		{"history: both have deals, time decides", defaultRules, 20, withDeal(zhang), withDeal(li), RuleTime, 0},
		{"history: both deals and evidence, time decides", defaultRules, 20,
			withEvidence(withDeal(zhang)), withEvidence(withDeal(li)), RuleTime, 0},
		{"history: deal beats evidence", defaultRules, 20, withEvidence(zhang), withDeal(liEarly), RuleHistory, 1},
		{"history: deal and evidence beats evidence", defaultRules, 20,
			withEvidence(withDeal(zhang)), withEvidence(li), RuleHistory, 0},
		{"history: a's evidence goes to arbitration", defaultRules, 20, withEvidence(zhang), li, RuleHistory, Undecided},
		{"history: b's evidence goes to arbitration", defaultRules, 20, zhang, withEvidence(liEarly), RuleHistory, Undecided},
		{"history: both evidence goes to arbitration", defaultRules, 20,
			withEvidence(zhang), withEvidence(li), RuleHistory, Undecided},
		{"history: one deal, both evidence", defaultRules, 20,
			withEvidence(zhang), withEvidence(withDeal(liEarly)), RuleHistory, 1},
		{"history: nothing claimed passes", defaultRules, 20, zhang, li, RuleTime, 0},
		{"history: evidence after time is too late", []Rule{RuleTime, RuleHistory}, 20,
			withEvidence(zhang), li, RuleTime, 0},
		{"history: evidence ignored without the rule", []Rule{RuleTime, RuleCompleteness}, 20,
			withEvidence(zhang), li, RuleTime, 0},
		{"history: evidence decides even when time ties", []Rule{RuleTime, RuleHistory}, 20,
			zhang, withEvidence(liSameTime), RuleHistory, Undecided},

		// time
		{"time: a earlier", []Rule{RuleTime}, 20, zhang, li, RuleTime, 0},
		{"time: b earlier", []Rule{RuleTime}, 20, zhang, liEarly, RuleTime, 1},
		{"time: b earlier by a nanosecond", []Rule{RuleTime}, 20, zhang, claim(2, "李四", -1, 60), RuleTime, 1},
		{"time: tie passes to completeness", defaultRules, 20, zhang, liSameTime, RuleCompleteness, 0},
		{"time: tie, same instant in another zone", []Rule{RuleTime, RuleCompleteness}, 20,
			zhang, Claim{OwnerName: "李四", EffectiveAt: t0.In(cst), Completeness: 100}, RuleCompleteness, 1},
		{"time: tie alone is undecided", []Rule{RuleTime}, 20, zhang, liSameTime, "", Undecided},

		// completeness and its margin
		{"completeness: difference above the margin", []Rule{RuleCompleteness}, 20,
			claim(1, "张三", 0, 90), claim(2, "李四", 0, 60), RuleCompleteness, 0},
		{"completeness: difference at the margin", []Rule{RuleCompleteness}, 20,
			claim(1, "张三", 0, 80), claim(2, "李四", 0, 60), RuleCompleteness, 0},
		{"completeness: difference below the margin", []Rule{RuleCompleteness}, 20,
			claim(1, "张三", 0, 79), claim(2, "李四", 0, 60), "", Undecided},
		{"completeness: b higher at the margin", []Rule{RuleCompleteness}, 20,
			claim(1, "张三", 0, 60), claim(2, "李四", 0, 80), RuleCompleteness, 1},
		{"completeness: b higher below the margin", []Rule{RuleCompleteness}, 20,
			claim(1, "张三", 0, 61), claim(2, "李四", 0, 80), "", Undecided},
		{"completeness: equal", []Rule{RuleCompleteness}, 20,
			claim(1, "张三", 0, 70), claim(2, "李四", 0, 70), "", Undecided},
		{"completeness: margin 0, one point", []Rule{RuleCompleteness}, 0,
			claim(1, "张三", 0, 70), claim(2, "李四", 0, 71), RuleCompleteness, 1},
		{"completeness: margin 0, equal", []Rule{RuleCompleteness}, 0,
			claim(1, "张三", 0, 70), claim(2, "李四", 0, 70), "", Undecided},
		{"completeness: margin 100", []Rule{RuleCompleteness}, 100,
			claim(1, "张三", 0, 100), claim(2, "李四", 0, 0), RuleCompleteness, 0},

		// nothing decides
		{"all tie", defaultRules, 20, claim(1, "张三", 0, 70), claim(2, "李四", 0, 60), "", Undecided},
		{"no rules", nil, 20, zhang, li, "", Undecided},
		{"unknown rule skipped", []Rule{"luck", RuleTime}, 20, zhang, li, RuleTime, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.rules, tt.margin, cst, tt.a, tt.b)
			if d.Rule != tt.wantRule || d.Winner != tt.wantWinner {
				t.Errorf("Decide() = rule %q winner %d, want rule %q winner %d (%s)",
					d.Rule, d.Winner, tt.wantRule, tt.wantWinner, d.Reason.Zh)
			}
			if d.Reason.Zh == "" || d.Reason.En == "" {
				t.Errorf("Decide() reason %+v lacks a language", d.Reason)
			}
			// Swapping the claims swaps the winner and keeps the rule.
			swapped := Decide(tt.rules, tt.margin, cst, tt.b, tt.a)
			wantSwapped := tt.wantWinner
			if wantSwapped != Undecided {
				wantSwapped = 1 - wantSwapped
			}
			if swapped.Rule != tt.wantRule || swapped.Winner != wantSwapped {
				t.Errorf("Decide(b, a) = rule %q winner %d, want rule %q winner %d",
					swapped.Rule, swapped.Winner, tt.wantRule, wantSwapped)
			}
		})
	}
}

func TestDecideRuleOrder(t *testing.T) {
	// a: a signed deal and a fuller registration; b: registered earlier.
	// Each rule picks its own winner, so the first rule in the order decides.
	a := withDeal(claim(1, "张三", 0, 90))
	b := claim(2, "李四", -time.Hour, 50)
	// c: no history, so the history rule passes and the next one decides.
	c := claim(1, "张三", 0, 90)
	tests := []struct {
		name       string
		rules      []Rule
		wantRule   Rule
		wantWinner int
		// without history on either side
		wantRuleNoHistory   Rule
		wantWinnerNoHistory int
	}{
		{"history, time, completeness", []Rule{RuleHistory, RuleTime, RuleCompleteness}, RuleHistory, 0, RuleTime, 1},
		{"history, completeness, time", []Rule{RuleHistory, RuleCompleteness, RuleTime}, RuleHistory, 0, RuleCompleteness, 0},
		{"time, history, completeness", []Rule{RuleTime, RuleHistory, RuleCompleteness}, RuleTime, 1, RuleTime, 1},
		{"time, completeness, history", []Rule{RuleTime, RuleCompleteness, RuleHistory}, RuleTime, 1, RuleTime, 1},
		{"completeness, history, time", []Rule{RuleCompleteness, RuleHistory, RuleTime}, RuleCompleteness, 0, RuleCompleteness, 0},
		{"completeness, time, history", []Rule{RuleCompleteness, RuleTime, RuleHistory}, RuleCompleteness, 0, RuleCompleteness, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := Decide(tt.rules, 20, cst, a, b); d.Rule != tt.wantRule || d.Winner != tt.wantWinner {
				t.Errorf("with history: rule %q winner %d, want %q %d", d.Rule, d.Winner, tt.wantRule, tt.wantWinner)
			}
			if d := Decide(tt.rules, 20, cst, c, b); d.Rule != tt.wantRuleNoHistory || d.Winner != tt.wantWinnerNoHistory {
				t.Errorf("without history: rule %q winner %d, want %q %d",
					d.Rule, d.Winner, tt.wantRuleNoHistory, tt.wantWinnerNoHistory)
			}
		})
	}
}

func TestDecideReason(t *testing.T) {
	zhang := claim(1, "张三", 0, 85)
	li := claim(2, "李四", 30*time.Minute, 60)
	tests := []struct {
		name  string
		rules []Rule
		a, b  Claim
		loc   *time.Location
		want  i18n.Text
	}{
		{"time", []Rule{RuleTime}, zhang, li, cst, i18n.Text{
			Zh: "先报备者优先: 张三 于 2026-11-02 10:31 报备, 早于 李四 于 2026-11-02 11:01 报备",
			En: "Time first: 张三 registered at 2026-11-02 10:31, before 李四 at 2026-11-02 11:01",
		}},
		{"time, winner second", []Rule{RuleTime}, li, zhang, cst, i18n.Text{
			Zh: "先报备者优先: 张三 于 2026-11-02 10:31 报备, 早于 李四 于 2026-11-02 11:01 报备",
			En: "Time first: 张三 registered at 2026-11-02 10:31, before 李四 at 2026-11-02 11:01",
		}},
		{"time in the same minute shows seconds", []Rule{RuleTime}, zhang, claim(2, "李四", 20*time.Second, 60), cst, i18n.Text{
			Zh: "先报备者优先: 张三 于 2026-11-02 10:31:00 报备, 早于 李四 于 2026-11-02 10:31:20 报备",
			En: "Time first: 张三 registered at 2026-11-02 10:31:00, before 李四 at 2026-11-02 10:31:20",
		}},
		{"nil zone is UTC", []Rule{RuleTime}, zhang, li, nil, i18n.Text{
			Zh: "先报备者优先: 张三 于 2026-11-02 02:31 报备, 早于 李四 于 2026-11-02 03:01 报备",
			En: "Time first: 张三 registered at 2026-11-02 02:31, before 李四 at 2026-11-02 03:01",
		}},
		{"unknown owner", []Rule{RuleTime}, Claim{RegistrationID: 7, EffectiveAt: t0}, li, cst, i18n.Text{
			Zh: "先报备者优先: #7 于 2026-11-02 10:31 报备, 早于 李四 于 2026-11-02 11:01 报备",
			En: "Time first: #7 registered at 2026-11-02 10:31, before 李四 at 2026-11-02 11:01",
		}},
		{"completeness", []Rule{RuleCompleteness}, zhang, li, cst, i18n.Text{
			Zh: "信息完整度优先: 张三 的报备完整度 85, 高于 李四 的 60 (差距不小于 20)",
			En: "Completeness first: 张三's registration is 85% complete, 李四's 60% (a difference of at least 20)",
		}},
		{"history deal", []Rule{RuleHistory}, zhang, withDeal(li), cst, i18n.Text{
			Zh: "历史合作优先: 李四 在系统中有该客户的签约记录, 张三 没有",
			En: "History first: 李四 has a signed deal with this customer in the system, 张三 has none",
		}},
		{"history evidence", []Rule{RuleHistory}, withEvidence(zhang), li, cst, i18n.Text{
			Zh: "历史合作优先: 张三 声称与该客户有历史合作 (李四 没有), 但系统中没有签约记录, 须由经理审核证据, 提交仲裁",
			En: "History first: 张三 claims prior cooperation with this customer (李四 does not), but no signed deal is in the system; a manager must judge the evidence, sent to arbitration",
		}},
		{"history evidence on both sides", []Rule{RuleHistory}, withEvidence(zhang), withEvidence(li), cst, i18n.Text{
			Zh: "历史合作优先: 张三 和 李四 都声称与该客户有历史合作, 但系统中没有签约记录, 须由经理审核证据, 提交仲裁",
			En: "History first: 张三 and 李四 both claim prior cooperation with this customer, but no signed deal is in the system; a manager must judge the evidence, sent to arbitration",
		}},
		{"undecided", nil, zhang, li, cst, i18n.Text{
			Zh: "规则无法裁决, 提交仲裁",
			En: "The rules cannot decide; sent to arbitration",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Decide(tt.rules, 20, tt.loc, tt.a, tt.b).Reason; got != tt.want {
				t.Errorf("reason\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestLoserReason(t *testing.T) {
	held := t0
	until := t0.Add(30 * 24 * time.Hour)
	tests := []struct {
		name  string
		rule  Rule
		until time.Time
		loc   *time.Location
		want  i18n.Text
	}{
		{"time", RuleTime, until, cst, i18n.Text{
			Zh: "该客户已于 2026-11-02 10:31 被报备, 保护期至 2026-12-02 (先报备者优先)",
			En: "This customer was registered on 2026-11-02 10:31 and is protected until 2026-12-02 (time first)",
		}},
		{"history", RuleHistory, until, cst, i18n.Text{
			Zh: "该客户已于 2026-11-02 10:31 被报备, 保护期至 2026-12-02 (历史合作优先)",
			En: "This customer was registered on 2026-11-02 10:31 and is protected until 2026-12-02 (history first)",
		}},
		{"completeness", RuleCompleteness, until, cst, i18n.Text{
			Zh: "该客户已于 2026-11-02 10:31 被报备, 保护期至 2026-12-02 (信息完整度优先)",
			En: "This customer was registered on 2026-11-02 10:31 and is protected until 2026-12-02 (completeness first)",
		}},
		{"permanent protection", RuleTime, time.Time{}, cst, i18n.Text{
			Zh: "该客户已于 2026-11-02 10:31 被报备, 永久保护 (先报备者优先)",
			En: "This customer was registered on 2026-11-02 10:31 and is protected permanently (time first)",
		}},
		{"no rule", "", until, cst, i18n.Text{
			Zh: "该客户已于 2026-11-02 10:31 被报备, 保护期至 2026-12-02",
			En: "This customer was registered on 2026-11-02 10:31 and is protected until 2026-12-02",
		}},
		{"date in the tenant's zone", RuleTime, time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC), cst, i18n.Text{
			Zh: "该客户已于 2026-11-02 10:31 被报备, 保护期至 2026-12-02 (先报备者优先)",
			En: "This customer was registered on 2026-11-02 10:31 and is protected until 2026-12-02 (time first)",
		}},
		{"nil zone is UTC", RuleTime, until, nil, i18n.Text{
			Zh: "该客户已于 2026-11-02 02:31 被报备, 保护期至 2026-12-02 (先报备者优先)",
			En: "This customer was registered on 2026-11-02 02:31 and is protected until 2026-12-02 (time first)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LoserReason(tt.rule, held, tt.until, tt.loc); got != tt.want {
				t.Errorf("LoserReason()\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseRules(t *testing.T) {
	tests := []struct {
		name   string
		in     []string
		want   []Rule
		wantOK bool
	}{
		{"default", []string{"history", "time", "completeness"}, defaultRules, true},
		{"reversed", []string{"completeness", "time", "history"},
			[]Rule{RuleCompleteness, RuleTime, RuleHistory}, true},
		{"time first", []string{"time", "history", "completeness"},
			[]Rule{RuleTime, RuleHistory, RuleCompleteness}, true},
		{"two", []string{"time", "completeness"}, []Rule{RuleTime, RuleCompleteness}, true},
		{"one", []string{"history"}, []Rule{RuleHistory}, true},
		{"none", []string{}, nil, false},
		{"nil", nil, nil, false},
		{"repeated", []string{"time", "time"}, nil, false},
		{"repeated among others", []string{"time", "history", "time"}, nil, false},
		{"four", []string{"history", "time", "completeness", "time"}, nil, false},
		{"unknown", []string{"time", "seniority"}, nil, false},
		{"wrong case", []string{"Time"}, nil, false},
		{"empty string", []string{""}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseRules(tt.in)
			if ok != tt.wantOK || !slices.Equal(got, tt.want) {
				t.Errorf("ParseRules(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestRuleLabel(t *testing.T) {
	tests := []struct {
		rule Rule
		want string
	}{
		{RuleHistory, "历史合作优先"},
		{RuleTime, "先报备者优先"},
		{RuleCompleteness, "信息完整度优先"},
		{"", ""},
		{"luck", ""},
	}
	for _, tt := range tests {
		t.Run("rule="+string(tt.rule), func(t *testing.T) {
			got := tt.rule.Label()
			if got.Zh != tt.want || (got.En == "") != (tt.want == "") {
				t.Errorf("Label() = %+v, want %q", got, tt.want)
			}
			if strings.Contains(got.En, "优先") {
				t.Errorf("English label %q is Chinese", got.En)
			}
		})
	}
}
