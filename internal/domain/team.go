package domain

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// Team is a sales team with its region and managers.
type Team struct {
	ID           int64    `json:"id,string"`
	Name         string   `json:"name"`
	Region       string   `json:"region,omitempty"`
	ManagerIDs   []int64  `json:"manager_ids,omitempty"`
	ManagerNames []string `json:"manager_names,omitempty"`
	Members      int      `json:"members"`
}

// TeamInput is what an admin fills in for a team.
type TeamInput struct {
	Name       string
	Region     string
	ManagerIDs []int64
}

// Teams lists the company's teams with their managers.
func (s *Service) Teams(ctx context.Context, by Actor) ([]Team, error) {
	var out []Team
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT t.id, t.name, t.region,
				COALESCE(array_agg(m.user_id ORDER BY u.display_name) FILTER (WHERE m.user_id IS NOT NULL), '{}'),
				COALESCE(array_agg(u.display_name ORDER BY u.display_name) FILTER (WHERE m.user_id IS NOT NULL), '{}'),
				(SELECT count(*) FROM users x WHERE x.tenant_id = t.tenant_id AND x.team_id = t.id AND x.active)
			FROM teams t
			LEFT JOIN team_managers m ON m.tenant_id = t.tenant_id AND m.team_id = t.id
			LEFT JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
			WHERE t.tenant_id = $1
			GROUP BY t.tenant_id, t.id ORDER BY t.name`, by.TenantID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Team, error) {
			var t Team
			err := r.Scan(&t.ID, &t.Name, &t.Region, &t.ManagerIDs, &t.ManagerNames, &t.Members)
			return t, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	return out, nil
}

func (in TeamInput) validate() map[string]i18n.Text {
	f := map[string]i18n.Text{}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Name)); n == 0 || n > 50 {
		f["name"] = i18n.Text{Zh: "请填写团队名称 (最多 50 字)", En: "Enter a team name (at most 50 characters)"}
	}
	if utf8.RuneCountInString(in.Region) > 50 {
		f["region"] = i18n.Text{Zh: "区域最多 50 字", En: "Region is at most 50 characters"}
	}
	return f
}

// SaveTeam creates a team (id 0) or changes one. Admins only. Managers must
// be users with the manager or admin role.
func (s *Service) SaveTeam(ctx context.Context, by Actor, id int64, in TeamInput) (int64, error) {
	if !by.Is(RoleAdmin) {
		return 0, ErrForbidden
	}
	f := in.validate()
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var bad bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM unnest($2::bigint[]) AS m(id)
			WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.tenant_id = $1 AND u.id = m.id AND u.role IN ('manager', 'admin')))`,
			by.TenantID, in.ManagerIDs).Scan(&bad); err != nil {
			return err
		}
		if bad {
			f["manager_ids"] = i18n.Text{Zh: "负责人须为经理或管理员", En: "Managers must have the manager or admin role"}
		}
		if len(f) > 0 {
			return Invalid(f)
		}
		name := strings.TrimSpace(in.Name)
		var err error
		if id == 0 {
			err = tx.QueryRow(ctx, `INSERT INTO teams (tenant_id, name, region) VALUES ($1, $2, $3) RETURNING id`,
				by.TenantID, name, in.Region).Scan(&id)
		} else {
			var tag interface{ RowsAffected() int64 }
			tag, err = tx.Exec(ctx, `UPDATE teams SET name = $3, region = $4 WHERE tenant_id = $1 AND id = $2`, by.TenantID, id, name, in.Region)
			if err == nil && tag.RowsAffected() == 0 {
				return ErrNotFound
			}
		}
		if isUnique(err) {
			return Invalid(map[string]i18n.Text{"name": {Zh: "团队名称已存在", En: "A team with this name exists"}})
		}
		if err != nil {
			return fmt.Errorf("save team: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM team_managers WHERE tenant_id = $1 AND team_id = $2`, by.TenantID, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO team_managers (tenant_id, team_id, user_id)
			SELECT $1, $2, m FROM unnest($3::bigint[]) AS m ON CONFLICT DO NOTHING`, by.TenantID, id, in.ManagerIDs); err != nil {
			return err
		}
		return audit(ctx, tx, by, "team.save", "team", id, nil, in)
	})
	return id, err
}
