package domain

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // time zones load even where the system has no zoneinfo

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// Policy is a tenant's settings: every tunable rule of domain.md, stored as
// JSON in the policies table. The JSON names are those of the API
// ("Policy keys and defaults" in api.md). Changes apply to future
// activations and renewals.
type Policy struct {
	TimeZone                 string              `json:"time_zone"`
	ProtectionDays           int                 `json:"protection_days"`
	ActiveWindowDays         int                 `json:"active_window_days"`
	RenewWindowDays          int                 `json:"renew_window_days"`
	MaxRenewals              int                 `json:"max_renewals"`
	ExpiryNoticeDays         int                 `json:"expiry_notice_days"`
	MinCompleteness          int                 `json:"min_completeness"`
	CompletenessWeights      CompletenessWeights `json:"completeness_weights"`
	CompletenessMargin       int                 `json:"completeness_margin"`
	ConflictRules            []Rule              `json:"conflict_rules"`
	SimilarityThreshold      float64             `json:"similarity_threshold"`
	CommonKeyLimit           int                 `json:"common_key_limit"`
	ReportDeadlineHours      int                 `json:"report_deadline_hours"`
	RejectLate               bool                `json:"reject_late"`
	ReviewRequired           bool                `json:"review_required"`
	RequireVisit             bool                `json:"require_visit"`
	VisitWindowDays          int                 `json:"visit_window_days"`
	ConsentTimeoutHours      int                 `json:"consent_timeout_hours"`
	FollowUpDays             map[string]int      `json:"follow_up_days"`
	FollowUpGraceDays        *int                `json:"follow_up_grace_days"`
	MaxLivePerUser           *int                `json:"max_live_per_user"`
	MaxPoolClaimsPerDay      *int                `json:"max_pool_claims_per_day"`
	ReclaimCooldownDays      int                 `json:"reclaim_cooldown_days"`
	CrossRegionApproval      bool                `json:"cross_region_approval"`
	ShowOwnerTeam            bool                `json:"show_owner_team"`
	ClaimWindowDays          int                 `json:"claim_window_days"`
	AppealDays               int                 `json:"appeal_days"`
	RegistrationBurstPerHour int                 `json:"registration_burst_per_hour"`
	DisputeBurstPerHour      int                 `json:"dispute_burst_per_hour"`
	GradeThresholds          GradeThresholds     `json:"grade_thresholds"`
	CreditDepartedRelatives  bool                `json:"credit_departed_relatives"`
	// DayCount says, per day-based window (DayWindows), whether it counts
	// calendar or working days; a window not named counts calendar days.
	DayCount map[string]DayCount `json:"day_count"`
	// RetentionMonths: the contacts of a customer nobody has claimed for
	// this many months are anonymised by the sweeper; 0 is off.
	RetentionMonths int `json:"retention_months"`

	// calendar is the tenant's holiday calendar, loaded with the policy
	// for counting working days.
	calendar Calendar
}

// DayWindows are the policy settings that count days, each of which may
// count calendar or working days (day_count).
var DayWindows = []string{"protection_days", "active_window_days", "renew_window_days", "expiry_notice_days",
	"visit_window_days", "follow_up_days", "follow_up_grace_days", "reclaim_cooldown_days", "claim_window_days", "appeal_days"}

// addDays is the end of the window of n days of the setting window that
// starts at start, counted as the policy says (see addDays; a negative n
// walks backwards).
func (p Policy) addDays(window string, start time.Time, n int) time.Time {
	return addDays(start, n, p.DayCount[window], p.calendar, p.Location())
}

// GradeThresholds are the trailing 12-month deal amounts (yuan) from which
// a customer is graded VIP or key (客户分级); Key must be below VIP.
type GradeThresholds struct {
	VIP int64 `json:"vip"`
	Key int64 `json:"key"`
}

// defaultTimeZone is the zone of a new tenant and the fallback of Location.
const defaultTimeZone = "Asia/Shanghai"

// followUpGrades are the intention grades that follow_up_days must cover.
var followUpGrades = []string{"H", "A", "B", "C"}

// DefaultPolicy returns the settings of a new tenant, as listed in api.md.
// Every call returns fresh maps and slices.
func DefaultPolicy() Policy {
	return Policy{
		TimeZone:                 defaultTimeZone,
		ProtectionDays:           30,
		ActiveWindowDays:         15,
		RenewWindowDays:          7,
		MaxRenewals:              2,
		ExpiryNoticeDays:         3,
		MinCompleteness:          60,
		CompletenessWeights:      DefaultCompletenessWeights(),
		CompletenessMargin:       20,
		ConflictRules:            slices.Clone(allRules),
		SimilarityThreshold:      0.6,
		CommonKeyLimit:           20,
		ReportDeadlineHours:      24,
		VisitWindowDays:          7,
		ConsentTimeoutHours:      48,
		FollowUpDays:             map[string]int{"H": 1, "A": 3, "B": 7, "C": 15},
		ReclaimCooldownDays:      7,
		ClaimWindowDays:          3,
		AppealDays:               3,
		RegistrationBurstPerHour: 60,
		DisputeBurstPerHour:      10,
		GradeThresholds:          GradeThresholds{VIP: 500000, Key: 100000},
		DayCount:                 map[string]DayCount{},
	}
}

