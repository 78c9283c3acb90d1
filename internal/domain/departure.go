package domain

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// releaseToTeamPool releases the claims a departing user holds — live or
// converted — to their team's pool (domain.md, Departures): each keeps its
// state and its keys, so the customer stays with the team, and waits
// (team_pool_at) for a manager to reassign it; its team becomes the
// user's current team. The team's managers (admins when it has none) are
// told. Past deals keep their credit: deals are not touched.
func releaseToTeamPool(ctx context.Context, tx pgx.Tx, by Actor, u User, now time.Time) error {
	rows, err := tx.Query(ctx, `
		UPDATE registrations r SET team_pool_at = $3, team_id = COALESCE(u.team_id, r.team_id)
		FROM users u
		WHERE u.tenant_id = r.tenant_id AND u.id = r.owner_id
			AND r.tenant_id = $1 AND r.owner_id = $2 AND r.team_pool_at IS NULL AND r.status IN `+holdingStatuses+`
		RETURNING r.id, COALESCE(r.team_id, 0)`, by.TenantID, u.ID, now)
	if err != nil {
		return fmt.Errorf("release to team pool: %w", err)
	}
	var released [][2]int64
	var id, team int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &team}, func() error {
		released = append(released, [2]int64{id, team})
		return nil
	}); err != nil {
		return fmt.Errorf("release to team pool: %w", err)
	}
	teams := map[int64]int{}
	for _, r := range released {
		teams[r[1]]++
		if err := audit(ctx, tx, by, "registration.team_pool", "registration", r[0],
			map[string]any{"owner_id": u.ID}, map[string]any{"team_pool": true, "team_id": r[1]}); err != nil {
			return err
		}
	}
	for team, n := range teams {
		if err := notifyTeamManagers(ctx, tx, by.TenantID, team, i18n.Text{
			Zh: fmt.Sprintf("%s 已停用, %d 个客户转入团队公海, 请重新分配", u.DisplayName, n),
			En: fmt.Sprintf("%s was deactivated; %d customers went to the team pool for reassignment", u.DisplayName, n)},
			"/team-pool"); err != nil {
			return err
		}
	}
	return nil
}

// PooledRegistration is a claim waiting in a team pool for a new owner.
type PooledRegistration struct {
	Registration
	PooledAt time.Time
	TeamName string
}

// TeamPool lists the claims waiting in the pools of the teams the actor
// manages (every team for an admin), longest waiting first. Others get
// ErrForbidden.
func (s *Service) TeamPool(ctx context.Context, by Actor) ([]PooledRegistration, error) {
	if !by.Is(RoleManager, RoleAdmin) {
		return nil, ErrForbidden
	}
	var out []PooledRegistration
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+registrationColumns+registrationFrom+`
			WHERE r.tenant_id = $1 AND r.team_pool_at IS NOT NULL AND ($2 OR r.team_id = ANY($3))
			ORDER BY r.team_pool_at, r.id`, by.TenantID, by.Is(RoleAdmin), managedTeams(by))
		if err != nil {
			return err
		}
		regs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Registration, error) { return scanRegistration(row) })
		if err != nil {
			return err
		}
		ids := make([]int64, len(regs))
		for i, r := range regs {
			ids[i] = r.ID
		}
		rows, err = tx.Query(ctx, `SELECT r.id, r.team_pool_at, COALESCE(t.name, '') FROM registrations r
			LEFT JOIN teams t ON t.tenant_id = r.tenant_id AND t.id = r.team_id
			WHERE r.tenant_id = $1 AND r.id = ANY($2)`, by.TenantID, ids)
		if err != nil {
			return err
		}
		pooled := map[int64]PooledRegistration{}
		var p PooledRegistration
		if _, err := pgx.ForEachRow(rows, []any{&p.ID, &p.PooledAt, &p.TeamName}, func() error {
			pooled[p.ID] = p
			return nil
		}); err != nil {
			return err
		}
		for _, r := range regs {
			p := pooled[r.ID]
			p.Registration = r
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("team pool: %w", err)
	}
	return out, nil
}

