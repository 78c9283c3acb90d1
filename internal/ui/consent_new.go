package ui

import (
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

// showConsentForm asks for the reason to contact the customer of the
// claim ?claim_ref= names (申请联系).
func (p *Pages) showConsentForm(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.renderConsentForm(w, r, a, http.StatusOK, templates.ConsentNewView{ClaimRef: r.URL.Query().Get("claim_ref")})
}

func (p *Pages) renderConsentForm(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, v templates.ConsentNewView) error {
	pg, r, err := p.page(r, a, "consent.ask")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.ConsentNew(pg, v))
}

// createConsent files the consent request and goes to the consent inbox
// (303); a refusal (consent not needed, asked already, …) shows the form
// again with the reason.
func (p *Pages) createConsent(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	v := templates.ConsentNewView{ClaimRef: r.PostFormValue("claim_ref"), Reason: r.PostFormValue("reason")}
	_, err := p.svc.RequestConsent(r.Context(), a, domain.ConsentInput{ClaimRef: v.ClaimRef, Reason: v.Reason})
	if errs, msg, ok := fieldErrors(r, err); ok {
		v.Errors, v.FormError = errs, msg
		return p.renderConsentForm(w, r, a, httperr.Status(err), v)
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/consents", "flash.consent_requested")
}
