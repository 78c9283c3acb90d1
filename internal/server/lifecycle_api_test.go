package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"baobei/internal/domain"
)

// testClock is a settable clock for the service under test.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newClockApp is newTestApp on a clock that starts at 2026-11-02 10:31
// Beijing time and moves only with advance; sweep runs the sweeper as of it.
func newClockApp(t *testing.T) (*testApp, *testClock) {
	t.Helper()
	c := &testClock{now: time.Date(2026, 11, 2, 10, 31, 0, 0, time.FixedZone("CST", 8*3600))}
	return newTestApp(t, func(s *domain.Service) { s.Now = c.Now }), c
}

func (app *testApp) sweep(t *testing.T, c *testClock) domain.SweepResult {
	t.Helper()
	res, err := app.Svc.Sweep(context.Background(), c.Now())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

const day = 24 * time.Hour

// apiRegister files huawei(name, phone) through the API and returns it.
func (app *testApp) apiRegister(t *testing.T, token, name, phone string) registrationJSON {
	t.Helper()
	resp, body := app.apiDo(t, token, "POST", "/api/v1/registrations", huawei(name, phone))
	mustStatus(t, resp, http.StatusCreated)
	var r registrationJSON
	mustJSON(t, body, &r)
	return r
}

func TestFollowUpAPI(t *testing.T) {
	t.Parallel()
	app, _ := newClockApp(t)
	sales1 := app.token(t, "demo", "sales1", demoPassword)
	r := app.apiRegister(t, sales1, "北京华为技术有限公司", "13812345678")
	path := "/api/v1/registrations/" + r.ID + "/follow-ups"

	resp, body := app.apiDo(t, sales1, "POST", path, map[string]any{"channel": "call", "note": "电话沟通", "grade": "B"})
	mustStatus(t, resp, http.StatusCreated)
	var fu struct {
		ID           string `json:"id"`
		Channel      string `json:"channel"`
		Grade        string `json:"grade"`
		GradeBefore  string `json:"grade_before"`
		Registration struct {
			Grade           string  `json:"grade"`
			LastFollowUpAt  *string `json:"last_follow_up_at"`
			NextFollowUpDue *string `json:"next_follow_up_due"`
		} `json:"registration"`
	}
	mustJSON(t, body, &fu)
	if fu.ID == "" || fu.Channel != "call" || fu.Grade != "B" || fu.GradeBefore != "A" || fu.Registration.Grade != "B" ||
		fu.Registration.LastFollowUpAt == nil || fu.Registration.NextFollowUpDue == nil || !strings.HasPrefix(*fu.Registration.NextFollowUpDue, "2026-11-09T02:31:00") {
		t.Fatalf("follow-up = %s", body)
	}
	resp, body = app.apiDo(t, sales1, "GET", path, nil)
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"note":"电话沟通"`) {
		t.Errorf("history = %s", body)
	}

	tests := []struct {
		name   string
		user   string
		body   any
		status int
		field  string
	}{
		{"the manager may read but not log", "manager1", map[string]any{"channel": "call"}, http.StatusForbidden, ""},
		{"another salesperson cannot see it", "sales3", map[string]any{"channel": "call"}, http.StatusNotFound, ""},
		{"unknown channel", "sales1", map[string]any{"channel": "fax"}, http.StatusUnprocessableEntity, "channel"},
		{"in the future", "sales1", map[string]any{"channel": "call", "at": "2026-11-03T10:00:00+08:00"}, http.StatusUnprocessableEntity, "at"},
		{"unknown field", "sales1", map[string]any{"channel": "call", "mood": "good"}, http.StatusUnprocessableEntity, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := app.apiDo(t, app.token(t, "demo", tt.user, demoPassword), "POST", path, tt.body)
			mustStatus(t, resp, tt.status)
			if tt.field != "" {
				if e := mustAPIError(t, body, "validation_failed"); e.Fields[tt.field] == "" {
					t.Errorf("fields = %v, want %s", e.Fields, tt.field)
				}
			}
		})
	}
}

// The done-means through the API: a follow-up on day 20 and a
// renewal on day 25 move the expiry to day 60; an unmaintained claim's
// renewal waits for the manager (202); a sweep after the end expires it
// into the pool, which another salesperson sees without the owner.
func TestRenewReleasePoolAPI(t *testing.T) {
	t.Parallel()
	app, clock := newClockApp(t)
	sales1 := app.token(t, "demo", "sales1", demoPassword)
	sales3 := app.token(t, "demo", "sales3", demoPassword)
	manager1 := app.token(t, "demo", "manager1", demoPassword)
	kept := app.apiRegister(t, sales1, "北京华为技术有限公司", "13812345678")
	idle := app.apiRegister(t, sales1, "杭州阿里云计算有限公司", "13912345678")
	gone := app.apiRegister(t, sales1, "深圳腾讯科技有限公司", "13712345678")

	resp, body := app.apiDo(t, sales1, "POST", "/api/v1/registrations/"+kept.ID+"/renew", nil)
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if e := mustAPIError(t, body, "validation_failed"); !strings.Contains(e.Message, "最早可于 2026-11-25") {
		t.Errorf("too early: %s", e.Message)
	}

	clock.advance(20 * day)
	resp, _ = app.apiDo(t, sales1, "POST", "/api/v1/registrations/"+kept.ID+"/follow-ups", map[string]any{"channel": "visit"})
	mustStatus(t, resp, http.StatusCreated)
	clock.advance(5 * day)
	resp, body = app.apiDo(t, sales1, "POST", "/api/v1/registrations/"+kept.ID+"/renew", nil)
	mustStatus(t, resp, http.StatusOK)
	var renewed registrationJSON
	mustJSON(t, body, &renewed)
	if renewed.ProtectedUntil == nil {
		t.Fatalf("renewed = %s", body)
	}
	if until, err := time.Parse(time.RFC3339, *renewed.ProtectedUntil); err != nil || !until.Equal(time.Date(2027, 1, 1, 2, 31, 0, 0, time.UTC)) {
		t.Errorf("renewed = %s, want protected until day 60 (2027-01-01 10:31)", body)
	}

	resp, _ = app.apiDo(t, manager1, "POST", "/api/v1/registrations/"+idle.ID+"/renew", nil)
	mustStatus(t, resp, http.StatusForbidden)
	resp, body = app.apiDo(t, sales1, "POST", "/api/v1/registrations/"+idle.ID+"/renew", nil)
	mustStatus(t, resp, http.StatusAccepted)
	var pending struct {
		Status       string           `json:"status"`
		ApprovalID   string           `json:"approval_id"`
		Reason       string           `json:"reason"`
		Registration registrationJSON `json:"registration"`
	}
	mustJSON(t, body, &pending)
	if pending.Status != "pending" || pending.ApprovalID == "" || pending.Reason == "" || pending.Registration.ID != idle.ID {
		t.Fatalf("pending renewal = %s", body)
	}
	resp, _ = app.apiDo(t, sales1, "GET", "/api/v1/approvals", nil)
	mustStatus(t, resp, http.StatusForbidden)
	resp, body = app.apiDo(t, manager1, "GET", "/api/v1/approvals", nil)
	mustStatus(t, resp, http.StatusOK)
	var queue struct {
		Items []struct {
			ID            string `json:"id"`
			Kind          string `json:"kind"`
			KindLabel     string `json:"kind_label"`
			Summary       string `json:"summary"`
			Status        string `json:"status"`
			EntityID      string `json:"entity_id"`
			RequesterName string `json:"requester_name"`
		} `json:"items"`
	}
	mustJSON(t, body, &queue)
	if len(queue.Items) != 1 || queue.Items[0].ID != pending.ApprovalID || queue.Items[0].Kind != "renewal" || queue.Items[0].KindLabel != "续报" ||
		queue.Items[0].EntityID != idle.ID || queue.Items[0].Status != "pending" || !strings.Contains(queue.Items[0].Summary, "杭州阿里云计算有限公司") {
		t.Fatalf("queue = %s", body)
	}
	resp, _ = app.apiDo(t, manager1, "POST", "/api/v1/approvals/"+pending.ApprovalID, map[string]any{"reason": "x"})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	resp, _ = app.apiDo(t, manager1, "POST", "/api/v1/approvals/"+pending.ApprovalID, map[string]any{"approve": false})
	mustStatus(t, resp, http.StatusUnprocessableEntity) // a rejection needs a reason
	resp, _ = app.apiDo(t, manager1, "POST", "/api/v1/approvals/999999", map[string]any{"approve": true})
	mustStatus(t, resp, http.StatusNotFound)
	resp, body = app.apiDo(t, manager1, "POST", "/api/v1/approvals/"+pending.ApprovalID, map[string]any{"approve": false, "reason": "客户已无意向"})
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"status":"rejected"`) {
		t.Errorf("decision = %s", body)
	}

	// Release with a reason; the pool shows it without its owner.
	resp, body = app.apiDo(t, sales1, "POST", "/api/v1/registrations/"+gone.ID+"/release", map[string]any{"reason_code": "bored"})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if e := mustAPIError(t, body, "validation_failed"); e.Fields["reason_code"] == "" {
		t.Errorf("fields = %v", e.Fields)
	}
	resp, _ = app.apiDo(t, sales3, "POST", "/api/v1/registrations/"+gone.ID+"/release", map[string]any{"reason_code": "no_interest"})
	mustStatus(t, resp, http.StatusNotFound)
	resp, body = app.apiDo(t, sales1, "POST", "/api/v1/registrations/"+gone.ID+"/release", map[string]any{"reason_code": "bought_elsewhere", "note": "已在竞争对手处采购"})
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"status":"released"`) {
		t.Errorf("released = %s", body)
	}

	clock.advance(6 * day) // day 31: idle's protection is over
	if res := app.sweep(t, clock); res.Counts["expired"] != 1 {
		t.Fatalf("sweep = %+v, want idle expired", res)
	}
	resp, body = app.apiDo(t, sales3, "GET", "/api/v1/pool?limit=1", nil)
	mustStatus(t, resp, http.StatusOK)
	var pool struct {
		Items []struct {
			CustomerID string `json:"customer_id"`
			Name       string `json:"name"`
			Reason     string `json:"reason"`
			ReasonText string `json:"reason_text"`
			ReturnedAt string `json:"returned_at"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	mustJSON(t, body, &pool)
	if len(pool.Items) != 1 || pool.Items[0].Name != "杭州阿里云计算有限公司" || pool.Items[0].Reason != "expired" || pool.Items[0].ReasonText != "保护期到期" || pool.NextCursor == "" {
		t.Fatalf("pool page 1 = %s", body)
	}
	if strings.Contains(string(body), "张三") || strings.Contains(string(body), "owner") {
		t.Errorf("the pool names the previous owner: %s", body)
	}
	resp, body = app.apiDo(t, sales3, "GET", "/api/v1/pool?limit=1&cursor="+pool.NextCursor, nil)
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"reason":"bought_elsewhere"`) {
		t.Errorf("pool page 2 = %s", body)
	}
	resp, _ = app.apiDo(t, app.token(t, "demo", "frontdesk1", demoPassword), "GET", "/api/v1/pool", nil)
	mustStatus(t, resp, http.StatusForbidden)

	// Another salesperson registers the expired customer.
	again := app.apiRegister(t, sales3, "杭州阿里云计算有限公司", "13912345678")
	if again.Status != "active" {
		t.Errorf("re-registration = %+v", again)
	}
}

// Consent through the API: asked from a 查重 match's claim_ref, seen by
// each side as its own, answered by the owner.
func TestConsentAPI(t *testing.T) {
	t.Parallel()
	app, _ := newClockApp(t)
	sales1 := app.token(t, "demo", "sales1", demoPassword)
	sales3 := app.token(t, "demo", "sales3", demoPassword)
	r := app.apiRegister(t, sales1, "北京华为技术有限公司", "13812345678")
	resp, _ := app.apiDo(t, sales1, "POST", "/api/v1/registrations/"+r.ID+"/follow-ups", map[string]any{"channel": "call"})
	mustStatus(t, resp, http.StatusCreated)

	resp, body := app.apiDo(t, sales3, "POST", "/api/v1/registrations/check", huawei("华为技术(北京)有限公司", ""))
	mustStatus(t, resp, http.StatusOK)
	var check struct {
		Matches []struct {
			ClaimRef string `json:"claim_ref"`
		} `json:"matches"`
	}
	mustJSON(t, body, &check)
	if len(check.Matches) == 0 || check.Matches[0].ClaimRef == "" {
		t.Fatalf("check = %s", body)
	}
	ask := map[string]any{"claim_ref": check.Matches[0].ClaimRef, "reason": "客户主动来电询价"}
	resp, _ = app.apiDo(t, sales1, "POST", "/api/v1/consent-requests", ask)
	mustStatus(t, resp, http.StatusUnprocessableEntity) // the owner need not ask
	resp, _ = app.apiDo(t, sales3, "POST", "/api/v1/consent-requests", map[string]any{"claim_ref": "c_unknown", "reason": "询价"})
	mustStatus(t, resp, http.StatusNotFound)
	resp, body = app.apiDo(t, sales3, "POST", "/api/v1/consent-requests", ask)
	mustStatus(t, resp, http.StatusCreated)
	var created struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	mustJSON(t, body, &created)
	if created.ID == "" || created.Status != "pending" {
		t.Fatalf("created = %s", body)
	}
	resp, _ = app.apiDo(t, sales3, "POST", "/api/v1/consent-requests", ask)
	mustStatus(t, resp, http.StatusConflict)

	resp, body = app.apiDo(t, sales3, "GET", "/api/v1/consent-requests", nil)
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"direction":"outgoing"`) || !strings.Contains(string(body), `"customer_name":"北京华为技术有限公司"`) ||
		strings.Contains(string(body), "张三") || strings.Contains(string(body), "requester") {
		t.Errorf("outgoing = %s", body)
	}
	resp, body = app.apiDo(t, sales1, "GET", "/api/v1/consent-requests", nil)
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"direction":"incoming"`) || !strings.Contains(string(body), `"name":"王五"`) {
		t.Errorf("incoming = %s", body)
	}

	answer := "/api/v1/consent-requests/" + created.ID + "/answer"
	resp, _ = app.apiDo(t, sales3, "POST", answer, map[string]any{"accept": true})
	mustStatus(t, resp, http.StatusForbidden)
	resp, _ = app.apiDo(t, app.token(t, "demo", "sales2", demoPassword), "POST", answer, map[string]any{"accept": true})
	mustStatus(t, resp, http.StatusNotFound)
	resp, _ = app.apiDo(t, sales1, "POST", answer, map[string]any{})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	resp, body = app.apiDo(t, sales1, "POST", answer, map[string]any{"accept": true})
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"status":"accepted"`) {
		t.Errorf("answer = %s", body)
	}
	resp, _ = app.apiDo(t, sales1, "POST", answer, map[string]any{"accept": false})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
}

