package domain_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"

	"baobei/internal/db"
	"baobei/internal/db/dbtest"
	"baobei/internal/domain"
)

// mustPolicyTenant creates a company with one admin and returns admin and a
// salesperson-shaped actor of it.
func mustPolicyTenant(t *testing.T, d *db.DB, slug string) (admin, sales domain.Actor) {
	t.Helper()
	ctx := context.Background()
	var tenant int64
	err := d.Global(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO tenants (slug, name) VALUES ($1, $1) RETURNING id`, slug).Scan(&tenant)
	})
	if err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	var adminID int64
	err = d.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `
			INSERT INTO users (tenant_id, username, display_name, role, password_hash)
			VALUES ($1, 'admin', '管理员', 'admin', 'x') RETURNING id`, tenant).Scan(&adminID)
	})
	if err != nil {
		t.Fatalf("create admin: %v", err)
	}
	return domain.Actor{TenantID: tenant, UserID: adminID, Role: domain.RoleAdmin, RequestID: "req-1"},
		domain.Actor{TenantID: tenant, Role: domain.RoleSales}
}

// policyAuditCount counts the tenant's policy.update entries.
func policyAuditCount(t *testing.T, d *db.DB, tenant int64) int {
	t.Helper()
	ctx := context.Background()
	var n int
	err := d.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'policy.update'`, tenant).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUpdatePolicy(t *testing.T) {
	d := dbtest.MustDB(t)
	svc := domain.NewService(d)
	ctx := context.Background()
	admin, sales := mustPolicyTenant(t, d, "acme")
	otherAdmin, _ := mustPolicyTenant(t, d, "globex")

	p, err := svc.Policy(ctx, sales)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, domain.DefaultPolicy()) {
		t.Fatalf("new company policy = %+v, want defaults", p)
	}

	t.Run("admin updates", func(t *testing.T) {
		got, err := svc.UpdatePolicy(ctx, admin, map[string]json.RawMessage{
			"protection_days": rawJSON(`45`),
			"follow_up_days":  rawJSON(`{"A":4}`),
		})
		if err != nil {
			t.Fatalf("UpdatePolicy: %v", err)
		}
		want := domain.DefaultPolicy()
		want.ProtectionDays = 45
		want.FollowUpDays["A"] = 4
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("UpdatePolicy = %+v, want %+v", got, want)
		}
		// A second change updates the stored row.
		if got, err = svc.UpdatePolicy(ctx, admin, map[string]json.RawMessage{"reject_late": rawJSON(`true`)}); err != nil {
			t.Fatalf("second UpdatePolicy: %v", err)
		}
		want.RejectLate = true
		stored, err := svc.Policy(ctx, sales)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(stored, want) || !reflect.DeepEqual(got, want) {
			t.Fatalf("stored %+v, returned %+v, want %+v", stored, got, want)
		}

		var actor int64
		var entity, requestID string
		var entityID int64
		var before, after int
		err = d.InTenant(ctx, admin.TenantID, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `
				SELECT actor_id, entity, entity_id, request_id,
					(before->>'protection_days')::int, (after->>'protection_days')::int
				FROM audit_log WHERE tenant_id = $1 AND action = 'policy.update'
				ORDER BY id LIMIT 1`, admin.TenantID).
				Scan(&actor, &entity, &entityID, &requestID, &before, &after)
		})
		if err != nil {
			t.Fatalf("audit entry: %v", err)
		}
		if actor != admin.UserID || entity != "policy" || entityID != admin.TenantID || requestID != "req-1" || before != 30 || after != 45 {
			t.Errorf("audit entry = actor %d, %s %d, request %q, %d → %d", actor, entity, entityID, requestID, before, after)
		}
		if n := policyAuditCount(t, d, admin.TenantID); n != 2 {
			t.Errorf("%d audit entries, want 2", n)
		}
	})

	t.Run("sales is forbidden", func(t *testing.T) {
		_, err := svc.UpdatePolicy(ctx, sales, map[string]json.RawMessage{"protection_days": rawJSON(`60`)})
		if !errors.Is(err, domain.ErrForbidden) {
			t.Fatalf("err = %v, want ErrForbidden", err)
		}
	})

	t.Run("invalid is refused with fields", func(t *testing.T) {
		before := policyAuditCount(t, d, admin.TenantID)
		_, err := svc.UpdatePolicy(ctx, admin, map[string]json.RawMessage{
			"protection_days": rawJSON(`99999`),
			"nonsense":        rawJSON(`1`),
		})
		var e *domain.Error
		if !errors.As(err, &e) || e.Code != domain.CodeInvalid {
			t.Fatalf("err = %v, want a validation error", err)
		}
		if _, ok := e.Fields["nonsense"]; !ok || len(e.Fields) != 1 {
			t.Errorf("fields = %v, want nonsense", e.Fields)
		}
		_, err = svc.UpdatePolicy(ctx, admin, map[string]json.RawMessage{"protection_days": rawJSON(`99999`)})
		if !errors.As(err, &e) || e.Fields["protection_days"].Zh == "" {
			t.Errorf("err = %v, want a protection_days field error", err)
		}
		p, err := svc.Policy(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		if p.ProtectionDays != 45 {
			t.Errorf("protection_days = %d after refused update", p.ProtectionDays)
		}
		if n := policyAuditCount(t, d, admin.TenantID); n != before {
			t.Errorf("refused update wrote %d audit entries", n-before)
		}
	})

	t.Run("other company untouched", func(t *testing.T) {
		p, err := svc.Policy(ctx, otherAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p, domain.DefaultPolicy()) {
			t.Errorf("other company policy = %+v", p)
		}
	})

	t.Run("stored settings decode over defaults", func(t *testing.T) {
		err := d.InTenant(ctx, otherAdmin.TenantID, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO policies (tenant_id, settings) VALUES ($1, '{"protection_days": 10, "follow_up_days": {"C": 20}}')`, otherAdmin.TenantID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		p, err := svc.Policy(ctx, otherAdmin)
		if err != nil {
			t.Fatal(err)
		}
		want := domain.DefaultPolicy()
		want.ProtectionDays = 10
		want.FollowUpDays["C"] = 20
		if !reflect.DeepEqual(p, want) {
			t.Errorf("policy = %+v, want %+v", p, want)
		}
	})
}
