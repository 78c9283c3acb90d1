package domain

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"baobei/internal/i18n"
)

// User is a person who signs in to one company.
type User struct {
	ID          int64  `json:"id,string"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        Role   `json:"role"`
	TeamID      int64  `json:"team_id,string,omitempty"`
	TeamName    string `json:"team_name,omitempty"`
	Region      string `json:"region,omitempty"`
	Email       string `json:"email,omitempty"` // where e-mail channels send the user's notifications
	Lang        string `json:"lang,omitempty"`
	Active      bool   `json:"active"`
}

// UserInput is what an admin fills in to create or change a user.
// Password is required on create and ignored on update.
type UserInput struct {
	Username    string
	DisplayName string
	Role        Role
	TeamID      int64
	Region      string
	Email       string // optional
	Password    string
}

var usernamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]{2,32}$`)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

func validatePassword(pw string, fields map[string]i18n.Text, key string) {
	if utf8.RuneCountInString(pw) < MinPasswordLength || len(pw) > 72 {
		fields[key] = i18n.Text{Zh: "密码须为 8 – 72 个字符", En: "Password must be 8–72 characters"}
	}
}

func (in UserInput) validate(create bool) map[string]i18n.Text {
	f := map[string]i18n.Text{}
	if create && !usernamePattern.MatchString(in.Username) {
		f["username"] = i18n.Text{Zh: "用户名须为 2 – 32 个字母、数字或 _ . -", En: "Username must be 2–32 letters, digits or _ . -"}
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.DisplayName)); n == 0 || n > 50 {
		f["display_name"] = i18n.Text{Zh: "请填写姓名 (最多 50 字)", En: "Enter a name (at most 50 characters)"}
	}
	if !in.Role.Valid() {
		f["role"] = i18n.Text{Zh: "请选择角色", En: "Choose a role"}
	}
	if (in.Role == RoleSales || in.Role == RoleManager) && in.TeamID == 0 {
		f["team_id"] = i18n.Text{Zh: "销售和经理须属于一个团队", En: "Sales and managers must belong to a team"}
	}
	if utf8.RuneCountInString(in.Region) > 50 {
		f["region"] = i18n.Text{Zh: "区域最多 50 字", En: "Region is at most 50 characters"}
	}
	if a, err := mail.ParseAddress(in.Email); in.Email != "" && (err != nil || a.Address != in.Email || len(in.Email) > 254) {
		f["email"] = i18n.Text{Zh: "请填写有效的电子邮件地址", En: "Enter a valid e-mail address"}
	}
	if create {
		validatePassword(in.Password, f, "password")
	}
	return f
}

func (s *Service) hashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), s.PasswordCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

const userColumns = `u.id, u.username, u.display_name, u.role, COALESCE(u.team_id, 0), COALESCE(t.name, ''), u.region, u.email, u.lang, u.active`

func scanUser(row pgx.Row) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.TeamID, &u.TeamName, &u.Region, &u.Email, &u.Lang, &u.Active)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, ErrNotFound
	}
	return u, err
}

func getUser(ctx context.Context, tx pgx.Tx, tenantID, id int64) (User, error) {
	return scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+`
		FROM users u LEFT JOIN teams t ON t.tenant_id = u.tenant_id AND t.id = u.team_id
		WHERE u.tenant_id = $1 AND u.id = $2`, tenantID, id))
}

// Users lists the company's users, active first. Every role may list them
// (salespeople pick colleagues by name); the API hides details from sales.
func (s *Service) Users(ctx context.Context, by Actor) ([]User, error) {
	var out []User
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+userColumns+`
			FROM users u LEFT JOIN teams t ON t.tenant_id = u.tenant_id AND t.id = u.team_id
			WHERE u.tenant_id = $1 ORDER BY u.active DESC, u.role, u.username`, by.TenantID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (User, error) { return scanUser(r) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return out, nil
}

// User returns one user of the actor's company, or ErrNotFound.
func (s *Service) User(ctx context.Context, by Actor, id int64) (User, error) {
	var u User
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) (err error) {
		u, err = getUser(ctx, tx, by.TenantID, id)
		return err
	})
	return u, err
}

