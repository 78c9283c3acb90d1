package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"baobei/internal/api"
)

// TestOpenAPIDescribesResponses: real answers of the API, from every
// resource and the error statuses, conform to the schemas the document
// gives for their operation and status — every field they carry is
// documented, with its type, and every required one is there — and the
// bodies the API accepted conform to the document's request schemas.
func TestOpenAPIDescribesResponses(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var doc map[string]any
	if err := json.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	tok := map[string]string{}
	for _, u := range []string{"sales1", "sales2", "manager1", "clerk1", "frontdesk1", "admin"} {
		tok[u] = app.apiToken(t, "demo", u)
	}
	ids := app.userIDs(t, tok["admin"])
	// conforms validates an answer with status to (method, template)
	// against the document: the body against the schema for its status
	// and, when the request succeeded, the body sent against the request
	// schema.
	conforms := func(method, template string, status int, sent any, b []byte) {
		t.Helper()
		schema, err := responseSchema(doc, method, template, status)
		if err != "" {
			t.Errorf("%s %s: %s", method, template, err)
			return
		}
		if in := dig(doc, "paths", template, strings.ToLower(method), "requestBody", "content", "application/json", "schema"); in != nil && status < 300 {
			var v any
			if err := json.Unmarshal(mustMarshal(sent), &v); err != nil {
				t.Fatal(err)
			}
			for _, e := range conform(doc, in, v, "request") {
				t.Errorf("%s %s: an accepted body departs from the document: %s", method, template, e)
			}
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s %s: %v", method, template, err)
		}
		for _, e := range conform(doc, schema, v, "") {
			t.Errorf("%s %s %d: %s", method, template, status, e)
		}
	}
	// check sends a request and validates the answer against the schema of
	// the operation (method, template) for its status, which must be want.
	check := func(user, method, template, path string, body any, want int) []byte {
		t.Helper()
		resp, b := app.apiDo(t, tok[user], method, path, body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, user, resp.StatusCode, want, abbreviate(b))
		}
		conforms(method, template, want, body, b)
		return b
	}
	idOf := func(b []byte) string {
		var x struct {
			ID string `json:"id"`
		}
		mustJSON(t, b, &x)
		return x.ID
	}

	check("sales1", "GET", "/me", "/api/v1/me", nil, 200)
	check("", "POST", "/auth/token", "/api/v1/auth/token", map[string]string{"tenant": "demo", "username": "sales1", "password": demoPassword}, 201)
	check("", "POST", "/auth/token", "/api/v1/auth/token", map[string]string{"tenant": "demo", "username": "sales1", "password": "wrong"}, 401)
	check("", "POST", "/auth/token", "/api/v1/auth/token", map[string]any{"tenant": "demo", "username": "sales1", "password": demoPassword,
		"scope": "read", "expires_in_days": 30}, 201)
	check("", "GET", "/me", "/api/v1/me", nil, 401)
	check("admin", "GET", "/policy", "/api/v1/policy", nil, 200)
	check("admin", "PUT", "/policy", "/api/v1/policy", map[string]any{"protection_days": 30}, 200)
	check("sales1", "PUT", "/policy", "/api/v1/policy", map[string]any{"protection_days": 30}, 403)
	check("admin", "PUT", "/policy", "/api/v1/policy", map[string]any{"protection_days": -1}, 422)
	check("sales1", "GET", "/teams", "/api/v1/teams", nil, 200)
	check("admin", "GET", "/teams", "/api/v1/teams", nil, 200)
	check("sales1", "GET", "/users", "/api/v1/users", nil, 200)
	check("admin", "GET", "/users", "/api/v1/users", nil, 200)

	check("sales1", "POST", "/registrations/check", "/api/v1/registrations/check", huawei("杭州接口文档有限公司", "13500009991"), 200)
	reg := idOf(check("sales1", "POST", "/registrations", "/api/v1/registrations", huawei("杭州接口文档有限公司", "13500009991"), 201))
	check("sales1", "POST", "/registrations", "/api/v1/registrations", huawei("杭州接口文档有限公司", "13500009991"), 409)
	check("sales1", "POST", "/registrations", "/api/v1/registrations", map[string]any{"customer": 1}, 422)
	check("sales1", "GET", "/registrations", "/api/v1/registrations?limit=1", nil, 200)
	check("sales1", "GET", "/registrations/{id}", "/api/v1/registrations/"+reg, nil, 200)
	check("sales2", "GET", "/registrations/{id}", "/api/v1/registrations/"+reg, nil, 404)
	check("sales1", "POST", "/registrations/{id}/follow-ups", "/api/v1/registrations/"+reg+"/follow-ups", map[string]any{"channel": "call", "note": "约了下周拜访"}, 201)
	check("sales1", "GET", "/registrations/{id}/follow-ups", "/api/v1/registrations/"+reg+"/follow-ups", nil, 200)
	check("sales1", "POST", "/registrations/{id}/renew", "/api/v1/registrations/"+reg+"/renew", nil, 422)
	check("sales1", "PATCH", "/registrations/{id}", "/api/v1/registrations/"+reg, map[string]any{"needs": "采购服务器和存储",
		"customer": map[string]any{"region": "杭州"}}, 200)
	check("sales1", "PATCH", "/registrations/{id}", "/api/v1/registrations/"+reg, map[string]any{"source": "展会"}, 422)
	_, newcomer, caseID := arbitrationAPI(t, app, tok["sales1"], tok["sales2"])
	check("sales2", "GET", "/registrations/{id}", "/api/v1/registrations/"+newcomer, nil, 200)
	check("sales2", "GET", "/disputes", "/api/v1/disputes", nil, 200)
	check("manager1", "GET", "/disputes/{id}", "/api/v1/disputes/"+caseID, nil, 200)
	check("sales2", "POST", "/consent-requests", "/api/v1/consent-requests", map[string]any{"claim_ref": "c_nothing", "reason": "询价"}, 404)
	check("sales1", "GET", "/consent-requests", "/api/v1/consent-requests", nil, 200)
	check("sales1", "GET", "/notifications", "/api/v1/notifications", nil, 200)
	check("sales1", "POST", "/notifications/read", "/api/v1/notifications/read", map[string]any{"ids": []string{}}, 200)
	check("sales1", "GET", "/pool", "/api/v1/pool", nil, 200)
	check("sales1", "GET", "/approvals", "/api/v1/approvals", nil, 403)

	visit := idOf(check("frontdesk1", "POST", "/visits", "/api/v1/visits", map[string]any{"visitor_name": "钱总", "phone": "1390000****",
		"company": "杭州接口访客有限公司", "salesperson_id": ids["sales2"]}, 201))
	check("frontdesk1", "GET", "/visits", "/api/v1/visits", nil, 200)
	check("clerk1", "POST", "/visits/{id}/void", "/api/v1/visits/"+visit+"/void", map[string]any{"reason": "登记错了"}, 200)
	check("clerk1", "POST", "/visits/{id}/void", "/api/v1/visits/"+visit+"/void", map[string]any{"reason": "登记错了"}, 422)
	signed := time.Now().Add(-time.Hour).Format(time.RFC3339)
	deal := idOf(check("clerk1", "POST", "/deals", "/api/v1/deals", map[string]any{"contract_no": "HT-DOC-1",
		"customer": map[string]any{"kind": "company", "name": "厦门接口茶业有限公司"}, "buyer_phone": "13600002222",
		"signed_at": signed, "amount": 1000.5, "signer_id": ids["sales1"]}, 201))
	check("clerk1", "GET", "/deals", "/api/v1/deals", nil, 200)
	check("sales2", "GET", "/deals", "/api/v1/deals?status=unclaimed", nil, 200)
	check("sales2", "POST", "/deals/{id}/claims", "/api/v1/deals/"+deal+"/claims", map[string]any{"evidence": "我上周拜访过"}, 201)
	check("manager1", "GET", "/deals/{id}", "/api/v1/deals/"+deal, nil, 200)
	check("manager1", "GET", "/approvals", "/api/v1/approvals", nil, 200)
	check("clerk1", "POST", "/deals/{id}/void", "/api/v1/deals/"+deal+"/void", map[string]any{"reason": "合同录入错误"}, 200)
	check("clerk1", "GET", "/deals/{id}", "/api/v1/deals/"+deal, nil, 200)
	check("sales1", "POST", "/deals/{id}/void", "/api/v1/deals/"+deal+"/void", map[string]any{"reason": "合同录入错误"}, 403)
	check("clerk1", "GET", "/duty-roster", "/api/v1/duty-roster?weeks=2", nil, 200)
	check("manager1", "GET", "/team-pool", "/api/v1/team-pool", nil, 200)
	check("manager1", "GET", "/performance", "/api/v1/performance", nil, 200)
	check("admin", "GET", "/performance", "/api/v1/performance", nil, 200)
	check("manager1", "GET", "/customers", "/api/v1/customers", nil, 200)
	checkCustomers(t, check)
	checkImports(t, app, doc, tok["admin"], check, conforms)
	check("manager1", "GET", "/reports", "/api/v1/reports", nil, 200)
	check("admin", "GET", "/reports", "/api/v1/reports?from=2026-01-01&to=2026-01-31", nil, 200)
	check("admin", "GET", "/reports", "/api/v1/reports?from=2026-13-01", nil, 422)
	check("sales1", "GET", "/reports", "/api/v1/reports", nil, 403)

	app.signIn(t, "demo", "sales1", demoPassword)
	var sessions struct {
		Items []struct{ ID string }
	}
	mustJSON(t, check("sales1", "GET", "/sessions", "/api/v1/sessions", nil, 200), &sessions)
	if len(sessions.Items) == 0 {
		t.Fatal("GET /sessions lists no session after a sign-in")
	}
	check("sales2", "POST", "/sessions/{id}/revoke", "/api/v1/sessions/"+sessions.Items[0].ID+"/revoke", nil, 404)
	check("sales1", "POST", "/sessions/{id}/revoke", "/api/v1/sessions/"+sessions.Items[0].ID+"/revoke", nil, 200)

	resp, file := app.uploadFile(t, tok["sales2"], upload{"file", "营业执照.pdf", pdf(100)})
	mustStatus(t, resp, http.StatusCreated)
	licence := file
	resp, file = app.uploadFile(t, tok["sales2"], upload{"file", "身份证.pdf", pdf(100)})
	mustStatus(t, resp, http.StatusCreated)
	dealer := idOf(check("sales2", "POST", "/dealers", "/api/v1/dealers", map[string]any{"company": "苏州接口贸易有限公司", "bank": "工商银行苏州分行",
		"bank_account": "6222020200112233", "tax_no": "91350100M000100Y43", "address": "苏州市工业园区", "phone": "051288886666",
		"documents": map[string]any{"business_licence": []string{licence}, "legal_rep_id": []string{file}}}, 201))
	check("clerk1", "GET", "/dealers", "/api/v1/dealers", nil, 200)
	check("clerk1", "GET", "/dealers/{id}", "/api/v1/dealers/"+dealer, nil, 200)
	check("sales1", "GET", "/approval-chains/{kind}", "/api/v1/approval-chains/dealer", nil, 200)
	check("admin", "GET", "/abuse", "/api/v1/abuse", nil, 200)
	check("admin", "GET", "/audit", "/api/v1/audit?limit=20", nil, 200)
	check("sales1", "GET", "/openapi.json", "/api/v1/openapi.json", nil, 200)
	checkOutbound(t, app, check)

	check("admin", "PUT", "/policy", "/api/v1/policy", map[string]any{"day_count": map[string]string{"protection_days": "working"}, "retention_months": 24}, 200)
	check("admin", "PUT", "/calendar", "/api/v1/calendar?year=2027", map[string]any{"days": []map[string]string{
		{"date": "2027-02-07", "kind": "workday", "name": "调休"}, {"date": "2027-02-11", "kind": "holiday", "name": "春节"}}}, 200)
	check("admin", "PUT", "/calendar", "/api/v1/calendar?year=2027", map[string]any{"days": []map[string]string{{"date": "2028-01-01", "kind": "holiday", "name": "元旦"}}}, 422)
	check("sales1", "PUT", "/calendar", "/api/v1/calendar?year=2027", map[string]any{"days": []map[string]string{}}, 403)
	check("sales1", "GET", "/calendar", "/api/v1/calendar?year=2027", nil, 200)
	check("sales1", "GET", "/calendar", "/api/v1/calendar?year=twenty", nil, 422)
	check("admin", "POST", "/privacy/export", "/api/v1/privacy/export", map[string]string{"phone": "13500009991"}, 200)
	check("admin", "POST", "/privacy/export", "/api/v1/privacy/export", map[string]string{"phone": "1350000****"}, 422)
	check("manager1", "POST", "/privacy/export", "/api/v1/privacy/export", map[string]string{"phone": "13500009991"}, 403)
	check("admin", "POST", "/privacy/erase", "/api/v1/privacy/erase", map[string]string{"phone": "13500009991"}, 200)
	check("admin", "POST", "/privacy/erase", "/api/v1/privacy/erase", map[string]string{"phone": "13500009991"}, 422)
}

