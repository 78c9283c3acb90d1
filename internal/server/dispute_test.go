package server_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// upload is one file of a multipart form.
type upload struct {
	field, name string
	data        []byte
}

// multipartRequest builds a multipart POST (or PUT) of fields and files to
// path, as a same-origin browser or, with token, an API client sends it.
func (app *testApp) multipartRequest(t *testing.T, method, path, token string, fields url.Values, files ...upload) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(f.field, f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, app.URL+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// uploadFile stages a file through POST /api/v1/files and returns its id.
func (app *testApp) uploadFile(t *testing.T, token string, f upload) (*http.Response, string) {
	t.Helper()
	resp, body := send(t, &http.Client{}, app.multipartRequest(t, http.MethodPost, "/api/v1/files", token, nil, f))
	var out struct {
		ID string `json:"id"`
	}
	if resp.StatusCode == http.StatusCreated {
		mustJSON(t, body, &out)
	}
	return resp, out.ID
}

func pdf(size int) []byte { return append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{'x'}, size)...) }

// caseJSON is what the tests read of a case.
type caseJSON struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	CanDecide bool   `json:"can_decide"`
	CanAppeal bool   `json:"can_appeal"`
	Claims    []struct {
		Side         string            `json:"side"`
		UserName     string            `json:"user_name"`
		Registration *registrationJSON `json:"registration"`
	} `json:"claims"`
	Suggestion *struct {
		Rule            string `json:"rule"`
		Reason          string `json:"reason"`
		WithoutEvidence *struct {
			Rule                 string `json:"rule"`
			WinnerRegistrationID string `json:"winner_registration_id"`
		} `json:"without_evidence"`
	} `json:"suggestion"`
	Timeline []struct {
		Kind string `json:"kind"`
	} `json:"timeline"`
	Files []struct {
		ID string `json:"id"`
	} `json:"files"`
	Decisions []struct {
		WinnerRegistrationID string `json:"winner_registration_id"`
	} `json:"decisions"`
}

// arbitrationAPI registers one customer as sales1, then as sales2 with a
// history claim backed only by evidence: the conflict goes to
// arbitration. It returns both claims' ids and the case's.
func arbitrationAPI(t *testing.T, app *testApp, sales1, sales2 string) (holder, newcomer, caseID string) {
	t.Helper()
	holder = app.apiRegister(t, sales1, "杭州西湖电子有限公司", "13500000001").ID
	body := huawei("杭州西湖电子有限公司", "13500000002")
	body["history_claim"] = "2024年签约过合同 HT-2024-019 (附件为合同扫描件)"
	resp, b := app.apiDo(t, sales2, "POST", "/api/v1/registrations", body)
	mustStatus(t, resp, http.StatusCreated)
	var r struct {
		ID       string `json:"id"`
		Status   string `json:"status"`
		Conflict *struct {
			Status    string `json:"status"`
			DisputeID string `json:"dispute_id"`
		} `json:"conflict"`
	}
	mustJSON(t, b, &r)
	if r.Status != "in_dispute" || r.Conflict == nil || r.Conflict.Status != "in_dispute" || r.Conflict.DisputeID == "" {
		t.Fatalf("newcomer = %s", b)
	}
	return holder, r.ID, r.Conflict.DisputeID
}

