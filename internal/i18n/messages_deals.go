package i18n

// dealMessages are the catalogue's strings of the front desk and deals:
// walk-in visits and the daily sheet, deals and claims, the duty roster,
// the team pool, customer grades and the performance view. They join the
// one catalogue at start-up (kept apart so that features built side by
// side do not edit one file).
var dealMessages = map[string]Text{
	"nav.visits":      {"到访登记", "Walk-in visits"},
	"nav.visit_sheet": {"每日到访登记表", "Daily visit sheet"},
	"nav.deals":       {"成交", "Deals"},
	"nav.customers":   {"客户分级", "Customer grades"},
	"nav.duty_roster": {"值班表", "Duty roster"},
	"nav.team_pool":   {"团队公海", "Team pool"},
	"nav.performance": {"业绩", "Performance"},

	"visit.visitor_name":        {"来访人", "Visitor"},
	"visit.phone":               {"电话", "Phone"},
	"visit.phone.placeholder":   {"可隐藏后四位, 如 1381234****", "Last four may be hidden: 1381234****"},
	"visit.company":             {"公司", "Company"},
	"visit.company.optional":    {"公司 (个人客户不填)", "Company (empty for a person)"},
	"visit.salesperson":         {"陪同销售", "Accompanied by"},
	"visit.self_visit":          {"无 (自行上门)", "Nobody (walked in alone)"},
	"visit.party_size":          {"人数", "Party size"},
	"visit.visited_at":          {"到访时间", "Visited at"},
	"visit.visited_at.optional": {"到访时间 (默认现在)", "Visited at (default: now)"},
	"visit.time":                {"时间", "Time"},
	"visit.note":                {"备注", "Note"},
	"visit.effect":              {"结果", "Result"},
	"visit.recorded_by":         {"登记人", "Logged by"},
	"visit.submit":              {"登记", "Log visit"},
	"visit.today":               {"今日到访", "Today's visits"},
	"visit.date":                {"日期", "Date"},
	"visit.show":                {"查看", "Show"},
	"visit.prev_day":            {"前一天", "Previous day"},
	"visit.next_day":            {"后一天", "Next day"},
	"visit.print":               {"打印", "Print"},
	"visit.sheet.total":         {"共 %d 批来访", "%d visits in all"},
	"visit.sheet.signature":     {"前台签字: ____________    复核: ____________", "Front desk: ____________    Checked by: ____________"},
	"visit.error.party_size":    {"人数须为正整数", "The party size must be a whole number above 0"},

	"visit.effect.confirmed":      {"已确认报备", "Confirmed"},
	"visit.effect.registered":     {"已代为报备", "Registered"},
	"visit.effect.notified_owner": {"已通知负责销售", "Owner notified"},
	"visit.effect.unassigned":     {"未分配", "Unassigned"},
	"visit.effect.conflict":       {"报备冲突", "Conflict"},

	"visit.result.confirmed":      {"陪同销售的报备已确认到访。", "the accompanying salesperson's registration is confirmed by this visit."},
	"visit.result.registered":     {"已为陪同销售代为报备, 请其尽快补充资料。", "registered on the accompanying salesperson's behalf; they will complete the details."},
	"visit.result.notified_owner": {"该客户已有负责销售, 已通知其本人。", "this customer belongs to a salesperson, who has been told."},
	"visit.result.unassigned":     {"该客户无人报备, 已登记为未分配。", "nobody holds this customer; logged as unassigned."},
	"visit.result.conflict":       {"该客户已由他人报备, 陪同销售的报备未生效 (按规则裁决或转经理仲裁)。", "someone else holds this customer; the accompanying salesperson's claim did not take effect (decided by the rules or sent to a manager)."},

	"deal.detail":         {"成交详情", "Deal"},
	"deal.record":         {"录入成交", "Record a deal"},
	"deal.record.help":    {"成交一律可以录入, 不因归属问题受阻; 系统按签约时有效的报备自动判定业绩归属。", "A deal can always be recorded; the system credits the registration that was live when it was signed."},
	"deal.record.submit":  {"录入", "Record"},
	"deal.contract_no":    {"合同号", "Contract no."},
	"deal.signed_at":      {"签约时间", "Signed at"},
	"deal.amount":         {"金额", "Amount"},
	"deal.amount_yuan":    {"成交金额 (元)", "Amount (yuan)"},
	"deal.buyer_phone":    {"签约人电话 (客户方)", "Buyer's phone"},
	"deal.signer":         {"签约销售", "Signed by"},
	"deal.status":         {"归属状态", "Attribution"},
	"deal.status.all":     {"全部", "All"},
	"deal.search":         {"合同号或客户名称", "Contract no. or customer"},
	"deal.credited":       {"业绩归属", "Credited to"},
	"deal.assists":        {"协助业绩", "Assists"},
	"deal.attribution":    {"业绩归属", "Attribution"},
	"deal.rule":           {"归属依据", "Rule"},
	"deal.registration":   {"依据报备", "Registration"},
	"deal.claim_deadline": {"认领截止", "Claim deadline"},
	"deal.facts":          {"合同信息", "Contract"},
	"deal.claims":         {"认领", "Claims"},
	"deal.claims.pending": {"待审批的成交认领", "Deal claims waiting for you"},
	"deal.claim.evidence": {"认领依据 (跟进记录、聊天记录、带看记录等)", "Evidence (follow-ups, chats, viewings …)"},
	"deal.claim.submit":   {"提交认领", "Claim this deal"},

	"deal.status.attributed": {"已归属", "Attributed"},
	"deal.status.unclaimed":  {"待认领", "Unclaimed"},
	"deal.status.duty_team":  {"归值班团队", "Duty team"},

	"deal.claim.status.pending":  {"待审批", "Pending"},
	"deal.claim.status.approved": {"已批准", "Approved"},
	"deal.claim.status.rejected": {"已驳回", "Rejected"},

	"flash.deal.attributed": {"成交已录入, 业绩已归属", "Deal recorded and attributed"},
	"flash.deal.unclaimed":  {"成交已录入, 无人报备, 进入认领期", "Deal recorded; nobody held the customer, so it is open for claims"},
	"flash.deal.duty_team":  {"成交已录入, 已归当周值班团队", "Deal recorded and credited to the duty team"},
	"flash.claimed":         {"认领已提交, 等待经理审批", "Claim filed; a manager will decide"},
	"flash.reassigned":      {"已重新分配", "Reassigned"},

	"duty.help":      {"每周 (周一起) 负责接待的团队; 认领期满仍无人认领的成交归签约当周的值班团队。", "The team on reception duty each week (from Monday); unclaimed deals go to the duty team of the week they were signed once the claim window passes."},
	"duty.week":      {"周", "Week"},
	"duty.team":      {"值班团队", "Duty team"},
	"duty.none":      {"未安排", "Nobody"},
	"duty.this_week": {"本周", "This week"},

	"pool.help":         {"离职销售的客户转入团队公海, 仍由本团队持有; 勾选客户并选择新负责人即可重新分配 (可单个或批量)。已成交的业绩不变。", "Customers of salespeople who left wait here, still held by the team; tick them and choose a new owner (one or many). Past deals keep their credit."},
	"pool.former_owner": {"原负责人", "Former owner"},
	"pool.since":        {"转入时间", "In the pool since"},
	"pool.new_owner":    {"新负责人", "New owner"},
	"pool.reassign":     {"重新分配", "Reassign"},
	"pool.empty":        {"团队公海中没有客户", "The team pool is empty"},

	"cgrade.grade":   {"客户等级", "Grade"},
	"cgrade.all":     {"全部等级", "All grades"},
	"cgrade.recent":  {"近 12 个月成交额", "Deals, last 12 months"},
	"cgrade.help":    {"按近 12 个月成交额分级: VIP、重点、一般; 尚无成交的为储备客户。门槛在报备规则设置中。", "Graded by the last 12 months' deals: VIP, key, general; customers without deals are reserve. Thresholds are in the policy."},
	"cgrade.vip":     {"VIP 客户", "VIP"},
	"cgrade.key":     {"重点客户", "Key"},
	"cgrade.general": {"一般客户", "General"},
	"cgrade.reserve": {"储备客户", "Reserve"},

	"perf.from":          {"开始日期", "From"},
	"perf.to":            {"结束日期", "To"},
	"perf.people":        {"个人业绩", "By salesperson"},
	"perf.teams":         {"团队业绩", "By team"},
	"perf.deals":         {"成交数", "Deals"},
	"perf.amount":        {"业绩金额", "Credited amount"},
	"perf.assists":       {"协助数", "Assists"},
	"perf.assist_amount": {"协助金额", "Assisted amount"},
	"perf.unclaimed":     {"期间待认领成交 %d 笔, 共 %s", "%d unclaimed deals in the period, %s in all"},
}

func init() {
	for k, v := range dealMessages {
		if _, dup := catalogue[k]; dup {
			panic("i18n: " + k + " is in the catalogue twice")
		}
		catalogue[k] = v
	}
}
