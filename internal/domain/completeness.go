package domain

import (
	"strings"
	"time"
)

// CompletenessWeights gives each completeness field its weight; a field
// missing from the map weighs nothing. Keys: name, contact_name,
// contact_phone, industry, size, address, needs, project, grade,
// first_contact.
type CompletenessWeights map[string]int

// completenessFields are the weighted fields, in the order Completeness
// lists the missing ones.
var completenessFields = []string{
	"name", "contact_name", "contact_phone", "industry", "size",
	"address", "needs", "project", "grade", "first_contact",
}

// DefaultCompletenessWeights returns the weights of domain.md
// (Registrations → Completeness); they add up to 100.
func DefaultCompletenessWeights() CompletenessWeights {
	return CompletenessWeights{
		"name": 20, "contact_name": 15, "contact_phone": 20, "industry": 5, "size": 5,
		"address": 5, "needs": 15, "project": 5, "grade": 5, "first_contact": 5,
	}
}

// Completeness scores how fully a registration is filled in (domain.md,
// Registrations → Completeness): the weight of the present fields over the
// total weight, as 0–100 rounded half up (100 when all weights are zero).
// missing lists the absent fields that carry weight, in the order of the
// weight keys. Blank text is absent; contact_name and contact_phone are
// present when any contact has one, and a masked phone counts.
func Completeness(in RegistrationInput, w CompletenessWeights) (score int, missing []string) {
	c := in.Customer
	present := map[string]bool{
		"name":          filled(c.Name),
		"industry":      filled(c.Industry),
		"size":          filled(c.Size),
		"address":       filled(c.Address),
		"needs":         filled(in.Needs),
		"project":       filled(c.Project),
		"grade":         filled(in.Grade),
		"first_contact": in.FirstContactAt != nil && !in.FirstContactAt.IsZero(),
	}
	for _, ct := range c.Contacts {
		present["contact_name"] = present["contact_name"] || filled(ct.Name)
		present["contact_phone"] = present["contact_phone"] || NormalizePhone(ct.Phone) != ""
	}
	got, total := 0, 0
	for _, f := range completenessFields {
		weight := max(w[f], 0)
		total += weight
		switch {
		case present[f]:
			got += weight
		case weight > 0:
			missing = append(missing, f)
		}
	}
	if total == 0 {
		return 100, missing
	}
	return (200*got + total) / (2 * total), missing
}

// filled reports whether a text field counts as present.
func filled(s string) bool { return strings.TrimSpace(s) != "" }

// IsLate reports whether a registration came in more than deadlineHours
// after the declared first contact (domain.md, Late registration). Without
// a first contact, or with a deadline of zero or less, nothing is late.
func IsLate(registeredAt time.Time, firstContact *time.Time, deadlineHours int) bool {
	if firstContact == nil || firstContact.IsZero() || deadlineHours <= 0 {
		return false
	}
	return registeredAt.Sub(*firstContact) > time.Duration(deadlineHours)*time.Hour
}
