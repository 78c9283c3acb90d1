package ui

import (
	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
)

// correctionRoutes registers the pages of corrections (issue 9): the
// registration edit form (the domain checks owner and manager) and the
// void buttons of the visit sheet and the deal page (clerks and admins).
func (p *Pages) correctionRoutes(r chi.Router) {
	editors := []domain.Role{domain.RoleSales, domain.RoleManager, domain.RoleClerk, domain.RoleAdmin}
	voiders := []domain.Role{domain.RoleClerk, domain.RoleAdmin}
	r.Get("/registrations/{id}/edit", p.signedIn(p.showRegistrationEdit, editors...))
	r.Post("/registrations/{id}/edit", p.signedIn(p.saveRegistrationEdit, editors...))
	r.Post("/visits/{id}/void", p.signedIn(p.voidVisit, voiders...))
	r.Post("/deals/{id}/void", p.signedIn(p.voidDeal, voiders...))
}