// checker sends a request as a user and checks the answer's status and
// its conformance to the document (TestOpenAPIDescribesResponses' check).
type checker func(user, method, template, path string, body any, want int) []byte

// checkCustomers checks a customer record and its merge, undo and split:
// sales1 registers a second company, which manager1 merges into the first
// one's customer, undoes, merges again and splits off.
func checkCustomers(t *testing.T, check checker) {
	t.Helper()
	customerOf := func(b []byte) string {
		var x struct {
			CustomerID string `json:"customer_id"`
		}
		mustJSON(t, b, &x)
		return x.CustomerID
	}
	into := customerOf(check("sales1", "POST", "/registrations", "/api/v1/registrations", huawei("宁波甬江贸易有限公司", "13500009981"), 201))
	second := check("sales1", "POST", "/registrations", "/api/v1/registrations", huawei("舟山海岛物流有限公司", "13500009982"), 201)
	from := customerOf(second)
	var reg struct{ ID string }
	mustJSON(t, second, &reg)
	c := "/api/v1/customers/" + from
	merge := map[string]any{"into_id": into, "reason": "同一家公司"}
	check("sales1", "GET", "/customers/{id}", c, nil, 200)
	check("sales1", "GET", "/customers/{id}/merge-preview", c+"/merge-preview?into_id="+into, nil, 403)
	check("manager1", "GET", "/customers/{id}/merge-preview", c+"/merge-preview?into_id="+into, nil, 200)
	check("manager1", "POST", "/customers/{id}/merge", c+"/merge", merge, 200)
	check("manager1", "POST", "/customers/{id}/merge", c+"/merge", merge, 422)
	check("manager1", "GET", "/customers/{id}", c, nil, 200)
	check("manager1", "POST", "/customers/{id}/undo-merge", c+"/undo-merge", map[string]any{"reason": "合并错了"}, 200)
	check("manager1", "POST", "/customers/{id}/merge", c+"/merge", merge, 200)
	check("manager1", "POST", "/customers/{id}/split", "/api/v1/customers/"+into+"/split",
		map[string]any{"registration_ids": []string{reg.ID}, "reason": "确是两家"}, 201)
	check("manager1", "GET", "/customers/{id}", "/api/v1/customers/"+into, nil, 200)
}

