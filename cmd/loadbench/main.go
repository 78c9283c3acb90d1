// Command loadbench is Baobei's load benchmark (docs/benchmarks.md, `make
// bench-load`). It gives the demo company of a fresh database a million
// customers held by sales1, starts the real server (`baobei serve`) and
// runs N concurrent HTTP clients, each a salesperson of its own, for a
// fixed time: of their registration requests 70 % file new customers, 20 %
// file customers someone holds (they lose by the time rule) and 10 % are
// duplicate checks only; one request in eleven browses a registration list.
// Then, with the server stopped, pgbench runs as many clients for as long,
// inserting what a registration that holds its customer inserts at the
// least — the registration row and its two live keys — as the application
// role, under row-level security, without the application. It prints
// throughput and p50/p95/p99 latencies as Markdown, and the ratio of the
// two rates.
//
//	go run ./cmd/loadbench -baobei bin/baobei [-clients 16] [-duration 60s] [-customers 1000000]
//
// The database is DATABASE_URL's server, else 127.0.0.1:5432, else the
// private cluster of `make run` (pgtmp.Resolve); the benchmark drops and
// recreates the database baobei_loadbench there.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/benchseed"
	"baobei/internal/db"
	"baobei/internal/domain"
	"baobei/internal/pgtmp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

// config is what the flags set.
type config struct {
	baobei, pgbench, dbname string
	clients, customers      int
	duration, warmup        time.Duration
	keep                    bool
}

// run is the whole benchmark: results to stdout, progress to progress.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, progress io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("loadbench", flag.ContinueOnError)
	fs.SetOutput(progress)
	fs.StringVar(&cfg.baobei, "baobei", "bin/baobei", "the server binary (make build)")
	fs.StringVar(&cfg.pgbench, "pgbench", "pgbench", "the pgbench binary")
	fs.StringVar(&cfg.dbname, "db", "baobei_loadbench", "database to drop, create and fill")
	fs.IntVar(&cfg.clients, "clients", 16, "concurrent HTTP clients, and pgbench clients")
	fs.IntVar(&cfg.customers, "customers", 1_000_000, "customers the company holds before the load")
	fs.DurationVar(&cfg.duration, "duration", 60*time.Second, "measured load, and pgbench's run")
	fs.DurationVar(&cfg.warmup, "warmup", 5*time.Second, "unmeasured load before it")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the database afterwards (default: drop it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.clients < 1 || cfg.clients > 99 || cfg.customers < 1 || cfg.duration <= 0 {
		return errors.New("want 1 ≤ -clients ≤ 99, -customers ≥ 1 and a positive -duration")
	}
	pgbench, err := exec.LookPath(cfg.pgbench)
	if err != nil {
		return fmt.Errorf("%w (Debian: apt-get install postgresql-contrib)", err)
	}

	serverURL, stopDB, err := pgtmp.Resolve(ctx, getenv, ".data/postgres", "postgres", progress)
	if err != nil {
		return err
	}
	defer stopDB()
	url, err := freshDatabase(ctx, serverURL, cfg.dbname)
	if err != nil {
		return err
	}
	if !cfg.keep {
		defer dropDatabase(context.WithoutCancel(ctx), serverURL, cfg.dbname)
	}
	company, err := setUp(ctx, url, cfg, progress)
	if err != nil {
		return err
	}

	srv, err := startServer(ctx, cfg.baobei, url, progress)
	if err != nil {
		return err
	}
	if cfg.warmup > 0 {
		fmt.Fprintf(progress, "warming up for %s\n", cfg.warmup)
		load(ctx, srv.base, company, cfg, 0, cfg.warmup)
	}
	fmt.Fprintf(progress, "load: %d clients for %s\n", cfg.clients, cfg.duration)
	res := load(ctx, srv.base, company, cfg, 1, cfg.duration)
	if err := srv.stop(); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}

	fmt.Fprintf(progress, "pgbench: %d clients for %s\n", cfg.clients, cfg.duration)
	raw, err := runPgbench(ctx, pgbench, url, company, cfg, progress)
	if err != nil {
		return err
	}
	return report(ctx, stdout, url, cfg, res, raw)
}

// freshDatabase drops the database name on the server serverURL reaches
// and creates it again, migrated; it returns its URL.
func freshDatabase(ctx context.Context, serverURL, name string) (string, error) {
	if err := dropDatabase(ctx, serverURL, name); err != nil {
		return "", err
	}
	if err := db.EnsureDatabase(ctx, serverURL, name); err != nil {
		return "", err
	}
	url, err := db.DatabaseURL(serverURL, name)
	if err != nil {
		return "", err
	}
	return url, db.Migrate(ctx, url, "up", io.Discard)
}

// dropDatabase drops the database name, if it exists, on the server
// serverURL reaches.
func dropDatabase(ctx context.Context, serverURL, name string) error {
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop %s: %w", name, err)
	}
	return nil
}

