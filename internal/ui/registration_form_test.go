package ui

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"baobei/internal/domain"
)

func postRequest(vals url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/registrations", strings.NewReader(vals.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestRegistrationInput(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) *time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &tm
	}
	amount := func(f float64) *float64 { return &f }
	tests := []struct {
		name     string
		form     url.Values
		want     domain.RegistrationInput
		wantErrs []string // field names with a parse error
	}{
		{
			name: "complete company",
			form: url.Values{
				"customer.kind":                {"company"},
				"customer.name":                {" 北京华为技术有限公司 "},
				"customer.uscc":                {"91110000MA01ABCD1X"},
				"customer.industry":            {"通信"},
				"customer.size":                {"1000+"},
				"customer.region":              {"北京"},
				"customer.address":             {"海淀区"},
				"customer.project":             {"数据中心"},
				"customer.contacts.0.name":     {"刘经理"},
				"customer.contacts.0.title":    {"采购"},
				"customer.contacts.0.phone":    {"13812345678"},
				"customer.contacts.0.relation": {"self"},
				"grade":                        {"A"},
				"needs":                        {"服务器 200 台"},
				"source":                       {"展会"},
				"first_contact_at":             {"2026-11-02T10:31"},
				"expected_amount":              {"1,200,000.50"},
				"history_claim":                {"2024 年签约过"},
			},
			want: domain.RegistrationInput{
				Customer: domain.Customer{Kind: "company", Name: "北京华为技术有限公司", USCC: "91110000MA01ABCD1X", Industry: "通信",
					Size: "1000+", Region: "北京", Address: "海淀区", Project: "数据中心",
					Contacts: []domain.Contact{{Name: "刘经理", Title: "采购", Phone: "13812345678", Relation: "self"}}},
				Grade: "A", Needs: "服务器 200 台", Source: "展会", FirstContactAt: at("2026-11-02T02:31:00Z"),
				ExpectedAmount: amount(1200000.5), HistoryClaim: "2024 年签约过",
			},
		},
		{
			name: "sparse contact rows, blank row dropped, renumbered in index order",
			form: url.Values{
				"customer.kind": {"person"}, "customer.name": {"张伟"},
				"customer.contacts.0.relation":  {"self"}, // untouched row
				"customer.contacts.7.phone":     {"139 0000 1111"},
				"customer.contacts.7.relation":  {"spouse"},
				"customer.contacts.3.name":      {"张伟"},
				"customer.contacts.3.relation":  {"self"},
				"customer.contacts.03.name":     {"shadow"}, // not canonical: ignored
				"customer.contacts.x.name":      {"ignored"},
				"customer.contacts.-1.name":     {"ignored"},
				"customer.contacts.3.nickname":  {"ignored"},
				"customer.contacts.12.relation": {"colleague"}, // blank otherwise
			},
			want: domain.RegistrationInput{
				Customer: domain.Customer{Kind: "person", Name: "张伟", Contacts: []domain.Contact{
					{Name: "张伟", Relation: "self"}, {Phone: "139 0000 1111", Relation: "spouse"}}},
			},
		},
		{
			name: "empty form",
			form: url.Values{},
			want: domain.RegistrationInput{Customer: domain.Customer{Contacts: []domain.Contact{}}},
		},
		{
			name: "amount in 万, time with seconds",
			form: url.Values{"expected_amount": {"20万"}, "first_contact_at": {"2026-01-31T23:59:59"}},
			want: domain.RegistrationInput{Customer: domain.Customer{Contacts: []domain.Contact{}},
				ExpectedAmount: amount(200000), FirstContactAt: at("2026-01-31T15:59:59Z")},
		},
		{
			name:     "unreadable date and amount",
			form:     url.Values{"customer.name": {"甲公司"}, "first_contact_at": {"yesterday"}, "expected_amount": {"about 5k"}},
			want:     domain.RegistrationInput{Customer: domain.Customer{Name: "甲公司", Contacts: []domain.Contact{}}},
			wantErrs: []string{"expected_amount", "first_contact_at"},
		},
		{
			name:     "out-of-range year, negative, exponent and NaN amounts",
			form:     url.Values{"first_contact_at": {"0001-01-01T00:00"}, "expected_amount": {"-5"}},
			want:     domain.RegistrationInput{Customer: domain.Customer{Contacts: []domain.Contact{}}},
			wantErrs: []string{"expected_amount", "first_contact_at"},
		},
		{
			name:     "exponent amount",
			form:     url.Values{"expected_amount": {"1e9"}},
			want:     domain.RegistrationInput{Customer: domain.Customer{Contacts: []domain.Contact{}}},
			wantErrs: []string{"expected_amount"},
		},
		{
			name:     "NaN amount",
			form:     url.Values{"expected_amount": {"NaN"}},
			want:     domain.RegistrationInput{Customer: domain.Customer{Contacts: []domain.Contact{}}},
			wantErrs: []string{"expected_amount"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := registrationInput(postRequest(tt.form), shanghai)
			var gotErrs []string
			for k, msg := range errs {
				if msg == "" {
					t.Errorf("empty message for %s", k)
				}
				gotErrs = append(gotErrs, k)
			}
			if !sameKeys(gotErrs, tt.wantErrs) {
				t.Errorf("errors on %v, want %v (%v)", gotErrs, tt.wantErrs, errs)
			}
			if !sameTime(got.FirstContactAt, tt.want.FirstContactAt) {
				t.Errorf("first contact %v, want %v", got.FirstContactAt, tt.want.FirstContactAt)
			}
			if !sameAmount(got.ExpectedAmount, tt.want.ExpectedAmount) {
				t.Errorf("amount %v, want %v", got.ExpectedAmount, tt.want.ExpectedAmount)
			}
			got.FirstContactAt, got.ExpectedAmount = nil, nil
			tt.want.FirstContactAt, tt.want.ExpectedAmount = nil, nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("input\n got  %+v\n want %+v", got, tt.want)
			}
		})
	}
}

func sameTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

func sameAmount(a, b *float64) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func sameKeys(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]bool{}
	for _, k := range a {
		seen[k] = true
	}
	for _, k := range b {
		if !seen[k] {
			return false
		}
	}
	return true
}

// TestRegistrationFormMatchesInput checks that the form shown again
// numbers contact rows as the input does, so domain errors keyed
// "customer.contacts.N.x" land on the right row.
func TestRegistrationFormMatchesInput(t *testing.T) {
	r := postRequest(url.Values{
		"customer.contacts.5.phone": {"13800000000"}, "customer.contacts.2.name": {"甲"}, "customer.contacts.9.relation": {"other"},
	})
	f := registrationForm(r)
	in, _ := registrationInput(r, time.UTC)
	if len(f.Contacts) != 2 || len(in.Customer.Contacts) != 2 {
		t.Fatalf("form %+v, input %+v: want 2 rows each", f.Contacts, in.Customer.Contacts)
	}
	for i := range f.Contacts {
		if f.Contacts[i].Name != in.Customer.Contacts[i].Name || f.Contacts[i].Phone != in.Customer.Contacts[i].Phone {
			t.Errorf("row %d: form %+v, input %+v", i, f.Contacts[i], in.Customer.Contacts[i])
		}
	}
}

func TestParseLocalTime(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	tm, err := parseLocalTime("2026-07-01T09:00", ny)
	if err != nil {
		t.Fatal(err)
	}
	if got := tm.UTC().Format(time.RFC3339); got != "2026-07-01T13:00:00Z" {
		t.Errorf("09:00 in New York (EDT) = %s, want 13:00 UTC", got)
	}
	if _, err := parseLocalTime("2026-02-30T09:00", ny); err == nil {
		t.Error("30 February accepted")
	}
}

// FuzzRegistrationInput posts arbitrary form values: the parser never
// panics, reports errors only on the fields it reads, and gives the
// domain contacts that line up with the rows shown again.
func FuzzRegistrationInput(f *testing.F) {
	f.Add("customer.contacts.0.phone", "13812345678", "customer.contacts.1.name", "张三", "2026-11-02T10:31", "1,000")
	f.Add("customer.contacts.99999999999999999999.name", "x", "customer.contacts..name", "", "2026-13-01T00:00", "1e400")
	f.Add("customer.name", "\xff\x00", "customer.contacts.0", "y", "9999-12-31T23:59:59", "99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999万")
	f.Add("customer.contacts.3.relation", "spouse", "customer.contacts.3.title", " ", " ", ".")
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, when, amount string) {
		vals := url.Values{}
		vals.Add(k1, v1)
		vals.Add(k2, v2)
		vals.Set("first_contact_at", when)
		vals.Set("expected_amount", amount)
		r := postRequest(vals)
		in, errs := registrationInput(r, loc)
		for k := range errs {
			if k != "first_contact_at" && k != "expected_amount" {
				t.Errorf("parse error on unexpected field %q", k)
			}
		}
		if _, bad := errs["first_contact_at"]; !bad && strings.TrimSpace(when) != "" && in.FirstContactAt == nil {
			t.Errorf("first contact %q neither read nor refused", when)
		}
		if a := in.ExpectedAmount; a != nil && (*a < 0 || *a != *a) {
			t.Errorf("amount %q read as %v", amount, *a)
		}
		form := registrationForm(r)
		if len(form.Contacts) != len(in.Customer.Contacts) {
			t.Errorf("%d rows shown again, %d contacts", len(form.Contacts), len(in.Customer.Contacts))
		}
		_ = in.Validate() // the domain takes whatever the parser gives
	})
}
