// Package pgtmp finds a PostgreSQL server for development and tests, or
// starts a private one from the locally installed binaries.
//
// The private server is started directly (not through pg_ctl, which
// daemonises) and, on Linux, with a parent-death signal, so it stops when
// the process that started it exits, even when that process is killed.
// Its data directory is kept between runs.
package pgtmp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"baobei/internal/db"
)

// localURL is the server Resolve tries when DATABASE_URL is not set.
const localURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Resolve returns the URL of the database dbname and a function that stops
// whatever Resolve started. In order of preference:
//
//  1. DATABASE_URL (read through getenv), returned as is;
//  2. a server answering at 127.0.0.1:5432 as user postgres, where dbname
//     is created if missing;
//  3. a private cluster in dataDir, created with initdb if missing and
//     started on a unix socket only, where dbname is created if missing.
//
// In case 3, stop shuts the server down and waits for it; otherwise it
// does nothing. Progress and the private server's log go to log. When no
// server answers and no PostgreSQL binaries are installed, the error says
// how to install them.
func Resolve(ctx context.Context, getenv func(string) string, dataDir string, dbname string, log io.Writer) (url string, stop func(), err error) {
	if u := getenv("DATABASE_URL"); u != "" {
		return u, func() {}, nil
	}
	perr := ping(ctx, localURL, 2*time.Second)
	if perr == nil {
		if err := db.EnsureDatabase(ctx, localURL, dbname); err != nil {
			return "", nil, fmt.Errorf("pgtmp: %w", err)
		}
		u, err := db.DatabaseURL(localURL, dbname)
		return u, func() {}, err
	}
	fmt.Fprintf(log, "pgtmp: no PostgreSQL at 127.0.0.1:5432 (%v); using a private one in %s\n", perr, dataDir)
	return StartPrivate(ctx, dataDir, dbname, log)
}

// ping reports whether a connection to connString succeeds within timeout.
func ping(ctx context.Context, connString string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := pgconn.Connect(ctx, connString)
	if err != nil {
		return err
	}
	return c.Close(ctx)
}

// StartPrivate runs a private cluster in dataDir (initialising it when it
// holds no cluster yet), creates dbname in it and returns its URL and a
// function that shuts the server down and waits for it. The server listens
// on a unix socket only: in dataDir when that path is short enough, so a
// restart on the same dataDir answers at the same URL, else in a new
// temporary directory. Resolve falls back to it; tests call it for a
// server of their own that they may stop and start.
func StartPrivate(ctx context.Context, dataDir, dbname string, log io.Writer) (string, func(), error) {
	bin, err := binDir()
	if err != nil {
		return "", nil, err
	}
	dataDir, err = filepath.Abs(dataDir)
	if err != nil {
		return "", nil, fmt.Errorf("pgtmp: %w", err)
	}
	// Parents stay searchable: as root, the server runs as another user.
	if err := os.MkdirAll(filepath.Dir(dataDir), 0o755); err != nil {
		return "", nil, fmt.Errorf("pgtmp: %w", err)
	}
	if err := os.Mkdir(dataDir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", nil, fmt.Errorf("pgtmp: %w", err)
	}
	// A unix socket path must fit in sockaddr_un (about 104 bytes).
	socketDir, tempSocketDir := dataDir, false
	if len(dataDir)+len("/.s.PGSQL.5432") >= 100 {
		if socketDir, err = os.MkdirTemp("", "pg"); err != nil {
			return "", nil, fmt.Errorf("pgtmp: %w", err)
		}
		tempSocketDir = true
	}
	cleanup := func() {
		if tempSocketDir {
			os.RemoveAll(socketDir)
		}
	}
	run, err := runAs(dataDir, socketDir)
	if err != nil {
		cleanup()
		return "", nil, err
	}

	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(log, "pgtmp: creating a PostgreSQL cluster in %s\n", dataDir)
		cmd := run(filepath.Join(bin, "initdb"), "--no-sync", "-U", "postgres", "--auth=trust",
			"--encoding=UTF8", "--locale=C.UTF-8", "-D", dataDir)
		if out, err := cmd.CombinedOutput(); err != nil {
			cleanup()
			return "", nil, fmt.Errorf("pgtmp: initdb: %w\n%s", err, out)
		}
	}
	if err := removeStalePID(dataDir); err != nil {
		cleanup()
		return "", nil, err
	}

	tail := &tailBuffer{}
	cmd := run(filepath.Join(bin, "postgres"), "-D", dataDir, "-k", socketDir,
		"-c", "listen_addresses=", "-p", "5432")
	cmd.Stdout = io.MultiWriter(log, tail)
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("pgtmp: start postgres: %w", err)
	}
	exited := make(chan struct{}) // closed when the server has exited
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cmd.Process.Signal(syscall.SIGINT) // fast shutdown: disconnect clients, checkpoint
			select {
			case <-exited:
			case <-time.After(30 * time.Second):
				cmd.Process.Signal(syscall.SIGQUIT)
				<-exited
			}
			cleanup()
		})
	}

	u := (&url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Path:     "/postgres",
		RawQuery: url.Values{"host": {socketDir}, "port": {"5432"}, "sslmode": {"disable"}}.Encode(),
	}).String()
	if err := waitReady(ctx, u, dataDir, exited); err != nil {
		stop()
		if errors.Is(err, errExited) {
			err = fmt.Errorf("%w (%w)", err, waitErr)
		}
		return "", nil, fmt.Errorf("pgtmp: %w:\n%s", err, tail)
	}
	fmt.Fprintf(log, "pgtmp: PostgreSQL is running in %s (socket in %s)\n", dataDir, socketDir)
	if err := db.EnsureDatabase(ctx, u, dbname); err != nil {
		stop()
		return "", nil, fmt.Errorf("pgtmp: %w", err)
	}
	u, err = db.DatabaseURL(u, dbname)
	if err != nil {
		stop()
		return "", nil, err
	}
	return u, stop, nil
}

