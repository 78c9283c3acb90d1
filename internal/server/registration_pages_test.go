package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"golang.org/x/net/html"
)

// newRegistrationValues fetches the new-registration form as c sees it and
// returns what a browser would submit, with the given fields filled in.
func newRegistrationValues(t *testing.T, app *testApp, c *http.Client, fill map[string]string) url.Values {
	t.Helper()
	resp, page := app.get(t, c, "/registrations/new")
	mustStatus(t, resp, http.StatusOK)
	vals := formValues(t, page, "registration-form")
	for k, v := range fill {
		vals.Set(k, v)
	}
	return vals
}

// completeRegistration is a form that passes the default completeness
// minimum, for a company called name with one contact.
func completeRegistration(name, contact, phone string) map[string]string {
	return map[string]string{
		"customer.name":                name,
		"customer.industry":            "通信设备",
		"customer.size":                "1000 人以上",
		"customer.address":             "北京市海淀区",
		"customer.contacts.0.name":     contact,
		"customer.contacts.0.title":    "采购经理",
		"customer.contacts.0.phone":    phone,
		"customer.contacts.0.relation": "self",
		"grade":                        "A",
		"needs":                        "数据中心服务器 200 台",
		"source":                       "展会",
		"first_contact_at":             "2026-01-05T10:30",
		"expected_amount":              "120万",
	}
}

var registrationPath = regexp.MustCompile(`^/registrations/([0-9]+)$`)

// mustRegister posts the form and returns the new registration's path
// from the 303.
func mustRegister(t *testing.T, app *testApp, c *http.Client, vals url.Values) string {
	t.Helper()
	resp, _ := app.postForm(t, c, "/registrations", vals)
	mustStatus(t, resp, http.StatusSeeOther)
	loc := resp.Header.Get("Location")
	if !registrationPath.MatchString(loc) {
		t.Fatalf("registered: redirected to %q, want /registrations/{id}", loc)
	}
	return loc
}

func TestRegistrationFormRenders(t *testing.T) {
	app := newTestApp(t)
	sales := app.signIn(t, "demo", "sales1", demoPassword)
	resp, page := app.get(t, sales, "/registrations/new")
	mustStatus(t, resp, http.StatusOK)
	vals := formValues(t, page, "registration-form")
	for _, name := range []string{"customer.kind", "customer.name", "customer.uscc", "customer.project", "customer.industry",
		"customer.size", "customer.region", "customer.address", "customer.contacts.0.name", "customer.contacts.0.title",
		"customer.contacts.0.phone", "customer.contacts.0.relation", "grade", "needs", "source", "first_contact_at",
		"expected_amount", "history_claim"} {
		if _, ok := vals[name]; !ok {
			t.Errorf("form has no field %q", name)
		}
	}
	if vals.Get("customer.kind") != "company" || vals.Get("customer.contacts.0.relation") != "self" {
		t.Errorf("defaults: kind %q, relation %q", vals.Get("customer.kind"), vals.Get("customer.contacts.0.relation"))
	}
	// The live check is wired to the identity inputs and the contact rows.
	doc := parseHTML(t, page)
	for _, name := range []string{"customer.name", "customer.uscc", "customer.project"} {
		inputs := findAll(doc, func(n *html.Node) bool { v, _ := attr(n, "name"); return n.Data == "input" && v == name })
		if len(inputs) != 1 {
			t.Fatalf("%d inputs named %s", len(inputs), name)
		}
		if v, _ := attr(inputs[0], "hx-post"); v != "/registrations/check" {
			t.Errorf("%s: hx-post %q", name, v)
		}
		if v, _ := attr(inputs[0], "hx-target"); v != "#check" {
			t.Errorf("%s: hx-target %q", name, v)
		}
	}
	for _, frag := range []string{`id="contacts"`, `id="check"`, `<template id="contact-row">`, `data-add-row="contact-row"`} {
		if !strings.Contains(string(page), frag) {
			t.Errorf("page lacks %s", frag)
		}
	}
	if got := testID(t, page, "nav"); !strings.Contains(got, "新建报备") || !strings.Contains(got, "我的报备") {
		t.Errorf("sales nav %q lacks the registration entries", got)
	}

	front := app.signIn(t, "demo", "frontdesk1", demoPassword)
	for _, path := range []string{"/registrations/new", "/registrations", "/reviews"} {
		resp, _ := app.get(t, front, path)
		mustStatus(t, resp, http.StatusForbidden)
	}
}