// The done-means through the API: a history claim backed only by
// evidence goes to arbitration; the manager decides; the loser appeals;
// the admin's final decision flips the registrations; both parties'
// notifications and the audit log show it.
func TestDisputeAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	sales1 := app.token(t, "demo", "sales1", demoPassword)
	sales2 := app.token(t, "demo", "sales2", demoPassword)
	sales3 := app.token(t, "demo", "sales3", demoPassword)
	manager1 := app.token(t, "demo", "manager1", demoPassword)
	admin := app.token(t, "demo", "admin", demoPassword)
	holder, newcomer, id := arbitrationAPI(t, app, sales1, sales2)
	casePath := "/api/v1/disputes/" + id

	// Evidence: uploads may exceed the 1 MiB body limit, up to 10 MiB, and
	// only the four types pass.
	resp, fileID := app.uploadFile(t, sales2, upload{"file", "合同扫描件.pdf", pdf(2 << 20)})
	mustStatus(t, resp, http.StatusCreated)
	for _, tt := range []struct {
		name string
		f    upload
		want int
	}{
		{"too big", upload{"file", "big.pdf", pdf(10 << 20)}, http.StatusRequestEntityTooLarge},
		{"not a document", upload{"file", "notes.pdf", []byte("plain text")}, http.StatusUnprocessableEntity},
		{"wrong field", upload{"document", "a.pdf", pdf(10)}, http.StatusUnprocessableEntity},
	} {
		if resp, _ := app.uploadFile(t, sales2, tt.f); resp.StatusCode != tt.want {
			t.Errorf("upload %s: status %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
	big := map[string]any{"registration_id": newcomer, "reason": strings.Repeat("长", 1<<19)}
	if resp, _ := app.apiDo(t, sales2, "POST", "/api/v1/disputes", big); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 1.5 MiB JSON dispute: status %d, want 413", resp.StatusCode)
	}

	resp, b := app.apiDo(t, sales2, "POST", "/api/v1/disputes", map[string]any{"registration_id": newcomer,
		"reason": "我方 2024 年已签约", "evidence": "合同 HT-2024-019", "file_ids": []string{fileID}})
	mustStatus(t, resp, http.StatusCreated)
	var c caseJSON
	mustJSON(t, b, &c)
	if c.ID != id || len(c.Files) != 1 || c.Files[0].ID != fileID {
		t.Fatalf("opened case %s", b)
	}
	resp, b = app.apiDo(t, sales2, "POST", "/api/v1/disputes", map[string]any{"registration_id": newcomer, "reason": "again"})
	mustStatus(t, resp, http.StatusConflict)
	mustAPIError(t, b, "duplicate")

	resp, b = app.apiDo(t, sales1, "GET", casePath, nil)
	mustStatus(t, resp, http.StatusOK)
	mustJSON(t, b, &c)
	if len(c.Claims) != 2 || c.Claims[0].Registration == nil || c.Claims[0].Registration.ID != holder || c.Claims[1].Registration.ID != newcomer {
		t.Fatalf("claims of %s", b)
	}
	if c.Suggestion == nil || c.Suggestion.Rule != "history" || c.Suggestion.Reason == "" ||
		c.Suggestion.WithoutEvidence == nil || c.Suggestion.WithoutEvidence.WinnerRegistrationID != holder {
		t.Errorf("suggestion of %s", b)
	}
	if len(c.Timeline) < 3 {
		t.Errorf("timeline of %s", b)
	}
	for _, tok := range []string{sales3, app.token(t, "demo", "manager2", demoPassword)} {
		if resp, _ := app.apiDo(t, tok, "GET", casePath, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("an outsider reads the case: %d", resp.StatusCode)
		}
	}
	if resp, _ := app.apiDo(t, sales3, "GET", "/api/v1/files/"+fileID, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an outsider downloads the evidence: %d", resp.StatusCode)
	}
	resp, b = app.apiDo(t, sales1, "GET", "/api/v1/files/"+fileID, nil)
	mustStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" || len(b) != len(pdf(2<<20)) ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %s, %d bytes, %s", ct, len(b), resp.Header.Get("Content-Disposition"))
	}

	decide := func(token, winner string, want int) caseJSON {
		t.Helper()
		resp, b := app.apiDo(t, token, "POST", casePath+"/decision", map[string]any{"winner_registration_id": winner, "reason": "依据证据裁决"})
		mustStatus(t, resp, want)
		var c caseJSON
		if want == http.StatusOK {
			mustJSON(t, b, &c)
		}
		return c
	}
	decide(sales1, holder, http.StatusForbidden)
	if c := decide(manager1, holder, http.StatusOK); c.Status != "decided" {
		t.Fatalf("after the manager's decision: %s", c.Status)
	}
	if resp, _ := app.apiDo(t, sales1, "POST", casePath+"/appeal", map[string]any{"reason": "x"}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the winner appeals: %d", resp.StatusCode)
	}
	resp, b = app.apiDo(t, sales2, "POST", casePath+"/appeal", map[string]any{"reason": "有合同原件"})
	mustStatus(t, resp, http.StatusCreated)
	mustJSON(t, b, &c)
	if c.Status != "appealed" {
		t.Fatalf("appeal: %s", b)
	}
	resp, b = app.apiDo(t, sales2, "POST", casePath+"/appeal", map[string]any{"reason": "再次上诉"})
	mustStatus(t, resp, http.StatusConflict)
	decide(manager1, newcomer, http.StatusForbidden)
	if c := decide(admin, newcomer, http.StatusOK); c.Status != "final" || len(c.Decisions) != 2 || c.Decisions[1].WinnerRegistrationID != newcomer {
		t.Fatalf("final decision: %+v", c)
	}
	decide(admin, holder, http.StatusUnprocessableEntity)

	for _, tt := range []struct{ token, id, status string }{{sales2, newcomer, "active"}, {sales1, holder, "rejected"}} {
		resp, b := app.apiDo(t, tt.token, "GET", "/api/v1/registrations/"+tt.id, nil)
		mustStatus(t, resp, http.StatusOK)
		var r registrationJSON
		mustJSON(t, b, &r)
		if r.Status != tt.status {
			t.Errorf("registration %s is %s, want %s", tt.id, r.Status, tt.status)
		}
	}
	for _, tok := range []string{sales1, sales2} {
		resp, b := app.apiDo(t, tok, "GET", "/api/v1/notifications", nil)
		mustStatus(t, resp, http.StatusOK)
		var ns struct {
			Items []struct{ Kind, Link, Text string }
		}
		mustJSON(t, b, &ns)
		decisions := 0
		for _, n := range ns.Items {
			if n.Kind == "dispute_decision" && n.Link == "/disputes/"+id && n.Text != "" {
				decisions++
			}
		}
		if decisions != 2 {
			t.Errorf("%d decision notifications in %s", decisions, b)
		}
	}

	resp, b = app.apiDo(t, admin, "GET", "/api/v1/audit?entity=dispute&entity_id="+id, nil)
	mustStatus(t, resp, http.StatusOK)
	var audit struct {
		Items []struct{ Action string }
	}
	mustJSON(t, b, &audit)
	var actions []string
	for _, a := range audit.Items {
		actions = append(actions, a.Action)
	}
	for _, want := range []string{"dispute.open", "dispute.statement", "dispute.decide", "dispute.appeal"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit of the case %v lacks %s", actions, want)
		}
	}
	resp, b = app.apiDo(t, admin, "GET", "/api/v1/audit?format=csv&action=dispute.", nil)
	mustStatus(t, resp, http.StatusOK)
	if !bytes.HasPrefix(b, []byte("\ufeffid,at,actor")) || !bytes.Contains(b, []byte("dispute.decide")) {
		t.Errorf("CSV export:\n%s", b)
	}
	if resp, _ := app.apiDo(t, manager1, "GET", "/api/v1/audit", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a manager reads the audit log: %d", resp.StatusCode)
	}
}

