package i18n

// reportMessages are the catalogue's strings of the reports (报表): the
// page, its charts and its CSV and XLSX files. They join the one
// catalogue at start-up.
var reportMessages = map[string]Text{
	"nav.reports": {"报表", "Reports"},

	"report.from":          {"开始日期", "From"},
	"report.to":            {"结束日期", "To"},
	"report.team":          {"团队", "Team"},
	"report.all_teams":     {"全部团队", "All teams"},
	"report.show":          {"查询", "Show"},
	"report.period":        {"期间 %s 至 %s (%s)", "Period %s to %s (%s)"},
	"report.download_csv":  {"下载 CSV", "Download CSV"},
	"report.download_xlsx": {"下载 Excel (XLSX)", "Download Excel (XLSX)"},
	"report.note": {"撞单率 = 期间报备中与他人报备冲突 (作为后报备方) 的比例; 到访与成交 (漏斗) 统计期间报备截至目前是否已到访、已成交; 到期、到访登记、成交按发生日期统计; 裁决按被驳回的报备及驳回规则统计。",
		"Conflict rate = the share of the period's registrations that ran into another owner's claim (as the newer claim); visited and deal (the funnel) say whether the period's registrations have been visited or earned a deal by now; expiries, visits and deals count by the day they happened; decisions count the rejected claims by the rule that rejected them."},

	"report.teams":         {"按团队", "By team"},
	"report.people":        {"按人员", "By person"},
	"report.name":          {"名称", "Name"},
	"report.registrations": {"报备数", "Registrations"},
	"report.conflicts":     {"撞单数", "Conflicts"},
	"report.conflict_rate": {"撞单率", "Conflict rate"},
	"report.visited":       {"已到访", "Visited"},
	"report.converted":     {"已成交", "Converted"},
	"report.expiries":      {"到期数", "Expiries"},
	"report.visits":        {"到访登记", "Visits"},
	"report.deals":         {"成交数", "Deals"},
	"report.amount":        {"成交金额", "Amount"},
	"report.total":         {"合计", "Total"},
	"report.rate_percent":  {"撞单率 (%)", "Conflict rate (%)"},
	"report.share_percent": {"占报备 (%)", "Of registrations (%)"},

	"report.funnel":      {"转化漏斗: 报备 → 到访 → 成交", "Funnel: registration → visit → deal"},
	"report.stage":       {"阶段", "Stage"},
	"report.count":       {"数量", "Count"},
	"report.decisions":   {"裁决 (按规则)", "Decisions by rule"},
	"report.attribution": {"业绩归属 (按规则)", "Deal attribution by rule"},
	"report.rule":        {"规则", "Rule"},

	"report.chart.rate_team":   {"各团队撞单率", "Conflict rate by team"},
	"report.chart.rate_person": {"各人员撞单率", "Conflict rate by person"},
	"report.chart.regs_person": {"各人员报备数", "Registrations by person"},
	"report.chart.desc":        {"%s, %s 至 %s; 数值另见下表。", "%s, %s to %s; the figures are also in the table below."},
	"report.chart.empty":       {"期间无数据", "No data in the period"},

	"report.sheet.teams":       {"按团队", "By team"},
	"report.sheet.people":      {"按人员", "By person"},
	"report.sheet.funnel":      {"漏斗", "Funnel"},
	"report.sheet.decisions":   {"裁决", "Decisions"},
	"report.sheet.attribution": {"业绩归属", "Attribution"},
}

func init() { mergeArea(reportMessages) }
