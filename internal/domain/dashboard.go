package domain

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// The home page (issue 7, role home pages): what each user must act on,
// one click away. Every list is short (shortlistLen items) and counted,
// and is drawn with the columns, scans and visibility rules of the
// resource it lists.

// shortlistLen is how many items of each list the home page shows.
const shortlistLen = 5

// expiringWindow is how far ahead a manager's home lists the team's
// claims that run out.
const expiringWindow = 7 * 24 * time.Hour

// Shortlist is the first few items of a list and how many there are in all.
type Shortlist[T any] struct {
	Count int
	Items []T
}

// TenantFigures are an admin's figures about the whole company. "This
// week" starts on Monday in the tenant's time zone; the 30 days end now.
type TenantFigures struct {
	LiveClaims          int
	RegistrationsWeek   int
	Registrations30Days int
	// Conflicted30Days counts the last 30 days' registrations that met a
	// conflict (撞单).
	Conflicted30Days int
	OpenDisputes     int // waiting for a decision: open or appealed
	PoolSize         int // customers in the public pool
	Users            int // active users
	Teams            int
}

// ConflictRate is the share of the last 30 days' registrations that met a
// conflict, 0 to 1, as a report counts it; ok is false when there were none.
func (f TenantFigures) ConflictRate() (rate float64, ok bool) {
	return ReportFigures{Registrations: f.Registrations30Days, Conflicts: f.Conflicted30Days}.ConflictRate()
}

// ConflictSummary is one conflict in a manager's week: the customer, the
// keys that matched, how it stands, and the claim of it the reader may
// open (the newcomer's when it is theirs to read, else the holder's).
type ConflictSummary struct {
	ID             int64
	RegistrationID int64
	CustomerName   string
	MatchedOn      []string
	Status         string // decided | in_dispute
	CreatedAt      time.Time
}

// Dashboard is what a user's home page shows, by role; lists a role does
// not act on stay empty.
type Dashboard struct {
	Now time.Time
	// A salesperson's own claims: live ones soonest expiry first, and
	// active ones whose follow-up is past due.
	Claims  Shortlist[Registration]
	Overdue Shortlist[Registration]
	// Consent requests the user may answer now, and their own unanswered
	// ones (sales, managers, admins).
	ConsentsToAnswer Shortlist[ConsentRequest]
	ConsentsAsked    Shortlist[ConsentRequest]
	// The deciders' queues: registrations waiting for review, approvals
	// (renewals, holds, escalated consents), deal claims, dealer chain
	// steps, and cases waiting for the user's decision.
	Reviews     Shortlist[Registration]
	Approvals   Shortlist[Approval]
	DealClaims  Shortlist[Approval]
	DealerSteps Shortlist[Approval]
	Disputes    Shortlist[Dispute]
	// A manager's teams: claims expiring in the next 7 days, conflicts
	// this week and overdue follow-ups.
	Expiring    Shortlist[Registration]
	Conflicts   Shortlist[ConflictSummary]
	TeamOverdue Shortlist[Registration]
	// Clerks: deals nobody is credited with yet.
	UnclaimedDeals Shortlist[Deal]
	// Front desk: visits logged today.
	VisitsToday int
	// Admins: the company's figures.
	Figures *TenantFigures
}

// Dashboard gathers the actor's home page: salespeople their own claims,
// overdue follow-ups and consent requests; managers the queues they decide
// and their teams' expiring claims, conflicts and overdue follow-ups;
// admins the company's figures and every queue; clerks reviews, approvals,
// unclaimed deals and dealer steps; front desk today's visits.
func (s *Service) Dashboard(ctx context.Context, by Actor) (Dashboard, error) {
	d := Dashboard{Now: s.Now()}
	var today string
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		loc := pol.Location()
		today = d.Now.In(loc).Format(time.DateOnly)
		return dashboardTx(ctx, tx, by, &d, weekStart(d.Now, loc))
	})
	if err != nil {
		return d, fmt.Errorf("dashboard: %w", err)
	}
	if by.Is(RoleFrontdesk) {
		visits, err := s.Visits(ctx, by, today)
		if err != nil {
			return d, fmt.Errorf("dashboard: %w", err)
		}
		d.VisitsToday = len(visits)
	}
	if by.Is(RoleManager, RoleAdmin) {
		if d.Disputes, err = s.disputesToDecide(ctx, by); err != nil {
			return d, fmt.Errorf("dashboard: %w", err)
		}
	}
	return d, nil
}

