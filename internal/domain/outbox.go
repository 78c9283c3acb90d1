package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// Delivery states of an outbox message.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryDead      = "dead"
)

// MaxDeliveryAttempts is how many times a message is tried before it is
// given up as dead (an admin may retry it).
const MaxDeliveryAttempts = 8

// Delivery is one outbox message: a notification on its way to one
// channel.
type Delivery struct {
	ID            int64      `json:"id,string"`
	ChannelID     int64      `json:"channel_id,string"`
	ChannelName   string     `json:"channel_name"`
	ChannelKind   string     `json:"channel_kind"`
	Kind          string     `json:"kind"` // the notification's kind
	Text          i18n.Text  `json:"-"`
	Recipient     string     `json:"recipient"` // the notified user's display name
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"` // pending only; nil: at once
	LastError     string     `json:"last_error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	DeliveredAt   *time.Time `json:"delivered_at,omitempty"`
}

// retryDelay is how long to wait after the attempts-th failed attempt: 30
// seconds, doubling each time, at most an hour.
func retryDelay(attempts int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Outbox lists the tenant's outbox messages, newest first, at most limit
// from before the cursor id (0: the newest). Admins only.
func (s *Service) Outbox(ctx context.Context, by Actor, limit int, before int64) ([]Delivery, int64, error) {
	if !by.Is(RoleAdmin) {
		return nil, 0, ErrForbidden
	}
	var out []Delivery
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT o.id, o.channel_id, c.name, c.kind, n.kind, n.text_zh, n.text_en, u.display_name,
				o.status, o.attempts,
				CASE WHEN o.status = 'pending' AND o.next_attempt_at <> '-infinity' THEN o.next_attempt_at END, o.last_error, o.created_at, o.delivered_at
			FROM outbox o
			JOIN outbound_channels c ON c.tenant_id = o.tenant_id AND c.id = o.channel_id
			JOIN notifications n ON n.tenant_id = o.tenant_id AND n.id = o.notification_id
			JOIN users u ON u.tenant_id = n.tenant_id AND u.id = n.user_id
			WHERE o.tenant_id = $1 AND ($2 = 0 OR o.id < $2)
			ORDER BY o.id DESC LIMIT $3`, by.TenantID, before, limit+1)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Delivery, error) {
			var d Delivery
			err := r.Scan(&d.ID, &d.ChannelID, &d.ChannelName, &d.ChannelKind, &d.Kind, &d.Text.Zh, &d.Text.En, &d.Recipient,
				&d.Status, &d.Attempts, &d.NextAttemptAt, &d.LastError, &d.CreatedAt, &d.DeliveredAt)
			return d, err
		})
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("outbox: %w", err)
	}
	out, next := trimPage(out, limit, func(d Delivery) int64 { return d.ID })
	return out, next, nil
}

// RetryDelivery makes a dead or waiting message due at once, with a fresh
// count of attempts. Admins only; ErrNotFound for an id of no message of
// the tenant; ErrInvalid for a delivered one.
func (s *Service) RetryDelivery(ctx context.Context, by Actor, id int64) error {
	if !by.Is(RoleAdmin) {
		return ErrForbidden
	}
	return s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var status string
		var attempts int
		err := tx.QueryRow(ctx, `SELECT status, attempts FROM outbox WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
			by.TenantID, id).Scan(&status, &attempts)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("retry delivery: %w", err)
		}
		if status == DeliveryDelivered {
			return InvalidMsg(i18n.Text{Zh: "该消息已送达", En: "This message has been delivered"})
		}
		if _, err := tx.Exec(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = '-infinity'
			WHERE tenant_id = $1 AND id = $2`, by.TenantID, id); err != nil {
			return fmt.Errorf("retry delivery: %w", err)
		}
		return audit(ctx, tx, by, "outbox.retry", "outbox", id,
			map[string]any{"status": status, "attempts": attempts}, map[string]any{"status": DeliveryPending, "attempts": 0})
	})
}

// DeliverOutbox sends every due outbox message of every tenant, one at a
// time, and returns how many it delivered. Each message is claimed with
// FOR UPDATE SKIP LOCKED and its lock held while it is sent, so servers
// running this at once never send one message twice at the same time; a
// failed send is retried later (retryDelay) until MaxDeliveryAttempts,
// then the message is dead. It is the background sender's round.
func (s *Service) DeliverOutbox(ctx context.Context) (int, error) {
	tenants, err := s.TenantIDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("deliver outbox: %w", err)
	}
	delivered := 0
	for _, tid := range tenants {
		for {
			found, ok, err := s.deliverNext(ctx, tid)
			if err != nil {
				return delivered, fmt.Errorf("deliver outbox of tenant %d: %w", tid, err)
			}
			if !found {
				break
			}
			if ok {
				delivered++
			}
		}
	}
	return delivered, nil
}

