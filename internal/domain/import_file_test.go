package domain

import (
	"testing"
	"time"
)

func TestDetectMapping(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    ImportMapping
	}{
		{"chinese", []string{"公司名称", "统一社会信用代码", "联系人", "联系电话", "销售", "报备日期", "区域", "项目名称", "行业", "意向等级"},
			ImportMapping{FieldName: 0, FieldUSCC: 1, FieldContactName: 2, FieldPhone: 3, FieldOwner: 4, FieldRegisteredAt: 5,
				FieldRegion: 6, FieldProject: 7, FieldIndustry: 8, FieldGrade: 9}},
		{"english, any case and punctuation", []string{" Customer Name ", "Mobile", "Owner_Username", "Registered-At", "GRADE"},
			ImportMapping{FieldName: 0, FieldPhone: 1, FieldOwner: 2, FieldRegisteredAt: 3, FieldGrade: 4}},
		{"full-width and the first of two", []string{"客户名称", "手机", "电话", "备注"},
			ImportMapping{FieldName: 0, FieldPhone: 1}},
		{"nothing known", []string{"a", "b"}, ImportMapping{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DetectMapping(tt.headers)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for f, col := range tt.want {
				if got[f] != col {
					t.Errorf("%s: column %d, want %d", f, got[f], col)
				}
			}
		})
	}
}

func TestParseImportTime(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	want := time.Date(2026, 3, 4, 10, 31, 0, 0, sh)
	for _, s := range []string{"2026-03-04 10:31", "2026/3/4 10:31", "2026-03-04 10:31:00", "２０２６-０３-０４ １０:３１", "2026-03-04T10:31:00+08:00", "46085.438194444445"} {
		got, ok := parseImportTime(s, sh)
		if !ok || !got.Equal(want) {
			t.Errorf("%q: %v %v, want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"昨天", "2026-13-01", "0", "-5"} {
		if _, ok := parseImportTime(s, sh); ok {
			t.Errorf("%q parsed", s)
		}
	}
}

func TestMappingCheck(t *testing.T) {
	tests := []struct {
		name string
		m    ImportMapping
		ok   bool
	}{
		{"name only", ImportMapping{FieldName: 0}, true},
		{"no name", ImportMapping{FieldPhone: 1}, false},
		{"beyond the file", ImportMapping{FieldName: 3}, false},
		{"negative", ImportMapping{FieldName: -1}, false},
		{"one column twice", ImportMapping{FieldName: 0, FieldPhone: 0}, false},
		{"unknown field", ImportMapping{FieldName: 0, "salary": 1}, false},
	}
	for _, tt := range tests {
		if err := tt.m.check(3); (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

// FuzzImportRow reads arbitrary files through the detected mapping: it
// never panics, and a row without errors is one Register would accept
// as well formed, with a name key.
func FuzzImportRow(f *testing.F) {
	f.Add("客户名称,手机,负责人,报备时间,客户类型\n（北京）华为技术有限公司,+86 138-1234-5678,sales1,2026-11-02 10:31,公司\n")
	f.Add("name,phone,kind\n张伟,1381234****,个人\n")
	f.Add("\ufeff名称,等级\n\"a,b\",h\n,\n")
	f.Add("客户名称,首次接触时间,统一社会信用代码\n某某,45000.5,91110000600037341L\n")
	sh, _ := time.LoadLocation("Asia/Shanghai")
	f.Fuzz(func(t *testing.T, data string) {
		table, err := readImportTable([]byte(data))
		if err != nil {
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("refusal is not Invalid: %v", err)
			}
			return
		}
		m := DetectMapping(table.headers)
		for i, cells := range table.rows {
			r := m.parseRow(table.lines[i], cells, sh)
			if len(r.errs) > 0 {
				if reason := invalidReason(r.errs); reason.Zh == "" || reason.En == "" {
					t.Fatalf("errors without a reason: %v", r.errs)
				}
				continue
			}
			if errs := r.in.Validate(); len(errs) > 0 {
				t.Fatalf("accepted row fails Validate: %v", errs)
			}
			if _, ok := m[FieldName]; ok && NameKey(r.in.Customer.Name) == "" {
				t.Fatalf("accepted row %q has no name key", r.in.Customer.Name)
			}
		}
	})
}
