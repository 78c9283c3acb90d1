package domain

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/unicode/norm"

	"baobei/internal/i18n"
)

// ImportField names a column the import understands.
type ImportField string

// The columns of an import file, in the order the mapping form shows them.
const (
	FieldName         ImportField = "name"
	FieldKind         ImportField = "kind"
	FieldUSCC         ImportField = "uscc"
	FieldContactName  ImportField = "contact_name"
	FieldPhone        ImportField = "phone"
	FieldOwner        ImportField = "owner"
	FieldRegisteredAt ImportField = "registered_at"
	FieldFirstContact ImportField = "first_contact_at"
	FieldRegion       ImportField = "region"
	FieldProject      ImportField = "project"
	FieldIndustry     ImportField = "industry"
	FieldSize         ImportField = "size"
	FieldAddress      ImportField = "address"
	FieldGrade        ImportField = "grade"
	FieldNeeds        ImportField = "needs"
	FieldSource       ImportField = "source"
)

// ImportFields lists every import column, in form order.
var ImportFields = []ImportField{FieldName, FieldKind, FieldUSCC, FieldContactName, FieldPhone, FieldOwner,
	FieldRegisteredAt, FieldFirstContact, FieldRegion, FieldProject, FieldIndustry, FieldSize, FieldAddress,
	FieldGrade, FieldNeeds, FieldSource}

// importFieldInfo holds a column's label and the header texts that name it
// (compared after headerKey), Chinese and English.
var importFieldInfo = map[ImportField]struct {
	label    i18n.Text
	synonyms []string
}{
	FieldName:         {i18n.Text{Zh: "客户名称", En: "Customer name"}, []string{"客户名称", "公司名称", "客户", "名称", "企业名称", "单位名称", "客户姓名", "name", "customer", "customername", "company", "companyname"}},
	FieldKind:         {i18n.Text{Zh: "客户类型", En: "Kind"}, []string{"客户类型", "类型", "kind", "type", "customertype"}},
	FieldUSCC:         {i18n.Text{Zh: "统一社会信用代码", En: "Credit code (USCC)"}, []string{"统一社会信用代码", "信用代码", "社会信用代码", "税号", "uscc", "creditcode"}},
	FieldContactName:  {i18n.Text{Zh: "联系人", En: "Contact"}, []string{"联系人", "联系人姓名", "姓名", "contact", "contactname"}},
	FieldPhone:        {i18n.Text{Zh: "电话", En: "Phone"}, []string{"手机", "电话", "手机号", "手机号码", "联系电话", "电话号码", "联系方式", "phone", "mobile", "tel", "telephone"}},
	FieldOwner:        {i18n.Text{Zh: "负责人 (用户名)", En: "Owner (username)"}, []string{"负责人", "销售", "业务员", "销售人员", "归属销售", "报备人", "owner", "salesperson", "sales", "username", "ownerusername"}},
	FieldRegisteredAt: {i18n.Text{Zh: "报备时间", En: "Registered at"}, []string{"报备时间", "报备日期", "登记时间", "registeredat", "registered", "registrationdate", "date"}},
	FieldFirstContact: {i18n.Text{Zh: "首次接触时间", En: "First contact"}, []string{"首次接触时间", "首次接触", "首次联系时间", "firstcontact", "firstcontactat"}},
	FieldRegion:       {i18n.Text{Zh: "区域", En: "Region"}, []string{"区域", "地区", "所属区域", "region", "area"}},
	FieldProject:      {i18n.Text{Zh: "项目", En: "Project"}, []string{"项目", "项目名称", "project", "projectname"}},
	FieldIndustry:     {i18n.Text{Zh: "行业", En: "Industry"}, []string{"行业", "所属行业", "industry"}},
	FieldSize:         {i18n.Text{Zh: "规模", En: "Size"}, []string{"规模", "企业规模", "公司规模", "size"}},
	FieldAddress:      {i18n.Text{Zh: "地址", En: "Address"}, []string{"地址", "详细地址", "公司地址", "address"}},
	FieldGrade:        {i18n.Text{Zh: "意向等级", En: "Grade"}, []string{"等级", "意向等级", "客户等级", "grade", "level"}},
	FieldNeeds:        {i18n.Text{Zh: "需求", En: "Needs"}, []string{"需求", "需求描述", "客户需求", "needs", "requirements"}},
	FieldSource:       {i18n.Text{Zh: "来源", En: "Source"}, []string{"来源", "客户来源", "source"}},
}

// Label returns the column's name as the mapping form shows it.
func (f ImportField) Label() i18n.Text { return importFieldInfo[f].label }

