package db_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"baobei/internal/db"
	"baobei/internal/db/dbtest"
	"baobei/migrations"
)

// openBoth returns, on one fresh database, the application's pool (as
// db.AppRole) and a connection as its owner, which row-level security
// does not restrict.
func openBoth(t *testing.T) (*db.DB, *pgx.Conn) {
	t.Helper()
	u := dbtest.MustURL(t)
	d, err := db.Open(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d, mustConnect(t, u)
}

func mustConnect(t *testing.T, u string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// mustTenant creates a tenant with one team and one user, as the
// application would, and returns the tenant's id.
func mustTenant(t *testing.T, d *db.DB, slug string) int64 {
	t.Helper()
	ctx := t.Context()
	var id int64
	err := d.Global(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "INSERT INTO tenants (slug, name) VALUES ($1, $1) RETURNING id", slug).Scan(&id)
	})
	if err != nil {
		t.Fatalf("insert tenant %s: %v", slug, err)
	}
	err = d.InTenant(ctx, id, func(tx pgx.Tx) error {
		var team int64
		if err := tx.QueryRow(ctx, "INSERT INTO teams (tenant_id, name) VALUES ($1, '华东') RETURNING id", id).Scan(&team); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO users (tenant_id, username, display_name, role, team_id, password_hash)
			VALUES ($1, 'zhang', '张三', 'sales', $2, 'x')`, id, team)
		return err
	})
	if err != nil {
		t.Fatalf("insert team and user of %s: %v", slug, err)
	}
	return id
}

// count runs a query for one integer on q, a connection or transaction.
func count(t *testing.T, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := q.QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestGlobalSeesNoTenantRows(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d, owner := openBoth(t)
	mustTenant(t, d, "a")
	mustTenant(t, d, "b")

	for _, table := range []string{"users", "teams"} {
		if n := count(t, owner, "SELECT count(*) FROM "+table); n != 2 {
			t.Fatalf("owner sees %d rows in %s, want 2", n, table)
		}
		err := d.Global(ctx, func(tx pgx.Tx) error {
			if n := count(t, tx, "SELECT count(*) FROM "+table); n != 0 {
				t.Errorf("with no tenant set, %s shows %d rows, want 0", table, n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestInTenantIsolation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := dbtest.MustDB(t)
	a := mustTenant(t, d, "a")
	b := mustTenant(t, d, "b")

	err := d.InTenant(ctx, a, func(tx pgx.Tx) error {
		for _, table := range []string{"users", "teams"} {
			if n := count(t, tx, "SELECT count(*) FROM "+table); n != 1 {
				t.Errorf("tenant A sees %d rows in %s, want its 1", n, table)
			}
			if n := count(t, tx, "SELECT count(*) FROM "+table+" WHERE tenant_id = $1", b); n != 0 {
				t.Errorf("tenant A sees %d of B's rows in %s, want 0", n, table)
			}
		}
		tag, err := tx.Exec(ctx, "UPDATE users SET display_name = '入侵' WHERE tenant_id = $1", b)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 0 {
			t.Errorf("tenant A updated %d of B's users", tag.RowsAffected())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	err = d.InTenant(ctx, a, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO teams (tenant_id, name) VALUES ($1, '潜入')", b)
		return err
	})
	if pgCode(err) != "42501" {
		t.Errorf("tenant A inserting a team for B: err = %v, want a row-level security violation (42501)", err)
	}
}

func TestAuditLogAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d, owner := openBoth(t)
	a := mustTenant(t, d, "a")

	err := d.InTenant(ctx, a, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO audit_log (tenant_id, action, entity) VALUES ($1, 'create', 'user')", a); err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		if n := count(t, tx, "SELECT count(*) FROM audit_log"); n != 1 {
			t.Errorf("audit_log shows %d rows, want 1", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		"UPDATE audit_log SET action = 'forged'",
		"DELETE FROM audit_log",
	} {
		err := d.InTenant(ctx, a, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, sql)
			return err
		})
		if pgCode(err) != "42501" {
			t.Errorf("%s as the application: err = %v, want permission denied (42501)", sql, err)
		}
	}
	if n := count(t, owner, "SELECT count(*) FROM audit_log WHERE action = 'create'"); n != 1 {
		t.Errorf("audit_log has %d untouched rows, want 1", n)
	}
}

// globalTables belong to no tenant.
var globalTables = []string{"tenants", "sessions", "login_failures", "goose_db_version"}

// tenantTableChecks each select "table" or "table (index or constraint)"
// for the tables of schema public, other than globalTables ($1), that
// break a tenant rule; t.tcol is the table's tenant_id column number.
var tenantTableChecks = []struct{ problem, query string }{
	{"has no tenant_id column",
		"SELECT relname FROM t WHERE tcol IS NULL"},
	{"has no primary key",
		"SELECT relname FROM t WHERE NOT EXISTS (SELECT FROM pg_index i WHERE i.indrelid = t.oid AND i.indisprimary)"},
	{"has a primary key or unique index not starting with tenant_id",
		`SELECT t.relname || ' (' || ic.relname || ')' FROM t
		JOIN pg_index i ON i.indrelid = t.oid AND i.indisunique
		JOIN pg_class ic ON ic.oid = i.indexrelid
		WHERE i.indkey[0] IS DISTINCT FROM t.tcol`},
	{"has a foreign key whose first column is not tenant_id",
		`SELECT t.relname || ' (' || co.conname || ')' FROM t
		JOIN pg_constraint co ON co.conrelid = t.oid AND co.contype = 'f'
		WHERE co.conkey[1] IS DISTINCT FROM t.tcol`},
	{"does not enable row-level security",
		"SELECT relname FROM t WHERE NOT relrowsecurity"},
	{"has no row-level security policy",
		"SELECT relname FROM t WHERE NOT EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = t.oid)"},
}

// tenantTableProblems reads the catalog and lists every way a tenant table
// breaks the rules that keep tenants apart, as "table …: problem".
func tenantTableProblems(t *testing.T, c *pgx.Conn) []string {
	t.Helper()
	const tables = `WITH t AS (
		SELECT c.oid, c.relname, c.relrowsecurity,
			(SELECT a.attnum FROM pg_attribute a
			 WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS tcol
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> ALL ($1)
	) `
	var problems []string
	for _, check := range tenantTableChecks {
		rows, err := c.Query(t.Context(), tables+check.query+" ORDER BY 1", globalTables)
		if err != nil {
			t.Fatalf("%s: %v", check.problem, err)
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("%s: %v", check.problem, err)
		}
		for _, name := range names {
			problems = append(problems, name+": "+check.problem)
		}
	}
	return problems
}

// TestTenantTables checks every table the migrations create, now and in
// future, for what row-level security and tenant-leading keys rely on.
func TestTenantTables(t *testing.T) {
	t.Parallel()
	owner := mustConnect(t, dbtest.MustURL(t))
	if n := count(t, owner, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> ALL ($1)", globalTables); n == 0 {
		t.Fatal("no tenant tables found: the catalog query cannot be checking anything")
	}
	if problems := tenantTableProblems(t, owner); len(problems) > 0 {
		t.Errorf("tenant tables break the isolation rules:\n\t%s", strings.Join(problems, "\n\t"))
	}
}

// TestTenantTableProblems shows that the checks of TestTenantTables catch
// what they look for.
func TestTenantTableProblems(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	owner := mustConnect(t, dbtest.MustURL(t))
	_, err := owner.Exec(ctx, `
		CREATE TABLE gadgets (name text);
		CREATE TABLE widgets (
			tenant_id bigint NOT NULL,
			id        bigint PRIMARY KEY,
			code      text UNIQUE,
			maker     bigint REFERENCES tenants (id)
		);`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range tenantTableProblems(t, owner) {
		if strings.HasPrefix(p, "gadgets") || strings.HasPrefix(p, "widgets") {
			got = append(got, p)
		}
	}
	want := []string{
		"gadgets: has no tenant_id column",
		"gadgets: has no primary key",
		"widgets (widgets_code_key): has a primary key or unique index not starting with tenant_id",
		"widgets (widgets_pkey): has a primary key or unique index not starting with tenant_id",
		"widgets (widgets_maker_fkey): has a foreign key whose first column is not tenant_id",
		"gadgets: does not enable row-level security",
		"widgets: does not enable row-level security",
		"gadgets: has no row-level security policy",
		"widgets: has no row-level security policy",
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems found:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// TestOpenRefusesCLocale: under LC_CTYPE=C pg_trgm drops Chinese
// characters, so Open must refuse such a database.
func TestOpenRefusesCLocale(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	u := dbtest.MustURL(t)
	admin := mustConnect(t, u)
	var name string
	if err := admin.QueryRow(ctx, "SELECT current_database() || '_c'").Scan(&name); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	cURL, err := db.DatabaseURL(u, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, cURL, "up", io.Discard); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, cURL)
	if err == nil {
		d.Close()
		t.Fatal("Open accepted a database with LC_CTYPE=C")
	}
	if !strings.Contains(err.Error(), "pg_trgm ignores Chinese") {
		t.Errorf("Open: %v, want an error explaining pg_trgm ignores Chinese", err)
	}
}

func migrationCount(t *testing.T) int {
	t.Helper()
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	return len(names)
}

// TestMigrateConcurrent starts several migrators on one empty database at
// once, as several servers starting together would: each migration must
// be applied exactly once and none of them fail.
func TestMigrateConcurrent(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	u := dbtest.MustURL(t)
	admin := mustConnect(t, u)
	var name string
	if err := admin.QueryRow(ctx, "SELECT current_database() || '_empty'").Scan(&name); err != nil {
		t.Fatal(err)
	}
	if err := db.EnsureDatabase(ctx, u, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	emptyURL, err := db.DatabaseURL(u, name)
	if err != nil {
		t.Fatal(err)
	}

	const migrators = 4
	var wg sync.WaitGroup
	outs := make([]bytes.Buffer, migrators)
	errs := make([]error, migrators)
	for i := range migrators {
		wg.Go(func() { errs[i] = db.Migrate(ctx, emptyURL, "up", &outs[i]) })
	}
	wg.Wait()
	applied := 0
	for i := range migrators {
		if errs[i] != nil {
			t.Errorf("migrator %d: %v", i, errs[i])
		}
		applied += strings.Count(outs[i].String(), "OK ")
	}
	if want := migrationCount(t); applied != want {
		t.Errorf("%d migrations applied in all, want each of %d once", applied, want)
	}
	c := mustConnect(t, emptyURL)
	if n, want := count(t, c, "SELECT count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0"), migrationCount(t); n != want {
		t.Errorf("goose_db_version records %d migrations, want %d", n, want)
	}
}

// TestMigrateDownUp rolls back the newest migration and applies it again,
// so every migration's Down section is exercised while it is the newest.
func TestMigrateDownUp(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	u := dbtest.MustURL(t)
	for _, cmd := range []string{"down", "up"} {
		if err := db.Migrate(ctx, u, cmd, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := db.Migrate(ctx, u, "status", &out); err != nil {
		t.Fatal(err)
	}
	if n, want := strings.Count(out.String(), "applied "), migrationCount(t); n != want {
		t.Errorf("status shows %d applied migrations, want %d:\n%s", n, want, &out)
	}
	if err := db.Migrate(ctx, u, "sideways", io.Discard); err == nil {
		t.Error(`Migrate "sideways" succeeded`)
	}
}
