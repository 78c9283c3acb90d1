package ui

import (
	"net/http"
	"sort"

	"baobei/internal/domain"
	"baobei/templates"
)

// showRegistration shows one registration; one the user may not read is
// not found (404), so ids reveal nothing.
func (p *Pages) showRegistration(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.renderRegistration(w, r, a, id, http.StatusOK, "")
}

func (p *Pages) renderRegistration(w http.ResponseWriter, r *http.Request, a domain.Actor, id int64, status int, reviewErr string) error {
	reg, err := p.svc.Registration(r.Context(), a, id)
	if err != nil {
		return err
	}
	pol, err := p.svc.Policy(r.Context(), a)
	if err != nil {
		return err
	}
	grade, err := p.svc.CustomerGradeOf(r.Context(), a, id)
	if err != nil {
		return err
	}
	pg, r, err := p.page(r, a, "reg.detail")
	if err != nil {
		return err
	}
	pg.Title = reg.Customer.Name
	now := p.svc.Now()
	v := templates.RegistrationDetailView{
		Reg:             reg,
		Countdown:       protection(reg, pol, now),
		Overdue:         reg.Overdue(now),
		MinCompleteness: pol.MinCompleteness,
		Timeline:        timeline(reg),
		CanReview:       reg.Status == domain.StatusPendingReview && mayReview(a, reg),
		CanEdit:         reg.EditableBy(a),
		ReviewError:     reviewErr,
		Grade:           grade,
	}
	if v.Lifecycle, err = p.lifecycleView(r, a, reg, pol, now); err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.RegistrationDetail(pg, v))
}

// mayReview reports whether a is a reviewer of reg: a clerk, an admin or a
// manager of its team. The domain decides; this only offers the form.
func mayReview(a domain.Actor, reg domain.Registration) bool {
	return a.Is(domain.RoleAdmin, domain.RoleClerk) || (a.Is(domain.RoleManager) && a.ManagesTeam(reg.TeamID))
}

// timeline lists the dated events the registration itself records,
// oldest first. A status change is left out when it is the registration
// or activation itself.
func timeline(reg domain.Registration) []templates.TimelineEntry {
	es := []templates.TimelineEntry{{At: reg.RegisteredAt, Key: "timeline.registered"}}
	if reg.ActivatedAt != nil {
		es = append(es, templates.TimelineEntry{At: *reg.ActivatedAt, Key: "timeline.activated"})
	}
	if reg.VisitedAt != nil {
		es = append(es, templates.TimelineEntry{At: *reg.VisitedAt, Key: "timeline.visited"})
	}
	if reg.LastFollowUpAt != nil {
		es = append(es, templates.TimelineEntry{At: *reg.LastFollowUpAt, Key: "timeline.follow_up"})
	}
	changed := reg.StatusChangedAt
	switch {
	case changed.IsZero():
	case reg.Status == domain.StatusActive && reg.ActivatedAt != nil && changed.Equal(*reg.ActivatedAt):
	case changed.Equal(reg.RegisteredAt) && (reg.Status == domain.StatusPendingReview || reg.Status == domain.StatusPendingVisit):
	default:
		es = append(es, templates.TimelineEntry{At: changed, Key: "timeline.status", Status: reg.Status})
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].At.Before(es[j].At) })
	return es
}
