package templates

import (
	"context"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// disputeNav lists the entries of disputes, dealer onboarding, the
// bulk-claiming watch list and the audit log that a role sees, in order.
func disputeNav(role domain.Role) []NavItem {
	disputes := NavItem{"/disputes", "nav.disputes"}
	dealers := NavItem{"/dealers", "nav.dealers"}
	abuse := NavItem{"/abuse", "nav.abuse"}
	switch role {
	case domain.RoleSales:
		return []NavItem{disputes, dealers}
	case domain.RoleManager:
		return []NavItem{disputes, dealers, abuse}
	case domain.RoleClerk:
		return []NavItem{dealers}
	case domain.RoleAdmin:
		return []NavItem{disputes, dealers, abuse, {"/admin/audit", "nav.audit"}}
	}
	return nil
}

// tOr translates key, or shows fallback when the catalogue lacks it (an
// audit action or state another part of the system added).
func tOr(ctx context.Context, key, fallback string) string {
	if s := i18n.T(ctx, key); s != key {
		return s
	}
	return fallback
}
