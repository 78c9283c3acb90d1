package domain

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// A signed-in browser holds an scs session, stored in the global table
// sessions under a random token. user_sessions is the tenant's index of
// them: one row per sign-in, naming the session by the SHA-256 of its
// token, so a user can list their sessions and end one. A session counts
// only while its row exists (SessionActor), so deleting the row signs that
// browser out even before its scs session is gone.

// sessionSeenEvery is how stale a session's last_seen_at may get before a
// request writes it again: at most one write per session in that time.
const sessionSeenEvery = 5 * time.Minute

// errSessionEnded is a session whose index row is gone: revoked by its
// user, or by an admin's password reset.
var errSessionEnded = &Error{Code: CodeUnauthorized, Message: i18n.Text{
	Zh: "会话已结束, 请重新登录", En: "This session has ended; sign in again"}}

// SessionDevice is what a sign-in records about the browser.
type SessionDevice struct {
	UserAgent string
	Address   string
}

// Session is one of a user's signed-in browsers, as their settings list it.
type Session struct {
	ID         int64     `json:"id,string"`
	UserAgent  string    `json:"user_agent"`
	Address    string    `json:"address"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	Current    bool      `json:"current"` // the session the list was asked from
}

// RecordSession indexes the actor's new sign-in session (token is the scs
// session token), forgets their sessions that have ended, and returns the
// new session's id.
func (s *Service) RecordSession(ctx context.Context, by Actor, token string, dev SessionDevice) (int64, error) {
	now := s.Now()
	var id int64
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		// Liveness is the session store's: its expiry against the database clock.
		if _, err := tx.Exec(ctx, `DELETE FROM user_sessions u WHERE u.tenant_id = $1 AND u.user_id = $2
			AND NOT EXISTS (SELECT 1 FROM sessions s WHERE sha256(s.token::bytea) = u.token_hash AND s.expiry > now())`,
			by.TenantID, by.UserID); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO user_sessions (tenant_id, user_id, token_hash, user_agent, address, created_at, last_seen_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
			by.TenantID, by.UserID, hashToken(token), clip(dev.UserAgent, 300), clip(dev.Address, 64), now).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("record session: %w", err)
	}
	return id, nil
}

// SessionActor returns the actor of a signed-in browser: the user's
// current actor while the session (scs token) is indexed, CodeUnauthorized
// once it was revoked or the user deactivated. It writes the session's
// last_seen_at at most every sessionSeenEvery.
func (s *Service) SessionActor(ctx context.Context, tenantID, userID int64, token string) (Actor, error) {
	a := Actor{TenantID: tenantID, UserID: userID}
	now := s.Now()
	err := s.db.InTenant(ctx, tenantID, func(tx pgx.Tx) error {
		var live bool
		err := tx.QueryRow(ctx, `
			WITH seen AS (
				UPDATE user_sessions SET last_seen_at = $4
				WHERE tenant_id = $1 AND user_id = $2 AND token_hash = $3 AND last_seen_at < $5)
			SELECT EXISTS (SELECT 1 FROM user_sessions WHERE tenant_id = $1 AND user_id = $2 AND token_hash = $3)`,
			tenantID, userID, hashToken(token), now, now.Add(-sessionSeenEvery)).Scan(&live)
		if err != nil {
			return err
		}
		if !live {
			return errSessionEnded
		}
		return loadActor(ctx, tx, &a)
	})
	return a, err
}

// RenewSession moves the index entry of the actor's session from its old
// scs token to the new one it was given (a privilege change renews it).
func (s *Service) RenewSession(ctx context.Context, by Actor, oldToken, newToken string) error {
	return s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE user_sessions SET token_hash = $4
			WHERE tenant_id = $1 AND user_id = $2 AND token_hash = $3`, by.TenantID, by.UserID, hashToken(oldToken), hashToken(newToken))
		if err != nil {
			return fmt.Errorf("renew session: %w", err)
		}
		return nil
	})
}

// Sessions lists the actor's live sessions, most recently seen first,
// marking the one whose scs token is current.
func (s *Service) Sessions(ctx context.Context, by Actor, current string) ([]Session, error) {
	var out []Session
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT u.id, u.user_agent, u.address, u.created_at, u.last_seen_at, u.token_hash = $3
			FROM user_sessions u
			WHERE u.tenant_id = $1 AND u.user_id = $2
				AND EXISTS (SELECT 1 FROM sessions s WHERE sha256(s.token::bytea) = u.token_hash AND s.expiry > now())
			ORDER BY u.last_seen_at DESC, u.id DESC`, by.TenantID, by.UserID, hashToken(current))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Session])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	return out, nil
}

// RevokeSession signs out one of the actor's sessions; another user's
// session, or one already ended, is ErrNotFound.
func (s *Service) RevokeSession(ctx context.Context, by Actor, id int64) error {
	return s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		n, err := endSessions(ctx, tx, by.TenantID, by.UserID, id, nil)
		if err != nil {
			return fmt.Errorf("revoke session: %w", err)
		}
		if n == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, by, "session.revoke", "user_session", id, nil, nil)
	})
}

// RevokeOtherSessions signs out every session of the actor's but the
// current one (scs token current).
func (s *Service) RevokeOtherSessions(ctx context.Context, by Actor, current string) error {
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		n, err := endSessions(ctx, tx, by.TenantID, by.UserID, 0, hashToken(current))
		if err != nil || n == 0 {
			return err
		}
		return audit(ctx, tx, by, "session.revoke_others", "user", by.UserID, nil, map[string]int{"sessions": n})
	})
	if err != nil {
		return fmt.Errorf("revoke other sessions: %w", err)
	}
	return nil
}

// endSessions deletes sessions of a user, index rows and scs sessions
// both: the one with id, or all (id 0) but the one whose token hash is
// keep (nil: none kept). It returns how many index rows it deleted.
func endSessions(ctx context.Context, tx pgx.Tx, tenantID, userID, id int64, keep []byte) (int, error) {
	var n int
	err := tx.QueryRow(ctx, `
		WITH gone AS (
			DELETE FROM user_sessions
			WHERE tenant_id = $1 AND user_id = $2 AND ($3::bigint = 0 OR id = $3) AND token_hash IS DISTINCT FROM $4
			RETURNING token_hash),
		ended AS (DELETE FROM sessions WHERE sha256(token::bytea) IN (SELECT token_hash FROM gone))
		SELECT count(*) FROM gone`, tenantID, userID, id, keep).Scan(&n)
	return n, err
}
