package server_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserFrontDesk: on a tablet at the reception desk, the front desk
// logs a walk-in with the salesperson picked by name and sees the result
// at once; the page fits the tablet's width.
func TestBrowserFrontDesk(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := newBrowser(t, app)
	browse(t, ctx, chromedp.EmulateViewport(768, 1024, chromedp.EmulateMobile))
	browserSignIn(t, ctx, app, "demo", "frontdesk1", demoPassword)
	browse(t, ctx,
		chromedp.Navigate(app.URL+"/visits"),
		chromedp.WaitVisible(byTestID("visit-form")),
		chromedp.SendKeys(chromedp.CSS("#f-visitor_name"), "钱总"),
		chromedp.SendKeys(chromedp.CSS("#f-phone"), "1390000****"),
		chromedp.SendKeys(chromedp.CSS("#f-company"), "杭州新客户有限公司"),
		chromedp.SetValue(chromedp.CSS("#f-salesperson_id"), app.userIDs(t, app.apiToken(t, "demo", "admin"))["sales2"]),
	)
	clickAndWait(t, ctx, byTestID("visit-submit"))
	browse(t, ctx, chromedp.WaitVisible(byTestID("visit-result")))
	if res := browserValue(t, ctx, chromedp.Text(byTestID("visit-result"))); !strings.Contains(res, "代为报备") {
		t.Errorf("result %q", res)
	}
	if rows := browserValue(t, ctx, chromedp.Text(byTestID("visits-table"))); !strings.Contains(rows, "李四") || !strings.Contains(rows, "1390000****") {
		t.Errorf("today's visits %q", rows)
	}
	if !browserValue(t, ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth <= window.innerWidth")) {
		t.Error("the front desk page is wider than a 768 px tablet")
	}
}
