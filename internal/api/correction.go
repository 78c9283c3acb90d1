package api

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
)

// correctionRoutes registers the corrections (issue 9): editing a
// registration's details and voiding a mistaken visit or deal.
func (api *API) correctionRoutes(r chi.Router) {
	voiders := []domain.Role{domain.RoleClerk, domain.RoleAdmin}
	r.Patch("/registrations/{id}", api.authed(api.patchRegistration))
	r.Post("/visits/{id}/void", api.authed(api.voidVisit, voiders...))
	r.Post("/deals/{id}/void", api.authed(api.voidDeal, voiders...))
}

// patchRegistration corrects a registration: 200 with the registration,
// which may have become rejected or in_dispute when an added key collided
// with another owner's claim.
func (api *API) patchRegistration(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var p domain.RegistrationPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	reg, err := api.svc.EditRegistration(r.Context(), a, id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, registrationJSON(r, reg))
	return nil
}

// voidRequest is the body of a void: the reason, required.
type voidRequest struct {
	Reason string `json:"reason"`
}

// voidVisit voids a visit: 200 with the visit, marked voided.
func (api *API) voidVisit(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return voidRecord(w, r, a, api.svc.VoidVisit, visitJSON)
}

// voidDeal voids a deal: 200 with the deal, marked voided.
func (api *API) voidDeal(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return voidRecord(w, r, a, api.svc.VoidDeal, func(d domain.Deal) dealBody { return dealJSON(r, d) })
}

// voidRecord voids the record {id} with void and answers 200 with it as
// out shows it.
func voidRecord[T, B any](w http.ResponseWriter, r *http.Request, a domain.Actor,
	void func(context.Context, domain.Actor, int64, string) (T, error), out func(T) B) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in voidRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	rec, err := void(r.Context(), a, id, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out(rec))
	return nil
}
