package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

var (
	idChannel  = func(d tenantData) int64 { return d.Channel }
	idDelivery = func(d tenantData) int64 { return d.Delivery }
)

// mxRoutesOutbox are the routes of outbound notifications: admins only.
var mxRoutesOutbox = []mxRoute{
	{method: "GET", pattern: "/admin/outbox", allow: adminOnly},
	{method: "POST", pattern: "/admin/outbox/channels", allow: adminOnly, body: `kind=webhook&name=matrix&enabled=on&events=conflict&url=https://example.com/hook`},
	{method: "GET", pattern: "/admin/outbox/channels/{id}", allow: adminOnly, id: idChannel},
	{method: "POST", pattern: "/admin/outbox/channels/{id}", allow: adminOnly, id: idChannel, body: `kind=webhook&name=matrix2&enabled=on&events=expiry`},
	{method: "POST", pattern: "/admin/outbox/{id}/retry", allow: adminOnly, id: idDelivery},
	{method: "GET", pattern: "/api/v1/outbound-channels", allow: adminOnly},
	{method: "POST", pattern: "/api/v1/outbound-channels", allow: adminOnly, body: `{"kind":"webhook","name":"matrix-api","events":["conflict"],"url":"https://example.com/hook"}`},
	{method: "GET", pattern: "/api/v1/outbound-channels/{id}", allow: adminOnly, id: idChannel},
	{method: "PUT", pattern: "/api/v1/outbound-channels/{id}", allow: adminOnly, id: idChannel, body: `{"kind":"webhook","name":"matrix-put","events":["consent"]}`},
	{method: "GET", pattern: "/api/v1/outbox", allow: adminOnly},
	{method: "POST", pattern: "/api/v1/outbox/{id}/retry", allow: adminOnly, id: idDelivery},
}

func init() { mxRoutes = append(mxRoutes, mxRoutesOutbox...) }

