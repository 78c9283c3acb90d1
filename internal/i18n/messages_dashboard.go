package i18n

// dashboardMessages are the catalogue's strings of the role home pages,
// merged at start-up like dealMessages.
var dashboardMessages = map[string]Text{
	"home.nothing": {"暂无", "Nothing waiting"},
	"home.all":     {"查看全部 %d 项", "All %d"},

	"home.unread":              {"未读通知", "Unread notifications"},
	"home.claims":              {"我的有效报备 (按到期先后)", "My live claims, soonest expiry first"},
	"home.overdue":             {"跟进逾期", "Overdue follow-ups"},
	"home.consents_in":         {"待我答复的征得同意", "Consent requests to answer"},
	"home.consents_out":        {"我发出、待答复的申请", "My requests awaiting an answer"},
	"home.reviews":             {"待审核报备", "Registrations to review"},
	"home.approvals":           {"待审批 (续报等)", "Approvals (renewals and more)"},
	"home.deal_claims":         {"成交认领待审批", "Deal claims to decide"},
	"home.dealer_steps":        {"经销商报备待审批", "Dealer steps to approve"},
	"home.disputes":            {"待裁决的申诉", "Disputes to decide"},
	"home.expiring":            {"团队 7 天内到期的报备", "Team claims expiring within 7 days"},
	"home.conflicts":           {"本周撞单", "Conflicts this week"},
	"home.team_overdue":        {"团队跟进逾期", "Team's overdue follow-ups"},
	"home.unclaimed_deals":     {"待认领成交", "Unclaimed deals"},
	"home.visits_today":        {"今日到访", "Visits today"},
	"home.live_claims":         {"有效报备", "Live claims"},
	"home.regs_week":           {"本周报备", "Registrations this week"},
	"home.regs_30":             {"近 30 天报备", "Registrations, 30 days"},
	"home.conflicts_30":        {"近 30 天撞单", "Conflicts, 30 days"},
	"home.conflict_rate_30":    {"近 30 天撞单率", "Conflict rate, 30 days"},
	"home.open_disputes":       {"未结申诉", "Open disputes"},
	"home.pool_size":           {"公海客户", "Customers in the pool"},
	"home.visit_log":           {"登记到访", "Log a visit"},
	"home.conflict.decided":    {"已按规则裁决", "Decided by the rules"},
	"home.conflict.in_dispute": {"仲裁中", "In arbitration"},
}

func init() { mergeArea(dashboardMessages) }
