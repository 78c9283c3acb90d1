package ui

import (
	"net/http"

	"baobei/internal/domain"
	"baobei/internal/httperr"
	"baobei/templates"
)

// showDeal shows one deal: its attribution, its claims, the claim form
// while it is open and the decision buttons for the claims' deciders. A
// deal the user may not see is not found (404).
func (p *Pages) showDeal(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.renderDeal(w, r, a, id, http.StatusOK, templates.DealDetailView{})
}

func (p *Pages) renderDeal(w http.ResponseWriter, r *http.Request, a domain.Actor, id int64, status int, v templates.DealDetailView) error {
	d, err := p.svc.Deal(r.Context(), a, id)
	if err != nil {
		return err
	}
	v.Deal = d
	v.CanClaim = a.Is(domain.RoleSales, domain.RoleManager, domain.RoleAdmin) && d.ClaimOpen(p.svc.Now())
	v.CanVoid = a.Is(domain.RoleClerk, domain.RoleAdmin) && d.VoidedAt == nil
	v.Decide = map[int64]bool{}
	for _, c := range d.Claims {
		if c.ClaimantID == a.UserID && c.Status == domain.ClaimPending {
			v.CanClaim = false
		}
		v.Decide[c.ID] = c.Status == domain.ClaimPending && a.CanDecideClaim(c)
	}
	pg, r, err := p.page(r, a, "deal.detail")
	if err != nil {
		return err
	}
	pg.Title = d.Customer.Name + " · " + d.ContractNo
	return renderStatus(w, r, status, templates.DealDetail(pg, v))
}

// claimDeal files the user's claim, with evidence, on an unclaimed deal;
// a refusal (no evidence, window closed) shows on the deal's page (422).
func (p *Pages) claimDeal(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	evidence := r.PostFormValue("evidence")
	_, err = p.svc.ClaimDeal(r.Context(), a, id, evidence)
	if errs, msg, ok := fieldErrors(r, err); ok {
		if m := errs["evidence"]; m != "" {
			msg = m
		}
		return p.renderDeal(w, r, a, id, httperr.Status(err), templates.DealDetailView{Evidence: evidence, ClaimError: msg})
	}
	if err != nil {
		return err
	}
	return p.redirect(w, r, "/deals/"+itoa(id), "flash.claimed")
}

// decideDealClaim approves or rejects a claim (decision=approve|reject,
// reason) and goes back to its deal; a refusal shows there.
func (p *Pages) decideDealClaim(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	decision := r.PostFormValue("decision")
	if decision != "approve" && decision != "reject" {
		return errBadForm
	}
	c, err := p.svc.DecideDealClaim(r.Context(), a, id, decision == "approve", r.PostFormValue("reason"))
	if errs, msg, ok := fieldErrors(r, err); ok {
		dealID, derr := p.svc.DealOfClaim(r.Context(), a, id)
		if derr != nil {
			return derr
		}
		if m := errs["reason"]; m != "" {
			msg = m
		}
		return p.renderDeal(w, r, a, dealID, httperr.Status(err), templates.DealDetailView{DecideError: msg})
	}
	if err != nil {
		return err
	}
	flash := "review.approved"
	if decision == "reject" {
		flash = "review.rejected"
	}
	return p.redirect(w, r, "/deals/"+itoa(c.DealID), flash)
}
