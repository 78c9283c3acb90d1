package domain

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// Notification is one message in a user's notification centre.
type Notification struct {
	ID        int64     `json:"id,string"`
	Kind      string    `json:"kind"`
	Text      i18n.Text `json:"-"`
	Link      string    `json:"link"`
	Read      bool      `json:"read"`
	CreatedAt time.Time `json:"created_at"`
}

// notify adds a notification for a user in the same transaction as the
// event it tells about.
func notify(ctx context.Context, tx pgx.Tx, tenantID, userID int64, kind string, text i18n.Text, link string) error {
	_, err := tx.Exec(ctx, `INSERT INTO notifications (tenant_id, user_id, kind, text_zh, text_en, link)
		VALUES ($1, $2, $3, $4, $5, $6)`, tenantID, userID, kind, text.Zh, text.En, link)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// Notifications returns the actor's newest notifications, at most limit.
func (s *Service) Notifications(ctx context.Context, by Actor, limit int) ([]Notification, error) {
	var out []Notification
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, kind, text_zh, text_en, link, read_at IS NOT NULL, created_at
			FROM notifications WHERE tenant_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT $3`, by.TenantID, by.UserID, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Notification, error) {
			var n Notification
			err := r.Scan(&n.ID, &n.Kind, &n.Text.Zh, &n.Text.En, &n.Link, &n.Read, &n.CreatedAt)
			return n, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	return out, nil
}

// MarkRead marks the actor's notifications with the given ids read; nil ids
// marks all. Other users' ids are ignored.
func (s *Service) MarkRead(ctx context.Context, by Actor, ids []int64) error {
	return s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE notifications SET read_at = $4
			WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL AND ($3::bigint[] IS NULL OR id = ANY($3))`,
			by.TenantID, by.UserID, ids, s.Now())
		return err
	})
}

// Me returns the actor's own user record, unread notification count and
// the tenant's time zone: what the shell of every page shows.
func (s *Service) Me(ctx context.Context, by Actor) (User, int, *time.Location, error) {
	var (
		u      User
		unread int
		tz     string
	)
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var err error
		if u, err = getUser(ctx, tx, by.TenantID, by.UserID); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL),
			COALESCE((SELECT settings->>'time_zone' FROM policies WHERE tenant_id = $1), '')`,
			by.TenantID, by.UserID).Scan(&unread, &tz)
	})
	if err != nil {
		return u, 0, nil, fmt.Errorf("me: %w", err)
	}
	return u, unread, Policy{TimeZone: tz}.Location(), nil
}
