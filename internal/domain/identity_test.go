package domain

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNameKey(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		// The equalities domain.md and the brief require.
		{"plain", "北京华为技术有限公司", "北京华为技术"},
		{"bracketed place moves to the front", "华为技术(北京)有限公司", "北京华为技术"},
		{"full-width brackets", "华为技术（北京）有限公司", "北京华为技术"},
		{"股份有限公司", "北京华为技术股份有限公司", "北京华为技术"},
		{"spaces", " 北京 华为技术 有限公司 ", "北京华为技术"},
		{"ideographic spaces", "\u3000北京\u3000华为技术\u3000有限公司", "北京华为技术"},
		{"English", "Huawei Technologies Co., Ltd.", "huaweitechnologies"},
		{"English upper case, no punctuation", "HUAWEI TECHNOLOGIES CO LTD", "huaweitechnologies"},
		{"full-width Latin and Inc.", "Ｈｕａｗｅｉ Technologies Inc.", "huaweitechnologies"},
		{"Co.,Ltd without spaces", "Huawei Technologies Co.,Ltd", "huaweitechnologies"},
		{"Limited", "Huawei Technologies Limited", "huaweitechnologies"},
		{"Company Limited", "Huawei Technologies Company Limited", "huaweitechnologies"},
		{"Chinese name with English suffix", "华为技术 Co., Ltd.", "华为技术"},

		// Brackets.
		{"【】", "华为技术【北京】有限公司", "北京华为技术"},
		{"[]", "华为技术[北京]有限公司", "北京华为技术"},
		{"place with 市", "华为技术(北京市)有限公司", "北京华为技术"},
		{"place after the legal form", "华为技术有限公司(北京)", "北京华为技术"},
		{"place in front already", "(北京)华为技术有限公司", "北京华为技术"},
		{"中国 is a place", "西门子(中国)有限公司", "中国西门子"},
		{"city", "腾讯科技(深圳)有限公司", "深圳腾讯科技"},
		{"district by its suffix", "华为技术(海淀区)有限公司", "海淀区华为技术"},
		{"county by its suffix", "某某农业(安吉县)有限公司", "安吉县某某农业"},
		{"autonomous region", "某某贸易(广西壮族自治区)有限公司", "广西某某贸易"},
		{"two places keep their order", "华为技术(北京)(海淀区)有限公司", "北京海淀区华为技术"},
		{"not a place stays in place", "华为技术(筹)有限公司", "华为技术筹"},
		{"集团 in brackets", "某某(集团)有限公司", "某某"},
		{"unmatched bracket is punctuation", "华为技术(北京有限公司", "华为技术北京"},
		{"English bracket is no place", "Huawei (Beijing) Co., Ltd.", "huaweibeijing"},

		// Leading places.
		{"leading 市 dropped", "北京市华为技术有限公司", "北京华为技术"},
		{"leading 省 dropped", "广东省某某贸易有限公司", "广东某某贸易"},
		{"leading 壮族自治区 dropped", "广西壮族自治区某某贸易有限公司", "广西某某贸易"},
		{"leading 特别行政区 dropped", "香港特别行政区某某贸易有限公司", "香港某某贸易"},
		{"leading city 市 dropped", "深圳市腾讯计算机系统有限公司", "深圳腾讯计算机系统"},
		{"中国 takes no 市", "中国市场研究有限公司", "中国市场研究"},
		// The price of dropping 市: 市场 after a city loses it too, the same
		// way in every variant.
		{"市场 after a city", "北京市场营销有限公司", "北京场营销"},
		{"市 and 市场 after a city", "北京市市场营销有限公司", "北京场营销"},
		{"many 市", "北京市市市市市市市市市市市市", "北京"},

		// Legal forms.
		{"集团有限公司", "华为技术集团有限公司", "华为技术"},
		{"集团", "华为技术集团", "华为技术"},
		{"集团股份有限公司", "华为技术集团股份有限公司", "华为技术"},
		{"有限责任公司", "北京小米科技有限责任公司", "北京小米科技"},
		{"股份", "万科股份", "万科"},
		{"repeated", "华为技术有限公司 公司", "华为技术"},
		{"only a legal form keeps it", "有限公司", "有限公司"},
		{"only Latin legal forms keep the last", "Co., Ltd.", "co"},

		// Branches.
		{"branch keeps 分公司", "华为技术有限公司深圳分公司", "华为技术深圳分公司"},
		{"branch without the parent's form", "华为技术深圳分公司", "华为技术深圳分公司"},
		{"branch in brackets", "华为技术有限公司 (深圳分公司)", "华为技术深圳分公司"},
		{"branch of a 股份有限公司", "华为技术股份有限公司深圳分公司", "华为技术深圳分公司"},

		// Latin words.
		{"co inside a word stays", "Tesco", "tesco"},
		{"PLC", "Tesco PLC", "tesco"},
		{"symbols removed", "AT&T Inc.", "att"},
		{"person", "张伟", "张伟"},
		{"digits kept", "3M 中国有限公司", "3m中国"},

		// Nothing left.
		{"empty", "", ""},
		{"blank", "   ", ""},
		{"punctuation only", "（）——！…", ""},
		{"invalid UTF-8 dropped", "华为\xff技术有限公司", "华为技术"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NameKey(tt.in); got != tt.want {
				t.Errorf("NameKey(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNameKeyKeepsApart(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"leading places differ", "北京华为技术有限公司", "上海华为技术有限公司"},
		{"bracketed places differ", "华为技术(北京)有限公司", "华为技术(上海)有限公司"},
		{"a place is not dropped", "北京华为技术有限公司", "华为技术有限公司"},
		{"branch is not its head office", "华为技术深圳分公司", "华为技术有限公司"},
		{"branches differ", "华为技术深圳分公司", "华为技术广州分公司"},
		{"Latin co only as a word", "Tesco", "Tes Co."},
		{"people", "张伟", "张玮"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ka, kb := NameKey(tt.a), NameKey(tt.b); ka == kb {
				t.Errorf("NameKey(%q) == NameKey(%q) == %q, want them apart", tt.a, tt.b, ka)
			}
		})
	}
}

func TestProjectKey(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain", "智慧园区二期", "智慧园区二期"},
		{"spaces and punctuation", " 智慧园区 · 二期！", "智慧园区二期"},
		{"full-width and case", "ＥＲＰ Upgrade 2026", "erpupgrade2026"},
		{"legal forms are kept", "某某有限公司改造项目", "某某有限公司改造项目"},
		{"empty", "", ""},
		{"punctuation only", "—— ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ProjectKey(tt.in); got != tt.want {
				t.Errorf("ProjectKey(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"mobile", "13812345678", "13812345678"},
		{"+86 with spaces", "+86 138 1234 5678", "13812345678"},
		{"+86 with hyphens", "+86-138-1234-5678", "13812345678"},
		{"0086", "0086 13812345678", "13812345678"},
		{"bare 86", "8613812345678", "13812345678"},
		{"(+86)", "(+86) 138-1234-5678", "13812345678"},
		{"full-width digits", "１３８１２３４５６７８", "13812345678"},
		{"spaces and hyphens", "138 1234-5678", "13812345678"},
		{"masked 前三后四", "138****5678", "138****5678"},
		{"masked last four", "1381234****", "1381234****"},
		{"full-width asterisks", "138＊＊＊＊5678", "138****5678"},
		{"+86 before a masked mobile", "+86 138****5678", "138****5678"},
		{"landline", "010-12345678", "01012345678"},
		{"+86 before a landline restores the trunk 0", "+86 10 1234 5678", "01012345678"},
		{"+86 (0) landline", "+86 (0)21 1234 5678", "02112345678"},
		{"0086 before a landline", "0086 21 1234 5678", "02112345678"},
		{"bare 86 before a non-mobile is kept", "86 10 1234 5678", "861012345678"},
		{"86 alone", "86", "86"},
		{"other country code kept", "+1 415 555 0100", "14155550100"},
		{"short", "12345", "12345"},
		{"letters dropped", "tel: 138-1234-5678", "13812345678"},
		{"no digits", "abc", ""},
		{"stars only", "****", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizePhone(tt.in); got != tt.want {
				t.Errorf("NormalizePhone(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPhonesMatch(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"equal", "13812345678", "13812345678", true},
		{"different", "13812345678", "13812345679", false},
		{"last four hidden agrees", "1381234****", "13812345678", true},
		{"last four hidden, other side", "13812345678", "1381234****", true},
		{"前三后四 agrees", "138****5678", "13812345678", true},
		{"前三后四 disagrees", "138****5679", "13812345678", false},
		{"visible digit disagrees", "1391234****", "13812345678", false},
		{"different length", "1381234***", "13812345678", false},
		{"masked shows too little", "1**********", "13812345678", false},
		{"masked shows four", "1381*******", "13812345678", true},
		{"two identical masked, seven visible", "1381234****", "1381234****", true},
		{"two identical masked, too few visible", "138******78", "138******78", false},
		{"two different masked", "1381234****", "138****5678", false},
		{"empty", "", "", false},
		{"empty against phone", "", "13812345678", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PhonesMatch(tt.a, tt.b); got != tt.want {
				t.Errorf("PhonesMatch(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestPhoneMasked(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"full", "13812345678", false},
		{"last four", "1381234****", true},
		{"前三后四", "138****5678", true},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PhoneMasked(tt.in); got != tt.want {
				t.Errorf("PhoneMasked(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"mobile", "13812345678", "1381234****"},
		{"raw input is normalised", "+86 138-1234-5678", "1381234****"},
		{"already masked", "1381234****", "1381234****"},
		{"前三后四 hides the rest", "138****5678", "138********"},
		{"landline", "010-12345678", "0101234****"},
		{"five digits", "12345", "1****"},
		{"four digits", "1234", "****"},
		{"two digits", "12", "**"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MaskPhone(tt.in); got != tt.want {
				t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// withUSCCCheck appends the GB 32100-2015 check character to 17
// characters, computing the weights as powers of 3 rather than from the
// table identity.go uses.
func withUSCCCheck(t *testing.T, first17 string) string {
	t.Helper()
	const charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	sum, w := 0, 1
	for _, r := range first17 {
		v := strings.IndexRune(charset, r)
		if v < 0 {
			t.Fatalf("%q: %q is not in the charset", first17, r)
		}
		sum += v * w
		w = w * 3 % 31
	}
	return first17 + string(charset[(31-sum%31)%31])
}

func TestValidUSCC(t *testing.T) {
	tests := []struct {
		name string
		code string
		want bool
	}{
		// Published codes, whose check characters agree with the algorithm:
		// the example of GB 32100-2015 and the codes of companies as shown on
		// their business licences (华为技术有限公司, 深圳市腾讯计算机系统有限公司,
		// 北京小米科技有限责任公司) in the national enterprise credit
		// information publicity system.
		{"GB 32100 example", "91350100M000100Y43", true},
		{"华为技术有限公司", "914403001922038216", true},
		{"深圳市腾讯计算机系统有限公司", "91440300708461136T", true},
		{"北京小米科技有限责任公司", "91110108551385082Q", true},
		// Computed with withUSCCCheck.
		{"computed, 工商", withUSCCCheck(t, "91110000MA01ABCD1"), true},
		{"computed, 民政", withUSCCCheck(t, "53100000500021676"), true},
		{"computed, check character 0", withUSCCCheck(t, "91110000000000025"), true},

		{"wrong check character", "914403001922038217", false},
		{"letter check character wrong", "91440300708461136U", false},
		{"17 characters", "91440300192203821", false},
		{"19 characters", "9144030019220382160", false},
		{"I is not in the charset", "91440300I92203821" + "6", false},
		{"O is not in the charset", "9144030O192203821" + "6", false},
		{"lower case is not normalised", "91440300708461136t", false},
		{"non-ASCII", "914403001922038２16", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidUSCC(tt.code); got != tt.want {
				t.Errorf("ValidUSCC(%q) = %v, want %v", tt.code, got, tt.want)
			}
		})
	}
}

func TestUSCCCheckZero(t *testing.T) {
	// The table case "check character 0" must really exercise the 31 → 0 wrap.
	if got := withUSCCCheck(t, "91110000000000025"); got != "911100000000000250" {
		t.Fatalf("withUSCCCheck = %q, want check character 0", got)
	}
}

func TestNormalizeUSCC(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"already normal", "91440300708461136T", "91440300708461136T"},
		{"lower case", "91440300708461136t", "91440300708461136T"},
		{"spaces and hyphens", " 9144-0300-7084-6113-6T ", "91440300708461136T"},
		{"full-width", "９１４４０３００７０８４６１１３６Ｔ", "91440300708461136T"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NormalizeUSCC(tt.in)
			if got != tt.want {
				t.Errorf("NormalizeUSCC(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if tt.want != "" && !ValidUSCC(got) {
				t.Errorf("ValidUSCC(NormalizeUSCC(%q)) = false", tt.in)
			}
		})
	}
}

func TestStrongKeys(t *testing.T) {
	tests := []struct {
		name string
		c    Customer
		want []Key
	}{
		{
			name: "company with everything",
			c: Customer{
				Kind: KindCompany, Name: "华为技术(北京)有限公司", USCC: "9144-0300-1922-0382-16",
				Project: "智慧园区 二期",
				Contacts: []Contact{
					{Name: "张三", Phone: "+86 138 1234 5678", Relation: "self"},
					{Name: "李四", Phone: "13900001111", Relation: "colleague"},
					{Name: "王五", Phone: "13700002222"},
					{Name: "赵六", Phone: "1361234****"},
				},
			},
			want: []Key{
				{KeyUSCC, "914403001922038216"},
				{KeyName, "北京华为技术"},
				{KeyPhone, "13812345678"},
				{KeyPhone, "13700002222"},
				{KeyProject, "智慧园区二期"},
			},
		},
		{
			name: "invalid credit code, empty project",
			c:    Customer{Kind: KindCompany, Name: "某某贸易有限公司", USCC: "914403001922038217", Project: " "},
			want: []Key{{KeyName, "某某贸易"}},
		},
		{
			name: "person: name only with a self phone",
			c: Customer{
				Kind: KindPerson, Name: "张伟",
				Contacts: []Contact{
					{Name: "张伟", Phone: "13812345678"},
					{Name: "李娜", Phone: "13900001111", Relation: "spouse"},
					{Name: "张伟", Phone: "138****5678", Relation: "self"},
				},
			},
			want: []Key{
				{KeyName, "张伟|13812345678"},
				{KeyPhone, "13812345678"},
				{KeyPhone, "13900001111"},
			},
		},
		{
			name: "person without a phone has no name key",
			c:    Customer{Kind: KindPerson, Name: "张伟", Contacts: []Contact{{Name: "张伟"}}},
			want: nil,
		},
		{
			name: "duplicates removed, order kept",
			c: Customer{
				Kind: KindCompany, Name: "某某贸易",
				Contacts: []Contact{
					{Name: "甲", Phone: "13812345678", Relation: "parent"},
					{Name: "乙", Phone: "138-1234-5678", Relation: "child"},
					{Name: "丙", Phone: "13612345678", Relation: "sibling"},
				},
			},
			want: []Key{{KeyName, "某某贸易"}, {KeyPhone, "13812345678"}, {KeyPhone, "13612345678"}},
		},
		{
			name: "too short a phone is no key",
			c:    Customer{Kind: KindCompany, Name: "某某贸易", Contacts: []Contact{{Name: "甲", Phone: "110"}}},
			want: []Key{{KeyName, "某某贸易"}},
		},
		{
			name: "empty customer",
			c:    Customer{},
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.StrongKeys(); !slices.Equal(got, tt.want) {
				t.Errorf("StrongKeys() = %v, want %v", got, tt.want)
			}
		})
	}
}

// nameSeeds are real-looking names whose bracket and legal-form variants
// must share a key; FuzzNameKey starts from them and TestNameKeyVariants
// checks them on every run.
var nameSeeds = []string{
	"华为技术", "北京华为技术", "腾讯科技", "某某贸易", "Huawei Technologies",
	"小米科技", "深圳分", "3M", "张伟", "Tesco", "华为技术深圳分公司",
}

func TestNameKeyVariants(t *testing.T) {
	for _, s := range nameSeeds {
		t.Run(s, func(t *testing.T) {
			if !variantsApply(s) {
				t.Fatalf("seed %q does not qualify for the variant property", s)
			}
			checkNameVariants(t, s)
		})
	}
}

func FuzzNameKey(f *testing.F) {
	for _, s := range nameSeeds {
		f.Add(s)
	}
	// Inputs where removing separators exposes more to normalise.
	for _, s := range []string{
		"华为技术(北京)有限公司", "Ｈｕａｗｅｉ Technologies Co., Ltd.", "（）【】",
		"acme c.o", "北京有 限公司", "北京市市场", "上海市市市市市市市市市市市", "ᄀ.ᅡ", "İSTANBUL", "㍿", "(北京(上海))",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		k := NameKey(name)
		if !utf8.ValidString(k) {
			t.Fatalf("NameKey(%q) = %q, not valid UTF-8", name, k)
		}
		if strings.IndexFunc(k, func(r rune) bool { return !isKeyRune(r) }) >= 0 {
			t.Fatalf("NameKey(%q) = %q, has a separator", name, k)
		}
		if again := NameKey(k); again != k {
			t.Fatalf("NameKey not idempotent: %q → %q → %q", name, k, again)
		}
		if variantsApply(name) {
			checkNameVariants(t, name)
		}
	})
}

// checkNameVariants checks that legal-form variants of name share its key,
// and that its place variants share one key.
func checkNameVariants(t *testing.T, name string) {
	t.Helper()
	want := NameKey(name)
	for _, v := range []string{
		name + "有限公司",
		name + " 有限公司",
		" " + name + " 股份有限公司 ",
		name + "集团有限公司",
		name + " Co., Ltd.",
		name + " Inc.",
	} {
		if got := NameKey(v); got != want {
			t.Errorf("NameKey(%q) = %q, want %q as for %q", v, got, want, name)
		}
	}
	want = NameKey("北京" + name + "有限公司")
	for _, v := range []string{
		name + "(北京)有限公司",
		name + "（北京）有限公司",
		name + "【北京市】有限公司",
		"北京市" + name + "有限公司",
		name + "有限公司(北京)",
	} {
		if got := NameKey(v); got != want {
			t.Errorf("NameKey(%q) = %q, want %q as for 北京%s有限公司", v, got, want, name)
		}
	}
}

// variantsApply reports whether name is plain enough for the variant
// property: Han, Latin letters, digits and spaces only, and not ending in a
// legal form (a name that is only a legal form keeps it, so its variants
// differ).
func variantsApply(name string) bool {
	folded := fold(name)
	for _, r := range folded {
		if !(r == ' ' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || isHan(string(r))) {
			return false
		}
	}
	toks := nameTokens(folded)
	if len(toks) == 0 {
		return false
	}
	last := toks[len(toks)-1]
	if _, cut := cutHanLegalForm(last); latinLegalForms[last] || isHan(last) && cut {
		return false
	}
	return true
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "138****5678",
		"1381234****", "+86 10 1234 5678", "86", "+", "１３８", "", "*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := NormalizePhone(s)
		if strings.Trim(p, "0123456789*") != "" {
			t.Fatalf("NormalizePhone(%q) = %q, not digits and '*'", s, p)
		}
		if p != "" && !strings.ContainsAny(p, "0123456789") {
			t.Fatalf("NormalizePhone(%q) = %q, no digit", s, p)
		}
		if again := NormalizePhone(p); again != p {
			t.Fatalf("NormalizePhone not idempotent: %q → %q → %q", s, p, again)
		}
		m := MaskPhone(p)
		if len(m) != len(p) {
			t.Fatalf("MaskPhone(%q) = %q, want as long", p, m)
		}
		if again := MaskPhone(m); again != m && visibleDigits(m) > 0 {
			t.Fatalf("MaskPhone not idempotent: %q → %q → %q", p, m, again)
		}
	})
}
