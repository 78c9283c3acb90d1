package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/internal/i18n"
	"baobei/templates"
)

// showVisits is the front desk page (到访登记): the quick form and today's
// visits; ?v= names the visit just logged, whose result shows at the top.
func (p *Pages) showVisits(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	v := templates.VisitsView{Form: templates.VisitForm{PartySize: "1"}}
	if n, err := strconv.ParseInt(r.URL.Query().Get("v"), 10, 64); err == nil && n > 0 {
		last, err := p.svc.Visit(r.Context(), a, n)
		if err != nil {
			return err
		}
		v.Last = &last
	}
	return p.renderVisits(w, r, a, http.StatusOK, v)
}

func (p *Pages) renderVisits(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, v templates.VisitsView) error {
	loc, err := p.location(r, a)
	if err != nil {
		return err
	}
	v.Today = p.svc.Now().In(loc).Format(time.DateOnly)
	if v.Rows, err = p.svc.Visits(r.Context(), a, v.Today); err != nil {
		return err
	}
	if v.Salespeople, err = p.salespeople(r, a); err != nil {
		return err
	}
	pg, r, err := p.page(r, a, "nav.visits")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.Visits(pg, v))
}

// location is the tenant's time zone.
func (p *Pages) location(r *http.Request, a domain.Actor) (*time.Location, error) {
	pol, err := p.svc.Policy(r.Context(), a)
	if err != nil {
		return nil, err
	}
	return pol.Location(), nil
}

// salespeople lists the active users who may hold customers (sales and
// managers), by name: whom a visitor may come with, whom a deal credits.
func (p *Pages) salespeople(r *http.Request, a domain.Actor) ([]domain.User, error) {
	users, err := p.svc.Users(r.Context(), a)
	if err != nil {
		return nil, err
	}
	var out []domain.User
	for _, u := range users {
		if u.Active && (u.Role == domain.RoleSales || u.Role == domain.RoleManager) {
			out = append(out, u)
		}
	}
	return out, nil
}

// createVisit logs the posted visit and shows its result at once (303 to
// the page with ?v=). Unreadable or invalid input brings the form back
// (422) with a message beside each field.
func (p *Pages) createVisit(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	loc, err := p.location(r, a)
	if err != nil {
		return err
	}
	form := templates.VisitForm{
		VisitorName:   r.PostFormValue("visitor_name"),
		Phone:         r.PostFormValue("phone"),
		Company:       r.PostFormValue("company"),
		SalespersonID: strings.TrimSpace(r.PostFormValue("salesperson_id")),
		PartySize:     strings.TrimSpace(r.PostFormValue("party_size")),
		VisitedAt:     strings.TrimSpace(r.PostFormValue("visited_at")),
		Note:          r.PostFormValue("note"),
	}
	in := domain.VisitInput{VisitorName: form.VisitorName, Phone: form.Phone, Company: form.Company, Note: form.Note,
		SalespersonID: formID(r, "salesperson_id")}
	parseErrs := map[string]string{}
	if form.PartySize != "" {
		if in.PartySize, err = strconv.Atoi(form.PartySize); err != nil || in.PartySize < 1 {
			parseErrs["party_size"] = i18n.T(r.Context(), "visit.error.party_size")
		}
	}
	if form.VisitedAt != "" {
		if tm, err := parseLocalTime(form.VisitedAt, loc); err == nil {
			in.VisitedAt = &tm
		} else {
			parseErrs["visited_at"] = i18n.T(r.Context(), "reg.error.bad_time")
		}
	}
	var visit domain.Visit
	if len(parseErrs) > 0 {
		err = domain.Invalid(nil)
	} else {
		visit, err = p.svc.RecordVisit(r.Context(), a, in)
	}
	if errs, msg, ok := fieldErrors(r, err); ok {
		for k, m := range parseErrs {
			errs[k] = m
		}
		return p.renderVisits(w, r, a, httperr.Status(err), templates.VisitsView{Form: form, Errors: errs, FormError: msg})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/visits?v="+itoa(visit.ID), "")
}
