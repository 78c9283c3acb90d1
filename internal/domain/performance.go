package domain

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// PersonPerformance is one salesperson's results over a period: the deals
// credited to them and those they assisted, by count and amount.
type PersonPerformance struct {
	UserID       int64
	Name         string
	TeamName     string
	Active       bool
	Deals        int
	Amount       float64
	Assists      int
	AssistAmount float64
}

// TeamPerformance is one team's credited deals over a period.
type TeamPerformance struct {
	TeamID int64
	Name   string
	Deals  int
	Amount float64
}

// Performance is the performance view (业绩) over the days From to To
// (inclusive, in the tenant's zone), by signing date.
type Performance struct {
	From, To time.Time
	People   []PersonPerformance
	Teams    []TeamPerformance
	// Unclaimed counts the period's deals nobody is credited with yet
	// (admins only).
	Unclaimed       int
	UnclaimedAmount float64
}

// performanceSpan is the performance view's period: this month by
// default, at most about ten years.
var performanceSpan = periodSpan{
	start: func(end time.Time) time.Time {
		return time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, end.Location())
	},
	maxDays: 3661,
}

// Performance returns the results per salesperson and team of the deals
// signed from the day from to the day to (YYYY-MM-DD, inclusive, in the
// tenant's zone; empty from is the first of to's month, empty to is
// today): for managers their teams and themselves, for admins everyone.
// Past deals keep their credit when people leave. Others get
// ErrForbidden; bad dates are Invalid.
func (s *Service) Performance(ctx context.Context, by Actor, from, to string) (Performance, error) {
	if !by.Is(RoleManager, RoleAdmin) {
		return Performance{}, ErrForbidden
	}
	var p Performance
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		if p.From, p.To, err = period(from, to, s.Now(), pol.Location(), performanceSpan); err != nil {
			return err
		}
		all, manages := by.Is(RoleAdmin), managedTeams(by)
		end := p.To.AddDate(0, 0, 1)
		const periodDeals = `WITH p AS (SELECT d.id, d.tenant_id, d.owner_id, d.team_id, d.amount, d.status FROM deals d
			WHERE d.tenant_id = $1 AND d.signed_at >= $2 AND d.signed_at < $3 AND d.voided_at IS NULL)`
		rows, err := tx.Query(ctx, periodDeals+`,
			credit AS (SELECT owner_id AS user_id, count(*) AS n, sum(amount) AS amount FROM p
				WHERE status <> 'unclaimed' AND owner_id IS NOT NULL GROUP BY owner_id),
			assist AS (SELECT x.user_id, count(*) AS n, sum(p.amount) AS amount FROM p
				JOIN deal_assists x ON x.tenant_id = p.tenant_id AND x.deal_id = p.id GROUP BY x.user_id)
			SELECT u.id, u.display_name, COALESCE(t.name, ''), u.active, COALESCE(c.n, 0), COALESCE(c.amount, 0)::float8,
				COALESCE(a.n, 0), COALESCE(a.amount, 0)::float8
			FROM users u
			LEFT JOIN teams t ON t.tenant_id = u.tenant_id AND t.id = u.team_id
			LEFT JOIN credit c ON c.user_id = u.id
			LEFT JOIN assist a ON a.user_id = u.id
			WHERE u.tenant_id = $1 AND ((u.role IN ('sales', 'manager') AND u.active) OR c.n IS NOT NULL OR a.n IS NOT NULL)
				AND ($4 OR u.team_id = ANY($5) OR u.id = $6)
			ORDER BY COALESCE(c.amount, 0) DESC, u.display_name, u.id`,
			by.TenantID, p.From, end, all, manages, by.UserID)
		if err != nil {
			return err
		}
		if p.People, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (PersonPerformance, error) {
			var x PersonPerformance
			err := r.Scan(&x.UserID, &x.Name, &x.TeamName, &x.Active, &x.Deals, &x.Amount, &x.Assists, &x.AssistAmount)
			return x, err
		}); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, periodDeals+`
			SELECT t.id, t.name, count(p.id), COALESCE(sum(p.amount), 0)::float8
			FROM teams t LEFT JOIN p ON p.team_id = t.id AND p.status <> 'unclaimed'
			WHERE t.tenant_id = $1 AND ($4 OR t.id = ANY($5))
			GROUP BY t.id, t.name ORDER BY 4 DESC, t.name`, by.TenantID, p.From, end, all, manages)
		if err != nil {
			return err
		}
		if p.Teams, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (TeamPerformance, error) {
			var x TeamPerformance
			err := r.Scan(&x.TeamID, &x.Name, &x.Deals, &x.Amount)
			return x, err
		}); err != nil {
			return err
		}
		if !all {
			return nil
		}
		return tx.QueryRow(ctx, periodDeals+` SELECT count(*), COALESCE(sum(amount), 0)::float8 FROM p WHERE status = 'unclaimed'`,
			by.TenantID, p.From, end).Scan(&p.Unclaimed, &p.UnclaimedAmount)
	})
	if err != nil {
		return Performance{}, fmt.Errorf("performance: %w", err)
	}
	return p, nil
}

// periodSpan is how a period of days defaults and how long it may be.
type periodSpan struct {
	start   func(end time.Time) time.Time // the default first day, given the last
	maxDays int                           // the most days, both ends counted
}

// period reads a period of days in loc: from and to as YYYY-MM-DD, to
// inclusive; empty to is today, empty from span's default start. It
// returns Invalid for a malformed date, an end before the start or a
// period longer than span allows.
func period(from, to string, now time.Time, loc *time.Location, span periodSpan) (time.Time, time.Time, error) {
	bad := map[string]i18n.Text{}
	day := func(key, s string, def time.Time) time.Time {
		if s == "" {
			return def
		}
		d, err := time.ParseInLocation(time.DateOnly, s, loc)
		if err != nil {
			bad[key] = i18n.Text{Zh: "日期格式须为 YYYY-MM-DD", En: "The date must be YYYY-MM-DD"}
		}
		return d
	}
	n := now.In(loc)
	end := day("to", to, time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc))
	start := day("from", from, span.start(end))
	switch {
	case len(bad) > 0:
	case end.Before(start):
		bad["to"] = i18n.Text{Zh: "结束日期不能早于开始日期", En: "The end date cannot be before the start date"}
	case !end.Before(start.AddDate(0, 0, span.maxDays)):
		bad["to"] = i18n.Text{Zh: fmt.Sprintf("期间最多 %d 天", span.maxDays), En: fmt.Sprintf("The period is at most %d days", span.maxDays)}
	}
	if len(bad) > 0 {
		return time.Time{}, time.Time{}, Invalid(bad)
	}
	return start, end, nil
}
