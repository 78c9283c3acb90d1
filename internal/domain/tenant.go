package domain

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// Tenant is one company using Baobei.
type Tenant struct {
	ID   int64
	Slug string // the company code typed at sign-in
	Name string
}

// TenantInput creates a company with its first admin.
type TenantInput struct {
	Slug          string
	Name          string
	AdminUsername string
	AdminPassword string
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)

// CreateTenant creates a company, its default policy and its first admin.
// It returns Invalid for a malformed input and CodeDuplicate when the
// company code is taken.
func (s *Service) CreateTenant(ctx context.Context, in TenantInput) (Tenant, error) {
	in.Slug = strings.ToLower(strings.TrimSpace(in.Slug))
	f := map[string]i18n.Text{}
	if !slugPattern.MatchString(in.Slug) {
		f["slug"] = i18n.Text{Zh: "公司代码须为 2 – 32 个小写字母、数字或 -", En: "Company code must be 2–32 lower-case letters, digits or -"}
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Name)); n == 0 || n > 100 {
		f["name"] = i18n.Text{Zh: "请填写公司名称 (最多 100 字)", En: "Enter the company name (at most 100 characters)"}
	}
	admin := UserInput{Username: in.AdminUsername, DisplayName: in.AdminUsername, Role: RoleAdmin, Password: in.AdminPassword}
	for k, v := range admin.validate(true) {
		f["admin_"+k] = v
	}
	if len(f) > 0 {
		return Tenant{}, Invalid(f)
	}
	hash, err := s.hashPassword(in.AdminPassword)
	if err != nil {
		return Tenant{}, err
	}
	t := Tenant{Slug: in.Slug, Name: strings.TrimSpace(in.Name)}
	err = s.db.Global(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO tenants (slug, name) VALUES ($1, $2) RETURNING id`, t.Slug, t.Name).Scan(&t.ID)
		if isUnique(err) {
			return &Error{Code: CodeDuplicate, Message: i18n.Text{Zh: "公司代码已被使用", En: "That company code is taken"}}
		}
		if err != nil {
			return err
		}
		// Enter the new tenant for the rest of this transaction.
		if _, err := tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true)`, strconv.FormatInt(t.ID, 10)); err != nil {
			return err
		}
		u, err := insertUser(ctx, tx, t.ID, admin, hash)
		if err != nil {
			return err
		}
		return audit(ctx, tx, Actor{TenantID: t.ID}, "tenant.create", "tenant", t.ID, nil, map[string]any{"slug": t.Slug, "name": t.Name, "admin": u.Username})
	})
	if err != nil {
		return Tenant{}, fmt.Errorf("create tenant: %w", err)
	}
	return t, nil
}

// TenantByID returns a company by id.
func (s *Service) TenantByID(ctx context.Context, id int64) (Tenant, error) {
	t := Tenant{ID: id}
	err := s.db.Global(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT slug, name FROM tenants WHERE id = $1`, id).Scan(&t.Slug, &t.Name)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return t, ErrNotFound
	}
	return t, err
}

// TenantIDs lists every company, for jobs that visit each tenant in turn.
func (s *Service) TenantIDs(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := s.db.Global(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM tenants ORDER BY id`)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	return ids, err
}
