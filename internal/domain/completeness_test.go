package domain

import (
	"slices"
	"testing"
	"time"
)

func TestDefaultCompletenessWeights(t *testing.T) {
	w := DefaultCompletenessWeights()
	sum := 0
	for _, f := range completenessFields {
		v, ok := w[f]
		if !ok {
			t.Errorf("no default weight for %s", f)
		}
		sum += v
	}
	if sum != 100 || len(w) != len(completenessFields) {
		t.Errorf("default weights %v: sum %d over %d keys, want 100 over %d", w, sum, len(w), len(completenessFields))
	}
}

func TestCompleteness(t *testing.T) {
	zero := time.Time{}
	allMissing := []string{"name", "contact_name", "contact_phone", "industry", "size",
		"address", "needs", "project", "grade", "first_contact"}
	tests := []struct {
		name        string
		in          RegistrationInput
		w           CompletenessWeights
		wantScore   int
		wantMissing []string
	}{
		{"complete", validInput(), DefaultCompletenessWeights(), 100, nil},
		{"empty", RegistrationInput{}, DefaultCompletenessWeights(), 0, allMissing},
		{"name only", RegistrationInput{Customer: Customer{Name: "某某贸易"}}, DefaultCompletenessWeights(), 20, allMissing[1:]},
		{"blank text is absent", RegistrationInput{
			Customer: Customer{Name: " ", Industry: "\u3000", Contacts: []Contact{{Name: " ", Phone: "-"}}},
			Needs:    "\n", Grade: "",
		}, DefaultCompletenessWeights(), 0, allMissing},
		{"zero first contact is absent", RegistrationInput{FirstContactAt: &zero}, DefaultCompletenessWeights(), 0, allMissing},
		{"contact name and phone from different contacts", RegistrationInput{
			Customer: Customer{Name: "某某贸易", Contacts: []Contact{{Name: "张三"}, {Phone: "1381234****"}}},
		}, DefaultCompletenessWeights(), 55, allMissing[3:]},
		{"typical registration at the default minimum", func() RegistrationInput {
			in := validInput()
			in.Customer.Industry, in.Customer.Size, in.Customer.Address, in.Customer.Project = "", "", "", ""
			in.Needs, in.Grade = "", ""
			return in
		}(), DefaultCompletenessWeights(), 60, []string{"industry", "size", "address", "needs", "project", "grade"}},
		{"all but the address", func() RegistrationInput {
			in := validInput()
			in.Customer.Address = ""
			return in
		}(), DefaultCompletenessWeights(), 95, []string{"address"}},

		{"custom weights round down", RegistrationInput{Customer: Customer{Name: "x"}},
			CompletenessWeights{"name": 1, "needs": 2}, 33, []string{"needs"}},
		{"custom weights round up", RegistrationInput{Needs: "x"},
			CompletenessWeights{"name": 1, "needs": 2}, 67, []string{"name"}},
		{"half rounds up", RegistrationInput{Customer: Customer{Name: "x"}},
			CompletenessWeights{"name": 1, "needs": 7}, 13, []string{"needs"}},
		{"zero-weight fields are not missing", RegistrationInput{Customer: Customer{Name: "x"}},
			CompletenessWeights{"name": 50, "needs": 50}, 50, []string{"needs"}},
		{"negative weight counts as zero", RegistrationInput{Customer: Customer{Name: "x"}},
			CompletenessWeights{"name": 10, "needs": -10, "grade": 10}, 50, []string{"grade"}},
		{"unknown keys are ignored", RegistrationInput{Customer: Customer{Name: "x"}},
			CompletenessWeights{"name": 10, "colour": 90}, 100, nil},
		{"all weights zero", RegistrationInput{}, CompletenessWeights{"name": 0}, 100, nil},
		{"no weights", RegistrationInput{}, nil, 100, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			score, missing := Completeness(tt.in, tt.w)
			if score != tt.wantScore || !slices.Equal(missing, tt.wantMissing) {
				t.Errorf("Completeness() = %d, %v; want %d, %v", score, missing, tt.wantScore, tt.wantMissing)
			}
		})
	}
}

func TestIsLate(t *testing.T) {
	reg := time.Date(2026, 11, 2, 10, 31, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := reg.Add(d); return &v }
	shanghai := time.FixedZone("CST", 8*3600)
	sameInstant := reg.Add(-25 * time.Hour).In(shanghai)
	zero := time.Time{}
	tests := []struct {
		name     string
		first    *time.Time
		deadline int
		want     bool
	}{
		{"no first contact", nil, 24, false},
		{"zero first contact", &zero, 24, false},
		{"just now", at(-time.Minute), 24, false},
		{"exactly at the deadline", at(-24 * time.Hour), 24, false},
		{"a second past the deadline", at(-24*time.Hour - time.Second), 24, true},
		{"days late", at(-72 * time.Hour), 24, true},
		{"other time zone, same instant", &sameInstant, 24, true},
		{"first contact in the future", at(48 * time.Hour), 24, false},
		{"short deadline", at(-2 * time.Hour), 1, true},
		{"no deadline", at(-1000 * time.Hour), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsLate(reg, tt.first, tt.deadline); got != tt.want {
				t.Errorf("IsLate(%v, %v, %d) = %v, want %v", reg, tt.first, tt.deadline, got, tt.want)
			}
		})
	}
}
