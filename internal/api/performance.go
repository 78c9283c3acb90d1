package api

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"baobei/internal/domain"
)

// performanceBody is the performance view over a period.
type performanceBody struct {
	From   string       `json:"from"`
	To     string       `json:"to"`
	People []personPerf `json:"people"`
	Teams  []teamPerf   `json:"teams"`
	// Unclaimed is for admins only.
	Unclaimed *unclaimedPerf `json:"unclaimed,omitempty"`
}

type personPerf struct {
	UserID       string  `json:"user_id"`
	Name         string  `json:"name"`
	TeamName     string  `json:"team_name"`
	Active       bool    `json:"active"`
	Deals        int     `json:"deals"`
	Amount       float64 `json:"amount"`
	Assists      int     `json:"assists"`
	AssistAmount float64 `json:"assist_amount"`
}

type teamPerf struct {
	TeamID string  `json:"team_id"`
	Name   string  `json:"name"`
	Deals  int     `json:"deals"`
	Amount float64 `json:"amount"`
}

type unclaimedPerf struct {
	Deals  int     `json:"deals"`
	Amount float64 `json:"amount"`
}

// getPerformance answers the results per salesperson and team of the
// deals signed ?from= to ?to= (days, inclusive).
func (api *API) getPerformance(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	q := r.URL.Query()
	p, err := api.svc.Performance(r.Context(), a, q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	out := performanceBody{From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly),
		People: make([]personPerf, len(p.People)), Teams: make([]teamPerf, len(p.Teams))}
	for i, x := range p.People {
		out.People[i] = personPerf{strconv.FormatInt(x.UserID, 10), x.Name, x.TeamName, x.Active, x.Deals, x.Amount, x.Assists, x.AssistAmount}
	}
	for i, x := range p.Teams {
		out.Teams[i] = teamPerf{strconv.FormatInt(x.TeamID, 10), x.Name, x.Deals, x.Amount}
	}
	if a.Is(domain.RoleAdmin) {
		out.Unclaimed = &unclaimedPerf{p.Unclaimed, p.UnclaimedAmount}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// customerBody is a graded customer.
type customerBody struct {
	ID             string               `json:"id"`
	Name           string               `json:"name"`
	Kind           domain.CustomerKind  `json:"kind"`
	Grade          domain.CustomerGrade `json:"grade"`
	Deals          int                  `json:"deals"`
	Recent         float64              `json:"amount_12m"`
	RegistrationID *string              `json:"registration_id"`
	OwnerName      string               `json:"owner_name,omitempty"`
}

// listCustomers lists the graded customers the caller may see (?grade=,
// ?q=, paged).
func (api *API) listCustomers(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := domain.CustomerFilter{Grade: domain.CustomerGrade(q.Get("grade")), Query: q.Get("q"), Limit: limit}
	if f.Grade != "" && !slices.Contains(domain.CustomerGrades, f.Grade) {
		return unknownValue("grade")
	}
	if f.Cursor, err = cursorParam(r); err != nil {
		return err
	}
	rows, next, err := api.svc.Customers(r.Context(), a, f)
	if err != nil {
		return err
	}
	out := list[customerBody]{Items: make([]customerBody, len(rows))}
	for i, c := range rows {
		out.Items[i] = customerBody{strconv.FormatInt(c.ID, 10), c.Name, c.Kind, c.Grade, c.Deals, c.Recent, idString(c.RegistrationID), c.OwnerName}
	}
	if next != 0 {
		out.NextCursor = strconv.FormatInt(next, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
