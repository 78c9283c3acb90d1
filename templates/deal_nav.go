package templates

import "baobei/internal/domain"

// dealNav lists the navigation entries of the front desk, deals and
// their follow-ons (visits, deals, customer grades, duty roster, team
// pool, performance) that a role sees, in order.
func dealNav(role domain.Role) []NavItem {
	visits := NavItem{"/visits", "nav.visits"}
	sheet := NavItem{"/visits/sheet", "nav.visit_sheet"}
	deals := NavItem{"/deals", "nav.deals"}
	customers := NavItem{"/customers", "nav.customers"}
	duty := NavItem{"/duty-roster", "nav.duty_roster"}
	pool := NavItem{"/team-pool", "nav.team_pool"}
	perf := NavItem{"/performance", "nav.performance"}
	switch role {
	case domain.RoleFrontdesk:
		return []NavItem{visits, sheet}
	case domain.RoleSales:
		return []NavItem{deals, customers}
	case domain.RoleManager:
		return []NavItem{deals, customers, pool, perf}
	case domain.RoleClerk:
		return []NavItem{deals, customers, duty, sheet}
	case domain.RoleAdmin:
		return []NavItem{deals, customers, duty, pool, perf, sheet}
	}
	return nil
}
