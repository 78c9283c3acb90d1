package api

import (
	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
)

// Routes registers the API on r (mounted at /api/v1).
func (api *API) Routes(r chi.Router) {
	admin := []domain.Role{domain.RoleAdmin}
	salesPlus := []domain.Role{domain.RoleSales, domain.RoleManager, domain.RoleAdmin}

	r.Post("/auth/token", api.createToken)
	r.Get("/me", api.authed(api.me))
	r.Get("/policy", api.authed(api.getPolicy))
	r.Put("/policy", api.authed(api.putPolicy, admin...))
	r.Get("/teams", api.authed(api.listTeams))
	r.Get("/users", api.authed(api.listUsers))
	r.Post("/users/{id}/deactivate", api.authed(api.deactivateUser, admin...))
	r.Post("/registrations/check", api.authed(api.checkRegistration, salesPlus...))
	r.Post("/registrations", api.authed(api.createRegistration, salesPlus...))
	r.Get("/registrations", api.authed(api.listRegistrations))
	r.Get("/registrations/{id}", api.authed(api.getRegistration))
	r.Post("/registrations/{id}/review", api.authed(api.reviewRegistration))
	r.Get("/notifications", api.authed(api.listNotifications))
	r.Post("/notifications/read", api.authed(api.markRead))

	// Protection lifecycle: follow-ups, renewal, release, the public pool,
	// consent requests and the approvals queue.
	approvers := []domain.Role{domain.RoleManager, domain.RoleClerk, domain.RoleAdmin}
	r.Post("/registrations/{id}/follow-ups", api.authed(api.createFollowUp))
	r.Get("/registrations/{id}/follow-ups", api.authed(api.listFollowUps))
	r.Post("/registrations/{id}/renew", api.authed(api.renewRegistration))
	r.Post("/registrations/{id}/release", api.authed(api.releaseRegistration))
	r.Get("/pool", api.authed(api.listPool, salesPlus...))
	r.Post("/consent-requests", api.authed(api.createConsentRequest, salesPlus...))
	r.Get("/consent-requests", api.authed(api.listConsentRequests))
	r.Post("/consent-requests/{id}/answer", api.authed(api.answerConsentRequest))
	r.Get("/approvals", api.authed(api.listApprovals, approvers...))
	r.Post("/approvals/{id}", api.authed(api.decideApproval, approvers...))

	// Front desk and deals: deal_routes.go.
	api.dealRoutes(r)
	// Disputes, files, dealers, abuse watch and audit: dispute_routes.go.
	api.disputeRoutes(r)
	// The OpenAPI document of all of the above: openapi.go.
	api.openAPIRoutes(r)
	api.reportRoutes(r)
	// Corrections: editing registrations, voiding visits and deals: correction.go.
	api.correctionRoutes(r)
	// The caller's sign-in sessions: accounts.go.
	api.accountRoutes(r)
	// Bulk import: import.go.
	api.importRoutes(r)
	// Customer records, merge and split: customer_merge.go.
	api.customerRoutes(r)
	// Working-day calendar and personal information: privacy.go.
	api.privacyRoutes(r)
	// Outbound notifications: outbox.go.
	api.outboxRoutes(r)
}
