package templates

import "baobei/internal/domain"

// importNav lists the bulk import entry for the roles that may import.
func importNav(role domain.Role) []NavItem {
	if role == domain.RoleAdmin || role == domain.RoleManager {
		return []NavItem{{"/imports", "nav.imports"}}
	}
	return nil
}
