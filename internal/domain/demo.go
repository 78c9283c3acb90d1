package domain

import (
	"context"
	"errors"
	"fmt"
)

// DemoSlug and DemoPassword are the demo company's code and every demo
// user's password (api.md).
const (
	DemoSlug     = "demo"
	DemoPassword = "demo12345"
)

// DemoUser is one sign-in of the demo company.
type DemoUser struct {
	Username, DisplayName string
	Role                  Role
	Team                  string // "" for none
}

// DemoUsers are the demo company's users, in the order they are printed.
var DemoUsers = []DemoUser{
	{"admin", "王总", RoleAdmin, ""},
	{"manager1", "李经理", RoleManager, "一组"},
	{"manager2", "赵经理", RoleManager, "二组"},
	{"sales1", "张三", RoleSales, "一组"},
	{"sales2", "李四", RoleSales, "一组"},
	{"sales3", "王五", RoleSales, "二组"},
	{"sales4", "赵六", RoleSales, "二组"},
	{"frontdesk1", "前台小陈", RoleFrontdesk, ""},
	{"clerk1", "内勤小周", RoleClerk, ""},
}

// EnsureDemo creates the demo company (api.md: code demo, teams 一组 and
// 二组 with their managers, sales, front desk and clerk; default policy)
// unless it exists already. It is idempotent.
func (s *Service) EnsureDemo(ctx context.Context) error {
	if _, err := s.tenantBySlug(ctx, DemoSlug); err == nil {
		return nil
	} else if !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("demo: %w", err)
	}
	t, err := s.CreateTenant(ctx, TenantInput{Slug: DemoSlug, Name: "演示公司", AdminUsername: "admin", AdminPassword: DemoPassword})
	if ErrorCode(err) == CodeDuplicate {
		return nil // created concurrently by another server
	}
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	users, err := s.Users(ctx, Actor{TenantID: t.ID, Role: RoleAdmin})
	if err != nil || len(users) != 1 {
		return fmt.Errorf("demo: admin: %w", err)
	}
	admin := Actor{TenantID: t.ID, UserID: users[0].ID, Role: RoleAdmin}
	if _, err := s.UpdateUser(ctx, admin, admin.UserID, UserInput{DisplayName: DemoUsers[0].DisplayName, Role: RoleAdmin}); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	// One hash for the shared demo password: bcrypt is slow on purpose.
	hash, err := s.hashPassword(DemoPassword)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	teams := map[string]int64{}
	for _, name := range []string{"一组", "二组"} {
		if teams[name], err = s.SaveTeam(ctx, admin, 0, TeamInput{Name: name, Region: "北京"}); err != nil {
			return fmt.Errorf("demo: team %s: %w", name, err)
		}
	}
	for _, du := range DemoUsers[1:] {
		u, err := s.createUser(ctx, admin, UserInput{Username: du.Username, DisplayName: du.DisplayName, Role: du.Role,
			TeamID: teams[du.Team], Region: "北京", Password: DemoPassword}, hash)
		if err != nil {
			return fmt.Errorf("demo: user %s: %w", du.Username, err)
		}
		if du.Role == RoleManager {
			if _, err := s.SaveTeam(ctx, admin, teams[du.Team], TeamInput{Name: du.Team, Region: "北京", ManagerIDs: []int64{u.ID}}); err != nil {
				return fmt.Errorf("demo: manager of %s: %w", du.Team, err)
			}
		}
	}
	return nil
}