func TestRegisterThroughForm(t *testing.T) {
	app := newTestApp(t)
	sales := app.signIn(t, "demo", "sales1", demoPassword)

	t.Run("complete registration is active", func(t *testing.T) {
		path := mustRegister(t, app, sales, newRegistrationValues(t, app, sales, completeRegistration("北京星河科技有限公司", "刘经理", "13811112222")))
		resp, page := app.get(t, sales, path)
		mustStatus(t, resp, http.StatusOK)
		if got := testID(t, page, "status"); got != "已生效" {
			t.Errorf("status badge %q, want 已生效", got)
		}
		if got := testID(t, page, "flash"); got == "" {
			t.Error("no flash after registering")
		}
		if got := testID(t, page, "countdown"); got != "剩 30 天" {
			t.Errorf("countdown %q, want 剩 30 天", got)
		}
		if got := testID(t, page, "contact-phone"); got != "13811112222" {
			t.Errorf("owner sees phone %q, want it in full", got)
		}
		if got := testID(t, page, "timeline"); !strings.Contains(got, "报备") || !strings.Contains(got, "生效") {
			t.Errorf("timeline %q", got)
		}
		if hasTestID(t, page, "decision") || hasTestID(t, page, "outcome") {
			t.Error("an unopposed registration shows a decision or outcome")
		}

		resp, page = app.get(t, sales, "/registrations")
		mustStatus(t, resp, http.StatusOK)
		if got := testID(t, page, "registrations-table"); !strings.Contains(got, "北京星河科技有限公司") || !strings.Contains(got, "已生效") {
			t.Errorf("list %q lacks the registration", got)
		}
		resp, page = app.get(t, sales, "/registrations?status=rejected&q=星河")
		mustStatus(t, resp, http.StatusOK)
		if !hasTestID(t, page, "empty") {
			t.Error("status filter rejected still lists the active registration")
		}
		resp, page = app.get(t, sales, "/registrations?q=星河")
		mustStatus(t, resp, http.StatusOK)
		if got := testID(t, page, "registrations-table"); !strings.Contains(got, "北京星河科技有限公司") {
			t.Errorf("search 星河: %q", got)
		}
	})

	t.Run("incomplete is refused with field errors", func(t *testing.T) {
		vals := newRegistrationValues(t, app, sales, map[string]string{"customer.name": "上海某某贸易有限公司"})
		resp, page := app.postForm(t, sales, "/registrations", vals)
		mustStatus(t, resp, http.StatusUnprocessableEntity)
		if got := testID(t, page, "form-error"); !strings.Contains(got, "无效报备") {
			t.Errorf("banner %q", got)
		}
		for _, id := range []string{"error-customer.contacts.0.phone", "error-customer.contacts.0.name", "error-needs"} {
			if !hasTestID(t, page, id) {
				t.Errorf("no %s", id)
			}
		}
		if got := formValues(t, page, "registration-form").Get("customer.name"); got != "上海某某贸易有限公司" {
			t.Errorf("name shown again as %q", got)
		}
	})

	t.Run("unreadable date and amount", func(t *testing.T) {
		fill := completeRegistration("广州甲乙丙有限公司", "陈先生", "13900001111")
		fill["first_contact_at"] = "昨天"
		fill["expected_amount"] = "很多"
		resp, page := app.postForm(t, sales, "/registrations", newRegistrationValues(t, app, sales, fill))
		mustStatus(t, resp, http.StatusUnprocessableEntity)
		for _, id := range []string{"error-first_contact_at", "error-expected_amount"} {
			if !hasTestID(t, page, id) {
				t.Errorf("no %s", id)
			}
		}
	})

	t.Run("own duplicate links to the existing registration", func(t *testing.T) {
		first := mustRegister(t, app, sales, newRegistrationValues(t, app, sales, completeRegistration("深圳重复测试有限公司", "周女士", "13700001111")))
		resp, page := app.postForm(t, sales, "/registrations",
			newRegistrationValues(t, app, sales, completeRegistration("深圳重复测试有限公司", "周女士", "13700001111")))
		mustStatus(t, resp, http.StatusConflict)
		if got := linkTo(t, page, "查看已有报备"); got != first {
			t.Errorf("duplicate links to %q, want %q", got, first)
		}
		if !hasTestID(t, page, "duplicate-link") {
			t.Error("no duplicate-link")
		}
	})
}

