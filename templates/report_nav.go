package templates

import "baobei/internal/domain"

// reportNav lists the reports' entry for the roles that read them:
// managers (their teams), clerks and admins (the whole company).
func reportNav(role domain.Role) []NavItem {
	if role == domain.RoleManager || role == domain.RoleClerk || role == domain.RoleAdmin {
		return []NavItem{{"/reports", "nav.reports"}}
	}
	return nil
}