// failingReceiver is a webhook receiver that always answers 500.
func failingReceiver(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "receiver down", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// registerConflict has sales2 register a customer of sales1's.
func registerConflict(t *testing.T, app *testApp, name string) {
	t.Helper()
	ctx := context.Background()
	in := domain.RegistrationInput{Customer: domain.Customer{Kind: domain.KindCompany, Name: name, Industry: "通信", Address: "北京",
		Contacts: []domain.Contact{{Name: "张经理", Phone: "13600000001", Relation: "self"}}}, Grade: "A", Needs: "采购服务器 200 台"}
	if _, err := app.Svc.Register(ctx, app.actorOf(t, "demo", "sales1"), in); err != nil {
		t.Fatal(err)
	}
	if r, err := app.Svc.Register(ctx, app.actorOf(t, "demo", "sales2"), in); err != nil || r.Status != domain.StatusRejected {
		t.Fatalf("no conflict: %+v %v", r, err)
	}
}

// TestOutboxPage: the admin adds a channel (a wrong URL comes back with
// its message and what was typed), never sees its secrets again, sees a
// failed delivery with its attempts and error, and retries it.
func TestOutboxPage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signIn(t, "demo", "admin", demoPassword)

	resp, page := app.get(t, admin, "/admin/outbox")
	mustStatus(t, resp, http.StatusOK)
	if !hasTestID(t, page, "no-channels") || !hasTestID(t, page, "no-deliveries") {
		t.Fatal("an empty outbox page shows channels or deliveries")
	}

	form := url.Values{"kind": {"wecom"}, "name": {"销售群"}, "enabled": {"on"}, "events": {"conflict", "expiry"},
		"url": {"ftp://qyapi.weixin.qq.com/send"}, "secret": {"wecom-signing-secret"}}
	resp, page = app.postForm(t, admin, "/admin/outbox/channels", form)
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if !strings.Contains(testID(t, page, "error-url"), "https://") {
		t.Errorf("the wrong URL's message: %q", testID(t, page, "error-url"))
	}
	if v := formValues(t, page, "channel-form"); v.Get("name") != "销售群" || v.Get("url") != "ftp://qyapi.weixin.qq.com/send" || v.Get("secret") != "" {
		t.Errorf("the form came back as %v", v)
	}

	failing := failingReceiver(t)
	form.Set("url", failing.URL+"/cgi-bin/webhook/send?key=wecom-robot-key-9876")
	resp, _ = app.postForm(t, admin, "/admin/outbox/channels", form)
	mustRedirect(t, resp, "/admin/outbox")
	channels, err := app.Svc.Channels(context.Background(), app.actorOf(t, "demo", "admin"))
	if err != nil || len(channels) != 1 {
		t.Fatalf("channels %+v %v", channels, err)
	}
	ch := channels[0]
	for _, path := range []string{"/admin/outbox", "/admin/outbox/channels/" + strconv.FormatInt(ch.ID, 10)} {
		resp, page = app.get(t, admin, path)
		mustStatus(t, resp, http.StatusOK)
		if s := string(page); strings.Contains(s, "wecom-signing-secret") || strings.Contains(s, "wecom-robot-key-9876") || !strings.Contains(s, "9876") {
			t.Errorf("%s shows a secret in full, or not the masked URL", path)
		}
	}
	if v := formValues(t, page, "channel-edit-form"); v.Get("name") != "销售群" || v.Get("kind") != "wecom" || v.Get("url") != "" || v.Get("secret") != "" {
		t.Errorf("the edit form: %v", v)
	}

	// A change that leaves the secret and URL empty keeps them.
	form = url.Values{"kind": {"wecom"}, "name": {"销售一群"}, "enabled": {"on"}, "events": {"conflict"}}
	resp, _ = app.postForm(t, admin, "/admin/outbox/channels/"+strconv.FormatInt(ch.ID, 10), form)
	mustRedirect(t, resp, "/admin/outbox")
	if c, _ := app.Svc.Channel(context.Background(), app.actorOf(t, "demo", "admin"), ch.ID); !c.SecretSet || c.URL != ch.URL || c.Name != "销售一群" {
		t.Errorf("after the change: %+v", c)
	}

	registerConflict(t, app, "杭州滨江网络有限公司")
	if n, err := app.Svc.DeliverOutbox(context.Background()); n != 0 || err != nil {
		t.Fatalf("delivered %d to a failing receiver (%v)", n, err)
	}
	_, page = app.get(t, admin, "/admin/outbox")
	if testID(t, page, "attempts") != "1" || !strings.Contains(testID(t, page, "last-error"), "HTTP 500") {
		t.Errorf("the failed delivery shows attempts %q, error %q", testID(t, page, "attempts"), testID(t, page, "last-error"))
	}
	ds, _, _ := app.Svc.Outbox(context.Background(), app.actorOf(t, "demo", "admin"), 10, 0)
	resp, _ = app.postForm(t, admin, "/admin/outbox/"+strconv.FormatInt(ds[0].ID, 10)+"/retry", nil)
	mustRedirect(t, resp, "/admin/outbox")
	_, page = app.get(t, admin, "/admin/outbox")
	if testID(t, page, "attempts") != "0" {
		t.Errorf("after the retry the delivery shows %q attempts", testID(t, page, "attempts"))
	}

	// The user form takes the address e-mail channels send to.
	sales1 := strconv.FormatInt(app.actorOf(t, "demo", "sales1").UserID, 10)
	user := url.Values{"display_name": {"张三"}, "role": {"sales"}, "team_id": {strconv.FormatInt(app.actorOf(t, "demo", "sales1").TeamID, 10)}, "email": {"not an address"}}
	resp, page = app.postForm(t, admin, "/admin/users/"+sales1, user)
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if testID(t, page, "error-email") == "" {
		t.Error("no message for a wrong e-mail address")
	}
	user.Set("email", "zhangsan@example.com")
	resp, _ = app.postForm(t, admin, "/admin/users/"+sales1, user)
	mustStatus(t, resp, http.StatusSeeOther)
	if _, page = app.get(t, admin, "/admin/users/"+sales1); formValues(t, page, "user-edit-form").Get("email") != "zhangsan@example.com" {
		t.Error("the e-mail address was not kept")
	}
}