func TestRegistrationConflictPrivacy(t *testing.T) {
	app := newTestApp(t)
	sales1 := app.signIn(t, "demo", "sales1", demoPassword)
	sales3 := app.signIn(t, "demo", "sales3", demoPassword)

	held := mustRegister(t, app, sales1, newRegistrationValues(t, app, sales1, completeRegistration("北京华为技术有限公司", "刘经理", "13812345678")))

	// The live check warns sales3 without naming the holder.
	resp, partial := app.postForm(t, sales3, "/registrations/check", url.Values{"customer.kind": {"company"}, "customer.name": {"华为技术(北京)有限公司"}})
	mustStatus(t, resp, http.StatusOK)
	if strings.Contains(string(partial), "<html") {
		t.Error("the check answers a whole page, want a partial")
	}
	if got := testID(t, partial, "match-strong"); !strings.Contains(got, "该客户已被报备, 保护期至") {
		t.Errorf("strong match %q", got)
	}
	if strings.Contains(string(partial), "张三") || hasTestID(t, partial, "match-owner") {
		t.Errorf("the check names the holder to another salesperson:\n%s", partial)
	}
	if got := testID(t, partial, "completeness"); !strings.Contains(got, "缺少") {
		t.Errorf("completeness %q lists nothing missing", got)
	}

	// The holder's own check links to their claim.
	resp, partial = app.postForm(t, sales1, "/registrations/check", url.Values{"customer.name": {"华为技术(北京)有限公司"}})
	mustStatus(t, resp, http.StatusOK)
	if got := linkTo(t, partial, "查看已有报备"); got != held {
		t.Errorf("own match links to %q, want %q", got, held)
	}

	// A similar name is a warning, with its similarity.
	resp, partial = app.postForm(t, sales3, "/registrations/check", url.Values{"customer.name": {"北京华为技术服务有限公司"}})
	mustStatus(t, resp, http.StatusOK)
	if got := testID(t, partial, "match-weak"); !strings.Contains(got, "%") {
		t.Errorf("weak match %q shows no similarity", got)
	}

	// sales3 (other team) registers the same customer and loses by time.
	lost := mustRegister(t, app, sales3, newRegistrationValues(t, app, sales3, completeRegistration("华为技术(北京)有限公司", "孙先生", "13600001111")))
	resp, page := app.get(t, sales3, lost)
	mustStatus(t, resp, http.StatusOK)
	if got := testID(t, page, "status"); got != "已驳回" {
		t.Errorf("loser's status %q, want 已驳回", got)
	}
	if !hasTestID(t, page, "outcome") {
		t.Error("the rejection is not shown prominently")
	}
	if got := testID(t, page, "decision-reason"); !strings.Contains(got, "先报备者优先") || !strings.Contains(got, "保护期至") {
		t.Errorf("decision reason %q", got)
	}
	if got := testID(t, page, "conflict"); !strings.Contains(got, "客户名称") {
		t.Errorf("matched on %q", got)
	}
	if strings.Contains(string(page), "张三") {
		t.Errorf("the loser's page names the holder:\n%s", abbreviate(page))
	}
	// And the holder's registration stays out of reach.
	resp, _ = app.get(t, sales3, held)
	mustStatus(t, resp, http.StatusNotFound)
}

