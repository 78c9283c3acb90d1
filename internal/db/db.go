// Package db opens Baobei's Postgres pool, runs migrations and wraps
// transactions in the tenant context that row-level security checks.
package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// AppRole is the database role every application connection switches to.
// It is neither superuser, nor table owner, nor BYPASSRLS, so row-level
// security applies even when DATABASE_URL names a superuser.
const AppRole = "baobei_app"

// DB is the application's connection pool.
type DB struct {
	Pool *pgxpool.Pool
}

// Open connects to url; every pooled connection runs as AppRole. It fails
// when pg_trgm cannot see Chinese characters (a database created with
// LC_CTYPE=C), because name matching would silently find nothing.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("db: parse url: %w", err)
	}
	// Requests wait on the database, not the CPU: more connections than
	// cores keep both busy (pgxpool's default is max(4, cores)).
	if !strings.Contains(url, "pool_max_conns") && cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, "SET ROLE "+AppRole)
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("db: open: %w", err)
	}
	d := &DB{Pool: pool}
	var trgm string
	if err := pool.QueryRow(ctx, "SELECT show_trgm('华为')::text").Scan(&trgm); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: check pg_trgm: %w", err)
	}
	if trgm == "{}" {
		pool.Close()
		return nil, errors.New("db: pg_trgm ignores Chinese in this database; create it with LOCALE 'C.UTF-8'")
	}
	return d, nil
}

// Close closes the pool.
func (d *DB) Close() { d.Pool.Close() }

// InTenant runs fn in a transaction whose row-level security context is
// tenantID. It commits when fn returns nil and retries the whole
// transaction on serialization failures and deadlocks.
func (d *DB) InTenant(ctx context.Context, tenantID int64, fn func(pgx.Tx) error) error {
	if tenantID <= 0 {
		return errors.New("db: InTenant without a tenant")
	}
	return d.tx(ctx, strconv.FormatInt(tenantID, 10), fn)
}

// Global runs fn in a transaction with no tenant set: only the tables that
// belong to no tenant (tenants, sessions) answer there.
func (d *DB) Global(ctx context.Context, fn func(pgx.Tx) error) error {
	return d.tx(ctx, "", fn)
}

func (d *DB) tx(ctx context.Context, tenant string, fn func(pgx.Tx) error) error {
	const attempts = 4
	var err error
	for i := 0; i < attempts; i++ {
		err = pgx.BeginFunc(ctx, d.Pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT set_config('app.tenant_id', $1, true)", tenant); err != nil {
				return err
			}
			return fn(tx)
		})
		if !retryable(err) {
			return err
		}
	}
	return err
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// UniqueViolation reports whether err is a unique-constraint violation and
// names the constraint.
func UniqueViolation(err error) (constraint string, ok bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return pe.ConstraintName, true
	}
	return "", false
}

// Unavailable reports whether err means the database cannot be reached
// (connection refused or lost, server shutting down), as opposed to a
// query that the database refused.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P0x: admin/crash shutdown, cannot connect now.
		return pe.Code[:2] == "08" || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}