// checkImports checks a bulk import through the API: upload and preview,
// rows, mapping, start, the finished job and its result file.
func checkImports(t *testing.T, app *testApp, doc map[string]any, admin string, check checker, conforms func(method, template string, status int, sent any, b []byte)) {
	t.Helper()
	runImporter(t, app)
	file := upload{"file", "客户.csv", []byte("客户名称,电话,负责人,联系人,行业,规模,地址,需求,意向等级,首次接触时间\n" +
		"温州接口导入有限公司,13500009971,sales3,王经理,制造,100人,温州市鹿城区,采购设备,A,2026-11-02\n" +
		",13500009972,sales3,,,,,,,\n")}
	resp, b := send(t, &http.Client{}, app.multipartRequest(t, http.MethodPost, "/api/v1/imports", admin, nil, file))
	mustStatus(t, resp, http.StatusCreated)
	conforms("POST", "/imports", resp.StatusCode, nil, b)
	var job struct{ ID, Status string }
	mustJSON(t, b, &job)
	path := "/api/v1/imports/" + job.ID
	check("admin", "GET", "/imports/{id}/rows", path+"/rows?outcome=invalid", nil, 200)
	check("admin", "POST", "/imports/{id}/mapping", path+"/mapping", map[string]any{"mapping": map[string]int{"phone": 1}}, 422)
	check("admin", "POST", "/imports/{id}/mapping", path+"/mapping", map[string]any{"mapping": map[string]int{"name": 0, "phone": 1, "owner": 2,
		"contact_name": 3, "industry": 4, "size": 5, "address": 6, "needs": 7, "grade": 8, "first_contact_at": 9}}, 200)
	check("manager1", "GET", "/imports/{id}", path, nil, 404)
	check("admin", "POST", "/imports/{id}/start", path+"/start", nil, 202)
	for deadline := time.Now().Add(time.Minute); job.Status != "done"; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("import did not finish: %+v", job)
		}
		mustJSON(t, check("admin", "GET", "/imports/{id}", path, nil, 200), &job)
	}
	check("admin", "POST", "/imports/{id}/start", path+"/start", nil, 409)
	check("admin", "GET", "/imports/{id}/rows", path+"/rows", nil, 200)
	for _, format := range []string{"csv", "xlsx"} {
		resp, _ := app.apiDo(t, admin, "GET", path+"/result?format="+format, nil)
		mustStatus(t, resp, http.StatusOK)
		media, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
		if dig(doc, "paths", "/imports/{id}/result", "get", "responses", "200", "content", media) == nil {
			t.Errorf("GET /imports/{id}/result?format=%s: content type %s is not documented", format, media)
		}
	}
}

