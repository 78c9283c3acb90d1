package server_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
)

// huawei is a complete registration body for the default policy.
func huawei(name, phone string) map[string]any {
	return map[string]any{
		"customer": map[string]any{"kind": "company", "name": name, "industry": "通信", "address": "北京市海淀区",
			"contacts": []map[string]string{{"name": "张经理", "title": "采购经理", "phone": phone, "relation": "self"}}},
		"grade": "A", "needs": "采购服务器", "first_contact_at": "2026-11-02T09:00:00+08:00",
	}
}

type registrationJSON struct {
	ID             string  `json:"id"`
	Status         string  `json:"status"`
	OwnerID        string  `json:"owner_id"`
	ProtectedUntil *string `json:"protected_until"`
	Customer       struct {
		Contacts []struct {
			Phone string `json:"phone"`
		} `json:"contacts"`
	} `json:"customer"`
	Decision *struct {
		Rule     string `json:"rule"`
		Reason   string `json:"reason"`
		Winner   string `json:"winner"`
		ClaimRef string `json:"claim_ref"`
	} `json:"decision"`
}

func TestRegistrationAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	sales1 := app.token(t, "demo", "sales1", "demo12345")
	sales3 := app.token(t, "demo", "sales3", "demo12345")
	front := app.token(t, "demo", "frontdesk1", "demo12345")

	resp, body := app.apiDo(t, sales1, "POST", "/api/v1/registrations", huawei("北京华为技术有限公司", "13812345678"))
	mustStatus(t, resp, http.StatusCreated)
	var first registrationJSON
	mustJSON(t, body, &first)
	if first.Status != "active" || first.ProtectedUntil == nil {
		t.Fatalf("first = %+v, want active and protected", first)
	}

	// The dry run shows the claim without its owner.
	resp, body = app.apiDo(t, sales3, "POST", "/api/v1/registrations/check", huawei("华为技术(北京)有限公司", ""))
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"match":"name_exact"`) || strings.Contains(string(body), "张三") || strings.Contains(string(body), "registration_id") {
		t.Errorf("check = %s", body)
	}

	resp, body = app.apiDo(t, sales3, "POST", "/api/v1/registrations", huawei("华为技术(北京)有限公司", "13900000000"))
	mustStatus(t, resp, http.StatusCreated)
	var second registrationJSON
	mustJSON(t, body, &second)
	if second.Status != "rejected" || second.Decision == nil || second.Decision.Rule != "time" || second.Decision.Winner != "other" ||
		!strings.Contains(second.Decision.Reason, "先报备者优先") || second.Decision.ClaimRef == "" {
		t.Fatalf("second = %s", body)
	}
	if strings.Contains(string(body), "张三") || strings.Contains(string(body), `"owner_id":"`+first.OwnerID+`"`) {
		t.Errorf("the loser learns who holds it: %s", body)
	}

	// Own duplicate: 409 with the existing id.
	resp, body = app.apiDo(t, sales1, "POST", "/api/v1/registrations", huawei("北京华为技术股份有限公司", "13812345679"))
	mustStatus(t, resp, http.StatusConflict)
	if !strings.Contains(string(body), `"existing_id":"`+first.ID+`"`) {
		t.Errorf("duplicate body = %s", body)
	}

	// Incomplete: 422 naming the missing fields.
	resp, body = app.apiDo(t, sales1, "POST", "/api/v1/registrations", map[string]any{"customer": map[string]any{"kind": "company", "name": "空壳公司"}})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	e := mustAPIError(t, body, "validation_failed")
	if _, ok := e.Fields["customer.contacts.0.phone"]; !ok {
		t.Errorf("fields = %v", e.Fields)
	}

	// Reading: the owner in full, others 404, front desk may not file.
	resp, body = app.apiDo(t, sales1, "GET", "/api/v1/registrations/"+first.ID, nil)
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), "13812345678") {
		t.Errorf("owner sees %s", body)
	}
	resp, _ = app.apiDo(t, sales3, "GET", "/api/v1/registrations/"+first.ID, nil)
	mustStatus(t, resp, http.StatusNotFound)
	resp, _ = app.apiDo(t, front, "POST", "/api/v1/registrations", huawei("前台公司", "13700000000"))
	mustStatus(t, resp, http.StatusForbidden)

	resp, body = app.apiDo(t, sales1, "GET", "/api/v1/registrations?status=active&q=华为", nil)
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), first.ID) {
		t.Errorf("list = %s", body)
	}
	resp, _ = app.apiDo(t, sales1, "GET", "/api/v1/registrations?status=bogus", nil)
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	resp, _ = app.apiDo(t, sales1, "GET", "/api/v1/registrations?q=%27%3B%20DROP%20TABLE%20registrations%3B--%25_", nil)
	mustStatus(t, resp, http.StatusOK)
}

// A retried POST with the same Idempotency-Key creates nothing twice, even
// when the retries race.
func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	tok := app.token(t, "demo", "sales1", "demo12345")
	send1 := func(key string) (*http.Response, []byte) {
		req := app.apiRequest(t, tok, "POST", "/api/v1/registrations", huawei("深圳重试科技有限公司", "13600000000"))
		req.Header.Set("Idempotency-Key", key)
		return send(t, http.DefaultClient, req)
	}
	resp, body := send1("tablet-42")
	mustStatus(t, resp, http.StatusCreated)
	resp2, body2 := send1("tablet-42")
	mustStatus(t, resp2, http.StatusCreated)
	if string(body) != string(body2) || resp2.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry answered %s, first %s", body2, body)
	}
	// Concurrent retries with a new key: one runs, the rest replay or wait.
	var wg sync.WaitGroup
	statuses := make(chan int, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := app.apiRequest(t, tok, "POST", "/api/v1/registrations", huawei("广州并发重试有限公司", "13600000001"))
			req.Header.Set("Idempotency-Key", "tablet-43")
			resp, _ := send(t, http.DefaultClient, req)
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != http.StatusCreated && s != http.StatusConflict {
			t.Errorf("concurrent retry status %d", s)
		}
	}
	resp, body = app.apiDo(t, tok, "GET", "/api/v1/registrations?q=重试", nil)
	mustStatus(t, resp, http.StatusOK)
	if n := strings.Count(string(body), `"status":"active"`); n != 2 {
		t.Errorf("%d active registrations after retries, want 2: %s", n, body)
	}
	// The same key for another request is refused.
	req := app.apiRequest(t, tok, "POST", "/api/v1/registrations/check", huawei("别的请求", ""))
	req.Header.Set("Idempotency-Key", "tablet-42")
	resp, _ = send(t, http.DefaultClient, req)
	mustStatus(t, resp, http.StatusUnprocessableEntity)
}
