package domain

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// normalized returns the customer with its identifiers in canonical form:
// trimmed texts, the credit code upper-case, phones as digits (and *).
func (c Customer) normalized() Customer {
	c.Name = strings.TrimSpace(c.Name)
	c.USCC = NormalizeUSCC(c.USCC)
	c.Industry, c.Size = strings.TrimSpace(c.Industry), strings.TrimSpace(c.Size)
	c.Region, c.Address, c.Project = strings.TrimSpace(c.Region), strings.TrimSpace(c.Address), strings.TrimSpace(c.Project)
	contacts := make([]Contact, 0, len(c.Contacts))
	for _, ct := range c.Contacts {
		ct.Name, ct.Title = strings.TrimSpace(ct.Name), strings.TrimSpace(ct.Title)
		ct.Phone = NormalizePhone(ct.Phone)
		if ct.Relation == "" {
			ct.Relation = "self"
		}
		if ct.Name != "" || ct.Phone != "" {
			contacts = append(contacts, ct)
		}
	}
	c.Contacts = contacts
	return c
}

// masked returns the customer with every phone's last four digits hidden.
func (c Customer) masked() Customer {
	out := c
	out.Contacts = make([]Contact, len(c.Contacts))
	for i, ct := range c.Contacts {
		ct.Phone = MaskPhone(ct.Phone)
		out.Contacts[i] = ct
	}
	return out
}

// uncommonKeys drops the keys shared by more than limit customers: a
// switchboard number or a generic name stops being evidence.
func uncommonKeys(ctx context.Context, tx pgx.Tx, tenantID int64, keys []Key, limit int) ([]Key, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	kinds, values := splitKeys(keys)
	rows, err := tx.Query(ctx, `
		SELECT k.kind, k.key FROM unnest($2::text[], $3::text[]) AS k(kind, key)
		WHERE (SELECT count(*) FROM (SELECT 1 FROM customer_keys c
			WHERE c.tenant_id = $1 AND c.kind = k.kind AND c.key = k.key LIMIT $4 + 1) x) <= $4`,
		tenantID, kinds, values, limit)
	if err != nil {
		return nil, fmt.Errorf("common keys: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Key, error) {
		var k Key
		err := r.Scan(&k.Kind, &k.Value)
		return k, err
	})
}

// candidate is a live registration whose customer shares a strong key
// with the one being registered.
type candidate struct {
	ID             int64
	OwnerID        int64
	OwnerName      string
	TeamID         int64
	TeamName       string
	CustomerID     int64
	CustomerName   string
	Status         Status
	RegisteredAt   time.Time
	ProtectedUntil *time.Time
	Completeness   int
	HistoryClaim   string
	ClaimRef       string
	MatchedOn      []string
	holdsKeys      bool // it holds the customer (active, pending review, or holder in a dispute)
}

// liveCandidates finds the live registrations of customers sharing any of
// keys (and the converted ones, which keep their customer: see
// holdingStatuses), earliest first, and locks them so that a concurrent decision about
// the same claims waits and then sees their new state.
func liveCandidates(ctx context.Context, tx pgx.Tx, tenantID int64, keys []Key) ([]candidate, error) {
	return queryCandidates(ctx, tx, tenantID, keys, "FOR UPDATE OF r")
}

func queryCandidates(ctx context.Context, tx pgx.Tx, tenantID int64, keys []Key, lock string) ([]candidate, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	kinds, values := splitKeys(keys)
	rows, err := tx.Query(ctx, `
		WITH hits AS (
			SELECT ck.customer_id, array_agg(DISTINCT ck.kind ORDER BY ck.kind) AS matched
			FROM customer_keys ck JOIN unnest($2::text[], $3::text[]) AS k(kind, key) ON ck.kind = k.kind AND ck.key = k.key
			WHERE ck.tenant_id = $1
			GROUP BY ck.customer_id
		)
		SELECT r.id, r.owner_id, u.display_name, COALESCE(r.team_id, 0), COALESCE(t.name, ''), r.customer_id, c.name, r.status,
			r.registered_at, r.protected_until, r.completeness, r.history_claim, r.claim_ref, h.matched,
			EXISTS (SELECT 1 FROM live_keys lk WHERE lk.tenant_id = r.tenant_id AND lk.registration_id = r.id)
		FROM hits h
		JOIN registrations r ON r.tenant_id = $1 AND r.customer_id = h.customer_id AND r.status IN `+holdingStatuses+`
		JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.owner_id
		JOIN customers c ON c.tenant_id = r.tenant_id AND c.id = r.customer_id
		LEFT JOIN teams t ON t.tenant_id = r.tenant_id AND t.id = r.team_id
		ORDER BY r.registered_at, r.id `+lock, tenantID, kinds, values)
	if err != nil {
		return nil, fmt.Errorf("live candidates: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (candidate, error) {
		var c candidate
		err := r.Scan(&c.ID, &c.OwnerID, &c.OwnerName, &c.TeamID, &c.TeamName, &c.CustomerID, &c.CustomerName, &c.Status,
			&c.RegisteredAt, &c.ProtectedUntil, &c.Completeness, &c.HistoryClaim, &c.ClaimRef, &c.MatchedOn, &c.holdsKeys)
		return c, err
	})
}