// responseSchema finds the JSON schema the document gives an operation's
// answer with status (the path template relative to /api/v1).
func responseSchema(doc map[string]any, method, template string, status int) (any, string) {
	op, ok := dig(doc, "paths", template, strings.ToLower(method)).(map[string]any)
	if !ok {
		return nil, "not in the document"
	}
	r := dig(op, "responses", strconv.Itoa(status))
	if r == nil {
		return nil, fmt.Sprintf("status %d is not documented", status)
	}
	if m, ok := r.(map[string]any); ok {
		if ref, ok := m["$ref"].(string); ok {
			var why string
			if r, why = resolveRef(doc, ref); why != "" {
				return nil, why
			}
		}
	}
	schema := dig(r, "content", "application/json", "schema")
	if schema == nil {
		return nil, fmt.Sprintf("status %d has no application/json schema", status)
	}
	return schema, ""
}

// dig walks nested JSON objects by key; nil when a key is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// conform lists how v departs from schema: a wrong type or enum value, a
// missing required field, or a field the schema does not document (the
// document is the whole contract, so an object schema with properties is
// read as closed). It follows $ref, allOf (properties merged) and oneOf.
func conform(doc map[string]any, schema any, v any, at string) []string {
	s, ok := schema.(map[string]any)
	if !ok {
		return nil
	}
	if ref, ok := s["$ref"].(string); ok {
		target, why := resolveRef(doc, ref)
		if why != "" {
			return []string{at + ": " + why}
		}
		return conform(doc, target, v, at)
	}
	if alts, ok := s["oneOf"].([]any); ok {
		for _, alt := range alts {
			if len(conform(doc, alt, v, at)) == 0 {
				return nil
			}
		}
		return []string{fmt.Sprintf("%s: %s matches no alternative", at, abbreviate(mustMarshal(v)))}
	}
	if _, ok := s["allOf"]; ok {
		s = mergeAllOf(doc, s)
	}
	if t, ok := s["type"]; ok && !typeMatches(t, v) {
		return []string{fmt.Sprintf("%s: %s is not of type %v", at, abbreviate(mustMarshal(v)), t)}
	}
	if e, ok := s["enum"].([]any); ok && !slices.Contains(e, v) {
		return []string{fmt.Sprintf("%s: %v is not one of %v", at, v, e)}
	}
	var out []string
	switch x := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		extra := s["additionalProperties"]
		for _, r := range sliceOf(s["required"]) {
			if _, ok := x[r.(string)]; !ok {
				out = append(out, fmt.Sprintf("%s: required field %s is missing", at, r))
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch p, ok := props[k]; {
			case ok:
				out = append(out, conform(doc, p, x[k], at+"."+k)...)
			case extra != nil && extra != false:
				out = append(out, conform(doc, extra, x[k], at+"."+k)...)
			case props != nil:
				out = append(out, fmt.Sprintf("%s: field %s is not documented", at, k))
			}
		}
	case []any:
		for i, item := range x {
			out = append(out, conform(doc, s["items"], item, fmt.Sprintf("%s[%d]", at, i))...)
		}
	}
	return out
}

