package i18n

// privacyMessages are the catalogue's strings of the working-day
// calendar and the personal information (PIPL) pages, kept apart like
// dealMessages.
var privacyMessages = map[string]Text{
	"nav.calendar": {"工作日历", "Working-day calendar"},
	"nav.privacy":  {"个人信息", "Personal information"},

	"daycount.calendar": {"自然日", "Calendar days"},
	"daycount.working":  {"工作日", "Working days"},

	"calendar.help":         {"列出法定节假日和调休上班日。未列出的周六、周日休息, 周一至周五上班。设为「按工作日计算」的期限跳过休息日。", "List public holidays and make-up working days. Saturdays and Sundays not listed are rest days, weekdays working days. Windows counted in working days skip rest days."},
	"calendar.date":         {"日期", "Date"},
	"calendar.kind":         {"类型", "Kind"},
	"calendar.kind.holiday": {"放假", "Holiday"},
	"calendar.kind.workday": {"调休上班", "Make-up working day"},
	"calendar.name":         {"名称", "Name"},
	"calendar.remove":       {"删除", "Remove"},
	"calendar.empty":        {"本年度尚未设置节假日", "No holidays listed for this year"},
	"calendar.add":          {"添加一天", "Add a day"},
	"calendar.paste":        {"批量粘贴", "Paste many"},
	"calendar.paste.help":   {"每行一天: 日期 类型 名称, 如「2027-02-11 holiday 春节」或「2027-02-07 workday 调休」; 同一日期会被覆盖。", "One day a line: date kind name, e.g. \"2027-02-11 holiday 春节\" or \"2027-02-07 workday 调休\"; a date listed again is replaced."},

	"privacy.help":                {"按《个人信息保护法》, 可导出或删除某个联系人的全部个人信息。删除后报备记录和审计链保留, 姓名显示为「[已删除]」, 电话被清除; 每次查询、导出和删除都记入审计日志。", "Under the Personal Information Protection Law you can export or erase everything stored about one contact. Erasure keeps the registrations and the audit chain; the name shows as \"[已删除]\" and phones are removed. Every look-up, export and erasure is audited."},
	"privacy.phone":               {"电话", "Phone"},
	"privacy.name":                {"姓名", "Name"},
	"privacy.search":              {"查询", "Look up"},
	"privacy.found":               {"查到的信息", "What is stored"},
	"privacy.count.contacts":      {"联系人记录", "Contact records"},
	"privacy.count.customer_keys": {"识别键", "Identity keys"},
	"privacy.count.visits":        {"到访记录", "Visits"},
	"privacy.count.deals":         {"成交 (买方电话)", "Deals (buyer phone)"},
	"privacy.count.follow_ups":    {"跟进记录", "Follow-up notes"},
	"privacy.count.audit_values":  {"审计日志中的个人信息", "Personal values in the audit log"},
	"privacy.source":              {"来源", "Source"},
	"privacy.source.registration": {"报备", "Registration"},
	"privacy.source.customer":     {"客户", "Customer"},
	"privacy.source.deal":         {"成交", "Deal"},
	"privacy.source.visit":        {"到访", "Visit"},
	"privacy.record":              {"编号", "No."},
	"privacy.customer":            {"客户", "Customer"},
	"privacy.customer_id":         {"客户编号", "Customer no."},
	"privacy.title":               {"职务", "Title"},
	"privacy.relation":            {"关系", "Relation"},
	"privacy.key_kind":            {"类型", "Kind"},
	"privacy.key":                 {"识别键", "Key"},
	"privacy.contract_no":         {"合同编号", "Contract no."},
	"privacy.signed_at":           {"签约时间", "Signed at"},
	"privacy.buyer_phone":         {"买方电话", "Buyer phone"},
	"privacy.registration":        {"报备编号", "Registration no."},
	"privacy.at":                  {"时间", "Time"},
	"privacy.note":                {"内容", "Note"},
	"privacy.value":               {"内容", "Value"},
	"privacy.entity":              {"对象", "Entity"},
	"privacy.entity_id":           {"对象编号", "Entity no."},
	"privacy.sheet.contacts":      {"联系人", "Contacts"},
	"privacy.sheet.keys":          {"识别键", "Identity keys"},
	"privacy.sheet.visits":        {"到访", "Visits"},
	"privacy.sheet.deals":         {"成交", "Deals"},
	"privacy.sheet.follow_ups":    {"跟进", "Follow-ups"},
	"privacy.sheet.audit":         {"审计日志", "Audit log"},
	"privacy.export_xlsx":         {"导出 Excel", "Export XLSX"},
	"privacy.export_json":         {"导出 JSON", "Export JSON"},
	"privacy.erase":               {"删除个人信息", "Erase personal data"},
	"privacy.erase.help":          {"删除不可撤销: 以上联系人的姓名、电话将从所有记录中清除, 基于该电话的撞单识别随之失效。", "Erasure cannot be undone: the names and phones above are removed from every record, and conflict matching on the phone stops."},
	"privacy.erase.confirm":       {"我确认该联系人已提出删除请求", "I confirm the contact asked to be erased"},
	"privacy.erase.unconfirmed":   {"请先勾选确认再删除", "Tick the confirmation first"},
	"flash.erased":                {"已删除该联系人的个人信息", "The contact's personal data was erased"},
}

func init() {
	for k, v := range privacyMessages {
		if _, dup := catalogue[k]; dup {
			panic("i18n: " + k + " is in the catalogue twice")
		}
		catalogue[k] = v
	}
}
