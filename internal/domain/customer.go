package domain

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"baobei/internal/i18n"
)

// CustomerKind says whether a customer is a company or a person.
type CustomerKind string

// The two kinds of customer.
const (
	KindCompany CustomerKind = "company"
	KindPerson  CustomerKind = "person"
)

// Valid reports whether k is one of the two kinds.
func (k CustomerKind) Valid() bool { return k == KindCompany || k == KindPerson }

// Contact is a person at (or around) a customer. Relation is how the contact
// relates to the customer: self, spouse, parent, child, sibling, colleague or
// other; "" means self.
type Contact struct {
	Name     string `json:"name"`
	Title    string `json:"title,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Relation string `json:"relation,omitempty"`
}

// contactRelations are the valid values of Contact.Relation besides "".
var contactRelations = []string{"self", "spouse", "parent", "child", "sibling", "colleague", "other"}

// StrongRelation reports whether the contact is the customer or close
// family (self, spouse, parent, child, sibling; "" counts as self), whose
// phone identifies the customer (domain.md, the phone match).
func (c Contact) StrongRelation() bool {
	switch c.Relation {
	case "", "self", "spouse", "parent", "child", "sibling":
		return true
	}
	return false
}

// self reports whether the contact is the customer in person.
func (c Contact) self() bool { return c.Relation == "" || c.Relation == "self" }

// Customer is the company or person a registration claims.
type Customer struct {
	Kind     CustomerKind `json:"kind"`
	Name     string       `json:"name"`
	USCC     string       `json:"uscc,omitempty"`
	Industry string       `json:"industry,omitempty"`
	Size     string       `json:"size,omitempty"`
	Region   string       `json:"region,omitempty"`
	Address  string       `json:"address,omitempty"`
	Project  string       `json:"project,omitempty"`
	Contacts []Contact    `json:"contacts"`
}

// RegistrationInput is what a salesperson (or front desk on their behalf)
// submits to register a customer. FirstContactAt and ExpectedAmount are nil
// when not given.
type RegistrationInput struct {
	Customer       Customer   `json:"customer"`
	Grade          string     `json:"grade"`
	Needs          string     `json:"needs"`
	Source         string     `json:"source"`
	FirstContactAt *time.Time `json:"first_contact_at"`
	HistoryClaim   string     `json:"history_claim"`
	ExpectedAmount *float64   `json:"expected_amount"`
}

// registrationGrades are the intention grades H/A/B/C.
var registrationGrades = []string{"H", "A", "B", "C"}

// Limits on the input, in runes (characters) for text.
const (
	maxNameRunes    = 200
	maxShortRunes   = 100 // industry, size, region, source, contact name and title
	maxAddressRunes = 300
	maxLongRunes    = 2000 // needs, history claim
	maxContacts     = 20
	maxExpectedYuan = 1e12 // a trillion yuan: beyond it is a slip of the keyboard
)

// Validate checks the shape of the input and returns one message per
// offending field, keyed by its JSON path ("customer.name",
// "customer.contacts.0.phone", "grade"); an empty map means the input is
// well formed. It checks that the kind is valid; the name is present, has a
// letter or digit and is at most 200 characters; the grade is H, A, B, C or
// empty; each contact has a name or a phone, a known relation and a phone
// of 7–15 digits (or a masked one showing at least four digits); a credit
// code, when given, passes its check character; texts are valid UTF-8
// without control characters (line breaks only in long texts) and within
// their lengths; the expected amount is not negative. Whether enough is
// filled in is Completeness's business, not Validate's.
func (in RegistrationInput) Validate() map[string]i18n.Text {
	errs := map[string]i18n.Text{}
	c := in.Customer
	if !c.Kind.Valid() {
		errs["customer.kind"] = i18n.Text{Zh: "请选择客户类型 (公司或个人)", En: "Choose company or person"}
	}
	switch {
	case strings.TrimSpace(c.Name) == "":
		errs["customer.name"] = msgRequired
	default:
		if m, bad := checkText(c.Name, maxNameRunes, false); bad {
			errs["customer.name"] = m
		} else if NameKey(c.Name) == "" {
			errs["customer.name"] = i18n.Text{Zh: "名称须包含文字或数字", En: "The name needs letters or digits"}
		}
	}
	if code := NormalizeUSCC(c.USCC); code != "" && !ValidUSCC(code) {
		errs["customer.uscc"] = i18n.Text{
			Zh: "统一社会信用代码无效 (应为 18 位, 校验位须正确)",
			En: "Not a valid unified social credit code (18 characters with a correct check character)",
		}
	}
	for _, f := range []struct {
		key, value string
		limit      int
		multiline  bool
	}{
		{"customer.industry", c.Industry, maxShortRunes, false},
		{"customer.size", c.Size, maxShortRunes, false},
		{"customer.region", c.Region, maxShortRunes, false},
		{"customer.address", c.Address, maxAddressRunes, true},
		{"customer.project", c.Project, maxNameRunes, false},
		{"needs", in.Needs, maxLongRunes, true},
		{"source", in.Source, maxShortRunes, false},
		{"history_claim", in.HistoryClaim, maxLongRunes, true},
	} {
		if m, bad := checkText(f.value, f.limit, f.multiline); bad {
			errs[f.key] = m
		}
	}
	if len(c.Contacts) > maxContacts {
		errs["customer.contacts"] = i18n.Text{
			Zh: fmt.Sprintf("联系人最多 %d 个", maxContacts),
			En: fmt.Sprintf("At most %d contacts", maxContacts),
		}
	} else {
		for i, ct := range c.Contacts {
			validateContact(errs, "customer.contacts."+strconv.Itoa(i)+".", ct)
		}
	}
	if in.Grade != "" && !slices.Contains(registrationGrades, in.Grade) {
		errs["grade"] = i18n.Text{Zh: "意向等级须为 H、A、B 或 C", En: "Grade must be H, A, B or C"}
	}
	if a := in.ExpectedAmount; a != nil && (math.IsNaN(*a) || *a < 0 || *a > maxExpectedYuan) {
		errs["expected_amount"] = i18n.Text{
			Zh: "预计成交金额须为 0 到一万亿元之间的数",
			En: "The expected amount must be a number from 0 to one trillion yuan",
		}
	}
	return errs
}

var msgRequired = i18n.Text{Zh: "必填", En: "Required"}

// validateContact adds the errors of one contact under prefix.
func validateContact(errs map[string]i18n.Text, prefix string, ct Contact) {
	if strings.TrimSpace(ct.Name) == "" && strings.TrimSpace(ct.Phone) == "" {
		errs[prefix+"name"] = i18n.Text{Zh: "联系人须填写姓名或电话", En: "A contact needs a name or a phone"}
	}
	if m, bad := checkText(ct.Name, maxShortRunes, false); bad {
		errs[prefix+"name"] = m
	}
	if m, bad := checkText(ct.Title, maxShortRunes, false); bad {
		errs[prefix+"title"] = m
	}
	if ct.Relation != "" && !slices.Contains(contactRelations, ct.Relation) {
		errs[prefix+"relation"] = i18n.Text{
			Zh: "关系须为本人、配偶、父母、子女、兄弟姐妹、同事或其他",
			En: "Relation must be self, spouse, parent, child, sibling, colleague or other",
		}
	}
	if m, bad := checkPhone(ct.Phone); bad {
		errs[prefix+"phone"] = m
	}
}

// checkText reports a text that is not valid UTF-8, holds control
// characters (other than line breaks and tabs in a multi-line text) or is
// longer than limit runes.
func checkText(s string, limit int, multiline bool) (i18n.Text, bool) {
	if !utf8.ValidString(s) {
		return msgBadChars, true
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return msgBadChars, true
		}
	}
	if n := utf8.RuneCountInString(s); n > limit {
		return i18n.Text{
			Zh: fmt.Sprintf("不能超过 %d 个字 (现有 %d 个)", limit, n),
			En: fmt.Sprintf("At most %d characters (this has %d)", limit, n),
		}, true
	}
	return i18n.Text{}, false
}

var msgBadChars = i18n.Text{Zh: "包含无效字符", En: "Contains invalid characters"}

// checkPhone reports a phone that cannot be normalised to a usable number.
// Besides digits and '*' only separators and a leading + are allowed, so
// that "138 1234 5678 转 123" is refused instead of read as one long number.
func checkPhone(raw string) (i18n.Text, bool) {
	if strings.TrimSpace(raw) == "" {
		return i18n.Text{}, false
	}
	for _, r := range fold(raw) {
		if !(r >= '0' && r <= '9') && !strings.ContainsRune(" -()+.*", r) {
			return i18n.Text{
				Zh: "电话只能包含数字、空格、+、-、括号和表示隐藏位的 *",
				En: "A phone may contain only digits, spaces, +, -, brackets and * for hidden digits",
			}, true
		}
	}
	p := NormalizePhone(raw)
	if len(p) < minPhoneLen || len(p) > maxPhoneLen || (PhoneMasked(p) && visibleDigits(p) < minMaskedVisible) {
		return i18n.Text{
			Zh: fmt.Sprintf("电话须为 %d–%d 位数字; 隐藏部分数字时 (用 * 表示) 至少显示 %d 位", minPhoneLen, maxPhoneLen, minMaskedVisible),
			En: fmt.Sprintf("A phone needs %d–%d digits; a masked one (* for hidden digits) must show at least %d", minPhoneLen, maxPhoneLen, minMaskedVisible),
		}, true
	}
	return i18n.Text{}, false
}