// company is the demo company as the benchmark prepared it.
type company struct {
	tenantID          int64
	holder            domain.Actor // sales1, who holds the seeded customers
	sellers           []string     // one API token per client: salespeople of team 二组
	sellerIDs         []int64
	sellerTeam        int64
	manager           string // manager1's token: team 一组 holds the million
	firstReg, lastReg int64  // the seeded registrations' ids
	firstCus, lastCus int64  // the seeded customers' ids
}

// setUp creates the demo company with a registration burst limit the load
// does not reach, seeds its customers and gives each client a salesperson
// with an API token.
func setUp(ctx context.Context, url string, cfg config, progress io.Writer) (company, error) {
	var c company
	d, err := db.Open(ctx, url)
	if err != nil {
		return c, err
	}
	defer d.Close()
	svc := domain.NewService(d)
	if err := svc.EnsureDemo(ctx); err != nil {
		return c, err
	}
	ids, err := svc.TenantIDs(ctx)
	if err != nil || len(ids) != 1 {
		return c, fmt.Errorf("tenants %v: %w", ids, err)
	}
	c.tenantID = ids[0]
	users, err := svc.Users(ctx, domain.Actor{TenantID: c.tenantID, Role: domain.RoleAdmin})
	if err != nil {
		return c, err
	}
	actors := map[string]domain.Actor{}
	for _, u := range users {
		if actors[u.Username], err = svc.Actor(ctx, c.tenantID, u.ID); err != nil {
			return c, err
		}
	}
	admin := actors["admin"]
	c.holder = actors["sales1"]
	if _, err := svc.UpdatePolicy(ctx, admin, map[string]json.RawMessage{"registration_burst_per_hour": json.RawMessage("100000")}); err != nil {
		return c, err
	}
	if c.manager, err = svc.IssueToken(ctx, actors["manager1"], "loadbench"); err != nil {
		return c, err
	}
	c.sellerTeam = actors["sales3"].TeamID
	for i := range cfg.clients {
		u, err := svc.CreateUser(ctx, admin, domain.UserInput{Username: fmt.Sprintf("load%02d", i), DisplayName: fmt.Sprintf("压测%02d", i),
			Role: domain.RoleSales, TeamID: c.sellerTeam, Region: "北京", Password: domain.DemoPassword})
		if err != nil {
			return c, err
		}
		a, err := svc.Actor(ctx, c.tenantID, u.ID)
		if err != nil {
			return c, err
		}
		tok, err := svc.IssueToken(ctx, a, "loadbench")
		if err != nil {
			return c, err
		}
		c.sellers, c.sellerIDs = append(c.sellers, tok), append(c.sellerIDs, u.ID)
	}

	fmt.Fprintf(progress, "seeding %d customers (set-based; about two minutes a million)\n", cfg.customers)
	start := time.Now()
	if err := benchseed.Customers(ctx, url, c.holder, cfg.customers, time.Now().Add(-24*time.Hour)); err != nil {
		return c, err
	}
	fmt.Fprintf(progress, "seeded in %s\n", time.Since(start).Round(time.Second))
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return c, err
	}
	defer conn.Close(ctx)
	err = conn.QueryRow(ctx, `SELECT min(r.id), max(r.id), min(r.customer_id), max(r.customer_id)
		FROM registrations r WHERE r.tenant_id = $1 AND r.owner_id = $2`, c.tenantID, c.holder.UserID).
		Scan(&c.firstReg, &c.lastReg, &c.firstCus, &c.lastCus)
	return c, err
}

// server is a `baobei serve` process.
type server struct {
	base string
	cmd  *exec.Cmd
	done chan error
}

