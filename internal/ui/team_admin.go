package ui

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

func teamForm(r *http.Request, teamID int64) templates.TeamForm {
	f := templates.TeamForm{ID: teamID, Name: r.PostFormValue("name"), Region: r.PostFormValue("region")}
	for _, s := range r.PostForm["manager_ids"] {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			f.ManagerIDs = append(f.ManagerIDs, n)
		}
	}
	return f
}

func (p *Pages) renderTeams(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, v templates.TeamsView) error {
	pg, r, err := p.page(r, a, "nav.teams")
	if err != nil {
		return err
	}
	if v.Teams, err = p.svc.Teams(r.Context(), a); err != nil {
		return err
	}
	users, err := p.svc.Users(r.Context(), a)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Active && (u.Role == domain.RoleManager || u.Role == domain.RoleAdmin) {
			v.Managers = append(v.Managers, u)
		}
	}
	return renderStatus(w, r, status, templates.Teams(pg, v))
}

func (p *Pages) listTeams(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.renderTeams(w, r, a, http.StatusOK, templates.TeamsView{})
}

// saveTeam creates a team (POST /admin/teams) or changes one
// (POST /admin/teams/{id}).
func (p *Pages) saveTeam(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	var teamID int64
	if chi.URLParam(r, "id") != "" {
		var err error
		if teamID, err = pathID(r, "id"); err != nil {
			return err
		}
	}
	f := teamForm(r, teamID)
	_, err := p.svc.SaveTeam(r.Context(), a, teamID, domain.TeamInput{Name: f.Name, Region: f.Region, ManagerIDs: f.ManagerIDs})
	if errs, msg, ok := fieldErrors(r, err); ok {
		if teamID != 0 {
			// The banner names the problem; the new-team form stays empty.
			msg = joinErrors(msg, errs)
			f, errs = templates.TeamForm{}, nil
		}
		return p.renderTeams(w, r, a, httperr.Status(err), templates.TeamsView{Form: f, Errors: errs, FormError: msg})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/admin/teams", "flash.saved")
}
