package domain_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"baobei/internal/db"
	"baobei/internal/db/dbtest"
	"baobei/internal/domain"
)

// fixture is the demo company on a fresh database with a settable clock.
type fixture struct {
	svc    *domain.Service
	url    string                  // the database as its owner, for arranging what no role may do
	actors map[string]domain.Actor // by demo username
	mu     sync.Mutex
	now    time.Time
}

// mustDemo returns the demo company on a fresh database; the clock starts
// at 2026-11-02 10:31 Beijing time and moves only with advance.
func mustDemo(t testing.TB) *fixture {
	t.Helper()
	url := dbtest.MustURL(t)
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	f := &fixture{svc: domain.NewService(d), url: url, now: time.Date(2026, 11, 2, 10, 31, 0, 0, shanghai)}
	f.svc.PasswordCost = bcrypt.MinCost // hundreds of hashes; sign-in's real cost is the server tests' business
	f.svc.Now = func() time.Time {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.now
	}
	ctx := context.Background()
	if err := f.svc.EnsureDemo(ctx); err != nil {
		t.Fatalf("demo: %v", err)
	}
	tenants, err := f.svc.TenantIDs(ctx)
	if err != nil || len(tenants) != 1 {
		t.Fatalf("tenants: %v %v", tenants, err)
	}
	users, err := f.svc.Users(ctx, domain.Actor{TenantID: tenants[0], Role: domain.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	f.actors = map[string]domain.Actor{}
	for _, u := range users {
		a, err := f.svc.Actor(ctx, tenants[0], u.ID)
		if err != nil {
			t.Fatal(err)
		}
		f.actors[u.Username] = a
	}
	return f
}

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// asOwner runs sql with args as the database owner, outside row-level
// security: for arranging states the application cannot reach directly.
func (f *fixture) asOwner(t testing.TB, sql string, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), f.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("as owner: %v", err)
	}
}

// advance moves the clock forward.
func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// a returns the actor of a demo user.
func (f *fixture) a(t testing.TB, username string) domain.Actor {
	t.Helper()
	a, ok := f.actors[username]
	if !ok {
		t.Fatalf("no demo user %q", username)
	}
	return a
}

// setPolicy patches the demo company's policy as its admin.
func (f *fixture) setPolicy(t testing.TB, patch string) {
	t.Helper()
	var p map[string]json.RawMessage
	if err := json.Unmarshal([]byte(patch), &p); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdatePolicy(context.Background(), f.a(t, "admin"), p); err != nil {
		t.Fatalf("policy %s: %v", patch, err)
	}
}

// company is a registration input complete enough for the default policy.
func company(name, phone string) domain.RegistrationInput {
	first := time.Date(2026, 11, 2, 9, 0, 0, 0, shanghai)
	return domain.RegistrationInput{
		Customer: domain.Customer{Kind: domain.KindCompany, Name: name, Industry: "通信", Address: "北京市海淀区",
			Contacts: []domain.Contact{{Name: "张经理", Title: "采购经理", Phone: phone, Relation: "self"}}},
		Grade: "A", Needs: "采购 200 台服务器", FirstContactAt: &first,
	}
}
