package ui

import (
	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
)

// Routes registers the pages on r.
func (p *Pages) Routes(r chi.Router) {
	admin := []domain.Role{domain.RoleAdmin}

	r.Get("/login", p.showLogin)
	r.Post("/login", p.login)
	r.Post("/logout", p.logout)
	r.Post("/lang", p.setLang)

	r.Get("/", p.signedIn(p.home))
	r.Get("/settings", p.signedIn(p.showSettings))
	r.Post("/settings/password", p.signedIn(p.changePassword))
	r.Post("/settings/tokens", p.signedIn(p.issueToken))
	r.Post("/settings/tokens/{id}/revoke", p.signedIn(p.revokeToken))
	r.Get("/notifications", p.signedIn(p.listNotifications))
	r.Post("/notifications/read", p.signedIn(p.markRead))

	r.Get("/admin/users", p.signedIn(p.listUsers, admin...))
	r.Post("/admin/users", p.signedIn(p.createUser, admin...))
	r.Get("/admin/users/{id}", p.signedIn(p.showUser, admin...))
	r.Post("/admin/users/{id}", p.signedIn(p.updateUser, admin...))
	r.Post("/admin/users/{id}/password", p.signedIn(p.resetPassword, admin...))
	r.Post("/admin/users/{id}/active", p.signedIn(p.setUserActive, admin...))
	r.Get("/admin/teams", p.signedIn(p.listTeams, admin...))
	r.Post("/admin/teams", p.signedIn(p.saveTeam, admin...))
	r.Post("/admin/teams/{id}", p.signedIn(p.saveTeam, admin...))
	r.Get("/admin/policy", p.signedIn(p.showPolicy, admin...))
	r.Post("/admin/policy", p.signedIn(p.updatePolicy, admin...))

	// Registrations (报备): filed by sales, managers and admins, read by
	// them and clerks, reviewed by managers, clerks and admins; front desk
	// does not browse them.
	registrars := []domain.Role{domain.RoleSales, domain.RoleManager, domain.RoleAdmin}
	readers := []domain.Role{domain.RoleSales, domain.RoleManager, domain.RoleClerk, domain.RoleAdmin}
	reviewers := []domain.Role{domain.RoleManager, domain.RoleClerk, domain.RoleAdmin}
	r.Get("/registrations/new", p.signedIn(p.showRegistrationForm, registrars...))
	r.Post("/registrations/check", p.signedIn(p.checkRegistration, registrars...))
	r.Post("/registrations", p.signedIn(p.createRegistration, registrars...))
	r.Get("/registrations", p.signedIn(p.listRegistrations, readers...))
	r.Get("/registrations/{id}", p.signedIn(p.showRegistration, readers...))
	r.Post("/registrations/{id}/review", p.signedIn(p.reviewRegistration, reviewers...))
	r.Get("/reviews", p.signedIn(p.listReviews, reviewers...))

	// Protection lifecycle: follow-ups, renewal and release on the
	// registration page (the domain checks owner and manager), the public
	// pool, consent requests and the approvals queue.
	r.Post("/registrations/{id}/follow-ups", p.signedIn(p.logFollowUp, readers...))
	r.Post("/registrations/{id}/renew", p.signedIn(p.renewRegistration, readers...))
	r.Post("/registrations/{id}/release", p.signedIn(p.releaseRegistration, readers...))
	r.Get("/pool", p.signedIn(p.listPool, registrars...))
	r.Get("/consents", p.signedIn(p.listConsents, registrars...))
	r.Get("/consents/new", p.signedIn(p.showConsentForm, registrars...))
	r.Post("/consents", p.signedIn(p.createConsent, registrars...))
	r.Post("/consents/{id}/answer", p.signedIn(p.answerConsent, registrars...))
	r.Get("/approvals", p.signedIn(p.listApprovals, reviewers...))
	r.Post("/approvals/{id}", p.signedIn(p.decideApproval, reviewers...))

	// Front desk and deals: deal_routes.go.
	p.dealRoutes(r)
	// Disputes, files, dealers, abuse watch and audit: dispute_routes.go.
	p.disputeRoutes(r)
	// Reports: report_show.go.
	p.reportRoutes(r)
	// Corrections: editing registrations, voiding visits and deals: correction_routes.go.
	p.correctionRoutes(r)
	// The forced password change and the user's sessions: account_routes.go.
	p.accountRoutes(r)
	// Bulk import: import.go.
	p.importRoutes(r)
	// Customer records, merge and split: customer_show.go.
	p.customerRoutes(r)
	// Working-day calendar and personal information: privacy_routes.go.
	p.privacyRoutes(r)
	// Outbound notifications: outbox.go.
	p.outboxRoutes(r)
}
