package api

import (
	"net/http"
	"strconv"
	"time"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// pooledBody is a claim waiting in a team pool.
type pooledBody struct {
	registrationBody
	PooledAt time.Time `json:"pooled_at"`
	TeamName string    `json:"team_name"`
}

// listTeamPool lists the claims waiting in the pools of the caller's
// teams (every team for an admin).
func (api *API) listTeamPool(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	rows, err := api.svc.TeamPool(r.Context(), a)
	if err != nil {
		return err
	}
	out := list[pooledBody]{Items: make([]pooledBody, len(rows))}
	for i, p := range rows {
		out.Items[i] = pooledBody{registrationJSON(r, p.Registration), p.PooledAt, p.TeamName}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// reassignRegistration gives one registration a new owner ({"owner_id"})
// and answers it.
func (api *API) reassignRegistration(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		OwnerID int64 `json:"owner_id,string"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if _, err := api.svc.Reassign(r.Context(), a, []int64{id}, in.OwnerID); err != nil {
		return err
	}
	reg, err := api.svc.Registration(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, registrationJSON(r, reg))
	return nil
}

// reassignBulk gives several registrations ({"registration_ids"}) one new
// owner ({"owner_id"}), all or nothing.
func (api *API) reassignBulk(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	var in struct {
		RegistrationIDs []string `json:"registration_ids"`
		OwnerID         int64    `json:"owner_id,string"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	ids := make([]int64, 0, len(in.RegistrationIDs))
	for _, s := range in.RegistrationIDs {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return domain.ErrNotFound
		}
		ids = append(ids, n)
	}
	if len(ids) > maxBulk {
		return domain.Invalid(map[string]i18n.Text{"registration_ids": {Zh: "一次最多分配 1000 个", En: "At most 1000 at a time"}})
	}
	n, err := api.svc.Reassign(r.Context(), a, ids, in.OwnerID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"reassigned": n})
	return nil
}

// maxBulk bounds one bulk reassignment.
const maxBulk = 1000
