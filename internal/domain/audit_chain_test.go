package domain_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/db"
	"baobei/internal/domain"
)

// mustVerify verifies the demo company's chain.
func mustVerify(t *testing.T, f *fixture) domain.AuditCheck {
	t.Helper()
	checks, err := f.svc.VerifyAudit(context.Background(), domain.DemoSlug)
	if err != nil || len(checks) != 1 {
		t.Fatalf("verify: %v, %v", checks, err)
	}
	return checks[0]
}

// newestAudit returns the id of the newest audit entry with the action.
func newestAudit(t *testing.T, f *fixture, action string) int64 {
	t.Helper()
	recs, _, err := f.svc.AuditLog(context.Background(), f.a(t, "admin"), domain.AuditFilter{Action: action, Limit: 1})
	if err != nil || len(recs) != 1 {
		t.Fatalf("audit %s: %v, %v", action, recs, err)
	}
	return recs[0].ID
}

// A row altered, deleted or slipped in by a superuser, or a forged seal,
// makes verification fail and name the entry.
func TestAuditVerifyNamesTampering(t *testing.T) {
	tests := []struct {
		name   string
		sealed bool // tamper after sealing
		tamper func(t *testing.T, f *fixture, id int64) int64
		want   string
	}{
		{"altered entry", true, func(t *testing.T, f *fixture, id int64) int64 {
			f.asOwner(t, `UPDATE audit_log SET after = jsonb_set(after, '{customer}', '"伪造公司"') WHERE id = $1`, id)
			return id
		}, "altered"},
		{"altered time", true, func(t *testing.T, f *fixture, id int64) int64 {
			f.asOwner(t, `UPDATE audit_log SET at = at - interval '1 day' WHERE id = $1`, id)
			return id
		}, "altered"},
		{"deleted entry", true, func(t *testing.T, f *fixture, id int64) int64 {
			f.asOwner(t, `DELETE FROM audit_log WHERE id = $1`, id)
			return id
		}, "deleted"},
		{"forged seal", true, func(t *testing.T, f *fixture, id int64) int64 {
			f.asOwner(t, `UPDATE audit_seals SET hash = sha256(hash) WHERE audit_id = $1`, id)
			return id
		}, "altered"},
		{"entry slipped past the queue", true, func(t *testing.T, f *fixture, id int64) int64 {
			f.asOwner(t, `SET session_replication_role = replica;
				INSERT INTO audit_log (tenant_id, action, entity) SELECT tenant_id, 'forged', 'user' FROM audit_log WHERE id = `+strconv.FormatInt(id, 10))
			return newestAudit(t, f, "forged")
		}, "outside the chain"},
		{"deleted before sealing", false, func(t *testing.T, f *fixture, id int64) int64 {
			f.asOwner(t, `DELETE FROM audit_log WHERE id = $1`, id)
			return id
		}, "deleted before"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := mustDemo(t)
			mustRegister(t, f, "sales1", company("青岛海滨食品有限公司", "13900000001"))
			mustRegister(t, f, "sales2", company("烟台果业有限公司", "13900000002"))
			if tt.sealed {
				if c := mustVerify(t, f); c.Break != nil || c.Entries == 0 {
					t.Fatalf("before tampering: %+v", c)
				}
			}
			target := newestAudit(t, f, "registration.create")
			mustRegister(t, f, "sales3", company("威海渔业有限公司", "13900000003")) // entries after the target
			named := tt.tamper(t, f, target)
			c := mustVerify(t, f)
			if c.Break == nil || c.Break.AuditID != named || !strings.Contains(c.Break.Problem.En, tt.want) {
				t.Fatalf("verification = %+v, want entry %d %s", c.Break, named, tt.want)
			}
		})
	}
}

// appPool is the application's pool on the fixture's database.
func appPool(t testing.TB, f *fixture) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), f.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// beginTenant opens a transaction of the application in the demo tenant.
func beginTenant(t *testing.T, ctx context.Context, d *db.DB, tenant int64) pgx.Tx {
	t.Helper()
	tx, err := d.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT set_config('app.tenant_id', $1, true)", strconv.FormatInt(tenant, 10)); err != nil {
		t.Fatal(err)
	}
	return tx
}

func insertAudit(t *testing.T, ctx context.Context, tx pgx.Tx, tenant int64, action string) int64 {
	t.Helper()
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO audit_log (tenant_id, action, entity) VALUES ($1, $2, 'test') RETURNING id`,
		tenant, action).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// Writers do not wait for each other: a transaction holding a lower id
// stays open while one with a higher id commits. The sealer chains what
// has committed and the late entry in its next round; the chain verifies.
func TestAuditChainOutOfOrderCommits(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a writer waiting on another fails the test
	defer cancel()
	tenant := f.a(t, "admin").TenantID
	d := appPool(t, f)
	early := beginTenant(t, ctx, d, tenant)
	defer early.Rollback(ctx)
	lowID := insertAudit(t, ctx, early, tenant, "test.early")
	late := beginTenant(t, ctx, d, tenant)
	highID := insertAudit(t, ctx, late, tenant, "test.late")
	if err := late.Commit(ctx); err != nil {
		t.Fatalf("the second writer waited for the first: %v", err)
	}
	if _, err := f.svc.SealAudit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := early.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if c := mustVerify(t, f); c.Break != nil {
		t.Fatalf("verification: %+v", c.Break)
	}
	recs, _, err := f.svc.AuditLog(ctx, f.a(t, "admin"), domain.AuditFilter{Action: "test.", Limit: 10})
	if err != nil || len(recs) != 2 {
		t.Fatalf("%v, %v", recs, err)
	}
	seq := map[int64]int64{recs[0].ID: recs[0].Seq, recs[1].ID: recs[1].Seq}
	if !(lowID < highID && seq[lowID] > seq[highID] && seq[highID] > 0) {
		t.Errorf("ids %d < %d sealed as %d, %d: want the later commit sealed later", lowID, highID, seq[lowID], seq[highID])
	}
}

// Writers never wait on the chain: while a sealer holds the chain lock in
// an open transaction, concurrent registrations (each audited) all go
// through; the sealer then chains them all.
func TestAuditWritersDoNotWaitForSealer(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tenant := f.a(t, "admin").TenantID
	sealer := beginTenant(t, ctx, appPool(t, f), tenant)
	defer sealer.Rollback(ctx)
	if _, err := sealer.Exec(ctx, `SELECT pg_advisory_xact_lock($1::int, $2::int)`, 0x7365, tenant); err != nil {
		t.Fatal(err)
	}
	users := []string{"sales1", "sales2", "sales3", "sales4", "manager1", "manager2"}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, len(users))
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := f.svc.Register(ctx, f.a(t, u), company("并发写入公司"+strconv.Itoa(i), "1370000000"+strconv.Itoa(i)))
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a writer failed while the sealer held the chain: %v", err)
		}
	}
	if err := sealer.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	c := mustVerify(t, f)
	recs, _, err := f.svc.AuditLog(ctx, f.a(t, "admin"), domain.AuditFilter{Action: "registration.create", Limit: 100})
	if err != nil || len(recs) != len(users) || c.Break != nil {
		t.Fatalf("%d registrations audited, verification %+v, %v", len(recs), c.Break, err)
	}
	for _, r := range recs {
		if r.Seq == 0 {
			t.Errorf("entry %d is not sealed", r.ID)
		}
	}
}