// errExited reports a server that exited while starting.
var errExited = errors.New("postgres exited")

// waitReady waits until the server started on dataDir says it is ready
// (as pg_ctl does, from the status line of postmaster.pid) and accepts a
// connection at u. It fails with errExited when exited is closed first,
// and after a minute.
func waitReady(ctx context.Context, u, dataDir string, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	err := errors.New("not ready")
	for {
		if b, rerr := os.ReadFile(filepath.Join(dataDir, "postmaster.pid")); rerr == nil {
			if lines := strings.Split(string(b), "\n"); len(lines) > 7 && strings.TrimSpace(lines[7]) == "ready" {
				if err = ping(ctx, u, time.Second); err == nil {
					return nil
				}
			}
		}
		select {
		case <-exited:
			return errExited
		case <-ctx.Done():
			return fmt.Errorf("postgres not ready (%w): %w", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// binDir returns the directory holding initdb and postgres: pg_config
// --bindir, else the newest /usr/lib/postgresql/*/bin.
func binDir() (string, error) {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return majorVersion(dirs[i]) > majorVersion(dirs[j]) })
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	install := "install PostgreSQL (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql)"
	if runtime.GOOS == "darwin" {
		install = "install PostgreSQL: brew install postgresql"
	}
	return "", errors.New("pgtmp: no PostgreSQL server answers at 127.0.0.1:5432, DATABASE_URL is not set, " +
		"and no PostgreSQL binaries were found (pg_config, /usr/lib/postgresql/*/bin); " + install)
}

// majorVersion returns N of /usr/lib/postgresql/N/bin, 0 if N is not a number.
func majorVersion(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// runAs prepares running PostgreSQL's programs on dataDir and socketDir.
// As root, where PostgreSQL refuses to run, the programs run as the OS
// user "postgres", who is given both directories and must be able to
// reach them.
func runAs(dataDir, socketDir string) (func(name string, args ...string) *exec.Cmd, error) {
	if os.Geteuid() != 0 {
		return func(name string, args ...string) *exec.Cmd {
			cmd := exec.Command(name, args...)
			cmd.SysProcAttr = sysProcAttr(nil)
			return cmd
		}, nil
	}
	pg, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgtmp: PostgreSQL refuses to run as root and there is no OS user \"postgres\" to run it as (%w); create one (useradd --system postgres) or run as another user", err)
	}
	uid, err1 := strconv.ParseUint(pg.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(pg.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("pgtmp: user postgres: %w", err)
	}
	dirs := []string{dataDir}
	if socketDir != dataDir {
		dirs = append(dirs, socketDir)
	}
	for _, dir := range dirs {
		if err := checkReachable(filepath.Dir(dir), uint32(uid), uint32(gid)); err != nil {
			return nil, err
		}
		if err := chownAll(dir, int(uid), int(gid)); err != nil {
			return nil, fmt.Errorf("pgtmp: %w", err)
		}
	}
	env := append(os.Environ(), "HOME="+dataDir)
	return func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(name, args...)
		cmd.Env = env
		cmd.Dir = dataDir
		cmd.SysProcAttr = sysProcAttr(&syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)})
		return cmd
	}, nil
}

// checkReachable reports an error unless the user uid (group gid, no
// supplementary groups) may search dir and every directory above it.
func checkReachable(dir string, uid, gid uint32) error {
	for {
		fi, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("pgtmp: %w", err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return nil
		}
		perm := fi.Mode().Perm()
		var can bool
		switch {
		case st.Uid == uid:
			can = perm&0o100 != 0
		case st.Gid == gid:
			can = perm&0o010 != 0
		default:
			can = perm&0o001 != 0
		}
		if !can {
			return fmt.Errorf("pgtmp: PostgreSQL runs as OS user postgres (it refuses root), who cannot enter %s (mode %v); "+
				"choose a data directory elsewhere or allow it: chmod o+x %s", dir, perm, dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil
		}
		dir = parent
	}
}

// chownAll gives dir and everything in it to uid and gid.
func chownAll(dir string, uid, gid int) error {
	return filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
}

// removeStalePID removes dataDir/postmaster.pid when the process it names
// is gone, as after the parent of a private server was killed.
func removeStalePID(dataDir string) error {
	file := filepath.Join(dataDir, "postmaster.pid")
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("pgtmp: %w", err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return fmt.Errorf("pgtmp: %s does not start with a process id; remove it if no server runs on %s", file, dataDir)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		return nil // alive (or not ours to probe): postgres will report it
	}
	if err := os.Remove(file); err != nil {
		return fmt.Errorf("pgtmp: remove stale pid file: %w", err)
	}
	return nil
}

// tailBuffer keeps the last few kilobytes written to it, for error
// messages about a server that would not start.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	const max = 4 << 10
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > max {
		t.b = append(t.b[:0], t.b[len(t.b)-max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
