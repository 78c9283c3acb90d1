package ui

import (
	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
)

// privacyRoutes registers the admin's working-day calendar and personal
// information (PIPL) pages.
func (p *Pages) privacyRoutes(r chi.Router) {
	admin := []domain.Role{domain.RoleAdmin}
	r.Get("/admin/calendar", p.signedIn(p.showCalendar, admin...))
	r.Post("/admin/calendar", p.signedIn(p.changeCalendar, admin...))
	r.Get("/admin/privacy", p.signedIn(p.showPrivacy, admin...))
	r.Post("/admin/privacy", p.signedIn(p.lookUpPerson, admin...))
	r.Post("/admin/privacy/export.xlsx", p.signedIn(p.exportPersonalData("xlsx"), admin...))
	r.Post("/admin/privacy/export.json", p.signedIn(p.exportPersonalData("json"), admin...))
	r.Post("/admin/privacy/erase", p.signedIn(p.erasePerson, admin...))
}
