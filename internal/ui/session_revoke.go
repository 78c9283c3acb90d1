package ui

import (
	"net/http"

	"baobei/internal/domain"
)

// revokeSession signs out one of the user's other browsers.
func (p *Pages) revokeSession(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := p.svc.RevokeSession(r.Context(), a, id); err != nil {
		return err
	}
	return p.redirect(w, r, "/settings", "flash.session_revoked")
}

// revokeOtherSessions signs out every browser of the user's but this one.
func (p *Pages) revokeOtherSessions(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	if err := p.svc.RevokeOtherSessions(r.Context(), a, p.sm.Token(r.Context())); err != nil {
		return err
	}
	return p.redirect(w, r, "/settings", "flash.sessions_revoked")
}
