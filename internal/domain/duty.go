package domain

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// DutyWeek is one week of the duty roster (值班表): the team on reception
// duty for the week starting WeekStart, a Monday in the tenant's zone.
// TeamID is 0 for a week nobody is on duty.
type DutyWeek struct {
	WeekStart time.Time
	TeamID    int64
	TeamName  string
}

// ParseWeekStart reads a duty week's first day, YYYY-MM-DD in loc, and
// returns Invalid unless it is a Monday.
func ParseWeekStart(s string, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, Invalid(map[string]i18n.Text{"week_start": {Zh: "日期格式须为 YYYY-MM-DD", En: "The date must be YYYY-MM-DD"}})
	}
	if d.Weekday() != time.Monday {
		return time.Time{}, Invalid(map[string]i18n.Text{"week_start": {Zh: "值班周须从星期一开始", En: "A duty week starts on a Monday"}})
	}
	return d, nil
}

// SetDuty puts team on reception duty for the week starting weekStart
// (YYYY-MM-DD, a Monday in the tenant's zone); clerks and admins only.
// Unclaimed deals of that week whose claim window has passed go to the
// team at once. It returns Invalid for a day that is not a Monday or a
// team of another company.
func (s *Service) SetDuty(ctx context.Context, by Actor, weekStart string, teamID int64) (DutyWeek, error) {
	if !by.Is(RoleClerk, RoleAdmin) {
		return DutyWeek{}, ErrForbidden
	}
	var w DutyWeek
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		if w.WeekStart, err = ParseWeekStart(weekStart, pol.Location()); err != nil {
			return err
		}
		weekStart = w.WeekStart.Format(time.DateOnly)
		w.TeamID = teamID
		err = tx.QueryRow(ctx, `SELECT name FROM teams WHERE tenant_id = $1 AND id = $2`, by.TenantID, teamID).Scan(&w.TeamName)
		if errors.Is(err, pgx.ErrNoRows) {
			return Invalid(map[string]i18n.Text{"team_id": {Zh: "请选择本公司的团队", En: "Choose a team of this company"}})
		}
		if err != nil {
			return err
		}
		var before *int64
		err = tx.QueryRow(ctx, `SELECT team_id FROM duty_roster WHERE tenant_id = $1 AND week_start = $2 FOR UPDATE`,
			by.TenantID, weekStart).Scan(&before)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		now := s.Now()
		if _, err := tx.Exec(ctx, `
			INSERT INTO duty_roster (tenant_id, week_start, team_id, set_by, updated_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (tenant_id, week_start) DO UPDATE SET team_id = EXCLUDED.team_id, set_by = EXCLUDED.set_by, updated_at = EXCLUDED.updated_at`,
			by.TenantID, weekStart, teamID, by.UserID, now); err != nil {
			return fmt.Errorf("set duty: %w", err)
		}
		if err := audit(ctx, tx, by, "duty.set", "team", teamID, map[string]any{"week_start": weekStart, "team_id": before},
			map[string]any{"week_start": weekStart, "team_id": teamID}); err != nil {
			return err
		}
		_, err = assignDutyTeams(ctx, tx, by, pol, now, 0)
		return err
	})
	if err != nil {
		return DutyWeek{}, fmt.Errorf("set duty: %w", err)
	}
	return w, nil
}

// DutyRoster returns the weeks from the one containing from, weeks of
// them, each with its team on duty (or none). Any role may read it.
func (s *Service) DutyRoster(ctx context.Context, by Actor, from time.Time, weeks int) ([]DutyWeek, error) {
	var out []DutyWeek
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		loc := pol.Location()
		first := WeekStart(from, loc)
		rows, err := tx.Query(ctx, `
			SELECT w::date, COALESCE(r.team_id, 0), COALESCE(t.name, '')
			FROM generate_series($2::timestamp, $2::timestamp + ($3::int - 1) * interval '7 days', interval '7 days') AS w
			LEFT JOIN duty_roster r ON r.tenant_id = $1 AND r.week_start = w::date
			LEFT JOIN teams t ON t.tenant_id = r.tenant_id AND t.id = r.team_id
			ORDER BY w`, by.TenantID, first.Format(time.DateOnly), weeks)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (DutyWeek, error) {
			var w DutyWeek
			var day time.Time
			err := r.Scan(&day, &w.TeamID, &w.TeamName)
			w.WeekStart = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
			return w, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("duty roster: %w", err)
	}
	return out, nil
}

