package ui

import (
	"net/http"
	"net/url"
	"time"

	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/internal/sheet"
	"baobei/templates"
)

// reportRoutes registers the reports (报表): the page and its downloads,
// for managers (their teams), clerks and admins (the whole company).
func (p *Pages) reportRoutes(r chi.Router) {
	readers := []domain.Role{domain.RoleManager, domain.RoleClerk, domain.RoleAdmin}
	r.Get("/reports", p.signedIn(p.showReport, readers...))
	r.Get("/reports.csv", p.signedIn(p.downloadReport("csv"), readers...))
	r.Get("/reports.xlsx", p.signedIn(p.downloadReport("xlsx"), readers...))
}

// showReport is the reports page over ?from= to ?to= (days, inclusive;
// the last 30 days by default), for ?team_id= or every team the reader
// may see. Bad dates re-render the form with the errors (422).
func (p *Pages) showReport(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	q := r.URL.Query()
	v := templates.ReportView{From: q.Get("from"), To: q.Get("to"), Team: q.Get("team_id")}
	rep, err := p.svc.Report(r.Context(), a, v.From, v.To, v.Team)
	status := http.StatusOK
	if errs, _, ok := fieldErrors(r, err); ok {
		v.Errors, status = errs, httperr.Status(err)
		// The team choices still show, so the form can be put right.
		if v.R.Choices, err = p.svc.ReportTeams(r.Context(), a); err != nil {
			return err
		}
	} else if err != nil {
		return err
	} else {
		v.R = rep
		v.From, v.To = rep.From.Format(time.DateOnly), rep.To.Format(time.DateOnly)
		files := url.Values{"from": {v.From}, "to": {v.To}}
		if v.Team != "" {
			files.Set("team_id", v.Team)
		}
		v.CSVURL, v.XLSXURL = "/reports.csv?"+files.Encode(), "/reports.xlsx?"+files.Encode()
	}
	pg, r, err := p.page(r, a, "nav.reports")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.Report(pg, v))
}

// downloadReport answers the report of ?from=, ?to= and ?team_id= as a CSV
// or XLSX file (ext).
func (p *Pages) downloadReport(ext string) handler {
	return func(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
		q := r.URL.Query()
		rep, err := p.svc.Report(r.Context(), a, q.Get("from"), q.Get("to"), q.Get("team_id"))
		if err != nil {
			return err
		}
		return sheet.RespondReport(r.Context(), w, rep, ext)
	}
}
