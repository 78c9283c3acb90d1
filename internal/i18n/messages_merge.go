package i18n

// mergeMessages are the catalogue's strings of customer records and their
// merge, undo and split (客户合并与拆分), kept apart like dealMessages.
var mergeMessages = map[string]Text{
	"merge.title":                {"客户档案", "Customer record"},
	"merge.registrations":        {"报备", "Registrations"},
	"merge.into":                 {"合并到…", "Merge into…"},
	"merge.source":               {"要合并的客户", "Customer to merge"},
	"merge.search":               {"查找要并入的客户 (名称)", "Find the customer to merge into (name)"},
	"merge.preview":              {"合并预览", "What the merge will do"},
	"merge.moves":                {"「%s」将并入「%s」: 转移报备 %d 项、到访 %d 次、成交 %d 笔, 新增识别信息 %d 项。", "%s will be merged into %s: %d registrations, %d visits and %d deals move, and %d identity keys are added."},
	"merge.conflict.none":        {"合并后不会出现报备冲突。", "The merge brings no conflicting registrations together."},
	"merge.conflict.decided":     {"合并后 %s 与 %s 的报备冲突, 按规则由 %s 保留客户, 另一方被驳回 (可申诉)。", "After the merge the claims of %s and %s conflict; by the rules %s keeps the customer and the other is rejected (it may be disputed)."},
	"merge.conflict.arbitration": {"合并后 %s 与 %s 的报备冲突, 规则无法裁决, 将提交仲裁。", "After the merge the claims of %s and %s conflict; the rules cannot decide, so it goes to arbitration."},
	"merge.conflict.duplicate":   {"合并后 %s 的报备 #%d 与其本人较早的报备重复, 将被驳回。", "After the merge, %s's registration #%d duplicates their earlier one and is rejected."},
	"merge.reason":               {"理由", "Reason"},
	"merge.confirm":              {"确认合并", "Merge"},
	"merge.merged_into":          {"该客户已并入", "This customer was merged into"},
	"merge.merged_in":            {"并入本客户的记录", "Records merged into this one"},
	"merge.undo":                 {"撤销合并", "Undo merge"},
	"split.help":                 {"勾选不属于该客户的报备并写明理由, 可将其拆分为新客户。", "Tick the registrations that are not this customer and give a reason to split them off to a new customer."},
	"split.choose":               {"拆分", "Split"},
	"split.submit":               {"拆分为新客户", "Split off to a new customer"},
	"flash.merged":               {"已合并客户", "Customers merged"},
	"flash.unmerged":             {"已撤销合并", "Merge undone"},
	"flash.split":                {"已拆分为新客户", "Split off to a new customer"},
	"match.merge":                {"客户合并", "Customer merge"},
	"dispute.status.withdrawn":   {"已撤回 (合并撤销)", "Withdrawn (merge undone)"},
}

func init() { mergeArea(mergeMessages) }
