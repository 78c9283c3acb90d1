package domain_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"baobei/internal/domain"
)

// seedCustomers gives the demo company n customers, each held by an
// active registration of sales1 with its name and phone keys, written
// set-based as the owner (Register would take hours).
func seedCustomers(b testing.TB, f *fixture, n int) {
	b.Helper()
	owner := f.a(b, "sales1")
	if got := domain.NameKey("基准123科技有限公司"); got != "基准123科技" {
		b.Fatalf("the seed's name keys assume NameKey gives 基准123科技, got %q", got)
	}
	f.asOwner(b, `
		INSERT INTO customers (tenant_id, kind, name, name_key, details)
		SELECT $1, 'company', '基准' || g || '科技有限公司', '基准' || g || '科技',
			jsonb_build_object('kind', 'company', 'name', '基准' || g || '科技有限公司',
				'contacts', jsonb_build_array(jsonb_build_object('name', '联系人', 'phone', '139' || lpad(g::text, 8, '0'), 'relation', 'self')))
		FROM generate_series(1, $2) g`, owner.TenantID, n)
	f.asOwner(b, `
		INSERT INTO customer_keys (tenant_id, kind, key, customer_id)
		SELECT tenant_id, 'name_exact', name_key, id FROM customers WHERE tenant_id = $1
		UNION ALL
		SELECT tenant_id, 'phone', details->'contacts'->0->>'phone', id FROM customers WHERE tenant_id = $1`, owner.TenantID)
	f.asOwner(b, `
		INSERT INTO registrations (tenant_id, customer_id, owner_id, team_id, status, details, grade, completeness,
			registered_at, activated_at, protected_until, claim_ref, status_changed_at)
		SELECT tenant_id, id, $2, $3, 'active', details, 'A', 80, $4::timestamptz, $4, $4::timestamptz + interval '30 days', 'seed_' || id, $4
		FROM customers WHERE tenant_id = $1`, owner.TenantID, owner.UserID, owner.TeamID, f.svc.Now().Add(-24*time.Hour))
	f.asOwner(b, `
		INSERT INTO live_keys (tenant_id, kind, key, registration_id)
		SELECT k.tenant_id, k.kind, k.key, r.id FROM customer_keys k
		JOIN registrations r ON r.tenant_id = k.tenant_id AND r.customer_id = k.customer_id
		WHERE k.tenant_id = $1`, owner.TenantID)
	f.asOwner(b, `ANALYZE`)
}

// BenchmarkRegister files registrations with the full conflict check
// against a company holding a million customers: four in five are new
// customers, one in five collides with a held one and is decided by the
// rule engine. Run with `make bench`; the figure is in docs/benchmarks.md.
func BenchmarkRegister(b *testing.B) {
	f := mustDemo(b)
	f.setPolicy(b, `{"registration_burst_per_hour":100000}`)
	seedCustomers(b, f, benchCustomers)
	ctx := context.Background()
	sellers := []domain.Actor{f.a(b, "sales2"), f.a(b, "sales3"), f.a(b, "sales4")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in := company(fmt.Sprintf("新客户%d贸易有限公司", i), fmt.Sprintf("137%08d", i))
		if i%5 == 0 {
			in = company(fmt.Sprintf("基准%d科技有限公司", i+1), fmt.Sprintf("136%08d", i))
		}
		r, err := f.svc.Register(ctx, sellers[i%len(sellers)], in)
		if err != nil {
			b.Fatal(err)
		}
		if (i%5 == 0) != (r.Status == domain.StatusRejected) {
			b.Fatalf("registration %d: status %s", i, r.Status)
		}
	}
}

// benchCustomers is how many customers the company holds in the benchmark.
var benchCustomers = 1_000_000