// dashboardTx fills in the lists read in the dashboard's transaction.
func dashboardTx(ctx context.Context, tx pgx.Tx, by Actor, d *Dashboard, week time.Time) error {
	var err error
	if by.Is(RoleSales) {
		if d.Claims, err = registrationShortlist(ctx, tx, by, ` AND r.owner_id = $2 AND r.status IN `+liveStatuses,
			`r.protected_until NULLS LAST, r.id`, by.TenantID, by.UserID); err != nil {
			return err
		}
		if d.Overdue, err = registrationShortlist(ctx, tx, by, ` AND r.owner_id = $2 AND r.status = 'active' AND r.next_follow_up_due < $3`,
			`r.next_follow_up_due, r.id`, by.TenantID, by.UserID, d.Now); err != nil {
			return err
		}
	}
	if by.Is(RoleSales, RoleManager, RoleAdmin) {
		if err = consentShortlists(ctx, tx, by, d); err != nil {
			return err
		}
	}
	if by.Is(RoleManager, RoleClerk, RoleAdmin) {
		// canReview: never one's own; clerks and admins any, managers their teams'.
		if d.Reviews, err = registrationShortlist(ctx, tx, by,
			` AND r.status = 'pending_review' AND r.owner_id <> $2 AND ($4 OR r.team_id = ANY($3))`, `r.id`,
			by.TenantID, by.UserID, managedTeams(by), by.Is(RoleClerk, RoleAdmin)); err != nil {
			return err
		}
		queues := []struct {
			list    *Shortlist[Approval]
			kinds   []string
			include bool
		}{
			{&d.Approvals, []string{ApprovalDealClaim, ApprovalChainStep}, false},
			{&d.DealClaims, []string{ApprovalDealClaim}, true},
			{&d.DealerSteps, []string{ApprovalChainStep}, true},
		}
		for _, q := range queues {
			if *q.list, err = approvalShortlist(ctx, tx, by, q.kinds, q.include); err != nil {
				return err
			}
		}
	}
	if by.Is(RoleManager) {
		team := ` AND (r.owner_id = $2 OR r.team_id = ANY($3))`
		if d.Expiring, err = registrationShortlist(ctx, tx, by,
			team+` AND r.status = 'active' AND r.protected_until >= $4 AND r.protected_until < $5`, `r.protected_until, r.id`,
			by.TenantID, by.UserID, by.Manages, d.Now, d.Now.Add(expiringWindow)); err != nil {
			return err
		}
		if d.TeamOverdue, err = registrationShortlist(ctx, tx, by, team+` AND r.status = 'active' AND r.next_follow_up_due < $4`,
			`r.next_follow_up_due, r.id`,
			by.TenantID, by.UserID, by.Manages, d.Now); err != nil {
			return err
		}
		if d.Conflicts, err = conflictShortlist(ctx, tx, by, week); err != nil {
			return err
		}
	}
	if by.Is(RoleClerk) {
		if d.UnclaimedDeals, err = shortlist(ctx, tx, dealColumns, dealFrom+`WHERE d.tenant_id = $1 AND d.status = 'unclaimed' AND (`+dealReader+`) IS TRUE`,
			`d.claim_deadline, d.id`, func(row pgx.Row) (Deal, error) {
				deal, err := scanDeal(row)
				deal, _ = deal.visibleTo(by)
				return deal, err
			}, by.readerArgs()...); err != nil {
			return err
		}
	}
	if by.Is(RoleAdmin) {
		f, err := tenantFigures(ctx, tx, by.TenantID, week, d.Now)
		if err != nil {
			return err
		}
		d.Figures = &f
	}
	return nil
}

