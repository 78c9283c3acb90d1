package i18n

// lifecycleMessages are the catalogue's strings of the protection
// lifecycle: follow-ups, renewal, release, the public pool, consent
// requests and the approvals queue. They join the one catalogue at
// start-up, kept apart like dealMessages.
var lifecycleMessages = map[string]Text{
	"nav.pool":      {"公海", "Public pool"},
	"nav.consents":  {"征得同意", "Consent requests"},
	"nav.approvals": {"审批", "Approvals"},

	"lifecycle.title":          {"维护与保护", "Keeping the claim"},
	"lifecycle.waiting":        {"等待审批", "Waiting for approval"},
	"lifecycle.maintained":     {"维护中 (可续报、他人联系须征得同意)", "Maintained (renewable; others need consent to contact)"},
	"lifecycle.not_maintained": {"未在维护中: 近期没有跟进记录", "Not maintained: no recent follow-up"},
	"lifecycle.assistants":     {"协助人员", "Assistants"},

	"followup.new":        {"记录跟进", "Log a follow-up"},
	"followup.channel":    {"跟进方式", "Channel"},
	"followup.at":         {"跟进时间 (留空为现在)", "When (empty: now)"},
	"followup.grade":      {"意向等级", "Grade"},
	"followup.grade.keep": {"不变", "Unchanged"},
	"followup.note":       {"跟进内容", "Note"},
	"followup.submit":     {"保存跟进", "Save follow-up"},
	"followup.history":    {"跟进记录", "Follow-ups"},
	"followup.by":         {"记录人", "By"},
	"followup.none":       {"还没有跟进记录", "No follow-ups yet"},
	"channel.call":        {"电话", "Call"},
	"channel.visit":       {"拜访", "Visit"},
	"channel.wechat":      {"微信", "WeChat"},
	"channel.email":       {"邮件", "Email"},
	"channel.other":       {"其他", "Other"},

	"renew.action": {"续报", "Renew"},
	"renew.window": {"续报窗口自 %s 起开放", "Renewal opens on %s"},

	"release.title":  {"释放到公海", "Release to the public pool"},
	"release.reason": {"释放原因", "Reason"},
	"release.note":   {"说明 (选「其他」时必填)", "Note (required for other)"},
	"release.action": {"确认释放", "Release"},

	"publicpool.help":        {"公海中的客户目前无人保护, 任何销售都可以重新报备。原报备人不显示。", "Nobody protects the customers in the public pool; any salesperson may register them. Previous owners are not shown."},
	"publicpool.returned_at": {"回到公海", "Returned"},
	"publicpool.reason":      {"原因", "Why"},
	"publicpool.cooldown":    {"您于 %s 后才能再次报备", "You may claim it again after %s"},
	"publicpool.register":    {"报备此客户", "Register"},
	"publicpool.empty":       {"公海中没有客户", "The public pool is empty"},

	"consent.ask":              {"申请联系", "Ask to contact"},
	"consent.help":             {"该客户正由其他销售维护, 联系前须征得原销售人员同意。对方超时未答复时转交其经理。", "Another salesperson maintains this customer; ask for their consent before contacting it. Unanswered in time, the request goes to their manager."},
	"consent.reason":           {"联系理由", "Reason"},
	"consent.submit":           {"提交申请", "Send request"},
	"consent.incoming":         {"收到的申请", "Requests to me"},
	"consent.outgoing":         {"我的申请", "My requests"},
	"consent.requester":        {"申请人", "Requested by"},
	"consent.asked_at":         {"申请时间", "Asked"},
	"consent.accept":           {"同意", "Accept"},
	"consent.decline":          {"拒绝", "Decline"},
	"consent.none":             {"没有申请", "No requests"},
	"consent.status.pending":   {"待答复", "Pending"},
	"consent.status.escalated": {"已转交经理", "Escalated"},
	"consent.status.accepted":  {"已同意", "Accepted"},
	"consent.status.declined":  {"已拒绝", "Declined"},
	"consent.status.cancelled": {"已失效", "Closed"},

	"approval.help":         {"续报、超出保有量、跨区域报备和超时的征得同意申请在此审批; 报备审核见", "Renewals, ownership-cap and cross-region holds and escalated consent requests are decided here; registration reviews are under"},
	"approval.kind":         {"类型", "Kind"},
	"approval.summary":      {"内容", "Request"},
	"approval.requested_by": {"申请人", "Requested by"},
	"approval.created_at":   {"申请时间", "Asked"},
	"approval.empty":        {"没有待审批的申请", "Nothing waiting for approval"},

	"flash.follow_up":         {"跟进已记录", "Follow-up saved"},
	"flash.renewed":           {"续报成功, 保护期已延长", "Renewed; the protection is extended"},
	"flash.renew_pending":     {"续报申请已提交, 等待经理批准", "Renewal requested; waiting for a manager"},
	"flash.released":          {"客户已释放到公海", "The customer is back in the public pool"},
	"flash.consent_requested": {"申请已发送, 等待原销售答复", "Request sent; waiting for the owner's answer"},
	"flash.consent_accepted":  {"已同意该申请", "Request accepted"},
	"flash.consent_declined":  {"已拒绝该申请", "Request declined"},
	"flash.approval.approve":  {"已批准", "Approved"},
	"flash.approval.reject":   {"已驳回", "Rejected"},
}

func init() { mergeArea(lifecycleMessages) }
