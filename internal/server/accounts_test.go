package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"baobei/internal/domain"
)

// TestForcedPasswordChange: an admin resets a salesperson's password; the
// salesperson's sessions are signed out and their tokens refused; signed
// in with the temporary password, every page leads to the change form
// until they choose a new password, which may not be the temporary one.
func TestForcedPasswordChange(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signIn(t, "demo", "admin", demoPassword)
	before1, before2 := app.signIn(t, "demo", "sales1", demoPassword), app.signIn(t, "demo", "sales1", demoPassword)
	other := app.signIn(t, "demo", "sales2", demoPassword)
	token := app.apiToken(t, "demo", "sales1")
	sales1 := strconv.FormatInt(app.actorOf(t, "demo", "sales1").UserID, 10)

	resp, _ := app.postForm(t, admin, "/admin/users/"+sales1+"/password", url.Values{"password": {"temp-pass-1"}})
	mustRedirect(t, resp, "/admin/users/"+sales1)

	// Both of sales1's browsers are signed out; sales2's is not.
	app.mustSignedOut(t, before1)
	app.mustSignedOut(t, before2)
	resp, _ = app.get(t, other, "/")
	mustStatus(t, resp, http.StatusOK)

	// The API refuses sales1's token and a new one, saying why.
	resp, body := app.apiDo(t, token, http.MethodGet, "/api/v1/me", nil)
	mustStatus(t, resp, http.StatusForbidden)
	if e := mustAPIError(t, body, "forbidden"); !strings.Contains(e.Message, "重置") {
		t.Errorf("the token's refusal does not say the password was reset: %q", e.Message)
	}
	resp, body = app.apiDo(t, "", http.MethodPost, "/api/v1/auth/token",
		map[string]string{"tenant": "demo", "username": "sales1", "password": "temp-pass-1"})
	mustStatus(t, resp, http.StatusForbidden)
	mustAPIError(t, body, "forbidden")
	resp, _ = app.postForm(t, app.browserClient(t), "/login", url.Values{"tenant": {"demo"}, "username": {"sales1"}, "password": {demoPassword}})
	mustStatus(t, resp, http.StatusUnauthorized)

	// Signed in with the temporary password, every page and form leads to the change form.
	c := app.signIn(t, "demo", "sales1", "temp-pass-1")
	for _, path := range []string{"/", "/settings", "/registrations", "/registrations/new", "/notifications", "/deals"} {
		resp, _ := app.get(t, c, path)
		mustRedirect(t, resp, "/password/change")
	}
	for _, path := range []string{"/settings/password", "/settings/tokens", "/registrations/check", "/notifications/read"} {
		resp, _ := app.postForm(t, c, path, url.Values{"current": {"temp-pass-1"}, "password": {"sneaky-pass-9"}, "name": {"x"}})
		mustRedirect(t, resp, "/password/change")
	}
	resp, body = app.get(t, c, "/password/change")
	mustStatus(t, resp, http.StatusOK)
	if !hasTestID(t, body, "password-forced") {
		t.Error("the change form does not say an admin reset the password")
	}

	// Refused: the temporary password again, a wrong current one, a short one.
	for _, tc := range []struct{ current, password, field string }{
		{"temp-pass-1", "temp-pass-1", "password"},
		{"wrong-pass-1", "fresh-pass-2", "current"},
		{"temp-pass-1", "short", "password"},
	} {
		resp, body := app.postForm(t, c, "/password/change", url.Values{"current": {tc.current}, "password": {tc.password}})
		mustStatus(t, resp, http.StatusUnprocessableEntity)
		if testID(t, body, "error-"+tc.field) == "" {
			t.Errorf("%+v: no message at %s", tc, tc.field)
		}
		resp, _ = app.get(t, c, "/")
		mustRedirect(t, resp, "/password/change")
	}

	resp, _ = app.postForm(t, c, "/password/change", url.Values{"current": {"temp-pass-1"}, "password": {"fresh-pass-2"}})
	mustRedirect(t, resp, "/")
	for _, path := range []string{"/", "/settings", "/registrations"} {
		resp, _ := app.get(t, c, path)
		mustStatus(t, resp, http.StatusOK)
	}
	resp, body = app.get(t, c, "/password/change")
	mustStatus(t, resp, http.StatusOK)
	if hasTestID(t, body, "password-forced") {
		t.Error("the change form still says the change is forced")
	}
	resp, _ = app.apiDo(t, token, http.MethodGet, "/api/v1/me", nil)
	mustStatus(t, resp, http.StatusOK)
	app.signIn(t, "demo", "sales1", "fresh-pass-2")
	app.token(t, "demo", "sales1", "fresh-pass-2")
}

