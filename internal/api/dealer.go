package api

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// dealerRequest is a dealer registration (新经销商报备) as the API takes it;
// documents name staged files (POST /files) by purpose: business_licence,
// legal_rep_id, operating_permit.
type dealerRequest struct {
	Company     string              `json:"company"`
	Bank        string              `json:"bank"`
	BankAccount string              `json:"bank_account"`
	TaxNo       string              `json:"tax_no"`
	Address     string              `json:"address"`
	Phone       string              `json:"phone"`
	Documents   map[string][]string `json:"documents"`
}

func decodeDealer(r *http.Request) (domain.DealerInput, error) {
	var in dealerRequest
	if err := decode(r, &in); err != nil {
		return domain.DealerInput{}, err
	}
	out := domain.DealerInput{Company: in.Company, Bank: in.Bank, BankAccount: in.BankAccount, TaxNo: in.TaxNo,
		Address: in.Address, Phone: in.Phone, Documents: map[string][]int64{}}
	for purpose, ss := range in.Documents {
		ids, err := parseIDs("documents."+purpose, ss)
		if err != nil {
			return out, err
		}
		out.Documents[purpose] = ids
	}
	return out, nil
}

// createDealer submits a dealer registration (POST /dealers) → 201.
func (api *API) createDealer(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	in, err := decodeDealer(r)
	if err != nil {
		return err
	}
	d, err := api.svc.SubmitDealer(r.Context(), a, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

// resubmitDealer corrects and resubmits a returned registration (PUT
// /dealers/{id}, documents optional) → 200.
func (api *API) resubmitDealer(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decodeDealer(r)
	if err != nil {
		return err
	}
	d, err := api.svc.ResubmitDealer(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// listDealers lists the registrations the caller may read (GET
// /dealers?status=pending|returned|approved&limit=&cursor=).
func (api *API) listDealers(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	cursor, err := cursorParam(r)
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	if status != "" && !slices.Contains([]string{domain.ChainPending, domain.ChainReturned, domain.ChainApproved}, status) {
		return unknownValue("status")
	}
	ds, next, err := api.svc.Dealers(r.Context(), a, domain.DealerFilter{Status: status, Limit: limit, Cursor: cursor})
	if err != nil {
		return err
	}
	out := list[domain.Dealer]{Items: ds}
	if out.Items == nil {
		out.Items = []domain.Dealer{}
	}
	if next != 0 {
		out.NextCursor = strconv.FormatInt(next, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (api *API) getDealer(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := api.svc.Dealer(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// decideDealer approves or returns the current step of a dealer's chain
// (POST /dealers/{id}/decision {"approve","reason"}) → 200; the same as
// deciding its approval in POST /approvals/{id}.
func (api *API) decideDealer(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
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
	d, err := api.svc.DecideDealer(r.Context(), a, id, *in.Approve, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

type chainBody struct {
	Kind  string        `json:"kind"`
	Roles []domain.Role `json:"roles"`
}

// getApprovalChain answers a kind's chain (GET /approval-chains/{kind}).
func (api *API) getApprovalChain(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	kind := chi.URLParam(r, "kind")
	roles, err := api.svc.ApprovalChain(r.Context(), a, kind)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, chainBody{kind, roles})
	return nil
}

// putApprovalChain sets a kind's chain (PUT /approval-chains/{kind}
// {"roles":[…]}, admins) → 200.
func (api *API) putApprovalChain(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	kind := chi.URLParam(r, "kind")
	var in struct {
		Roles []domain.Role `json:"roles"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := api.svc.SetApprovalChain(r.Context(), a, kind, in.Roles); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, chainBody{kind, in.Roles})
	return nil
}
