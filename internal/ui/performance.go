package ui

import (
	"net/http"
	"time"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

// showPerformance is the performance view (业绩) over ?from= to ?to=
// (days, inclusive; this month by default).
func (p *Pages) showPerformance(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	q := r.URL.Query()
	v := templates.PerformanceView{From: q.Get("from"), To: q.Get("to"), ShowTotal: a.Is(domain.RoleAdmin)}
	perf, err := p.svc.Performance(r.Context(), a, v.From, v.To)
	status := http.StatusOK
	if errs, _, ok := fieldErrors(r, err); ok {
		v.Errors, status = errs, httperr.Status(err)
	} else if err != nil {
		return err
	} else {
		v.P = perf
		v.From, v.To = perf.From.Format(time.DateOnly), perf.To.Format(time.DateOnly)
	}
	pg, r, err := p.page(r, a, "nav.performance")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.Performance(pg, v))
}
