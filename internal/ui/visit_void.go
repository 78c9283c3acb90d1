package ui

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"baobei/internal/domain"
	"baobei/internal/httperr"
)

// voidVisit voids a visit from the daily sheet (reason; date names the
// sheet to go back to) and goes back to that sheet (303); a refusal (no
// reason, already voided) shows on the sheet (422).
func (p *Pages) voidVisit(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	loc, err := p.location(r, a)
	if err != nil {
		return err
	}
	day := strings.TrimSpace(r.PostFormValue("date"))
	v, err := p.svc.VoidVisit(r.Context(), a, id, r.PostFormValue("reason"))
	if errs, msg, ok := fieldErrors(r, err); ok {
		if day == "" {
			day = p.svc.Now().In(loc).Format(time.DateOnly)
		}
		return p.renderVisitSheet(w, r, a, loc, day, httperr.Status(err), joinErrors(msg, errs))
	}
	if err != nil {
		return err
	}
	day = v.VisitedAt.In(loc).Format(time.DateOnly)
	return p.redirect(w, r, "/visits/sheet?"+url.Values{"date": {day}}.Encode(), "flash.visit_voided")
}
