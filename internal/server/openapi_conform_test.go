package server_test

import (
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
	// check sends a request and validates the answer against the schema of
	// the operation (method, template) for its status, which must be want.
	check := func(user, method, template, path string, body any, want int) []byte {
		t.Helper()
		resp, b := app.apiDo(t, tok[user], method, path, body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, user, resp.StatusCode, want, abbreviate(b))
		}
		schema, err := responseSchema(doc, method, template, resp.StatusCode)
		if err != "" {
			t.Errorf("%s %s: %s", method, template, err)
			return b
		}
		if in := dig(doc, "paths", template, strings.ToLower(method), "requestBody", "content", "application/json", "schema"); in != nil && want < 300 {
			var sent any
			if err := json.Unmarshal(mustMarshal(body), &sent); err != nil {
				t.Fatal(err)
			}
			for _, e := range conform(doc, in, sent, "request") {
				t.Errorf("%s %s: an accepted body departs from the document: %s", method, template, e)
			}
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		for _, e := range conform(doc, schema, v, "") {
			t.Errorf("%s %s %d: %s", method, template, want, e)
		}
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

	check("frontdesk1", "POST", "/visits", "/api/v1/visits", map[string]any{"visitor_name": "钱总", "phone": "1390000****",
		"company": "杭州接口访客有限公司", "salesperson_id": ids["sales2"]}, 201)
	check("frontdesk1", "GET", "/visits", "/api/v1/visits", nil, 200)
	signed := time.Now().Add(-time.Hour).Format(time.RFC3339)
	deal := idOf(check("clerk1", "POST", "/deals", "/api/v1/deals", map[string]any{"contract_no": "HT-DOC-1",
		"customer": map[string]any{"kind": "company", "name": "厦门接口茶业有限公司"}, "buyer_phone": "13600002222",
		"signed_at": signed, "amount": 1000.5, "signer_id": ids["sales1"]}, 201))
	check("clerk1", "GET", "/deals", "/api/v1/deals", nil, 200)
	check("sales2", "GET", "/deals", "/api/v1/deals?status=unclaimed", nil, 200)
	check("sales2", "POST", "/deals/{id}/claims", "/api/v1/deals/"+deal+"/claims", map[string]any{"evidence": "我上周拜访过"}, 201)
	check("manager1", "GET", "/deals/{id}", "/api/v1/deals/"+deal, nil, 200)
	check("manager1", "GET", "/approvals", "/api/v1/approvals", nil, 200)
	check("clerk1", "GET", "/duty-roster", "/api/v1/duty-roster?weeks=2", nil, 200)
	check("manager1", "GET", "/team-pool", "/api/v1/team-pool", nil, 200)
	check("manager1", "GET", "/performance", "/api/v1/performance", nil, 200)
	check("admin", "GET", "/performance", "/api/v1/performance", nil, 200)
	check("manager1", "GET", "/customers", "/api/v1/customers", nil, 200)

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
