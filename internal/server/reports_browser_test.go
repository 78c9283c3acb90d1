package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserReports: on a phone, manager1 opens the reports from the
// menu, sees 一组's conflict rate and funnel as charts, narrows the period
// to a day before anything happened and sees the charts empty out, then
// goes back to today; the page fits the phone's width throughout.
func TestBrowserReports(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	reportScene(t, app)
	ctx := newBrowser(t, app)
	fits := chromedp.Evaluate[bool]("document.documentElement.scrollWidth <= window.innerWidth")
	bar := func(chart, label string) string {
		t.Helper()
		return browserValue(t, ctx, chromedp.Evaluate[string](
			`document.querySelector('[data-testid="`+chart+`"] [data-label="`+label+`"]').getAttribute('data-value')`))
	}

	browse(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	browserSignIn(t, ctx, app, "demo", "manager1", demoPassword)
	browse(t, ctx, chromedp.Click(chromedp.CSS(".nav-toggle-label")), chromedp.WaitVisible(byTestID("nav")))
	clickAndWait(t, ctx, chromedp.CSS(`[data-testid="nav"] a[href="/reports"]`))
	browse(t, ctx, chromedp.WaitVisible(byTestID("chart-funnel")), chromedp.WaitVisible(byTestID("chart-rate-team")))
	if got := []string{bar("chart-rate-team", "一组"), bar("chart-funnel", "报备"), bar("chart-funnel", "到访"), bar("chart-funnel", "成交")}; strings.Join(got, " ") != "25 4 1 1" {
		t.Errorf("rate and funnel %v, want 25%% and 4 → 1 → 1", got)
	}
	if !browserValue(t, ctx, fits) {
		t.Error("the reports page is wider than a 390 px phone")
	}

	// A day long before the fixture: the charts empty out.
	browse(t, ctx, chromedp.SetValue(chromedp.CSS("#f-from"), "2026-01-05"), chromedp.SetValue(chromedp.CSS("#f-to"), "2026-01-05"))
	clickAndWait(t, ctx, byTestID("report-show"))
	browse(t, ctx, chromedp.WaitVisible(byTestID("chart-funnel")))
	if p := browserValue(t, ctx, chromedp.Text(byTestID("report-period"))); !strings.Contains(p, "2026-01-05 至 2026-01-05") {
		t.Errorf("period %q", p)
	}
	if got := bar("chart-funnel", "报备") + " " + bar("chart-rate-team", "一组"); got != "0 0" {
		t.Errorf("an empty day charts %q, want 0 0", got)
	}

	// Back to today.
	today := time.Now().In(shanghaiZone(t)).Format(time.DateOnly)
	browse(t, ctx, chromedp.SetValue(chromedp.CSS("#f-from"), today), chromedp.SetValue(chromedp.CSS("#f-to"), today))
	clickAndWait(t, ctx, byTestID("report-show"))
	browse(t, ctx, chromedp.WaitVisible(byTestID("chart-funnel")))
	if got := bar("chart-funnel", "报备"); got != "4" {
		t.Errorf("today's funnel starts with %q, want 4", got)
	}
	if !browserValue(t, ctx, fits) {
		t.Error("the reports page is wider than a 390 px phone")
	}
}
