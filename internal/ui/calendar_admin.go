package ui

import (
	"net/http"
	"strconv"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

// showCalendar is the working-day calendar of ?year= (this year by
// default).
func (p *Pages) showCalendar(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	year, err := p.calendarYear(r, a, r.URL.Query().Get("year"))
	if err != nil {
		return err
	}
	return p.renderCalendar(w, r, a, http.StatusOK, templates.CalendarView{Year: year})
}

// calendarYear reads a year, this year in the tenant's zone when empty; a
// year that does not read is not found.
func (p *Pages) calendarYear(r *http.Request, a domain.Actor, s string) (int, error) {
	if s == "" {
		loc, err := p.location(r, a)
		return p.svc.Now().In(loc).Year(), err
	}
	year, err := strconv.Atoi(s)
	if err != nil || year < 1900 || year > 9999 {
		return 0, domain.ErrNotFound
	}
	return year, nil
}

func (p *Pages) renderCalendar(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, v templates.CalendarView) error {
	var err error
	if v.Days, err = p.svc.CalendarYear(r.Context(), a, v.Year); err != nil {
		return err
	}
	pg, r, err := p.page(r, a, "nav.calendar")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.CalendarPage(pg, v))
}

// changeCalendar adds a day (op=add), removes one (op=remove) or adds the
// pasted lines (op=paste); a mistake re-renders the page with what was
// typed.
func (p *Pages) changeCalendar(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	year, err := p.calendarYear(r, a, r.PostFormValue("year"))
	if err != nil {
		return err
	}
	v := templates.CalendarView{Year: year, Date: r.PostFormValue("date"), Kind: r.PostFormValue("kind"),
		Name: r.PostFormValue("name"), Lines: r.PostFormValue("lines")}
	switch r.PostFormValue("op") {
	case "add":
		err = p.svc.AddCalendarDays(r.Context(), a, []domain.CalendarDay{{Date: v.Date, Kind: v.Kind, Name: v.Name}})
	case "remove":
		err = p.svc.RemoveCalendarDay(r.Context(), a, v.Date)
	case "paste":
		var days []domain.CalendarDay
		if days, err = domain.ParseCalendarLines(v.Lines); err == nil {
			err = p.svc.AddCalendarDays(r.Context(), a, days)
		}
	default:
		return domain.ErrNotFound
	}
	if errs, msg, ok := fieldErrors(r, err); ok {
		v.FormError = joinErrors(msg, errs)
		return p.renderCalendar(w, r, a, httperr.Status(err), v)
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/admin/calendar?year="+strconv.Itoa(year), "flash.saved")
}
