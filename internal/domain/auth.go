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
		SELECT u.role, COALESCE(u.team_id, 0), u.must_change_password,
			COALESCE((SELECT array_agg(m.team_id ORDER BY m.team_id) FROM team_managers m
				WHERE m.tenant_id = u.tenant_id AND m.user_id = u.id), '{}')
		FROM users u WHERE u.tenant_id = $1 AND u.id = $2 AND u.active`, a.TenantID, a.UserID).
		Scan(&a.Role, &a.TeamID, &a.MustChangePassword, &a.Manages)
	if errors.Is(err, pgx.ErrNoRows) {
		return errBadCredentials
	}
	return err
}

// Token scopes: a read token may only read (GET and HEAD requests); a
// write token may do whatever its user may.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// MaxTokenDays is the longest lifetime a token can be given.
const MaxTokenDays = 365

// Token is an API token as its owner sees it in settings; the secret
// itself is shown once, when issued.
type Token struct {
	ID         int64      `json:"id,string"`
	Name       string     `json:"name"`
	Scope      string     `json:"scope"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"` // nil: never
	LastUsedAt *time.Time `json:"last_used_at"`
	Expired    bool       `json:"expired"`
}

// TokenInput is what a user chooses when issuing an API token.
type TokenInput struct {
	Name  string
	Scope string // ScopeRead or ScopeWrite; "" is ScopeWrite
	// When the token stops working: after ExpiresInDays days (1 –
	// MaxTokenDays), or at the end of the day ExpiresOn (YYYY-MM-DD in the
	// tenant's time zone, at most MaxTokenDays ahead); neither: never.
	ExpiresInDays *int
	ExpiresOn     string
}

// ErrTokenExpired is an API token past its expiry.
var ErrTokenExpired = &Error{Code: CodeUnauthorized, Message: i18n.Text{
	Zh: "此 API 令牌已过期, 请在设置中生成新令牌", En: "This API token has expired; issue a new one in settings"}}

// tokenTerms validates a token's scope and expiry as of now (expiry dates
// read in loc) and returns the scope and when the token expires (nil:
// never), or the field errors.
func (in TokenInput) tokenTerms(now time.Time, loc *time.Location) (string, *time.Time, map[string]i18n.Text) {
	f := map[string]i18n.Text{}
	scope := in.Scope
	switch scope {
	case "":
		scope = ScopeWrite
	case ScopeRead, ScopeWrite:
	default:
		f["scope"] = i18n.Text{Zh: "权限须为 read (只读) 或 write (读写)", En: "Scope must be read or write"}
	}
	var expires *time.Time
	switch {
	case in.ExpiresInDays != nil && in.ExpiresOn != "":
		f["expires_on"] = i18n.Text{Zh: "有效天数和到期日期只能填一个", En: "Give either a number of days or a date, not both"}
	case in.ExpiresInDays != nil:
		if d := *in.ExpiresInDays; d < 1 || d > MaxTokenDays {
			f["expires_in_days"] = i18n.Text{Zh: "有效天数须为 1 – 365", En: "Days must be from 1 to 365"}
		} else {
			t := now.Add(time.Duration(d) * 24 * time.Hour)
			expires = &t
		}
	case in.ExpiresOn != "":
		day, err := time.ParseInLocation(time.DateOnly, in.ExpiresOn, loc)
		end := day.AddDate(0, 0, 1) // the end of that day
		switch {
		case err != nil:
			f["expires_on"] = i18n.Text{Zh: "请填写日期 (YYYY-MM-DD)", En: "Enter a date (YYYY-MM-DD)"}
		case !end.After(now):
			f["expires_on"] = i18n.Text{Zh: "到期日期不能早于今天", En: "The date cannot be in the past"}
		case end.After(now.Add(MaxTokenDays * 24 * time.Hour)):
			f["expires_on"] = i18n.Text{Zh: "有效期最长 365 天", En: "A token lasts at most 365 days"}
		default:
			expires = &end
		}
	}
	return scope, expires, f
}

func hashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// IssueToken creates an API token named name for the actor, of the write
// scope and without expiry (IssueTokenWith's defaults), and returns its text.
func (s *Service) IssueToken(ctx context.Context, by Actor, name string) (string, error) {
	return s.IssueTokenWith(ctx, by, TokenInput{Name: name})
}

// IssueTokenWith creates an API token for the actor and returns its text,
// "bb_<tenant id>_<random>": the tenant id lets a look-up stay inside one
// tenant; only a hash of the whole text is stored. A bad scope or expiry
// is Invalid with field errors.
func (s *Service) IssueTokenWith(ctx context.Context, by Actor, in TokenInput) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	secret := "bb_" + strconv.FormatInt(by.TenantID, 10) + "_" + base64.RawURLEncoding.EncodeToString(b[:])
	name := clip(strings.TrimSpace(in.Name), 50)
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		p, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		scope, expires, f := in.tokenTerms(s.Now(), p.Location())
		if len(f) > 0 {
			return Invalid(f)
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO api_tokens (tenant_id, user_id, name, hash, scope, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			by.TenantID, by.UserID, name, hashToken(secret), scope, expires).Scan(&id); err != nil {
			return err
		}
		return audit(ctx, tx, by, "token.issue", "api_token", id, nil, map[string]any{"name": name, "scope": scope, "expires_at": expires})
	})
	if err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	return secret, nil
}

// TokenActor returns the actor an API token acts for, ReadOnly for a
// token of the read scope. An unknown, revoked or malformed token or a
// deactivated user is CodeUnauthorized; an expired token is
// ErrTokenExpired.
func (s *Service) TokenActor(ctx context.Context, secret string) (Actor, i18n.Lang, error) {
	rest, ok := strings.CutPrefix(secret, "bb_")
	tenant, _, ok2 := strings.Cut(rest, "_")
	tenantID, err := strconv.ParseInt(tenant, 10, 64)
	if !ok || !ok2 || err != nil || tenantID <= 0 {
		return Actor{}, "", errBadCredentials
	}
	a := Actor{TenantID: tenantID}
	var lang, scope string
	err = s.db.InTenant(ctx, tenantID, func(tx pgx.Tx) error {
		// An expired token keeps its last use: it was refused, not used.
		var expired bool
		err := tx.QueryRow(ctx, `
			UPDATE api_tokens k SET last_used_at = CASE WHEN k.expires_at <= $3 THEN k.last_used_at ELSE $3 END
			FROM users u
			WHERE k.tenant_id = $1 AND k.hash = $2 AND k.revoked_at IS NULL
				AND u.tenant_id = k.tenant_id AND u.id = k.user_id
			RETURNING k.user_id, u.lang, k.scope, COALESCE(k.expires_at <= $3, false)`,
			tenantID, hashToken(secret), s.Now()).Scan(&a.UserID, &lang, &scope, &expired)
		if errors.Is(err, pgx.ErrNoRows) {
			return errBadCredentials
		}
		if err != nil {
			return err
		}
		if expired {
			return ErrTokenExpired
		}
		a.ReadOnly = scope == ScopeRead
		return loadActor(ctx, tx, &a)
	})
	return a, i18n.Parse(lang), err
}

// Tokens lists the actor's API tokens that are not revoked, expired ones
// included (marked).
func (s *Service) Tokens(ctx context.Context, by Actor) ([]Token, error) {
	var out []Token
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, name, scope, created_at, expires_at, last_used_at, COALESCE(expires_at <= $3, false)
			FROM api_tokens
			WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL ORDER BY id DESC`, by.TenantID, by.UserID, s.Now())
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
