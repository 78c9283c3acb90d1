package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The correction API: PATCH a registration (200, also when the edit loses
// a conflict; 422; 404/403 like GET) and void a visit or deal (200; 422;
// 403 for other roles; another company's ids 404).
func TestCorrectionAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	sales1 := app.token(t, "demo", "sales1", "demo12345")
	sales3 := app.token(t, "demo", "sales3", "demo12345")
	manager1 := app.token(t, "demo", "manager1", "demo12345")
	clerk := app.token(t, "demo", "clerk1", "demo12345")
	front := app.token(t, "demo", "frontdesk1", "demo12345")

	resp, body := app.apiDo(t, sales1, "POST", "/api/v1/registrations", huawei("深圳腾达科技有限公司", "13811112222"))
	mustStatus(t, resp, http.StatusCreated)
	var held registrationJSON
	mustJSON(t, body, &held)
	resp, body = app.apiDo(t, sales3, "POST", "/api/v1/registrations", huawei("杭州远景软件有限公司", "13933334444"))
	mustStatus(t, resp, http.StatusCreated)
	var mine registrationJSON
	mustJSON(t, body, &mine)

	path := "/api/v1/registrations/" + mine.ID
	resp, body = app.apiDo(t, sales3, "PATCH", path, map[string]any{"grade": "H", "needs": "采购 500 台服务器"})
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"grade":"H"`) || !strings.Contains(string(body), `"status":"active"`) {
		t.Errorf("patched = %s", body)
	}
	resp, body = app.apiDo(t, sales3, "PATCH", path, map[string]any{"grade": "Z"})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if e := mustAPIError(t, body, "validation_failed"); e.Fields["grade"] == "" {
		t.Errorf("422 without the grade field: %s", body)
	}
	resp, body = app.apiDo(t, sales3, "PATCH", path, map[string]any{"source": "展会"})
	mustStatus(t, resp, http.StatusUnprocessableEntity) // not correctable: an unknown field
	resp, _ = app.apiDo(t, sales1, "PATCH", path, map[string]any{"grade": "B"})
	mustStatus(t, resp, http.StatusNotFound)
	resp, _ = app.apiDo(t, front, "PATCH", path, map[string]any{"grade": "B"})
	mustStatus(t, resp, http.StatusNotFound)
	resp, _ = app.apiDo(t, clerk, "PATCH", path, map[string]any{"grade": "B"})
	mustStatus(t, resp, http.StatusForbidden)
	resp, _ = app.apiDo(t, manager1, "PATCH", "/api/v1/registrations/"+held.ID, map[string]any{"grade": "H"})
	mustStatus(t, resp, http.StatusOK)

	// Adding sales1's phone: 200, and the registration is rejected by time.
	contacts := []map[string]string{{"name": "张经理", "phone": "13933334444"}, {"name": "李总", "phone": "13811112222"}}
	resp, body = app.apiDo(t, sales3, "PATCH", path, map[string]any{"customer": map[string]any{"contacts": contacts}})
	mustStatus(t, resp, http.StatusOK)
	var lost registrationJSON
	mustJSON(t, body, &lost)
	if lost.Status != "rejected" || lost.Decision == nil || lost.Decision.Rule != "time" || lost.Decision.Winner != "other" {
		t.Fatalf("edit adding a held phone = %s", body)
	}
	if strings.Contains(string(body), `"owner_id":"`+held.OwnerID+`"`) || strings.Contains(string(body), "张三") {
		t.Errorf("the loser learns who holds it: %s", body)
	}
	resp, _ = app.apiDo(t, sales3, "PATCH", path, map[string]any{"grade": "A"})
	mustStatus(t, resp, http.StatusUnprocessableEntity) // a rejected claim is not editable

	// Voids.
	resp, body = app.apiDo(t, front, "POST", "/api/v1/visits", map[string]any{"visitor_name": "张经理", "phone": "13811112222",
		"company": "深圳腾达科技", "salesperson_id": held.OwnerID})
	mustStatus(t, resp, http.StatusCreated)
	var v visitJSON
	mustJSON(t, body, &v)
	resp, _ = app.apiDo(t, front, "POST", "/api/v1/visits/"+v.ID+"/void", map[string]string{"reason": "登记错了"})
	mustStatus(t, resp, http.StatusForbidden)
	resp, body = app.apiDo(t, clerk, "POST", "/api/v1/visits/"+v.ID+"/void", map[string]string{"reason": ""})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if e := mustAPIError(t, body, "validation_failed"); e.Fields["reason"] == "" {
		t.Errorf("422 without the reason field: %s", body)
	}
	resp, body = app.apiDo(t, clerk, "POST", "/api/v1/visits/"+v.ID+"/void", map[string]string{"reason": "登记错了"})
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"void_reason":"登记错了"`) || strings.Contains(string(body), `"voided_at":null`) {
		t.Errorf("voided visit = %s", body)
	}
	resp, _ = app.apiDo(t, clerk, "POST", "/api/v1/visits/"+v.ID+"/void", map[string]string{"reason": "again"})
	mustStatus(t, resp, http.StatusUnprocessableEntity)

	signed := time.Now().Add(-time.Hour).Format(time.RFC3339)
	resp, body = app.apiDo(t, clerk, "POST", "/api/v1/deals", map[string]any{"contract_no": "HT-VOID-1",
		"customer": map[string]any{"kind": "company", "name": "深圳腾达科技有限公司"}, "signed_at": signed, "amount": 5000,
		"signer_id": held.OwnerID})
	mustStatus(t, resp, http.StatusCreated)
	var d dealJSON
	mustJSON(t, body, &d)
	resp, _ = app.apiDo(t, sales1, "POST", "/api/v1/deals/"+d.ID+"/void", map[string]string{"reason": "录错"})
	mustStatus(t, resp, http.StatusForbidden)
	resp, body = app.apiDo(t, clerk, "POST", "/api/v1/deals/"+d.ID+"/void", map[string]string{"reason": "合同录错"})
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"void_reason":"合同录错"`) {
		t.Errorf("voided deal = %s", body)
	}
	resp, body = app.apiDo(t, sales1, "GET", "/api/v1/registrations/"+held.ID, nil)
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"status":"active"`) {
		t.Errorf("the claim the voided deal converted: %s", body)
	}

	acme := app.acme(t)
	for _, p := range []string{"/api/v1/visits/" + v.ID + "/void", "/api/v1/deals/" + d.ID + "/void"} {
		resp, _ = app.apiDo(t, acme, "POST", p, map[string]string{"reason": "x"})
		mustStatus(t, resp, http.StatusNotFound)
	}
	resp, _ = app.apiDo(t, acme, "PATCH", "/api/v1/registrations/"+held.ID, map[string]any{"grade": "H"})
	mustStatus(t, resp, http.StatusNotFound)
}

