package domain

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// OutboundEvents are the events an outbound channel may subscribe to, in
// the order the settings page shows them. The notification kinds of each
// are mapped in the database (outbound_event, migration 00010):
// conflict ← conflict, arbitration; consent ← consent; expiry ←
// expiry_notice, claim_ended; dispute_decision ← dispute_decision.
var OutboundEvents = []string{"conflict", "consent", "expiry", "dispute_decision"}

// Outbound channel kinds: e-mail to the notified user, the WeCom (企业微信)
// and DingTalk (钉钉) group robots, and a generic JSON webhook.
const (
	ChannelEmail    = "email"
	ChannelWeCom    = "wecom"
	ChannelDingTalk = "dingtalk"
	ChannelWebhook  = "webhook"
)

// ChannelKinds lists the channel kinds in the order the settings page shows them.
var ChannelKinds = []string{ChannelEmail, ChannelWeCom, ChannelDingTalk, ChannelWebhook}

// Channel is an outbound channel as it is shown back: the secrets (SMTP
// password, signing secret) only say whether they are set, and the
// webhook URL, whose query often holds the robot's access token, is
// masked.
type Channel struct {
	ID              int64     `json:"id,string"`
	Kind            string    `json:"kind"`
	Name            string    `json:"name"`
	Enabled         bool      `json:"enabled"`
	Events          []string  `json:"events"`
	URL             string    `json:"url,omitempty"`
	SecretSet       bool      `json:"secret_set"`
	Keyword         string    `json:"keyword,omitempty"`
	Markdown        bool      `json:"markdown"`
	SMTPHost        string    `json:"smtp_host,omitempty"`
	SMTPPort        int       `json:"smtp_port,omitempty"`
	SMTPUsername    string    `json:"smtp_username,omitempty"`
	SMTPPasswordSet bool      `json:"smtp_password_set"`
	SMTPFrom        string    `json:"smtp_from,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
}

// ChannelInput is what an admin fills in to add or change a channel. On a
// change, an empty URL, Secret or SMTPPassword keeps the stored one.
type ChannelInput struct {
	Kind         string   `json:"kind"`
	Name         string   `json:"name"`
	Enabled      bool     `json:"enabled"`
	Events       []string `json:"events"`
	URL          string   `json:"url"`
	Secret       string   `json:"secret"`
	Keyword      string   `json:"keyword"`
	Markdown     bool     `json:"markdown"`
	SMTPHost     string   `json:"smtp_host"`
	SMTPPort     int      `json:"smtp_port"`
	SMTPUsername string   `json:"smtp_username"`
	SMTPPassword string   `json:"smtp_password"`
	SMTPFrom     string   `json:"smtp_from"`
}

// channelRow is a channel as stored, secrets included: for delivery only.
type channelRow struct {
	ID                                   int64
	Kind, Name                           string
	Enabled                              bool
	Events                               []string
	URL, Secret, Keyword                 string
	Markdown                             bool
	SMTPHost                             string
	SMTPPort                             int
	SMTPUsername, SMTPPassword, SMTPFrom string
	CreatedAt                            time.Time
}

const channelColumns = `id, kind, name, enabled, events, url, secret, keyword, markdown,
	smtp_host, smtp_port, smtp_username, smtp_password, smtp_from, created_at`

func scanChannel(r pgx.Row) (channelRow, error) {
	var c channelRow
	err := r.Scan(&c.ID, &c.Kind, &c.Name, &c.Enabled, &c.Events, &c.URL, &c.Secret, &c.Keyword, &c.Markdown,
		&c.SMTPHost, &c.SMTPPort, &c.SMTPUsername, &c.SMTPPassword, &c.SMTPFrom, &c.CreatedAt)
	return c, err
}

// shown is the channel without its secrets.
func (c channelRow) shown() Channel {
	return Channel{ID: c.ID, Kind: c.Kind, Name: c.Name, Enabled: c.Enabled, Events: c.Events,
		URL: MaskURL(c.URL), SecretSet: c.Secret != "", Keyword: c.Keyword, Markdown: c.Markdown,
		SMTPHost: c.SMTPHost, SMTPPort: c.SMTPPort, SMTPUsername: c.SMTPUsername,
		SMTPPasswordSet: c.SMTPPassword != "", SMTPFrom: c.SMTPFrom, CreatedAt: c.CreatedAt}
}

// MaskURL hides all but the last four characters of each query value of
// a webhook URL (WeCom's key, DingTalk's access_token), so a page or a
// response never shows a robot's token in full.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return raw
	}
	q := u.Query()
	for k, vs := range q {
		for i, v := range vs {
			if n := utf8.RuneCountInString(v); n > 4 {
				vs[i] = "****" + string([]rune(v)[n-4:])
			} else {
				vs[i] = "****"
			}
		}
		q[k] = vs
	}
	u.RawQuery = strings.ReplaceAll(q.Encode(), "%2A", "*") // the stars stay readable
	return u.String()
}

// validate checks a channel as it would be stored (the input merged over
// the stored secrets) and returns the field errors.
func (c channelRow) validate() map[string]i18n.Text {
	f := map[string]i18n.Text{}
	if !slices.Contains(ChannelKinds, c.Kind) {
		f["kind"] = i18n.Text{Zh: "请选择渠道类型", En: "Choose the kind of channel"}
	}
	if n := utf8.RuneCountInString(c.Name); n == 0 || n > 60 {
		f["name"] = i18n.Text{Zh: "请填写名称 (最多 60 字)", En: "Give a name (at most 60 characters)"}
	}
	if len(c.Events) == 0 {
		f["events"] = i18n.Text{Zh: "至少选择一种事件", En: "Choose at least one event"}
	}
	for _, e := range c.Events {
		if !slices.Contains(OutboundEvents, e) {
			f["events"] = i18n.Text{Zh: "未知的事件: " + e, En: "Unknown event: " + e}
		}
	}
	if len(c.Secret) > 200 {
		f["secret"] = i18n.Text{Zh: "密钥过长", En: "The secret is too long"}
	}
	if utf8.RuneCountInString(c.Keyword) > 50 {
		f["keyword"] = i18n.Text{Zh: "关键词最多 50 字", En: "The keyword has at most 50 characters"}
	}
	if c.Kind == ChannelEmail {
		c.validateSMTP(f)
	} else if msg, ok := checkWebhookURL(c.URL); !ok {
		f["url"] = msg
	}
	return f
}

func (c channelRow) validateSMTP(f map[string]i18n.Text) {
	if c.SMTPHost == "" || len(c.SMTPHost) > 255 || strings.ContainsAny(c.SMTPHost, " /:@") {
		f["smtp_host"] = i18n.Text{Zh: "请填写 SMTP 服务器主机名", En: "Give the SMTP server's host name"}
	}
	if c.SMTPPort < 1 || c.SMTPPort > 65535 {
		f["smtp_port"] = i18n.Text{Zh: "端口须为 1 – 65535", En: "The port must be from 1 to 65535"}
	}
	if a, err := mail.ParseAddress(c.SMTPFrom); err != nil || a.Address != c.SMTPFrom {
		f["smtp_from"] = i18n.Text{Zh: "请填写有效的发件地址, 如 crm@example.com", En: "Give a valid sender address, such as crm@example.com"}
	}
	if len(c.SMTPUsername) > 255 || len(c.SMTPPassword) > 255 {
		f["smtp_username"] = i18n.Text{Zh: "用户名或密码过长", En: "The user name or password is too long"}
	}
}

// checkWebhookURL accepts an absolute http or https URL with a host.
func checkWebhookURL(raw string) (i18n.Text, bool) {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || len(raw) > 2000 {
		return i18n.Text{Zh: "请填写以 http:// 或 https:// 开头的网址", En: "Give a URL starting with http:// or https://"}, false
	}
	return i18n.Text{}, true
}

// Channels lists the tenant's outbound channels. Admins only.
func (s *Service) Channels(ctx context.Context, by Actor) ([]Channel, error) {
	if !by.Is(RoleAdmin) {
		return nil, ErrForbidden
	}
	var out []Channel
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+channelColumns+` FROM outbound_channels WHERE tenant_id = $1 ORDER BY id`, by.TenantID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Channel, error) {
			c, err := scanChannel(r)
			return c.shown(), err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("channels: %w", err)
	}
	return out, nil
}

// Channel returns one outbound channel. Admins only; ErrNotFound for an
// id of no channel of the tenant.
func (s *Service) Channel(ctx context.Context, by Actor, id int64) (Channel, error) {
	if !by.Is(RoleAdmin) {
		return Channel{}, ErrForbidden
	}
	var c channelRow
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var err error
		c, err = getChannel(ctx, tx, by.TenantID, id, false)
		return err
	})
	return c.shown(), err
}

func getChannel(ctx context.Context, tx pgx.Tx, tenantID, id int64, forUpdate bool) (channelRow, error) {
	q := `SELECT ` + channelColumns + ` FROM outbound_channels WHERE tenant_id = $1 AND id = $2`
	if forUpdate {
		q += ` FOR UPDATE`
	}
	c, err := scanChannel(tx.QueryRow(ctx, q, tenantID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("get channel: %w", err)
	}
	return c, nil
}

// SaveChannel adds an outbound channel (id 0) or changes one, keeping its
// stored URL and secrets where in leaves them empty. Admins only; it
// returns ErrInvalid with field errors (webhook URLs must be http or
// https), or ErrNotFound.
func (s *Service) SaveChannel(ctx context.Context, by Actor, id int64, in ChannelInput) (Channel, error) {
	if !by.Is(RoleAdmin) {
		return Channel{}, ErrForbidden
	}
	var saved channelRow
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var before channelRow
		if id != 0 {
			var err error
			if before, err = getChannel(ctx, tx, by.TenantID, id, true); err != nil {
				return err
			}
		}
		c := in.over(before)
		if f := c.validate(); len(f) > 0 {
			return Invalid(f)
		}
		var err error
		if id == 0 {
			err = tx.QueryRow(ctx, `INSERT INTO outbound_channels (tenant_id, kind, name, enabled, events, url, secret, keyword,
				markdown, smtp_host, smtp_port, smtp_username, smtp_password, smtp_from)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
				by.TenantID, c.Kind, c.Name, c.Enabled, c.Events, c.URL, c.Secret, c.Keyword, c.Markdown,
				c.SMTPHost, c.SMTPPort, c.SMTPUsername, c.SMTPPassword, c.SMTPFrom).Scan(&id)
		} else {
			_, err = tx.Exec(ctx, `UPDATE outbound_channels SET kind = $3, name = $4, enabled = $5, events = $6, url = $7,
				secret = $8, keyword = $9, markdown = $10, smtp_host = $11, smtp_port = $12, smtp_username = $13,
				smtp_password = $14, smtp_from = $15
				WHERE tenant_id = $1 AND id = $2`,
				by.TenantID, id, c.Kind, c.Name, c.Enabled, c.Events, c.URL, c.Secret, c.Keyword, c.Markdown,
				c.SMTPHost, c.SMTPPort, c.SMTPUsername, c.SMTPPassword, c.SMTPFrom)
		}
		if isUnique(err) {
			return Invalid(map[string]i18n.Text{"name": {Zh: "已有同名渠道", En: "Another channel has this name"}})
		}
		if err != nil {
			return fmt.Errorf("save channel: %w", err)
		}
		if saved, err = getChannel(ctx, tx, by.TenantID, id, false); err != nil {
			return err
		}
		var prior any
		if before.ID != 0 {
			prior = before.shown()
		}
		return audit(ctx, tx, by, "outbound_channel.save", "outbound_channel", id, prior, saved.shown())
	})
	return saved.shown(), err
}

