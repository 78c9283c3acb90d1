package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSessionsAndForcedChange: in Chromium, sales1 sees the two
// browsers they are signed in on and signs the other one out; after an
// admin resets their password, the browser is signed out, and signing in
// with the temporary password leads to the change form, then home.
func TestBrowserSessionsAndForcedChange(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := newBrowser(t, app)
	rowCount := chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="session-row"]').length`)

	browserSignIn(t, ctx, app, "demo", "sales1", demoPassword)
	other := app.signIn(t, "demo", "sales1", demoPassword)
	browse(t, ctx, chromedp.Navigate(app.URL+"/settings"), chromedp.WaitVisible(byTestID("sessions-table")))
	if n := browserValue(t, ctx, rowCount); n != 2 {
		t.Fatalf("the settings page lists %d sessions, want 2", n)
	}
	resp := clickAndWait(t, ctx, byTestID("session-revoke"))
	if resp.Status != http.StatusOK || resp.URL != app.URL+"/settings" {
		t.Fatalf("revoke: ended on %s with status %d", resp.URL, resp.Status)
	}
	browse(t, ctx, chromedp.WaitVisible(byTestID("flash")))
	if n := browserValue(t, ctx, rowCount); n != 1 {
		t.Errorf("after revoking, %d sessions listed, want 1", n)
	}
	app.mustSignedOut(t, other)

	sales1 := app.actorOf(t, "demo", "sales1")
	if err := app.Svc.ResetPassword(context.Background(), app.actorOf(t, "demo", "admin"), sales1.UserID, "temp-pass-1"); err != nil {
		t.Fatal(err)
	}
	browse(t, ctx, chromedp.Navigate(app.URL+"/settings"), chromedp.WaitVisible(byTestID("login-form")))
	browse(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#f-tenant"), "demo"),
		chromedp.SendKeys(chromedp.CSS("#f-username"), "sales1"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "temp-pass-1"),
	)
	resp = clickAndWait(t, ctx, byTestID("login-submit"))
	if resp.Status != http.StatusOK || resp.URL != app.URL+"/password/change" {
		t.Fatalf("sign in with the temporary password: ended on %s with status %d", resp.URL, resp.Status)
	}
	browse(t, ctx,
		chromedp.WaitVisible(byTestID("password-forced")),
		chromedp.SendKeys(chromedp.CSS("#f-current"), "temp-pass-1"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "fresh-pass-2"),
	)
	resp = clickAndWait(t, ctx, byTestID("password-submit"))
	if resp.Status != http.StatusOK || resp.URL != app.URL+"/" {
		t.Fatalf("change password: ended on %s with status %d", resp.URL, resp.Status)
	}
	browse(t, ctx, chromedp.WaitVisible(byTestID("home-title")), chromedp.WaitVisible(byTestID("flash")))
}
