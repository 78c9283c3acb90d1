package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// dutyBody is one week of the duty roster.
type dutyBody struct {
	WeekStart string  `json:"week_start"`
	TeamID    *string `json:"team_id"`
	TeamName  string  `json:"team_name,omitempty"`
}

func dutyJSON(w domain.DutyWeek) dutyBody {
	return dutyBody{WeekStart: w.WeekStart.Format(time.DateOnly), TeamID: idString(w.TeamID), TeamName: w.TeamName}
}

// putDuty sets the team on duty for the week starting {week_start} (a
// Monday; 422 otherwise).
func (api *API) putDuty(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	var in struct {
		TeamID int64 `json:"team_id,string"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	week, err := api.svc.SetDuty(r.Context(), a, chi.URLParam(r, "week_start"), in.TeamID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, dutyJSON(week))
	return nil
}

// maxDutyWeeks bounds ?weeks= of the roster.
const maxDutyWeeks = 104

// listDuty lists ?weeks= weeks (default 8) of the roster from the week
// containing ?from= (YYYY-MM-DD, today by default).
func (api *API) listDuty(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	q := r.URL.Query()
	from := api.svc.Now()
	if s := q.Get("from"); s != "" {
		pol, err := api.svc.Policy(r.Context(), a)
		if err != nil {
			return err
		}
		if from, err = time.ParseInLocation(time.DateOnly, s, pol.Location()); err != nil {
			return domain.Invalid(map[string]i18n.Text{"from": {Zh: "日期格式须为 YYYY-MM-DD", En: "The date must be YYYY-MM-DD"}})
		}
	}
	weeks := 8
	if s := q.Get("weeks"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxDutyWeeks {
			return domain.Invalid(map[string]i18n.Text{"weeks": {Zh: "须为 1 – 104 的整数", En: "must be an integer from 1 to 104"}})
		}
		weeks = n
	}
	roster, err := api.svc.DutyRoster(r.Context(), a, from, weeks)
	if err != nil {
		return err
	}
	out := list[dutyBody]{Items: make([]dutyBody, len(roster))}
	for i, wk := range roster {
		out.Items[i] = dutyJSON(wk)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