// mergeAllOf folds an allOf schema into one object schema: the union of
// the parts' properties and required fields.
func mergeAllOf(doc map[string]any, s map[string]any) map[string]any {
	props, required := map[string]any{}, []any{}
	var add func(part any)
	add = func(part any) {
		m, _ := part.(map[string]any)
		if ref, ok := m["$ref"].(string); ok {
			target, _ := resolveRef(doc, ref)
			add(target)
			return
		}
		for _, sub := range sliceOf(m["allOf"]) {
			add(sub)
		}
		if p, ok := m["properties"].(map[string]any); ok {
			for k, v := range p {
				props[k] = v
			}
		}
		required = append(required, sliceOf(m["required"])...)
	}
	add(s)
	merged := map[string]any{"type": "object", "properties": props, "required": required}
	return merged
}

func sliceOf(v any) []any {
	s, _ := v.([]any)
	return s
}

// typeMatches reports whether v is of the JSON schema type t (a name or a
// list of names).
func typeMatches(t any, v any) bool {
	names := []any{t}
	if list, ok := t.([]any); ok {
		names = list
	}
	for _, n := range names {
		switch x := v.(type) {
		case nil:
			if n == "null" {
				return true
			}
		case bool:
			if n == "boolean" {
				return true
			}
		case string:
			if n == "string" {
				return true
			}
		case float64:
			if n == "number" || (n == "integer" && x == math.Trunc(x)) {
				return true
			}
		case map[string]any:
			if n == "object" {
				return true
			}
		case []any:
			if n == "array" {
				return true
			}
		}
	}
	return false
}

func mustMarshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// checkOutbound checks the outbound channels (a webhook whose receiver
// fails, an e-mail channel) and the outbox with a failed delivery.
func checkOutbound(t *testing.T, app *testApp, check checker) {
	t.Helper()
	receiver := failingReceiver(t)
	webhook := map[string]any{"kind": "webhook", "name": "ERP", "events": []string{"conflict"}, "url": receiver.URL + "/hook?key=erp-key-1234", "secret": "s3cret"}
	var ch struct{ ID string }
	mustJSON(t, check("admin", "POST", "/outbound-channels", "/api/v1/outbound-channels", webhook, 201), &ch)
	check("admin", "POST", "/outbound-channels", "/api/v1/outbound-channels", map[string]any{"kind": "email", "name": "邮件", "events": []string{"expiry"},
		"smtp_host": "smtp.example.com", "smtp_port": 465, "smtp_username": "crm", "smtp_password": "pw", "smtp_from": "crm@example.com"}, 201)
	check("admin", "POST", "/outbound-channels", "/api/v1/outbound-channels", map[string]any{"kind": "webhook", "name": "坏", "events": []string{"conflict"},
		"url": "javascript:alert(1)"}, 422)
	check("admin", "PUT", "/outbound-channels/{id}", "/api/v1/outbound-channels/"+ch.ID, map[string]any{"kind": "webhook", "name": "ERP 系统",
		"enabled": true, "events": []string{"conflict", "dispute_decision"}}, 200)
	check("admin", "GET", "/outbound-channels/{id}", "/api/v1/outbound-channels/"+ch.ID, nil, 200)
	check("admin", "GET", "/outbound-channels", "/api/v1/outbound-channels", nil, 200)
	check("manager1", "GET", "/outbound-channels", "/api/v1/outbound-channels", nil, 403)

	registerConflict(t, app, "台州接口冲突有限公司")
	if _, err := app.Svc.DeliverOutbox(context.Background()); err != nil {
		t.Fatal(err)
	}
	var outbox struct {
		Items []struct{ ID string }
	}
	mustJSON(t, check("admin", "GET", "/outbox", "/api/v1/outbox", nil, 200), &outbox)
	if len(outbox.Items) == 0 {
		t.Fatal("no delivery in the outbox after a conflict")
	}
	check("admin", "POST", "/outbox/{id}/retry", "/api/v1/outbox/"+outbox.Items[0].ID+"/retry", nil, 200)
}