// clone returns a deep copy of p, so that decoding into the copy never
// writes through to p's maps, slices or pointers.
func (p Policy) clone() Policy {
	q := p
	if p.CompletenessWeights != nil {
		q.CompletenessWeights = make(CompletenessWeights, len(p.CompletenessWeights))
		for k, v := range p.CompletenessWeights {
			q.CompletenessWeights[k] = v
		}
	}
	q.ConflictRules = slices.Clone(p.ConflictRules)
	if p.FollowUpDays != nil {
		q.FollowUpDays = make(map[string]int, len(p.FollowUpDays))
		for k, v := range p.FollowUpDays {
			q.FollowUpDays[k] = v
		}
	}
	q.DayCount = maps.Clone(p.DayCount)
	q.FollowUpGraceDays = cloneInt(p.FollowUpGraceDays)
	q.MaxLivePerUser = cloneInt(p.MaxLivePerUser)
	q.MaxPoolClaimsPerDay = cloneInt(p.MaxPoolClaimsPerDay)
	return q
}

func cloneInt(v *int) *int {
	if v == nil {
		return nil
	}
	c := *v
	return &c
}

// PolicySetting describes one policy key for the admin settings form: how
// its value is entered (Kind), what it is called and does, and its range.
type PolicySetting struct {
	Key string
	// Kind is one of "int", "nullint" (empty = off/unlimited), "bool",
	// "float", "tz", "rules", "weights", "followup", "thresholds",
	// "daycount".
	Kind string
	// Group names the fieldset the setting is shown in; consecutive
	// settings of PolicySettings share a group.
	Group       i18n.Text
	Label, Help i18n.Text
	// Min and Max bound a number, or each entry of weights, followup and
	// thresholds; they are zero for kinds without a range.
	Min, Max float64
}

var (
	groupGeneral    = i18n.Text{Zh: "基本设置", En: "General"}
	groupProtection = i18n.Text{Zh: "保护期与续报", En: "Protection and renewal"}
	groupQuality    = i18n.Text{Zh: "报备要求", En: "Registration requirements"}
	groupConflict   = i18n.Text{Zh: "查重与撞单", En: "Duplicates and conflicts"}
	groupVisit      = i18n.Text{Zh: "到访登记", En: "Walk-in visits"}
	groupFollowUp   = i18n.Text{Zh: "跟进", En: "Follow-ups"}
	groupPool       = i18n.Text{Zh: "公海与保有量", En: "Public pool and caps"}
	groupDeal       = i18n.Text{Zh: "成交与申诉", En: "Deals and disputes"}
	groupPrivacy    = i18n.Text{Zh: "个人信息", En: "Personal information"}
)