// Reassign gives registrations a new owner (domain.md, Departures: the
// manager reassigns individually or in bulk), taking them out of the team
// pool. Managers reassign the claims of the teams they manage to active
// salespeople or managers of those teams; admins any claim to anyone
// active who may hold customers. Every registration must be live or
// converted and readable (ErrNotFound otherwise); the new owner may not
// already claim the same customer (Invalid). All or nothing; it returns
// how many it reassigned.
func (s *Service) Reassign(ctx context.Context, by Actor, ids []int64, ownerID int64) (int, error) {
	if !by.Is(RoleManager, RoleAdmin) {
		return 0, ErrForbidden
	}
	if len(ids) == 0 {
		return 0, Invalid(map[string]i18n.Text{"registration_ids": {Zh: "请选择要分配的客户", En: "Choose the customers to reassign"}})
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		before, err := reassignable(ctx, tx, by, ids)
		if err != nil {
			return err
		}
		owner := Actor{TenantID: by.TenantID, UserID: ownerID}
		err = loadActor(ctx, tx, &owner)
		if err != nil && ErrorCode(err) == "" {
			return err
		}
		if err != nil || !owner.Is(RoleSales, RoleManager) || !(by.Is(RoleAdmin) || by.ManagesTeam(owner.TeamID)) {
			return Invalid(map[string]i18n.Text{"owner_id": {Zh: "新负责人须为您团队中在职的销售或经理", En: "The new owner must be an active salesperson or manager of your team"}})
		}
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM registrations o JOIN registrations r ON r.tenant_id = o.tenant_id
				AND r.customer_id = o.customer_id AND r.id = ANY($2)
			WHERE o.tenant_id = $1 AND o.owner_id = $3 AND o.id <> ALL($2) AND o.status IN `+holdingStatuses+`)`,
			by.TenantID, ids, ownerID).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return Invalid(map[string]i18n.Text{"owner_id": {Zh: "新负责人已报备过其中的客户", En: "The new owner already claims one of these customers"}})
		}
		if _, err := tx.Exec(ctx, `UPDATE registrations SET owner_id = $3, team_id = $4, team_pool_at = NULL
			WHERE tenant_id = $1 AND id = ANY($2)`, by.TenantID, ids, ownerID, nullID(owner.TeamID)); err != nil {
			return fmt.Errorf("reassign: %w", err)
		}
		for _, id := range ids {
			if err := audit(ctx, tx, by, "registration.reassign", "registration", id,
				before[id], map[string]any{"owner_id": ownerID, "team_id": owner.TeamID}); err != nil {
				return err
			}
		}
		return notify(ctx, tx, by.TenantID, ownerID, "reassigned", i18n.Text{
			Zh: fmt.Sprintf("经理将 %d 个客户分配给您", len(ids)),
			En: fmt.Sprintf("A manager assigned %d customers to you", len(ids))}, "/registrations")
	})
	if err != nil {
		return 0, fmt.Errorf("reassign: %w", err)
	}
	return len(ids), nil
}

// reassignable locks the registrations ids for reassignment by by and
// returns each one's owner and team: ErrNotFound unless by reads every
// one of them, Invalid unless each is live or converted.
func reassignable(ctx context.Context, tx pgx.Tx, by Actor, ids []int64) (map[int64]map[string]any, error) {
	rows, err := tx.Query(ctx, `SELECT id, owner_id, COALESCE(team_id, 0), status FROM registrations
		WHERE tenant_id = $1 AND id = ANY($2) ORDER BY id FOR UPDATE`, by.TenantID, ids)
	if err != nil {
		return nil, fmt.Errorf("reassign: %w", err)
	}
	out := map[int64]map[string]any{}
	var (
		id, owner, team int64
		status          Status
		dead            bool
	)
	if _, err := pgx.ForEachRow(rows, []any{&id, &owner, &team, &status}, func() error {
		if by.canRead(Registration{OwnerID: owner, TeamID: team}) {
			out[id] = map[string]any{"owner_id": owner, "team_id": team}
		}
		dead = dead || (!status.Live() && status != StatusConverted)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("reassign: %w", err)
	}
	if len(out) != len(ids) {
		return nil, ErrNotFound
	}
	if dead {
		return nil, InvalidMsg(i18n.Text{Zh: "只能分配有效的报备", En: "Only live registrations can be reassigned"})
	}
	return out, nil
}

// notifyTeamManagers tells the active managers of team, or the active admins
// when it has none, about their team.
func notifyTeamManagers(ctx context.Context, tx pgx.Tx, tenantID, team int64, text i18n.Text, link string) error {
	rows, err := tx.Query(ctx, `
		WITH m AS (SELECT m.user_id FROM team_managers m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id AND u.active
			WHERE m.tenant_id = $1 AND m.team_id = $2)
		SELECT user_id FROM m
		UNION SELECT id FROM users WHERE tenant_id = $1 AND role = 'admin' AND active AND NOT EXISTS (SELECT 1 FROM m)`, tenantID, team)
	if err != nil {
		return fmt.Errorf("deciders: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("deciders: %w", err)
	}
	for _, id := range ids {
		if err := notify(ctx, tx, tenantID, id, "team_pool", text, link); err != nil {
			return err
		}
	}
	return nil
}