// A dealer through the API: documents staged as files, three steps with
// one return and resubmission; the steps also wait in the approvals queue.
func TestDealerAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	sales1 := app.token(t, "demo", "sales1", demoPassword)
	clerk := app.token(t, "demo", "clerk1", demoPassword)
	manager1 := app.token(t, "demo", "manager1", demoPassword)
	admin := app.token(t, "demo", "admin", demoPassword)
	_, licence := app.uploadFile(t, sales1, upload{"file", "营业执照.pdf", pdf(100)})
	_, idCopy := app.uploadFile(t, sales1, upload{"file", "身份证.png", []byte("\x89PNG\r\n\x1a\nimage")})
	body := map[string]any{"company": "成都天府经销有限公司", "bank": "工商银行", "bank_account": "4402200009100123456",
		"tax_no": "91350100M000100Y43", "address": "成都市高新区", "phone": "028-88886666",
		"documents": map[string][]string{"business_licence": {licence}}}
	resp, b := app.apiDo(t, sales1, "POST", "/api/v1/dealers", body)
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if e := mustAPIError(t, b, "validation_failed"); e.Fields["documents.legal_rep_id"] == "" {
		t.Errorf("missing ID copy: %s", b)
	}
	body["documents"] = map[string][]string{"business_licence": {licence}, "legal_rep_id": {idCopy}}
	resp, b = app.apiDo(t, sales1, "POST", "/api/v1/dealers", body)
	mustStatus(t, resp, http.StatusCreated)
	var d struct {
		ID         string `json:"id"`
		CustomerID string `json:"customer_id"`
		Documents  []any  `json:"documents"`
		Approval   struct {
			Status     string `json:"status"`
			Step       int    `json:"step"`
			ApprovalID string `json:"approval_id"`
			History    []struct{ Action string }
		} `json:"approval"`
	}
	mustJSON(t, b, &d)
	if len(d.Documents) != 2 || d.Approval.Status != "pending" || d.Approval.ApprovalID == "" {
		t.Fatalf("dealer %s", b)
	}
	path := "/api/v1/dealers/" + d.ID
	// The clerk's step, through the generic approvals queue.
	resp, _ = app.apiDo(t, clerk, "POST", "/api/v1/approvals/"+d.Approval.ApprovalID, map[string]any{"approve": true})
	mustStatus(t, resp, http.StatusOK)
	resp, _ = app.apiDo(t, manager1, "POST", path+"/decision", map[string]any{"approve": false, "reason": "税号与执照不符"})
	mustStatus(t, resp, http.StatusOK)
	resp, _ = app.apiDo(t, manager1, "POST", path+"/decision", map[string]any{"approve": true})
	mustStatus(t, resp, http.StatusUnprocessableEntity) // returned: nothing waits
	delete(body, "documents")
	resp, _ = app.apiDo(t, sales1, "PUT", path, body)
	mustStatus(t, resp, http.StatusOK)
	for _, tok := range []string{clerk, manager1, admin} {
		resp, b = app.apiDo(t, tok, "POST", path+"/decision", map[string]any{"approve": true, "reason": "同意"})
		mustStatus(t, resp, http.StatusOK)
	}
	mustJSON(t, b, &d)
	var actions []string
	for _, h := range d.Approval.History {
		actions = append(actions, h.Action)
	}
	if d.Approval.Status != "approved" || d.CustomerID == "" ||
		!slices.Equal(actions, []string{"submit", "approve", "return", "submit", "approve", "approve", "approve"}) {
		t.Errorf("approved dealer %s", b)
	}
	resp, _ = app.apiDo(t, app.token(t, "demo", "sales3", demoPassword), "GET", path, nil)
	mustStatus(t, resp, http.StatusNotFound)
	resp, _ = app.apiDo(t, admin, "PUT", "/api/v1/approval-chains/dealer", map[string]any{"roles": []string{"manager", "admin"}})
	mustStatus(t, resp, http.StatusOK)
	resp, b = app.apiDo(t, sales1, "GET", "/api/v1/approval-chains/dealer", nil)
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(b), `["manager","admin"]`) {
		t.Errorf("chain %s", b)
	}
}

