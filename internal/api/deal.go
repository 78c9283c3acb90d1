package api

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// attributionBody is who gets credit for a deal (api.md).
type attributionBody struct {
	Status         domain.DealStatus      `json:"status"`
	Rule           domain.AttributionRule `json:"rule"`
	RuleText       string                 `json:"rule_text"`
	OwnerID        *string                `json:"owner_id"`
	OwnerName      string                 `json:"owner_name,omitempty"`
	TeamID         *string                `json:"team_id"`
	TeamName       string                 `json:"team_name,omitempty"`
	AssistIDs      []string               `json:"assist_ids"`
	RegistrationID *string                `json:"registration_id"`
}

// claimBody is a claim on a deal.
type claimBody struct {
	ID           string             `json:"id"`
	DealID       string             `json:"deal_id"`
	ClaimantID   string             `json:"claimant_id"`
	ClaimantName string             `json:"claimant_name"`
	Evidence     string             `json:"evidence"`
	Status       domain.ClaimStatus `json:"status"`
	Reason       string             `json:"reason,omitempty"`
	DecidedAt    *time.Time         `json:"decided_at"`
	CreatedAt    time.Time          `json:"created_at"`
}

// dealBody is the deal resource: the deal, its attribution, claims and
// claim deadline. The buyer's phone is left out for salespeople who see
// an unclaimed deal only to claim it.
type dealBody struct {
	ID            string            `json:"id"`
	ContractNo    string            `json:"contract_no"`
	CustomerID    string            `json:"customer_id"`
	Customer      domain.Customer   `json:"customer"`
	BuyerPhone    *string           `json:"buyer_phone,omitempty"`
	SignedAt      time.Time         `json:"signed_at"`
	Amount        float64           `json:"amount"`
	SignerID      string            `json:"signer_id"`
	SignerName    string            `json:"signer_name"`
	Status        domain.DealStatus `json:"status"`
	Attribution   attributionBody   `json:"attribution"`
	ClaimDeadline *time.Time        `json:"claim_deadline"`
	Claims        []claimBody       `json:"claims"`
	CreatedAt     time.Time         `json:"created_at"`
	voidBody
}

func ids(ns []int64) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strconv.FormatInt(n, 10)
	}
	return out
}

func claimJSON(c domain.DealClaim) claimBody {
	return claimBody{ID: strconv.FormatInt(c.ID, 10), DealID: strconv.FormatInt(c.DealID, 10),
		ClaimantID: strconv.FormatInt(c.ClaimantID, 10), ClaimantName: c.ClaimantName, Evidence: c.Evidence,
		Status: c.Status, Reason: c.Reason, DecidedAt: c.DecidedAt, CreatedAt: c.CreatedAt}
}

func dealJSON(r *http.Request, d domain.Deal) dealBody {
	b := dealBody{ID: strconv.FormatInt(d.ID, 10), ContractNo: d.ContractNo, CustomerID: strconv.FormatInt(d.CustomerID, 10),
		Customer: d.Customer, SignedAt: d.SignedAt, Amount: d.Amount, SignerID: strconv.FormatInt(d.SignerID, 10),
		SignerName: d.SignerName, Status: d.Status, ClaimDeadline: d.ClaimDeadline, CreatedAt: d.CreatedAt,
		Attribution: attributionBody{Status: d.Status, Rule: d.Rule, RuleText: d.Rule.Label().In(i18n.FromContext(r.Context())),
			OwnerID: idString(d.OwnerID), OwnerName: d.OwnerName, TeamID: idString(d.TeamID), TeamName: d.TeamName,
			AssistIDs: ids(d.AssistIDs), RegistrationID: idString(d.RegistrationID)},
		Claims:   make([]claimBody, len(d.Claims)),
		voidBody: voidBody{VoidedAt: d.VoidedAt, VoidedBy: d.VoidedByName, VoidReason: d.VoidReason}}
	if d.Full {
		b.BuyerPhone = &d.BuyerPhone
	}
	if b.Customer.Contacts == nil {
		b.Customer.Contacts = []domain.Contact{}
	}
	for i, c := range d.Claims {
		b.Claims[i] = claimJSON(c)
	}
	return b
}

// createDeal records a deal: 201 with its attribution; never refused
// over ownership.
func (api *API) createDeal(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	var in domain.DealInput
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := api.svc.RecordDeal(r.Context(), a, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, dealJSON(r, d))
	return nil
}

// listDeals lists the deals the caller reads (?status=, ?q=, paged).
func (api *API) listDeals(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := domain.DealFilter{Status: domain.DealStatus(q.Get("status")), Query: q.Get("q"), Limit: limit}
	if f.Status != "" && !slices.Contains(domain.DealStatuses, f.Status) {
		return unknownValue("status")
	}
	if f.Cursor, err = cursorParam(r); err != nil {
		return err
	}
	deals, next, err := api.svc.Deals(r.Context(), a, f)
	if err != nil {
		return err
	}
	out := list[dealBody]{Items: make([]dealBody, len(deals))}
	for i, d := range deals {
		out.Items[i] = dealJSON(r, d)
	}
	if next != 0 {
		out.NextCursor = strconv.FormatInt(next, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// unknownValue refuses a query parameter with a value outside its list.
func unknownValue(param string) error {
	return domain.Invalid(map[string]i18n.Text{param: {Zh: "未知的取值", En: "unknown value"}})
}

// cursorParam reads ?cursor= (an id; 0 when absent).
func cursorParam(r *http.Request) (int64, error) {
	c := r.URL.Query().Get("cursor")
	if c == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(c, 10, 64)
	if err != nil || n <= 0 {
		return 0, domain.Invalid(map[string]i18n.Text{"cursor": {Zh: "无效的游标", En: "invalid cursor"}})
	}
	return n, nil
}

func (api *API) getDeal(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := api.svc.Deal(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, dealJSON(r, d))
	return nil
}

// claimDeal files a claim with evidence: 201 while the deal is unclaimed
// and before its claim deadline, 422 otherwise.
func (api *API) claimDeal(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Evidence string `json:"evidence"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := api.svc.ClaimDeal(r.Context(), a, id, in.Evidence)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, claimJSON(c))
	return nil
}

// decideDealClaim approves or rejects a claim ({"approve","reason"}), as
// POST /api/v1/approvals/{id} does from the approvals queue.
func (api *API) decideDealClaim(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	dealID, err := pathID(r, "id")
	if err != nil {
		return err
	}
	claimID, err := pathID(r, "claim_id")
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
	if on, err := api.svc.DealOfClaim(r.Context(), a, claimID); err != nil || on != dealID {
		if err == nil {
			err = domain.ErrNotFound
		}
		return err
	}
	c, err := api.svc.DecideDealClaim(r.Context(), a, claimID, *in.Approve, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, claimJSON(c))
	return nil
}
