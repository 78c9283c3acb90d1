package ui

import (
	"net/http"
	"strings"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/internal/i18n"
	"baobei/templates"
)

// logFollowUp records a follow-up from the registration page's form
// (channel, at as datetime-local in the tenant's zone or empty for now,
// grade, note) and goes back to the page (303). A refusal shows the form
// again with its messages.
func (p *Pages) logFollowUp(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	form := templates.FollowUpForm{Channel: r.PostFormValue("channel"), Note: r.PostFormValue("note"),
		At: r.PostFormValue("at"), Grade: r.PostFormValue("grade")}
	in := domain.FollowUpInput{Channel: form.Channel, Note: form.Note, Grade: form.Grade}
	if at := strings.TrimSpace(form.At); at != "" {
		pol, err := p.svc.Policy(r.Context(), a)
		if err != nil {
			return err
		}
		tm, perr := parseLocalTime(at, pol.Location())
		if perr != nil {
			msg := i18n.T(r.Context(), "reg.error.bad_time")
			return p.renderWithLifecycle(w, r, a, id, http.StatusUnprocessableEntity,
				lifecycleState{followUp: form, errors: map[string]string{"at": msg}, followUpError: msg})
		}
		in.At = &tm
	}
	_, err = p.svc.LogFollowUp(r.Context(), a, id, in)
	if errs, msg, ok := fieldErrors(r, err); ok {
		return p.renderWithLifecycle(w, r, a, id, httperr.Status(err), lifecycleState{followUp: form, errors: errs, followUpError: msg})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/registrations/"+itoa(id), "flash.follow_up")
}
