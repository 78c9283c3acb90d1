package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"baobei/migrations"
)

// migrateLockID keys the session advisory lock that serialises migrators
// of one database: "baobeimg" read as a big-endian int64.
const migrateLockID int64 = 0x62616f6265696d67

// Migrate runs the goose command "up", "down" (one step) or "status" on the
// database at url with the embedded migrations, writing what it did to out.
// It runs as the connecting user (the schema owner), not as AppRole.
// Concurrent migrators of the same database (several servers starting at
// once) wait for each other on a session advisory lock, so each migration
// is applied exactly once.
func Migrate(ctx context.Context, url string, command string, out io.Writer) error {
	if command != "up" && command != "down" && command != "status" {
		return fmt.Errorf("migrate: unknown command %q (want up, down or status)", command)
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("migrate: parse url: %w", err)
	}
	sqlDB := stdlib.OpenDB(*cfg)
	defer sqlDB.Close()

	// goose's own session locker (lock.NewPostgresSessionLocker) polls with
	// pg_try_advisory_lock at least a second apart and does not cover the
	// pending-migrations check that precedes Up, so take a blocking lock on
	// a dedicated connection for the whole command instead.
	lockConn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: connect: %w", err)
	}
	defer lockConn.Close()
	if _, err := lockConn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrateLockID); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer lockConn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLockID)

	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	switch command {
	case "up":
		res, err := p.Up(ctx)
		for _, r := range res {
			fmt.Fprintln(out, r)
		}
		if err != nil {
			return fmt.Errorf("migrate up: %w", err)
		}
		if len(res) == 0 {
			fmt.Fprintln(out, "migrate: no pending migrations")
		}
	case "down":
		r, err := p.Down(ctx)
		if errors.Is(err, goose.ErrNoNextVersion) {
			return errors.New("migrate down: no migration to roll back")
		}
		if err != nil {
			return fmt.Errorf("migrate down: %w", err)
		}
		fmt.Fprintln(out, r)
	case "status":
		st, err := p.Status(ctx)
		if err != nil {
			return fmt.Errorf("migrate status: %w", err)
		}
		for _, s := range st {
			applied := ""
			if s.State == goose.StateApplied {
				applied = s.AppliedAt.Local().Format("2006-01-02 15:04:05")
			}
			fmt.Fprintf(out, "%-8s %-40s %s\n", s.State, s.Source.Path, applied)
		}
	}
	return nil
}

// EnsureDatabase creates the database name on the server that adminURL
// reaches, unless it exists. A new database is created from template0 with
// UTF-8 encoding and the C.UTF-8 locale, so that pg_trgm sees Chinese
// characters (under LC_CTYPE=C it ignores them) while sorting stays
// byte-wise. Concurrent callers creating the same name both succeed.
func EnsureDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("ensure database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("ensure database: %w", err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+
		" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'")
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "42P04" || pe.Code == "23505") {
		return nil // created meanwhile by a concurrent caller
	}
	if err != nil {
		return fmt.Errorf("ensure database %s: %w", name, err)
	}
	return nil
}

// DatabaseURL returns connString (a postgres:// URL or a keyword/value
// string) with its database name replaced by name; everything else (host,
// user, password, options) is kept.
func DatabaseURL(connString, name string) (string, error) {
	if strings.HasPrefix(connString, "postgres://") || strings.HasPrefix(connString, "postgresql://") {
		u, err := url.Parse(connString)
		if err != nil {
			return "", fmt.Errorf("database url: %w", err)
		}
		u.Path = "/" + name
		u.RawPath = ""
		return u.String(), nil
	}
	// In keyword/value form a later keyword overrides an earlier one.
	quoted := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(name)
	return strings.TrimSpace(connString) + " dbname='" + quoted + "'", nil
}
