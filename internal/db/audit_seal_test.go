package db_test

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
)

// The audit chain's tables are as unchangeable for the application as the
// log: seals are append-only, the sealing queue can only grow and shrink,
// and a stored file's contents never change. Every audit row is queued for
// sealing by the database itself.
func TestAuditChainTablesAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d, _ := openBoth(t)
	a := mustTenant(t, d, "a")
	var auditID int64
	err := d.InTenant(ctx, a, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "INSERT INTO audit_log (tenant_id, action, entity) VALUES ($1, 'create', 'user') RETURNING id", a).Scan(&auditID); err != nil {
			return fmt.Errorf("insert audit: %w", err)
		}
		if n := count(t, tx, "SELECT count(*) FROM audit_unsealed WHERE audit_id = $1", auditID); n != 1 {
			t.Errorf("the new audit row is queued %d times, want once", n)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO audit_seals (tenant_id, seq, audit_id, prev_hash, hash) VALUES ($1, 1, $2, '\x00', '\x01')`, a, auditID); err != nil {
			return fmt.Errorf("insert seal: %w", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO files (tenant_id, uploaded_by, name, content_type, size, sha256, data, created_at)
			SELECT $1, id, 'a.pdf', 'application/pdf', 5, '\x00', '%PDF-', now() FROM users WHERE tenant_id = $1`, a)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		"UPDATE audit_seals SET hash = '\\x02'",
		"DELETE FROM audit_seals",
		"UPDATE audit_unsealed SET audit_id = audit_id + 1",
		"UPDATE files SET data = '%PDF-forged'",
		"DELETE FROM files",
		"UPDATE dispute_decisions SET reason = 'forged'",
		"DELETE FROM dispute_statements",
		"DELETE FROM chain_actions",
	} {
		err := d.InTenant(ctx, a, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, sql)
			return err
		})
		if pgCode(err) != "42501" {
			t.Errorf("%s as the application: err = %v, want permission denied (42501)", sql, err)
		}
	}
}