// The edit page: reachable from the registration page for the owner,
// filled with the details, re-rendered with field errors for bad input,
// and a saved edit goes back to the registration; a clerk may not edit.
func TestRegistrationEditPage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	sales1 := app.signIn(t, "demo", "sales1", demoPassword)
	resp, body := app.postForm(t, sales1, "/registrations", url.Values{"customer.kind": {"company"}, "customer.name": {"深圳腾达科技有限公司"},
		"customer.industry": {"通信"}, "customer.address": {"深圳市南山区"}, "customer.contacts.0.name": {"张经理"},
		"customer.contacts.0.phone": {"13811112222"}, "customer.contacts.0.relation": {"self"}, "grade": {"A"}, "needs": {"采购服务器"}})
	mustStatus(t, resp, http.StatusSeeOther)
	regPath := resp.Header.Get("Location")

	_, page := app.get(t, sales1, regPath)
	editPath := linkTo(t, page, "修改报备")
	if editPath != regPath+"/edit" {
		t.Fatalf("edit link = %q", editPath)
	}
	resp, page = app.get(t, sales1, editPath)
	mustStatus(t, resp, http.StatusOK)
	form := formValues(t, page, "edit-form")
	if form.Get("customer.name") != "深圳腾达科技有限公司" || form.Get("customer.contacts.0.phone") != "13811112222" || form.Get("grade") != "A" {
		t.Fatalf("edit form = %v", form)
	}

	form.Set("customer.uscc", "not-a-code")
	resp, body = app.postForm(t, sales1, editPath, form)
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if !hasTestID(t, body, "error-customer.uscc") || formValues(t, body, "edit-form").Get("customer.uscc") != "not-a-code" {
		t.Errorf("the form did not come back with the error and the typed value")
	}

	form.Set("customer.uscc", "")
	form.Set("customer.industry", "制造")
	form.Set("grade", "H")
	resp, _ = app.postForm(t, sales1, editPath, form)
	mustRedirect(t, resp, regPath)
	_, page = app.get(t, sales1, regPath)
	if !strings.Contains(string(page), "制造") || !strings.Contains(testID(t, page, "flash"), "报备已修改") {
		t.Errorf("the registration page after the edit does not show it")
	}

	clerk := app.signIn(t, "demo", "clerk1", demoPassword)
	_, page = app.get(t, clerk, regPath)
	if hasTestID(t, page, "edit-link") {
		t.Errorf("a clerk is offered the edit link")
	}
	resp, _ = app.get(t, clerk, editPath)
	mustStatus(t, resp, http.StatusForbidden)
}
