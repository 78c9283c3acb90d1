// Command baobei runs Baobei: the web server and its maintenance commands
// (shared/spec/api.md, "Command line and configuration").
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"baobei/internal/db"
	"baobei/internal/domain"
	"baobei/internal/pgtmp"
	"baobei/internal/server"
)

const usage = `usage: baobei <command> [flags]

commands:
  serve                        migrate, then serve HTTP and run the background jobs
  migrate [up|down|status]     apply or inspect the embedded schema migrations
  tenant create --slug S --name N --admin-username U --admin-password P
  demo                         create the demo company (idempotent)
  sweep [--now RFC3339]        run the expiry, notice, escalation and claim-window sweeps once
  audit verify [--tenant S]    seal, then verify the audit log's hash chain

environment: DATABASE_URL, BAOBEI_ADDR (127.0.0.1:8080), BAOBEI_DEMO=1,
BAOBEI_SECURE_COOKIES=1, BAOBEI_LOG_LEVEL (debug|info|warn|error)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "baobei:", err)
		os.Exit(1)
	}
}

// run is the whole program, with its inputs passed in so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return errors.New("no command given")
	}
	log := newLogger(getenv("BAOBEI_LOG_LEVEL"), stdout)
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve", "migrate", "tenant", "demo", "sweep", "audit":
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stdout, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}

	url, stopDB, err := pgtmp.Resolve(ctx, getenv, ".data/postgres", "baobei", stdout)
	if err != nil {
		return err
	}
	defer stopDB()

	if cmd == "migrate" {
		direction := "up"
		if len(rest) > 0 {
			direction = rest[0]
		}
		return db.Migrate(ctx, url, direction, stdout)
	}
	if err := db.Migrate(ctx, url, "up", io.Discard); err != nil {
		return err
	}
	d, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer d.Close()
	svc := domain.NewService(d)

	switch cmd {
	case "tenant":
		return createTenant(ctx, svc, rest, stdout)
	case "demo":
		return ensureDemo(ctx, svc, stdout)
	case "sweep":
		return sweepOnce(ctx, svc, rest, stdout)
	case "audit":
		return auditCommand(ctx, svc, rest, stdout)
	}
	if getenv("BAOBEI_DEMO") == "1" {
		if err := ensureDemo(ctx, svc, stdout); err != nil {
			return err
		}
	}
	addr := getenv("BAOBEI_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	return serve(ctx, svc, addr, getenv("BAOBEI_SECURE_COOKIES") == "1", log, stdout)
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

func createTenant(ctx context.Context, svc *domain.Service, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: baobei tenant create --slug S --name N --admin-username U --admin-password P")
	}
	fs := flag.NewFlagSet("tenant create", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var in domain.TenantInput
	fs.StringVar(&in.Slug, "slug", "", "company code typed at sign-in")
	fs.StringVar(&in.Name, "name", "", "company name")
	fs.StringVar(&in.AdminUsername, "admin-username", "", "first admin's username")
	fs.StringVar(&in.AdminPassword, "admin-password", "", "first admin's password")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	t, err := svc.CreateTenant(ctx, in)
	var de *domain.Error
	if errors.As(err, &de) {
		msgs := []string{de.Message.Zh + " / " + de.Message.En}
		for k, v := range de.Fields {
			msgs = append(msgs, fmt.Sprintf("  --%s: %s / %s", strings.ReplaceAll(k, "_", "-"), v.Zh, v.En))
		}
		return errors.New(strings.Join(msgs, "\n"))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created company %s (%s); sign in as %s\n", t.Slug, t.Name, in.AdminUsername)
	return nil
}

func ensureDemo(ctx context.Context, svc *domain.Service, stdout io.Writer) error {
	if err := svc.EnsureDemo(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo company %q — every password is %s:\n", domain.DemoSlug, domain.DemoPassword)
	for _, u := range domain.DemoUsers {
		fmt.Fprintf(stdout, "  %-11s %-9s %s\n", u.Username, u.Role, u.Team)
	}
	return nil
}

// serve runs the HTTP server until ctx is cancelled (SIGINT/SIGTERM), then
// lets in-flight requests finish.
func serve(ctx context.Context, svc *domain.Service, addr string, secure bool, log *slog.Logger, stdout io.Writer) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           server.New(svc, server.Config{SecureCookies: secure, Log: log}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	go sweepEvery(ctx, svc, time.Minute, log)
	go sealEvery(ctx, svc, 2*time.Second, log)
	go svc.RunImports(ctx, 5*time.Second, func(err error) { log.Error("import", "err", err) })
	go deliverEvery(ctx, svc, 5*time.Second, log)
	fmt.Fprintf(stdout, "Baobei is serving http://%s\n", addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}
