package pgtmp

import "syscall"

// sysProcAttr runs a PostgreSQL program in its own process group (a
// terminal's Ctrl-C reaches only the parent, which then stops the server
// in order) as cred (nil: the current user), and has the kernel send it
// SIGQUIT (immediate shutdown) when the parent dies. The kernel sends that
// signal when the OS thread that started the child exits; Go ends threads
// only for goroutines that exit while locked to one, so do not start a
// server from such a goroutine.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGQUIT}
}
