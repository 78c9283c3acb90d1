package pgtmp

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestResolveDatabaseURL(t *testing.T) {
	const want = "postgres://someone@db.example/x"
	getenv := func(k string) string {
		if k == "DATABASE_URL" {
			return want
		}
		return ""
	}
	got, stop, err := Resolve(t.Context(), getenv, t.TempDir(), "baobei", t.Output())
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if got != want {
		t.Errorf("Resolve = %q, want DATABASE_URL %q", got, want)
	}
}

// TestEmbedded starts a private cluster, stops it, and starts it again on
// the same data directory, which must keep its data; once with the socket
// in the data directory, once with a data directory too long for that.
func TestEmbedded(t *testing.T) {
	if _, err := binDir(); err != nil {
		t.Skipf("cannot test the private server: %v", err)
	}
	top := t.TempDir()
	if os.Geteuid() == 0 {
		// t.TempDir's parent is private to root; the server runs as postgres.
		_, _, err := StartPrivate(t.Context(), filepath.Join(top, "denied"), "baobei", t.Output())
		if err == nil || !strings.Contains(err.Error(), "cannot enter") {
			t.Fatalf("start in a directory postgres cannot enter: err = %v, want one saying so", err)
		}
		if err := os.Chmod(filepath.Dir(top), 0o711); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, dir       string
		socketInDataDir bool
	}{
		{"short", filepath.Join(top, "data", "postgres"), true},
		{"long", filepath.Join(top, strings.Repeat("long", 25), "postgres"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testRestart(t, tc.dir, tc.socketInDataDir)
		})
	}
}

func testRestart(t *testing.T, dir string, socketInDataDir bool) {
	ctx := t.Context()
	start := func() (string, func()) {
		t.Helper()
		u, stop, err := StartPrivate(ctx, dir, "baobei", t.Output())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(stop)
		return u, stop
	}
	query := func(u, sql string, dst ...any) {
		t.Helper()
		c, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if len(dst) == 0 {
			_, err = c.Exec(ctx, sql)
		} else {
			err = c.QueryRow(ctx, sql).Scan(dst...)
		}
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}

	u, stop := start()
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Path != "/baobei" {
		t.Errorf("url %q does not name database baobei", u)
	}
	socketDir := parsed.Query().Get("host")
	if (socketDir == dir) != socketInDataDir {
		t.Errorf("socket in %s with data in %s: want socket in the data directory = %v", socketDir, dir, socketInDataDir)
	}
	query(u, "CREATE EXTENSION pg_trgm")
	var seesChinese bool
	query(u, "SELECT show_trgm('华为') <> '{}'", &seesChinese)
	if !seesChinese {
		t.Error("show_trgm('华为') is empty: the cluster's LC_CTYPE hides Chinese from pg_trgm")
	}
	query(u, "CREATE TABLE kept AS SELECT 42 AS answer")
	stop()
	pidFile := filepath.Join(dir, "postmaster.pid")
	if _, err := os.Stat(pidFile); err == nil {
		t.Error("postmaster.pid still there after stop")
	}
	if _, err := os.Stat(socketDir); !socketInDataDir && err == nil {
		t.Errorf("temporary socket directory %s still there after stop", socketDir)
	}

	// A server killed with its parent leaves postmaster.pid behind, naming
	// a process that is gone.
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(gone.Process.Pid)+"\n"+dir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	u, _ = start()
	var answer int
	query(u, "SELECT answer FROM kept", &answer)
	if answer != 42 {
		t.Errorf("after restart kept.answer = %d, want 42", answer)
	}
}
