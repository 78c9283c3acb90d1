package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"baobei/internal/domain"
)

// TestBrowserEditRegistration: on a phone, the owner opens the edit form
// from the registration page, adds a contact and corrects the industry,
// saves, and is back on the registration with the correction shown.
func TestBrowserEditRegistration(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	first := time.Now().Add(-time.Hour)
	reg, err := app.Svc.Register(context.Background(), app.actorOf(t, "demo", "sales1"), domain.RegistrationInput{
		Customer: domain.Customer{Kind: domain.KindCompany, Name: "深圳腾达科技有限公司", Industry: "通信", Address: "深圳市南山区",
			Contacts: []domain.Contact{{Name: "张经理", Phone: "13811112222", Relation: "self"}}},
		Grade: "A", Needs: "采购服务器", FirstContactAt: &first})
	if err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t, app)
	browse(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	browserSignIn(t, ctx, app, "demo", "sales1", demoPassword)
	browse(t, ctx, chromedp.Navigate(app.URL+"/registrations/"+itoa(reg.ID)), chromedp.WaitVisible(byTestID("edit-link")))
	clickAndWait(t, ctx, byTestID("edit-link"))
	browse(t, ctx,
		chromedp.WaitVisible(byTestID("edit-form")),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#f-customer-industry").value = "制造"`),
		chromedp.Click(byTestID("add-contact")),
		chromedp.WaitVisible(chromedp.CSS("#f-customer-contacts-1-name")),
		chromedp.SendKeys(chromedp.CSS("#f-customer-contacts-1-name"), "李总"),
		chromedp.SendKeys(chromedp.CSS("#f-customer-contacts-1-phone"), "13955556666"),
	)
	if !browserValue(t, ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth <= window.innerWidth")) {
		t.Error("the edit form is wider than a 390 px phone")
	}
	clickAndWait(t, ctx, byTestID("edit-submit"))
	browse(t, ctx, chromedp.WaitVisible(byTestID("flash")))
	if flash := browserValue(t, ctx, chromedp.Text(byTestID("flash"))); !strings.Contains(flash, "报备已修改") {
		t.Errorf("flash %q", flash)
	}
	got, err := app.Svc.Registration(context.Background(), app.actorOf(t, "demo", "sales1"), reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Customer.Industry != "制造" || len(got.Customer.Contacts) != 2 || got.Customer.Contacts[1].Phone != "13955556666" {
		t.Errorf("after the edit: %+v", got.Customer)
	}
}

// TestBrowserVoidVisit: the clerk voids a mistaken visit on the daily
// sheet with a reason; it stays on the sheet, marked voided.
func TestBrowserVoidVisit(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	v, err := app.Svc.RecordVisit(context.Background(), app.actorOf(t, "demo", "frontdesk1"),
		domain.VisitInput{VisitorName: "钱总", Phone: "1390000****", Company: "杭州新客户有限公司"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t, app)
	browserSignIn(t, ctx, app, "demo", "clerk1", demoPassword)
	day := v.VisitedAt.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly) // the demo company's zone, Asia/Shanghai
	browse(t, ctx,
		chromedp.Navigate(app.URL+"/visits/sheet?date="+day),
		chromedp.WaitVisible(byTestID("visits-table")),
		chromedp.Click(chromedp.CSS(`[data-testid="void"] summary`)),
		chromedp.WaitVisible(byTestID("void-reason")),
		chromedp.SendKeys(byTestID("void-reason"), "重复登记"),
	)
	clickAndWait(t, ctx, byTestID("void-submit"))
	browse(t, ctx, chromedp.WaitVisible(byTestID("voided")))
	if note := browserValue(t, ctx, chromedp.Text(byTestID("void-note"))); !strings.Contains(note, "重复登记") {
		t.Errorf("void note %q", note)
	}
	if flash := browserValue(t, ctx, chromedp.Text(byTestID("flash"))); !strings.Contains(flash, "到访登记已作废") {
		t.Errorf("flash %q", flash)
	}
}
