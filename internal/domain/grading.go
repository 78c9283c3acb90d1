package domain

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// CustomerGrade is a customer's grade by its trailing 12-month deal
// amount (客户分级, domain.md, Customer grading).
type CustomerGrade string

// The customer grades.
const (
	GradeVIP     CustomerGrade = "vip"     // at least the tenant's VIP threshold
	GradeKey     CustomerGrade = "key"     // at least the key threshold, below VIP
	GradeGeneral CustomerGrade = "general" // has deals, below the key threshold
	GradeReserve CustomerGrade = "reserve" // no deals yet
)

// CustomerGrades lists the grades, highest first.
var CustomerGrades = []CustomerGrade{GradeVIP, GradeKey, GradeGeneral, GradeReserve}

// gradeSince is when the trailing 12 months that grades count end at now begin.
func gradeSince(now time.Time) time.Time { return now.AddDate(-1, 0, 0) }

// gradedCustomers is a subquery of the tenant's ($1) customers with their
// deal count, their credited deal amount signed after $2, and their grade
// by the thresholds $3 (VIP) and $4 (key): the one place the grading rule
// is written. Unclaimed deals count too: the customer bought either way.
// A customer merged into another is left out: the survivor stands for it.
const gradedCustomers = `(
	SELECT c.tenant_id, c.id, c.name, c.kind, g.deals, g.recent,
		CASE WHEN g.deals = 0 THEN 'reserve' WHEN g.recent >= $3 THEN 'vip' WHEN g.recent >= $4 THEN 'key' ELSE 'general' END AS grade
	FROM customers c
	CROSS JOIN LATERAL (
		SELECT count(*) AS deals, COALESCE(sum(d.amount) FILTER (WHERE d.signed_at > $2), 0)::float8 AS recent
		FROM deals d WHERE d.tenant_id = c.tenant_id AND d.customer_id = c.id AND d.voided_at IS NULL
	) g
	WHERE c.tenant_id = $1 AND c.merged_into IS NULL
) gc`

// gradeArgs are $1–$4 of gradedCustomers.
func gradeArgs(tenantID int64, pol Policy, now time.Time) []any {
	return []any{tenantID, gradeSince(now), pol.GradeThresholds.VIP, pol.GradeThresholds.Key}
}

// GradedCustomer is a customer with its grade, as the customer list shows
// it. RegistrationID and OwnerName name a claim holding it that the
// reader may open (0 and "" when none).
type GradedCustomer struct {
	ID             int64
	Name           string
	Kind           CustomerKind
	Grade          CustomerGrade
	Deals          int
	Recent         float64 // credited and unclaimed deal amount of the trailing 12 months
	RegistrationID int64
	OwnerName      string
}

// CustomerFilter narrows the customer list.
type CustomerFilter struct {
	Grade  CustomerGrade // "" for all
	Query  string        // part of the name
	Limit  int
	Cursor int64 // ids below this one
}

// Customers lists the graded customers the actor may see, newest first:
// clerks and admins all; managers those held by their teams or
// themselves; salespeople those they hold. Front desk gets ErrForbidden.
// It returns the next cursor, 0 at the end.
func (s *Service) Customers(ctx context.Context, by Actor, f CustomerFilter) ([]GradedCustomer, int64, error) {
	if !by.Is(RoleSales, RoleManager, RoleClerk, RoleAdmin) {
		return nil, 0, ErrForbidden
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	if f.Grade != "" && !slices.Contains(CustomerGrades, f.Grade) {
		f.Grade = ""
	}
	var out []GradedCustomer
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		args := append(gradeArgs(by.TenantID, pol, s.Now()), by.Is(RoleAdmin, RoleClerk), by.UserID, managedTeams(by))
		arg := func(v any) string {
			args = append(args, v)
			return "$" + strconv.Itoa(len(args))
		}
		where := []string{"($5 OR h.id IS NOT NULL)"}
		if f.Grade != "" {
			where = append(where, "gc.grade = "+arg(string(f.Grade)))
		}
		if q := strings.TrimSpace(f.Query); q != "" {
			where = append(where, "gc.name ILIKE "+arg("%"+escapeLike(q)+"%"))
		}
		if f.Cursor > 0 {
			where = append(where, "gc.id < "+arg(f.Cursor))
		}
		rows, err := tx.Query(ctx, `
			SELECT gc.id, gc.name, gc.kind, gc.grade, gc.deals, gc.recent, COALESCE(h.id, 0), COALESCE(h.owner_name, '')
			FROM `+gradedCustomers+`
			LEFT JOIN LATERAL (
				SELECT r.id, u.display_name AS owner_name FROM registrations r
				JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.owner_id
				WHERE r.tenant_id = gc.tenant_id AND r.customer_id = gc.id AND r.status IN `+holdingStatuses+`
					AND ($5 OR r.owner_id = $6 OR r.team_id = ANY($7))
				ORDER BY r.id DESC LIMIT 1
			) h ON true
			WHERE `+strings.Join(where, " AND ")+`
			ORDER BY gc.id DESC LIMIT `+arg(f.Limit+1), args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (GradedCustomer, error) {
			var c GradedCustomer
			err := r.Scan(&c.ID, &c.Name, &c.Kind, &c.Grade, &c.Deals, &c.Recent, &c.RegistrationID, &c.OwnerName)
			return c, err
		})
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("customers: %w", err)
	}
	out, next := trimPage(out, f.Limit, func(x GradedCustomer) int64 { return x.ID })
	if by.Is(RoleSales) {
		for i := range out {
			out[i].OwnerName = ""
		}
	}
	return out, next, nil
}

// CustomerGradeOf returns the grade of the customer of a registration the
// actor may read (ErrNotFound otherwise), for the registration's page.
func (s *Service) CustomerGradeOf(ctx context.Context, by Actor, registrationID int64) (CustomerGrade, error) {
	var g CustomerGrade
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		r, err := getRegistration(ctx, tx, by, registrationID)
		if err != nil {
			return err
		}
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `SELECT gc.grade FROM `+gradedCustomers+` WHERE gc.id = $5`,
			append(gradeArgs(by.TenantID, pol, s.Now()), r.CustomerID)...).Scan(&g)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("customer grade: %w", err)
	}
	return g, nil
}

// managedTeams is the teams by manages, never nil (ANY over NULL is NULL).
func managedTeams(by Actor) []int64 {
	if !by.Is(RoleManager, RoleAdmin) {
		return []int64{}
	}
	return append([]int64{}, by.Manages...)
}
