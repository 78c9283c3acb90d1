package api

import (
	"net/http"
	"strconv"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// registrationBody is the registration resource of api.md, with texts in
// the caller's language.
type registrationBody struct {
	domain.Registration
	Decision *decisionBody `json:"decision,omitempty"`
}

type decisionBody struct {
	domain.RegistrationDecision
	Reason string `json:"reason"`
}

func registrationJSON(r *http.Request, reg domain.Registration) registrationBody {
	b := registrationBody{Registration: reg}
	if reg.Decision != nil {
		b.Decision = &decisionBody{*reg.Decision, reg.Decision.Reason.In(i18n.FromContext(r.Context()))}
	}
	if b.Missing == nil {
		b.Missing = []string{}
	}
	return b
}

type matchBody struct {
	domain.Match
	Why string `json:"why"`
}

func (api *API) checkRegistration(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	var in domain.RegistrationInput
	if err := decode(r, &in); err != nil {
		return err
	}
	res, err := api.svc.Check(r.Context(), a, in)
	if err != nil {
		return err
	}
	matches := make([]matchBody, len(res.Matches))
	for i, m := range res.Matches {
		matches[i] = matchBody{m, m.Why.In(i18n.FromContext(r.Context()))}
	}
	writeJSON(w, http.StatusOK, map[string]any{"matches": matches, "completeness": res.Completeness,
		"missing": res.Missing, "min_completeness": res.MinRequired})
	return nil
}

func (api *API) createRegistration(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	var in domain.RegistrationInput
	if err := decode(r, &in); err != nil {
		return err
	}
	reg, err := api.svc.Register(r.Context(), a, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, registrationJSON(r, reg))
	return nil
}

func (api *API) listRegistrations(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := domain.RegistrationFilter{Status: domain.Status(q.Get("status")), Query: q.Get("q"), Limit: limit}
	if f.Status != "" && !validStatus(f.Status) {
		return domain.Invalid(map[string]i18n.Text{"status": {Zh: "未知的状态", En: "unknown status"}})
	}
	if c := q.Get("cursor"); c != "" {
		if f.Cursor, err = strconv.ParseInt(c, 10, 64); err != nil || f.Cursor <= 0 {
			return domain.Invalid(map[string]i18n.Text{"cursor": {Zh: "无效的游标", En: "invalid cursor"}})
		}
	}
	regs, next, err := api.svc.Registrations(r.Context(), a, f)
	if err != nil {
		return err
	}
	out := list[registrationBody]{Items: make([]registrationBody, len(regs))}
	for i, reg := range regs {
		out.Items[i] = registrationJSON(r, reg)
	}
	if next != 0 {
		out.NextCursor = strconv.FormatInt(next, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func validStatus(s domain.Status) bool {
	for _, x := range domain.Statuses {
		if x == s {
			return true
		}
	}
	return false
}

func (api *API) getRegistration(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	reg, err := api.svc.Registration(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, registrationJSON(r, reg))
	return nil
}

func (api *API) reviewRegistration(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Approve *bool  `json:"approve"`
		Reason  string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Approve == nil {
		return domain.Invalid(map[string]i18n.Text{"approve": {Zh: "必填 (true 或 false)", En: "required (true or false)"}})
	}
	reg, err := api.svc.Review(r.Context(), a, id, *in.Approve, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, registrationJSON(r, reg))
	return nil
}
