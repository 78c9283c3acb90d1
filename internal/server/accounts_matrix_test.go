package server_test

import "baobei/internal/domain"

var idSession = func(d tenantData) int64 { return d.Session }

// mxRoutesAccounts are the routes of the forced password change and of
// the user's own sessions: a session is its user's alone (404 to others).
var mxRoutesAccounts = []mxRoute{
	{method: "GET", pattern: "/password/change", allow: anyRole},
	{method: "POST", pattern: "/password/change", allow: anyRole},
	{method: "POST", pattern: "/settings/sessions/{id}/revoke", allow: []domain.Role{rS}, hide: []domain.Role{rF, rM, rC, rA}, id: idSession},
	{method: "POST", pattern: "/settings/sessions/revoke-others", allow: anyRole},
	{method: "GET", pattern: "/api/v1/sessions", allow: anyRole},
	{method: "POST", pattern: "/api/v1/sessions/{id}/revoke", allow: []domain.Role{rS}, hide: []domain.Role{rF, rM, rC, rA}, id: idSession},
}

func init() { mxRoutes = append(mxRoutes, mxRoutesAccounts...) }
