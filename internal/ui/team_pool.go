package ui

import (
	"net/http"
	"strconv"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

// showTeamPool lists the claims of departed salespeople waiting in the
// pools of the manager's teams (团队公海), to reassign.
func (p *Pages) showTeamPool(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.renderTeamPool(w, r, a, http.StatusOK, "")
}

func (p *Pages) renderTeamPool(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, formError string) error {
	rows, err := p.svc.TeamPool(r.Context(), a)
	if err != nil {
		return err
	}
	people, err := p.salespeople(r, a)
	if err != nil {
		return err
	}
	v := templates.TeamPoolView{Rows: rows, FormError: formError}
	for _, u := range people {
		if a.Is(domain.RoleAdmin) || a.ManagesTeam(u.TeamID) {
			v.Owners = append(v.Owners, u)
		}
	}
	pg, r, err := p.page(r, a, "nav.team_pool")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.TeamPool(pg, v))
}

// reassignPooled gives the ticked claims (registration_id, one or many)
// to the chosen owner (owner_id).
func (p *Pages) reassignPooled(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	var ids []int64
	for _, s := range r.PostForm["registration_id"] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return errBadForm
		}
		ids = append(ids, n)
	}
	_, err := p.svc.Reassign(r.Context(), a, ids, formID(r, "owner_id"))
	if errs, msg, ok := fieldErrors(r, err); ok {
		return p.renderTeamPool(w, r, a, httperr.Status(err), joinErrors(msg, errs))
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/team-pool", "flash.reassigned")
}
