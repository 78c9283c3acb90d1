package api

import (
	"net/http"
	"strconv"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// disputeBody is a case (api.md, GET /disputes/{id}) with its texts in the
// caller's language and each side's registration as the registration
// resource.
type disputeBody struct {
	domain.Dispute
	Claims     []disputeClaimBody `json:"claims"`
	Suggestion *suggestionBody    `json:"suggestion,omitempty"`
}

type disputeClaimBody struct {
	domain.DisputeClaim
	Registration *registrationBody `json:"registration,omitempty"`
}

type suggestionBody struct {
	domain.Suggestion
	Reason          string          `json:"reason"`
	WithoutEvidence *suggestionBody `json:"without_evidence,omitempty"`
}

func suggestionJSON(lang i18n.Lang, s *domain.Suggestion) *suggestionBody {
	if s == nil {
		return nil
	}
	return &suggestionBody{Suggestion: *s, Reason: s.Reason.In(lang), WithoutEvidence: suggestionJSON(lang, s.WithoutEvidence)}
}

func disputeJSON(r *http.Request, d domain.Dispute) disputeBody {
	b := disputeBody{Dispute: d, Claims: make([]disputeClaimBody, len(d.Claims)),
		Suggestion: suggestionJSON(i18n.FromContext(r.Context()), d.Suggestion)}
	for i, c := range d.Claims {
		b.Claims[i] = disputeClaimBody{DisputeClaim: c}
		if c.Registration != nil {
			reg := registrationJSON(r, *c.Registration)
			b.Claims[i].Registration = &reg
		}
	}
	return b
}

// createDispute opens a case or states the caller's side in the open case
// of their conflict (POST /disputes {"registration_id"|"deal_id","reason",
// "evidence","file_ids"}) → 201 with the case.
func (api *API) createDispute(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	var in struct {
		RegistrationID int64    `json:"registration_id,string"`
		DealID         int64    `json:"deal_id,string"`
		Reason         string   `json:"reason"`
		Evidence       string   `json:"evidence"`
		FileIDs        []string `json:"file_ids"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	files, err := parseIDs("file_ids", in.FileIDs)
	if err != nil {
		return err
	}
	d, err := api.svc.OpenDispute(r.Context(), a, domain.DisputeInput{RegistrationID: in.RegistrationID, DealID: in.DealID,
		Reason: in.Reason, Evidence: in.Evidence, FileIDs: files})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, disputeJSON(r, d))
	return nil
}

// parseIDs reads a list of ids (opaque strings in the API) of field.
func parseIDs(field string, ss []string) ([]int64, error) {
	out := make([]int64, len(ss))
	for i, s := range ss {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return nil, domain.Invalid(map[string]i18n.Text{field: {Zh: "无效的编号: " + s, En: "invalid id: " + s}})
		}
		out[i] = n
	}
	return out, nil
}

// listDisputes lists the cases the caller may read, newest first (GET
// /disputes?status=&limit=&cursor=).
func (api *API) listDisputes(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	cursor, err := cursorParam(r)
	if err != nil {
		return err
	}
	f := domain.DisputeFilter{Status: domain.DisputeStatus(r.URL.Query().Get("status")), Limit: limit, Cursor: cursor}
	if err := f.Validate(); err != nil {
		return err
	}
	ds, next, err := api.svc.Disputes(r.Context(), a, f)
	if err != nil {
		return err
	}
	out := list[disputeBody]{Items: make([]disputeBody, len(ds))}
	for i, d := range ds {
		out.Items[i] = disputeJSON(r, d)
	}
	if next != 0 {
		out.NextCursor = strconv.FormatInt(next, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (api *API) getDispute(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := api.svc.Dispute(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, disputeJSON(r, d))
	return nil
}

// decideDispute decides a case (POST /disputes/{id}/decision
// {"winner_registration_id"|"winner_user_id","reason"}) → 200.
func (api *API) decideDispute(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		WinnerRegistrationID int64  `json:"winner_registration_id,string"`
		WinnerUserID         int64  `json:"winner_user_id,string"`
		Reason               string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := api.svc.DecideDispute(r.Context(), a, id, domain.DisputeDecisionInput{
		WinnerRegistrationID: in.WinnerRegistrationID, WinnerUserID: in.WinnerUserID, Reason: in.Reason})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, disputeJSON(r, d))
	return nil
}

// appealDispute appeals a first decision (POST /disputes/{id}/appeal
// {"reason"}) → 201.
func (api *API) appealDispute(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := api.svc.AppealDispute(r.Context(), a, id, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, disputeJSON(r, d))
	return nil
}
