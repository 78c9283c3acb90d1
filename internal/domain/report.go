package domain

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// ReportFigures are the figures of one team, one person or the whole
// report over its period.
type ReportFigures struct {
	// Registrations filed in the period; of them, Conflicts ran into
	// another owner's claim (撞单, as the newer claim), Visited have had
	// the customer's visit and Converted earned a deal — by now.
	Registrations, Conflicts, Visited, Converted int
	// Expiries: claims whose protection ended in the period (the sweeper
	// returned the customer to the public pool).
	Expiries int
	// Visits logged in the period with the person (accompanying, or owner
	// of the claim a self-visit matched).
	Visits int
	// Deals signed in the period credited to the person or team, and
	// their amount.
	Deals  int
	Amount float64
}

// ConflictRate is the share of the period's registrations that ran into
// a conflict, 0 to 1; ok is false when there were no registrations.
func (f ReportFigures) ConflictRate() (rate float64, ok bool) {
	if f.Registrations == 0 {
		return 0, false
	}
	return float64(f.Conflicts) / float64(f.Registrations), true
}

// ReportLine is one team's or one person's figures.
type ReportLine struct {
	ID   int64
	Name string
	// Team is a person's team (empty for a team's line, or a person
	// without one).
	Team string
	ReportFigures
}

// ReportCount is one row of a breakdown: how many (and for deals, how
// much) fell under one key.
type ReportCount struct {
	Key    string
	Label  i18n.Text
	Count  int
	Amount float64
}

// Report is the reports page (报表) over the days From to To (inclusive,
// in the tenant's zone) for the teams the actor may see, or the one team
// of TeamID.
type Report struct {
	From, To time.Time
	TeamID   int64
	// Choices are the teams the actor may narrow the report to.
	Choices []Team
	Teams   []ReportLine
	People  []ReportLine
	// Total covers everything in scope; for the whole company it also
	// counts what no team holds (unassigned visits, claims of team-less
	// users).
	Total ReportFigures
	// Decisions counts the claims rejected in the period by the rule that
	// decided against them: history, time, completeness, dispute (a case's
	// decision) and review (rejected in review).
	Decisions []ReportCount
	// Attribution counts the deals signed in the period by the rule that
	// settled their credit (unclaimed ones only for the whole company).
	Attribution []ReportCount
}

// Funnel is the conversion funnel of the period's registrations:
// registered → visited → deal.
func (r Report) Funnel() []ReportCount {
	return []ReportCount{
		{Key: "registered", Label: i18n.Text{Zh: "报备", En: "Registered"}, Count: r.Total.Registrations},
		{Key: "visited", Label: i18n.Text{Zh: "到访", En: "Visited"}, Count: r.Total.Visited},
		{Key: "deal", Label: i18n.Text{Zh: "成交", En: "Deal"}, Count: r.Total.Converted},
	}
}

// reportSpan is the reports' period: the last 30 days by default, at most
// 366 days.
var reportSpan = periodSpan{start: func(end time.Time) time.Time { return end.AddDate(0, 0, -29) }, maxDays: 366}

// decisionRules are the keys of Report.Decisions, in order.
var decisionRules = []ReportCount{
	{Key: string(RuleHistory), Label: RuleHistory.Label()},
	{Key: string(RuleTime), Label: RuleTime.Label()},
	{Key: string(RuleCompleteness), Label: RuleCompleteness.Label()},
	{Key: "dispute", Label: i18n.Text{Zh: "申诉仲裁", En: "Dispute decision"}},
	{Key: "review", Label: i18n.Text{Zh: "审核驳回", En: "Rejected in review"}},
}

// attributionRules are the keys of Report.Attribution, in order.
var attributionRules = []AttributionRule{RuleRegistration, RuleTeamPool, RuleClaim, RuleDispute, RuleDutyTeam, RuleClaimWindow}

// Report returns the figures of the days from to to (YYYY-MM-DD,
// inclusive, in the tenant's zone; by default the last 30 days, at most
// 366) by team and by person: for managers the teams they manage, for
// admins and clerks the whole company; team (an id, optional) narrows it
// to one of those teams. Others get ErrForbidden; bad dates or a
// malformed team are Invalid; a team the actor may not see is
// ErrNotFound.
func (s *Service) Report(ctx context.Context, by Actor, from, to, team string) (Report, error) {
	if !by.Is(RoleManager, RoleAdmin, RoleClerk) {
		return Report{}, ErrForbidden
	}
	var rep Report
	if team != "" {
		id, err := strconv.ParseInt(team, 10, 64)
		if err != nil || id <= 0 {
			return Report{}, Invalid(map[string]i18n.Text{"team_id": {Zh: "请选择一个团队", En: "Choose a team"}})
		}
		rep.TeamID = id
	}
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		if rep.From, rep.To, err = period(from, to, s.Now(), pol.Location(), reportSpan); err != nil {
			return err
		}
		if rep.Choices, err = reportTeams(ctx, tx, by); err != nil {
			return err
		}
		sc := reportScope{all: by.Is(RoleAdmin, RoleClerk) && rep.TeamID == 0, teams: make([]int64, 0, len(rep.Choices))}
		for _, t := range rep.Choices {
			if rep.TeamID == 0 || t.ID == rep.TeamID {
				sc.teams = append(sc.teams, t.ID)
				rep.Teams = append(rep.Teams, ReportLine{ID: t.ID, Name: t.Name})
			}
		}
		if rep.TeamID != 0 && len(sc.teams) == 0 {
			return ErrNotFound
		}
		return rep.load(ctx, tx, by.TenantID, sc)
	})
	if err != nil {
		return Report{}, fmt.Errorf("report: %w", err)
	}
	return rep, nil
}

