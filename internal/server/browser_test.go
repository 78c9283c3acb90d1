package server_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Browser journeys in headless Chromium. They skip when no browser is
// installed, except under CI (CI=true), which installs one.

// browserStepTimeout bounds each browser step, so a stuck page fails the
// test instead of hanging it.
const browserStepTimeout = 30 * time.Second

// chromiumPath finds the browser: $BAOBEI_CHROMIUM, /usr/bin/chromium, or
// chromium, chromium-browser or google-chrome on PATH; "" when none.
func chromiumPath() string {
	if p := os.Getenv("BAOBEI_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// inCI reports whether the tests run in CI, where a missing browser is a
// failure rather than a reason to skip.
func inCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v != "" && v != "false" && v != "0"
}

// browser is the one headless Chromium of this test process: starting
// one per test costs seconds on a two-core machine. Each test gets its own
// browser context in it (like an incognito window: no shared cookies).
var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel func()
	err    error
}

// stopBrowser ends the shared browser; TestMain calls it.
func stopBrowser() {
	if browser.cancel != nil {
		browser.cancel()
	}
}

func startBrowser(path string) {
	profile, err := os.MkdirTemp("", "baobei-chromium-")
	if err != nil {
		browser.err = err
		return
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], // headless, no first run, no background networking, no sync, …
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // Chromium refuses to run as root with the sandbox
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 800),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	browser.ctx = ctx
	browser.cancel = func() {
		cancel()
		cancelAlloc() // waits for the browser to exit
		os.RemoveAll(profile)
	}
	browser.err = chromedp.Do(ctx) // starts the browser; no timeout on this first call
}

// newBrowser returns a chromedp context for this test: a fresh browser
// context in the process's headless Chromium. When the test fails, a
// full-page screenshot is saved to test-artifacts/<TestName>.png at the
// repository root.
func newBrowser(t *testing.T, app *testApp) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		msg := "browser tests need Chromium: apt-get install -y chromium fonts-wqy-microhei (or set BAOBEI_CHROMIUM to a Chromium or Chrome binary)"
		if inCI() {
			t.Fatal(msg + "; CI is set, so they may not be skipped")
		}
		t.Skip(msg)
	}
	browser.once.Do(func() { startBrowser(path) })
	if browser.err != nil {
		t.Fatalf("start %s: %v", path, browser.err)
	}
	ctx, cancel := chromedp.NewContext(browser.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a browser context: %v", err)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		lctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
		defer cancel()
		if loc, err := chromedp.Run(lctx, chromedp.Location()); err == nil {
			t.Logf("the browser was at %s", strings.TrimPrefix(loc, app.URL))
		}
		saveScreenshot(t, ctx, filepath.Join("..", "..", "test-artifacts", strings.ReplaceAll(t.Name(), "/", "_")+".png"))
	})
	return ctx
}

// saveScreenshot writes a full-page PNG of the browser's page to file.
func saveScreenshot(t *testing.T, ctx context.Context, file string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.MkdirAll(filepath.Dir(file), 0o755)
	}
	if err == nil {
		err = os.WriteFile(file, png, 0o644)
	}
	if err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	abs, _ := filepath.Abs(file)
	t.Logf("screenshot saved to %s", abs)
}

// browse runs browser steps, failing the test on an error or a timeout.
func browse(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// browserValue runs one browser action and returns its value.
func browserValue[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return v
}

// clickAndWait clicks what sel finds (a submit button, a link) and waits
// for the page that follows, after any redirects; it returns the final
// document's response.
func clickAndWait(t *testing.T, ctx context.Context, sel chromedp.CSS) *network.Response {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, chromedp.Click(sel))
	if err != nil {
		t.Fatalf("browser: click %s: %v", sel, err)
	}
	return resp
}

// byTestID selects the elements with data-testid=id.
func byTestID(id string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + id + `"]`) }