// ImportMapping maps import fields to the file's columns, numbered from 0;
// an absent field reads nothing.
type ImportMapping map[ImportField]int

// DetectMapping maps each field to the first header that names it (Chinese
// or English, ignoring case, spaces and punctuation); each column serves
// one field at most.
func DetectMapping(headers []string) ImportMapping {
	m := ImportMapping{}
	taken := map[int]bool{}
	for _, f := range ImportFields {
		for _, syn := range importFieldInfo[f].synonyms {
			if col := findHeader(headers, syn, taken); col >= 0 {
				m[f], taken[col] = col, true
				break
			}
		}
	}
	return m
}

func findHeader(headers []string, syn string, taken map[int]bool) int {
	for i, h := range headers {
		if !taken[i] && headerKey(h) == syn {
			return i
		}
	}
	return -1
}

// headerKey is a header as compared with the synonyms: NFKC, lower case,
// letters and digits only.
func headerKey(h string) string { return keyChars(fold(h)) }

// check refuses a mapping without a name column, or naming a column the
// file does not have or one column twice.
func (m ImportMapping) check(columns int) error {
	if _, ok := m[FieldName]; !ok {
		return Invalid(map[string]i18n.Text{"mapping.name": {Zh: "请选择客户名称所在的列", En: "Choose the column holding the customer name"}})
	}
	used := map[int]ImportField{}
	for f, col := range m {
		if _, known := importFieldInfo[f]; !known {
			return Invalid(map[string]i18n.Text{"mapping": {Zh: "未知字段 " + string(f), En: "Unknown field " + string(f)}})
		}
		if col < 0 || col >= columns {
			return Invalid(map[string]i18n.Text{"mapping." + string(f): {Zh: "文件中没有这一列", En: "The file has no such column"}})
		}
		if other, dup := used[col]; dup {
			return Invalid(map[string]i18n.Text{"mapping." + string(f): {
				Zh: "这一列已对应" + other.Label().Zh, En: "This column is already mapped to " + other.Label().En}})
		}
		used[col] = f
	}
	return nil
}

// Limits of an import file.
const (
	maxImportRows    = 200_000
	maxImportColumns = 100
)

// importTable is a file read as text: the header row and the data rows,
// each with its line in the file.
type importTable struct {
	headers []string
	rows    [][]string
	lines   []int
}

var errImportEmpty = InvalidMsg(i18n.Text{Zh: "文件中没有数据 (第一行应为表头)", En: "The file holds no data (the first row must be the headings)"})

// readImportTable reads a CSV (UTF-8, with or without a byte order mark,
// or GB18030 as Chinese Excel saves it) or an XLSX workbook (its first
// sheet). Blank rows are skipped; the first non-blank row is the header.
func readImportTable(data []byte) (importTable, error) {
	var records [][]string
	var err error
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		records, err = readXLSX(data)
	} else {
		records, err = readCSV(data)
	}
	if err != nil {
		return importTable{}, err
	}
	var t importTable
	for i, rec := range records {
		if blankRow(rec) {
			continue
		}
		if len(rec) > maxImportColumns {
			return importTable{}, InvalidMsg(i18n.Text{
				Zh: fmt.Sprintf("第 %d 行超过 %d 列", i+1, maxImportColumns), En: fmt.Sprintf("Line %d has more than %d columns", i+1, maxImportColumns)})
		}
		if t.headers == nil {
			t.headers = rec
			continue
		}
		if len(t.rows) == maxImportRows {
			return importTable{}, InvalidMsg(i18n.Text{
				Zh: fmt.Sprintf("一次最多导入 %d 行", maxImportRows), En: fmt.Sprintf("At most %d rows per import", maxImportRows)})
		}
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, i+1)
	}
	if len(t.rows) == 0 {
		return importTable{}, errImportEmpty
	}
	return t, nil
}

func blankRow(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

var errImportFormat = InvalidMsg(i18n.Text{Zh: "无法读取文件: 请上传 CSV 或 XLSX 文件", En: "Cannot read the file: upload a CSV or XLSX file"})

func readCSV(data []byte) ([][]string, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		decoded, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			return nil, errImportFormat
		}
		data = decoded
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, errImportFormat
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var records [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return records, nil
		}
		if err != nil {
			return nil, InvalidMsg(i18n.Text{Zh: "CSV 格式有误: " + err.Error(), En: "Malformed CSV: " + err.Error()})
		}
		records = append(records, rec)
	}
}

func readXLSX(data []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, errImportFormat
	}
	defer f.Close()
	records, err := f.GetRows(f.GetSheetName(0), excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, errImportFormat
	}
	return records, nil
}

