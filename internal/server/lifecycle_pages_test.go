package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// navHrefs lists the navigation's links on a page.
func navHrefs(t *testing.T, page []byte) []string {
	t.Helper()
	var out []string
	for _, nav := range findAll(parseHTML(t, page), byTestIDAttr("nav")) {
		for _, a := range findAll(nav, func(n *html.Node) bool { return n.Data == "a" }) {
			href, _ := attr(a, "href")
			out = append(out, href)
		}
	}
	return out
}

// The registration page keeps the claim: follow-ups logged and listed,
// a renewal refused outside its window, the customer released into the
// pool, from which another salesperson registers it with the name filled in.
func TestLifecyclePages(t *testing.T) {
	t.Parallel()
	app, _ := newClockApp(t)
	sales1 := app.signIn(t, "demo", "sales1", demoPassword)
	reg := mustRegister(t, app, sales1, newRegistrationValues(t, app, sales1, completeRegistration("北京华为技术有限公司", "张经理", "13812345678")))
	resp, page := app.get(t, sales1, reg)
	mustStatus(t, resp, http.StatusOK)
	for _, id := range []string{"lifecycle", "follow-up-form", "renew-form", "release-form", "follow-ups"} {
		if !hasTestID(t, page, id) {
			t.Errorf("the owner's page has no %s", id)
		}
	}
	if nav := strings.Join(navHrefs(t, page), " "); !strings.Contains(nav, "/pool") || !strings.Contains(nav, "/consents") || strings.Contains(nav, "/approvals") {
		t.Errorf("sales nav = %s", nav)
	}

	vals := formValues(t, page, "follow-up-form")
	vals.Set("at", "2030-01-01T10:00")
	resp, page = app.postForm(t, sales1, reg+"/follow-ups", vals)
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if !hasTestID(t, page, "error-at") {
		t.Error("a future follow-up shows no error beside its time")
	}
	vals.Set("at", "")
	vals.Set("note", "电话沟通, 客户要报价")
	vals.Set("grade", "H")
	resp, _ = app.postForm(t, sales1, reg+"/follow-ups", vals)
	mustRedirect(t, resp, reg)
	_, page = app.get(t, sales1, reg)
	if got := testID(t, page, "follow-up"); !strings.Contains(got, "电话沟通, 客户要报价") || !strings.Contains(got, "张三") {
		t.Errorf("follow-up row = %q", got)
	}
	if got := testID(t, page, "maintained"); !strings.Contains(got, "维护中") {
		t.Errorf("maintained = %q", got)
	}

	resp, page = app.postForm(t, sales1, reg+"/renew", url.Values{})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if got := testID(t, page, "form-error"); !strings.Contains(got, "最早可于") {
		t.Errorf("renewal refusal = %q", got)
	}

	vals = formValues(t, page, "release-form")
	vals.Set("reason_code", "other")
	resp, page = app.postForm(t, sales1, reg+"/release", vals)
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if !hasTestID(t, page, "error-release_note") {
		t.Error("releasing for another reason without a note shows no error beside the note")
	}
	vals.Set("reason_code", "no_interest")
	resp, _ = app.postForm(t, sales1, reg+"/release", vals)
	mustRedirect(t, resp, reg)

	sales3 := app.signIn(t, "demo", "sales3", demoPassword)
	resp, page = app.get(t, sales3, "/pool")
	mustStatus(t, resp, http.StatusOK)
	if got := testID(t, page, "pool-entry"); !strings.Contains(got, "北京华为技术有限公司") || !strings.Contains(got, "无意向") || strings.Contains(got, "张三") {
		t.Errorf("pool row = %q", got)
	}
	link := ""
	for _, a := range findAll(parseHTML(t, page), byTestIDAttr("pool-register")) {
		link, _ = attr(a, "href")
	}
	if !strings.HasPrefix(link, "/registrations/new?") {
		t.Fatalf("register link = %q", link)
	}
	resp, page = app.get(t, sales3, link)
	mustStatus(t, resp, http.StatusOK)
	if got := formValues(t, page, "registration-form").Get("customer.name"); got != "北京华为技术有限公司" {
		t.Errorf("prefilled name = %q", got)
	}
	resp, _ = app.get(t, app.signIn(t, "demo", "frontdesk1", demoPassword), "/pool")
	mustStatus(t, resp, http.StatusForbidden)
}

