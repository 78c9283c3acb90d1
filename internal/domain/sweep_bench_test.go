package domain_test

import (
	"context"
	"testing"
	"time"
)

// BenchmarkSweep times one sweep of a company holding a million active
// registrations (seedCustomers, protected for 29 more days):
//
//   - due=100000: a tenth are past their protection, and the sweep expires
//     those 100,000 — pool, keys, audit, notifications — and checks the
//     rest; before each round the tenth is made active and due again and
//     the database is vacuumed and checkpointed, outside the timing;
//   - due=0: nothing is due, the sweep of an ordinary minute.
//
// Run with
//
//	go test -run '^$' -bench BenchmarkSweep -benchtime 3x -timeout 60m ./internal/domain/
//
// the figures are in docs/benchmarks.md.
func BenchmarkSweep(b *testing.B) {
	f := mustDemo(b)
	seedCustomers(b, f, benchCustomers)
	tenant := f.a(b, "sales1").TenantID
	ctx := context.Background()
	now := f.svc.Now()
	sweep := func(b *testing.B, want int) {
		res, err := f.svc.Sweep(ctx, now)
		if err != nil {
			b.Fatal(err)
		}
		if res.Counts["expired"] != want {
			b.Fatalf("expired %d, want %d", res.Counts["expired"], want)
		}
	}
	b.Run("due=100000", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			f.asOwner(b, `UPDATE registrations SET status = 'active', protected_until = $2, status_changed_at = $3
				WHERE tenant_id = $1 AND id % $4 = 0`, tenant, now.Add(-time.Hour), now.Add(-30*day), benchDueEvery)
			f.asOwner(b, `INSERT INTO live_keys (tenant_id, kind, key, registration_id)
				SELECT k.tenant_id, k.kind, k.key, r.id FROM customer_keys k
				JOIN registrations r ON r.tenant_id = k.tenant_id AND r.customer_id = k.customer_id
				WHERE k.tenant_id = $1 AND r.id % $2 = 0 ON CONFLICT DO NOTHING`, tenant, benchDueEvery)
			f.asOwner(b, `VACUUM ANALYZE registrations, live_keys, customers, notifications, audit_log`)
			f.asOwner(b, `CHECKPOINT`)
			b.StartTimer()
			sweep(b, benchCustomers/benchDueEvery)
		}
	})
	b.Run("due=0", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sweep(b, 0)
		}
	})
}

// benchDueEvery: every this-many-th registration is due in BenchmarkSweep.
const benchDueEvery = 10
