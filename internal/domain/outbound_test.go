package domain_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"baobei/internal/domain"
)

// sinkMail is one message the SMTP sink accepted.
type sinkMail struct {
	User, From string
	To         []string
	Data       []byte
}

// smtpSink is a real SMTP server on 127.0.0.1 that keeps what it is sent;
// it accepts the user crm with the password smtp-secret only.
type smtpSink struct {
	mu    sync.Mutex
	mails []sinkMail
}

func (s *smtpSink) received() []sinkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sinkMail(nil), s.mails...)
}

type sinkSession struct {
	sink *smtpSink
	mail sinkMail
}

func (ss *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (ss *sinkSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "crm" || pass != "smtp-secret" {
			return errors.New("bad credentials")
		}
		ss.mail.User = user
		return nil
	}), nil
}
func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.mail.User == "" {
		return smtp.ErrAuthRequired
	}
	ss.mail.From = from
	return nil
}
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.mail.To = append(ss.mail.To, to)
	return nil
}
func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.mail.Data = b
	ss.sink.mu.Lock()
	ss.sink.mails = append(ss.sink.mails, ss.mail)
	ss.sink.mu.Unlock()
	return nil
}
func (ss *sinkSession) Reset()        { ss.mail = sinkMail{User: ss.mail.User} }
func (ss *sinkSession) Logout() error { return nil }

// mustSMTPSink starts an SMTP sink on 127.0.0.1 and returns it with its port.
func mustSMTPSink(t *testing.T) (*smtpSink, int) {
	t.Helper()
	sink := &smtpSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: sink}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return sink, l.Addr().(*net.TCPAddr).Port
}

// hook is one request a webhook receiver got.
type hook struct {
	Path   string
	Query  map[string][]string
	Header http.Header
	Body   []byte
}

// receiver is a webhook receiver that records every request and answers
// with what answer says for the request's number (0, 1, …).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	hooks  []hook
	answer func(n int) (int, string)
}

func mustReceiver(t *testing.T) *receiver {
	t.Helper()
	rc := &receiver{answer: func(int) (int, string) { return http.StatusOK, `{"errcode":0,"errmsg":"ok"}` }}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		n := len(rc.hooks)
		rc.hooks = append(rc.hooks, hook{Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body})
		answer := rc.answer
		rc.mu.Unlock()
		status, text := answer(n)
		w.WriteHeader(status)
		io.WriteString(w, text)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) at(path string) []hook {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []hook
	for _, h := range rc.hooks {
		if h.Path == path {
			out = append(out, h)
		}
	}
	return out
}

func mustChannel(t *testing.T, f *fixture, in domain.ChannelInput) domain.Channel {
	t.Helper()
	c, err := f.svc.SaveChannel(context.Background(), f.a(t, "admin"), 0, in)
	if err != nil {
		t.Fatalf("channel %s: %v", in.Name, err)
	}
	return c
}

// setEmail gives a demo user an e-mail address through the admin's user form.
func setEmail(t *testing.T, f *fixture, username, email string) {
	t.Helper()
	ctx, admin := context.Background(), f.a(t, "admin")
	u, err := f.svc.User(ctx, admin, f.a(t, username).UserID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.UpdateUser(ctx, admin, u.ID, domain.UserInput{DisplayName: u.DisplayName, Role: u.Role, TeamID: u.TeamID, Region: u.Region, Email: email})
	if err != nil {
		t.Fatal(err)
	}
}

// mustConflict has sales2 register sales1's customer name: sales1 is
// notified of the conflict.
func mustConflict(t *testing.T, f *fixture, name string) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.svc.Register(ctx, f.a(t, "sales1"), company(name, "")); err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.Register(ctx, f.a(t, "sales2"), company(name, ""))
	if err != nil || r.Status != domain.StatusRejected {
		t.Fatalf("no conflict lost by sales2: %+v %v", r, err)
	}
}

func mustDeliver(t *testing.T, svc *domain.Service, want int) {
	t.Helper()
	n, err := svc.DeliverOutbox(context.Background())
	if err != nil || n != want {
		t.Fatalf("delivered %d (%v), want %d", n, err, want)
	}
}

