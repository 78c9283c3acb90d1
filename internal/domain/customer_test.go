package domain

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// validInput returns a registration that passes Validate with every field
// filled in.
func validInput() RegistrationInput {
	first := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	amount := 500000.0
	return RegistrationInput{
		Customer: Customer{
			Kind: KindCompany, Name: "北京华为技术有限公司", USCC: "914403001922038216",
			Industry: "通信", Size: "1000人以上", Region: "华北", Address: "北京市海淀区\n中关村",
			Project:  "智慧园区二期",
			Contacts: []Contact{{Name: "张三", Title: "采购经理", Phone: "+86 138 1234 5678", Relation: "self"}},
		},
		Grade: "A", Needs: "核心网扩容\n明年一季度", Source: "展会", FirstContactAt: &first,
		HistoryClaim: "2024年签约过合同 HT-2024-019", ExpectedAmount: &amount,
	}
}

func TestValidate(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name   string
		modify func(in *RegistrationInput)
		want   []string // keys of the field errors, sorted
	}{
		{"complete", func(in *RegistrationInput) {}, nil},
		{"minimal", func(in *RegistrationInput) {
			*in = RegistrationInput{Customer: Customer{Kind: KindCompany, Name: "某某贸易"}}
		}, nil},
		{"person", func(in *RegistrationInput) {
			in.Customer = Customer{Kind: KindPerson, Name: "张伟", Contacts: []Contact{{Name: "张伟", Phone: "13812345678"}}}
		}, nil},

		{"kind missing", func(in *RegistrationInput) { in.Customer.Kind = "" }, []string{"customer.kind"}},
		{"kind unknown", func(in *RegistrationInput) { in.Customer.Kind = "org" }, []string{"customer.kind"}},

		{"name missing", func(in *RegistrationInput) { in.Customer.Name = "" }, []string{"customer.name"}},
		{"name blank", func(in *RegistrationInput) { in.Customer.Name = " \u3000 " }, []string{"customer.name"}},
		{"name punctuation only", func(in *RegistrationInput) { in.Customer.Name = "（）！" }, []string{"customer.name"}},
		{"name 200 characters", func(in *RegistrationInput) { in.Customer.Name = strings.Repeat("华", 200) }, nil},
		{"name 201 characters", func(in *RegistrationInput) { in.Customer.Name = strings.Repeat("华", 201) }, []string{"customer.name"}},
		{"name invalid UTF-8", func(in *RegistrationInput) { in.Customer.Name = "华为\xff" }, []string{"customer.name"}},
		{"name with a line break", func(in *RegistrationInput) { in.Customer.Name = "华为\n技术" }, []string{"customer.name"}},
		{"name with NUL", func(in *RegistrationInput) { in.Customer.Name = "华为\x00" }, []string{"customer.name"}},

		{"credit code wrong", func(in *RegistrationInput) { in.Customer.USCC = "914403001922038217" }, []string{"customer.uscc"}},
		{"credit code short", func(in *RegistrationInput) { in.Customer.USCC = "9144030019" }, []string{"customer.uscc"}},
		{"credit code to normalise", func(in *RegistrationInput) { in.Customer.USCC = " 9144-0300-7084-6113-6t " }, nil},
		{"credit code blank", func(in *RegistrationInput) { in.Customer.USCC = "  " }, nil},

		{"grade empty", func(in *RegistrationInput) { in.Grade = "" }, nil},
		{"grade H", func(in *RegistrationInput) { in.Grade = "H" }, nil},
		{"grade B", func(in *RegistrationInput) { in.Grade = "B" }, nil},
		{"grade C", func(in *RegistrationInput) { in.Grade = "C" }, nil},
		{"grade lower case", func(in *RegistrationInput) { in.Grade = "a" }, []string{"grade"}},
		{"grade unknown", func(in *RegistrationInput) { in.Grade = "D" }, []string{"grade"}},

		{"relation empty", func(in *RegistrationInput) { in.Customer.Contacts[0].Relation = "" }, nil},
		{"relation colleague", func(in *RegistrationInput) { in.Customer.Contacts[0].Relation = "colleague" }, nil},
		{"relation other", func(in *RegistrationInput) { in.Customer.Contacts[0].Relation = "other" }, nil},
		{"relation unknown", func(in *RegistrationInput) { in.Customer.Contacts[0].Relation = "friend" },
			[]string{"customer.contacts.0.relation"}},

		{"phone masked 前三后四", func(in *RegistrationInput) { in.Customer.Contacts[0].Phone = "138****5678" }, nil},
		{"phone masked last four", func(in *RegistrationInput) { in.Customer.Contacts[0].Phone = "1381234****" }, nil},
		{"phone landline", func(in *RegistrationInput) { in.Customer.Contacts[0].Phone = "(010) 1234-5678" }, nil},
		{"phone full-width", func(in *RegistrationInput) { in.Customer.Contacts[0].Phone = "１３８ １２３４ ５６７８" }, nil},
		{"phone seven digits", func(in *RegistrationInput) { in.Customer.Contacts[0].Phone = "1234567" }, nil},
		{"phone fifteen digits", func(in *RegistrationInput) { in.Customer.Contacts[0].Phone = "123456789012345" }, nil},
		{"phone six digits", func(in *RegistrationInput) { in.Customer.Contacts[0].Phone = "123456" },
			[]string{"customer.contacts.0.phone"}},
		{"phone sixteen digits", func(in *RegistrationInput) { in.Customer.Contacts[0].Phone = "1234567890123456" },
			[]string{"customer.contacts.0.phone"}},
		{"phone with an extension", func(in *RegistrationInput) { in.Customer.Contacts[0].Phone = "138 1234 5678 转 123" },
			[]string{"customer.contacts.0.phone"}},
		{"phone with x for hidden digits", func(in *RegistrationInput) { in.Customer.Contacts[0].Phone = "138xxxx5678" },
			[]string{"customer.contacts.0.phone"}},
		{"phone masked too much", func(in *RegistrationInput) { in.Customer.Contacts[0].Phone = "138********" },
			[]string{"customer.contacts.0.phone"}},
		{"phone only stars", func(in *RegistrationInput) { in.Customer.Contacts[0].Phone = "***********" },
			[]string{"customer.contacts.0.phone"}},

		{"contact with a phone only", func(in *RegistrationInput) { in.Customer.Contacts[0].Name = "" }, nil},
		{"contact empty", func(in *RegistrationInput) { in.Customer.Contacts[0] = Contact{} },
			[]string{"customer.contacts.0.name"}},
		{"second contact wrong", func(in *RegistrationInput) {
			in.Customer.Contacts = append(in.Customer.Contacts, Contact{Name: "李四", Phone: "12", Relation: "boss"})
		}, []string{"customer.contacts.1.phone", "customer.contacts.1.relation"}},
		{"contact name too long", func(in *RegistrationInput) { in.Customer.Contacts[0].Name = strings.Repeat("张", 101) },
			[]string{"customer.contacts.0.name"}},
		{"contact title too long", func(in *RegistrationInput) { in.Customer.Contacts[0].Title = strings.Repeat("经", 101) },
			[]string{"customer.contacts.0.title"}},
		{"twenty contacts", func(in *RegistrationInput) {
			in.Customer.Contacts = slices.Repeat([]Contact{{Name: "张三"}}, 20)
		}, nil},
		{"too many contacts", func(in *RegistrationInput) {
			in.Customer.Contacts = slices.Repeat([]Contact{{Name: "张三"}}, 21)
		}, []string{"customer.contacts"}},

		{"industry with a tab", func(in *RegistrationInput) { in.Customer.Industry = "通信\t设备" }, []string{"customer.industry"}},
		{"size too long", func(in *RegistrationInput) { in.Customer.Size = strings.Repeat("大", 101) }, []string{"customer.size"}},
		{"region too long", func(in *RegistrationInput) { in.Customer.Region = strings.Repeat("北", 101) }, []string{"customer.region"}},
		{"address too long", func(in *RegistrationInput) { in.Customer.Address = strings.Repeat("路", 301) }, []string{"customer.address"}},
		{"project too long", func(in *RegistrationInput) { in.Customer.Project = strings.Repeat("项", 201) }, []string{"customer.project"}},
		{"needs 2000 characters", func(in *RegistrationInput) { in.Needs = strings.Repeat("需", 2000) }, nil},
		{"needs too long", func(in *RegistrationInput) { in.Needs = strings.Repeat("需", 2001) }, []string{"needs"}},
		{"source with a line break", func(in *RegistrationInput) { in.Source = "展会\n" }, []string{"source"}},
		{"history claim with NUL", func(in *RegistrationInput) { in.HistoryClaim = "合同\x00" }, []string{"history_claim"}},
		{"history claim invalid UTF-8", func(in *RegistrationInput) { in.HistoryClaim = "\xfe\xff" }, []string{"history_claim"}},

		{"amount zero", func(in *RegistrationInput) { in.ExpectedAmount = f(0) }, nil},
		{"amount a trillion", func(in *RegistrationInput) { in.ExpectedAmount = f(1e12) }, nil},
		{"amount absent", func(in *RegistrationInput) { in.ExpectedAmount = nil }, nil},
		{"amount negative", func(in *RegistrationInput) { in.ExpectedAmount = f(-1) }, []string{"expected_amount"}},
		{"amount NaN", func(in *RegistrationInput) { in.ExpectedAmount = f(math.NaN()) }, []string{"expected_amount"}},
		{"amount infinite", func(in *RegistrationInput) { in.ExpectedAmount = f(math.Inf(1)) }, []string{"expected_amount"}},
		{"amount above a trillion", func(in *RegistrationInput) { in.ExpectedAmount = f(1.5e12) }, []string{"expected_amount"}},

		{"several at once", func(in *RegistrationInput) {
			in.Customer.Kind, in.Customer.Name, in.Grade = "", "", "Z"
		}, []string{"customer.kind", "customer.name", "grade"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.modify(&in)
			errs := in.Validate()
			var got []string
			for k, m := range errs {
				got = append(got, k)
				if m.Zh == "" || m.En == "" {
					t.Errorf("%s: message %+v lacks a language", k, m)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Validate() fields = %v, want %v (%v)", got, tt.want, errs)
			}
		})
	}
}

func TestStrongRelation(t *testing.T) {
	tests := []struct {
		relation string
		want     bool
	}{
		{"", true},
		{"self", true},
		{"spouse", true},
		{"parent", true},
		{"child", true},
		{"sibling", true},
		{"colleague", false},
		{"other", false},
		{"friend", false},
	}
	for _, tt := range tests {
		t.Run("relation="+tt.relation, func(t *testing.T) {
			if got := (Contact{Relation: tt.relation}).StrongRelation(); got != tt.want {
				t.Errorf("StrongRelation() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCustomerKindValid(t *testing.T) {
	tests := []struct {
		kind CustomerKind
		want bool
	}{
		{KindCompany, true},
		{KindPerson, true},
		{"", false},
		{"Company", false},
	}
	for _, tt := range tests {
		t.Run("kind="+string(tt.kind), func(t *testing.T) {
			if got := tt.kind.Valid(); got != tt.want {
				t.Errorf("Valid() = %v, want %v", got, tt.want)
			}
		})
	}
}