// shortlist counts the rows of from (a FROM … WHERE … clause) and reads
// the first shortlistLen of them in order, with columns, through scan.
func shortlist[T any](ctx context.Context, tx pgx.Tx, columns, from, order string, scan func(pgx.Row) (T, error), args ...any) (Shortlist[T], error) {
	var l Shortlist[T]
	if err := tx.QueryRow(ctx, `SELECT count(*) `+from, args...).Scan(&l.Count); err != nil {
		return l, fmt.Errorf("count: %w", err)
	}
	if l.Count == 0 {
		return l, nil
	}
	rows, err := tx.Query(ctx, `SELECT `+columns+from+` ORDER BY `+order+` LIMIT `+strconv.Itoa(shortlistLen), args...)
	if err != nil {
		return l, fmt.Errorf("list: %w", err)
	}
	l.Items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	return l, err
}

// registrationShortlist lists the registrations matching where (after the
// tenant, $1), phones masked as by may see them.
func registrationShortlist(ctx context.Context, tx pgx.Tx, by Actor, where, order string, args ...any) (Shortlist[Registration], error) {
	l, err := shortlist(ctx, tx, registrationColumns, registrationFrom+`WHERE r.tenant_id = $1`+where, order, scanRegistration, args...)
	by.maskPhones(l.Items)
	return l, err
}

// consentShortlists fills in the consent requests by may answer now
// (Actor.canAnswer) and by's own unanswered ones.
func consentShortlists(ctx context.Context, tx pgx.Tx, by Actor, d *Dashboard) error {
	view := func(row pgx.Row) (ConsentRequest, error) {
		c, err := scanConsent(row)
		return c.view(by), err
	}
	var err error
	d.ConsentsToAnswer, err = shortlist(ctx, tx, consentColumns, consentFrom+`WHERE cr.tenant_id = $1
		AND ((cr.status = 'pending' AND r.owner_id = $2)
			OR (cr.status = 'escalated' AND (r.owner_id = $2 OR $3 OR r.team_id = ANY($4))))`,
		`cr.id`, view, by.TenantID, by.UserID, by.Is(RoleAdmin), managed(by))
	if err != nil {
		return fmt.Errorf("consents to answer: %w", err)
	}
	d.ConsentsAsked, err = shortlist(ctx, tx, consentColumns, consentFrom+`WHERE cr.tenant_id = $1
		AND cr.requester_id = $2 AND cr.status IN ('pending', 'escalated')`, `cr.id`, view, by.TenantID, by.UserID)
	if err != nil {
		return fmt.Errorf("consents asked: %w", err)
	}
	return nil
}

// approvalShortlist lists the pending approvals by may decide (the
// approvals queue's rule), oldest first: those of the given kinds, or
// with include false all others.
func approvalShortlist(ctx context.Context, tx pgx.Tx, by Actor, kinds []string, include bool) (Shortlist[Approval], error) {
	l, err := shortlist(ctx, tx, approvalColumns, approvalFrom+`JOIN users u ON u.tenant_id = a.tenant_id AND u.id = $2
		WHERE a.tenant_id = $1 AND a.status = 'pending' AND (a.kind = ANY($3)) = $4 AND `+mayDecideSQL,
		`a.id`, scanApproval, by.TenantID, by.UserID, kinds, include)
	if err != nil {
		return l, fmt.Errorf("approvals %v: %w", kinds, err)
	}
	return l, nil
}

