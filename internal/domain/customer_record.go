package domain

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// CustomerRecord is one customer record with the registrations and deals
// on it, as its page and GET /api/v1/customers/{id} show it.
type CustomerRecord struct {
	ID         int64        `json:"id,string"`
	Kind       CustomerKind `json:"kind"`
	Name       string       `json:"name"`
	Region     string       `json:"region"`
	CreatedAt  time.Time    `json:"created_at"`
	MergedInto int64        `json:"merged_into,string,omitempty"` // the survivor of a merge, 0 when none
	MergedAt   *time.Time   `json:"merged_at,omitempty"`
	// Registrations are the claims on it the reader may read, newest first.
	Registrations []CustomerClaim `json:"registrations"`
	// Deals are the deals with it the reader may read, newest first.
	Deals []CustomerDeal `json:"deals"`
	// MergedIn are the customers merged into this one, newest first.
	MergedIn []MergedCustomer `json:"merged_in"`
	// CanChange: the reader may merge, split and undo merges of it.
	CanChange bool `json:"can_change"`
}

// CustomerClaim is a registration as a customer's record lists it.
type CustomerClaim struct {
	ID           int64     `json:"id,string"`
	Status       Status    `json:"status"`
	OwnerName    string    `json:"owner_name"`
	Name         string    `json:"name"` // the customer's name as the registration typed it
	RegisteredAt time.Time `json:"registered_at"`
	Visits       int       `json:"visits"`
}

// CustomerDeal is a deal as a customer's record lists it.
type CustomerDeal struct {
	ID         int64     `json:"id,string"`
	ContractNo string    `json:"contract_no"`
	SignedAt   time.Time `json:"signed_at"`
	Amount     float64   `json:"amount"`
}

// MergedCustomer is a customer merged into another.
type MergedCustomer struct {
	ID       int64     `json:"id,string"`
	Name     string    `json:"name"`
	MergedAt time.Time `json:"merged_at"`
}

// customerRow is a customer as stored.
type customerRow struct {
	ID         int64
	Kind       CustomerKind
	Name       string
	Region     string
	CreatedAt  time.Time
	MergedInto int64
	MergedAt   *time.Time
}

// readsCustomer is the SQL condition that the actor ($3 reading all, $4
// the user, $5 the teams they manage) may read customer $2 of tenant $1:
// clerks and admins all; others a customer they or their teams have a
// registration on, in any state — for a merged customer, on the customer
// it was merged into (and so on).
const readsCustomer = `($3 OR EXISTS (
	WITH RECURSIVE chain AS (
		SELECT c.id, c.merged_into FROM customers c WHERE c.tenant_id = $1 AND c.id = $2
		UNION SELECT c.id, c.merged_into FROM customers c JOIN chain ON c.tenant_id = $1 AND c.id = chain.merged_into
	)
	SELECT 1 FROM registrations r WHERE r.tenant_id = $1 AND r.customer_id IN (SELECT id FROM chain)
		AND (r.owner_id = $4 OR r.team_id = ANY($5))))`

// loadCustomer reads a customer the actor may read (any other is
// ErrNotFound), locking it for a change when lock is set.
func loadCustomer(ctx context.Context, tx pgx.Tx, by Actor, id int64, lock bool) (customerRow, error) {
	sql := `SELECT id, kind, name, region, created_at, COALESCE(merged_into, 0), merged_at FROM customers
		WHERE tenant_id = $1 AND id = $2 AND ` + readsCustomer
	if lock {
		sql += ` FOR UPDATE`
	}
	var c customerRow
	err := tx.QueryRow(ctx, sql, by.TenantID, id, by.Is(RoleAdmin, RoleClerk), by.UserID, managedTeams(by)).
		Scan(&c.ID, &c.Kind, &c.Name, &c.Region, &c.CreatedAt, &c.MergedInto, &c.MergedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("customer: %w", err)
	}
	return c, nil
}

var errOtherTeams = Forbidden(i18n.Text{
	Zh: "其他团队的报备持有该客户, 须由管理员合并或拆分",
	En: "Another team's registration holds this customer; an admin must merge or split it"})

