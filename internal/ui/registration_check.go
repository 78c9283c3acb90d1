package ui

import (
	"net/http"
	"strings"

	"baobei/internal/domain"
	"baobei/internal/i18n"
	"baobei/templates"
)

// checkRegistration is the live duplicate check (查重) of the form being
// typed: it answers only the partial that htmx puts under the form. A
// rate-limited check answers a polite note in the partial, not an error.
func (p *Pages) checkRegistration(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	pol, err := p.svc.Policy(r.Context(), a)
	if err != nil {
		return err
	}
	loc := pol.Location()
	r = r.WithContext(templates.WithLocation(r.Context(), loc))
	in, _ := registrationInput(r, loc) // an unreadable date or amount only costs completeness here
	res, err := p.svc.Check(r.Context(), a, in)
	if domain.ErrorCode(err) == domain.CodeRateLimited {
		return render(w, r, templates.RegistrationCheck(templates.CheckView{RateLimited: true}))
	}
	if err != nil {
		return err
	}
	return render(w, r, templates.RegistrationCheck(checkView(in, res)))
}

// checkView groups the strong matches by the claim they hit, so one claim
// matched on name and phone shows once with both reasons.
func checkView(in domain.RegistrationInput, res domain.CheckResult) templates.CheckView {
	v := templates.CheckView{Completeness: res.Completeness, MinRequired: res.MinRequired, Missing: res.Missing, Checked: hasKey(in)}
	byClaim := map[string]int{}
	for _, m := range res.Matches {
		if !m.Strong() {
			v.Weak = append(v.Weak, m)
			continue
		}
		if i, ok := byClaim[m.ClaimRef]; ok && m.ClaimRef != "" {
			v.Strong[i].Whys = append(v.Strong[i].Whys, m.Why)
			continue
		}
		byClaim[m.ClaimRef] = len(v.Strong)
		v.Strong = append(v.Strong, templates.StrongMatch{Status: m.Status, ProtectedUntil: m.ProtectedUntil, Own: m.Own,
			RegistrationID: m.RegistrationID, OwnerName: m.OwnerName, ClaimRef: m.ClaimRef, Whys: []i18n.Text{m.Why}})
	}
	return v
}

// hasKey reports whether the input has anything to match on: a name, a
// credit code, a project or a phone.
func hasKey(in domain.RegistrationInput) bool {
	c := in.Customer
	if strings.TrimSpace(c.Name) != "" || strings.TrimSpace(c.USCC) != "" || strings.TrimSpace(c.Project) != "" {
		return true
	}
	for _, ct := range c.Contacts {
		if strings.TrimSpace(ct.Phone) != "" {
			return true
		}
	}
	return false
}