// browserSignIn signs in through the login form and checks that the
// user's home follows.
func browserSignIn(t *testing.T, ctx context.Context, app *testApp, tenant, user, password string) {
	t.Helper()
	browse(t, ctx,
		chromedp.Navigate(app.URL+"/login"),
		chromedp.WaitVisible(byTestID("login-form")),
		chromedp.SendKeys(chromedp.CSS("#f-tenant"), tenant),
		chromedp.SendKeys(chromedp.CSS("#f-username"), user),
		chromedp.SendKeys(chromedp.CSS("#f-password"), password),
	)
	resp := clickAndWait(t, ctx, byTestID("login-submit"))
	if resp.Status != http.StatusOK || resp.URL != app.URL+"/" {
		t.Fatalf("sign in as %s/%s: ended on %s with status %d", tenant, user, resp.URL, resp.Status)
	}
	browse(t, ctx, chromedp.WaitVisible(byTestID("home-title")))
}

// TestBrowserAdminHome: the admin signs in through the form in Chinese,
// sees the admin home, and switches to English.
func TestBrowserAdminHome(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := newBrowser(t, app)

	browserSignIn(t, ctx, app, "demo", "admin", demoPassword)
	if lang := browserValue(t, ctx, chromedp.Evaluate[string]("document.documentElement.lang")); lang != "zh-CN" {
		t.Errorf("page language %q, want zh-CN", lang)
	}
	browse(t, ctx, chromedp.WaitVisible(byTestID("admin-home")))
	if title := browserValue(t, ctx, chromedp.Text(byTestID("home-title"))); !strings.Contains(title, "王总") {
		t.Errorf("home title %q does not greet 王总", title)
	}
	if nav := browserValue(t, ctx, chromedp.Text(byTestID("nav"))); !strings.Contains(nav, "用户") {
		t.Errorf("nav %q, want Chinese", nav)
	}

	if os.Getenv("BAOBEI_SCREENSHOT") == "1" {
		// The README's picture: the admin home on a 1280×800 screen.
		browse(t, ctx, chromedp.EmulateViewport(1280, 800), chromedp.Reload(), chromedp.WaitVisible(byTestID("admin-home")))
		png := browserValue(t, ctx, chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "screenshot.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	resp := clickAndWait(t, ctx, byTestID("lang-switch"))
	if resp.Status != http.StatusOK {
		t.Fatalf("language switch ended with status %d", resp.Status)
	}
	browse(t, ctx, chromedp.WaitVisible(byTestID("admin-home")))
	if nav := browserValue(t, ctx, chromedp.Text(byTestID("nav"))); !strings.Contains(nav, "Users") || hasHan(nav) {
		t.Errorf("after switching, nav %q, want English", nav)
	}
	if lang := browserValue(t, ctx, chromedp.Evaluate[string]("document.documentElement.lang")); lang != "en" {
		t.Errorf("after switching, page language %q, want en", lang)
	}
}

// TestBrowserCreateUser: the admin creates a user through the form and the
// table lists them.
func TestBrowserCreateUser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := newBrowser(t, app)
	team := teamID(t, app.teams(t, app.apiToken(t, "demo", "admin")), "二组")

	browserSignIn(t, ctx, app, "demo", "admin", demoPassword)
	browse(t, ctx,
		chromedp.Navigate(app.URL+"/admin/users"),
		chromedp.WaitVisible(byTestID("user-form")),
		chromedp.SendKeys(chromedp.CSS("#f-username"), "browser1"),
		chromedp.SendKeys(chromedp.CSS("#f-display_name"), "浏览器用户"),
		chromedp.SetValue(chromedp.CSS("#f-role"), "sales"),
		chromedp.SetValue(chromedp.CSS("#f-team"), team),
		chromedp.SendKeys(chromedp.CSS("#f-region"), "上海"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "browser-pass-1"),
	)
	resp := clickAndWait(t, ctx, chromedp.CSS(`[data-testid="user-form"] button[type=submit]`))
	if resp.Status != http.StatusOK || resp.URL != app.URL+"/admin/users" {
		t.Fatalf("create user: ended on %s with status %d", resp.URL, resp.Status)
	}
	browse(t, ctx, chromedp.WaitVisible(byTestID("flash")))
	table := browserValue(t, ctx, chromedp.Text(byTestID("users-table")))
	for _, want := range []string{"browser1", "浏览器用户", "二组"} {
		if !strings.Contains(table, want) {
			t.Errorf("the user table lacks %q:\n%s", want, table)
		}
	}
	// The new user can sign in.
	app.signIn(t, "demo", "browser1", "browser-pass-1")
}

// TestBrowserPolicy: the admin changes protection_days in the policy form
// and the saved value shows after a reload.
func TestBrowserPolicy(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := newBrowser(t, app)

	browserSignIn(t, ctx, app, "demo", "admin", demoPassword)
	field := chromedp.CSS("#f-protection_days")
	browse(t, ctx,
		chromedp.Navigate(app.URL+"/admin/policy"),
		chromedp.WaitVisible(byTestID("policy-form")),
		chromedp.SetValue(field, ""),
		chromedp.SendKeys(field, "45"),
	)
	resp := clickAndWait(t, ctx, byTestID("policy-save"))
	if resp.Status != http.StatusOK || resp.URL != app.URL+"/admin/policy" {
		t.Fatalf("save policy: ended on %s with status %d", resp.URL, resp.Status)
	}
	browse(t, ctx, chromedp.WaitVisible(byTestID("flash")), chromedp.Reload(), chromedp.WaitVisible(byTestID("policy-form")))
	if v := browserValue(t, ctx, chromedp.Value(field)); v != "45" {
		t.Errorf("after reload protection_days shows %q, want 45", v)
	}
	if p := app.policy(t, app.apiToken(t, "demo", "sales1")); p["protection_days"] != 45.0 {
		t.Errorf("the API says protection_days %v, want 45", p["protection_days"])
	}
}

// TestBrowserPhone: on a phone-sized screen the login page fits, and after
// sign-in the navigation sits behind a visible menu toggle.
func TestBrowserPhone(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := newBrowser(t, app)
	fits := chromedp.Evaluate[bool]("document.documentElement.scrollWidth <= window.innerWidth")

	browse(t, ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(app.URL+"/login"),
		chromedp.WaitVisible(byTestID("login-form")),
		chromedp.WaitVisible(byTestID("login-submit")),
	)
	if !browserValue(t, ctx, fits) {
		t.Error("the login page is wider than a 390 px screen")
	}
	browserSignIn(t, ctx, app, "demo", "admin", demoPassword)
	toggle := chromedp.CSS(".nav-toggle-label")
	browse(t, ctx, chromedp.WaitVisible(toggle), chromedp.WaitNotVisible(byTestID("nav")))
	if !browserValue(t, ctx, fits) {
		t.Error("the home page is wider than a 390 px screen")
	}
	browse(t, ctx, chromedp.Click(toggle), chromedp.WaitVisible(byTestID("nav")))
	if nav := browserValue(t, ctx, chromedp.Text(byTestID("nav"))); !strings.Contains(nav, "用户") {
		t.Errorf("the opened menu shows %q", nav)
	}
}

// TestBrowserLiveCheck: sales1 types the name of a customer sales3 holds
// into the new-registration form, and the live 查重 warning appears
// without naming the holder.
func TestBrowserLiveCheck(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	sales3 := app.signIn(t, "demo", "sales3", demoPassword)
	mustRegister(t, app, sales3, newRegistrationValues(t, app, sales3, completeRegistration("北京华为技术有限公司", "刘经理", "13812345678")))
	ctx := newBrowser(t, app)

	browserSignIn(t, ctx, app, "demo", "sales1", demoPassword)
	browse(t, ctx,
		chromedp.Navigate(app.URL+"/registrations/new"),
		chromedp.WaitVisible(byTestID("registration-form")),
		chromedp.SendKeys(chromedp.CSS("#f-customer-name"), "华为技术(北京)有限公司"),
		chromedp.WaitVisible(byTestID("match-strong")),
	)
	warning := browserValue(t, ctx, chromedp.Text(byTestID("match-strong")))
	if !strings.Contains(warning, "该客户已被报备") || strings.Contains(warning, "王五") {
		t.Errorf("live check warning %q", warning)
	}
	if score := browserValue(t, ctx, chromedp.Text(byTestID("completeness-score"))); score != "20" {
		t.Errorf("completeness with only a name: %q, want 20", score)
	}
}
