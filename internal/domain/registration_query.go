package domain

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

const registrationColumns = `r.id, r.status, r.owner_id, u.display_name, COALESCE(r.team_id, 0), r.customer_id, r.details,
	r.grade, r.needs, r.source, r.expected_amount::float8, r.first_contact_at, r.history_claim, r.completeness, r.missing,
	r.late, r.registered_at, r.activated_at, r.protected_until, r.last_follow_up_at, r.next_follow_up_due, r.visited_at,
	r.renewals, r.claim_ref, r.status_changed_at, r.decision_rule, r.decision_reason_zh, r.decision_reason_en`

const registrationFrom = ` FROM registrations r JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.owner_id `

func scanRegistration(row pgx.Row) (Registration, error) {
	var (
		r                        Registration
		rule, reasonZh, reasonEn string
	)
	err := row.Scan(&r.ID, &r.Status, &r.OwnerID, &r.OwnerName, &r.TeamID, &r.CustomerID, &r.Customer,
		&r.Grade, &r.Needs, &r.Source, &r.ExpectedAmount, &r.FirstContactAt, &r.HistoryClaim, &r.Completeness, &r.Missing,
		&r.Late, &r.RegisteredAt, &r.ActivatedAt, &r.ProtectedUntil, &r.LastFollowUpAt, &r.NextFollowUpDue, &r.VisitedAt,
		&r.Renewals, &r.ClaimRef, &r.StatusChangedAt, &rule, &reasonZh, &reasonEn)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	if rule != "" || reasonZh != "" {
		r.Decision = &RegistrationDecision{Rule: Rule(rule), Reason: i18n.Text{Zh: reasonZh, En: reasonEn}, Winner: "self"}
		if reasonZh != "" {
			r.Decision.Winner = "other"
		}
	}
	return r, err
}

// canRead reports whether by may read registration r in full: its owner,
// a manager of its team, a clerk (data-quality review) or an admin.
func (by Actor) canRead(r Registration) bool {
	return by.UserID == r.OwnerID || by.Is(RoleAdmin, RoleClerk) || (by.Is(RoleManager) && by.ManagesTeam(r.TeamID))
}

// seesPhones reports whether by sees r's phones unmasked: the owner, their
// managers and admins.
func (by Actor) seesPhones(r Registration) bool {
	return by.UserID == r.OwnerID || by.Is(RoleAdmin) || (by.Is(RoleManager) && by.ManagesTeam(r.TeamID))
}

// Registration returns one registration the actor may read; any other is
// ErrNotFound, so ids reveal nothing. Phones are masked for readers who
// are not the owner, their manager or an admin.
func (s *Service) Registration(ctx context.Context, by Actor, id int64) (Registration, error) {
	var r Registration
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var err error
		if r, err = getRegistration(ctx, tx, by, id); err != nil {
			return err
		}
		return logPhoneView(ctx, tx, by, r) // phone_view.go
	})
	return r, err
}

func getRegistration(ctx context.Context, tx pgx.Tx, by Actor, id int64) (Registration, error) {
	r, err := scanRegistration(tx.QueryRow(ctx, `SELECT `+registrationColumns+registrationFrom+`
		WHERE r.tenant_id = $1 AND r.id = $2`, by.TenantID, id))
	if err != nil {
		return r, err
	}
	if !by.canRead(r) {
		return Registration{}, ErrNotFound
	}
	if !by.seesPhones(r) {
		r.Customer = r.Customer.masked()
	}
	if err := loadConflict(ctx, tx, by.TenantID, &r); err != nil {
		return r, err
	}
	return r, nil
}

// loadConflict adds the newest conflict the registration was the newcomer
// in, and for a lost one the other claim's protection end and handle;
// failing that, the newest conflict it held that became a case. Either
// way the conflict names its case, if any.
func loadConflict(ctx context.Context, tx pgx.Tx, tenantID int64, r *Registration) error {
	var (
		c        ConflictRef
		holder   int64
		winner   *int64
		until    *time.Time
		claimRef string
		newcomer bool
	)
	err := tx.QueryRow(ctx, `
		SELECT c.id, c.matched_on, c.status, c.holder_id, c.winner_id, h.protected_until, h.claim_ref,
			c.registration_id = $2, COALESCE(d.id, 0)
		FROM conflicts c JOIN registrations h ON h.tenant_id = c.tenant_id AND h.id = c.holder_id
		LEFT JOIN disputes d ON d.tenant_id = c.tenant_id AND d.conflict_id = c.id
		WHERE c.tenant_id = $1 AND (c.registration_id = $2 OR (c.holder_id = $2 AND d.id IS NOT NULL))
		ORDER BY c.registration_id = $2 DESC, c.id DESC LIMIT 1`, tenantID, r.ID).
		Scan(&c.ID, &c.MatchedOn, &c.Status, &holder, &winner, &until, &claimRef, &newcomer, &c.DisputeID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load conflict: %w", err)
	}
	r.Conflict = &c
	if newcomer && r.Decision != nil && r.Decision.Winner == "other" {
		r.Decision.ProtectedUntil = until
		r.Decision.ClaimRef = claimRef
	}
	return nil
}

// RegistrationFilter narrows a registration list.
type RegistrationFilter struct {
	Status Status // "" for all
	Query  string // part of the customer's name
	Limit  int
	Cursor int64 // list ids below this one
}

// Registrations lists what the actor may see, newest first: salespeople
// their own, managers those of their teams and their own, clerks and
// admins everything; front desk nothing. It returns the next cursor, 0 at
// the end.
func (s *Service) Registrations(ctx context.Context, by Actor, f RegistrationFilter) ([]Registration, int64, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	where := []string{"r.tenant_id = $1"}
	args := []any{by.TenantID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	switch {
	case by.Is(RoleAdmin, RoleClerk):
	case by.Is(RoleManager):
		where = append(where, "(r.owner_id = "+arg(by.UserID)+" OR r.team_id = ANY("+arg(by.Manages)+"))")
	case by.Is(RoleSales):
		where = append(where, "r.owner_id = "+arg(by.UserID))
	default:
		return nil, 0, nil
	}
	if f.Status != "" {
		where = append(where, "r.status = "+arg(f.Status))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, "(r.details->>'name') ILIKE "+arg("%"+escapeLike(q)+"%"))
	}
	if f.Cursor > 0 {
		where = append(where, "r.id < "+arg(f.Cursor))
	}
	sql := `SELECT ` + registrationColumns + registrationFrom + ` WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY r.id DESC LIMIT ` + arg(f.Limit+1)
	var out []Registration
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Registration, error) { return scanRegistration(row) })
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("registrations: %w", err)
	}
	out, next := trimPage(out, f.Limit, func(x Registration) int64 { return x.ID })
	by.maskPhones(out)
	return out, next, nil
}

// maskPhones masks the phones of the registrations by may not see them of.
func (by Actor) maskPhones(rs []Registration) {
	for i := range rs {
		if !by.seesPhones(rs[i]) {
			rs[i].Customer = rs[i].Customer.masked()
		}
	}
}

// escapeLike quotes LIKE's wildcards so a search for "50%" means that.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
