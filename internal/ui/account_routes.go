package ui

import "github.com/go-chi/chi/v5"

// passwordChangePath is the form a user whose password an admin reset
// must fill in before any other page (signedIn).
const passwordChangePath = "/password/change"

// accountRoutes registers the forced password change and the user's own
// sign-in sessions (listed on the settings page).
func (p *Pages) accountRoutes(r chi.Router) {
	r.Get(passwordChangePath, p.signedIn(p.showPasswordChange))
	r.Post(passwordChangePath, p.signedIn(p.changePasswordForced))
	r.Post("/settings/sessions/{id}/revoke", p.signedIn(p.revokeSession))
	r.Post("/settings/sessions/revoke-others", p.signedIn(p.revokeOtherSessions))
}
