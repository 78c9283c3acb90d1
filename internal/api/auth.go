package api

import (
	"net/http"
	"strconv"

	"baobei/internal/domain"
	"baobei/internal/session"
)

// meBody is GET /me and the user of POST /auth/token.
type meBody struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	TeamID      string `json:"team_id"`
	Tenant      string `json:"tenant"`
}

func (api *API) meBody(r *http.Request, a domain.Actor) (meBody, error) {
	u, err := api.svc.User(r.Context(), a, a.UserID)
	if err != nil {
		return meBody{}, err
	}
	t, err := api.svc.TenantByID(r.Context(), a.TenantID)
	if err != nil {
		return meBody{}, err
	}
	b := meBody{ID: strconv.FormatInt(u.ID, 10), Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role), Tenant: t.Slug}
	if u.TeamID != 0 {
		b.TeamID = strconv.FormatInt(u.TeamID, 10)
	}
	return b, nil
}

// createToken signs in with company code, username and password and
// returns a new API token (POST /auth/token): optionally read-only
// ("scope":"read") and expiring after "expires_in_days" (1 – 365); by
// default a write token without expiry. A user whose password an admin
// reset gets none (403) until they choose a new one.
func (api *API) createToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Tenant        string `json:"tenant"`
		Username      string `json:"username"`
		Password      string `json:"password"`
		Scope         string `json:"scope"`
		ExpiresInDays *int   `json:"expires_in_days"`
	}
	if err := decode(r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	a, _, err := api.svc.SignIn(r.Context(), in.Tenant, in.Username, in.Password, session.ClientAddr(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	if a.MustChangePassword {
		api.WriteError(w, r, errPasswordChangeRequired)
		return
	}
	a.RequestID = session.RequestID(r)
	tok, err := api.svc.IssueTokenWith(r.Context(), a, domain.TokenInput{Name: "api", Scope: in.Scope, ExpiresInDays: in.ExpiresInDays})
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	me, err := api.meBody(r, a)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": tok, "user": me})
}

func (api *API) me(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	b, err := api.meBody(r, a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}
