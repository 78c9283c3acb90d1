package api

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
	"baobei/internal/i18n"
	"baobei/internal/sheet"
)

// importRoutes registers bulk import: upload and preview, the column
// mapping, rows with their outcomes, start, progress and the result file.
func (api *API) importRoutes(r chi.Router) {
	importers := []domain.Role{domain.RoleAdmin, domain.RoleManager}
	r.Post("/imports", api.authed(api.createImport, importers...))
	r.Get("/imports/{id}", api.authed(api.getImport, importers...))
	r.Get("/imports/{id}/rows", api.authed(api.listImportRows, importers...))
	r.Post("/imports/{id}/mapping", api.authed(api.setImportMapping, importers...))
	r.Post("/imports/{id}/start", api.authed(api.startImport, importers...))
	r.Get("/imports/{id}/result", api.authed(api.importResult, importers...))
}

// createImport stores a CSV or XLSX file (multipart, field "file", at
// most 10 MiB) and previews it → 201 job with its mapping and counts.
func (api *API) createImport(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	up, err := uploaded(r)
	if err != nil {
		return err
	}
	job, err := api.svc.CreateImport(r.Context(), a, up)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, job)
	return nil
}

func (api *API) getImport(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	job, err := api.svc.Import(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, job)
	return nil
}

// importRowBody is a row's outcome with its reason in the caller's language.
type importRowBody struct {
	domain.ImportRowResult
	Reason string `json:"reason"`
}

// listImportRows pages through a job's rows (?outcome=new|duplicate|conflict|invalid).
func (api *API) listImportRows(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	cursor, err := cursorParam(r)
	if err != nil {
		return err
	}
	rows, next, err := api.svc.ImportRows(r.Context(), a, id, domain.ImportOutcome(r.URL.Query().Get("outcome")), int(cursor), limit)
	if err != nil {
		return err
	}
	lang := i18n.FromContext(r.Context())
	out := list[importRowBody]{Items: make([]importRowBody, len(rows))}
	for i, row := range rows {
		out.Items[i] = importRowBody{row, row.Reason.In(lang)}
	}
	if next != 0 {
		out.NextCursor = strconv.Itoa(next)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// setImportMapping takes {"mapping":{"name":0,"phone":3,…}} (field →
// column number from 0) and previews again → 200 job.
func (api *API) setImportMapping(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Mapping domain.ImportMapping `json:"mapping"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	job, err := api.svc.SetImportMapping(r.Context(), a, id, in.Mapping)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, job)
	return nil
}

// startImport queues the job for the background importer → 202 job.
func (api *API) startImport(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	job, err := api.svc.StartImport(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, job)
	return nil
}

// importResult answers the file with each row's outcome: CSV, or XLSX
// with ?format=xlsx.
func (api *API) importResult(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	res, err := api.svc.ImportResult(r.Context(), a, id)
	if err != nil {
		return err
	}
	return sheet.RespondImportResult(r.Context(), w, res, r.URL.Query().Get("format"))
}
