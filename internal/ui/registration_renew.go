package ui

import (
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/httperr"
)

// renewRegistration asks to renew the registration from its page and goes
// back to it (303) saying whether the renewal was granted or waits for a
// manager; a refusal (outside the window) shows on the page.
func (p *Pages) renewRegistration(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	res, err := p.svc.Renew(r.Context(), a, id)
	if _, msg, ok := fieldErrors(r, err); ok {
		return p.renderWithLifecycle(w, r, a, id, httperr.Status(err), lifecycleState{actionError: msg})
	}
	if err != nil {
		return err
	}
	flash := "flash.renewed"
	if res.Pending {
		flash = "flash.renew_pending"
	}
	return p.redirect(w, r, "/registrations/"+itoa(id), flash)
}
