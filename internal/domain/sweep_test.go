package domain_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/domain"
)

const day = 24 * time.Hour

// ownerInt runs a query for one integer as the database owner, outside
// row-level security: for counting what the application wrote.
func (f *fixture) ownerInt(t testing.TB, sql string, args ...any) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), f.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("as owner: %s: %v", sql, err)
	}
	return n
}

// sweep runs the sweeper as of the fixture's clock.
func (f *fixture) sweep(t testing.TB) domain.SweepResult {
	t.Helper()
	res, err := f.svc.Sweep(context.Background(), f.svc.Now())
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	return res
}

// reg reads a registration as the admin, who may read all.
func (f *fixture) reg(t testing.TB, id int64) domain.Registration {
	t.Helper()
	r, err := f.svc.Registration(context.Background(), f.a(t, "admin"), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// notes counts a user's notifications of a kind.
func (f *fixture) notes(t testing.TB, user, kind string) int {
	t.Helper()
	ns, err := f.svc.Notifications(context.Background(), f.a(t, user), 500)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range ns {
		if x.Kind == kind {
			n++
		}
	}
	return n
}

func mustFollowUp(t *testing.T, f *fixture, user string, id int64, grade string) {
	t.Helper()
	if _, err := f.svc.LogFollowUp(context.Background(), f.a(t, user), id, domain.FollowUpInput{Channel: "call", Note: "电话沟通", Grade: grade}); err != nil {
		t.Fatalf("follow-up: %v", err)
	}
}

// The done-means: with the default policy a registration made
// today is active; a sweep 31 days later expires it, the customer shows in
// the public pool, and another salesperson registers it.
func TestSweepExpiresToPool(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	r := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
	if r.Status != domain.StatusActive {
		t.Fatalf("status %s, want active", r.Status)
	}
	if res := f.sweep(t); res.Counts["expired"] != 0 || res.Tenants != 1 {
		t.Fatalf("sweep on day 0 = %+v, want nothing expired in 1 tenant", res)
	}
	f.advance(31 * day)
	res := f.sweep(t)
	if res.Counts["expired"] != 1 {
		t.Fatalf("sweep on day 31 = %+v, want 1 expired", res)
	}
	if got := f.reg(t, r.ID); got.Status != domain.StatusExpired {
		t.Fatalf("status after sweep = %s, want expired", got.Status)
	}
	if again := f.sweep(t); again.Counts["expired"] != 0 {
		t.Errorf("second sweep = %+v, want nothing (idempotent)", again)
	}
	if n := f.ownerInt(t, `SELECT count(*) FROM live_keys WHERE registration_id = $1`, r.ID); n != 0 {
		t.Errorf("expired claim keeps %d live keys", n)
	}
	if n := f.ownerInt(t, `SELECT count(*) FROM audit_log WHERE action = 'registration.expire' AND entity_id = $1`, r.ID); n != 1 {
		t.Errorf("%d expiry audit entries, want 1", n)
	}
	if n := f.notes(t, "sales1", "claim_ended"); n != 1 {
		t.Errorf("owner got %d expiry notifications, want 1", n)
	}

	pool, _, err := f.svc.Pool(ctx, f.a(t, "sales3"), domain.PoolFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pool) != 1 || pool[0].Name != "北京华为技术有限公司" || pool[0].Reason != "expired" || pool[0].CustomerID != r.CustomerID {
		t.Fatalf("pool = %+v, want the expired customer", pool)
	}
	if !pool[0].ReturnedAt.Equal(f.svc.Now()) || pool[0].ReclaimableAt != nil {
		t.Errorf("pool entry %+v: want returned now, no cooldown for another salesperson", pool[0])
	}

	again := mustRegister(t, f, "sales3", company("华为技术(北京)有限公司", "13812345678"))
	if again.Status != domain.StatusActive || again.CustomerID != r.CustomerID {
		t.Fatalf("re-registration: status %s customer %d, want active on customer %d", again.Status, again.CustomerID, r.CustomerID)
	}
	if pool, _, _ := f.svc.Pool(ctx, f.a(t, "sales3"), domain.PoolFilter{}); len(pool) != 0 {
		t.Errorf("pool after re-registration = %+v, want empty", pool)
	}
}

// The done-means: a follow-up on day 20 and a renewal on day 25
// move the expiry to day 60.
func TestRenewDoneMeans(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	r := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
	start := *r.ActivatedAt
	f.advance(20 * day)
	mustFollowUp(t, f, "sales1", r.ID, "")
	f.advance(5 * day)
	res, err := f.svc.Renew(context.Background(), f.a(t, "sales1"), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := start.Add(60 * day)
	if res.Pending || res.Registration.ProtectedUntil == nil || !res.Registration.ProtectedUntil.Equal(want) || res.Registration.Renewals != 1 {
		t.Fatalf("renewal = %+v, protected until %v; want granted until %v", res, res.Registration.ProtectedUntil, want)
	}
	f.advance(31 * day) // day 56: still protected
	if res := f.sweep(t); res.Counts["expired"] != 0 {
		t.Fatalf("sweep on day 56 expired %d", res.Counts["expired"])
	}
	f.advance(5 * day) // day 61
	if res := f.sweep(t); res.Counts["expired"] != 1 {
		t.Fatalf("sweep on day 61 = %+v, want 1 expired", res)
	}
}

// Several sweepers start at once, as several app servers would: every due
// registration expires exactly once.
func TestConcurrentSweepers(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	const n = 12
	for i := range n {
		mustRegister(t, f, []string{"sales1", "sales2", "sales3", "sales4"}[i%4], company(fmt.Sprintf("并发%d科技有限公司", i), fmt.Sprintf("135%08d", i)))
	}
	f.advance(31 * day)
	now := f.svc.Now()
	const sweepers = 8
	start := make(chan struct{})
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		expired int
		ran     int
		errs    []error
	)
	for i := range sweepers {
		wg.Go(func() {
			<-start
			var (
				res domain.SweepResult
				ok  = true
				err error
			)
			if i%2 == 0 {
				res, err = f.svc.Sweep(context.Background(), now)
			} else {
				res, ok, err = f.svc.TrySweep(context.Background(), now)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				ran++
			}
			expired += res.Counts["expired"]
		})
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(errors.Join(errs...))
	}
	if expired != n {
		t.Errorf("sweepers expired %d registrations in all, want %d", expired, n)
	}
	if ran < sweepers/2 {
		t.Errorf("%d sweepers ran, want at least the %d that wait for the lock", ran, sweepers/2)
	}
	if got := f.ownerInt(t, `SELECT count(*) FROM audit_log WHERE action = 'registration.expire'`); got != n {
		t.Errorf("%d expiry audit entries, want %d", got, n)
	}
	if got := f.ownerInt(t, `SELECT count(*) FROM notifications WHERE kind = 'claim_ended'`); got != n {
		t.Errorf("%d expiry notifications, want %d", got, n)
	}
	if got := f.ownerInt(t, `SELECT count(DISTINCT entity_id) FROM audit_log WHERE action = 'registration.expire'`); got != n {
		t.Errorf("%d registrations expired, want %d", got, n)
	}
}

// TrySweep skips while another sweeper holds the lock.
func TestTrySweepSkipsWhenBusy(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	conn, err := pgx.Connect(context.Background(), f.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `SELECT pg_advisory_lock($1)`, domain.SweepLockKey); err != nil {
		t.Fatal(err)
	}
	if _, ran, err := f.svc.TrySweep(context.Background(), f.svc.Now()); err != nil || ran {
		t.Fatalf("TrySweep while locked: ran %v, err %v; want skipped", ran, err)
	}
	if _, err := conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, domain.SweepLockKey); err != nil {
		t.Fatal(err)
	}
	if _, ran, err := f.svc.TrySweep(context.Background(), f.svc.Now()); err != nil || !ran {
		t.Fatalf("TrySweep when free: ran %v, err %v; want run", ran, err)
	}
}

// The other sweeps: follow-up grace, the visit window, expiry notices.
func TestSweepSteps(t *testing.T) {
	tests := []struct {
		name   string
		policy string
		before func(t *testing.T, f *fixture, r domain.Registration)
		after  time.Duration
		step   string
		status domain.Status
		reason string // pool reason, "" when the customer stays out of the pool
		notice string // the owner's notification kind
	}{
		{"overdue past the grace expires early", `{"follow_up_grace_days":2}`, nil,
			6 * day, "overdue", domain.StatusExpired, "overdue", "claim_ended"},
		{"overdue within the grace stays", `{"follow_up_grace_days":2}`, nil,
			4 * day, "overdue", domain.StatusActive, "", ""},
		{"no grace set: overdue only flags", `{}`, nil,
			20 * day, "overdue", domain.StatusActive, "", ""},
		{"a follow-up resets the grace", `{"follow_up_grace_days":2}`,
			func(t *testing.T, f *fixture, r domain.Registration) {
				f.advance(2 * day)
				mustFollowUp(t, f, "sales1", r.ID, "")
			}, 4 * day, "overdue", domain.StatusActive, "", ""},
		{"no visit in the window lapses", `{"require_visit":true,"visit_window_days":7}`, nil,
			7*day + time.Minute, "lapsed", domain.StatusLapsed, "lapsed", "claim_ended"},
		{"visit window not over", `{"require_visit":true,"visit_window_days":7}`, nil,
			6 * day, "lapsed", domain.StatusPendingVisit, "", ""},
		{"expiry notice three days ahead", `{}`, nil,
			27*day + time.Hour, "expiry_notices", domain.StatusActive, "", "expiry_notice"},
		{"no notice earlier", `{}`, nil,
			26 * day, "expiry_notices", domain.StatusActive, "", ""},
		{"notices off", `{"expiry_notice_days":0}`, nil,
			29 * day, "expiry_notices", domain.StatusActive, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := mustDemo(t)
			f.setPolicy(t, tt.policy)
			r := mustRegister(t, f, "sales1", company("杭州阿里云计算有限公司", "13912345678")) // grade A: follow up every 3 days
			if tt.before != nil {
				tt.before(t, f, r)
			}
			f.advance(tt.after - f.svc.Now().Sub(r.RegisteredAt))
			res := f.sweep(t)
			want := 0
			if tt.notice != "" {
				want = 1
			}
			if res.Counts[tt.step] != want {
				t.Errorf("sweep counts %v, want %s = %d", res.Counts, tt.step, want)
			}
			if got := f.reg(t, r.ID); got.Status != tt.status {
				t.Errorf("status %s, want %s", got.Status, tt.status)
			}
			pool, _, err := f.svc.Pool(context.Background(), f.a(t, "sales3"), domain.PoolFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if (tt.reason == "") != (len(pool) == 0) || (len(pool) == 1 && pool[0].Reason != tt.reason) {
				t.Errorf("pool = %+v, want reason %q", pool, tt.reason)
			}
			if tt.notice != "" && f.notes(t, "sales1", tt.notice) != 1 {
				t.Errorf("owner has no %s notification", tt.notice)
			}
			// Idempotent: at the same time nothing more happens.
			if again := f.sweep(t); again.Counts[tt.step] != 0 {
				t.Errorf("second sweep counts %v", again.Counts)
			}
		})
	}
}

// An expiry notice goes once per protection period: a renewal earns a
// new one for the new end.
func TestExpiryNoticeOncePerPeriod(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	r := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
	f.advance(27*day + time.Hour)
	mustFollowUp(t, f, "sales1", r.ID, "")
	if res := f.sweep(t); res.Counts["expiry_notices"] != 1 {
		t.Fatalf("first notice sweep %v", res.Counts)
	}
	f.advance(time.Hour)
	if res := f.sweep(t); res.Counts["expiry_notices"] != 0 {
		t.Fatalf("notice repeated: %v", res.Counts)
	}
	if _, err := f.svc.Renew(context.Background(), f.a(t, "sales1"), r.ID); err != nil {
		t.Fatal(err)
	}
	f.advance(30 * day) // day 57, three days before the renewed end
	if res := f.sweep(t); res.Counts["expiry_notices"] != 1 {
		t.Fatalf("notice after renewal: %v, want 1", res.Counts)
	}
	if n := f.notes(t, "sales1", "expiry_notice"); n != 2 {
		t.Errorf("%d expiry notices, want 2", n)
	}
}