// PolicySettings lists every policy key once, grouped in the order the
// admin settings form shows them. Validate checks the ranges given here.
var PolicySettings = []PolicySetting{
	{Key: "time_zone", Kind: "tz", Group: groupGeneral,
		Label: i18n.Text{Zh: "时区", En: "Time zone"},
		Help:  i18n.Text{Zh: "日期和到期时间按此时区计算与显示, 例如 Asia/Shanghai。", En: "Dates and expiry times are computed and shown in this time zone, e.g. Asia/Shanghai."}},
	{Key: "day_count", Kind: "daycount", Group: groupGeneral,
		Label: i18n.Text{Zh: "天数计算方式", En: "How days are counted"},
		Help:  i18n.Text{Zh: "各期限按自然日或工作日计算; 工作日跳过周末和节假日, 调休上班日照常计算 (节假日在「工作日历」中设置)。", En: "Each window counts calendar days or working days; working days skip weekends and holidays and count make-up working days (holidays are set on the working-day calendar page)."}},

	{Key: "protection_days", Kind: "int", Group: groupProtection, Min: 0, Max: 3650,
		Label: i18n.Text{Zh: "保护期 (天)", En: "Protection period (days)"},
		Help:  i18n.Text{Zh: "报备生效后受保护的天数, 期间他人不能报备同一客户; 0 表示永久保护, 直至销售离职或放弃。", En: "Days a registration is protected once active; nobody else may register the customer meanwhile. 0 means permanent until the owner leaves or releases it."}},
	{Key: "active_window_days", Kind: "int", Group: groupProtection, Min: 1, Max: 365,
		Label: i18n.Text{Zh: "维护中判定 (天)", En: "Active maintenance window (days)"},
		Help:  i18n.Text{Zh: "最近一次跟进在此天数内即为「维护中」, 他人联系该客户须征得原销售同意, 续报也可自动通过。", En: "A registration followed up within this many days counts as maintained: others need the owner's consent to contact the customer, and renewals can be approved automatically."}},
	{Key: "renew_window_days", Kind: "int", Group: groupProtection, Min: 1, Max: 365,
		Label: i18n.Text{Zh: "续报窗口 (天)", En: "Renewal window (days)"},
		Help:  i18n.Text{Zh: "保护期到期前多少天内, 报备人可以申请续报。", En: "How many days before the protection ends the owner may renew."}},
	{Key: "max_renewals", Kind: "int", Group: groupProtection, Min: 0, Max: 100,
		Label: i18n.Text{Zh: "自动续报次数", En: "Automatic renewals"},
		Help:  i18n.Text{Zh: "维护中的报备可自动续报的次数, 超过后续报须经理审批。", En: "How many renewals of a maintained registration are approved automatically; beyond that a manager approves."}},
	{Key: "expiry_notice_days", Kind: "int", Group: groupProtection, Min: 0, Max: 60,
		Label: i18n.Text{Zh: "到期提醒 (天)", En: "Expiry notice (days)"},
		Help:  i18n.Text{Zh: "保护期到期前多少天提醒报备人; 0 表示不提前提醒。", En: "How many days before the protection ends the owner is reminded; 0 means no advance reminder."}},

	{Key: "min_completeness", Kind: "int", Group: groupQuality, Min: 0, Max: 100,
		Label: i18n.Text{Zh: "最低信息完整度", En: "Minimum completeness"},
		Help:  i18n.Text{Zh: "信息完整度低于此分数的报备视为无效报备, 直接驳回并列出缺少的信息。", En: "Registrations scoring below this completeness are rejected as invalid, listing the missing fields."}},
	{Key: "completeness_weights", Kind: "weights", Group: groupQuality, Min: 0, Max: 100,
		Label: i18n.Text{Zh: "完整度权重", En: "Completeness weights"},
		Help:  i18n.Text{Zh: "每项信息填写后计入信息完整度的分值。", En: "The points each filled-in field adds to the completeness score."}},
	{Key: "report_deadline_hours", Kind: "int", Group: groupQuality, Min: 1, Max: 720,
		Label: i18n.Text{Zh: "报备时限 (小时)", En: "Reporting deadline (hours)"},
		Help:  i18n.Text{Zh: "首次接触客户后须在此时限内报备, 超时的报备记为逾期报备。", En: "A registration filed later than this after first contact is marked late."}},
	{Key: "reject_late", Kind: "bool", Group: groupQuality,
		Label: i18n.Text{Zh: "驳回逾期报备", En: "Reject late registrations"},
		Help:  i18n.Text{Zh: "开启后逾期报备直接驳回; 关闭时只做标记。", En: "When on, late registrations are rejected; when off, they are only marked."}},
	{Key: "review_required", Kind: "bool", Group: groupQuality,
		Label: i18n.Text{Zh: "报备须审核", En: "Review required"},
		Help:  i18n.Text{Zh: "开启后新报备须经理审核通过才生效。", En: "When on, a new registration takes effect only after a manager approves it."}},
	{Key: "cross_region_approval", Kind: "bool", Group: groupQuality,
		Label: i18n.Text{Zh: "跨区域报备须审批", En: "Cross-region approval"},
		Help:  i18n.Text{Zh: "开启后报备其他区域的客户须经理审批。", En: "When on, registering a customer of another region needs a manager's approval."}},
	{Key: "registration_burst_per_hour", Kind: "int", Group: groupQuality, Min: 1, Max: 100000,
		Label: i18n.Text{Zh: "每小时报备上限", En: "Registrations per hour"},
		Help:  i18n.Text{Zh: "每人每小时最多提交的报备数, 用于遏制恶意抢报。", En: "The most registrations one user may file in an hour, to curb bulk claiming."}},

	{Key: "conflict_rules", Kind: "rules", Group: groupConflict,
		Label: i18n.Text{Zh: "撞单判定顺序", En: "Conflict rule order"},
		Help:  i18n.Text{Zh: "发生撞单时按此顺序逐条判定 (历史合作优先、先报备者优先、信息完整度优先), 第一条能分出先后的规则决定归属, 都不能则转仲裁。", En: "Conflicting claims are ranked by these rules in order (history, time, completeness); the first rule that decides wins, otherwise the case goes to arbitration."}},
	{Key: "completeness_margin", Kind: "int", Group: groupConflict, Min: 0, Max: 100,
		Label: i18n.Text{Zh: "完整度领先分差", En: "Completeness margin"},
		Help:  i18n.Text{Zh: "按信息完整度判定撞单时, 须高出此分数才算胜出, 否则视为不能判定。", En: "When conflicts are decided by completeness, a claim must score this much higher to win; otherwise the rule does not decide."}},
	{Key: "similarity_threshold", Kind: "float", Group: groupConflict, Min: 0.1, Max: 1,
		Label: i18n.Text{Zh: "名称相似度阈值", En: "Name similarity threshold"},
		Help:  i18n.Text{Zh: "客户名称相似度达到此值 (0.1–1) 时, 查重提示疑似同一客户; 仅作提醒, 不拦截报备。", En: "Customer names at least this similar (0.1–1) are shown as possible duplicates; a warning only, never a block."}},
	{Key: "common_key_limit", Kind: "int", Group: groupConflict, Min: 2, Max: 10000,
		Label: i18n.Text{Zh: "常见信息上限", En: "Common-key limit"},
		Help:  i18n.Text{Zh: "同一电话或名称命中的客户超过此数量时 (如总机号码), 只作提示, 不再作为撞单依据。", En: "A phone or name shared by more customers than this (a switchboard, say) is reported but no longer counts as a conflict."}},
	{Key: "show_owner_team", Kind: "bool", Group: groupConflict,
		Label: i18n.Text{Zh: "告知持有团队", En: "Show holder's team"},
		Help:  i18n.Text{Zh: "开启后告诉被拒的报备人客户由哪个团队持有; 从不透露具体销售。", En: "When on, a rejected registrant is told which team holds the customer; never the person."}},

	{Key: "require_visit", Kind: "bool", Group: groupVisit,
		Label: i18n.Text{Zh: "以到访为准", En: "Visit required"},
		Help:  i18n.Text{Zh: "开启后报备须客户到公司登记才生效, 多人报备同一客户时以最早到访者为准。", En: "When on, a registration takes effect only once the customer visits the office; among competing claims the earliest visit wins."}},
	{Key: "visit_window_days", Kind: "int", Group: groupVisit, Min: 1, Max: 90,
		Label: i18n.Text{Zh: "到访期限 (天)", En: "Visit window (days)"},
		Help:  i18n.Text{Zh: "要求到访时, 报备后须在此天数内到访, 否则报备失效。", En: "When a visit is required, a registration lapses unless the customer visits within this many days."}},

	{Key: "follow_up_days", Kind: "followup", Group: groupFollowUp, Min: 1, Max: 365,
		Label: i18n.Text{Zh: "跟进频率 (天)", En: "Follow-up interval (days)"},
		Help:  i18n.Text{Zh: "各意向等级 (H/A/B/C) 两次跟进之间的最长天数, 超过即标记为跟进逾期。", En: "The longest gap between follow-ups for each intention grade (H/A/B/C); a longer gap marks the registration overdue."}},
	{Key: "follow_up_grace_days", Kind: "nullint", Group: groupFollowUp, Min: 0, Max: 365,
		Label: i18n.Text{Zh: "跟进逾期宽限 (天)", En: "Follow-up grace (days)"},
		Help:  i18n.Text{Zh: "跟进逾期超过此天数的报备提前失效, 客户回到公海; 留空表示不启用。", En: "A registration overdue for follow-up by more than this expires early and the customer returns to the public pool; empty means off."}},
	{Key: "consent_timeout_hours", Kind: "int", Group: groupFollowUp, Min: 1, Max: 720,
		Label: i18n.Text{Zh: "征询答复时限 (小时)", En: "Consent timeout (hours)"},
		Help:  i18n.Text{Zh: "他人请求联系维护中的客户时, 原销售在此时限内未答复, 转由其经理处理。", En: "When someone asks to contact a maintained customer and the owner does not answer within this time, the owner's manager decides."}},

	{Key: "max_live_per_user", Kind: "nullint", Group: groupPool, Min: 1, Max: 100000,
		Label: i18n.Text{Zh: "保有量上限", En: "Live registrations per user"},
		Help:  i18n.Text{Zh: "每位销售同时持有的有效报备数上限; 留空表示不限。", En: "The most live registrations one salesperson may hold; empty means unlimited."}},
	{Key: "max_pool_claims_per_day", Kind: "nullint", Group: groupPool, Min: 1, Max: 10000,
		Label: i18n.Text{Zh: "每日公海领取上限", En: "Public pool claims per day"},
		Help:  i18n.Text{Zh: "每位销售每天最多从公海领取的客户数; 留空表示不限。", En: "The most customers one salesperson may claim from the public pool a day; empty means unlimited."}},
	{Key: "reclaim_cooldown_days", Kind: "int", Group: groupPool, Min: 0, Max: 365,
		Label: i18n.Text{Zh: "重新报备冷却期 (天)", En: "Reclaim cooldown (days)"},
		Help:  i18n.Text{Zh: "客户到期回到公海后, 原销售须等待此天数才能再次报备该客户。", En: "After a customer expires to the public pool, its previous owner must wait this many days to claim it again."}},

	{Key: "claim_window_days", Kind: "int", Group: groupDeal, Min: 0, Max: 60,
		Label: i18n.Text{Zh: "成交认领期 (天)", En: "Deal claim window (days)"},
		Help:  i18n.Text{Zh: "无人报备的成交在此天数内可由销售举证认领, 逾期归当周值班团队。", En: "An unattributed deal may be claimed with evidence within this many days; after that it goes to the duty team of the week."}},
	{Key: "appeal_days", Kind: "int", Group: groupDeal, Min: 1, Max: 60,
		Label: i18n.Text{Zh: "申诉期限 (天)", En: "Appeal period (days)"},
		Help:  i18n.Text{Zh: "判定结果作出后, 落败方可在此天数内申诉一次。", En: "The losing party may appeal a decision once within this many days."}},
	{Key: "dispute_burst_per_hour", Kind: "int", Group: groupDeal, Min: 1, Max: 1000,
		Label: i18n.Text{Zh: "每小时申诉上限", En: "Disputes per hour"},
		Help:  i18n.Text{Zh: "每人每小时最多提交的申诉数, 超过即拒绝并列入恶意抢报观察。", En: "The most disputes one user may open in an hour; more are refused and shown on the bulk-claiming watch list."}},
	{Key: "grade_thresholds", Kind: "thresholds", Group: groupDeal, Min: 0, Max: 1e12,
		Label: i18n.Text{Zh: "客户分级门槛 (元)", En: "Customer grade thresholds (yuan)"},
		Help:  i18n.Text{Zh: "近 12 个月成交额达到 VIP 门槛为 VIP 客户, 达到重点门槛为重点客户; 重点门槛须低于 VIP 门槛。", En: "Customers with trailing 12-month deals of at least the VIP threshold are VIP, of at least the key threshold key customers; key must be below VIP."}},
	{Key: "credit_departed_relatives", Kind: "bool", Group: groupDeal,
		Label: i18n.Text{Zh: "离职销售客户亲属成交归原团队", En: "Credit departed salespeople's customers' relatives"},
		Help:  i18n.Text{Zh: "开启后, 离职销售的客户的直系亲属等周边人员成交, 仍归原团队; 关闭时按无人报备处理。", En: "When on, a deal with a relative of a departed salesperson's customer is still credited to the old team; when off, it is treated as unregistered."}},

	{Key: "retention_months", Kind: "int", Group: groupPrivacy, Min: 0, Max: 600,
		Label: i18n.Text{Zh: "联系人保留期限 (月)", En: "Contact retention (months)"},
		Help:  i18n.Text{Zh: "客户连续这么多个月没有有效报备 (也没有成交) 后, 自动匿名化其联系人 (姓名、电话); 0 表示不启用。", En: "Contacts (names, phones) of a customer with no live claim and no deal for this many months are anonymised automatically; 0 means off."}},
}

