package domain_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// BenchmarkSealAudit chains b.N audit entries, written beforehand in one
// statement: the sealer's throughput (ns/op is per entry).
func BenchmarkSealAudit(b *testing.B) {
	f := mustDemo(b)
	ctx := context.Background()
	if _, err := f.svc.SealAudit(ctx); err != nil {
		b.Fatal(err)
	}
	f.asOwner(b, `INSERT INTO audit_log (tenant_id, action, entity, entity_id, after, request_id)
		SELECT $1, 'bench.write', 'registration', g, jsonb_build_object('status', 'active', 'n', g), 'bench'
		FROM generate_series(1, $2) g`, f.a(b, "admin").TenantID, b.N)
	b.ResetTimer()
	n, err := f.svc.SealAudit(ctx)
	b.StopTimer()
	if err != nil || n != b.N {
		b.Fatalf("sealed %d of %d: %v", n, b.N, err)
	}
	checks, err := f.svc.VerifyAudit(ctx, "demo")
	if err != nil || checks[0].Break != nil {
		b.Fatalf("verify: %+v, %v", checks, err)
	}
}

// BenchmarkAuditedWrites runs transactions that each append one audit
// entry, from parallel writers, with the sealer idle and with it chaining
// continuously: writers take no lock the sealer holds, so the two should
// cost the same.
func BenchmarkAuditedWrites(b *testing.B) {
	for _, sealing := range []bool{false, true} {
		name := "sealer_idle"
		if sealing {
			name = "sealer_running"
		}
		b.Run(name, func(b *testing.B) {
			f := mustDemo(b)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tenant := f.a(b, "admin").TenantID
			d := appPool(b, f)
			var wg sync.WaitGroup
			if sealing {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for ctx.Err() == nil {
						if _, err := f.svc.SealAudit(ctx); err != nil && ctx.Err() == nil {
							b.Error(err)
							return
						}
						time.Sleep(time.Millisecond)
					}
				}()
			}
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					err := d.InTenant(ctx, tenant, func(tx pgx.Tx) error {
						_, err := tx.Exec(ctx, `INSERT INTO audit_log (tenant_id, action, entity, after) VALUES ($1, 'bench.write', 'test', '{"n": 1}')`, tenant)
						return err
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			cancel()
			wg.Wait()
		})
	}
}