// reportScope is what a report covers: every row of the company (all), or
// the rows of teams.
type reportScope struct {
	all   bool
	teams []int64
}

// ReportTeams returns the teams by may narrow a report to, by name: a
// manager's own, or all of them for admins and clerks. Others get
// ErrForbidden.
func (s *Service) ReportTeams(ctx context.Context, by Actor) ([]Team, error) {
	if !by.Is(RoleManager, RoleAdmin, RoleClerk) {
		return nil, ErrForbidden
	}
	var teams []Team
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) (err error) {
		teams, err = reportTeams(ctx, tx, by)
		return err
	})
	return teams, err
}

// reportTeams returns the teams by may report on, by name: a manager's
// own, or all of them.
func reportTeams(ctx context.Context, tx pgx.Tx, by Actor) ([]Team, error) {
	rows, err := tx.Query(ctx, `SELECT id, name FROM teams WHERE tenant_id = $1 AND ($2 OR id = ANY($3)) ORDER BY name, id`,
		by.TenantID, !by.Is(RoleManager), managedTeams(by))
	if err != nil {
		return nil, fmt.Errorf("report teams: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Team, error) {
		var t Team
		return t, r.Scan(&t.ID, &t.Name)
	})
}

// reportFacts is one row per counted event of the period [$2, $3) — its
// kind, label, team, person and amount — for the rows of the teams $5 or,
// when $4, of the whole company.
const reportFacts = `
WITH reg AS (
	SELECT r.id, r.team_id, r.owner_id, r.visited_at FROM registrations r
	WHERE r.tenant_id = $1 AND r.registered_at >= $2 AND r.registered_at < $3 AND ($4 OR r.team_id = ANY($5))
), facts AS (
	SELECT 'registration' AS kind, '' AS label, team_id, owner_id AS user_id, 0::numeric AS amount FROM reg
	UNION ALL
	SELECT 'conflict', '', team_id, owner_id, 0 FROM reg
	WHERE EXISTS (SELECT 1 FROM conflicts c WHERE c.tenant_id = $1 AND c.registration_id = reg.id)
	UNION ALL
	SELECT 'visited', '', team_id, owner_id, 0 FROM reg WHERE visited_at IS NOT NULL
	UNION ALL
	SELECT 'converted', '', team_id, owner_id, 0 FROM reg
	WHERE EXISTS (SELECT 1 FROM deals d WHERE d.tenant_id = $1 AND d.registration_id = reg.id AND d.voided_at IS NULL)
	UNION ALL
	SELECT 'expiry', '', r.team_id, r.owner_id, 0 FROM registrations r
	WHERE r.tenant_id = $1 AND r.status = 'expired' AND r.status_changed_at >= $2 AND r.status_changed_at < $3
	UNION ALL
	SELECT 'visit', '', COALESCE(r.team_id, u.team_id), COALESCE(v.salesperson_id, r.owner_id), 0 FROM visits v
	LEFT JOIN registrations r ON r.tenant_id = v.tenant_id AND r.id = v.registration_id
	LEFT JOIN users u ON u.tenant_id = v.tenant_id AND u.id = v.salesperson_id
	WHERE v.tenant_id = $1 AND v.visited_at >= $2 AND v.visited_at < $3 AND v.voided_at IS NULL
	UNION ALL
	SELECT 'deal', d.rule, d.team_id, d.owner_id, d.amount FROM deals d
	WHERE d.tenant_id = $1 AND d.signed_at >= $2 AND d.signed_at < $3 AND d.voided_at IS NULL
	UNION ALL
	SELECT 'decision', CASE
		WHEN r.decision_rule <> '' THEN r.decision_rule
		WHEN EXISTS (SELECT 1 FROM conflicts c
			JOIN disputes x ON x.tenant_id = c.tenant_id AND x.conflict_id = c.id
			JOIN dispute_decisions dd ON dd.tenant_id = x.tenant_id AND dd.dispute_id = x.id
			WHERE c.tenant_id = $1 AND (c.registration_id = r.id OR c.holder_id = r.id)) THEN 'dispute'
		ELSE 'review' END, r.team_id, r.owner_id, 0
	FROM registrations r
	WHERE r.tenant_id = $1 AND r.status = 'rejected' AND r.status_changed_at >= $2 AND r.status_changed_at < $3
), scoped AS (
	SELECT * FROM facts WHERE $4 OR team_id = ANY($5)
)`

