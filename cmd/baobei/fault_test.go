//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/db"
	"baobei/internal/db/dbtest"
	"baobei/internal/domain"
	"baobei/internal/pgtmp"
	"baobei/internal/server"
)

// TestMain lets the test binary play the server in the fault tests: with
// BAOBEI_TEST_SERVE=1 it is `baobei serve`, configured by its environment,
// until it is stopped or killed.
func TestMain(m *testing.M) {
	if os.Getenv("BAOBEI_TEST_SERVE") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, []string{"serve"}, os.Getenv, os.Stdout)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "baobei:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestKillDuringRegistrations kills the server with SIGKILL while clients
// file registrations of distinct customers, and starts it again on the same
// database. Each client retries a request that got no answer until it gets
// one: 201, or 409 naming the registration its lost answer had committed.
// Afterwards every customer has exactly one registration — the one its
// answer named — active and holding its two keys: nothing answered was
// lost, nothing was filed twice, no write was torn.
//
// It does not run in parallel with this package's other tests: the server
// it starts creates the demo company, nine bcrypt hashes that take seconds
// each under the race detector, and the other tests' demo companies would
// compete for the same two cores and push it past its time bound.
func TestKillDuringRegistrations(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 55*time.Second)
	defer cancel()
	step := stepLogger(t)
	dbURL := dbtest.MustURL(t)
	addr := freeAddr(t)
	srv := startServer(ctx, t, dbURL, addr)
	step("server up with the demo company")
	api := apiClient{base: "http://" + addr}
	tokens := demoTokens(ctx, t, dbURL, "sales1", "sales2", "sales3", "sales4", "manager1")

	// 8 clients × 20 customers; no user files more than 40, below the
	// default registration_burst_per_hour of 60.
	const clients, perClient = 8, 20
	type outcome struct {
		id      int64
		created bool // 201; false: 409, committed by a request whose answer was lost
	}
	var (
		wg         sync.WaitGroup
		mu         sync.Mutex
		outcomes   = map[string]outcome{} // by customer name
		created    atomic.Int64
		lost       atomic.Int64 // requests that got no answer
		firstID    int64
		firstToken string
	)
	firstContact := time.Now().Add(-time.Hour)
	for c := range clients {
		wg.Go(func() {
			tok := tokens[c%len(tokens)]
			for i := range perClient {
				name := fmt.Sprintf("断电%d号%d科技有限公司", c, i)
				body := registrationBody(name, fmt.Sprintf("135%04d%04d", c, i), firstContact)
				for {
					status, resp, err := api.do(ctx, tok, http.MethodPost, "/api/v1/registrations", body)
					if err != nil {
						if ctx.Err() != nil {
							t.Errorf("%s: no answer before the deadline: %v", name, err)
							return
						}
						lost.Add(1)
						time.Sleep(50 * time.Millisecond)
						continue
					}
					var out struct {
						ID    string `json:"id"`
						Error struct {
							ExistingID string `json:"existing_id"`
						} `json:"error"`
					}
					_ = json.Unmarshal(resp, &out)
					var o outcome
					switch status {
					case http.StatusCreated:
						o = outcome{id: mustID(t, out.ID), created: true}
						created.Add(1)
					case http.StatusConflict:
						o = outcome{id: mustID(t, out.Error.ExistingID)}
					default:
						t.Errorf("%s: status %d: %s", name, status, resp)
						return
					}
					mu.Lock()
					outcomes[name] = o
					if firstID == 0 && o.created {
						firstID, firstToken = o.id, tok
					}
					mu.Unlock()
					break
				}
			}
		})
	}

	// Kill in the middle of the load, then start again on the same database.
	for created.Load() < clients*perClient/3 && ctx.Err() == nil && !t.Failed() {
		time.Sleep(5 * time.Millisecond)
	}
	before := created.Load()
	srv.kill(t)
	step("killed")
	startServer(ctx, t, dbURL, addr)
	step("restarted")
	wg.Wait()
	step("load done")
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("%d created before the kill, %d in all; %d requests lost their answer; %d registrations found committed on retry (409)",
		before, created.Load(), lost.Load(), int64(len(outcomes))-created.Load())
	if before == 0 || created.Load() == before || lost.Load() == 0 {
		t.Fatalf("the kill did not fall in the middle of the load: %d created before it, %d in all, %d requests unanswered",
			before, created.Load(), lost.Load())
	}

	// What the restarted server answers: a registration made before the kill.
	status, resp, err := api.do(ctx, firstToken, http.MethodGet, "/api/v1/registrations/"+strconv.FormatInt(firstID, 10), nil)
	if err != nil || status != http.StatusOK {
		t.Errorf("GET registration %d after the restart: %d %v %s", firstID, status, err, resp)
	}

	// What the database holds, as its owner.
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	type held struct {
		ids      []int64
		statuses []string
		keys     int
	}
	inDB := map[string]held{}
	rows, err := conn.Query(ctx, `
		SELECT r.details->>'name', array_agg(r.id ORDER BY r.id), array_agg(r.status ORDER BY r.id),
			(SELECT count(*) FROM live_keys k WHERE k.tenant_id = r.tenant_id AND k.registration_id = min(r.id))
		FROM registrations r WHERE r.details->>'name' LIKE '断电%'
		GROUP BY r.tenant_id, 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var h held
		if err := rows.Scan(&name, &h.ids, &h.statuses, &h.keys); err != nil {
			t.Fatal(err)
		}
		inDB[name] = h
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(outcomes) != clients*perClient || len(inDB) != len(outcomes) {
		t.Errorf("%d customers answered, %d in the database, want %d", len(outcomes), len(inDB), clients*perClient)
	}
	for name, o := range outcomes {
		h := inDB[name]
		if len(h.ids) != 1 || h.ids[0] != o.id || h.statuses[0] != "active" || h.keys != 2 {
			t.Errorf("%s (answered %d, created=%v): registrations %v %v with %d live keys, want exactly that one, active, with 2",
				name, o.id, o.created, h.ids, h.statuses, h.keys)
		}
	}
}

// TestPostgresRestart stops the database under a light load of
// registrations and starts it again: while it is down /healthz and the API
// answer 503 (code unavailable, never 500), and afterwards the same server,
// not restarted, is healthy and files registrations again.
func TestPostgresRestart(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 55*time.Second)
	defer cancel()
	dataDir := privateDataDir(t)
	startPostgres := func() (string, func()) {
		t.Helper()
		u, stop, err := pgtmp.StartPrivate(ctx, dataDir, "baobei", t.Output())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(stop)
		return u, stop
	}
	step := stepLogger(t)
	dbURL, stopPostgres := startPostgres()
	step("Postgres up")
	if err := db.Migrate(ctx, dbURL, "up", io.Discard); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	svc := domain.NewService(d)
	tn, err := svc.CreateTenant(ctx, domain.TenantInput{Slug: "fault", Name: "故障测试公司", AdminUsername: "admin", AdminPassword: "fault12345"})
	if err != nil {
		t.Fatal(err)
	}
	users, err := svc.Users(ctx, domain.Actor{TenantID: tn.ID, Role: domain.RoleAdmin})
	if err != nil || len(users) != 1 {
		t.Fatalf("users: %v %v", users, err)
	}
	admin, err := svc.Actor(ctx, tn.ID, users[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdatePolicy(ctx, admin, map[string]json.RawMessage{"registration_burst_per_hour": json.RawMessage("100000")}); err != nil {
		t.Fatal(err)
	}
	tok, err := svc.IssueToken(ctx, admin, "fault test")
	if err != nil {
		t.Fatal(err)
	}
	step("migrated, company created")
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	hs := httptest.NewServer(server.New(svc, server.Config{Log: log}))
	t.Cleanup(hs.Close)
	api := apiClient{base: hs.URL}

	// The load: one registration after another, each answered 201 or 503.
	var (
		mu       sync.Mutex
		statuses = map[int]int{}
	)
	count := func(status int) int {
		mu.Lock()
		defer mu.Unlock()
		return statuses[status]
	}
	loadCtx, stopLoad := context.WithCancel(ctx)
	var wg sync.WaitGroup
	firstContact := time.Now().Add(-time.Hour)
	wg.Go(func() {
		for i := 0; loadCtx.Err() == nil; i++ {
			status, resp, err := api.do(loadCtx, tok, http.MethodPost, "/api/v1/registrations",
				registrationBody(fmt.Sprintf("重启%d号科技有限公司", i), fmt.Sprintf("136%08d", i), firstContact))
			if err != nil {
				if loadCtx.Err() == nil {
					t.Errorf("registration %d: %v", i, err)
				}
				return
			}
			mu.Lock()
			statuses[status]++
			mu.Unlock()
			if status == http.StatusServiceUnavailable {
				mustUnavailable(t, resp)
			} else if status != http.StatusCreated {
				t.Errorf("registration %d: status %d: %s", i, status, resp)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	defer func() {
		stopLoad()
		wg.Wait()
	}()
	waitFor(ctx, t, "registrations before the stop", func() bool { return count(http.StatusCreated) >= 5 })

	stopPostgres()
	step("Postgres stopped")
	// Twice each: once on a pooled connection the stop broke, once on a
	// new connection the server refuses.
	for range 2 {
		if status, _, err := api.do(ctx, "", http.MethodGet, "/healthz", nil); err != nil || status != http.StatusServiceUnavailable {
			t.Errorf("healthz while Postgres is down: %d %v, want 503", status, err)
		}
		for _, req := range []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, "/api/v1/registrations", nil},
			{http.MethodPost, "/api/v1/registrations", registrationBody("停机科技有限公司", "13700000000", firstContact)},
		} {
			status, resp, err := api.do(ctx, tok, req.method, req.path, req.body)
			if err != nil || status != http.StatusServiceUnavailable {
				t.Errorf("%s %s while Postgres is down: %d %v %s, want 503", req.method, req.path, status, err, resp)
				continue
			}
			mustUnavailable(t, resp)
		}
	}
	waitFor(ctx, t, "the load to meet the outage", func() bool { return count(http.StatusServiceUnavailable) > 0 })

	if u, _ := startPostgres(); u != dbURL {
		t.Fatalf("Postgres came back at %s, the server knows %s", u, dbURL)
	}
	step("Postgres started again")
	waitFor(ctx, t, "healthz to recover", func() bool {
		status, _, err := api.do(ctx, "", http.MethodGet, "/healthz", nil)
		return err == nil && status == http.StatusOK
	})
	after := count(http.StatusCreated)
	waitFor(ctx, t, "registrations after the restart", func() bool { return count(http.StatusCreated) >= after+5 })
	step("recovered")
	stopLoad()
	wg.Wait()
	t.Logf("load statuses: %v", statuses)
}

// serverProc is a `baobei serve` process started by startServer.
type serverProc struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once the process has been waited for
}

// startServer runs the test binary as `baobei serve` (see TestMain) on the
// database dbURL with the demo company, listening on addr, and waits until
// /healthz answers 200. The process is killed, if still running, when the
// test ends. Its output goes to the test log. It fails the test when the
// server is not healthy by ctx's deadline.
func startServer(ctx context.Context, t *testing.T, dbURL, addr string) *serverProc {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "BAOBEI_TEST_SERVE=1", "DATABASE_URL="+dbURL, "BAOBEI_DEMO=1",
		"BAOBEI_ADDR="+addr, "BAOBEI_LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = t.Output(), t.Output()
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with the test process
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serverProc{cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() { p.kill(t) })

	api := apiClient{base: "http://" + addr}
	for {
		if status, _, err := api.do(ctx, "", http.MethodGet, "/healthz", nil); err == nil && status == http.StatusOK {
			return p
		}
		select {
		case <-p.exited:
			t.Fatalf("the server exited while starting: %v", cmd.ProcessState)
		case <-ctx.Done():
			t.Fatalf("the server did not become healthy at %s: %v", addr, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// kill sends SIGKILL and waits until the process is gone.
func (p *serverProc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("kill the server: %v", err)
	}
	<-p.exited
}

// freeAddr returns 127.0.0.1 with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// privateDataDir returns a data directory for a private cluster, removed
// when the test ends; as root, its parent lets the postgres user through.
func privateDataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "bbfault")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o711); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "pg")
}

// apiClient talks to a server's JSON API.
type apiClient struct{ base string }

var faultHTTP = &http.Client{Timeout: 10 * time.Second}

// do sends one request (body nil: none; else encoded as JSON; token "":
// no Authorization) and returns the status and body. err is a transport
// error: no answer.
func (c apiClient) do(ctx context.Context, token, method, path string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := faultHTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// demoTokens issues API tokens for demo users through the domain, as the
// settings page does: signing in through POST /api/v1/auth/token costs a
// bcrypt comparison each, seconds under the race detector on a busy
// machine, and the sign-in is not what the fault tests are about.
func demoTokens(ctx context.Context, t *testing.T, dbURL string, usernames ...string) []string {
	t.Helper()
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	svc := domain.NewService(d)
	tenants, err := svc.TenantIDs(ctx)
	if err != nil || len(tenants) != 1 {
		t.Fatalf("tenants %v: %v", tenants, err)
	}
	users, err := svc.Users(ctx, domain.Actor{TenantID: tenants[0], Role: domain.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for _, name := range usernames {
		i := slices.IndexFunc(users, func(u domain.User) bool { return u.Username == name })
		if i < 0 {
			t.Fatalf("no demo user %s", name)
		}
		a, err := svc.Actor(ctx, tenants[0], users[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := svc.IssueToken(ctx, a, "fault test")
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	return tokens
}

// registrationBody is a complete registration of a company for the
// default policy (api.md, POST /api/v1/registrations).
func registrationBody(name, phone string, firstContact time.Time) map[string]any {
	return map[string]any{
		"customer": map[string]any{"kind": "company", "name": name, "industry": "通信", "address": "北京市海淀区",
			"contacts": []map[string]string{{"name": "张经理", "title": "采购经理", "phone": phone, "relation": "self"}}},
		"grade": "A", "needs": "采购服务器", "first_contact_at": firstContact.Format(time.RFC3339),
	}
}

// mustUnavailable fails the test unless body is api.md's error with code
// unavailable.
func mustUnavailable(t *testing.T, body []byte) {
	t.Helper()
	var e struct {
		Error struct {
			Code, Message string
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != "unavailable" || e.Error.Message == "" {
		t.Errorf("503 body %s (%v), want error code unavailable with a message", body, err)
	}
}

// mustID parses an API id.
func mustID(t *testing.T, s string) int64 {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Errorf("id %q: %v", s, err)
	}
	return id
}

// stepLogger returns a function that logs a step of a test with the time
// since the test began, to show where a slow run spends its time.
func stepLogger(t *testing.T) func(what string) {
	start := time.Now()
	return func(what string) { t.Logf("%5.1fs %s", time.Since(start).Seconds(), what) }
}

// waitFor polls cond until it holds, failing the test at ctx's deadline.
func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
