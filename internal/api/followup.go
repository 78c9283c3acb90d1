package api

import (
	"net/http"

	"baobei/internal/domain"
)

// followUpBody is a logged follow-up with the registration it moved.
type followUpBody struct {
	domain.FollowUp
	Registration *registrationBody `json:"registration,omitempty"`
}

// createFollowUp logs a contact with the customer of the caller's own
// registration (POST /registrations/{id}/follow-ups) → 201 with the
// follow-up and the registration's new last/next follow-up and grade.
func (api *API) createFollowUp(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in domain.FollowUpInput
	if err := decode(r, &in); err != nil {
		return err
	}
	f, err := api.svc.LogFollowUp(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	reg, err := api.svc.Registration(r.Context(), a, id)
	if err != nil {
		return err
	}
	b := registrationJSON(r, reg)
	writeJSON(w, http.StatusCreated, followUpBody{FollowUp: f, Registration: &b})
	return nil
}

// listFollowUps lists a readable registration's follow-ups, newest
// contact first (GET /registrations/{id}/follow-ups).
func (api *API) listFollowUps(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	fs, err := api.svc.FollowUps(r.Context(), a, id)
	if err != nil {
		return err
	}
	out := list[followUpBody]{Items: make([]followUpBody, len(fs))}
	for i, f := range fs {
		out.Items[i] = followUpBody{FollowUp: f}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
