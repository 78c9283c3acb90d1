package api

import (
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// createConsentRequest asks a claim's owner for consent to contact its
// customer (POST /consent-requests {"claim_ref","reason"}) → 201.
func (api *API) createConsentRequest(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	var in domain.ConsentInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := api.svc.RequestConsent(r.Context(), a, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// listConsentRequests lists the caller's incoming and outgoing consent
// requests, newest first (GET /consent-requests).
func (api *API) listConsentRequests(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	cs, err := api.svc.ConsentRequests(r.Context(), a, limit)
	if err != nil {
		return err
	}
	out := list[domain.ConsentRequest]{Items: cs}
	if out.Items == nil {
		out.Items = []domain.ConsentRequest{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// answerConsentRequest accepts or declines a consent request (POST
// /consent-requests/{id}/answer {"accept"}) → 200.
func (api *API) answerConsentRequest(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Accept *bool `json:"accept"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Accept == nil {
		return domain.Invalid(map[string]i18n.Text{"accept": {Zh: "必填 (true 或 false)", En: "required (true or false)"}})
	}
	c, err := api.svc.AnswerConsent(r.Context(), a, id, *in.Accept)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