// conflictShortlist lists the conflicts since week that touch by's teams
// (or by's own claims), newest first.
func conflictShortlist(ctx context.Context, tx pgx.Tx, by Actor, week time.Time) (Shortlist[ConflictSummary], error) {
	l, err := shortlist(ctx, tx, `c.id, CASE WHEN n.owner_id = $3 OR n.team_id = ANY($4) THEN n.id ELSE h.id END,
			n.details->>'name', c.matched_on, c.status, c.created_at`, `
		FROM conflicts c
		JOIN registrations n ON n.tenant_id = c.tenant_id AND n.id = c.registration_id
		JOIN registrations h ON h.tenant_id = c.tenant_id AND h.id = c.holder_id
		WHERE c.tenant_id = $1 AND c.created_at >= $2
			AND (n.owner_id = $3 OR h.owner_id = $3 OR n.team_id = ANY($4) OR h.team_id = ANY($4))`,
		`c.id DESC`, func(row pgx.Row) (ConflictSummary, error) {
			var c ConflictSummary
			err := row.Scan(&c.ID, &c.RegistrationID, &c.CustomerName, &c.MatchedOn, &c.Status, &c.CreatedAt)
			return c, err
		}, by.TenantID, week, by.UserID, by.Manages)
	if err != nil {
		return l, fmt.Errorf("conflicts: %w", err)
	}
	return l, nil
}

// tenantFigures counts the company's figures at now.
func tenantFigures(ctx context.Context, tx pgx.Tx, tenantID int64, week, now time.Time) (TenantFigures, error) {
	var f TenantFigures
	err := tx.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM registrations WHERE tenant_id = $1 AND status IN `+liveStatuses+`),
		(SELECT count(*) FROM registrations WHERE tenant_id = $1 AND registered_at >= $2),
		(SELECT count(*) FROM registrations WHERE tenant_id = $1 AND registered_at >= $3),
		(SELECT count(DISTINCT registration_id) FROM conflicts WHERE tenant_id = $1 AND created_at >= $3),
		(SELECT count(*) FROM disputes WHERE tenant_id = $1 AND status IN ('open', 'appealed')),
		(SELECT count(*) FROM customers c WHERE c.tenant_id = $1 AND c.pooled_at IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM registrations o WHERE o.tenant_id = c.tenant_id AND o.customer_id = c.id
				AND o.status IN `+liveStatuses+`)),
		(SELECT count(*) FROM users WHERE tenant_id = $1 AND active),
		(SELECT count(*) FROM teams WHERE tenant_id = $1)`,
		tenantID, week, now.AddDate(0, 0, -30)).
		Scan(&f.LiveClaims, &f.RegistrationsWeek, &f.Registrations30Days, &f.Conflicted30Days, &f.OpenDisputes,
			&f.PoolSize, &f.Users, &f.Teams)
	if err != nil {
		return f, fmt.Errorf("figures: %w", err)
	}
	return f, nil
}

// disputesToDecide lists the cases waiting for by's decision, oldest
// first, out of the newest 100 open and 100 appealed ones by may read.
func (s *Service) disputesToDecide(ctx context.Context, by Actor) (Shortlist[Dispute], error) {
	var l Shortlist[Dispute]
	for _, status := range []DisputeStatus{DisputeOpen, DisputeAppealed} {
		cases, _, err := s.Disputes(ctx, by, DisputeFilter{Status: status, Limit: 100})
		if err != nil {
			return l, err
		}
		for _, c := range cases {
			if c.CanDecide {
				l.Items = append(l.Items, c)
			}
		}
	}
	slices.SortFunc(l.Items, func(a, b Dispute) int { return cmp.Compare(a.ID, b.ID) })
	l.Count = len(l.Items)
	l.Items = l.Items[:min(len(l.Items), shortlistLen)]
	return l, nil
}

// weekStart is the start of now's week, Monday 00:00 in loc.
func weekStart(now time.Time, loc *time.Location) time.Time {
	day := dayStart(now, loc)
	return day.AddDate(0, 0, -(int(day.Weekday())+6)%7)
}
