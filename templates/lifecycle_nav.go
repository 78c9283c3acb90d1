package templates

import "baobei/internal/domain"

// lifecycleNav lists the protection lifecycle's entries a role sees: the
// public pool and consent requests for those who register, the approvals
// queue for those who approve.
func lifecycleNav(role domain.Role) []NavItem {
	switch role {
	case domain.RoleSales:
		return []NavItem{{"/pool", "nav.pool"}, {"/consents", "nav.consents"}}
	case domain.RoleManager, domain.RoleAdmin:
		return []NavItem{{"/pool", "nav.pool"}, {"/consents", "nav.consents"}, {"/approvals", "nav.approvals"}}
	case domain.RoleClerk:
		return []NavItem{{"/approvals", "nav.approvals"}}
	}
	return nil
}