func TestRegistrationVisibility(t *testing.T) {
	app := newTestApp(t)
	sales1 := app.signIn(t, "demo", "sales1", demoPassword)
	path := mustRegister(t, app, sales1, newRegistrationValues(t, app, sales1, completeRegistration("杭州可见性测试有限公司", "吴经理", "13512345678")))

	manager1 := app.signIn(t, "demo", "manager1", demoPassword)
	resp, page := app.get(t, manager1, "/registrations")
	mustStatus(t, resp, http.StatusOK)
	if got := testID(t, page, "registrations-table"); !strings.Contains(got, "杭州可见性测试有限公司") || !strings.Contains(got, "张三") {
		t.Errorf("manager1's team list %q lacks sales1's registration", got)
	}
	if !strings.Contains(string(page), "<h1>团队报备</h1>") {
		t.Error("manager's list is not titled 团队报备")
	}
	resp, page = app.get(t, manager1, path)
	mustStatus(t, resp, http.StatusOK)
	if got := testID(t, page, "contact-phone"); got != "13512345678" {
		t.Errorf("the owner's manager sees phone %q, want it in full", got)
	}

	for _, user := range []string{"manager2", "sales2", "sales3"} {
		c := app.signIn(t, "demo", user, demoPassword)
		resp, _ := app.get(t, c, path)
		mustStatus(t, resp, http.StatusNotFound)
		resp, page := app.get(t, c, "/registrations")
		mustStatus(t, resp, http.StatusOK)
		if strings.Contains(string(page), "杭州可见性测试有限公司") {
			t.Errorf("%s's list shows sales1's registration", user)
		}
	}

	clerk := app.signIn(t, "demo", "clerk1", demoPassword)
	resp, page = app.get(t, clerk, path)
	mustStatus(t, resp, http.StatusOK)
	if got := testID(t, page, "contact-phone"); strings.Contains(got, "5678") {
		t.Errorf("the clerk sees phone %q, want it masked", got)
	}
	resp, _ = app.get(t, clerk, "/registrations/new")
	mustStatus(t, resp, http.StatusForbidden)
}