// over returns the channel in describes, with before's URL and secrets
// where in leaves them empty.
func (in ChannelInput) over(before channelRow) channelRow {
	keep := func(typed, stored string) string {
		if typed == "" {
			return stored
		}
		return typed
	}
	events := []string{}
	for _, e := range OutboundEvents { // stored in the page's order, once each
		if slices.Contains(in.Events, e) {
			events = append(events, e)
		}
	}
	for _, e := range in.Events {
		if !slices.Contains(OutboundEvents, e) {
			events = append(events, e) // refused by validate
		}
	}
	return channelRow{
		ID: before.ID, Kind: strings.TrimSpace(in.Kind), Name: strings.TrimSpace(in.Name), Enabled: in.Enabled, Events: events,
		URL: keep(strings.TrimSpace(in.URL), before.URL), Secret: keep(strings.TrimSpace(in.Secret), before.Secret),
		Keyword: strings.TrimSpace(in.Keyword), Markdown: in.Markdown,
		SMTPHost: strings.TrimSpace(in.SMTPHost), SMTPPort: in.SMTPPort, SMTPUsername: strings.TrimSpace(in.SMTPUsername),
		SMTPPassword: keep(in.SMTPPassword, before.SMTPPassword), SMTPFrom: strings.TrimSpace(in.SMTPFrom),
	}
}
