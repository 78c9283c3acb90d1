package domain

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"baobei/internal/i18n"
)

// Sign-in throttling: failures counted over a window per company and
// username, and more loosely per client address, since a whole sales office
// may share one address.
const (
	throttleWindow     = 15 * time.Minute
	maxFailuresPerUser = 5
	maxFailuresPerAddr = 50
)

// dummyHash is compared against when the user does not exist, so a wrong
// username costs as much time as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a password"), bcrypt.DefaultCost)

var (
	errBadCredentials = &Error{Code: CodeUnauthorized, Message: i18n.Text{
		Zh: "公司代码、用户名或密码不正确", En: "Company code, username or password is wrong"}}
	errThrottled = &Error{Code: CodeRateLimited, Message: i18n.Text{
		Zh: "登录失败次数过多, 请 15 分钟后再试", En: "Too many failed sign-ins; try again in 15 minutes"}}
)

// SignIn checks a company code, username and password and returns the
// user's actor and language. It returns CodeUnauthorized for wrong
// credentials (without saying which part was wrong) and CodeRateLimited
// after repeated failures for that user or from that address.
func (s *Service) SignIn(ctx context.Context, slug, username, password, addr string) (Actor, i18n.Lang, error) {
	slug = strings.ToLower(strings.TrimSpace(slug))
	username = strings.TrimSpace(username)
	userKey := "u:" + slug + "/" + strings.ToLower(username)
	addrKey := "a:" + addr
	now := s.Now()
	var throttled bool
	err := s.db.Global(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM login_failures WHERE key = $1 AND failed_at > $3) >= $4 OR
			(SELECT count(*) FROM login_failures WHERE key = $2 AND failed_at > $3) >= $5`,
			userKey, addrKey, now.Add(-throttleWindow), maxFailuresPerUser, maxFailuresPerAddr).Scan(&throttled)
	})
	if err != nil {
		return Actor{}, "", fmt.Errorf("sign in: %w", err)
	}
	if throttled {
		return Actor{}, "", errThrottled
	}
	tenantID, _ := s.tenantBySlug(ctx, slug)
	var (
		userID int64
		hash   = string(dummyHash)
		lang   string
	)
	if tenantID != 0 {
		err = s.db.InTenant(ctx, tenantID, func(tx pgx.Tx) error {
			err := tx.QueryRow(ctx, `SELECT id, password_hash, lang FROM users
				WHERE tenant_id = $1 AND username = $2 AND active`, tenantID, username).Scan(&userID, &hash, &lang)
			if errors.Is(err, pgx.ErrNoRows) {
				hash = string(dummyHash)
				return nil
			}
			return err
		})
		if err != nil {
			return Actor{}, "", fmt.Errorf("sign in: %w", err)
		}
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || userID == 0 {
		err := s.db.Global(ctx, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO login_failures (key, failed_at) VALUES ($1, $3), ($2, $3)`, userKey, addrKey, now)
			return err
		})
		if err != nil {
			return Actor{}, "", fmt.Errorf("sign in: record failure: %w", err)
		}
		return Actor{}, "", errBadCredentials
	}
	err = s.db.Global(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE key = $1 OR failed_at < $2`, userKey, now.Add(-throttleWindow))
		return err
	})
	if err != nil {
		return Actor{}, "", fmt.Errorf("sign in: %w", err)
	}
	a, err := s.Actor(ctx, tenantID, userID)
	return a, i18n.Parse(lang), err
}

func (s *Service) tenantBySlug(ctx context.Context, slug string) (int64, error) {
	var id int64
	err := s.db.Global(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT id FROM tenants WHERE slug = $1`, slug).Scan(&id)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNotFound
	}
	return id, err
}

// Actor loads the acting identity of an active user: role, team and the
// teams they manage. A deactivated or unknown user gives CodeUnauthorized.
func (s *Service) Actor(ctx context.Context, tenantID, userID int64) (Actor, error) {
	a := Actor{TenantID: tenantID, UserID: userID}
	err := s.db.InTenant(ctx, tenantID, func(tx pgx.Tx) error {
		return loadActor(ctx, tx, &a)
	})
	return a, err
}

