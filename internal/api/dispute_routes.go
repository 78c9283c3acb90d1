package api

import (
	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
)

// disputeRoutes registers the API of disputes and arbitration, stored
// files, dealer onboarding with its approval chain, the bulk-claiming
// watch list and the audit log.
func (api *API) disputeRoutes(r chi.Router) {
	submitters := []domain.Role{domain.RoleSales, domain.RoleManager, domain.RoleClerk, domain.RoleAdmin}
	watchers := []domain.Role{domain.RoleManager, domain.RoleAdmin}

	r.Post("/files", api.authed(api.uploadFile))
	r.Get("/files/{id}", api.authed(api.downloadFile))
	r.Post("/disputes", api.authed(api.createDispute))
	r.Get("/disputes", api.authed(api.listDisputes))
	r.Get("/disputes/{id}", api.authed(api.getDispute))
	r.Post("/disputes/{id}/decision", api.authed(api.decideDispute))
	r.Post("/disputes/{id}/appeal", api.authed(api.appealDispute))
	r.Post("/dealers", api.authed(api.createDealer, submitters...))
	r.Get("/dealers", api.authed(api.listDealers))
	r.Get("/dealers/{id}", api.authed(api.getDealer))
	r.Put("/dealers/{id}", api.authed(api.resubmitDealer))
	r.Post("/dealers/{id}/decision", api.authed(api.decideDealer))
	r.Get("/approval-chains/{kind}", api.authed(api.getApprovalChain))
	r.Put("/approval-chains/{kind}", api.authed(api.putApprovalChain, domain.RoleAdmin))
	r.Get("/abuse", api.authed(api.listAbuse, watchers...))
	r.Get("/audit", api.authed(api.listAudit, domain.RoleAdmin))
}
