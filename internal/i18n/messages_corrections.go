package i18n

// correctionMessages are the catalogue's strings of corrections: the
// registration edit form and voiding visits and deals. They join the one
// catalogue at start-up.
var correctionMessages = map[string]Text{
	"edit.title":  {"修改报备", "Correct registration"},
	"edit.submit": {"保存修改", "Save corrections"},
	"edit.cancel": {"取消", "Cancel"},
	"edit.help": {"修改客户名称、电话、信用代码或项目会重新查重: 原有信息保留原报备时间, 新增信息按修改时间计; 若新增信息已被他人报备, 本报备将按规则被驳回或提交仲裁。",
		"Changing the name, phones, credit code or project re-runs the duplicate check: what the registration had keeps its registration time, what you add counts from now; if someone else holds what you add, this registration is rejected or goes to arbitration by the rules."},
	"flash.edited.active":         {"报备已修改", "Registration corrected"},
	"flash.edited.pending_review": {"报备已修改, 等待审核", "Registration corrected; awaiting review"},
	"flash.edited.pending_visit":  {"报备已修改, 等待客户到访", "Registration corrected; awaiting the customer's visit"},
	"flash.edited.rejected":       {"修改后的信息已被他人报备, 本报备已被驳回", "The corrected details belong to another claim; this registration was rejected"},
	"flash.edited.in_dispute":     {"修改后与他人报备冲突, 已提交仲裁", "The correction collided with another claim; it awaits arbitration"},

	"void.title":         {"作废", "Void"},
	"void.button":        {"作废", "Void"},
	"void.confirm":       {"确认作废", "Confirm void"},
	"void.reason":        {"作废原因 (必填)", "Reason (required)"},
	"void.voided":        {"已作废", "Voided"},
	"void.note":          {"%s 由 %s 作废: %s", "Voided %s by %s: %s"},
	"void.deal.help":     {"录错的成交可作废: 记录保留并标为已作废, 不再计入业绩、客户分级与归属。", "A mistaken deal can be voided: it is kept, marked voided, and no longer counts for performance, grades or attribution."},
	"flash.visit_voided": {"到访登记已作废", "Visit voided"},
	"flash.deal_voided":  {"成交已作废", "Deal voided"},
}

func init() { mergeArea(correctionMessages) }