// TestTokenScopeAndExpiry: a read-only token reads but changes nothing
// (403); a token stops at its expiry (401); bad terms are refused; a token
// asked for without terms is as api.md has it: write, never expiring.
func TestTokenScopeAndExpiry(t *testing.T) {
	t.Parallel()
	app, clock := newClockApp(t)
	creds := func(extra map[string]any) map[string]any {
		m := map[string]any{"tenant": "demo", "username": "sales1", "password": demoPassword}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	issue := func(extra map[string]any) string {
		t.Helper()
		resp, body := app.apiDo(t, "", http.MethodPost, "/api/v1/auth/token", creds(extra))
		mustStatus(t, resp, http.StatusCreated)
		var out struct{ Token string }
		mustJSON(t, body, &out)
		return out.Token
	}

	read := issue(map[string]any{"scope": "read", "expires_in_days": 30})
	for _, path := range []string{"/api/v1/me", "/api/v1/registrations", "/api/v1/notifications", "/api/v1/sessions"} {
		resp, _ := app.apiDo(t, read, http.MethodGet, path, nil)
		mustStatus(t, resp, http.StatusOK)
	}
	for _, call := range []struct{ method, path string }{
		{http.MethodPost, "/api/v1/registrations"},
		{http.MethodPost, "/api/v1/notifications/read"},
		{http.MethodPost, "/api/v1/registrations/check"},
	} {
		resp, body := app.apiDo(t, read, call.method, call.path, huawei("只读测试有限公司", "13800000001"))
		mustStatus(t, resp, http.StatusForbidden)
		if e := mustAPIError(t, body, "forbidden"); !strings.Contains(e.Message, "只读") {
			t.Errorf("%s %s: the refusal does not say the token is read-only: %q", call.method, call.path, e.Message)
		}
	}
	resp, body := app.apiDo(t, read, http.MethodGet, "/api/v1/registrations", nil)
	mustStatus(t, resp, http.StatusOK)
	if strings.Contains(string(body), "只读测试有限公司") {
		t.Error("the read-only token registered a customer")
	}

	// The same body with a write token works.
	write := issue(map[string]any{"scope": "write", "expires_in_days": 1})
	resp, _ = app.apiDo(t, write, http.MethodPost, "/api/v1/registrations", huawei("只读测试有限公司", "13800000001"))
	mustStatus(t, resp, http.StatusCreated)

	// Expiry: a day later the one-day token answers 401 and says why;
	// the 30-day one still reads; the default one never expires.
	forever := issue(nil)
	clock.advance(day - time.Minute)
	resp, _ = app.apiDo(t, write, http.MethodGet, "/api/v1/me", nil)
	mustStatus(t, resp, http.StatusOK)
	clock.advance(time.Minute)
	resp, body = app.apiDo(t, write, http.MethodGet, "/api/v1/me", nil)
	mustStatus(t, resp, http.StatusUnauthorized)
	if e := mustAPIError(t, body, "unauthenticated"); !strings.Contains(e.Message, "过期") {
		t.Errorf("the expired token's refusal does not say it expired: %q", e.Message)
	}
	resp, _ = app.apiDo(t, read, http.MethodGet, "/api/v1/me", nil)
	mustStatus(t, resp, http.StatusOK)
	clock.advance(29 * day)
	resp, _ = app.apiDo(t, read, http.MethodGet, "/api/v1/me", nil)
	mustStatus(t, resp, http.StatusUnauthorized)
	clock.advance(3 * 365 * day)
	resp, _ = app.apiDo(t, forever, http.MethodPost, "/api/v1/notifications/read", map[string]any{"ids": []string{}})
	mustStatus(t, resp, http.StatusOK)

	// Bad terms: 422 at the field, and no token.
	for _, tc := range []struct {
		extra map[string]any
		field string
	}{
		{map[string]any{"expires_in_days": 0}, "expires_in_days"},
		{map[string]any{"expires_in_days": 366}, "expires_in_days"},
		{map[string]any{"scope": "admin"}, "scope"},
	} {
		resp, body := app.apiDo(t, "", http.MethodPost, "/api/v1/auth/token", creds(tc.extra))
		mustStatus(t, resp, http.StatusUnprocessableEntity)
		if e := mustAPIError(t, body, "validation_failed"); e.Fields[tc.field] == "" {
			t.Errorf("%v: no message at %s: %+v", tc.extra, tc.field, e)
		}
	}
	tokens, err := app.Svc.Tokens(context.Background(), app.actorOf(t, "demo", "sales1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tokens) != 3 {
		t.Errorf("%d tokens, want the 3 issued", len(tokens))
	}
	for _, tk := range tokens {
		if tk.Expired != (tk.ExpiresAt != nil) || (tk.ExpiresAt == nil && tk.Scope != domain.ScopeWrite) {
			t.Errorf("token %+v: want the default one write and unexpired, the others expired", tk)
		}
	}
}

// TestSettingsTokenTerms: the settings page issues tokens with a scope and
// an expiry and lists them with both and their last use.
func TestSettingsTokenTerms(t *testing.T) {
	t.Parallel()
	app, clock := newClockApp(t)
	c := app.signIn(t, "demo", "sales1", demoPassword)

	resp, body := app.get(t, c, "/settings")
	mustStatus(t, resp, http.StatusOK)
	form := formValues(t, body, "token-form")
	if form.Get("scope") != domain.ScopeWrite || form.Get("expires") != "90" {
		t.Errorf("the token form starts with %v, want write for 90 days", form)
	}
	form.Set("name", "report-script")
	form.Set("scope", domain.ScopeRead)
	form.Set("expires", "30")
	resp, body = app.postForm(t, c, "/settings/tokens", form)
	mustStatus(t, resp, http.StatusOK)
	token := testID(t, body, "new-token")
	resp, _ = app.apiDo(t, token, http.MethodGet, "/api/v1/me", nil)
	mustStatus(t, resp, http.StatusOK)
	resp, _ = app.apiDo(t, token, http.MethodPost, "/api/v1/notifications/read", map[string]any{})
	mustStatus(t, resp, http.StatusForbidden)

	// A date: the token's last day in the tenant's time zone (the clock is 2026-11-02 10:31 there).
	form.Set("name", "dated")
	form.Set("scope", domain.ScopeWrite)
	form.Set("expires", "date")
	form.Set("expires_on", "2026-12-31")
	resp, _ = app.postForm(t, c, "/settings/tokens", form)
	mustStatus(t, resp, http.StatusOK)
	for _, tc := range []struct{ expires, on, field string }{
		{"date", "2026-11-01", "expires_on"}, // yesterday
		{"date", "2027-12-31", "expires_on"}, // over 365 days ahead
		{"date", "", "expires_on"},
		{"7000", "", "expires_in_days"},
	} {
		form.Set("expires", tc.expires)
		form.Set("expires_on", tc.on)
		resp, body := app.postForm(t, c, "/settings/tokens", form)
		mustStatus(t, resp, http.StatusUnprocessableEntity)
		if testID(t, body, "error-"+tc.field) == "" {
			t.Errorf("%+v: no message at %s", tc, tc.field)
		}
		if hasTestID(t, body, "new-token") {
			t.Errorf("%+v: a token was issued", tc)
		}
	}

	resp, body = app.get(t, c, "/settings")
	mustStatus(t, resp, http.StatusOK)
	table := testID(t, body, "tokens-table")
	for _, want := range []string{"report-script", "只读", "2026-12-02", "dated", "读写", "2027-01-01 00:00"} {
		if !strings.Contains(table, want) {
			t.Errorf("the token table lacks %q: %s", want, table)
		}
	}
	if !strings.Contains(table, "2026-11-02 10:31") { // report-script's use above
		t.Errorf("the token table shows no last use: %s", table)
	}
	clock.advance(31 * day)
	resp, body = app.get(t, c, "/settings")
	mustStatus(t, resp, http.StatusOK)
	if table := testID(t, body, "tokens-table"); !strings.Contains(table, "已过期") {
		t.Errorf("the expired token is not marked: %s", table)
	}
}

// sessionRow is one row of the settings page's sessions table.
type sessionRow struct {
	id      string
	current bool
	text    string
}

// sessionRows reads the sessions table of the settings page.
func sessionRows(t *testing.T, page []byte) []sessionRow {
	t.Helper()
	var out []sessionRow
	for _, n := range findAll(parseHTML(t, page), byTestIDAttr("session-row")) {
		id, _ := attr(n, "data-session-id")
		out = append(out, sessionRow{id: id, current: len(findAll(n, byTestIDAttr("session-revoke"))) == 0, text: textOf(n)})
	}
	return out
}

// settingsSessions fetches c's settings page and returns its sessions,
// the current one first.
func (app *testApp) settingsSessions(t *testing.T, c *http.Client) []sessionRow {
	t.Helper()
	resp, body := app.get(t, c, "/settings")
	mustStatus(t, resp, http.StatusOK)
	rows := sessionRows(t, body)
	for i, r := range rows {
		if r.current {
			rows[0], rows[i] = rows[i], rows[0]
			return rows
		}
	}
	t.Fatalf("no current session among %+v", rows)
	return nil
}

// TestSessionsRevoke: a user sees each browser they signed in on, the
// current one marked, and signs out another one or all others; another
// user's session is not found.
func TestSessionsRevoke(t *testing.T) {
	t.Parallel()
	app, clock := newClockApp(t)
	laptop := app.signIn(t, "demo", "sales1", demoPassword)
	clock.advance(10 * time.Minute)
	phone := app.signIn(t, "demo", "sales1", demoPassword)
	sales2 := app.signIn(t, "demo", "sales2", demoPassword)

	rows := app.settingsSessions(t, laptop)
	if len(rows) != 2 || rows[1].current {
		t.Fatalf("sessions %+v, want two, one current", rows)
	}
	if !strings.Contains(rows[0].text, "2026-11-02 10:31") || !strings.Contains(rows[1].text, "2026-11-02 10:41") ||
		!strings.Contains(rows[0].text, "127.0.0.1") || !strings.Contains(rows[0].text, "Go-http-client") {
		t.Errorf("sessions show %+v, want address, user agent and sign-in times", rows)
	}
	laptopID, phoneID := rows[0].id, rows[1].id

	// Last seen moves with use, at most every five minutes.
	clock.advance(6 * time.Minute)
	app.settingsSessions(t, phone)
	if rows := app.settingsSessions(t, laptop); !strings.Contains(rows[1].text, "10:47") {
		t.Errorf("the phone's last use is not shown: %+v", rows)
	}

	// Another user's session: 404, in the page and the API, and it lives on.
	resp, _ := app.postForm(t, sales2, "/settings/sessions/"+phoneID+"/revoke", nil)
	mustStatus(t, resp, http.StatusNotFound)
	resp, _ = app.apiDo(t, app.apiToken(t, "demo", "sales2"), http.MethodPost, "/api/v1/sessions/"+phoneID+"/revoke", nil)
	mustStatus(t, resp, http.StatusNotFound)
	resp, _ = app.get(t, phone, "/")
	mustStatus(t, resp, http.StatusOK)

	// The laptop signs the phone out.
	resp, _ = app.postForm(t, laptop, "/settings/sessions/"+phoneID+"/revoke", nil)
	mustRedirect(t, resp, "/settings")
	app.mustSignedOut(t, phone)
	resp, _ = app.get(t, laptop, "/")
	mustStatus(t, resp, http.StatusOK)
	if rows := app.settingsSessions(t, laptop); len(rows) != 1 || rows[0].id != laptopID {
		t.Errorf("after revoking, sessions %+v, want the laptop's alone", rows)
	}
	resp, _ = app.postForm(t, laptop, "/settings/sessions/"+phoneID+"/revoke", nil)
	mustStatus(t, resp, http.StatusNotFound)

	// Two more sign-ins, listed by the API; one signs out all the others.
	tablet, desk := app.signIn(t, "demo", "sales1", demoPassword), app.signIn(t, "demo", "sales1", demoPassword)
	resp, body := app.apiDo(t, app.apiToken(t, "demo", "sales1"), http.MethodGet, "/api/v1/sessions", nil)
	mustStatus(t, resp, http.StatusOK)
	var listed struct{ Items []domain.Session }
	mustJSON(t, body, &listed)
	if len(listed.Items) != 3 {
		t.Errorf("the API lists %d sessions, want 3: %s", len(listed.Items), body)
	}
	resp, _ = app.postForm(t, tablet, "/settings/sessions/revoke-others", nil)
	mustRedirect(t, resp, "/settings")
	app.mustSignedOut(t, laptop)
	app.mustSignedOut(t, desk)
	if rows := app.settingsSessions(t, tablet); len(rows) != 1 {
		t.Errorf("after signing out the others, sessions %+v", rows)
	}
	resp, _ = app.get(t, sales2, "/")
	mustStatus(t, resp, http.StatusOK)

	// A password change renews the session's token; the session stays listed and signed in.
	resp, _ = app.postForm(t, tablet, "/settings/password", url.Values{"current": {demoPassword}, "password": {"another-pass-3"}})
	mustRedirect(t, resp, "/settings")
	if rows := app.settingsSessions(t, tablet); len(rows) != 1 {
		t.Errorf("after a password change, sessions %+v", rows)
	}
}