// TestOutboxAPI: channels and deliveries through the API, secrets shown
// only as set, wrong input answered 422 with fields.
func TestOutboxAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	token := app.apiToken(t, "demo", "admin")
	failing := failingReceiver(t)

	resp, body := app.apiDo(t, token, "POST", "/api/v1/outbound-channels", map[string]any{"kind": "dingtalk", "name": "钉钉群",
		"events": []string{"conflict"}, "url": "javascript:alert(1)"})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if e := mustAPIError(t, body, "validation_failed"); e.Fields["url"] == "" {
		t.Errorf("no message on url: %s", body)
	}

	resp, body = app.apiDo(t, token, "POST", "/api/v1/outbound-channels", map[string]any{"kind": "dingtalk", "name": "钉钉群",
		"events": []string{"conflict"}, "url": failing.URL + "/robot/send?access_token=ding-access-token", "secret": "SECding", "keyword": "CRM"})
	mustStatus(t, resp, http.StatusCreated)
	var ch struct {
		ID        string `json:"id"`
		URL       string `json:"url"`
		SecretSet bool   `json:"secret_set"`
		Enabled   bool   `json:"enabled"`
	}
	mustJSON(t, body, &ch)
	if strings.Contains(string(body), "SECding") || strings.Contains(string(body), "ding-access-token") || !ch.SecretSet || !ch.Enabled {
		t.Errorf("created channel %s", body)
	}
	resp, body = app.apiDo(t, token, "PUT", "/api/v1/outbound-channels/"+ch.ID, map[string]any{"kind": "dingtalk", "name": "钉钉群",
		"enabled": false, "events": []string{"conflict", "dispute_decision"}})
	mustStatus(t, resp, http.StatusOK)
	mustJSON(t, body, &ch)
	if ch.Enabled || !ch.SecretSet || !strings.Contains(ch.URL, "oken") {
		t.Errorf("changed channel %s", body)
	}
	resp, body = app.apiDo(t, token, "PUT", "/api/v1/outbound-channels/"+ch.ID, map[string]any{"kind": "dingtalk", "name": "钉钉群",
		"enabled": true, "events": []string{"conflict"}})
	mustStatus(t, resp, http.StatusOK)

	registerConflict(t, app, "成都高新科技有限公司")
	if _, err := app.Svc.DeliverOutbox(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, body = app.apiDo(t, token, "GET", "/api/v1/outbox?limit=1", nil)
	mustStatus(t, resp, http.StatusOK)
	var out struct {
		Items []struct {
			ID        string    `json:"id"`
			Status    string    `json:"status"`
			Attempts  int       `json:"attempts"`
			LastError string    `json:"last_error"`
			Text      i18n.Text `json:"text"`
		} `json:"items"`
	}
	mustJSON(t, body, &out)
	if len(out.Items) != 1 || out.Items[0].Status != "pending" || out.Items[0].Attempts != 1 ||
		!strings.Contains(out.Items[0].LastError, "HTTP 500") || !strings.Contains(out.Items[0].Text.Zh, "成都高新科技有限公司") {
		t.Fatalf("outbox %s", body)
	}
	resp, body = app.apiDo(t, token, "POST", "/api/v1/outbox/"+out.Items[0].ID+"/retry", nil)
	mustStatus(t, resp, http.StatusOK)
	var retried map[string]string
	if err := json.Unmarshal(body, &retried); err != nil || retried["status"] != "pending" {
		t.Errorf("retry answered %s", body)
	}
	resp, body = app.apiDo(t, token, "GET", "/api/v1/outbound-channels", nil)
	mustStatus(t, resp, http.StatusOK)
	if strings.Contains(string(body), "SECding") || strings.Contains(string(body), "ding-access-token") {
		t.Errorf("the channel list shows secrets: %s", body)
	}
}
