package api

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
	"baobei/internal/i18n"
	"baobei/internal/sheet"
)

// privacyRoutes registers the working-day calendar and the personal
// information (PIPL) endpoints: export and erasure of one contact.
func (api *API) privacyRoutes(r chi.Router) {
	admin := []domain.Role{domain.RoleAdmin}
	r.Get("/calendar", api.authed(api.getCalendar))
	r.Put("/calendar", api.authed(api.putCalendar, admin...))
	r.Post("/privacy/export", api.authed(api.exportPersonalData, admin...))
	r.Post("/privacy/erase", api.authed(api.erasePersonalData, admin...))
}

// calendarBody is one year of the holiday calendar.
type calendarBody struct {
	Year int                  `json:"year"`
	Days []domain.CalendarDay `json:"days"`
}

// calendarYear reads ?year=, the current year in the tenant's zone when
// absent.
func (api *API) calendarYear(r *http.Request, a domain.Actor) (int, error) {
	s := r.URL.Query().Get("year")
	if s == "" {
		pol, err := api.svc.Policy(r.Context(), a)
		if err != nil {
			return 0, err
		}
		return api.svc.Now().In(pol.Location()).Year(), nil
	}
	year, err := strconv.Atoi(s)
	if err != nil {
		return 0, domain.Invalid(map[string]i18n.Text{"year": {Zh: "年份须为数字, 如 2027", En: "must be a year such as 2027"}})
	}
	return year, nil
}

// getCalendar lists the holidays and make-up working days of ?year=.
func (api *API) getCalendar(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	year, err := api.calendarYear(r, a)
	if err != nil {
		return err
	}
	days, err := api.svc.CalendarYear(r.Context(), a, year)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, calendarBody{Year: year, Days: days})
	return nil
}

// putCalendar replaces the listed days of ?year= by the body's days.
func (api *API) putCalendar(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	year, err := api.calendarYear(r, a)
	if err != nil {
		return err
	}
	var in struct {
		Days []domain.CalendarDay `json:"days"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	days, err := api.svc.SetCalendarYear(r.Context(), a, year, in.Days)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, calendarBody{Year: year, Days: days})
	return nil
}

// exportPersonalData answers everything stored about the contact the
// body names ({"phone","name"}) as JSON, or with ?format=xlsx as a
// workbook.
func (api *API) exportPersonalData(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	var in domain.PersonLookup
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := api.svc.ExportPersonalData(r.Context(), a, in)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "xlsx" {
		pol, err := api.svc.Policy(r.Context(), a)
		if err != nil {
			return err
		}
		return sheet.RespondPersonalData(r.Context(), w, pol.Location(), d)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, d)
	return nil
}

// erasePersonalData erases the contact the body names and answers how
// many records of each kind it changed.
func (api *API) erasePersonalData(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	var in domain.PersonLookup
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := api.svc.ErasePersonalData(r.Context(), a, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"erased": d.Counts()})
	return nil
}
