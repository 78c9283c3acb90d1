package domain

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// audit appends one entry to the tenant's append-only audit log, in the
// same transaction as the change it records. before and after are encoded
// as JSON, their personal values replaced by references (personal.go);
// either may be nil.
func audit(ctx context.Context, tx pgx.Tx, by Actor, action, entity string, entityID int64, before, after any) error {
	var actor *int64
	if by.UserID != 0 {
		actor = &by.UserID
	}
	b, err := pseudonymise(ctx, tx, by.TenantID, entity, entityID, before)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	a, err := pseudonymise(ctx, tx, by.TenantID, entity, entityID, after)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO audit_log (tenant_id, actor_id, action, entity, entity_id, before, after, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		by.TenantID, actor, action, entity, entityID, b, a, by.RequestID)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}
