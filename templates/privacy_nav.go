package templates

import "baobei/internal/domain"

// privacyNav lists the admin's entries for the working-day calendar and
// personal information (PIPL).
func privacyNav(role domain.Role) []NavItem {
	if role != domain.RoleAdmin {
		return nil
	}
	return []NavItem{{"/admin/calendar", "nav.calendar"}, {"/admin/privacy", "nav.privacy"}}
}
