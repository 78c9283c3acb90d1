package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

func (api *API) getPolicy(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	p, err := api.svc.Policy(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (api *API) putPolicy(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	var patch map[string]json.RawMessage
	if err := decode(r, &patch); err != nil {
		return err
	}
	p, err := api.svc.UpdatePolicy(r.Context(), a, patch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// teamBody is a team as the API shows it: ids are strings (api.md).
type teamBody struct {
	domain.Team
	ManagerIDs []string `json:"manager_ids,omitempty"`
}

func (api *API) listTeams(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	teams, err := api.svc.Teams(r.Context(), a)
	if err != nil {
		return err
	}
	out := make([]teamBody, len(teams))
	for i, t := range teams {
		if a.Is(domain.RoleSales) {
			out[i] = teamBody{Team: domain.Team{ID: t.ID, Name: t.Name}}
			continue
		}
		out[i] = teamBody{Team: t}
		for _, id := range t.ManagerIDs {
			out[i].ManagerIDs = append(out[i].ManagerIDs, strconv.FormatInt(id, 10))
		}
	}
	writeJSON(w, http.StatusOK, list[teamBody]{Items: out})
	return nil
}

// listUsers lists the company's users; salespeople see names only.
func (api *API) listUsers(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	users, err := api.svc.Users(r.Context(), a)
	if err != nil {
		return err
	}
	if a.Is(domain.RoleSales) {
		for i, u := range users {
			users[i] = domain.User{ID: u.ID, DisplayName: u.DisplayName, Role: u.Role, TeamID: u.TeamID, TeamName: u.TeamName, Active: u.Active}
		}
	}
	writeJSON(w, http.StatusOK, list[domain.User]{Items: users})
	return nil
}

func (api *API) deactivateUser(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := api.svc.SetActive(r.Context(), a, id, false); err != nil {
		return err
	}
	u, err := api.svc.User(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

type notificationBody struct {
	domain.Notification
	Text string `json:"text"`
}

func (api *API) listNotifications(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	items, err := api.svc.Notifications(r.Context(), a, limit)
	if err != nil {
		return err
	}
	out := make([]notificationBody, len(items))
	for i, n := range items {
		out[i] = notificationBody{n, n.Text.In(i18n.FromContext(r.Context()))}
	}
	writeJSON(w, http.StatusOK, list[notificationBody]{Items: out})
	return nil
}

func (api *API) markRead(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	var in struct {
		IDs []string `json:"ids"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	ids := []int64{}
	for _, s := range in.IDs {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return domain.Invalid(map[string]i18n.Text{"ids": {Zh: "编号无效", En: "invalid id"}})
		}
		ids = append(ids, n)
	}
	if err := api.svc.MarkRead(r.Context(), a, ids); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}
