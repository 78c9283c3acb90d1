package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

var (
	// errPasswordChangeRequired refuses the API tokens of a user whose
	// password an admin reset, until they choose a new one.
	errPasswordChangeRequired = domain.Forbidden(i18n.Text{
		Zh: "管理员已重置您的密码: 请先在网页上登录并设置新密码, 之后令牌即可使用",
		En: "An administrator reset your password: sign in on the web and choose a new one; your tokens work again after that"})
	// errReadOnlyToken refuses a read-only token anything but reading.
	errReadOnlyToken = domain.Forbidden(i18n.Text{
		Zh: "此令牌为只读权限, 只能用于 GET 请求", En: "This token is read-only: it may only make GET requests"})
)

// tokenRestriction returns why the caller may not make request r despite
// their role: their password awaits a change, or a read-only token asks
// for more than reading. nil when nothing stands in the way.
func tokenRestriction(r *http.Request, a domain.Actor) error {
	switch {
	case a.MustChangePassword:
		return errPasswordChangeRequired
	case a.ReadOnly && r.Method != http.MethodGet && r.Method != http.MethodHead:
		return errReadOnlyToken
	}
	return nil
}

// listSessions lists the caller's signed-in browser sessions (GET /sessions).
func (api *API) listSessions(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	items, err := api.svc.Sessions(r.Context(), a, "")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[domain.Session]{Items: items})
	return nil
}

// revokeSession signs out one of the caller's browser sessions
// (POST /sessions/{id}/revoke); another user's session is 404.
func (api *API) revokeSession(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := api.svc.RevokeSession(r.Context(), a, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"revoked": true})
	return nil
}

// accountRoutes registers the caller's own sessions.
func (api *API) accountRoutes(r chi.Router) {
	r.Get("/sessions", api.authed(api.listSessions))
	r.Post("/sessions/{id}/revoke", api.authed(api.revokeSession))
}