// attachCustomer returns the customer a new unopposed claim is for: a
// customer already known by one of its strong keys (from the public pool,
// say), updated with the new details and all its keys, or a new customer.
func attachCustomer(ctx context.Context, tx pgx.Tx, tenantID int64, c Customer, strong, keys []Key, t time.Time) (int64, error) {
	id, err := findCustomer(ctx, tx, tenantID, strong)
	if err != nil || id != 0 {
		if err == nil {
			err = updateCustomer(ctx, tx, tenantID, id, c, keys, t)
		}
		return id, err
	}
	return insertCustomer(ctx, tx, tenantID, c, keys, t)
}

// findCustomer returns the customer known by the first of the strong keys
// that any customer has (the newest such customer), or 0. The customer is
// locked, so that for one merged into another meanwhile
// (customer_merge.go) the survivor is returned.
func findCustomer(ctx context.Context, tx pgx.Tx, tenantID int64, strong []Key) (int64, error) {
	if len(strong) == 0 {
		return 0, nil
	}
	var id int64
	kinds, values := splitKeys(strong)
	err := tx.QueryRow(ctx, `
		SELECT COALESCE(c.merged_into, c.id) FROM customer_keys ck
		JOIN unnest($2::text[], $3::text[], $4::int[]) AS k(kind, key, rank) ON ck.kind = k.kind AND ck.key = k.key
		JOIN customers c ON c.tenant_id = ck.tenant_id AND c.id = ck.customer_id
		WHERE ck.tenant_id = $1
		ORDER BY k.rank, ck.customer_id DESC LIMIT 1 FOR UPDATE OF c`, tenantID, kinds, values, ranks(len(strong))).Scan(&id)
	if err == pgx.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find customer: %w", err)
	}
	return id, nil
}

// insertCustomer adds a new customer with its keys.
func insertCustomer(ctx context.Context, tx pgx.Tx, tenantID int64, c Customer, keys []Key, t time.Time) (int64, error) {
	details, err := json.Marshal(c)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		INSERT INTO customers (tenant_id, kind, name, name_key, region, details, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		tenantID, c.Kind, c.Name, NameKey(c.Name), c.Region, details, t).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert customer: %w", err)
	}
	return id, insertCustomerKeys(ctx, tx, tenantID, id, keys)
}

func ranks(n int) []int32 {
	r := make([]int32, n)
	for i := range r {
		r[i] = int32(i)
	}
	return r
}

// updateCustomer replaces a customer's details and keys with those of the
// claim that now holds it.
func updateCustomer(ctx context.Context, tx pgx.Tx, tenantID, id int64, c Customer, keys []Key, t time.Time) error {
	details, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE customers SET kind = $3, name = $4, name_key = $5, region = $6, details = $7, updated_at = $8
		WHERE tenant_id = $1 AND id = $2`, tenantID, id, c.Kind, c.Name, NameKey(c.Name), c.Region, details, t); err != nil {
		return fmt.Errorf("update customer: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM customer_keys WHERE tenant_id = $1 AND customer_id = $2`, tenantID, id); err != nil {
		return err
	}
	return insertCustomerKeys(ctx, tx, tenantID, id, keys)
}

func insertCustomerKeys(ctx context.Context, tx pgx.Tx, tenantID, id int64, keys []Key) error {
	if len(keys) == 0 {
		return nil
	}
	kinds, values := splitKeys(keys)
	_, err := tx.Exec(ctx, `INSERT INTO customer_keys (tenant_id, kind, key, customer_id)
		SELECT $1, k.kind, k.key, $2 FROM unnest($3::text[], $4::text[]) AS k(kind, key) ON CONFLICT DO NOTHING`,
		tenantID, id, kinds, values)
	if err != nil {
		return fmt.Errorf("customer keys: %w", err)
	}
	return nil
}

// checkBurst refuses an action when the user did it limit times in the
// last hour (恶意抢报), and logs this one.
func checkBurst(ctx context.Context, tx pgx.Tx, by Actor, kind string, limit int, now time.Time) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM rate_events
		WHERE tenant_id = $1 AND user_id = $2 AND kind = $3 AND at > $4`,
		by.TenantID, by.UserID, kind, now.Add(-time.Hour)).Scan(&n); err != nil {
		return fmt.Errorf("burst check: %w", err)
	}
	if n >= limit {
		return &Error{Code: CodeRateLimited, Message: errBurst.Message}
	}
	_, err := tx.Exec(ctx, `INSERT INTO rate_events (tenant_id, user_id, kind, at) VALUES ($1, $2, $3, $4)`, by.TenantID, by.UserID, kind, now)
	return err
}

var errBurst = &Error{Code: CodeRateLimited, Message: i18n.Text{Zh: "操作过于频繁, 请稍后再试", En: "Too many requests in a short time; try again later"}}