// mayChangeCustomers reports whether by may merge, split or undo merges of
// customers ids: admins may; managers when every claim holding them is
// their own or their teams'.
func mayChangeCustomers(ctx context.Context, tx pgx.Tx, by Actor, ids ...int64) (bool, error) {
	if by.Is(RoleAdmin) {
		return true, nil
	}
	if !by.Is(RoleManager) {
		return false, nil
	}
	var foreign bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM registrations r
		WHERE r.tenant_id = $1 AND r.customer_id = ANY($2) AND r.status IN `+holdingStatuses+`
			AND r.owner_id <> $3 AND (r.team_id IS NULL OR NOT r.team_id = ANY($4)))`,
		by.TenantID, ids, by.UserID, managedTeams(by)).Scan(&foreign)
	return !foreign, err
}

// customerForChange locks a customer the actor may read (ErrNotFound
// otherwise) and may change (ErrForbidden otherwise).
func customerForChange(ctx context.Context, tx pgx.Tx, by Actor, id int64) (customerRow, error) {
	if !by.Is(RoleManager, RoleAdmin) {
		return customerRow{}, ErrForbidden
	}
	c, err := loadCustomer(ctx, tx, by, id, true)
	if err != nil {
		return c, err
	}
	ok, err := mayChangeCustomers(ctx, tx, by, id)
	if err != nil {
		return c, err
	}
	if !ok {
		return c, errOtherTeams
	}
	return c, nil
}

// CustomerRecord returns a customer the actor may read, with the
// registrations and deals on it they may read; any other customer is
// ErrNotFound. Front desk gets ErrForbidden.
func (s *Service) CustomerRecord(ctx context.Context, by Actor, id int64) (CustomerRecord, error) {
	if !by.Is(RoleSales, RoleManager, RoleClerk, RoleAdmin) {
		return CustomerRecord{}, ErrForbidden
	}
	var out CustomerRecord
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) (err error) {
		out, err = customerRecord(ctx, tx, by, id)
		return err
	})
	if err != nil {
		return CustomerRecord{}, fmt.Errorf("customer record: %w", err)
	}
	return out, nil
}

func customerRecord(ctx context.Context, tx pgx.Tx, by Actor, id int64) (CustomerRecord, error) {
	c, err := loadCustomer(ctx, tx, by, id, false)
	if err != nil {
		return CustomerRecord{}, err
	}
	out := CustomerRecord{ID: c.ID, Kind: c.Kind, Name: c.Name, Region: c.Region, CreatedAt: c.CreatedAt,
		MergedInto: c.MergedInto, MergedAt: c.MergedAt}
	reader := []any{by.TenantID, by.UserID, managedTeams(by), by.Is(RoleAdmin, RoleClerk), id}
	rows, err := tx.Query(ctx, `
		SELECT r.id, r.status, u.display_name, r.details->>'name', r.registered_at,
			(SELECT count(*) FROM visits v WHERE v.tenant_id = r.tenant_id AND v.registration_id = r.id)
		FROM registrations r JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.owner_id
		WHERE r.tenant_id = $1 AND r.customer_id = $5 AND ($4 OR r.owner_id = $2 OR r.team_id = ANY($3))
		ORDER BY r.id DESC`, reader...)
	if err != nil {
		return out, fmt.Errorf("customer claims: %w", err)
	}
	if out.Registrations, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (CustomerClaim, error) {
		var x CustomerClaim
		err := r.Scan(&x.ID, &x.Status, &x.OwnerName, &x.Name, &x.RegisteredAt, &x.Visits)
		return x, err
	}); err != nil {
		return out, fmt.Errorf("customer claims: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT d.id, d.contract_no, d.signed_at, d.amount::float8 FROM deals d
		WHERE d.tenant_id = $1 AND d.customer_id = $5 AND (`+dealReader+`) ORDER BY d.signed_at DESC, d.id DESC`, reader...)
	if err != nil {
		return out, fmt.Errorf("customer deals: %w", err)
	}
	if out.Deals, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (CustomerDeal, error) {
		var x CustomerDeal
		err := r.Scan(&x.ID, &x.ContractNo, &x.SignedAt, &x.Amount)
		return x, err
	}); err != nil {
		return out, fmt.Errorf("customer deals: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT id, name, merged_at FROM customers WHERE tenant_id = $1 AND merged_into = $2
		ORDER BY merged_at DESC, id DESC`, by.TenantID, id)
	if err != nil {
		return out, fmt.Errorf("merged customers: %w", err)
	}
	if out.MergedIn, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (MergedCustomer, error) {
		var x MergedCustomer
		err := r.Scan(&x.ID, &x.Name, &x.MergedAt)
		return x, err
	}); err != nil {
		return out, fmt.Errorf("merged customers: %w", err)
	}
	if by.Is(RoleManager, RoleAdmin) {
		out.CanChange, err = mayChangeCustomers(ctx, tx, by, id)
	}
	return out, err
}
