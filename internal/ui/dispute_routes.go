package ui

import (
	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
)

// disputeRoutes registers the pages of disputes and arbitration, stored
// files, dealer onboarding, the bulk-claiming watch list and the audit log.
// Who may do what in a case is the domain's to say (parties, deciders).
func (p *Pages) disputeRoutes(r chi.Router) {
	submitters := []domain.Role{domain.RoleSales, domain.RoleManager, domain.RoleClerk, domain.RoleAdmin}
	watchers := []domain.Role{domain.RoleManager, domain.RoleAdmin}

	r.Get("/files/{id}", p.signedIn(p.downloadFile))
	r.Get("/disputes", p.signedIn(p.listDisputes))
	r.Get("/disputes/new", p.signedIn(p.showDisputeForm))
	r.Post("/disputes", p.signedIn(p.createDispute))
	r.Get("/disputes/{id}", p.signedIn(p.showDispute))
	r.Post("/disputes/{id}/decision", p.signedIn(p.decideDispute))
	r.Post("/disputes/{id}/appeal", p.signedIn(p.appealDispute))

	r.Get("/dealers", p.signedIn(p.listDealers, submitters...))
	r.Post("/dealers/chain", p.signedIn(p.saveDealerChain, domain.RoleAdmin))
	r.Get("/dealers/new", p.signedIn(p.showDealerForm, submitters...))
	r.Post("/dealers", p.signedIn(p.createDealer, submitters...))
	r.Get("/dealers/{id}", p.signedIn(p.showDealer, submitters...))
	r.Post("/dealers/{id}", p.signedIn(p.resubmitDealer, submitters...))
	r.Post("/dealers/{id}/decision", p.signedIn(p.decideDealer, submitters...))

	r.Get("/abuse", p.signedIn(p.showAbuseWatch, watchers...))
	r.Get("/admin/audit", p.signedIn(p.showAuditLog, domain.RoleAdmin))
	r.Get("/admin/audit.csv", p.signedIn(p.exportAuditLog, domain.RoleAdmin))
}
