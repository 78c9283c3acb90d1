package api

import (
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// releaseRegistration gives the customer back to the public pool (POST
// /registrations/{id}/release) → 200 with the released registration.
func (api *API) releaseRegistration(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in domain.ReleaseInput
	if err := decode(r, &in); err != nil {
		return err
	}
	reg, err := api.svc.Release(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, registrationJSON(r, reg))
	return nil
}

// poolEntryBody is a pool entry with its reason in words.
type poolEntryBody struct {
	domain.PoolEntry
	ReasonText string `json:"reason_text"`
}

// listPool lists the public pool (GET /pool?q=&limit=&cursor=), the
// customers that returned most recently first, without previous owners.
func (api *API) listPool(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	entries, next, err := api.svc.Pool(r.Context(), a, domain.PoolFilter{Query: q.Get("q"), Limit: limit, Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	out := list[poolEntryBody]{Items: make([]poolEntryBody, len(entries)), NextCursor: next}
	for i, e := range entries {
		out.Items[i] = poolEntryBody{e, domain.PoolReasonLabel(e.Reason).In(i18n.FromContext(r.Context()))}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
