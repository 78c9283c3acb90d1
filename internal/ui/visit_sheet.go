package ui

import (
	"net/http"
	"net/url"
	"time"

	"baobei/internal/domain"
	"baobei/internal/sheet"
	"baobei/templates"
)

// sheetDay reads ?date= (YYYY-MM-DD in loc), today when absent; a
// malformed date is the domain's to refuse.
func (p *Pages) sheetDay(r *http.Request, loc *time.Location) string {
	if d := r.URL.Query().Get("date"); d != "" {
		return d
	}
	return p.svc.Now().In(loc).Format(time.DateOnly)
}

// showVisitSheet is the printable daily visit sheet (每日到访登记表) of
// ?date=, with links to its CSV and XLSX files.
func (p *Pages) showVisitSheet(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	loc, err := p.location(r, a)
	if err != nil {
		return err
	}
	return p.renderVisitSheet(w, r, a, loc, p.sheetDay(r, loc), http.StatusOK, "")
}

// renderVisitSheet shows the sheet of day, with voidErr (a refused void)
// over it; clerks and admins get a void button per visit.
func (p *Pages) renderVisitSheet(w http.ResponseWriter, r *http.Request, a domain.Actor, loc *time.Location, day string, status int, voidErr string) error {
	rows, err := p.svc.Visits(r.Context(), a, day)
	if err != nil {
		return err
	}
	d, _ := time.ParseInLocation(time.DateOnly, day, loc) // Visits refused a malformed day
	q := url.Values{"date": {day}}.Encode()
	v := templates.VisitSheetView{Date: day, Rows: rows, CSVURL: "/visits/sheet.csv?" + q, XLSXURL: "/visits/sheet.xlsx?" + q,
		Prev: d.AddDate(0, 0, -1).Format(time.DateOnly), Next: d.AddDate(0, 0, 1).Format(time.DateOnly),
		CanVoid: a.Is(domain.RoleClerk, domain.RoleAdmin), VoidError: voidErr}
	pg, r, err := p.page(r, a, "nav.visit_sheet")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.VisitSheet(pg, v))
}

// downloadVisitSheet answers the daily visit sheet of ?date= as a CSV or
// XLSX file (ext), phones masked.
func (p *Pages) downloadVisitSheet(ext string) handler {
	return func(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
		loc, err := p.location(r, a)
		if err != nil {
			return err
		}
		day := p.sheetDay(r, loc)
		rows, err := p.svc.Visits(r.Context(), a, day)
		if err != nil {
			return err
		}
		return sheet.Respond(r.Context(), w, loc, day, ext, rows)
	}
}
