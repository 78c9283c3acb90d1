package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"baobei/internal/domain"
	"baobei/internal/sheet"
)

// idString is an id as api.md writes it (an opaque string), nil for 0.
func idString(n int64) *string {
	if n == 0 {
		return nil
	}
	s := strconv.FormatInt(n, 10)
	return &s
}

// visitBody is a logged visit; the phone is masked for everyone.
type visitBody struct {
	ID              string             `json:"id"`
	Effect          domain.VisitEffect `json:"effect"`
	RegistrationID  *string            `json:"registration_id"`
	VisitorName     string             `json:"visitor_name"`
	Phone           string             `json:"phone"`
	Company         string             `json:"company"`
	CustomerName    string             `json:"customer_name"`
	SalespersonID   *string            `json:"salesperson_id"`
	SalespersonName string             `json:"salesperson_name,omitempty"`
	VisitedAt       time.Time          `json:"visited_at"`
	PartySize       int                `json:"party_size"`
	Note            string             `json:"note"`
	RecordedBy      string             `json:"recorded_by"`
	voidBody
}

// voidBody says whether and why a visit or deal was voided (作废).
type voidBody struct {
	VoidedAt   *time.Time `json:"voided_at"`
	VoidedBy   string     `json:"voided_by,omitempty"`
	VoidReason string     `json:"void_reason,omitempty"`
}

func visitJSON(v domain.Visit) visitBody {
	return visitBody{ID: strconv.FormatInt(v.ID, 10), Effect: v.Effect, RegistrationID: idString(v.RegistrationID), VisitorName: v.VisitorName,
		Phone: v.Phone, Company: v.Company, CustomerName: v.CustomerName, SalespersonID: idString(v.SalespersonID),
		SalespersonName: v.SalespersonName, VisitedAt: v.VisitedAt, PartySize: v.PartySize, Note: v.Note, RecordedBy: v.RecordedByName,
		voidBody: voidBody{VoidedAt: v.VoidedAt, VoidedBy: v.VoidedByName, VoidReason: v.VoidReason}}
}

// createVisit logs a walk-in visit: 201 with its effect.
func (api *API) createVisit(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	var in domain.VisitInput
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := api.svc.RecordVisit(r.Context(), a, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, visitJSON(v))
	return nil
}

// listVisits is the daily visit sheet of ?date= (today by default): JSON,
// or a file with Accept: text/csv, ?format=csv or ?format=xlsx.
func (api *API) listVisits(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	pol, err := api.svc.Policy(r.Context(), a)
	if err != nil {
		return err
	}
	loc := pol.Location()
	day := r.URL.Query().Get("date")
	if day == "" {
		day = api.svc.Now().In(loc).Format(time.DateOnly)
	}
	visits, err := api.svc.Visits(r.Context(), a, day)
	if err != nil {
		return err
	}
	switch format := r.URL.Query().Get("format"); {
	case format == "xlsx":
		return sheet.Respond(r.Context(), w, loc, day, "xlsx", visits)
	case format == "csv" || (format == "" && strings.Contains(r.Header.Get("Accept"), "text/csv")):
		return sheet.Respond(r.Context(), w, loc, day, "csv", visits)
	}
	out := list[visitBody]{Items: make([]visitBody, len(visits))}
	for i, v := range visits {
		out.Items[i] = visitJSON(v)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
