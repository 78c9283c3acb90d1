// Package dbtest gives each database test a fresh, fully migrated
// database of its own.
//
// The server is, in order: DATABASE_URL (used as the admin connection, so
// its user must be able to create databases), a server at 127.0.0.1:5432
// as user postgres, or a private cluster that pgtmp starts in a temporary
// directory for this test process. The private cluster is never stopped
// explicitly: it receives SIGQUIT when the test process exits (Linux's
// parent-death signal), and the next test process removes the directories
// of clusters whose processes are gone.
//
// Once per process, a template database with every migration applied is
// built (or found, if another test process built it) under an advisory
// lock; each test then gets a cheap clone of it, dropped when the test
// ends. No server at all is a test failure, not a skip.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"baobei/internal/db"
	"baobei/internal/pgtmp"
	"baobei/migrations"
)

// templateLockID keys the advisory lock (in the admin database) under
// which test processes build the template: "bbtmpl" as a big-endian int.
const templateLockID int64 = 0x6262746d706c

var (
	setupOnce sync.Once
	admin     *pgxpool.Pool // connected to the server's admin database
	adminURL  string
	template  string // name of the migrated template database
	setupErr  error
)

// MustURL returns the URL of a new database, cloned from the migrated
// template, for this test alone, connecting as the server's admin user
// (superuser on a local or private server), for tests that must act
// outside the application role. The database is dropped when the test
// ends.
func MustURL(tb testing.TB) string {
	tb.Helper()
	setupOnce.Do(func() { setupErr = setup() })
	if setupErr != nil {
		tb.Fatalf("dbtest: no database for tests: %v", setupErr)
	}
	b := make([]byte, 8)
	rand.Read(b)
	name := fmt.Sprintf("t_%d_%s", os.Getpid(), hex.EncodeToString(b))
	ctx := context.Background()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		tb.Fatalf("dbtest: clone template: %v", err)
	}
	tb.Cleanup(func() { Drop(name) })
	u, err := db.DatabaseURL(adminURL, name)
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	return u
}

// drops counts the databases being dropped in the background.
var drops sync.WaitGroup

// Drop drops a test database in the background: each drop waits for a
// checkpoint, seconds on a busy server, and no test needs to wait for it.
// Main waits for the drops before the test process exits; a database left
// by a process that died is dropped by the next test process (see setup).
func Drop(name string) {
	drops.Add(1)
	go func() {
		defer drops.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "dbtest: drop %s: %v\n", name, err)
		}
	}()
}

// Main runs a package's tests and then waits for their databases to be
// dropped; call it from TestMain: os.Exit(dbtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	drops.Wait()
	return code
}

// dropLeftovers drops the test databases of test processes that are gone
// (killed, timed out) on a server of this machine.
func dropLeftovers(ctx context.Context) {
	rows, err := admin.Query(ctx, `SELECT datname FROM pg_database WHERE datname ~ '^t_[0-9]+_[0-9a-f]+$'`)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, name := range names {
		var pid int
		if _, err := fmt.Sscanf(name, "t_%d_", &pid); err == nil && pid > 0 && syscall.Kill(pid, 0) == syscall.ESRCH {
			Drop(name)
		}
	}
}

// MustDB returns a pool on a fresh database (see MustURL) that runs as
// db.AppRole, under row-level security, like the application. It is
// closed when the test ends.
func MustDB(tb testing.TB) *db.DB {
	tb.Helper()
	d, err := db.Open(context.Background(), MustURL(tb))
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	tb.Cleanup(d.Close)
	return d
}

// setup finds a server and makes sure the template for the current
// migrations exists on it.
func setup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	removeDeadClusters()
	var err error
	adminURL, _, err = pgtmp.Resolve(ctx, os.Getenv, clusterDir(os.Getpid()), "postgres", io.Discard)
	if err != nil {
		return err
	}
	if admin, err = pgxpool.New(ctx, adminURL); err != nil {
		return err
	}
	if os.Getenv("DATABASE_URL") == "" { // a server of this machine: its test processes' pids mean something
		dropLeftovers(ctx)
	}
	if template, err = templateName(); err != nil {
		return err
	}
	return ensureTemplate(ctx)
}

// ensureTemplate builds the template database unless it exists. It builds
// under another name and renames the result, so a template that exists is
// complete even if a test process died while building one.
func ensureTemplate(ctx context.Context) error {
	conn, err := admin.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLockID); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", templateLockID)

	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", template).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	building := template + "_building"
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
		return err
	}
	if err := db.EnsureDatabase(ctx, adminURL, building); err != nil {
		return err
	}
	u, err := db.DatabaseURL(adminURL, building)
	if err != nil {
		return err
	}
	if err := db.Migrate(ctx, u, "up", io.Discard); err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	// Migrate has closed its connections; the server waits a few seconds
	// for their backends to exit before refusing the rename.
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+template); err != nil {
		return err
	}
	// A stray session in the template would make every clone fail.
	_, err = conn.Exec(ctx, "ALTER DATABASE "+template+" WITH ALLOW_CONNECTIONS false")
	return err
}

// templateName is baobei_tmpl_ and 12 hex digits of a hash over the
// migrations' names and contents, so a changed migration gets a new
// template.
func templateName() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	return "baobei_tmpl_" + hex.EncodeToString(h.Sum(nil))[:12], nil
}

// clusterPrefix starts the name of each test process's cluster directory
// in os.TempDir(); the process id ends it.
const clusterPrefix = "baobei-dbtest-"

// clusterDir is where the test process pid keeps its private cluster.
func clusterDir(pid int) string {
	return filepath.Join(os.TempDir(), clusterPrefix+strconv.Itoa(pid))
}

// removeDeadClusters removes the private clusters of test processes that
// have exited, and any left by an earlier process with this one's id.
func removeDeadClusters() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), clusterPrefix+"*"))
	for _, dir := range dirs {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(dir), clusterPrefix))
		if err != nil {
			continue
		}
		if pid == os.Getpid() || syscall.Kill(pid, 0) == syscall.ESRCH {
			os.RemoveAll(dir)
		}
	}
}