func loadActor(ctx context.Context, tx pgx.Tx, a *Actor) error {
	err := tx.QueryRow(ctx, `
		SELECT u.role, COALESCE(u.team_id, 0),
			COALESCE((SELECT array_agg(m.team_id ORDER BY m.team_id) FROM team_managers m
				WHERE m.tenant_id = u.tenant_id AND m.user_id = u.id), '{}')
		FROM users u WHERE u.tenant_id = $1 AND u.id = $2 AND u.active`, a.TenantID, a.UserID).
		Scan(&a.Role, &a.TeamID, &a.Manages)
	if errors.Is(err, pgx.ErrNoRows) {
		return errBadCredentials
	}
	return err
}

// Token is an API token as its owner sees it in settings; the secret
// itself is shown once, when issued.
type Token struct {
	ID         int64      `json:"id,string"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func hashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// IssueToken creates an API token for the actor and returns its text,
// "bb_<tenant id>_<random>": the tenant id lets a look-up stay inside one
// tenant; only a hash of the whole text is stored.
func (s *Service) IssueToken(ctx context.Context, by Actor, name string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	secret := "bb_" + strconv.FormatInt(by.TenantID, 10) + "_" + base64.RawURLEncoding.EncodeToString(b[:])
	name = strings.TrimSpace(name)
	if len([]rune(name)) > 50 {
		name = string([]rune(name)[:50])
	}
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO api_tokens (tenant_id, user_id, name, hash) VALUES ($1, $2, $3, $4) RETURNING id`,
			by.TenantID, by.UserID, name, hashToken(secret)).Scan(&id); err != nil {
			return err
		}
		return audit(ctx, tx, by, "token.issue", "api_token", id, nil, map[string]string{"name": name})
	})
	if err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	return secret, nil
}

// TokenActor returns the actor an API token acts for, or CodeUnauthorized
// for an unknown, revoked or malformed token or a deactivated user.
func (s *Service) TokenActor(ctx context.Context, secret string) (Actor, i18n.Lang, error) {
	rest, ok := strings.CutPrefix(secret, "bb_")
	tenant, _, ok2 := strings.Cut(rest, "_")
	tenantID, err := strconv.ParseInt(tenant, 10, 64)
	if !ok || !ok2 || err != nil || tenantID <= 0 {
		return Actor{}, "", errBadCredentials
	}
	a := Actor{TenantID: tenantID}
	var lang string
	err = s.db.InTenant(ctx, tenantID, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			UPDATE api_tokens k SET last_used_at = $3
			FROM users u
			WHERE k.tenant_id = $1 AND k.hash = $2 AND k.revoked_at IS NULL
				AND u.tenant_id = k.tenant_id AND u.id = k.user_id
			RETURNING k.user_id, u.lang`, tenantID, hashToken(secret), s.Now()).Scan(&a.UserID, &lang)
		if errors.Is(err, pgx.ErrNoRows) {
			return errBadCredentials
		}
		if err != nil {
			return err
		}
		return loadActor(ctx, tx, &a)
	})
	return a, i18n.Parse(lang), err
}

// Tokens lists the actor's live API tokens.
func (s *Service) Tokens(ctx context.Context, by Actor) ([]Token, error) {
	var out []Token
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, name, created_at, last_used_at FROM api_tokens
			WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL ORDER BY id DESC`, by.TenantID, by.UserID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Token])
		return err
	})
	return out, err
}

// RevokeToken revokes one of the actor's own tokens; another user's token
// is ErrNotFound.
func (s *Service) RevokeToken(ctx context.Context, by Actor, id int64) error {
	return s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = $4
			WHERE tenant_id = $1 AND id = $2 AND user_id = $3 AND revoked_at IS NULL`, by.TenantID, id, by.UserID, s.Now())
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, by, "token.revoke", "api_token", id, nil, nil)
	})
}