// load fills the report's lines, totals and breakdowns from the facts of
// its period in scope sc.
func (rep *Report) load(ctx context.Context, tx pgx.Tx, tenantID int64, sc reportScope) error {
	args := []any{tenantID, rep.From, rep.To.AddDate(0, 0, 1), sc.all, sc.teams}
	rows, err := tx.Query(ctx, reportFacts+`
		SELECT GROUPING(team_id, user_id), COALESCE(team_id, 0), COALESCE(user_id, 0),
			count(*) FILTER (WHERE kind = 'registration'), count(*) FILTER (WHERE kind = 'conflict'),
			count(*) FILTER (WHERE kind = 'visited'), count(*) FILTER (WHERE kind = 'converted'),
			count(*) FILTER (WHERE kind = 'expiry'), count(*) FILTER (WHERE kind = 'visit'),
			count(*) FILTER (WHERE kind = 'deal' AND user_id IS NOT NULL),
			COALESCE(sum(amount) FILTER (WHERE kind = 'deal' AND user_id IS NOT NULL), 0)::float8
		FROM scoped WHERE kind <> 'decision'
		GROUP BY GROUPING SETS ((team_id), (user_id), ())`, args...)
	if err != nil {
		return fmt.Errorf("report figures: %w", err)
	}
	byTeam, byUser := map[int64]ReportFigures{}, map[int64]ReportFigures{}
	var grouping int
	var teamID, userID int64
	var f ReportFigures
	_, err = pgx.ForEachRow(rows, []any{&grouping, &teamID, &userID, &f.Registrations, &f.Conflicts, &f.Visited, &f.Converted,
		&f.Expiries, &f.Visits, &f.Deals, &f.Amount}, func() error {
		switch grouping {
		case 1: // by team
			byTeam[teamID] = f
		case 2: // by person
			byUser[userID] = f
		case 3:
			rep.Total = f
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("report figures: %w", err)
	}
	for i := range rep.Teams {
		rep.Teams[i].ReportFigures = byTeam[rep.Teams[i].ID]
	}
	if rep.People, err = reportPeople(ctx, tx, tenantID, sc, byUser); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, reportFacts+`
		SELECT kind, label, count(*), COALESCE(sum(amount), 0)::float8 FROM scoped
		WHERE kind IN ('decision', 'deal') GROUP BY kind, label`, args...)
	if err != nil {
		return fmt.Errorf("report breakdowns: %w", err)
	}
	counts := map[[2]string]ReportCount{}
	var kind, label string
	var c ReportCount
	if _, err := pgx.ForEachRow(rows, []any{&kind, &label, &c.Count, &c.Amount}, func() error {
		counts[[2]string{kind, label}] = c
		return nil
	}); err != nil {
		return fmt.Errorf("report breakdowns: %w", err)
	}
	for _, d := range decisionRules {
		d.Count = counts[[2]string{"decision", d.Key}].Count
		rep.Decisions = append(rep.Decisions, d)
	}
	for _, r := range attributionRules {
		x := counts[[2]string{"deal", string(r)}]
		rep.Attribution = append(rep.Attribution, ReportCount{Key: string(r), Label: r.Label(), Count: x.Count, Amount: x.Amount})
	}
	return nil
}

// reportPeople returns a line per person in scope: the active
// salespeople and managers of its teams (or everyone's, for the whole
// company), and anyone else with figures in it, by team and name.
func reportPeople(ctx context.Context, tx pgx.Tx, tenantID int64, sc reportScope, figures map[int64]ReportFigures) ([]ReportLine, error) {
	ids := make([]int64, 0, len(figures))
	for id := range figures {
		ids = append(ids, id)
	}
	rows, err := tx.Query(ctx, `
		SELECT u.id, u.display_name, COALESCE(t.name, '') FROM users u
		LEFT JOIN teams t ON t.tenant_id = u.tenant_id AND t.id = u.team_id
		WHERE u.tenant_id = $1 AND (u.id = ANY($2)
			OR (u.active AND u.role IN ('sales', 'manager') AND ($3 OR u.team_id = ANY($4))))`,
		tenantID, ids, sc.all, sc.teams)
	if err != nil {
		return nil, fmt.Errorf("report people: %w", err)
	}
	people, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReportLine, error) {
		var l ReportLine
		if err := r.Scan(&l.ID, &l.Name, &l.Team); err != nil {
			return l, err
		}
		l.ReportFigures = figures[l.ID]
		return l, nil
	})
	if err != nil {
		return nil, fmt.Errorf("report people: %w", err)
	}
	slices.SortFunc(people, func(a, b ReportLine) int {
		return cmp.Or(strings.Compare(a.Team, b.Team), strings.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return people, nil
}