func TestReviewQueue(t *testing.T) {
	app := newTestApp(t)
	admin := app.actor(t, "demo", "admin", demoPassword)
	if _, err := app.Svc.UpdatePolicy(context.Background(), admin, map[string]json.RawMessage{"review_required": json.RawMessage("true")}); err != nil {
		t.Fatal(err)
	}
	sales1 := app.signIn(t, "demo", "sales1", demoPassword)
	first := mustRegister(t, app, sales1, newRegistrationValues(t, app, sales1, completeRegistration("天津审核一有限公司", "郑经理", "13300001111")))
	second := mustRegister(t, app, sales1, newRegistrationValues(t, app, sales1, completeRegistration("天津审核二有限公司", "冯经理", "13300002222")))
	resp, page := app.get(t, sales1, first)
	mustStatus(t, resp, http.StatusOK)
	if got := testID(t, page, "status"); got != "待审核" {
		t.Errorf("status %q, want 待审核", got)
	}
	if hasTestID(t, page, "review-form") {
		t.Error("the owner is offered the review form")
	}

	manager2 := app.signIn(t, "demo", "manager2", demoPassword)
	resp, page = app.get(t, manager2, "/reviews")
	mustStatus(t, resp, http.StatusOK)
	if strings.Contains(string(page), "天津审核一有限公司") {
		t.Error("manager2's queue shows team 一组's registration")
	}

	manager1 := app.signIn(t, "demo", "manager1", demoPassword)
	resp, page = app.get(t, manager1, "/reviews")
	mustStatus(t, resp, http.StatusOK)
	if got := testID(t, page, "reviews-table"); !strings.Contains(got, "天津审核一有限公司") || !strings.Contains(got, "天津审核二有限公司") {
		t.Fatalf("queue %q", got)
	}

	id1 := strings.TrimPrefix(first, "/registrations/")
	t.Run("inline approve answers the updated row", func(t *testing.T) {
		req := app.formRequest(t, "/registrations/"+id1+"/review", url.Values{"decision": {"approve"}, "from": {"queue"}})
		req.Header.Set("HX-Request", "true")
		resp, row := send(t, manager1, req)
		mustStatus(t, resp, http.StatusOK)
		if strings.Contains(string(row), "<html") || !strings.Contains(string(row), `id="review-`+id1+`"`) {
			t.Fatalf("not the row partial:\n%s", row)
		}
		if got := testID(t, row, "status"); got != "已生效" {
			t.Errorf("row status %q, want 已生效", got)
		}
		if got := testID(t, row, "review-outcome"); got != "已通过" {
			t.Errorf("row outcome %q", got)
		}
		if hasTestID(t, row, "review-form") {
			t.Error("the approved row still offers the buttons")
		}
	})

	id2 := strings.TrimPrefix(second, "/registrations/")
	t.Run("reject needs a reason", func(t *testing.T) {
		req := app.formRequest(t, "/registrations/"+id2+"/review", url.Values{"decision": {"reject"}, "from": {"queue"}})
		req.Header.Set("HX-Request", "true")
		resp, row := send(t, manager1, req)
		mustStatus(t, resp, http.StatusOK)
		if got := testID(t, row, "error-reason"); !strings.Contains(got, "理由") {
			t.Errorf("inline error %q", got)
		}
		resp, page := app.postForm(t, manager1, "/registrations/"+id2+"/review", url.Values{"decision": {"reject"}, "from": {"queue"}})
		mustStatus(t, resp, http.StatusUnprocessableEntity)
		if !hasTestID(t, page, "form-error") {
			t.Error("plain post without a reason: no banner")
		}
	})

	t.Run("plain post goes back to the queue", func(t *testing.T) {
		resp, _ := app.postForm(t, manager2, "/registrations/"+id2+"/review", url.Values{"decision": {"reject"}, "reason": {"信息不实"}})
		mustStatus(t, resp, http.StatusNotFound)
		resp, _ = app.postForm(t, manager1, "/registrations/"+id2+"/review", url.Values{"decision": {"reject"}, "reason": {"信息不实"}, "from": {"queue"}})
		mustRedirect(t, resp, "/reviews")
		resp, page := app.get(t, manager1, "/reviews")
		mustStatus(t, resp, http.StatusOK)
		if got := testID(t, page, "flash"); got != "已驳回" {
			t.Errorf("flash %q", got)
		}
		if !hasTestID(t, page, "empty") {
			t.Error("the queue is not empty after both decisions")
		}
		resp, page = app.get(t, sales1, second)
		mustStatus(t, resp, http.StatusOK)
		if got := testID(t, page, "decision-reason"); !strings.Contains(got, "信息不实") {
			t.Errorf("owner sees reason %q", got)
		}
	})

	t.Run("review from the detail page", func(t *testing.T) {
		third := mustRegister(t, app, sales1, newRegistrationValues(t, app, sales1, completeRegistration("天津审核三有限公司", "何经理", "13300003333")))
		resp, page := app.get(t, manager1, third)
		mustStatus(t, resp, http.StatusOK)
		vals := formValues(t, page, "review-form")
		vals.Set("decision", "approve")
		resp, _ = app.postForm(t, manager1, third+"/review", vals)
		mustRedirect(t, resp, third)
		_, page = app.get(t, manager1, third)
		if got := testID(t, page, "status"); got != "已生效" {
			t.Errorf("status %q after approval", got)
		}
	})
}

func TestCheckRateLimited(t *testing.T) {
	app := newTestApp(t)
	sales := app.actor(t, "demo", "sales1", demoPassword)
	// An hour's worth of checks already made.
	err := app.Svc.DB().InTenant(context.Background(), sales.TenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO rate_events (tenant_id, user_id, kind, at)
			SELECT $1, $2, 'check', now() FROM generate_series(1, 1000)`, sales.TenantID, sales.UserID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c := app.signIn(t, "demo", "sales1", demoPassword)
	resp, partial := app.postForm(t, c, "/registrations/check", url.Values{"customer.name": {"北京华为技术有限公司"}})
	mustStatus(t, resp, http.StatusOK)
	if got := testID(t, partial, "check-rate-limited"); !strings.Contains(got, "稍后") {
		t.Errorf("rate-limited check says %q", got)
	}
}
