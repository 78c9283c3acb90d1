package api

import (
	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
)

// dealRoutes registers the API of the front desk and deals: visits and
// the daily sheet, deals and claims, the duty roster, the team pool, the
// performance view and customer grades.
func (api *API) dealRoutes(r chi.Router) {
	frontdesk := []domain.Role{domain.RoleFrontdesk, domain.RoleClerk, domain.RoleManager, domain.RoleAdmin}
	salesPlus := []domain.Role{domain.RoleSales, domain.RoleManager, domain.RoleAdmin}
	recorders := []domain.Role{domain.RoleSales, domain.RoleManager, domain.RoleAdmin, domain.RoleClerk}
	deciders := []domain.Role{domain.RoleManager, domain.RoleAdmin}

	r.Post("/visits", api.authed(api.createVisit, frontdesk...))
	r.Get("/visits", api.authed(api.listVisits, frontdesk...))
	r.Post("/deals", api.authed(api.createDeal, recorders...))
	r.Get("/deals", api.authed(api.listDeals, recorders...))
	r.Get("/deals/{id}", api.authed(api.getDeal, recorders...))
	r.Post("/deals/{id}/claims", api.authed(api.claimDeal, salesPlus...))
	r.Post("/deals/{id}/claims/{claim_id}/decision", api.authed(api.decideDealClaim, deciders...))
	r.Get("/duty-roster", api.authed(api.listDuty))
	r.Put("/duty-roster/{week_start}", api.authed(api.putDuty, domain.RoleClerk, domain.RoleAdmin))
	r.Get("/team-pool", api.authed(api.listTeamPool, deciders...))
	r.Post("/team-pool/reassign", api.authed(api.reassignBulk, deciders...))
	r.Post("/registrations/{id}/reassign", api.authed(api.reassignRegistration, deciders...))
	r.Get("/performance", api.authed(api.getPerformance, deciders...))
	r.Get("/customers", api.authed(api.listCustomers, recorders...))
}
