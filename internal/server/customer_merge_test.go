package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"baobei/internal/domain"
)

var idCustomer = func(d tenantData) int64 { return d.Customer }

// mxRoutesCustomers are the customer record, merge, undo and split
// routes. An empty body passes the access checks and fails validation.
var mxRoutesCustomers = []mxRoute{
	{method: "GET", pattern: "/customers/{id}", allow: readersUp, id: idCustomer},
	{method: "GET", pattern: "/customers/{id}/merge", allow: decidersUp, id: idCustomer},
	{method: "POST", pattern: "/customers/{id}/merge", allow: decidersUp, id: idCustomer},
	{method: "POST", pattern: "/customers/{id}/undo-merge", allow: decidersUp, id: idCustomer},
	{method: "POST", pattern: "/customers/{id}/split", allow: decidersUp, id: idCustomer},
	{method: "GET", pattern: "/api/v1/customers/{id}", allow: readersUp, id: idCustomer},
	{method: "GET", pattern: "/api/v1/customers/{id}/merge-preview", allow: decidersUp, id: idCustomer},
	{method: "POST", pattern: "/api/v1/customers/{id}/merge", allow: decidersUp, id: idCustomer},
	{method: "POST", pattern: "/api/v1/customers/{id}/undo-merge", allow: decidersUp, id: idCustomer},
	{method: "POST", pattern: "/api/v1/customers/{id}/split", allow: decidersUp, id: idCustomer},
}

func init() { mxRoutes = append(mxRoutes, mxRoutesCustomers...) }

// mergeCase registers one company twice in team 一组 under two names:
// sales1 first, sales2 later. It returns both claims.
func mergeCase(t *testing.T, app *testApp) (first, second domain.Registration) {
	t.Helper()
	ctx := context.Background()
	in := func(name, phone string) domain.RegistrationInput {
		at := time.Now().Add(-time.Hour)
		return domain.RegistrationInput{
			Customer: domain.Customer{Kind: domain.KindCompany, Name: name, Industry: "软件", Address: "杭州市",
				Contacts: []domain.Contact{{Name: "周经理", Phone: phone, Relation: "self"}}},
			Grade: "A", Needs: "采购软件", FirstContactAt: &at,
		}
	}
	first, err := app.Svc.Register(ctx, app.actorOf(t, "demo", "sales1"), in("杭州星河科技有限公司", "13822220001"))
	if err != nil {
		t.Fatal(err)
	}
	second, err = app.Svc.Register(ctx, app.actorOf(t, "demo", "sales2"), in("Hangzhou Xinghe 星河 Tech", "13822220002"))
	if err != nil || second.CustomerID == first.CustomerID {
		t.Fatalf("second record: %+v %v", second, err)
	}
	return first, second
}

func TestCustomerMergeAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	a, b := mergeCase(t, app)
	m1 := app.apiToken(t, "demo", "manager1")
	path := func(id int64, action string) string {
		return "/api/v1/customers/" + strconv.FormatInt(id, 10) + action
	}
	body := func(into int64, reason string) string {
		return `{"into_id":"` + strconv.FormatInt(into, 10) + `","reason":"` + reason + `"}`
	}

	resp, raw := app.apiDo(t, m1, "GET", path(b.CustomerID, "/merge-preview?into_id="+strconv.FormatInt(a.CustomerID, 10)), nil)
	mustStatus(t, resp, http.StatusOK)
	var preview struct {
		Registrations []string `json:"registrations"`
		Conflict      struct {
			Rule     string `json:"rule"`
			WinnerID string `json:"winner_id"`
			Reason   string `json:"reason"`
		} `json:"conflict"`
	}
	mustJSON(t, raw, &preview)
	if len(preview.Registrations) != 1 || preview.Conflict.Rule != "time" || preview.Conflict.WinnerID != strconv.FormatInt(a.ID, 10) ||
		!strings.Contains(preview.Conflict.Reason, "先报备者优先") {
		t.Fatalf("preview: %s", raw)
	}

	for _, c := range []struct {
		name, token, path, body string
		status                  int
		code                    string
	}{
		{"itself", m1, path(a.CustomerID, "/merge"), body(a.CustomerID, "x"), 422, "validation_failed"},
		{"no reason", m1, path(b.CustomerID, "/merge"), body(a.CustomerID, ""), 422, "validation_failed"},
		{"unknown field", m1, path(b.CustomerID, "/merge"), `{"into":"1"}`, 422, "validation_failed"},
		{"another team's manager", app.apiToken(t, "demo", "manager2"), path(b.CustomerID, "/merge"), body(a.CustomerID, "x"), 404, "not_found"},
		{"sales", app.apiToken(t, "demo", "sales1"), path(b.CustomerID, "/merge"), body(a.CustomerID, "x"), 403, "forbidden"},
		{"unknown survivor", m1, path(b.CustomerID, "/merge"), body(987654321, "x"), 404, "not_found"},
		{"not merged", m1, path(b.CustomerID, "/undo-merge"), `{"reason":"x"}`, 422, "validation_failed"},
	} {
		resp, raw := app.apiDo(t, c.token, "POST", c.path, c.body)
		if resp.StatusCode != c.status {
			t.Fatalf("%s: status %d, want %d: %s", c.name, resp.StatusCode, c.status, raw)
		}
		mustAPIError(t, raw, c.code)
	}

	// A retried merge (same Idempotency-Key) answers the first response.
	var answers [2]string
	for i := range answers {
		req := app.apiRequest(t, m1, "POST", path(b.CustomerID, "/merge"), body(a.CustomerID, "同一家公司"))
		req.Header.Set("Idempotency-Key", "merge-1")
		resp, raw := send(t, &http.Client{}, req)
		mustStatus(t, resp, http.StatusOK)
		answers[i] = string(raw)
	}
	if answers[0] != answers[1] {
		t.Fatalf("the retry answered differently:\n%s\n%s", answers[0], answers[1])
	}
	var merged struct {
		ID       string `json:"id"`
		MergedIn []struct {
			ID string `json:"id"`
		} `json:"merged_in"`
		Merge struct {
			Conflict struct {
				Rule string `json:"rule"`
			} `json:"conflict"`
		} `json:"merge"`
	}
	mustJSON(t, []byte(answers[0]), &merged)
	if merged.ID != strconv.FormatInt(a.CustomerID, 10) || len(merged.MergedIn) != 1 || merged.Merge.Conflict.Rule != "time" {
		t.Fatalf("merge: %s", answers[0])
	}
	resp, raw = app.apiDo(t, m1, "POST", path(b.CustomerID, "/merge"), body(a.CustomerID, "again"))
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	mustAPIError(t, raw, "validation_failed")

	resp, raw = app.apiDo(t, m1, "POST", path(b.CustomerID, "/undo-merge"), `{"reason":"合并错了"}`)
	mustStatus(t, resp, http.StatusOK)
	if strings.Contains(string(raw), "merged_into") {
		t.Fatalf("undo: %s", raw)
	}
	resp, raw = app.apiDo(t, app.apiToken(t, "demo", "sales2"), "GET", "/api/v1/registrations/"+strconv.FormatInt(b.ID, 10), nil)
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(raw), `"status":"active"`) || !strings.Contains(string(raw), `"customer_id":"`+strconv.FormatInt(b.CustomerID, 10)) {
		t.Fatalf("the later claim after undo: %s", raw)
	}

	resp, _ = app.apiDo(t, m1, "POST", path(b.CustomerID, "/merge"), body(a.CustomerID, "还是同一家"))
	mustStatus(t, resp, http.StatusOK)
	resp, raw = app.apiDo(t, m1, "POST", path(a.CustomerID, "/split"), `{"registration_ids":["x"],"reason":"不是同一家"}`)
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	mustAPIError(t, raw, "validation_failed")
	resp, raw = app.apiDo(t, m1, "POST", path(a.CustomerID, "/split"),
		`{"registration_ids":["`+strconv.FormatInt(b.ID, 10)+`"],"reason":"不是同一家"}`)
	mustStatus(t, resp, http.StatusCreated)
	var split struct {
		ID            string `json:"id"`
		Registrations []struct {
			ID string `json:"id"`
		} `json:"registrations"`
	}
	mustJSON(t, raw, &split)
	if split.ID == strconv.FormatInt(a.CustomerID, 10) || len(split.Registrations) != 1 || split.Registrations[0].ID != strconv.FormatInt(b.ID, 10) {
		t.Fatalf("split: %s", raw)
	}
	resp, raw = app.apiDo(t, app.apiToken(t, "demo", "sales2"), "GET", "/api/v1/customers/"+split.ID, nil)
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(raw), "Hangzhou Xinghe") || strings.Contains(string(raw), `"can_change":true`) {
		t.Fatalf("the split-off customer as its salesperson sees it: %s", raw)
	}
}