func mustOutbox(t *testing.T, f *fixture) []domain.Delivery {
	t.Helper()
	ds, _, err := f.svc.Outbox(context.Background(), f.a(t, "admin"), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func hmacOf(secret, msg string) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(msg))
	return mac.Sum(nil)
}

// TestOutboundConflictInEveryFormat: one conflict reaches a real SMTP
// server and a webhook receiver as e-mail, WeCom text and markdown,
// DingTalk with a valid signature and keyword, and the generic signed
// JSON; a channel of other events gets nothing, and a second round
// sends nothing again.
func TestOutboundConflictInEveryFormat(t *testing.T) {
	f := mustDemo(t)
	sink, port := mustSMTPSink(t)
	rc := mustReceiver(t)
	setEmail(t, f, "sales1", "sales1@example.com")
	conflict := []string{"conflict"}
	mustChannel(t, f, domain.ChannelInput{Kind: domain.ChannelEmail, Name: "邮件", Enabled: true, Events: conflict,
		SMTPHost: "127.0.0.1", SMTPPort: port, SMTPUsername: "crm", SMTPPassword: "smtp-secret", SMTPFrom: "crm@example.com"})
	mustChannel(t, f, domain.ChannelInput{Kind: domain.ChannelWeCom, Name: "企业微信", Enabled: true, Events: conflict,
		URL: rc.URL + "/wecom?key=wecom-key-1234"})
	mustChannel(t, f, domain.ChannelInput{Kind: domain.ChannelWeCom, Name: "企业微信 MD", Enabled: true, Events: conflict,
		URL: rc.URL + "/wecom-md", Markdown: true})
	mustChannel(t, f, domain.ChannelInput{Kind: domain.ChannelDingTalk, Name: "钉钉", Enabled: true, Events: conflict,
		URL: rc.URL + "/ding?access_token=ding-token", Secret: "SECdingsecret", Keyword: "CRM"})
	mustChannel(t, f, domain.ChannelInput{Kind: domain.ChannelWebhook, Name: "ERP", Enabled: true, Events: conflict,
		URL: rc.URL + "/hook", Secret: "hook-secret"})
	mustChannel(t, f, domain.ChannelInput{Kind: domain.ChannelWebhook, Name: "到期", Enabled: true, Events: []string{"expiry"},
		URL: rc.URL + "/expiry"})

	mustConflict(t, f, "北京华为技术有限公司")
	mustDeliver(t, f.svc, 5)
	mustDeliver(t, f.svc, 0)

	mails := sink.received()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	m := mails[0]
	if m.User != "crm" || m.From != "crm@example.com" || len(m.To) != 1 || m.To[0] != "sales1@example.com" {
		t.Errorf("mail envelope %+v", m)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	raw, _ := io.ReadAll(msg.Body)
	body, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw), "\r\n", ""))
	if err != nil || !strings.Contains(subject, "报备冲突") || !strings.Contains(string(body), "北京华为技术有限公司") {
		t.Errorf("mail subject %q body %q (%v)", subject, body, err)
	}

	var robot struct {
		MsgType  string            `json:"msgtype"`
		Text     map[string]string `json:"text"`
		Markdown map[string]string `json:"markdown"`
	}
	for _, path := range []string{"/wecom", "/wecom-md", "/ding", "/hook"} {
		if n := len(rc.at(path)); n != 1 {
			t.Fatalf("%s got %d calls, want 1", path, n)
		}
	}
	wecom := rc.at("/wecom")[0]
	if err := json.Unmarshal(wecom.Body, &robot); err != nil || robot.MsgType != "text" ||
		!strings.Contains(robot.Text["content"], "【报备冲突】") || !strings.Contains(robot.Text["content"], "北京华为技术有限公司") ||
		wecom.Query["key"][0] != "wecom-key-1234" {
		t.Errorf("wecom text %s %v (%v)", wecom.Body, wecom.Query, err)
	}
	robot.Text = nil
	if err := json.Unmarshal(rc.at("/wecom-md")[0].Body, &robot); err != nil || robot.MsgType != "markdown" ||
		!strings.HasPrefix(robot.Markdown["content"], "**报备冲突**") {
		t.Errorf("wecom markdown %s (%v)", rc.at("/wecom-md")[0].Body, err)
	}

	ding := rc.at("/ding")[0]
	ts := ding.Query["timestamp"]
	if len(ts) != 1 || ts[0] != strconv.FormatInt(f.svc.Now().UnixMilli(), 10) || ding.Query["access_token"][0] != "ding-token" {
		t.Fatalf("dingtalk query %v", ding.Query)
	}
	if want := base64.StdEncoding.EncodeToString(hmacOf("SECdingsecret", ts[0]+"\nSECdingsecret")); ding.Query["sign"][0] != want {
		t.Errorf("dingtalk sign %q, want %q", ding.Query["sign"][0], want)
	}
	robot.Text = nil
	if err := json.Unmarshal(ding.Body, &robot); err != nil || robot.MsgType != "text" || !strings.HasPrefix(robot.Text["content"], "CRM 【报备冲突】") ||
		!strings.Contains(robot.Text["content"], "北京华为技术有限公司") {
		t.Errorf("dingtalk text %s (%v)", ding.Body, err)
	}

	generic := rc.at("/hook")[0]
	if sig := generic.Header.Get("X-Baobei-Signature"); sig != "sha256="+hex.EncodeToString(hmacOf("hook-secret", string(generic.Body))) {
		t.Errorf("webhook signature %q", sig)
	}
	var p domain.WebhookPayload
	if err := json.Unmarshal(generic.Body, &p); err != nil || p.Event != "conflict" || p.Kind != "conflict" ||
		p.User.Username != "sales1" || !strings.Contains(p.Text.Zh, "北京华为技术有限公司") || p.Text.En == "" ||
		generic.Header.Get("X-Baobei-Delivery") != strconv.FormatInt(p.DeliveryID, 10) {
		t.Errorf("webhook payload %s (%v)", generic.Body, err)
	}

	if n := len(rc.at("/expiry")); n != 0 {
		t.Errorf("the expiry channel got %d calls for a conflict", n)
	}
	for _, d := range mustOutbox(t, f) {
		if d.Status != domain.DeliveryDelivered || d.Attempts != 1 || d.Recipient == "" {
			t.Errorf("delivery %+v, want delivered at the first attempt", d)
		}
	}
}

