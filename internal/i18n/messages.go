package i18n

// catalogue holds every user-visible string of the pages, zh-CN first.
// Domain messages travel with their errors instead.
var catalogue = map[string]Text{
	"app.name": {"报备", "Baobei"},

	"nav.home":          {"首页", "Home"},
	"nav.users":         {"用户", "Users"},
	"nav.teams":         {"团队", "Teams"},
	"nav.policy":        {"报备规则设置", "Policy"},
	"nav.settings":      {"个人设置", "Settings"},
	"nav.notifications": {"通知", "Notifications"},
	"nav.logout":        {"退出", "Sign out"},

	"role.sales":     {"销售", "Sales"},
	"role.frontdesk": {"前台", "Front desk"},
	"role.manager":   {"销售经理", "Manager"},
	"role.clerk":     {"内勤", "Clerk"},
	"role.admin":     {"管理员", "Admin"},

	"login.title":    {"登录", "Sign in"},
	"login.tenant":   {"公司代码", "Company code"},
	"login.username": {"用户名", "Username"},
	"login.password": {"密码", "Password"},
	"login.submit":   {"登录", "Sign in"},

	"home.hello": {"您好", "Hello"},

	"user.username":       {"用户名", "Username"},
	"user.display_name":   {"姓名", "Name"},
	"user.role":           {"角色", "Role"},
	"user.team":           {"团队", "Team"},
	"user.region":         {"区域", "Region"},
	"user.status":         {"状态", "Status"},
	"user.active":         {"在职", "Active"},
	"user.inactive":       {"已停用", "Deactivated"},
	"user.new":            {"新建用户", "New user"},
	"user.password":       {"初始密码", "Initial password"},
	"user.new_password":   {"新密码", "New password"},
	"user.reset_password": {"重置密码", "Reset password"},
	"user.deactivate":     {"停用账号 (离职)", "Deactivate (left the company)"},
	"user.activate":       {"重新启用", "Reactivate"},

	"team.name":     {"团队名称", "Team name"},
	"team.region":   {"区域", "Region"},
	"team.managers": {"负责经理", "Managers"},
	"team.members":  {"成员数", "Members"},
	"team.new":      {"新建团队", "New team"},

	"policy.help":  {"修改后的规则适用于今后的激活和续报。", "Changes apply to future activations and renewals."},
	"policy.unset": {"留空表示不限", "Leave empty for no limit"},

	"rule.history":      {"历史合作优先", "Prior cooperation"},
	"rule.time":         {"先报备者优先", "Time first"},
	"rule.completeness": {"信息完整度优先", "Completeness"},

	"policy.completeness_weights.name":          {"客户名称", "Name"},
	"policy.completeness_weights.contact_name":  {"联系人", "Contact"},
	"policy.completeness_weights.contact_phone": {"联系电话", "Phone"},
	"policy.completeness_weights.industry":      {"行业", "Industry"},
	"policy.completeness_weights.size":          {"规模", "Size"},
	"policy.completeness_weights.address":       {"地址", "Address"},
	"policy.completeness_weights.needs":         {"需求", "Needs"},
	"policy.completeness_weights.project":       {"项目", "Project"},
	"policy.completeness_weights.grade":         {"意向等级", "Grade"},
	"policy.completeness_weights.first_contact": {"首次接触时间", "First contact"},
	"policy.follow_up_days.H":                   {"H 级", "H"},
	"policy.follow_up_days.A":                   {"A 级", "A"},
	"policy.follow_up_days.B":                   {"B 级", "B"},
	"policy.follow_up_days.C":                   {"C 级", "C"},
	"policy.grade_thresholds.vip":               {"VIP 客户 ≥", "VIP ≥"},
	"policy.grade_thresholds.key":               {"重点客户 ≥", "Key ≥"},

	"settings.password":         {"修改密码", "Change password"},
	"settings.current_password": {"当前密码", "Current password"},
	"settings.tokens":           {"API 令牌", "API tokens"},
	"settings.tokens_help":      {"供渠道系统或脚本调用 /api/v1, 权限与您的账号相同。", "For partner systems and scripts calling /api/v1, with your account's permissions."},
	"settings.token_once":       {"请立即复制, 此令牌只显示一次:", "Copy it now; this token is shown only once:"},
	"settings.token_name":       {"用途", "Name"},
	"settings.last_used":        {"最近使用", "Last used"},
	"settings.issue":            {"生成令牌", "Issue token"},
	"settings.revoke":           {"撤销", "Revoke"},

	"notifications.mark_all": {"全部标为已读", "Mark all read"},

	"action.create": {"创建", "Create"},
	"action.save":   {"保存", "Save"},
	"action.edit":   {"编辑", "Edit"},

	"common.created_at": {"创建时间", "Created"},
	"common.none":       {"暂无", "Nothing yet"},

	"flash.saved":   {"已保存", "Saved"},
	"flash.revoked": {"已撤销", "Revoked"},

	"error.internal":    {"系统出错了, 请稍后再试", "Something went wrong; please try again later"},
	"error.unavailable": {"数据库暂时无法访问, 请稍后再试", "The database is unavailable; please try again shortly"},
	"error.too_large":   {"提交的内容过大", "The request is too large"},
	"error.not_found":   {"页面不存在", "Page not found"},
}