func TestCustomerMergePages(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	a, b := mergeCase(t, app)
	m1 := app.signIn(t, "demo", "manager1", demoPassword)
	src, dst := "/customers/"+strconv.FormatInt(b.CustomerID, 10), "/customers/"+strconv.FormatInt(a.CustomerID, 10)

	resp, page := app.get(t, m1, src+"/merge?q="+url.QueryEscape("星河"))
	mustStatus(t, resp, http.StatusOK)
	if !hasTestID(t, page, "merge-candidate-"+strconv.FormatInt(a.CustomerID, 10)) || hasTestID(t, page, "merge-candidate-"+strconv.FormatInt(b.CustomerID, 10)) {
		t.Fatalf("candidates: %s", testID(t, page, "merge-candidates"))
	}
	resp, page = app.get(t, m1, src+"/merge?into="+strconv.FormatInt(a.CustomerID, 10))
	mustStatus(t, resp, http.StatusOK)
	if moves := testID(t, page, "merge-moves"); !strings.Contains(moves, "转移报备 1 项") {
		t.Errorf("moves: %q", moves)
	}
	if c := testID(t, page, "merge-conflict"); !strings.Contains(c, "张三") || !strings.Contains(c, "驳回") {
		t.Errorf("conflict: %q", c)
	}
	form := formValues(t, page, "merge-form")
	resp, page = app.postForm(t, m1, src+"/merge", form)
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if !hasTestID(t, page, "error-reason") || !hasTestID(t, page, "merge-preview") {
		t.Fatal("a merge without a reason does not show the form again with the error")
	}
	form.Set("reason", "中英文名是同一家公司")
	resp, _ = app.postForm(t, m1, src+"/merge", form)
	mustRedirect(t, resp, dst)
	resp, page = app.get(t, m1, dst)
	mustStatus(t, resp, http.StatusOK)
	if rows := findAll(parseHTML(t, page), byTestIDAttr("customer-registration")); len(rows) != 2 || !hasTestID(t, page, "merged-in") {
		t.Fatalf("the survivor's page shows %d registrations", len(rows))
	}
	resp, page = app.get(t, app.signIn(t, "demo", "manager2", demoPassword), dst)
	mustStatus(t, resp, http.StatusNotFound)

	// Undo from the merged record's page, then split the survivor.
	resp, page = app.postForm(t, m1, src+"/undo-merge", url.Values{})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if !hasTestID(t, page, "form-error") {
		t.Fatal("an undo without a reason shows no error")
	}
	resp, _ = app.postForm(t, m1, src+"/undo-merge", url.Values{"reason": {"合并错了"}})
	mustRedirect(t, resp, src)
	resp, page = app.get(t, m1, src)
	mustStatus(t, resp, http.StatusOK)
	if hasTestID(t, page, "merged-notice") || len(findAll(parseHTML(t, page), byTestIDAttr("customer-registration"))) != 1 {
		t.Fatal("the record after undo still looks merged")
	}
	resp, _ = app.postForm(t, m1, src+"/merge", url.Values{"into_id": {strconv.FormatInt(a.CustomerID, 10)}, "reason": {"再合并"}})
	mustRedirect(t, resp, dst)
	resp, page = app.postForm(t, m1, dst+"/split", url.Values{"reason": {"拆"}})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if !hasTestID(t, page, "error-registration_ids") {
		t.Fatal("a split with nothing ticked shows no error")
	}
	resp, _ = app.postForm(t, m1, dst+"/split", url.Values{"registration_ids": {strconv.FormatInt(b.ID, 10)}, "reason": {"不是同一家"}})
	mustStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc == dst || loc == src || !strings.HasPrefix(loc, "/customers/") {
		t.Fatalf("split went to %q", loc)
	}
}