// deliverNext claims one due message of the tenant and tries to send it;
// it reports whether it found one and whether the send succeeded.
func (s *Service) deliverNext(ctx context.Context, tenantID int64) (found, ok bool, err error) {
	err = s.db.InTenant(ctx, tenantID, func(tx pgx.Tx) error {
		now := s.Now()
		m, err := claimDue(ctx, tx, tenantID, now)
		found = err == nil
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		sendErr := send(ctx, m, now)
		ok = sendErr == nil
		return recordAttempt(ctx, tx, tenantID, m, sendErr, now)
	})
	return found, ok, err
}

// outboundMessage is a claimed outbox message with all it takes to send it.
type outboundMessage struct {
	ID, NotificationID int64
	Attempts           int
	Channel            channelRow
	Kind               string // the notification's kind
	Event              string // its event (outbound_event)
	Text               i18n.Text
	Link               string
	CreatedAt          time.Time
	UserID             int64
	Username, UserName string
	Email, Lang        string
}

// claimDue locks the tenant's next due message of an enabled channel,
// skipping those another sender holds; pgx.ErrNoRows when none is due.
func claimDue(ctx context.Context, tx pgx.Tx, tenantID int64, now time.Time) (outboundMessage, error) {
	var m outboundMessage
	c := &m.Channel
	err := tx.QueryRow(ctx, `SELECT o.id, o.notification_id, o.attempts,
			c.id, c.kind, c.name, c.url, c.secret, c.keyword, c.markdown, c.smtp_host, c.smtp_port, c.smtp_username, c.smtp_password, c.smtp_from,
			n.kind, outbound_event(n.kind), n.text_zh, n.text_en, n.link, n.created_at, u.id, u.username, u.display_name, u.email, u.lang
		FROM outbox o
		JOIN outbound_channels c ON c.tenant_id = o.tenant_id AND c.id = o.channel_id
		JOIN notifications n ON n.tenant_id = o.tenant_id AND n.id = o.notification_id
		JOIN users u ON u.tenant_id = n.tenant_id AND u.id = n.user_id
		WHERE o.tenant_id = $1 AND o.status = 'pending' AND o.next_attempt_at <= $2 AND c.enabled
		ORDER BY o.next_attempt_at, o.id LIMIT 1
		FOR UPDATE OF o SKIP LOCKED`, tenantID, now).Scan(&m.ID, &m.NotificationID, &m.Attempts,
		&c.ID, &c.Kind, &c.Name, &c.URL, &c.Secret, &c.Keyword, &c.Markdown, &c.SMTPHost, &c.SMTPPort, &c.SMTPUsername, &c.SMTPPassword, &c.SMTPFrom,
		&m.Kind, &m.Event, &m.Text.Zh, &m.Text.En, &m.Link, &m.CreatedAt, &m.UserID, &m.Username, &m.UserName, &m.Email, &m.Lang)
	return m, err
}

// recordAttempt stores the outcome of one send: delivered, due again
// after retryDelay, or dead after MaxDeliveryAttempts.
func recordAttempt(ctx context.Context, tx pgx.Tx, tenantID int64, m outboundMessage, sendErr error, now time.Time) error {
	attempts := m.Attempts + 1
	var err error
	switch {
	case sendErr == nil:
		_, err = tx.Exec(ctx, `UPDATE outbox SET status = 'delivered', attempts = $3, delivered_at = $4, last_error = ''
			WHERE tenant_id = $1 AND id = $2`, tenantID, m.ID, attempts, now)
	default:
		status := DeliveryPending
		if attempts >= MaxDeliveryAttempts {
			status = DeliveryDead
		}
		_, err = tx.Exec(ctx, `UPDATE outbox SET status = $3, attempts = $4, next_attempt_at = $5, last_error = $6
			WHERE tenant_id = $1 AND id = $2`, tenantID, m.ID, status, attempts, now.Add(retryDelay(attempts)), clip(sendErr.Error(), 500))
	}
	if err != nil {
		return fmt.Errorf("record delivery attempt: %w", err)
	}
	return nil
}

// clip shortens s to at most n runes of valid UTF-8.
func clip(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "?"), "\x00", "")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
