package templates

import "baobei/internal/domain"

// outboxNav lists the navigation entry of outbound notifications: the
// admin's outbox page.
func outboxNav(role domain.Role) []NavItem {
	if role == domain.RoleAdmin {
		return []NavItem{{"/admin/outbox", "nav.outbox"}}
	}
	return nil
}
