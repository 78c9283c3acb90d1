package server_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"baobei/internal/domain"

	"github.com/chromedp/chromedp"
)

// fillRegistration types the fields of the new-registration form: text
// inputs by keyboard, selects and the date by value.
func fillRegistration(t *testing.T, ctx context.Context, fields map[string]string) {
	t.Helper()
	var steps []chromedp.Action[chromedp.Void]
	for name, v := range fields {
		sel := chromedp.CSS("#f-" + strings.ReplaceAll(name, ".", "-"))
		switch name {
		case "customer.name":
			continue // typed by the caller, to watch the live check
		case "grade", "first_contact_at", "customer.contacts.0.relation":
			steps = append(steps, chromedp.SetValue(sel, v))
		default:
			steps = append(steps, chromedp.SendKeys(sel, v))
		}
	}
	browse(t, ctx, steps...)
}

// TestBrowserConflict: sales1 registers a customer in the browser; sales3
// of another team types a variant of its name, sees the live 查重 warning,
// submits anyway and is turned down by time first, without learning who
// holds the customer — in Chinese and, after switching, in English.
func TestBrowserConflict(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)

	first := newBrowser(t, app)
	browserSignIn(t, first, app, "demo", "sales1", demoPassword)
	browse(t, first,
		chromedp.Navigate(app.URL+"/registrations/new"),
		chromedp.WaitVisible(byTestID("registration-form")),
		chromedp.SendKeys(chromedp.CSS("#f-customer-name"), "北京华为技术有限公司"),
	)
	fillRegistration(t, first, completeRegistration("北京华为技术有限公司", "张经理", "13812345678"))
	clickAndWait(t, first, byTestID("registration-submit"))
	browse(t, first, chromedp.WaitVisible(byTestID("status")))
	if loc := browserValue(t, first, chromedp.Location()); !registrationPath.MatchString(strings.TrimPrefix(loc, app.URL)) {
		t.Fatalf("after registering, the browser is at %s", loc)
	}
	if s := browserValue(t, first, chromedp.Text(byTestID("status"))); s != "已生效" {
		t.Fatalf("sales1's registration status %q, want 已生效", s)
	}

	second := newBrowser(t, app)
	browserSignIn(t, second, app, "demo", "sales3", demoPassword)
	browse(t, second,
		chromedp.Navigate(app.URL+"/registrations/new"),
		chromedp.WaitVisible(byTestID("registration-form")),
		chromedp.SendKeys(chromedp.CSS("#f-customer-name"), "华为技术(北京)有限公司"),
		chromedp.WaitVisible(byTestID("match-strong")),
	)
	if warning := browserValue(t, second, chromedp.Text(byTestID("match-strong"))); !strings.Contains(warning, "该客户已被报备") || strings.Contains(warning, "张三") {
		t.Errorf("live check warning %q", warning)
	}
	fillRegistration(t, second, completeRegistration("华为技术(北京)有限公司", "王经理", "13900001111"))
	clickAndWait(t, second, byTestID("registration-submit"))
	browse(t, second, chromedp.WaitVisible(byTestID("decision-card")))
	if s := browserValue(t, second, chromedp.Text(byTestID("status"))); s != "已驳回" {
		t.Errorf("sales3's registration status %q, want 已驳回", s)
	}
	box := browserValue(t, second, chromedp.Text(byTestID("decision-card")))
	if !strings.Contains(box, "先报备者优先") || strings.Contains(box, "张三") {
		t.Errorf("decision box %q: want 先报备者优先 and no holder's name", box)
	}

	clickAndWait(t, second, byTestID("lang-switch"))
	browse(t, second, chromedp.WaitVisible(byTestID("decision-card")))
	box = browserValue(t, second, chromedp.Text(byTestID("decision-card")))
	if !strings.Contains(box, "time first") || hasHan(box) {
		t.Errorf("after switching, decision box %q: want English with time first", box)
	}
	if s := browserValue(t, second, chromedp.Text(byTestID("status"))); s != "Rejected" {
		t.Errorf("after switching, status %q, want Rejected", s)
	}
}

// TestBrowserManagerDecidesDispute: sales2 claims history with a customer
// sales1 of the same team holds, which goes to arbitration; manager1 picks
// sales1 in the case page's decision form, and the claims follow.
func TestBrowserManagerDecidesDispute(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	bg := context.Background()
	sales1, sales2 := app.actorOf(t, "demo", "sales1"), app.actorOf(t, "demo", "sales2")
	manager1 := app.actorOf(t, "demo", "manager1")
	firstContact := time.Now().Add(-48 * time.Hour)
	registration := func(phone, history string) domain.RegistrationInput {
		return domain.RegistrationInput{
			Customer: domain.Customer{Kind: domain.KindCompany, Name: "杭州仲裁测试有限公司", Industry: "电子",
				Size: "100 人", Address: "杭州市西湖区",
				Contacts: []domain.Contact{{Name: "赵经理", Title: "采购经理", Phone: phone, Relation: "self"}}},
			Grade: "A", Needs: "服务器 20 台", Source: "展会", FirstContactAt: &firstContact, HistoryClaim: history,
		}
	}
	holder, err := app.Svc.Register(bg, sales1, registration("13600000001", ""))
	if err != nil {
		t.Fatalf("sales1 registers: %v", err)
	}
	rival, err := app.Svc.Register(bg, sales2, registration("13600000002", "2024年签约过合同 HT-2024-019"))
	if err != nil {
		t.Fatalf("sales2 registers: %v", err)
	}
	if rival.Conflict == nil || rival.Conflict.DisputeID == 0 {
		t.Fatalf("the history claim went to no dispute: %+v", rival)
	}
	caseID := rival.Conflict.DisputeID

	ctx := newBrowser(t, app)
	browserSignIn(t, ctx, app, "demo", "manager1", demoPassword)
	browse(t, ctx,
		chromedp.Navigate(app.URL+"/disputes/"+strconv.FormatInt(caseID, 10)),
		chromedp.WaitVisible(byTestID("decision-form")),
		chromedp.Click(chromedp.CSS(`[data-testid="decision-form"] input[name="winner_registration_id"][value="`+strconv.FormatInt(holder.ID, 10)+`"]`)),
		chromedp.SendKeys(chromedp.CSS("#f-reason"), "先报备且跟进记录完整, 历史合同无法核实"),
	)
	clickAndWait(t, ctx, byTestID("decision-submit"))
	browse(t, ctx, chromedp.WaitVisible(byTestID("decisions")))
	decision := browserValue(t, ctx, chromedp.Text(byTestID("decisions")))
	if !strings.Contains(decision, "张三") || !strings.Contains(decision, "历史合同无法核实") {
		t.Errorf("decision shown %q: want winner 张三 and the reason", decision)
	}
	if browserValue(t, ctx, chromedp.Evaluate[bool](`document.querySelector('[data-testid="decision-form"]') !== null`)) {
		t.Error("the decision form is still offered after deciding")
	}

	won, err := app.Svc.Registration(bg, manager1, holder.ID)
	if err != nil {
		t.Fatal(err)
	}
	lost, err := app.Svc.Registration(bg, manager1, rival.ID)
	if err != nil {
		t.Fatal(err)
	}
	if won.Status != domain.StatusActive || lost.Status != domain.StatusRejected {
		t.Errorf("after the decision: winner %s, loser %s; want active and rejected", won.Status, lost.Status)
	}
}
