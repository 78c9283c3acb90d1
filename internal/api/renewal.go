package api

import (
	"net/http"
	"strconv"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// pendingRenewal answers a renewal that waits for a manager (202).
type pendingRenewal struct {
	Status       string           `json:"status"` // "pending"
	ApprovalID   string           `json:"approval_id"`
	Reason       string           `json:"reason"`
	Registration registrationBody `json:"registration"`
}

// renewRegistration asks to renew the caller's registration (POST
// /registrations/{id}/renew): 200 with the registration and its new
// protected_until, 202 when a manager must approve, 422 outside the window.
func (api *API) renewRegistration(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	res, err := api.svc.Renew(r.Context(), a, id)
	if err != nil {
		return err
	}
	if res.Pending {
		writeJSON(w, http.StatusAccepted, pendingRenewal{Status: domain.ApprovalPending, ApprovalID: strconv.FormatInt(res.ApprovalID, 10),
			Reason: res.Why.In(i18n.FromContext(r.Context())), Registration: registrationJSON(r, res.Registration)})
		return nil
	}
	writeJSON(w, http.StatusOK, registrationJSON(r, res.Registration))
	return nil
}