// importRow is one data row read through the mapping: the registration it
// asks for, its owner's username and its registration time (nil: the
// import's time), or the reasons it cannot be imported.
type importRow struct {
	line         int
	in           RegistrationInput
	owner        string
	registeredAt *time.Time
	errs         map[ImportField]i18n.Text
}

// importTimeLayouts are the date formats a time column accepts, in the
// tenant's zone.
var importTimeLayouts = []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02",
	"2006/1/2 15:04:05", "2006/1/2 15:04", "2006/1/2", "2006.1.2", "2006年1月2日 15:04", "2006年1月2日"}

// parseImportTime reads a time column: a listed layout in loc, or an Excel
// date serial number.
func parseImportTime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(norm.NFKC.String(s))
	for _, layout := range importTimeLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 && f < 2958466 && !math.IsNaN(f) {
		t, err := excelize.ExcelDateToTime(f, false)
		if err == nil {
			// A serial number is a wall-clock time in the tenant's zone.
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc), true
		}
	}
	return time.Time{}, false
}

// validateFields maps Validate's JSON paths to import fields.
var validateFields = map[string]ImportField{
	"customer.kind": FieldKind, "customer.name": FieldName, "customer.uscc": FieldUSCC,
	"customer.industry": FieldIndustry, "customer.size": FieldSize, "customer.region": FieldRegion,
	"customer.address": FieldAddress, "customer.project": FieldProject, "needs": FieldNeeds, "source": FieldSource,
	"customer.contacts.0.name": FieldContactName, "customer.contacts.0.phone": FieldPhone, "grade": FieldGrade,
	"first_contact_at": FieldFirstContact,
}

// parseRow reads one data row through m: cells beyond the row are empty.
// It checks the shape as Validate does, and the kind and time columns; it
// knows nothing of owners, policy or other rows.
func (m ImportMapping) parseRow(line int, cells []string, loc *time.Location) importRow {
	cell := func(f ImportField) string {
		if col, ok := m[f]; ok && col >= 0 && col < len(cells) {
			return strings.TrimSpace(cells[col])
		}
		return ""
	}
	r := importRow{line: line, owner: cell(FieldOwner), errs: map[ImportField]i18n.Text{}}
	kind := KindCompany
	switch k := headerKey(cell(FieldKind)); k {
	case "", "公司", "企业", "单位", "company", "企业客户":
	case "个人", "person", "individual", "个人客户":
		kind = KindPerson
	default:
		r.errs[FieldKind] = i18n.Text{Zh: "客户类型须为公司或个人", En: "Kind must be company or person"}
	}
	r.in = RegistrationInput{
		Customer: Customer{Kind: kind, Name: cell(FieldName), USCC: cell(FieldUSCC), Industry: cell(FieldIndustry),
			Size: cell(FieldSize), Region: cell(FieldRegion), Address: cell(FieldAddress), Project: cell(FieldProject)},
		Grade: strings.ToUpper(cell(FieldGrade)), Needs: cell(FieldNeeds), Source: cell(FieldSource),
	}
	if name, phone := cell(FieldContactName), cell(FieldPhone); name != "" || phone != "" {
		r.in.Customer.Contacts = []Contact{{Name: name, Phone: phone, Relation: "self"}}
	}
	for _, tf := range []struct {
		field ImportField
		dst   **time.Time
	}{{FieldRegisteredAt, &r.registeredAt}, {FieldFirstContact, &r.in.FirstContactAt}} {
		s := cell(tf.field)
		if s == "" {
			continue
		}
		t, ok := parseImportTime(s, loc)
		if !ok {
			r.errs[tf.field] = i18n.Text{Zh: "无法识别的时间, 请用 2026-11-02 10:31 的格式", En: "Unrecognised time; use the form 2026-11-02 10:31"}
			continue
		}
		*tf.dst = &t
	}
	for path, msg := range r.in.Validate() {
		f, ok := validateFields[path]
		if !ok {
			f = FieldName
		}
		if _, set := r.errs[f]; !set {
			r.errs[f] = msg
		}
	}
	return r
}

// invalidReason joins a row's errors, in field order, into one reason.
func invalidReason(errs map[ImportField]i18n.Text) i18n.Text {
	var zh, en []string
	for _, f := range ImportFields {
		if msg, ok := errs[f]; ok {
			zh = append(zh, f.Label().Zh+": "+msg.Zh)
			en = append(en, f.Label().En+": "+msg.En)
		}
	}
	return i18n.Text{Zh: strings.Join(zh, "; "), En: strings.Join(en, "; ")}
}
