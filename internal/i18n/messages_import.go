package i18n

// importMessages are the catalogue's strings of bulk import; they join
// the one catalogue at start-up, kept apart like dealMessages.
var importMessages = map[string]Text{
	"nav.imports":           {"批量导入", "Bulk import"},
	"import.upload":         {"上传 CSV 或 XLSX 文件", "Upload a CSV or XLSX file"},
	"import.upload.help":    {"第一行为表头 (如 客户名称、联系人、手机、负责人、报备时间); 最大 10 MiB。上传后先预览, 确认后再导入。", "The first row holds the headings (customer name, contact, phone, owner, registered at…); at most 10 MiB. You see a preview before anything is imported."},
	"import.file":           {"文件", "File"},
	"import.submit":         {"上传并预览", "Upload and preview"},
	"import.mapping":        {"列对应", "Column mapping"},
	"import.mapping.help":   {"请确认每个字段对应文件中的哪一列, 修改后重新预览。", "Check which column of the file holds each field; previewing again applies a change."},
	"import.column.none":    {"(不导入)", "(not imported)"},
	"import.preview_again":  {"按此对应重新预览", "Preview with this mapping"},
	"import.preview":        {"预览", "Preview"},
	"import.result_title":   {"导入结果", "Import result"},
	"import.total":          {"共 %d 行", "%d rows"},
	"import.start":          {"开始导入", "Start the import"},
	"import.start.help":     {"导入时会按当时的数据再次检查每一行; 全部成功或全部不导入。", "The import checks every row again as it runs; all rows go in, or none."},
	"import.progress":       {"导入进度", "Progress"},
	"import.done_of":        {"已处理 %d / %d 行", "%d of %d rows done"},
	"import.download_csv":   {"下载结果 (CSV)", "Download the result (CSV)"},
	"import.download_xlsx":  {"下载结果 (XLSX)", "Download the result (XLSX)"},
	"import.failed":         {"导入失败, 没有导入任何行, 可以重试。", "The import failed and imported nothing; you may start it again."},
	"import.line":           {"行号", "Line"},
	"import.name":           {"客户名称", "Customer"},
	"import.owner":          {"负责人", "Owner"},
	"import.outcome":        {"结果", "Outcome"},
	"import.reason":         {"原因", "Reason"},
	"import.registration":   {"报备编号", "Registration"},
	"import.all":            {"全部", "All"},
	"import.status.preview": {"待导入", "Previewed"},
	"import.status.queued":  {"排队中", "Queued"},
	"import.status.running": {"导入中", "Running"},
	"import.status.done":    {"已完成", "Done"},
	"import.status.failed":  {"失败", "Failed"},
	"flash.import.started":  {"已开始导入", "The import has started"},
	"flash.import.mapped":   {"已按新的列对应重新预览", "Previewed again with the new mapping"},
}

func init() { mergeArea(importMessages) }
