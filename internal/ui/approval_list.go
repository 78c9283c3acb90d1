package ui

import (
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

// listApprovals is the approvals queue (审批): what waits for the user's
// decision, newest first.
func (p *Pages) listApprovals(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	return p.renderApprovals(w, r, a, http.StatusOK, 0, "")
}

func (p *Pages) renderApprovals(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, errID int64, formError string) error {
	items, next, err := p.svc.Approvals(r.Context(), a, listPageSize, cursor(r.URL.Query()))
	if err != nil {
		return err
	}
	pg, r, err := p.page(r, a, "nav.approvals")
	if err != nil {
		return err
	}
	v := templates.ApprovalsView{Items: items, ErrorID: errID, FormError: formError}
	if next != 0 {
		v.NextURL = "/approvals?cursor=" + itoa(next)
	}
	return renderStatus(w, r, status, templates.Approvals(pg, v))
}

// decideApproval approves or rejects (decision=approve|reject, reason) an
// approval from the queue and goes back to it (303); a refusal (say,
// rejecting without a reason) shows beside its buttons.
func (p *Pages) decideApproval(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	decision := r.PostFormValue("decision")
	if decision != "approve" && decision != "reject" {
		return errBadForm
	}
	_, err = p.svc.DecideApproval(r.Context(), a, id, decision == "approve", r.PostFormValue("reason"))
	if errs, msg, ok := fieldErrors(r, err); ok {
		if m := errs["reason"]; m != "" {
			msg = m
		}
		return p.renderApprovals(w, r, a, httperr.Status(err), id, msg)
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/approvals", "flash.approval."+decision)
}