// Consent through the pages: 申请联系 from the duplicate check, the owner
// accepts in the inbox.
func TestConsentPages(t *testing.T) {
	t.Parallel()
	app, _ := newClockApp(t)
	ctx := context.Background()
	sales1 := app.signIn(t, "demo", "sales1", demoPassword)
	reg := mustRegister(t, app, sales1, newRegistrationValues(t, app, sales1, completeRegistration("北京华为技术有限公司", "张经理", "13812345678")))
	_, page := app.get(t, sales1, reg)
	resp, _ := app.postForm(t, sales1, reg+"/follow-ups", formValues(t, page, "follow-up-form"))
	mustRedirect(t, resp, reg)

	sales3 := app.signIn(t, "demo", "sales3", demoPassword)
	resp, partial := app.postForm(t, sales3, "/registrations/check", url.Values{"customer.kind": {"company"}, "customer.name": {"华为技术(北京)有限公司"}})
	mustStatus(t, resp, http.StatusOK)
	var ask string
	for _, a := range findAll(parseHTML(t, partial), byTestIDAttr("ask-consent")) {
		ask, _ = attr(a, "href")
	}
	if !strings.HasPrefix(ask, "/consents/new?claim_ref=") {
		t.Fatalf("no 申请联系 link in the check:\n%s", partial)
	}
	resp, page = app.get(t, sales3, ask)
	mustStatus(t, resp, http.StatusOK)
	vals := formValues(t, page, "consent-form")
	resp, page = app.postForm(t, sales3, "/consents", vals)
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if !hasTestID(t, page, "error-reason") {
		t.Error("no reason: no error beside it")
	}
	vals.Set("reason", "客户主动来电询价")
	resp, _ = app.postForm(t, sales3, "/consents", vals)
	mustRedirect(t, resp, "/consents")
	_, page = app.get(t, sales3, "/consents")
	if got := testID(t, page, "consent-outgoing"); !strings.Contains(got, "北京华为技术有限公司") || !strings.Contains(got, "待答复") || strings.Contains(got, "张三") {
		t.Errorf("outgoing row = %q", got)
	}

	_, page = app.get(t, sales1, "/consents")
	if got := testID(t, page, "consent-requester"); got != "王五" {
		t.Errorf("requester = %q", got)
	}
	vals = formValues(t, page, "consent-answer")
	vals.Set("accept", "true")
	resp, _ = app.postForm(t, sales1, actionOf(t, page, "consent-answer"), vals)
	mustRedirect(t, resp, "/consents")
	_, page = app.get(t, sales1, reg)
	if got := testID(t, page, "assistants"); !strings.Contains(got, "王五") {
		t.Errorf("assistants = %q", got)
	}
	if as, err := app.Svc.Assistants(ctx, app.actor(t, "demo", "sales1", demoPassword), idOf(t, reg)); err != nil || len(as) != 1 {
		t.Errorf("assistants = %+v, %v", as, err)
	}
}

// actionOf is the action of the first form with data-testid=id.
func actionOf(t *testing.T, page []byte, id string) string {
	t.Helper()
	for _, f := range findAll(parseHTML(t, page), byTestIDAttr(id)) {
		a, _ := attr(f, "action")
		return a
	}
	t.Fatalf("no form %s", id)
	return ""
}

// idOf is the id at the end of a registration path.
func idOf(t *testing.T, path string) int64 {
	t.Helper()
	m := registrationPath.FindStringSubmatch(path)
	if m == nil {
		t.Fatalf("%q is not a registration path", path)
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A cross-region registration waits in the manager's approvals queue; a
// rejection needs a reason, an approval makes it active.
func TestApprovalsPage(t *testing.T) {
	t.Parallel()
	app, _ := newClockApp(t)
	admin := app.actor(t, "demo", "admin", demoPassword)
	if _, err := app.Svc.UpdatePolicy(context.Background(), admin, map[string]json.RawMessage{"cross_region_approval": json.RawMessage("true")}); err != nil {
		t.Fatal(err)
	}
	sales1 := app.signIn(t, "demo", "sales1", demoPassword)
	fill := completeRegistration("上海某某贸易有限公司", "钱经理", "13812345678")
	fill["customer.region"] = "上海"
	reg := mustRegister(t, app, sales1, newRegistrationValues(t, app, sales1, fill))
	_, page := app.get(t, sales1, reg)
	if got := testID(t, page, "status"); got != "待审核" {
		t.Errorf("status = %q", got)
	}
	if got := testID(t, page, "hold"); !strings.Contains(got, "跨区域报备") {
		t.Errorf("hold = %q", got)
	}

	resp, _ := app.get(t, sales1, "/approvals")
	mustStatus(t, resp, http.StatusForbidden)
	manager1 := app.signIn(t, "demo", "manager1", demoPassword)
	resp, page = app.get(t, manager1, "/approvals")
	mustStatus(t, resp, http.StatusOK)
	if nav := strings.Join(navHrefs(t, page), " "); !strings.Contains(nav, "/approvals") {
		t.Errorf("manager nav = %s", nav)
	}
	if got := testID(t, page, "approval"); !strings.Contains(got, "跨区域报备") || !strings.Contains(got, "上海某某贸易有限公司") || !strings.Contains(got, "张三") {
		t.Errorf("approval row = %q", got)
	}
	action := actionOf(t, page, "approval-form")
	resp, page = app.postForm(t, manager1, action, url.Values{"decision": {"reject"}})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if !hasTestID(t, page, "error-reason") {
		t.Error("rejecting without a reason shows no error")
	}
	resp, _ = app.postForm(t, manager1, action, url.Values{"decision": {"approve"}})
	mustRedirect(t, resp, "/approvals")
	_, page = app.get(t, manager1, "/approvals")
	if !hasTestID(t, page, "empty") {
		t.Error("the queue still shows the decided approval")
	}
	_, page = app.get(t, sales1, reg)
	if got := testID(t, page, "status"); got != "已生效" {
		t.Errorf("status after approval = %q, want 已生效", got)
	}
}
