package ui

import (
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

// dutyWeeks is how many weeks the duty roster shows: four back, the rest
// ahead.
const (
	dutyWeeks     = 16
	dutyWeeksBack = 4
)

// showDutyRoster is the duty roster (值班表): the team on reception duty
// each week; clerks and admins set it.
func (p *Pages) showDutyRoster(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.renderDutyRoster(w, r, a, http.StatusOK, "")
}

func (p *Pages) renderDutyRoster(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, formError string) error {
	loc, err := p.location(r, a)
	if err != nil {
		return err
	}
	now := p.svc.Now()
	v := templates.DutyView{CanEdit: a.Is(domain.RoleClerk, domain.RoleAdmin), ThisWeek: domain.WeekStart(now, loc), FormError: formError}
	if v.Weeks, err = p.svc.DutyRoster(r.Context(), a, now.AddDate(0, 0, -7*dutyWeeksBack), dutyWeeks); err != nil {
		return err
	}
	if v.Teams, err = p.svc.Teams(r.Context(), a); err != nil {
		return err
	}
	pg, r, err := p.page(r, a, "nav.duty_roster")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.DutyRoster(pg, v))
}

// setDuty puts the posted team on duty for the posted week.
func (p *Pages) setDuty(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	_, err := p.svc.SetDuty(r.Context(), a, r.PostFormValue("week_start"), formID(r, "team_id"))
	if errs, msg, ok := fieldErrors(r, err); ok {
		return p.renderDutyRoster(w, r, a, httperr.Status(err), joinErrors(msg, errs))
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/duty-roster", "flash.saved")
}
