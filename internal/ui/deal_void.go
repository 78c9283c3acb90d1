package ui

import (
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

// voidDeal voids a deal from its page (reason) and goes back to it (303);
// a refusal (no reason, already voided) shows on the page (422).
func (p *Pages) voidDeal(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	reason := r.PostFormValue("reason")
	_, err = p.svc.VoidDeal(r.Context(), a, id, reason)
	if errs, msg, ok := fieldErrors(r, err); ok {
		return p.renderDeal(w, r, a, id, httperr.Status(err), templates.DealDetailView{VoidReason: reason, VoidError: joinErrors(msg, errs)})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/deals/"+itoa(id), "flash.deal_voided")
}