// TestOutboundRetryBackoff: a receiver that answers 500 and then 200 gets
// the message again only after the backoff; one that keeps failing ends
// dead after MaxDeliveryAttempts, and an admin's retry sends it again. A
// group robot's non-zero errcode is a failure.
func TestOutboundRetryBackoff(t *testing.T) {
	f := mustDemo(t)
	rc := mustReceiver(t)
	failUntil := 1
	rc.answer = func(n int) (int, string) {
		if n < failUntil {
			return http.StatusInternalServerError, "down for maintenance"
		}
		return http.StatusOK, `{"errcode":0,"errmsg":"ok"}`
	}
	mustChannel(t, f, domain.ChannelInput{Kind: domain.ChannelWeCom, Name: "群", Enabled: true, Events: []string{"conflict"}, URL: rc.URL + "/wecom"})
	mustConflict(t, f, "上海浦东软件有限公司")

	mustDeliver(t, f.svc, 0)
	d := mustOutbox(t, f)[0]
	if d.Status != domain.DeliveryPending || d.Attempts != 1 || !strings.Contains(d.LastError, "HTTP 500") ||
		d.NextAttemptAt == nil || !d.NextAttemptAt.Equal(f.svc.Now().Add(30*time.Second)) {
		t.Fatalf("after a 500: %+v", d)
	}
	mustDeliver(t, f.svc, 0) // not due yet
	f.advance(29 * time.Second)
	mustDeliver(t, f.svc, 0)
	if n := len(rc.at("/wecom")); n != 1 {
		t.Fatalf("%d calls before the backoff ran out, want 1", n)
	}
	f.advance(time.Second)
	mustDeliver(t, f.svc, 1)
	if d := mustOutbox(t, f)[0]; d.Status != domain.DeliveryDelivered || d.Attempts != 2 || d.LastError != "" || len(rc.at("/wecom")) != 2 {
		t.Fatalf("after the retry: %+v", d)
	}

	// Always failing, with a robot's error answer: dead at the last attempt.
	rc.mu.Lock()
	rc.answer = func(int) (int, string) { return http.StatusOK, `{"errcode":93000,"errmsg":"invalid webhook url"}` }
	rc.mu.Unlock()
	mustConflict(t, f, "深圳南山电子有限公司")
	for i := 1; i <= domain.MaxDeliveryAttempts; i++ {
		mustDeliver(t, f.svc, 0)
		f.advance(time.Hour)
	}
	d = mustOutbox(t, f)[0]
	if d.Status != domain.DeliveryDead || d.Attempts != domain.MaxDeliveryAttempts || !strings.Contains(d.LastError, "errcode 93000") {
		t.Fatalf("after %d failures: %+v", domain.MaxDeliveryAttempts, d)
	}
	mustDeliver(t, f.svc, 0) // dead stays dead

	rc.mu.Lock()
	rc.answer = func(int) (int, string) { return http.StatusOK, `{"errcode":0}` }
	rc.mu.Unlock()
	ctx := context.Background()
	if err := f.svc.RetryDelivery(ctx, f.a(t, "manager1"), d.ID); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("a manager's retry: %v", err)
	}
	if err := f.svc.RetryDelivery(ctx, f.a(t, "admin"), d.ID); err != nil {
		t.Fatal(err)
	}
	mustDeliver(t, f.svc, 1)
	if d := mustOutbox(t, f)[0]; d.Status != domain.DeliveryDelivered || d.Attempts != 1 {
		t.Errorf("after the admin's retry: %+v", d)
	}
	if err := f.svc.RetryDelivery(ctx, f.a(t, "admin"), d.ID); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("retrying a delivered message: %v", err)
	}
}

