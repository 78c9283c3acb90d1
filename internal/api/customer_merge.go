package api

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// customerRoutes registers the customer record and its merge, undo and
// split (客户合并与拆分).
func (api *API) customerRoutes(r chi.Router) {
	readers := []domain.Role{domain.RoleSales, domain.RoleManager, domain.RoleClerk, domain.RoleAdmin}
	deciders := []domain.Role{domain.RoleManager, domain.RoleAdmin}
	r.Get("/customers/{id}", api.authed(api.getCustomer, readers...))
	r.Get("/customers/{id}/merge-preview", api.authed(api.previewMerge, deciders...))
	r.Post("/customers/{id}/merge", api.authed(api.mergeCustomer, deciders...))
	r.Post("/customers/{id}/undo-merge", api.authed(api.undoMerge, deciders...))
	r.Post("/customers/{id}/split", api.authed(api.splitCustomer, deciders...))
}

// mergeConflictBody is how the claims a merge brought together were
// settled, with the reason in the caller's language.
type mergeConflictBody struct {
	*domain.MergeConflict
	Reason string `json:"reason"`
}

// mergeBody is what a merge did or would do; ids are strings.
type mergeBody struct {
	domain.MergeOutcome
	Registrations []string           `json:"registrations"`
	Deals         []string           `json:"deals"`
	Conflict      *mergeConflictBody `json:"conflict,omitempty"`
}

func mergeJSON(r *http.Request, o domain.MergeOutcome) mergeBody {
	b := mergeBody{MergeOutcome: o, Registrations: ids(o.Registrations), Deals: ids(o.Deals)}
	if o.Conflict != nil {
		b.Conflict = &mergeConflictBody{o.Conflict, o.Conflict.Reason.In(i18n.FromContext(r.Context()))}
	}
	return b
}

// getCustomer answers a customer record with the registrations and deals
// on it the caller may read.
func (api *API) getCustomer(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := api.svc.CustomerRecord(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// previewMerge answers what merging the customer into ?into_id= would
// move and how the claims it brings together would be settled.
func (api *API) previewMerge(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	into, _ := strconv.ParseInt(r.URL.Query().Get("into_id"), 10, 64)
	o, err := api.svc.PreviewMerge(r.Context(), a, id, into)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, mergeJSON(r, o))
	return nil
}

// mergeCustomer merges the customer into {"into_id"} with {"reason"} and
// answers the survivor, with what the merge did under "merge".
func (api *API) mergeCustomer(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in domain.MergeInput
	if err := decode(r, &in); err != nil {
		return err
	}
	o, err := api.svc.Merge(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	c, err := api.svc.CustomerRecord(r.Context(), a, o.TargetID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		domain.CustomerRecord
		Merge mergeBody `json:"merge"`
	}{c, mergeJSON(r, o)})
	return nil
}

// undoMerge undoes the customer's merge ({"reason"}) and answers the
// customer restored.
func (api *API) undoMerge(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := api.svc.UndoMerge(r.Context(), a, id, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// splitCustomer moves {"registration_ids"} to a new customer with
// {"reason"} and answers it (201).
func (api *API) splitCustomer(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		RegistrationIDs []string `json:"registration_ids"`
		Reason          string   `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	split := domain.SplitInput{Reason: in.Reason}
	for _, s := range in.RegistrationIDs {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return domain.Invalid(map[string]i18n.Text{"registration_ids": {Zh: "无效的报备编号", En: "not a registration id"}})
		}
		split.RegistrationIDs = append(split.RegistrationIDs, n)
	}
	c, err := api.svc.Split(r.Context(), a, id, split)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}
