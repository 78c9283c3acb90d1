package domain

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/smtp"
	"net/url"
	"strconv"
	"strings"
	"time"

	"baobei/internal/i18n"
)

// OutboundEventNames are the events' names, for subjects, robot messages
// and the settings page.
var OutboundEventNames = map[string]i18n.Text{
	"conflict":         {Zh: "报备冲突", En: "Registration conflict"},
	"consent":          {Zh: "征得同意", En: "Consent request"},
	"expiry":           {Zh: "保护期到期", En: "Protection expiry"},
	"dispute_decision": {Zh: "申诉裁决", En: "Dispute decision"},
}

// sendTimeout bounds every send: connecting, talking and reading the answer.
const sendTimeout = 15 * time.Second

// webhookClient follows no redirects: a robot answers where it is asked,
// and a redirect could carry the message somewhere else.
var webhookClient = &http.Client{Timeout: sendTimeout, CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}}

// send delivers one message over its channel; now stamps DingTalk's
// signature.
func send(ctx context.Context, m outboundMessage, now time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	c := m.Channel
	switch c.Kind {
	case ChannelEmail:
		if m.Email == "" {
			return errors.New("the user has no e-mail address")
		}
		return sendMail(ctx, c, m.Email, mailMessage(m))
	case ChannelWeCom:
		return postJSON(ctx, c.URL, wecomBody(m), nil, true)
	case ChannelDingTalk:
		return postJSON(ctx, dingTalkURL(c.URL, c.Secret, now), robotText(m), nil, true)
	case ChannelWebhook:
		body, headers := webhookBody(m)
		return postJSON(ctx, c.URL, body, headers, false)
	}
	return fmt.Errorf("unknown channel kind %q", c.Kind)
}

// robotLine is what a group robot says: whom the message is for and what
// it says, in Chinese, led by the DingTalk keyword when one is set and
// the text lacks it.
func robotLine(m outboundMessage) string {
	line := fmt.Sprintf("【%s】%s: %s", OutboundEventNames[m.Event].Zh, m.UserName, m.Text.Zh)
	if k := m.Channel.Keyword; k != "" && !strings.Contains(line, k) {
		line = k + " " + line
	}
	return line
}

// robotText is a group robot's text message, the same for WeCom and
// DingTalk: {"msgtype":"text","text":{"content":"…"}}.
func robotText(m outboundMessage) any {
	return map[string]any{"msgtype": "text", "text": map[string]string{"content": robotLine(m)}}
}

// wecomBody is the WeCom group robot's text message, or its markdown one
// when the channel says so.
func wecomBody(m outboundMessage) any {
	if !m.Channel.Markdown {
		return robotText(m)
	}
	content := fmt.Sprintf("**%s**\n> %s: %s", OutboundEventNames[m.Event].Zh, m.UserName, m.Text.Zh)
	return map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": content}}
}

// dingTalkURL adds DingTalk's signature to a robot URL when the robot has
// a sign secret: timestamp in milliseconds and
// sign = base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), URL-encoded.
func dingTalkURL(raw, secret string, now time.Time) string {
	if secret == "" {
		return raw
	}
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "\n" + secret))
	sep := "?"
	if strings.Contains(raw, "?") {
		sep = "&"
	}
	return raw + sep + "timestamp=" + ts + "&sign=" + url.QueryEscape(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

// WebhookPayload is the body of a generic webhook call.
type WebhookPayload struct {
	DeliveryID     int64  `json:"delivery_id,string"` // the same on every retry: receivers may drop repeats
	NotificationID int64  `json:"notification_id,string"`
	Event          string `json:"event"`
	Kind           string `json:"kind"`
	User           struct {
		ID          int64  `json:"id,string"`
		Username    string `json:"username"`
		DisplayName string `json:"display_name"`
	} `json:"user"`
	Text      i18n.Text `json:"text"`
	Link      string    `json:"link"`
	CreatedAt time.Time `json:"created_at"`
}

// webhookBody is a generic webhook's body and headers; with a secret,
// X-Baobei-Signature is "sha256=" + hex(HMAC-SHA256(secret, body)).
func webhookBody(m outboundMessage) ([]byte, map[string]string) {
	p := WebhookPayload{DeliveryID: m.ID, NotificationID: m.NotificationID, Event: m.Event, Kind: m.Kind,
		Text: m.Text, Link: m.Link, CreatedAt: m.CreatedAt}
	p.User.ID, p.User.Username, p.User.DisplayName = m.UserID, m.Username, m.UserName
	body, _ := json.Marshal(p) // plain strings and numbers: cannot fail
	headers := map[string]string{"X-Baobei-Event": p.Event, "X-Baobei-Delivery": strconv.FormatInt(m.ID, 10)}
	if m.Channel.Secret != "" {
		mac := hmac.New(sha256.New, []byte(m.Channel.Secret))
		mac.Write(body)
		headers["X-Baobei-Signature"] = "sha256=" + hex.EncodeToString(mac.Sum(nil))
	}
	return body, headers
}

// postJSON posts body (JSON bytes, or a value to encode) to target. Any
// 2xx answer is success; a group robot (robot) also answers errcode 0.
func postJSON(ctx context.Context, target string, body any, headers map[string]string, robot bool) error {
	b, ok := body.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Baobei")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := webhookClient.Do(req)
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // without the URL, which may hold a token
	}
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook: HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(answer))
	}
	if robot {
		var r struct {
			ErrCode *int   `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
		}
		if json.Unmarshal(answer, &r) == nil && r.ErrCode != nil && *r.ErrCode != 0 {
			return fmt.Errorf("robot: errcode %d: %s", *r.ErrCode, r.ErrMsg)
		}
	}
	return nil
}

// mailMessage is the e-mail of one notification, in the user's language.
func mailMessage(m outboundMessage) []byte {
	lang := i18n.Lang(m.Lang)
	subject := "[报备 Baobei] " + OutboundEventNames[m.Event].In(lang)
	body := m.Text.In(lang) + "\r\n"
	if m.Link != "" {
		body += "\r\n" + m.Link + "\r\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n", m.Channel.SMTPFrom, m.Email,
		mime.BEncoding.Encode("UTF-8", subject), m.CreatedAt.Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return []byte(b.String())
}

// sendMail sends msg to one address over the channel's SMTP server:
// implicit TLS on port 465, otherwise STARTTLS when the server offers it;
// PLAIN authentication when a user name is set (net/smtp refuses it
// unencrypted except to localhost).
func sendMail(ctx context.Context, c channelRow, to string, msg []byte) error {
	addr := net.JoinHostPort(c.SMTPHost, strconv.Itoa(c.SMTPPort))
	tlsConfig := &tls.Config{ServerName: c.SMTPHost}
	var conn net.Conn
	var err error
	if c.SMTPPort == 465 {
		conn, err = (&tls.Dialer{Config: tlsConfig}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return fmt.Errorf("smtp: %w", err)
	}
	cl, err := smtp.NewClient(conn, c.SMTPHost)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp: %w", err)
	}
	defer cl.Close()
	if ok, _ := cl.Extension("STARTTLS"); ok && c.SMTPPort != 465 {
		if err := cl.StartTLS(tlsConfig); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	}
	if c.SMTPUsername != "" {
		if err := cl.Auth(smtp.PlainAuth("", c.SMTPUsername, c.SMTPPassword, c.SMTPHost)); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := cl.Mail(c.SMTPFrom); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if err := cl.Rcpt(to); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	w, err := cl.Data()
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	return cl.Quit()
}
