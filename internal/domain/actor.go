package domain

// Role is what a user may do in their company.
type Role string

// The five roles of domain.md.
const (
	RoleSales     Role = "sales"
	RoleFrontdesk Role = "frontdesk"
	RoleManager   Role = "manager"
	RoleClerk     Role = "clerk"
	RoleAdmin     Role = "admin"
)

// Roles lists every role, in the order forms show them.
var Roles = []Role{RoleSales, RoleFrontdesk, RoleManager, RoleClerk, RoleAdmin}

// Valid reports whether r is one of the five roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Actor is the signed-in user on whose behalf a unit of work runs. The
// server builds it from the session or the API token; it is the only source
// of the tenant id.
type Actor struct {
	TenantID int64
	UserID   int64
	Role     Role
	TeamID   int64   // 0 when the user has no team
	Manages  []int64 // teams this user manages (managers)
	// MustChangePassword is set after an admin reset the user's password:
	// until they choose a new one, pages lead to the change form and API
	// tokens are refused.
	MustChangePassword bool
	// ReadOnly is set for an API token of the read scope: it may only GET.
	ReadOnly bool
	// RequestID ties the audit entries of one request together.
	RequestID string
}

// Is reports whether the actor has one of the given roles.
func (a Actor) Is(roles ...Role) bool {
	for _, r := range roles {
		if a.Role == r {
			return true
		}
	}
	return false
}

// ManagesTeam reports whether the actor manages team t.
func (a Actor) ManagesTeam(t int64) bool {
	for _, m := range a.Manages {
		if m == t {
			return true
		}
	}
	return false
}
