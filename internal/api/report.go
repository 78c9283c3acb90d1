package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// reportRoutes registers the reports' API: the figures the reports page
// charts, for managers (their teams), clerks and admins.
func (api *API) reportRoutes(r chi.Router) {
	r.Get("/reports", api.authed(api.getReport, domain.RoleManager, domain.RoleClerk, domain.RoleAdmin))
}

// reportBody is a report over a period (api docs: GET /api/v1/reports).
type reportBody struct {
	From        string        `json:"from"`
	To          string        `json:"to"`
	TeamID      *string       `json:"team_id"`
	Teams       []reportLine  `json:"teams"`
	People      []reportLine  `json:"people"`
	Total       reportFigures `json:"total"`
	Funnel      []reportCount `json:"funnel"`
	Decisions   []reportCount `json:"decisions"`
	Attribution []reportCount `json:"attribution"`
}

// reportFigures are the figures of a line; conflict_rate (0 to 1) is null
// without registrations.
type reportFigures struct {
	Registrations int      `json:"registrations"`
	Conflicts     int      `json:"conflicts"`
	ConflictRate  *float64 `json:"conflict_rate"`
	Visited       int      `json:"visited"`
	Converted     int      `json:"converted"`
	Expiries      int      `json:"expiries"`
	Visits        int      `json:"visits"`
	Deals         int      `json:"deals"`
	Amount        float64  `json:"amount"`
}

type reportLine struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Team string `json:"team,omitempty"`
	reportFigures
}

type reportCount struct {
	Key    string   `json:"key"`
	Label  string   `json:"label"`
	Count  int      `json:"count"`
	Amount *float64 `json:"amount,omitempty"`
}

func figuresBody(f domain.ReportFigures) reportFigures {
	out := reportFigures{f.Registrations, f.Conflicts, nil, f.Visited, f.Converted, f.Expiries, f.Visits, f.Deals, f.Amount}
	if r, ok := f.ConflictRate(); ok {
		out.ConflictRate = &r
	}
	return out
}

func linesBody(ls []domain.ReportLine) []reportLine {
	out := make([]reportLine, len(ls))
	for i, l := range ls {
		out[i] = reportLine{strconv.FormatInt(l.ID, 10), l.Name, l.Team, figuresBody(l.ReportFigures)}
	}
	return out
}

// countsBody is a breakdown in lang; withAmount keeps the amounts.
func countsBody(cs []domain.ReportCount, lang i18n.Lang, withAmount bool) []reportCount {
	out := make([]reportCount, len(cs))
	for i, c := range cs {
		out[i] = reportCount{Key: c.Key, Label: c.Label.In(lang), Count: c.Count}
		if withAmount {
			out[i].Amount = &cs[i].Amount
		}
	}
	return out
}

// getReport answers the report over ?from= to ?to= (days, inclusive; the
// last 30 days by default, at most 366) for ?team_id= or every team the
// caller may see.
func (api *API) getReport(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	q := r.URL.Query()
	rep, err := api.svc.Report(r.Context(), a, q.Get("from"), q.Get("to"), q.Get("team_id"))
	if err != nil {
		return err
	}
	lang := i18n.FromContext(r.Context())
	out := reportBody{From: rep.From.Format(time.DateOnly), To: rep.To.Format(time.DateOnly), TeamID: idString(rep.TeamID),
		Teams: linesBody(rep.Teams), People: linesBody(rep.People), Total: figuresBody(rep.Total),
		Funnel: countsBody(rep.Funnel(), lang, false), Decisions: countsBody(rep.Decisions, lang, false),
		Attribution: countsBody(rep.Attribution, lang, true)}
	writeJSON(w, http.StatusOK, out)
	return nil
}
