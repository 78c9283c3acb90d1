package ui

import (
	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
)

// dealRoutes registers the pages of the front desk and deals: visits and
// the daily sheet, deals and claims, the duty roster, the team pool, the
// performance view and customer grades.
func (p *Pages) dealRoutes(r chi.Router) {
	frontdesk := []domain.Role{domain.RoleFrontdesk, domain.RoleClerk, domain.RoleManager, domain.RoleAdmin}
	salesPlus := []domain.Role{domain.RoleSales, domain.RoleManager, domain.RoleAdmin}
	deciders := []domain.Role{domain.RoleManager, domain.RoleAdmin}
	readers := []domain.Role{domain.RoleSales, domain.RoleManager, domain.RoleClerk, domain.RoleAdmin}

	r.Get("/visits", p.signedIn(p.showVisits, frontdesk...))
	r.Post("/visits", p.signedIn(p.createVisit, frontdesk...))
	r.Get("/visits/sheet", p.signedIn(p.showVisitSheet, frontdesk...))
	r.Get("/visits/sheet.csv", p.signedIn(p.downloadVisitSheet("csv"), frontdesk...))
	r.Get("/visits/sheet.xlsx", p.signedIn(p.downloadVisitSheet("xlsx"), frontdesk...))

	r.Get("/deals", p.signedIn(p.listDeals, dealRecorders...))
	r.Post("/deals", p.signedIn(p.createDeal, dealRecorders...))
	r.Get("/deals/{id}", p.signedIn(p.showDeal, dealRecorders...))
	r.Post("/deals/{id}/claims", p.signedIn(p.claimDeal, salesPlus...))
	r.Post("/deals/claims/{id}/decide", p.signedIn(p.decideDealClaim, deciders...))

	r.Get("/duty-roster", p.signedIn(p.showDutyRoster, readers...))
	r.Post("/duty-roster", p.signedIn(p.setDuty, domain.RoleClerk, domain.RoleAdmin))
	r.Get("/team-pool", p.signedIn(p.showTeamPool, deciders...))
	r.Post("/team-pool/reassign", p.signedIn(p.reassignPooled, deciders...))
	r.Get("/performance", p.signedIn(p.showPerformance, deciders...))
	r.Get("/customers", p.signedIn(p.listCustomers, readers...))
}
