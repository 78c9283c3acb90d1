// Package benchseed fills a company with synthetic customers for the
// benchmarks (docs/benchmarks.md). It writes set-based SQL as the database
// owner, outside row-level security: filing a million registrations one by
// one through the domain would take hours.
package benchseed

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/domain"
)

// Name is the name of seeded customer i (1 ≤ i ≤ n of Customers); a
// registration under that name collides with the seeded claim.
func Name(i int) string { return "基准" + strconv.Itoa(i) + "科技有限公司" }

// Customers gives owner's company n customers, Name(1) … Name(n), each
// with one contact whose phone is 139 and i in eight digits, and each held
// by an active registration of owner registered at at and protected for 30
// days, with its name and phone keys in customer_keys and live_keys.
// ownerURL must connect as the owner of the tables (or a superuser).
func Customers(ctx context.Context, ownerURL string, owner domain.Actor, n int, at time.Time) error {
	if got := domain.NameKey(Name(123)); got != "基准123科技" {
		return fmt.Errorf("benchseed: the seed's name keys assume NameKey(%s) = 基准123科技, got %q", Name(123), got)
	}
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("benchseed: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var team *int64
	if owner.TeamID != 0 {
		team = &owner.TeamID
	}
	for _, st := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO customers (tenant_id, kind, name, name_key, details)
			SELECT $1, 'company', '基准' || g || '科技有限公司', '基准' || g || '科技',
				jsonb_build_object('kind', 'company', 'name', '基准' || g || '科技有限公司',
					'contacts', jsonb_build_array(jsonb_build_object('name', '联系人', 'phone', '139' || lpad(g::text, 8, '0'), 'relation', 'self')))
			FROM generate_series(1, $2) g`, []any{owner.TenantID, n}},
		{`INSERT INTO customer_keys (tenant_id, kind, key, customer_id)
			SELECT tenant_id, 'name_exact', name_key, id FROM customers WHERE tenant_id = $1
			UNION ALL
			SELECT tenant_id, 'phone', details->'contacts'->0->>'phone', id FROM customers WHERE tenant_id = $1`, []any{owner.TenantID}},
		{`INSERT INTO registrations (tenant_id, customer_id, owner_id, team_id, status, details, grade, completeness,
				registered_at, activated_at, protected_until, claim_ref, status_changed_at)
			SELECT tenant_id, id, $2, $3, 'active', details, 'A', 80, $4::timestamptz, $4, $4::timestamptz + interval '30 days', 'seed_' || id, $4
			FROM customers WHERE tenant_id = $1`, []any{owner.TenantID, owner.UserID, team, at}},
		{`INSERT INTO live_keys (tenant_id, kind, key, registration_id)
			SELECT k.tenant_id, k.kind, k.key, r.id FROM customer_keys k
			JOIN registrations r ON r.tenant_id = k.tenant_id AND r.customer_id = k.customer_id
			WHERE k.tenant_id = $1`, []any{owner.TenantID}},
		{`ANALYZE`, nil},
	} {
		if _, err := conn.Exec(ctx, st.sql, st.args...); err != nil {
			return fmt.Errorf("benchseed: %w", err)
		}
	}
	return nil
}
