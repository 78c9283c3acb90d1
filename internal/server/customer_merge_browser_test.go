package server_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCustomerMerge: on a phone, manager1 finds that two customer
// records are one company, merges one into the other after reading the
// preview of what moves and which claim loses, and undoes the merge from
// the survivor's page.
func TestBrowserCustomerMerge(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	a, b := mergeCase(t, app)
	ctx := newBrowser(t, app)
	browse(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	browserSignIn(t, ctx, app, "demo", "manager1", demoPassword)
	src, dst := strconv.FormatInt(b.CustomerID, 10), strconv.FormatInt(a.CustomerID, 10)

	browse(t, ctx, chromedp.Navigate(app.URL+"/customers?q=Hangzhou"), chromedp.WaitVisible(byTestID("customer-link")))
	clickAndWait(t, ctx, byTestID("customer-link"))
	clickAndWait(t, ctx, byTestID("merge-link"))
	browse(t, ctx, chromedp.SendKeys(chromedp.CSS("#f-q"), "星河"))
	clickAndWait(t, ctx, byTestID("merge-search-submit"))
	clickAndWait(t, ctx, byTestID("merge-candidate-"+dst))
	browse(t, ctx, chromedp.WaitVisible(byTestID("merge-preview")))
	if c := browserValue(t, ctx, chromedp.Text(byTestID("merge-conflict"))); !strings.Contains(c, "张三") || !strings.Contains(c, "驳回") {
		t.Errorf("the preview's conflict: %q", c)
	}
	if !browserValue(t, ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth <= window.innerWidth")) {
		t.Error("the merge preview is wider than a 390 px phone")
	}
	browse(t, ctx, chromedp.SendKeys(chromedp.CSS(`[data-testid="merge-form"] textarea`), "中英文名是同一家公司"))
	if resp := clickAndWait(t, ctx, byTestID("merge-submit")); resp.Status != http.StatusOK || !strings.HasSuffix(resp.URL, "/customers/"+dst) {
		t.Fatalf("merge ended on %s with %d", resp.URL, resp.Status)
	}
	browse(t, ctx, chromedp.WaitVisible(byTestID("merged-in")))
	if f := browserValue(t, ctx, chromedp.Text(byTestID("flash"))); f != "已合并客户" {
		t.Errorf("flash %q", f)
	}
	if n := browserValue(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="customer-registration"]').length`)); n != 2 {
		t.Errorf("the survivor lists %d registrations, want 2", n)
	}

	form := `[data-testid="undo-form-` + src + `"]`
	browse(t, ctx, chromedp.SendKeys(chromedp.CSS(form+" textarea"), "合并错了"))
	if resp := clickAndWait(t, ctx, chromedp.CSS(form+" button")); resp.Status != http.StatusOK || !strings.HasSuffix(resp.URL, "/customers/"+src) {
		t.Fatalf("undo ended on %s with %d", resp.URL, resp.Status)
	}
	if f := browserValue(t, ctx, chromedp.Text(byTestID("flash"))); f != "已撤销合并" {
		t.Errorf("flash %q", f)
	}
}