// The case page as the manager, the loser and the admin see it, each
// acting through its forms; the dispute form posts files.
func TestDisputePages(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	_, newcomer, id := arbitrationAPI(t, app, app.token(t, "demo", "sales1", demoPassword), app.token(t, "demo", "sales2", demoPassword))
	casePath := "/disputes/" + id

	sales2 := app.signIn(t, "demo", "sales2", demoPassword)
	_, page := app.get(t, sales2, "/registrations/"+newcomer)
	if href := findHref(t, page, "dispute-case-link"); href != casePath {
		t.Errorf("the registration links the case at %q", href)
	}
	_, page = app.get(t, sales2, casePath)
	if !hasTestID(t, page, "statement-card") || hasTestID(t, page, "decision-form") {
		t.Fatalf("the party's case page offers the wrong forms:\n%s", abbreviate(page))
	}
	vals := formValues(t, page, "dispute-form")
	vals.Set("reason", "我方 2024 年已签约")
	resp, refused := send(t, sales2, app.multipartRequest(t, http.MethodPost, "/disputes", "", vals, upload{"files", "a.txt", []byte("text")}))
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if !hasTestID(t, refused, "error-files") {
		t.Errorf("a text file is refused without saying why:\n%s", abbreviate(refused))
	}
	resp, _ = send(t, sales2, app.multipartRequest(t, http.MethodPost, "/disputes", "", vals,
		upload{"files", "合同.pdf", pdf(50)}, upload{"files", "照片.jpg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 1}}))
	mustRedirect(t, resp, casePath)
	resp, refused = send(t, sales2, app.multipartRequest(t, http.MethodPost, "/disputes", "", vals))
	mustStatus(t, resp, http.StatusConflict)
	if findHref(t, refused, "existing-case") == "" {
		t.Errorf("a second statement does not link the case")
	}

	manager1 := app.signIn(t, "demo", "manager1", demoPassword)
	_, page = app.get(t, manager1, casePath)
	for _, tid := range []string{"claim-A", "claim-B", "suggestion", "suggestion-without-evidence", "statements", "timeline", "decision-form"} {
		if !hasTestID(t, page, tid) {
			t.Errorf("the manager's case page has no %s", tid)
		}
	}
	if got := testID(t, page, "suggestion-rule"); got != "历史合作优先" {
		t.Errorf("suggestion rule %q", got)
	}
	if n := len(findAll(parseHTML(t, page), byTestIDAttr("file"))); n != 2 {
		t.Errorf("%d evidence files listed, want 2", n)
	}
	if got := testID(t, page, "claim-B"); !strings.Contains(got, "李四") || !strings.Contains(got, "HT-2024-019") {
		t.Errorf("claim B = %q", got)
	}
	vals = formValues(t, page, "decision-form") // the first side, the holder, is preselected
	resp, _ = app.postForm(t, manager1, actionOf(t, page, "decision-form"), url.Values{"winner_registration_id": vals["winner_registration_id"]})
	mustStatus(t, resp, http.StatusUnprocessableEntity) // no reason
	vals.Set("reason", "证据不足")
	resp, _ = app.postForm(t, manager1, actionOf(t, page, "decision-form"), vals)
	mustRedirect(t, resp, casePath)

	_, page = app.get(t, sales2, casePath)
	if got := testID(t, page, "decision-winner"); got != "张三" {
		t.Errorf("first winner %q", got)
	}
	resp, _ = app.postForm(t, sales2, actionOf(t, page, "appeal-form"), url.Values{"reason": {"有合同原件"}})
	mustRedirect(t, resp, casePath)
	_, page = app.get(t, sales2, casePath)
	if hasTestID(t, page, "appeal-form") || !strings.Contains(testID(t, page, "dispute-status"), "终审") {
		t.Errorf("after the appeal: status %q", testID(t, page, "dispute-status"))
	}

	admin := app.signIn(t, "demo", "admin", demoPassword)
	_, page = app.get(t, admin, casePath)
	resp, _ = app.postForm(t, admin, actionOf(t, page, "decision-form"), url.Values{"winner_registration_id": {newcomer}, "reason": {"合同属实"}})
	mustRedirect(t, resp, casePath)
	_, page = app.get(t, admin, casePath)
	if got := testID(t, page, "dispute-status"); got != "终审结案" || hasTestID(t, page, "decision-form") {
		t.Errorf("final page: status %q", got)
	}
	_, page = app.get(t, sales2, "/disputes")
	if got := testID(t, page, "dispute-link"); got != "杭州西湖电子有限公司" {
		t.Errorf("case list: %q", got)
	}
	// Outsiders see neither the case nor its files.
	sales3 := app.signIn(t, "demo", "sales3", demoPassword)
	resp, _ = app.get(t, sales3, casePath)
	mustStatus(t, resp, http.StatusNotFound)

	// A claim the rules rejected offers its owner the dispute form.
	app.apiRegister(t, app.token(t, "demo", "sales1", demoPassword), "南京紫金软件有限公司", "13400000001")
	lost := app.apiRegister(t, app.token(t, "demo", "sales3", demoPassword), "南京紫金软件有限公司", "13400000002")
	_, page = app.get(t, sales3, "/registrations/"+lost.ID)
	_, page = app.get(t, sales3, findHref(t, page, "dispute-open-link"))
	vals = formValues(t, page, "dispute-form")
	vals.Set("reason", "我先联系的客户")
	resp, _ = app.postForm(t, sales3, "/disputes", vals)
	mustStatus(t, resp, http.StatusSeeOther)
	_, page = app.get(t, admin, resp.Header.Get("Location"))
	if !hasTestID(t, page, "decision-form") || !strings.Contains(testID(t, page, "case-decider"), "管理员") {
		t.Errorf("a case across two teams is not the admin's to decide:\n%s", abbreviate(page))
	}
}

// findHref is the href of the first element with data-testid=id.
func findHref(t *testing.T, page []byte, id string) string {
	t.Helper()
	for _, n := range findAll(parseHTML(t, page), byTestIDAttr(id)) {
		href, _ := attr(n, "href")
		return href
	}
	return ""
}

// Dealer pages: the form with its documents, the steps with a return and a
// resubmission, and the admin's chain setting; the watch list and the
// audit search with its CSV export.
func TestDealerAndAdminPages(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	sales1 := app.signIn(t, "demo", "sales1", demoPassword)
	_, page := app.get(t, sales1, "/dealers/new")
	fields := url.Values{"company": {"成都天府经销有限公司"}, "bank": {"工商银行"}, "bank_account": {"4402200009100123456"},
		"tax_no": {"91350100M000100Y43"}, "address": {"成都市高新区"}, "phone": {"028-88886666"}}
	if !hasTestID(t, page, "dealer-form") {
		t.Fatal("no dealer form")
	}
	resp, page := send(t, sales1, app.multipartRequest(t, http.MethodPost, "/dealers", "", fields, upload{"business_licence", "执照.pdf", pdf(10)}))
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if !hasTestID(t, page, "error-documents.legal_rep_id") {
		t.Errorf("missing document not marked:\n%s", abbreviate(page))
	}
	resp, _ = send(t, sales1, app.multipartRequest(t, http.MethodPost, "/dealers", "", fields,
		upload{"business_licence", "执照.pdf", pdf(10)}, upload{"legal_rep_id", "身份证.webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8 ")}))
	mustStatus(t, resp, http.StatusSeeOther)
	dealer := resp.Header.Get("Location")

	step := func(user, decision, reason string) []byte {
		t.Helper()
		c := app.signIn(t, "demo", user, demoPassword)
		_, page := app.get(t, c, dealer)
		resp, _ := app.postForm(t, c, actionOf(t, page, "dealer-decision-form"), url.Values{"decision": {decision}, "reason": {reason}})
		mustRedirect(t, resp, dealer)
		_, page = app.get(t, c, dealer)
		return page
	}
	step("clerk1", "approve", "")
	step("manager1", "return", "账号有误")
	_, page = app.get(t, sales1, dealer)
	vals := formValues(t, page, "dealer-form")
	vals.Set("bank_account", "4402200009100123457")
	resp, _ = send(t, sales1, app.multipartRequest(t, http.MethodPost, actionOf(t, page, "dealer-form"), "", vals))
	mustRedirect(t, resp, dealer)
	step("clerk1", "approve", "")
	step("manager1", "approve", "")
	page = step("admin", "approve", "同意")
	if !hasTestID(t, page, "dealer-customer") || testID(t, page, "dealer-account") != "4402200009100123457" {
		t.Errorf("approved dealer page:\n%s", abbreviate(page))
	}
	var actions []string
	for _, n := range findAll(parseHTML(t, page), byTestIDAttr("history-entry")) {
		a, _ := attr(n, "data-action")
		actions = append(actions, a)
	}
	if !slices.Equal(actions, []string{"submit", "approve", "return", "submit", "approve", "approve", "approve"}) {
		t.Errorf("history %v", actions)
	}

	admin := app.signIn(t, "demo", "admin", demoPassword)
	resp, _ = app.postForm(t, admin, "/dealers/chain", url.Values{"roles": {"manager, admin"}})
	mustRedirect(t, resp, "/dealers")
	resp, page = app.postForm(t, admin, "/dealers/chain", url.Values{"roles": {"sales"}})
	mustStatus(t, resp, http.StatusUnprocessableEntity)

	// The watch list: a burst of registrations by sales2 beyond the limit.
	if _, err := app.Svc.UpdatePolicy(t.Context(), app.actorOf(t, "demo", "admin"), map[string]json.RawMessage{"registration_burst_per_hour": json.RawMessage("2")}); err != nil {
		t.Fatal(err)
	}
	sales2 := app.token(t, "demo", "sales2", demoPassword)
	for i, want := range []int{http.StatusCreated, http.StatusCreated, http.StatusTooManyRequests} {
		resp, _ := app.apiDo(t, sales2, "POST", "/api/v1/registrations", huawei("抢报公司"+string(rune('甲'+i)), "1380000000"+string(rune('1'+i))))
		mustStatus(t, resp, want)
	}
	manager1 := app.signIn(t, "demo", "manager1", demoPassword)
	_, page = app.get(t, manager1, "/abuse")
	if got := testID(t, page, "abuse-user"); got != "李四" {
		t.Errorf("watch list names %q", got)
	}
	resp, _ = app.get(t, sales1, "/abuse")
	mustStatus(t, resp, http.StatusForbidden)

	_, page = app.get(t, admin, "/admin/audit?action=chain.&actor=内勤")
	if got := testID(t, page, "audit-action"); got != "chain.approve" {
		t.Errorf("audit search shows %q", got)
	}
	csv := findHref(t, page, "audit-csv")
	resp, _ = app.get(t, admin, "/admin/audit?from=yesterday")
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	resp, b := app.get(t, admin, csv)
	mustStatus(t, resp, http.StatusOK)
	if !bytes.HasPrefix(b, []byte("\ufeffid,at")) || !bytes.Contains(b, []byte("chain.approve")) || bytes.Contains(b, []byte("dealer.submit")) {
		t.Errorf("CSV export of the search (%s):\n%s", resp.Header.Get("Content-Type"), b)
	}
}
