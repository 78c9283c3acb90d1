//go:build !linux

package pgtmp

import "syscall"

// sysProcAttr runs a PostgreSQL program in its own process group (a
// terminal's Ctrl-C reaches only the parent, which then stops the server
// in order) as cred (nil: the current user). Without Linux's parent-death
// signal, a server whose parent is killed keeps running; the next start
// on the same data directory then reports it.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Setpgid: true}
}