// startServer runs bin serve on the database url at a free port of
// 127.0.0.1 and waits until /healthz answers 200.
func startServer(ctx context.Context, bin, url string, progress io.Writer) (*server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "BAOBEI_ADDR="+addr, "BAOBEI_LOG_LEVEL=warn", "BAOBEI_DEMO=")
	cmd.Stdout, cmd.Stderr = progress, progress
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &server{base: "http://" + addr, cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.After(time.Minute)
	for {
		if resp, err := http.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("%s serve exited: %v", bin, err)
		case <-deadline:
			s.stop()
			return nil, errors.New("the server did not become healthy within a minute")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop shuts the server down (SIGTERM) and waits for it.
func (s *server) stop() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	if err := <-s.done; err != nil && s.cmd.ProcessState.ExitCode() != 0 {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}

// The requests the clients make.
const (
	opNew      = "new registration"
	opConflict = "conflicting registration"
	opCheck    = "duplicate check"
	opList     = "list"
)

// schedule is each client's cycle of eleven requests: seven new, two
// conflicting, one check (70/20/10 of the registration requests) and one
// list. Client c starts it at c, so the clients are out of step.
var schedule = []string{opNew, opNew, opConflict, opNew, opCheck, opNew, opList, opNew, opConflict, opNew, opNew}

// sample is the outcome of one kind of request.
type sample struct {
	latencies []time.Duration
	statuses  map[string]int // "201 active", "201 rejected", "200", "error", …
}

// result is a load run's samples by operation.
type result struct {
	elapsed time.Duration
	ops     map[string]*sample
}

// load runs cfg.clients clients against base for d — each starts no new
// request after d and finishes the one it is in —; phase keeps the
// customers of different runs apart.
func load(ctx context.Context, base string, c company, cfg config, phase int, d time.Duration) result {
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.clients}}
	var mu sync.Mutex
	res := result{ops: map[string]*sample{}}
	for _, op := range schedule {
		res.ops[op] = &sample{statuses: map[string]int{}}
	}
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for cl := range cfg.clients {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(phase), uint64(cl)))
			for i := 0; time.Now().Before(end) && ctx.Err() == nil; i++ {
				op := schedule[(i+cl)%len(schedule)]
				method, path, token, body := request(c, rnd, op, phase, cl, i)
				t0 := time.Now()
				outcome := send(ctx, client, base, method, path, token, body)
				took := time.Since(t0)
				mu.Lock()
				s := res.ops[op]
				s.latencies = append(s.latencies, took)
				s.statuses[outcome]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// request is the i-th request of client cl in phase.
func request(c company, rnd *rand.Rand, op string, phase, cl, i int) (method, path, token string, body any) {
	serial := fmt.Sprintf("%d%02d%05d", phase, cl, i%100_000) // eight digits
	fresh := fmt.Sprintf("压测%d组%d号%d商贸有限公司", phase, cl, i)
	held := benchseed.Name(1 + rnd.IntN(int(c.lastCus-c.firstCus+1))) // the seeded customers are numbered from 1
	token = c.sellers[cl]
	switch op {
	case opNew:
		return http.MethodPost, "/api/v1/registrations", token, registration(fresh, "137"+serial)
	case opConflict:
		return http.MethodPost, "/api/v1/registrations", token, registration(held, "136"+serial)
	case opCheck:
		name := fresh
		if i%2 == 0 {
			name = held
		}
		return http.MethodPost, "/api/v1/registrations/check", token, registration(name, "135"+serial)
	}
	// Lists: the seller's own, their manager's view of the team holding the
	// million (first page), and a page deep in it.
	switch i / len(schedule) % 3 {
	case 0:
		return http.MethodGet, "/api/v1/registrations?limit=50", token, nil
	case 1:
		return http.MethodGet, "/api/v1/registrations?limit=50", c.manager, nil
	}
	cursor := c.firstReg + rnd.Int64N(c.lastReg-c.firstReg+1)
	return http.MethodGet, "/api/v1/registrations?limit=50&cursor=" + strconv.FormatInt(cursor, 10), c.manager, nil
}

// registration is a complete registration body (api.md).
func registration(name, phone string) map[string]any {
	return map[string]any{
		"customer": map[string]any{"kind": "company", "name": name, "industry": "通信", "address": "北京市海淀区",
			"contacts": []map[string]string{{"name": "张经理", "title": "采购经理", "phone": phone, "relation": "self"}}},
		"grade": "A", "needs": "采购服务器", "first_contact_at": time.Now().Add(-time.Hour).Format(time.RFC3339),
	}
}

// send makes one request and describes its outcome: the status, and for a
// registration created, its state.
func send(ctx context.Context, client *http.Client, base, method, path, token string, body any) string {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return "error"
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, r)
	if err != nil {
		return "error"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return "error"
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "error"
	}
	if resp.StatusCode == http.StatusCreated {
		var reg struct {
			Status string `json:"status"`
		}
		_ = json.Unmarshal(b, &reg)
		return "201 " + reg.Status
	}
	return strconv.Itoa(resp.StatusCode)
}

// pgbenchScript files the registration row and its two live keys of a new
// claim, in a tenant transaction as the application opens one.
const pgbenchScript = `\set customer random(:first_customer, :last_customer)
BEGIN;
SELECT set_config('app.tenant_id', :tenant::text, true);
WITH r AS (
	INSERT INTO registrations (tenant_id, customer_id, owner_id, team_id, status, details, grade, completeness,
		registered_at, activated_at, protected_until, claim_ref, status_changed_at)
	VALUES (:tenant, :customer, :owner, :team, 'active',
		'{"kind": "company", "name": "压测商贸有限公司", "industry": "通信", "address": "北京市海淀区", "contacts": [{"name": "张经理", "title": "采购经理", "phone": "13700000000", "relation": "self"}]}',
		'A', 80, now(), now(), now() + interval '30 days', 'pgb_' || gen_random_uuid(), now())
	RETURNING id)
INSERT INTO live_keys (tenant_id, kind, key, registration_id)
SELECT :tenant, k.kind, k.key || r.id, r.id FROM r, (VALUES ('name_exact', '压测商贸'), ('phone', '137')) AS k (kind, key);
COMMIT;
`