// checkTeam returns a field error when teamID is set and not a team of the tenant.
func checkTeam(ctx context.Context, tx pgx.Tx, tenantID, teamID int64, f map[string]i18n.Text) error {
	if teamID == 0 {
		return nil
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM teams WHERE tenant_id = $1 AND id = $2)`, tenantID, teamID).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		f["team_id"] = i18n.Text{Zh: "团队不存在", En: "No such team"}
	}
	return nil
}

// CreateUser adds a user to the actor's company. Admins only; returns
// Invalid with field errors, or CodeDuplicate for a taken username.
func (s *Service) CreateUser(ctx context.Context, by Actor, in UserInput) (User, error) {
	if !by.Is(RoleAdmin) {
		return User{}, ErrForbidden
	}
	hash, err := s.hashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	return s.createUser(ctx, by, in, hash)
}

// createUser is CreateUser with the password already hashed.
func (s *Service) createUser(ctx context.Context, by Actor, in UserInput, hash string) (User, error) {
	in.Username = strings.TrimSpace(in.Username)
	f := in.validate(true)
	var u User
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		if err := checkTeam(ctx, tx, by.TenantID, in.TeamID, f); err != nil {
			return err
		}
		if len(f) > 0 {
			return Invalid(f)
		}
		var err error
		if u, err = insertUser(ctx, tx, by.TenantID, in, hash); err != nil {
			return err
		}
		return audit(ctx, tx, by, "user.create", "user", u.ID, nil, u)
	})
	return u, err
}

func insertUser(ctx context.Context, tx pgx.Tx, tenantID int64, in UserInput, hash string) (User, error) {
	var team *int64
	if in.TeamID != 0 {
		team = &in.TeamID
	}
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO users (tenant_id, username, display_name, role, team_id, region, password_hash, email)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		tenantID, in.Username, strings.TrimSpace(in.DisplayName), in.Role, team, in.Region, hash, in.Email).Scan(&id)
	if isUnique(err) {
		return User{}, &Error{Code: CodeDuplicate, Message: i18n.Text{Zh: "用户名已被使用", En: "That username is taken"},
			Fields: map[string]i18n.Text{"username": {Zh: "用户名已被使用", En: "That username is taken"}}}
	}
	if err != nil {
		return User{}, fmt.Errorf("insert user: %w", err)
	}
	return getUser(ctx, tx, tenantID, id)
}

// UpdateUser changes a user's name, role, team and region. Admins only.
// A role or team change takes effect at the user's next request.
func (s *Service) UpdateUser(ctx context.Context, by Actor, id int64, in UserInput) (User, error) {
	if !by.Is(RoleAdmin) {
		return User{}, ErrForbidden
	}
	f := in.validate(false)
	var u User
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		before, err := getUser(ctx, tx, by.TenantID, id)
		if err != nil {
			return err
		}
		if err := checkTeam(ctx, tx, by.TenantID, in.TeamID, f); err != nil {
			return err
		}
		if id == by.UserID && in.Role != RoleAdmin {
			f["role"] = i18n.Text{Zh: "不能取消自己的管理员角色", En: "You cannot remove your own admin role"}
		}
		if len(f) > 0 {
			return Invalid(f)
		}
		var team *int64
		if in.TeamID != 0 {
			team = &in.TeamID
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET display_name = $3, role = $4, team_id = $5, region = $6, email = $7
			WHERE tenant_id = $1 AND id = $2`, by.TenantID, id, strings.TrimSpace(in.DisplayName), in.Role, team, in.Region, in.Email); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if u, err = getUser(ctx, tx, by.TenantID, id); err != nil {
			return err
		}
		return audit(ctx, tx, by, "user.update", "user", id, before, u)
	})
	return u, err
}

// ResetPassword sets a temporary password for a user. Admins only. The
// user must choose a new password at their next sign-in (their API
// tokens are refused until then), and every session they have is
// signed out.
func (s *Service) ResetPassword(ctx context.Context, by Actor, id int64, password string) error {
	if !by.Is(RoleAdmin) {
		return ErrForbidden
	}
	f := map[string]i18n.Text{}
	if validatePassword(password, f, "password"); len(f) > 0 {
		return Invalid(f)
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return err
	}
	return s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $3, must_change_password = true
			WHERE tenant_id = $1 AND id = $2`, by.TenantID, id, hash)
		if err != nil {
			return fmt.Errorf("reset password: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		ended, err := endSessions(ctx, tx, by.TenantID, id, 0, nil)
		if err != nil {
			return fmt.Errorf("reset password: %w", err)
		}
		return audit(ctx, tx, by, "user.reset_password", "user", id, nil, map[string]int{"sessions_ended": ended})
	})
}

// SetActive activates or deactivates a user. Admins only; an admin cannot
// deactivate themselves. A deactivated user's sessions and tokens stop
// working at their next request, and the claims they hold go to their
// team's pool (departure.go).
func (s *Service) SetActive(ctx context.Context, by Actor, id int64, active bool) error {
	if !by.Is(RoleAdmin) {
		return ErrForbidden
	}
	if id == by.UserID && !active {
		return InvalidMsg(i18n.Text{Zh: "不能停用自己的账号", En: "You cannot deactivate your own account"})
	}
	return s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		before, err := getUser(ctx, tx, by.TenantID, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET active = $3 WHERE tenant_id = $1 AND id = $2`, by.TenantID, id, active); err != nil {
			return fmt.Errorf("set active: %w", err)
		}
		after := before
		after.Active = active
		if err := audit(ctx, tx, by, "user.set_active", "user", id, before, after); err != nil || active {
			return err
		}
		return releaseToTeamPool(ctx, tx, by, before, s.Now())
	})
}

// SetLang remembers the actor's interface language.
func (s *Service) SetLang(ctx context.Context, by Actor, lang i18n.Lang) error {
	return s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE users SET lang = $3 WHERE tenant_id = $1 AND id = $2`, by.TenantID, by.UserID, string(lang))
		return err
	})
}

// ChangePassword changes the actor's own password after checking the
// current one; the new one must differ from it. It ends the forced change
// that follows an admin's reset.
func (s *Service) ChangePassword(ctx context.Context, by Actor, current, password string) error {
	f := map[string]i18n.Text{}
	validatePassword(password, f, "password")
	return s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var hash string
		if err := tx.QueryRow(ctx, `SELECT password_hash FROM users WHERE tenant_id = $1 AND id = $2`, by.TenantID, by.UserID).Scan(&hash); err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		if bcrypt.CompareHashAndPassword([]byte(hash), []byte(current)) != nil {
			f["current"] = i18n.Text{Zh: "当前密码不正确", En: "Current password is wrong"}
		} else if _, bad := f["password"]; !bad && password == current {
			f["password"] = i18n.Text{Zh: "新密码不能与当前密码相同", En: "The new password must differ from the current one"}
		}
		if len(f) > 0 {
			return Invalid(f)
		}
		newHash, err := s.hashPassword(password)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $3, must_change_password = false
			WHERE tenant_id = $1 AND id = $2`, by.TenantID, by.UserID, newHash); err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		return audit(ctx, tx, by, "user.change_password", "user", by.UserID, nil, nil)
	})
}
