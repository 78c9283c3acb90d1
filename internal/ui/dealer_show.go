package ui

import (
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

// showDealer shows a dealer registration: details, documents, its chain
// and history, and the forms the user may use.
func (p *Pages) showDealer(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.renderDealer(w, r, a, id, http.StatusOK, templates.DealerDetailView{})
}

func (p *Pages) renderDealer(w http.ResponseWriter, r *http.Request, a domain.Actor, id int64, status int, v templates.DealerDetailView) error {
	d, err := p.svc.Dealer(r.Context(), a, id)
	if err != nil {
		return err
	}
	v.D = d
	v.Resubmit.ID = d.ID
	if v.Resubmit.Form == (templates.DealerForm{}) {
		v.Resubmit.Form = templates.DealerForm{Company: d.Company, Bank: d.Bank, BankAccount: d.BankAccount,
			TaxNo: d.TaxNo, Address: d.Address, Phone: d.Phone}
	}
	pg, r, err := p.page(r, a, "dealer.title")
	if err != nil {
		return err
	}
	pg.Title = d.Company
	return renderStatus(w, r, status, templates.DealerDetail(pg, v))
}

// decideDealer approves or returns (decision=approve|return, reason) the
// step of the dealer's chain that waits for the user.
func (p *Pages) decideDealer(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	decision := r.PostFormValue("decision")
	if decision != "approve" && decision != "return" {
		return errBadForm
	}
	reason := r.PostFormValue("reason")
	_, err = p.svc.DecideDealer(r.Context(), a, id, decision == "approve", reason)
	if errs, msg, ok := fieldErrors(r, err); ok {
		return p.renderDealer(w, r, a, id, httperr.Status(err), templates.DealerDetailView{Reason: reason, DecideError: joinErrors(msg, errs)})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/dealers/"+itoa(id), "flash.dealer.decided")
}

// resubmitDealer corrects a returned dealer (its submitter) and sends it
// through the chain again; documents not chosen again are kept.
func (p *Pages) resubmitDealer(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, form, err := dealerInput(r)
	if err != nil {
		return err
	}
	_, err = p.svc.ResubmitDealer(r.Context(), a, id, in)
	if errs, msg, ok := fieldErrors(r, err); ok {
		return p.renderDealer(w, r, a, id, httperr.Status(err), templates.DealerDetailView{
			Resubmit: templates.DealerFormView{Form: form, Errors: errs, FormError: msg}})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/dealers/"+itoa(id), "flash.dealer.submitted")
}
