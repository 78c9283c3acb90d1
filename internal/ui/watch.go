package ui

import (
	"maps"
	"net/http"
	"strconv"
	"time"

	"baobei/internal/domain"
	"baobei/templates"
)

// showAbuseWatch is the bulk-claiming watch list (恶意抢报) of the last
// ?days= (1, 7, 30 or 90; default 7) for managers and admins.
func (p *Pages) showAbuseWatch(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	days, err := strconv.Atoi(r.URL.Query().Get("days"))
	if err != nil || days < 1 || days > 90 {
		days = 7
	}
	rows, err := p.svc.AbuseWatch(r.Context(), a, p.svc.Now().Add(-time.Duration(days)*24*time.Hour))
	if err != nil {
		return err
	}
	pg, r, err := p.page(r, a, "abuse.title")
	if err != nil {
		return err
	}
	return render(w, r, templates.AbuseWatch(pg, templates.AbuseView{Rows: rows, Days: days}))
}

// showAuditLog is the admin's search of the audit log: by actor, action,
// entity and dates (in the company's time zone), a page at a time.
func (p *Pages) showAuditLog(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	q := r.URL.Query()
	v := templates.AuditView{Actor: q.Get("actor"), Action: q.Get("action"), Entity: q.Get("entity"),
		EntityID: q.Get("entity_id"), From: q.Get("from"), To: q.Get("to")}
	pol, err := p.svc.Policy(r.Context(), a)
	if err != nil {
		return err
	}
	status := http.StatusOK
	f, err := domain.AuditFilterFromQuery(q, pol.Location())
	if errs, msg, ok := fieldErrors(r, err); ok {
		status, v.FormError = http.StatusUnprocessableEntity, joinErrors(msg, errs)
	} else {
		f.Limit = listPageSize
		var next int64
		if v.Rows, next, err = p.svc.AuditLog(r.Context(), a, f); err != nil {
			return err
		}
		if next != 0 {
			nq := maps.Clone(q)
			nq.Set("cursor", itoa(next))
			v.NextURL = "/admin/audit?" + nq.Encode()
		}
	}
	cq := maps.Clone(q)
	cq.Del("cursor")
	v.CSVURL = "/admin/audit.csv?" + cq.Encode()
	pg, r, err := p.page(r, a, "audit.title")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.AuditLog(pg, v))
}

// exportAuditLog answers the audit entries of the search as CSV.
func (p *Pages) exportAuditLog(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	pol, err := p.svc.Policy(r.Context(), a)
	if err != nil {
		return err
	}
	f, err := domain.AuditFilterFromQuery(r.URL.Query(), pol.Location())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit-`+p.svc.Now().In(pol.Location()).Format("20060102")+`.csv"`)
	return p.svc.ExportAuditCSV(r.Context(), a, f, w)
}