// TestOutboxSurvivesRestart: the event commits while no sender runs (the
// server "crashes" before delivery); a fresh service on the same database
// sends it, once.
func TestOutboxSurvivesRestart(t *testing.T) {
	f := mustDemo(t)
	rc := mustReceiver(t)
	mustChannel(t, f, domain.ChannelInput{Kind: domain.ChannelWebhook, Name: "ERP", Enabled: true, Events: []string{"conflict"}, URL: rc.URL + "/hook"})
	mustConflict(t, f, "广州天河贸易有限公司")
	if n := len(rc.at("/hook")); n != 0 {
		t.Fatalf("%d calls before any sender ran", n)
	}

	restarted := domain.NewService(appPool(t, f))
	restarted.Now = f.svc.Now
	mustDeliver(t, restarted, 1)
	mustDeliver(t, restarted, 0)
	mustDeliver(t, f.svc, 0)
	if n := len(rc.at("/hook")); n != 1 {
		t.Fatalf("%d calls after the restart, want 1", n)
	}
}

// TestOutboxTwoSenders: two servers' senders working at once send each of
// many messages exactly once.
func TestOutboxTwoSenders(t *testing.T) {
	f := mustDemo(t)
	rc := mustReceiver(t)
	rc.answer = func(int) (int, string) {
		time.Sleep(2 * time.Millisecond) // a slow receiver keeps both senders busy together
		return http.StatusOK, ""
	}
	mustChannel(t, f, domain.ChannelInput{Kind: domain.ChannelWebhook, Name: "ERP", Enabled: true, Events: []string{"conflict"}, URL: rc.URL + "/hook"})
	const messages = 30
	f.asOwner(t, `INSERT INTO notifications (tenant_id, user_id, kind, text_zh, text_en)
		SELECT $1, $2, 'conflict', '撞单 ' || i, 'Conflict ' || i FROM generate_series(1, $3) i`,
		f.a(t, "sales1").TenantID, f.a(t, "sales1").UserID, messages)

	senders := []*domain.Service{f.svc, domain.NewService(appPool(t, f))}
	senders[1].Now = f.svc.Now
	counts := make([]int, len(senders))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, s := range senders {
		wg.Go(func() {
			<-start
			n, err := s.DeliverOutbox(context.Background())
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		})
	}
	close(start)
	wg.Wait()

	seen := map[string]int{}
	for _, h := range rc.at("/hook") {
		seen[h.Header.Get("X-Baobei-Delivery")]++
	}
	if len(seen) != messages || counts[0]+counts[1] != messages {
		t.Fatalf("%d distinct messages, %v counted, want %d", len(seen), counts, messages)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("message %s sent %d times", id, n)
		}
	}
}

