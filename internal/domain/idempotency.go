package domain

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// IdempotencyTTL is how long a POST's response is kept for retries.
const IdempotencyTTL = 24 * time.Hour

// StoredResponse is the first response to a request with an
// Idempotency-Key, replayed to its retries.
type StoredResponse struct {
	Status      int
	ContentType string
	Body        []byte
}

// BeginIdempotent claims key for a request of the actor. It returns nil
// when this request is the first (the caller runs it, then calls
// FinishIdempotent or AbandonIdempotent), or the stored first response.
// A key still in use by a running request is CodeConflict; a key reused
// for another method or path is Invalid.
func (s *Service) BeginIdempotent(ctx context.Context, by Actor, key, method, path string) (*StoredResponse, error) {
	if key == "" || len(key) > 200 || !utf8.ValidString(key) {
		return nil, Invalid(map[string]i18n.Text{"Idempotency-Key": {Zh: "须为 1 – 200 个字符", En: "must be 1–200 characters"}})
	}
	now := s.Now()
	var stored *StoredResponse
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO idempotency_keys (tenant_id, user_id, key, method, path, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (tenant_id, user_id, key) DO UPDATE
				SET method = $4, path = $5, created_at = $6, status = NULL, body = NULL, content_type = ''
				WHERE idempotency_keys.created_at < $7`,
			by.TenantID, by.UserID, key, method, path, now, now.Add(-IdempotencyTTL))
		if err != nil || tag.RowsAffected() == 1 {
			return err
		}
		var (
			m, p   string
			status *int
			r      StoredResponse
		)
		if err := tx.QueryRow(ctx, `SELECT method, path, status, content_type, COALESCE(body, '') FROM idempotency_keys
			WHERE tenant_id = $1 AND user_id = $2 AND key = $3`, by.TenantID, by.UserID, key).
			Scan(&m, &p, &status, &r.ContentType, &r.Body); err != nil {
			return err
		}
		switch {
		case m != method || p != path:
			return Invalid(map[string]i18n.Text{"Idempotency-Key": {Zh: "该键已用于另一个请求", En: "already used for a different request"}})
		case status == nil:
			return &Error{Code: CodeConflict, Message: i18n.Text{Zh: "相同的请求正在处理中, 请稍后重试", En: "The same request is still being processed; retry shortly"}}
		}
		r.Status = *status
		stored = &r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("idempotency: %w", err)
	}
	return stored, nil
}

// FinishIdempotent stores the first response for key.
func (s *Service) FinishIdempotent(ctx context.Context, by Actor, key string, r StoredResponse) error {
	return s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE idempotency_keys SET status = $4, content_type = $5, body = $6
			WHERE tenant_id = $1 AND user_id = $2 AND key = $3`, by.TenantID, by.UserID, key, r.Status, r.ContentType, r.Body)
		return err
	})
}

// AbandonIdempotent forgets key after a request that failed for reasons a
// retry may not meet (a server error), so the retry runs again.
func (s *Service) AbandonIdempotent(ctx context.Context, by Actor, key string) error {
	return s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND user_id = $2 AND key = $3 AND status IS NULL`,
			by.TenantID, by.UserID, key)
		return err
	})
}
