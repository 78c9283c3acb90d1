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
}