// policySetting returns the setting named key.
func policySetting(key string) (PolicySetting, bool) {
	for _, s := range PolicySettings {
		if s.Key == key {
			return s, true
		}
	}
	return PolicySetting{}, false
}

// Validate checks every setting against its range in PolicySettings, and
// that the time zone loads, the conflict rules name each rule once,
// follow_up_days covers exactly H, A, B and C, every completeness weight
// names a known field and the key threshold is below the VIP one. It
// returns one message per offending key, or nil when p is valid.
func (p Policy) Validate() map[string]i18n.Text {
	vals := p.jsonValues()
	errs := map[string]i18n.Text{}
	for _, s := range PolicySettings {
		if msg, bad := s.check(p, vals[s.Key]); bad {
			errs[s.Key] = msg
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// jsonValues returns p's JSON encoding, one raw value per key. A
// similarity threshold that JSON cannot carry (NaN, ±Inf) is encoded as -1,
// which is out of range.
func (p Policy) jsonValues() map[string]json.RawMessage {
	if math.IsNaN(p.SimilarityThreshold) || math.IsInf(p.SimilarityThreshold, 0) {
		p.SimilarityThreshold = -1
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic(fmt.Sprintf("policy: encode: %v", err)) // only finite numbers, strings and maps remain
	}
	var vals map[string]json.RawMessage
	if err := json.Unmarshal(b, &vals); err != nil {
		panic(fmt.Sprintf("policy: decode own encoding: %v", err))
	}
	return vals
}

// check validates one setting of p; raw is its JSON encoding.
func (s PolicySetting) check(p Policy, raw json.RawMessage) (i18n.Text, bool) {
	switch s.Kind {
	case "int", "float", "nullint":
		if s.Kind == "nullint" && string(raw) == "null" {
			return i18n.Text{}, false
		}
		var v float64
		if err := json.Unmarshal(raw, &v); err != nil || v < s.Min || v > s.Max {
			if s.Kind == "nullint" {
				return i18n.Text{
					Zh: fmt.Sprintf("须留空或在 %s – %s 之间", num(s.Min), num(s.Max)),
					En: fmt.Sprintf("must be empty or between %s and %s", num(s.Min), num(s.Max)),
				}, true
			}
			return rangeMsg(s), true
		}
	case "tz":
		if _, err := loadZone(p.TimeZone); err != nil {
			return i18n.Text{Zh: "不是有效的时区名称 (例如 Asia/Shanghai)", En: "is not a known time zone (e.g. Asia/Shanghai)"}, true
		}
	case "rules":
		names := make([]string, len(p.ConflictRules))
		for i, r := range p.ConflictRules {
			names[i] = string(r)
		}
		// ParseRules accepts any subset; the policy must rank all three.
		if _, ok := ParseRules(names); !ok || len(names) != len(allRules) {
			var zh, en []string
			for _, r := range allRules {
				zh = append(zh, fmt.Sprintf("%s (%s)", r, r.Label().Zh))
				en = append(en, string(r))
			}
			return i18n.Text{
				Zh: "须把 " + strings.Join(zh, "、") + " 各列一次, 顺序不限",
				En: "must list " + strings.Join(en, ", ") + " once each, in any order",
			}, true
		}
	case "weights":
		known := DefaultCompletenessWeights()
		for _, name := range slices.Sorted(maps.Keys(p.CompletenessWeights)) {
			if _, ok := known[name]; !ok {
				return i18n.Text{Zh: "未知的字段: " + name, En: "unknown field: " + name}, true
			}
			if v := float64(p.CompletenessWeights[name]); v < s.Min || v > s.Max {
				return prefixed(name, rangeMsg(s)), true
			}
		}
	case "followup":
		if len(p.FollowUpDays) != len(followUpGrades) {
			return followUpMsg, true
		}
		for _, g := range followUpGrades {
			v, ok := p.FollowUpDays[g]
			if !ok {
				return followUpMsg, true
			}
			if float64(v) < s.Min || float64(v) > s.Max {
				return prefixed(g, rangeMsg(s)), true
			}
		}
	case "daycount":
		for _, name := range slices.Sorted(maps.Keys(p.DayCount)) {
			if !slices.Contains(DayWindows, name) {
				return i18n.Text{Zh: "未知的期限: " + name, En: "unknown window: " + name}, true
			}
			if m := p.DayCount[name]; m != CalendarDays && m != WorkingDays {
				return prefixed(name, i18n.Text{Zh: "须为 calendar (自然日) 或 working (工作日)", En: "must be calendar or working"}), true
			}
		}
	case "thresholds":
		t := p.GradeThresholds
		for _, e := range []struct {
			name string
			v    int64
		}{{"vip", t.VIP}, {"key", t.Key}} {
			if float64(e.v) < s.Min || float64(e.v) > s.Max {
				return prefixed(e.name, rangeMsg(s)), true
			}
		}
		if t.Key >= t.VIP {
			return i18n.Text{Zh: "重点客户门槛须低于 VIP 门槛", En: "the key threshold must be below the VIP threshold"}, true
		}
	}
	return i18n.Text{}, false
}

var followUpMsg = i18n.Text{
	Zh: "须为 H、A、B、C 四个等级各填一个天数",
	En: "must give one number of days for each of H, A, B and C",
}

func rangeMsg(s PolicySetting) i18n.Text {
	return i18n.Text{
		Zh: fmt.Sprintf("须在 %s – %s 之间", num(s.Min), num(s.Max)),
		En: fmt.Sprintf("must be between %s and %s", num(s.Min), num(s.Max)),
	}
}

func prefixed(name string, t i18n.Text) i18n.Text {
	return i18n.Text{Zh: name + ": " + t.Zh, En: name + ": " + t.En}
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// zones caches loaded time zones by name.
var zones sync.Map

// loadZone loads an IANA zone by name. Unlike time.LoadLocation it refuses
// "" and "Local", which would silently mean UTC or the server's zone.
func loadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("time zone %q: not an IANA name", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

// Location returns the tenant's time zone, Asia/Shanghai when the stored
// name does not load.
func (p Policy) Location() *time.Location {
	if loc, err := loadZone(p.TimeZone); err == nil {
		return loc
	}
	if loc, err := loadZone(defaultTimeZone); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
}

// Apply returns p with the keys of patch changed, as PUT /api/v1/policy
// does. Keys missing from patch keep their values; objects
// (completeness_weights, follow_up_days, grade_thresholds) are merged
// entry by entry; null clears a nullable setting. An unknown key, a value
// of the wrong JSON type or a result that fails Validate gives field
// errors keyed by the top-level key, and then p is returned unchanged.
// day_count keeps only the windows that count working days.
func (p Policy) Apply(patch map[string]json.RawMessage) (Policy, map[string]i18n.Text) {
	q := p.clone()
	errs := map[string]i18n.Text{}
	for _, key := range slices.Sorted(maps.Keys(patch)) {
		s, ok := policySetting(key)
		if !ok {
			errs[key] = i18n.Text{Zh: "未知的设置项", En: "unknown setting"}
			continue
		}
		if err := decodeSetting(&q, s, patch[key]); err != nil {
			errs[key] = typeMsg(s.Kind)
		}
	}
	if len(errs) > 0 {
		return p, errs
	}
	if errs := q.Validate(); errs != nil {
		return p, errs
	}
	// Calendar days are the default: only windows counting working days
	// are kept, so that a policy reads the same however it got there.
	maps.DeleteFunc(q.DayCount, func(_ string, m DayCount) bool { return m == CalendarDays })
	return q, nil
}

// decodeSetting decodes raw as the value of setting s into q. Null is
// accepted only for nullable settings; objects must not name unknown
// struct fields.
func decodeSetting(q *Policy, s PolicySetting, raw json.RawMessage) error {
	if s.Kind != "nullint" && string(bytes.TrimSpace(raw)) == "null" {
		return errors.New("null")
	}
	obj, err := json.Marshal(map[string]json.RawMessage{s.Key: raw})
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(obj))
	dec.DisallowUnknownFields()
	return dec.Decode(q)
}

// typeMsg is the field error for a value of the wrong JSON type.
func typeMsg(kind string) i18n.Text {
	switch kind {
	case "int":
		return i18n.Text{Zh: "须为整数", En: "must be a whole number"}
	case "nullint":
		return i18n.Text{Zh: "须为整数或留空", En: "must be a whole number or empty"}
	case "float":
		return i18n.Text{Zh: "须为数字", En: "must be a number"}
	case "bool":
		return i18n.Text{Zh: "须为是或否", En: "must be true or false"}
	case "tz":
		return i18n.Text{Zh: "须为时区名称", En: "must be a time zone name"}
	case "rules":
		return i18n.Text{Zh: "须为规则名称列表", En: "must be a list of rule names"}
	default:
		return i18n.Text{Zh: "格式不正确, 每项须为整数", En: "has the wrong format; each entry must be a whole number"}
	}
}

// FormValues renders p as the fields of the admin settings form, the
// inverse of PolicyPatchFromForm: a number or time zone under its key
// ("protection_days"); a nullable number as "" when off; a checkbox as
// "on" under its key when true, plus the marker "present_<key>" always;
// conflict_rules repeated once per rule, in order; and object entries as
// "<key>.<name>" ("follow_up_days.H", "completeness_weights.name",
// "grade_thresholds.vip").
func (p Policy) FormValues() url.Values {
	vals := p.jsonValues()
	form := url.Values{}
	for _, s := range PolicySettings {
		raw := vals[s.Key]
		switch s.Kind {
		case "int", "float":
			form.Set(s.Key, string(raw))
		case "nullint":
			if string(raw) == "null" {
				form.Set(s.Key, "")
			} else {
				form.Set(s.Key, string(raw))
			}
		case "bool":
			form.Set("present_"+s.Key, "1")
			if string(raw) == "true" {
				form.Set(s.Key, "on")
			}
		case "tz":
			form.Set(s.Key, p.TimeZone)
		case "daycount":
			for _, w := range DayWindows {
				form.Set(s.Key+"."+w, string(cmp.Or(p.DayCount[w], CalendarDays)))
			}
		case "rules":
			for _, r := range p.ConflictRules {
				form.Add(s.Key, string(r))
			}
		default: // objects
			var entries map[string]json.RawMessage
			if err := json.Unmarshal(raw, &entries); err != nil {
				panic(fmt.Sprintf("policy: decode own %s: %v", s.Key, err))
			}
			for name, v := range entries {
				form.Set(s.Key+"."+name, string(v))
			}
		}
	}
	return form
}

// PolicyPatchFromForm turns the posted admin settings form (field names as
// FormValues writes them) into a patch for Apply. Only settings with a
// field in the form are patched; a checkbox counts as present through its
// "present_<key>" marker, and is true when its value is "on", "true" or
// "1" and false when absent. Numbers that do not parse are passed on as
// JSON strings, so that Apply reports a type error for that setting;
// conflict_rules may be repeated or comma-separated.
func PolicyPatchFromForm(form url.Values) map[string]json.RawMessage {
	patch := map[string]json.RawMessage{}
	for _, s := range PolicySettings {
		_, has := form[s.Key]
		switch s.Kind {
		case "int", "float":
			if has {
				patch[s.Key] = numberOrString(form.Get(s.Key))
			}
		case "nullint":
			if has {
				if v := strings.TrimSpace(form.Get(s.Key)); v == "" {
					patch[s.Key] = json.RawMessage("null")
				} else {
					patch[s.Key] = numberOrString(v)
				}
			}
		case "bool":
			if _, marked := form["present_"+s.Key]; has || marked {
				switch strings.TrimSpace(form.Get(s.Key)) {
				case "on", "true", "1":
					patch[s.Key] = json.RawMessage("true")
				default:
					patch[s.Key] = json.RawMessage("false")
				}
			}
		case "tz":
			if has {
				patch[s.Key] = jsonString(strings.TrimSpace(form.Get(s.Key)))
			}
		case "rules":
			if has {
				rules := []string{}
				for _, v := range form[s.Key] {
					rules = append(rules, strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == '，' || c == ' ' })...)
				}
				b, _ := json.Marshal(rules) // a []string always encodes
				patch[s.Key] = b
			}
		default: // objects: "<key>.<name>" fields
			entries := map[string]json.RawMessage{}
			for field, v := range form {
				if name, ok := strings.CutPrefix(field, s.Key+"."); ok && name != "" && len(v) > 0 {
					entries[name] = numberOrString(v[0])
				}
			}
			if len(entries) > 0 {
				b, _ := json.Marshal(entries) // raw values are valid JSON
				patch[s.Key] = b
			}
		}
	}
	return patch
}

// numberOrString returns s as a JSON number when it is one, else as a JSON
// string.
func numberOrString(s string) json.RawMessage {
	s = strings.TrimSpace(s)
	if s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') && json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	return jsonString(s)
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a string always encodes
	return b
}

// loadPolicy reads the tenant's policy, with its holiday calendar. Stored
// settings are decoded over DefaultPolicy, so keys added since they were
// saved take their defaults; a tenant without a row has the defaults.
func loadPolicy(ctx context.Context, tx pgx.Tx, tenantID int64) (Policy, error) {
	p := DefaultPolicy()
	var settings []byte
	err := tx.QueryRow(ctx, `SELECT settings FROM policies WHERE tenant_id = $1`, tenantID).Scan(&settings)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return Policy{}, fmt.Errorf("load policy: %w", err)
	default:
		if err := json.Unmarshal(settings, &p); err != nil {
			return Policy{}, fmt.Errorf("load policy: decode: %w", err)
		}
	}
	p.calendar, err = loadCalendar(ctx, tx, tenantID)
	return p, err
}

// Policy returns the actor's company policy. Any role may read it.
func (s *Service) Policy(ctx context.Context, by Actor) (Policy, error) {
	var p Policy
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var err error
		p, err = loadPolicy(ctx, tx, by.TenantID)
		return err
	})
	if err != nil {
		return Policy{}, fmt.Errorf("policy: %w", err)
	}
	return p, nil
}

// UpdatePolicy applies patch to the company policy (see Policy.Apply),
// stores it and records the change in the audit log. Admins only
// (ErrForbidden otherwise); invalid settings give an Invalid error with
// one message per key. It returns the whole new policy.
func (s *Service) UpdatePolicy(ctx context.Context, by Actor, patch map[string]json.RawMessage) (Policy, error) {
	if !by.Is(RoleAdmin) {
		return Policy{}, ErrForbidden
	}
	var after Policy
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		before, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		var fields map[string]i18n.Text
		if after, fields = before.Apply(patch); len(fields) > 0 {
			return Invalid(fields)
		}
		settings, err := json.Marshal(after)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO policies (tenant_id, settings, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (tenant_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at`,
			by.TenantID, settings, s.Now()); err != nil {
			return err
		}
		return audit(ctx, tx, by, "policy.update", "policy", by.TenantID, before, after)
	})
	if err != nil {
		return Policy{}, fmt.Errorf("update policy: %w", err)
	}
	return after, nil
}