// TestChannelValidation: webhook URLs must be http or https, e-mail
// needs a server, a port and a sender; secrets are never shown back, and
// an empty secret on a change keeps the stored one.
func TestChannelValidation(t *testing.T) {
	f := mustDemo(t)
	ctx, admin := context.Background(), f.a(t, "admin")
	hook := func(url string) domain.ChannelInput {
		return domain.ChannelInput{Kind: domain.ChannelDingTalk, Name: "钉钉", Enabled: true, Events: []string{"conflict"}, URL: url}
	}
	for _, tc := range []struct {
		name  string
		in    domain.ChannelInput
		field string
	}{
		{"empty url", hook(""), "url"},
		{"ftp url", hook("ftp://example.com/x"), "url"},
		{"javascript url", hook("javascript:alert(1)"), "url"},
		{"no host", hook("https:///send"), "url"},
		{"user in url", hook("https://u:p@example.com/x"), "url"},
		{"no events", domain.ChannelInput{Kind: domain.ChannelWebhook, Name: "x", URL: "https://example.com"}, "events"},
		{"unknown event", domain.ChannelInput{Kind: domain.ChannelWebhook, Name: "x", URL: "https://example.com", Events: []string{"deal"}}, "events"},
		{"unknown kind", domain.ChannelInput{Kind: "sms", Name: "x", Events: []string{"conflict"}, URL: "https://example.com"}, "kind"},
		{"no name", domain.ChannelInput{Kind: domain.ChannelWebhook, URL: "https://example.com", Events: []string{"conflict"}}, "name"},
		{"mail without host", domain.ChannelInput{Kind: domain.ChannelEmail, Name: "m", Events: []string{"consent"}, SMTPPort: 25, SMTPFrom: "a@b.cn"}, "smtp_host"},
		{"mail bad port", domain.ChannelInput{Kind: domain.ChannelEmail, Name: "m", Events: []string{"consent"}, SMTPHost: "smtp.b.cn", SMTPPort: 70000, SMTPFrom: "a@b.cn"}, "smtp_port"},
		{"mail bad from", domain.ChannelInput{Kind: domain.ChannelEmail, Name: "m", Events: []string{"consent"}, SMTPHost: "smtp.b.cn", SMTPPort: 465, SMTPFrom: "a@b.cn\r\nBcc: x@y.cn"}, "smtp_from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.SaveChannel(ctx, admin, 0, tc.in)
			var de *domain.Error
			if !errors.As(err, &de) || de.Fields[tc.field].Zh == "" || de.Fields[tc.field].En == "" {
				t.Fatalf("error %v, want a message on %s in both languages", err, tc.field)
			}
		})
	}
	if _, err := f.svc.SaveChannel(ctx, f.a(t, "manager1"), 0, hook("https://example.com")); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("a manager adds a channel: %v", err)
	}
	if cs, _ := f.svc.Channels(ctx, admin); len(cs) != 0 {
		t.Fatalf("refused channels were stored: %+v", cs)
	}

	in := hook("https://oapi.dingtalk.com/robot/send?access_token=abcdef123456")
	in.Secret = "SECsigning"
	c, err := f.svc.SaveChannel(ctx, admin, 0, in)
	if err != nil {
		t.Fatal(err)
	}
	shown, _ := json.Marshal(c)
	if strings.Contains(string(shown), "SECsigning") || strings.Contains(string(shown), "abcdef123456") ||
		!c.SecretSet || c.URL != "https://oapi.dingtalk.com/robot/send?access_token=****3456" {
		t.Errorf("the channel shows its secrets: %s", shown)
	}
	in.URL, in.Secret, in.Name = "", "", "钉钉 2"
	if c, err = f.svc.SaveChannel(ctx, admin, c.ID, in); err != nil || !c.SecretSet || !strings.Contains(c.URL, "3456") || c.Name != "钉钉 2" {
		t.Errorf("a change without secrets: %+v %v", c, err)
	}
	if _, err := f.svc.SaveChannel(ctx, admin, c.ID+1000, in); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("a missing channel: %v", err)
	}
}