// assignDutyTeams is the claim window's end (domain.md, Deals and
// attribution, rule 3): every unclaimed deal past its claim deadline with
// no claim waiting for a decision goes to the team on duty in the week
// containing its signed_at (weeks start on Monday in the tenant's zone),
// credited to the team's manager (its active manager with the lowest id);
// the signer, when someone else, gets assist credit. A deal whose week has
// no roster entry stays unclaimed, in the clerks' queue, until one is set.
// onlyDeal, when not 0, limits the step to that deal. Set-based and
// idempotent; it returns how many deals it assigned.
func assignDutyTeams(ctx context.Context, tx pgx.Tx, by Actor, pol Policy, now time.Time, onlyDeal int64) (int, error) {
	rows, err := tx.Query(ctx, `
		WITH due AS (
			SELECT d.id, (date_trunc('week', d.signed_at AT TIME ZONE $3))::date AS week
			FROM deals d
			WHERE d.tenant_id = $1 AND d.status = 'unclaimed' AND d.claim_deadline <= $2 AND d.voided_at IS NULL
				AND ($4::bigint = 0 OR d.id = $4)
				AND NOT EXISTS (SELECT 1 FROM deal_claims c WHERE c.tenant_id = d.tenant_id AND c.deal_id = d.id AND c.status = 'pending')
			FOR UPDATE OF d
		), duty AS (
			SELECT due.id, r.team_id,
				(SELECT min(m.user_id) FROM team_managers m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id AND u.active
				 WHERE m.tenant_id = $1 AND m.team_id = r.team_id) AS manager
			FROM due JOIN duty_roster r ON r.tenant_id = $1 AND r.week_start = due.week
		)
		UPDATE deals d SET status = 'duty_team', rule = 'duty_team', team_id = duty.team_id, owner_id = duty.manager, attributed_at = $2
		FROM duty WHERE d.tenant_id = $1 AND d.id = duty.id
		RETURNING d.id, COALESCE(d.owner_id, 0), d.team_id, d.signer_id, d.contract_no, d.customer->>'name'`,
		by.TenantID, now, pol.Location().String(), onlyDeal)
	if err != nil {
		return 0, fmt.Errorf("assign duty teams: %w", err)
	}
	type assigned struct {
		id, owner, team, signer int64
		contractNo, customer    string
	}
	var done []assigned
	var a assigned
	if _, err := pgx.ForEachRow(rows, []any{&a.id, &a.owner, &a.team, &a.signer, &a.contractNo, &a.customer}, func() error {
		done = append(done, a)
		return nil
	}); err != nil {
		return 0, fmt.Errorf("assign duty teams: %w", err)
	}
	for _, a := range done {
		assists := assistsOf(a.owner, a.signer)
		if err := addAssists(ctx, tx, by.TenantID, a.id, assists); err != nil {
			return 0, err
		}
		if err := audit(ctx, tx, by, "deal.attribute", "deal", a.id, map[string]any{"status": DealUnclaimed},
			map[string]any{"status": DealDutyTeam, "rule": RuleDutyTeam, "owner_id": a.owner, "team_id": a.team, "assist_ids": assists}); err != nil {
			return 0, err
		}
		if err := notifyCredit(ctx, tx, by.TenantID, a.id, a.contractNo, a.customer, a.owner, assists, 0); err != nil {
			return 0, err
		}
	}
	return len(done), nil
}

// sweepDealClaims is the claim-window step of the sweep (sweep.go): see
// assignDutyTeams.
func sweepDealClaims(ctx context.Context, tx pgx.Tx, tenantID int64, pol Policy, now time.Time) (int, error) {
	return assignDutyTeams(ctx, tx, Actor{TenantID: tenantID, RequestID: sweepRequestID}, pol, now, 0)
}
