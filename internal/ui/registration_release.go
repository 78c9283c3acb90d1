package ui

import (
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

// releaseRegistration gives the customer back to the public pool from the
// registration page (reason_code, release_note) and goes back to the page
// (303); a refusal shows the form again with its messages.
func (p *Pages) releaseRegistration(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	form := templates.ReleaseForm{ReasonCode: r.PostFormValue("reason_code"), Note: r.PostFormValue("release_note")}
	_, err = p.svc.Release(r.Context(), a, id, domain.ReleaseInput{ReasonCode: form.ReasonCode, Note: form.Note})
	if errs, msg, ok := fieldErrors(r, err); ok {
		if m, ok := errs["note"]; ok { // the page's note field is the follow-up's
			errs["release_note"] = m
			delete(errs, "note")
		}
		return p.renderWithLifecycle(w, r, a, id, httperr.Status(err), lifecycleState{release: form, errors: errs, releaseError: msg})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/registrations/"+itoa(id), "flash.released")
}
