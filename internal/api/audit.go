package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// listAudit searches the audit log (GET /audit?actor=&action=&entity=
// &entity_id=&from=&to=&limit=&cursor=, admins); with ?format=csv or
// Accept: text/csv it answers every match as CSV.
func (api *API) listAudit(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	pol, err := api.svc.Policy(r.Context(), a)
	if err != nil {
		return err
	}
	f, err := domain.AuditFilterFromQuery(r.URL.Query(), pol.Location())
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "csv" || strings.Contains(r.Header.Get("Accept"), "text/csv") {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="audit.csv"`)
		return api.svc.ExportAuditCSV(r.Context(), a, f, w)
	}
	if f.Limit, err = limitParam(r); err != nil {
		return err
	}
	recs, next, err := api.svc.AuditLog(r.Context(), a, f)
	if err != nil {
		return err
	}
	out := list[domain.AuditRecord]{Items: recs}
	if out.Items == nil {
		out.Items = []domain.AuditRecord{}
	}
	if next != 0 {
		out.NextCursor = strconv.FormatInt(next, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// listAbuse is the bulk-claiming watch list (GET /abuse?days=1–90, default
// 7; managers and admins).
func (api *API) listAbuse(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	days := 7
	if s := r.URL.Query().Get("days"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 90 {
			return domain.Invalid(map[string]i18n.Text{"days": {Zh: "须为 1 – 90 的整数", En: "must be a whole number from 1 to 90"}})
		}
		days = n
	}
	rows, err := api.svc.AbuseWatch(r.Context(), a, api.svc.Now().Add(-time.Duration(days)*24*time.Hour))
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []domain.AbuseRow{}
	}
	writeJSON(w, http.StatusOK, list[domain.AbuseRow]{Items: rows})
	return nil
}
