package ui

import (
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

// listConsents is the consent inbox: requests to the user (and, for
// managers, those escalated to them) with accept and decline, and the
// user's own requests.
func (p *Pages) listConsents(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.renderConsents(w, r, a, http.StatusOK, "")
}

func (p *Pages) renderConsents(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, formError string) error {
	cs, err := p.svc.ConsentRequests(r.Context(), a, 200)
	if err != nil {
		return err
	}
	pg, r, err := p.page(r, a, "nav.consents")
	if err != nil {
		return err
	}
	v := templates.ConsentsView{FormError: formError}
	for _, c := range cs {
		if c.Direction == "incoming" {
			v.Incoming = append(v.Incoming, c)
		} else {
			v.Outgoing = append(v.Outgoing, c)
		}
	}
	return renderStatus(w, r, status, templates.Consents(pg, v))
}

// answerConsent accepts (accept=true) or declines a consent request from
// the inbox and goes back to it (303).
func (p *Pages) answerConsent(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	accept := r.PostFormValue("accept") == "true"
	_, err = p.svc.AnswerConsent(r.Context(), a, id, accept)
	if _, msg, ok := fieldErrors(r, err); ok {
		return p.renderConsents(w, r, a, httperr.Status(err), msg)
	}
	if err != nil {
		return err
	}
	flash := "flash.consent_declined"
	if accept {
		flash = "flash.consent_accepted"
	}
	return p.redirect(w, r, "/consents", flash)
}
