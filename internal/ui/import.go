package ui

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/internal/i18n"
	"baobei/internal/sheet"
	"baobei/templates"
)

// importRoutes registers the bulk import pages: upload, the job with its
// mapping, preview, progress and result files.
func (p *Pages) importRoutes(r chi.Router) {
	importers := []domain.Role{domain.RoleAdmin, domain.RoleManager}
	r.Get("/imports", p.signedIn(p.showImportForm, importers...))
	r.Post("/imports", p.signedIn(p.createImport, importers...))
	r.Get("/imports/{id}", p.signedIn(p.showImport, importers...))
	r.Get("/imports/{id}/progress", p.signedIn(p.showImportProgress, importers...))
	r.Post("/imports/{id}/mapping", p.signedIn(p.mapImport, importers...))
	r.Post("/imports/{id}/start", p.signedIn(p.startImport, importers...))
	r.Get("/imports/{id}/result.csv", p.signedIn(p.downloadImportResult("csv"), importers...))
	r.Get("/imports/{id}/result.xlsx", p.signedIn(p.downloadImportResult("xlsx"), importers...))
}

func (p *Pages) showImportForm(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.renderImportForm(w, r, a, http.StatusOK, "")
}

func (p *Pages) renderImportForm(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, msg string) error {
	pg, r, err := p.page(r, a, "nav.imports")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.ImportNew(pg, templates.ImportNewView{Error: msg}))
}

// createImport stores the posted file and shows its preview (303); a file
// the import cannot read brings the form back with the reason.
func (p *Pages) createImport(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	ups, err := uploadsOf(r, "file")
	if err != nil {
		return err
	}
	if len(ups) != 1 {
		return p.renderImportForm(w, r, a, http.StatusUnprocessableEntity, i18n.T(r.Context(), "import.upload"))
	}
	job, err := p.svc.CreateImport(r.Context(), a, ups[0])
	if errs, msg, ok := fieldErrors(r, err); ok {
		return p.renderImportForm(w, r, a, httperr.Status(err), joinErrors(msg, errs))
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/imports/"+itoa(job.ID), "")
}

// showImport shows a job: mapping and preview, progress, or result, with
// its rows paged (?outcome=, ?cursor=).
func (p *Pages) showImport(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.renderImport(w, r, a, http.StatusOK, "")
}

func (p *Pages) renderImport(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, msg string) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	job, err := p.svc.Import(r.Context(), a, id)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	outcome := domain.ImportOutcome(q.Get("outcome"))
	rows, next, err := p.svc.ImportRows(r.Context(), a, id, outcome, int(cursor(q)), listPageSize)
	if domain.ErrorCode(err) == domain.CodeInvalid {
		outcome = ""
		rows, next, err = p.svc.ImportRows(r.Context(), a, id, "", int(cursor(q)), listPageSize)
	}
	if err != nil {
		return err
	}
	v := templates.ImportView{Job: job, Rows: rows, Outcome: string(outcome), Error: msg}
	if next != 0 {
		v.NextURL = "/imports/" + itoa(id) + "?" + url.Values{"outcome": {string(outcome)}, "cursor": {strconv.Itoa(next)}}.Encode()
	}
	pg, r, err := p.page(r, a, "nav.imports")
	if err != nil {
		return err
	}
	return renderStatus(w, r, status, templates.Import(pg, v))
}

// showImportProgress is the progress fragment htmx polls; once the
// import has ended it tells htmx to reload the page.
func (p *Pages) showImportProgress(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	job, err := p.svc.Import(r.Context(), a, id)
	if err != nil {
		return err
	}
	if job.Status != domain.ImportQueued && job.Status != domain.ImportRunning {
		w.Header().Set("HX-Refresh", "true")
	}
	return render(w, r, templates.ImportProgress(job))
}

// mapImport applies the posted column mapping (map_<field> = column
// number, empty for none) and previews again (303).
func (p *Pages) mapImport(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m := domain.ImportMapping{}
	for _, f := range domain.ImportFields {
		s := r.PostFormValue("map_" + string(f))
		if s == "" {
			continue
		}
		col, err := strconv.Atoi(s)
		if err != nil {
			col = -1 // the domain refuses it
		}
		m[f] = col
	}
	_, err = p.svc.SetImportMapping(r.Context(), a, id, m)
	if errs, msg, ok := fieldErrors(r, err); ok {
		return p.renderImport(w, r, a, httperr.Status(err), joinErrors(msg, errs))
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/imports/"+itoa(id), "flash.import.mapped")
}

// startImport queues the job and shows its progress (303).
func (p *Pages) startImport(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	_, err = p.svc.StartImport(r.Context(), a, id)
	if errs, msg, ok := fieldErrors(r, err); ok {
		return p.renderImport(w, r, a, httperr.Status(err), joinErrors(msg, errs))
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/imports/"+itoa(id), "flash.import.started")
}

// downloadImportResult answers the file with each row's outcome as CSV
// or XLSX (ext).
func (p *Pages) downloadImportResult(ext string) handler {
	return func(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		res, err := p.svc.ImportResult(r.Context(), a, id)
		if err != nil {
			return err
		}
		return sheet.RespondImportResult(r.Context(), w, res, ext)
	}
}