// Another company's approvals, consent requests and registrations are
// not found.
func TestLifecycleTenantIsolation(t *testing.T) {
	t.Parallel()
	app, _ := newClockApp(t)
	ctx := context.Background()
	if _, err := app.Svc.CreateTenant(ctx, domain.TenantInput{Slug: "other", Name: "别家公司", AdminUsername: "boss", AdminPassword: "password1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Svc.UpdatePolicy(ctx, app.actor(t, "demo", "admin", demoPassword), map[string]json.RawMessage{"cross_region_approval": json.RawMessage("true")}); err != nil {
		t.Fatal(err)
	}
	sales1 := app.token(t, "demo", "sales1", demoPassword)
	boss := app.token(t, "other", "boss", "password1")
	in := huawei("上海某某贸易有限公司", "13812345678")
	in["customer"].(map[string]any)["region"] = "上海"
	resp, body := app.apiDo(t, sales1, "POST", "/api/v1/registrations", in)
	mustStatus(t, resp, http.StatusCreated)
	var held registrationJSON
	mustJSON(t, body, &held)
	queue, _, err := app.Svc.Approvals(ctx, app.actor(t, "demo", "manager1", demoPassword), 0, 0)
	if err != nil || len(queue) != 1 || held.Status != "pending_review" {
		t.Fatalf("held %s; queue %+v, %v", held.Status, queue, err)
	}
	for _, tt := range []struct {
		path string
		body any
	}{
		{"/registrations/" + held.ID + "/renew", nil},
		{"/registrations/" + held.ID + "/follow-ups", map[string]any{"channel": "call"}},
		{"/registrations/" + held.ID + "/release", map[string]any{"reason_code": "other", "note": "x"}},
		{"/approvals/" + itoa(queue[0].ID), map[string]any{"approve": true}},
	} {
		resp, _ := app.apiDo(t, boss, "POST", "/api/v1"+tt.path, tt.body)
		mustStatus(t, resp, http.StatusNotFound)
	}
	resp, body = app.apiDo(t, boss, "GET", "/api/v1/approvals", nil)
	mustStatus(t, resp, http.StatusOK)
	if strings.Contains(string(body), "上海某某") {
		t.Errorf("another company sees the queue: %s", body)
	}
}
