//go:build linux

package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"baobei/internal/db"
	"baobei/internal/db/dbtest"
	"baobei/internal/domain"
)

// TestServeDeliversAfterCrash: a conflict commits while the server is
// dead (killed with SIGKILL); the server started again sends its
// notification to the webhook from the outbox, exactly once.
func TestServeDeliversAfterCrash(t *testing.T) {
	// Two server starts, each creating or checking the demo company:
	// more time than one start needs on a busy machine.
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	step := stepLogger(t)
	var mu sync.Mutex
	calls := 0
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
	}))
	defer hook.Close()
	received := func() int {
		mu.Lock()
		defer mu.Unlock()
		return calls
	}

	dbURL := dbtest.MustURL(t)
	srv := startServer(ctx, t, dbURL, freeAddr(t))
	step("server up with the demo company")
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	svc := domain.NewService(d)
	actors := demoActors(ctx, t, svc)
	if _, err := svc.SaveChannel(ctx, actors["admin"], 0, domain.ChannelInput{Kind: domain.ChannelWebhook, Name: "ERP",
		Enabled: true, Events: []string{"conflict"}, URL: hook.URL}); err != nil {
		t.Fatal(err)
	}
	srv.kill(t)
	step("server killed")

	first := time.Now().Add(-time.Hour)
	in := domain.RegistrationInput{Customer: domain.Customer{Kind: domain.KindCompany, Name: "重启后送达科技有限公司", Industry: "软件",
		Address: "北京", Contacts: []domain.Contact{{Name: "王经理", Phone: "13700000001", Relation: "self"}}},
		Grade: "A", Needs: "采购 CRM", FirstContactAt: &first}
	if _, err := svc.Register(ctx, actors["sales1"], in); err != nil {
		t.Fatal(err)
	}
	if r, err := svc.Register(ctx, actors["sales2"], in); err != nil || r.Status != domain.StatusRejected {
		t.Fatalf("no conflict: %+v %v", r, err)
	}
	if n := received(); n != 0 {
		t.Fatalf("%d calls with no server running", n)
	}
	step("conflict committed while the server is down")

	startServer(ctx, t, dbURL, freeAddr(t))
	var delivered domain.Delivery
	waitFor(ctx, t, "the outbox to record the delivery", func() bool {
		ds, _, err := svc.Outbox(ctx, actors["admin"], 10, 0)
		if err != nil || len(ds) != 1 {
			t.Fatalf("outbox %+v %v", ds, err)
		}
		delivered = ds[0]
		return delivered.Status == domain.DeliveryDelivered
	})
	if n := received(); n != 1 || delivered.Attempts != 1 {
		t.Errorf("%d calls, %d attempts, want exactly one", n, delivered.Attempts)
	}
}

// demoActors returns the demo company's users as actors, by username.
func demoActors(ctx context.Context, t *testing.T, svc *domain.Service) map[string]domain.Actor {
	t.Helper()
	tenants, err := svc.TenantIDs(ctx)
	if err != nil || len(tenants) != 1 {
		t.Fatalf("tenants %v %v", tenants, err)
	}
	users, err := svc.Users(ctx, domain.Actor{TenantID: tenants[0], Role: domain.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]domain.Actor{}
	for _, u := range users {
		if out[u.Username], err = svc.Actor(ctx, tenants[0], u.ID); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