// pgbenchResult is pgbench's throughput and its transactions' latencies.
type pgbenchResult struct {
	tps       float64
	latencies []time.Duration
}

// runPgbench runs pgbenchScript as the application role with cfg.clients
// clients for cfg.duration, logging every transaction to compute the
// latency percentiles.
func runPgbench(ctx context.Context, bin, url string, c company, cfg config, progress io.Writer) (pgbenchResult, error) {
	var res pgbenchResult
	dir, err := os.MkdirTemp("", "loadbench")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "registration.sql")
	if err := os.WriteFile(script, []byte(pgbenchScript), 0o644); err != nil {
		return res, err
	}
	cmd := exec.CommandContext(ctx, bin, "--no-vacuum", "--protocol=prepared", "--log", "--log-prefix=tx",
		"--client="+strconv.Itoa(cfg.clients), "--jobs="+strconv.Itoa(min(cfg.clients, runtime.NumCPU())),
		"--time="+strconv.Itoa(int(cfg.duration.Seconds())), "--file="+script,
		"--define=tenant="+strconv.FormatInt(c.tenantID, 10), "--define=owner="+strconv.FormatInt(c.sellerIDs[0], 10),
		"--define=team="+strconv.FormatInt(c.sellerTeam, 10),
		"--define=first_customer="+strconv.FormatInt(c.firstCus, 10), "--define=last_customer="+strconv.FormatInt(c.lastCus, 10),
		url)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c role="+db.AppRole)
	out, err := cmd.CombinedOutput()
	progress.Write(out)
	if err != nil {
		return res, fmt.Errorf("pgbench: %w", err)
	}
	for line := range strings.Lines(string(out)) {
		if v, ok := strings.CutPrefix(line, "tps = "); ok {
			res.tps, _ = strconv.ParseFloat(strings.Fields(v)[0], 64)
		}
	}
	if res.tps == 0 {
		return res, errors.New("pgbench reported no tps")
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "tx.*"))
	for _, name := range logs {
		// Each line: client transaction latency_µs script epoch µs.
		f, err := os.Open(name)
		if err != nil {
			return res, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 3 {
				continue
			}
			if us, err := strconv.ParseInt(fields[2], 10, 64); err == nil {
				res.latencies = append(res.latencies, time.Duration(us)*time.Microsecond)
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return res, err
		}
	}
	return res, nil
}

// report prints the figures as Markdown.
func report(ctx context.Context, w io.Writer, url string, cfg config, res result, raw pgbenchResult) error {
	var pgVersion string
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	err = conn.QueryRow(ctx, "SHOW server_version").Scan(&pgVersion)
	conn.Close(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d HTTP clients for %s against `baobei serve`, %d customers held; %d CPUs, PostgreSQL %s, %s.\n\n",
		cfg.clients, res.elapsed.Round(time.Second), cfg.customers, runtime.NumCPU(), pgVersion, time.Now().Format("2006-01-02"))
	fmt.Fprintln(w, "| requests | count | per second | p50 | p95 | p99 | outcomes |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	row := func(name string, lat []time.Duration, per float64, outcomes string) {
		slices.Sort(lat)
		fmt.Fprintf(w, "| %s | %d | %.0f | %s | %s | %s | %s |\n", name, len(lat), per,
			ms(percentile(lat, 50)), ms(percentile(lat, 95)), ms(percentile(lat, 99)), outcomes)
	}
	secs := res.elapsed.Seconds()
	var regs []time.Duration
	for _, op := range []string{opNew, opConflict, opCheck, opList} {
		s := res.ops[op]
		row(op, s.latencies, float64(len(s.latencies))/secs, outcomes(s.statuses))
		if op == opNew || op == opConflict {
			regs = append(regs, s.latencies...)
		}
	}
	regRate := float64(len(regs)) / secs
	row("**registrations (new + conflicting)**", regs, regRate, "")
	row(fmt.Sprintf("pgbench: registration row + 2 live keys (%d clients)", cfg.clients), raw.latencies, raw.tps, "")
	fmt.Fprintf(w, "\nThe application files %.0f registrations/s, %.1f %% of pgbench's %.0f raw inserts/s (1 : %.0f).\n",
		regRate, 100*regRate/raw.tps, raw.tps, raw.tps/regRate)
	return nil
}

// outcomes lists status counts, most frequent first.
func outcomes(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return m[b] - m[a] })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s × %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// percentile is the p-th percentile of sorted (nearest rank).
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p+99)/100 - 1
	return sorted[max(i, 0)]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}
