package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserOutbox: on a phone, the admin opens the outbound page from
// the navigation, adds a DingTalk robot with a sign secret, sees it listed
// with the token masked, and sees a conflict delivered to it.
func TestBrowserOutbox(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var mu sync.Mutex
	var got []string
	robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.URL.RawQuery+" "+string(body))
		mu.Unlock()
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	t.Cleanup(robot.Close)

	ctx := newBrowser(t, app)
	browse(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	browserSignIn(t, ctx, app, "demo", "admin", demoPassword)
	if !browserValue(t, ctx, chromedp.Evaluate[bool](`!!document.querySelector('nav a[href="/admin/outbox"]')`)) {
		t.Fatal("the admin's navigation has no link to the outbound page")
	}
	browse(t, ctx,
		chromedp.Navigate(app.URL+"/admin/outbox"),
		chromedp.WaitVisible(byTestID("channel-form")),
		chromedp.SetValue(chromedp.CSS("#f-kind"), "dingtalk"),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "销售钉钉群"),
		chromedp.SendKeys(chromedp.CSS("#f-url"), robot.URL+"/robot/send?access_token=dingtalk-token-5678"),
		chromedp.SendKeys(chromedp.CSS("#f-secret"), "SECbrowser"),
		chromedp.SendKeys(chromedp.CSS("#f-keyword"), "CRM"),
	)
	clickAndWait(t, ctx, byTestID("channel-save"))
	browse(t, ctx, chromedp.WaitVisible(byTestID("channels-table")))
	row := browserValue(t, ctx, chromedp.Text(byTestID("channels-table")))
	if !strings.Contains(row, "销售钉钉群") || !strings.Contains(row, "钉钉群机器人") || !strings.Contains(row, "****5678") || strings.Contains(row, "dingtalk-token") {
		t.Errorf("the channel row: %q", row)
	}
	if !browserValue(t, ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth <= window.innerWidth")) {
		t.Error("the outbound page is wider than a 390 px phone")
	}

	registerConflict(t, app, "南京鼓楼医药有限公司")
	if n, err := app.Svc.DeliverOutbox(context.Background()); n != 1 || err != nil {
		t.Fatalf("delivered %d (%v), want 1", n, err)
	}
	mu.Lock()
	if len(got) != 1 || !strings.Contains(got[0], "sign=") || !strings.Contains(got[0], "CRM 【报备冲突】") {
		t.Errorf("the robot got %q", got)
	}
	mu.Unlock()
	browse(t, ctx, chromedp.Navigate(app.URL+"/admin/outbox"), chromedp.WaitVisible(byTestID("deliveries-table")))
	if rows := browserValue(t, ctx, chromedp.Text(byTestID("deliveries-table"))); !strings.Contains(rows, "已送达") || !strings.Contains(rows, "南京鼓楼医药有限公司") {
		t.Errorf("the deliveries: %q", rows)
	}
}
