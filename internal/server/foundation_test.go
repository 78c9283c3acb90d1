package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"

	"baobei/internal/domain"
)

// loginForm is the sign-in form's fields.
func loginForm(tenant, user, password string) url.Values {
	return url.Values{"tenant": {tenant}, "username": {user}, "password": {password}}
}

// mustSignedOut fails the test unless c has no session: / sends it to /login.
func (app *testApp) mustSignedOut(t *testing.T, c *http.Client) {
	t.Helper()
	resp, _ := app.get(t, c, "/")
	mustRedirect(t, resp, "/login")
}

// hasHan reports whether s contains Chinese characters.
func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// htmlLang returns the lang attribute of the page's <html> element.
func htmlLang(t *testing.T, page []byte) string {
	t.Helper()
	for _, n := range findAll(parseHTML(t, page), func(n *html.Node) bool { return n.Data == "html" }) {
		v, _ := attr(n, "lang")
		return v
	}
	return ""
}

// userIDs maps usernames to ids, from GET /api/v1/users as an admin.
func (app *testApp) userIDs(t *testing.T, adminToken string) map[string]string {
	t.Helper()
	resp, body := app.apiDo(t, adminToken, http.MethodGet, "/api/v1/users", nil)
	mustStatus(t, resp, http.StatusOK)
	var out struct {
		Items []struct {
			ID       string `json:"id"`
			Username string `json:"username"`
		} `json:"items"`
	}
	mustJSON(t, body, &out)
	ids := map[string]string{}
	for _, u := range out.Items {
		ids[u.Username] = u.ID
	}
	return ids
}

// apiTeam is a team as GET /api/v1/teams lists it. The manager ids are
// kept raw: TestAPI checks that ids are strings.
type apiTeam struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	ManagerIDs []json.RawMessage `json:"manager_ids"`
}

// teams lists the caller's teams through GET /api/v1/teams.
func (app *testApp) teams(t *testing.T, token string) []apiTeam {
	t.Helper()
	resp, body := app.apiDo(t, token, http.MethodGet, "/api/v1/teams", nil)
	mustStatus(t, resp, http.StatusOK)
	var out struct {
		Items []apiTeam `json:"items"`
	}
	mustJSON(t, body, &out)
	return out.Items
}

func teamID(t *testing.T, teams []apiTeam, name string) string {
	t.Helper()
	for _, tm := range teams {
		if tm.Name == name {
			return tm.ID
		}
	}
	t.Fatalf("no team %q in %+v", name, teams)
	return ""
}

// policy returns the company policy through GET /api/v1/policy.
func (app *testApp) policy(t *testing.T, token string) map[string]any {
	t.Helper()
	resp, body := app.apiDo(t, token, http.MethodGet, "/api/v1/policy", nil)
	mustStatus(t, resp, http.StatusOK)
	var p map[string]any
	mustJSON(t, body, &p)
	return p
}

// mustSamePolicy fails unless got equals want with the changes applied.
func mustSamePolicy(t *testing.T, got, want map[string]any, changes map[string]any) {
	t.Helper()
	exp := map[string]any{}
	for k, v := range want {
		exp[k] = v
	}
	for k, v := range changes {
		exp[k] = v
	}
	gb, _ := json.Marshal(got)
	eb, _ := json.Marshal(exp)
	if string(gb) != string(eb) {
		t.Fatalf("policy is\n%s\nwant\n%s", gb, eb)
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	resp, body := app.get(t, http.DefaultClient, "/healthz")
	mustStatus(t, resp, http.StatusOK)
	if strings.TrimSpace(string(body)) != "ok" {
		t.Errorf("/healthz says %q, want ok", body)
	}
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)

	// The message for a wrong password is the yardstick: every failed
	// sign-in must say the same, so nobody learns which part was wrong.
	resp, body := app.postForm(t, app.browserClient(t), "/login", loginForm("demo", "admin", "wrong-password"))
	mustStatus(t, resp, http.StatusUnauthorized)
	wrongCredentials := testID(t, body, "form-error")
	if wrongCredentials == "" {
		t.Fatal("wrong password: no message")
	}

	tests := []struct {
		name                   string
		tenant, user, password string
		ok, admin              bool
	}{
		{name: "admin", tenant: "demo", user: "admin", password: demoPassword, ok: true, admin: true},
		{name: "salesperson", tenant: "demo", user: "sales1", password: demoPassword, ok: true},
		{name: "wrong password", tenant: "demo", user: "sales2", password: "demo12346"},
		{name: "unknown company", tenant: "nosuchco", user: "admin", password: demoPassword},
		{name: "unknown user", tenant: "demo", user: "nobody", password: demoPassword},
		{name: "empty form", tenant: "", user: "", password: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := app.browserClient(t)
			resp, body := app.postForm(t, c, "/login", loginForm(tc.tenant, tc.user, tc.password))
			if !tc.ok {
				mustStatus(t, resp, http.StatusUnauthorized)
				if msg := testID(t, body, "form-error"); msg != wrongCredentials {
					t.Errorf("message %q, want the wrong-password message %q", msg, wrongCredentials)
				}
				if !hasTestID(t, body, "login-form") {
					t.Error("the sign-in form is not shown again")
				}
				if got := formValues(t, body, "login-form"); got.Get("tenant") != tc.tenant || got.Get("username") != tc.user || got.Get("password") != "" {
					t.Errorf("form comes back with %v, want the typed company and username and no password", got)
				}
				app.mustSignedOut(t, c)
				return
			}
			mustRedirect(t, resp, "/")
			if ck := sessionCookie(resp); ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
				t.Errorf("session cookie %+v; want an HttpOnly, SameSite=Lax cookie for /", ck)
			}
			resp, body = app.get(t, c, "/")
			mustStatus(t, resp, http.StatusOK)
			if title := testID(t, body, "home-title"); title == "" {
				t.Error("empty home title")
			}
			if got := hasTestID(t, body, "admin-home"); got != tc.admin {
				t.Errorf("admin-home shown: %v, want %v", got, tc.admin)
			}
			// Signed in, the login page sends the user home.
			resp, _ = app.get(t, c, "/login")
			mustRedirect(t, resp, "/")
			// Signing out ends the session.
			resp, _ = app.postForm(t, c, "/logout", nil)
			mustRedirect(t, resp, "/login")
			app.mustSignedOut(t, c)
		})
	}
}

// sessionCookie returns the session cookie resp sets, or nil.
func sessionCookie(resp *http.Response) *http.Cookie {
	for _, ck := range resp.Cookies() {
		if ck.Name == "baobei_session" {
			return ck
		}
	}
	return nil
}

// TestSignInRenewsSession: signing in over an existing session issues a
// new session id and retires the old one, so a session id known before
// sign-in (fixation) is worth nothing after it.
func TestSignInRenewsSession(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.browserClient(t)
	resp, _ := app.postForm(t, c, "/login", loginForm("demo", "sales1", demoPassword))
	mustRedirect(t, resp, "/")
	before := sessionCookie(resp)
	if before == nil {
		t.Fatal("no session cookie")
	}
	resp, _ = app.postForm(t, c, "/login", loginForm("demo", "admin", demoPassword))
	mustRedirect(t, resp, "/")
	after := sessionCookie(resp)
	if after == nil || after.Value == before.Value {
		t.Fatalf("the session id did not change at sign-in: %v → %v", before, after)
	}
	old := app.browserClient(t)
	u, _ := url.Parse(app.URL)
	old.Jar.SetCookies(u, []*http.Cookie{{Name: before.Name, Value: before.Value}})
	app.mustSignedOut(t, old)
	resp, body := app.get(t, c, "/")
	mustStatus(t, resp, http.StatusOK)
	if !hasTestID(t, body, "admin-home") {
		t.Error("after the second sign-in the session is not the admin's")
	}
}

func TestSignInThrottle(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	apiCreds := func(user, password string) map[string]string {
		return map[string]string{"tenant": "demo", "username": user, "password": password}
	}

	// Five failures for one username, through the form and the API alike
	// (one counter, so neither doubles an attacker's guesses).
	var wrongCredentials string
	for range 3 {
		resp, body := app.postForm(t, app.browserClient(t), "/login", loginForm("demo", "sales1", "wrong-password"))
		mustStatus(t, resp, http.StatusUnauthorized)
		wrongCredentials = testID(t, body, "form-error")
	}
	for range 2 {
		resp, body := app.apiDo(t, "", http.MethodPost, "/api/v1/auth/token", apiCreds("sales1", "wrong-password"))
		mustStatus(t, resp, http.StatusUnauthorized)
		mustAPIError(t, body, "unauthenticated")
	}

	t.Run("page refuses the right password", func(t *testing.T) {
		c := app.browserClient(t)
		resp, body := app.postForm(t, c, "/login", loginForm("demo", "sales1", demoPassword))
		mustStatus(t, resp, http.StatusTooManyRequests)
		if msg := testID(t, body, "form-error"); msg == "" || msg == wrongCredentials {
			t.Errorf("throttled sign-in says %q; want its own message", msg)
		}
		app.mustSignedOut(t, c)
	})

	t.Run("api refuses the right password", func(t *testing.T) {
		resp, body := app.apiDo(t, "", http.MethodPost, "/api/v1/auth/token", apiCreds("SALES1", demoPassword))
		mustStatus(t, resp, http.StatusTooManyRequests)
		mustAPIError(t, body, "rate_limited")
		if strings.Contains(string(body), `"token"`) {
			t.Errorf("a throttled request got a token: %s", body)
		}
	})

	t.Run("colleagues behind the same address still get in", func(t *testing.T) {
		app.signIn(t, "demo", "sales2", demoPassword)
		app.token(t, "demo", "sales3", demoPassword)
	})
}

func TestPagesNeedSession(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.browserClient(t)
	for _, path := range []string{"/", "/admin/users", "/admin/users/1", "/admin/teams", "/admin/policy", "/settings", "/notifications"} {
		t.Run("GET "+path, func(t *testing.T) {
			resp, _ := app.get(t, c, path)
			mustRedirect(t, resp, "/login")
		})
	}
	for _, path := range []string{"/admin/users", "/admin/policy", "/admin/teams", "/settings/tokens", "/settings/password"} {
		t.Run("POST "+path, func(t *testing.T) {
			resp, _ := app.postForm(t, c, path, url.Values{"username": {"intruder"}, "display_name": {"x"}, "role": {"admin"}, "password": {"longenough1"}})
			mustRedirect(t, resp, "/login")
		})
	}
	resp, body := app.get(t, c, "/login")
	mustStatus(t, resp, http.StatusOK)
	if !hasTestID(t, body, "login-form") {
		t.Error("GET /login shows no login form")
	}
	resp, body = app.get(t, c, "/no-such-page")
	mustStatus(t, resp, http.StatusNotFound)
	if testID(t, body, "error-message") == "" {
		t.Error("404 page without a message")
	}
	users, err := app.Svc.Users(context.Background(), app.actorOf(t, "demo", "admin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == "intruder" {
			t.Error("an anonymous POST created a user")
		}
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signIn(t, "demo", "admin", demoPassword)
	adminActor := app.actorOf(t, "demo", "admin")
	exists := func(username string) bool {
		t.Helper()
		users, err := app.Svc.Users(context.Background(), adminActor)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(users, func(u domain.User) bool { return u.Username == username })
	}
	userForm := func(username string) url.Values {
		return url.Values{"username": {username}, "display_name": {"跨站"}, "role": {"frontdesk"}, "password": {"longenough1"}}
	}

	refused := []struct {
		name    string
		headers map[string]string // "" deletes the header
	}{
		{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"same-site fetch from another origin", map[string]string{"Sec-Fetch-Site": "same-site"}},
		{"foreign Origin", map[string]string{"Sec-Fetch-Site": "", "Origin": "http://evil.example"}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			req := app.formRequest(t, "/admin/users", userForm("csrf-victim"))
			for k, v := range tc.headers {
				if v == "" {
					req.Header.Del(k)
				} else {
					req.Header.Set(k, v)
				}
			}
			resp, _ := send(t, admin, req)
			mustStatus(t, resp, http.StatusForbidden)
			if exists("csrf-victim") {
				t.Fatal("a cross-origin POST created a user")
			}
		})
	}

	t.Run("cross-site sign-out is refused", func(t *testing.T) {
		req := app.formRequest(t, "/logout", nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, _ := send(t, admin, req)
		mustStatus(t, resp, http.StatusForbidden)
		resp, _ = app.get(t, admin, "/")
		mustStatus(t, resp, http.StatusOK)
	})

	t.Run("cross-site sign-in is refused", func(t *testing.T) {
		c := app.browserClient(t)
		req := app.formRequest(t, "/login", loginForm("demo", "sales1", demoPassword))
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, _ := send(t, c, req)
		mustStatus(t, resp, http.StatusForbidden)
		app.mustSignedOut(t, c)
	})

	t.Run("same-origin browser POST", func(t *testing.T) {
		resp, _ := app.postForm(t, admin, "/admin/users", userForm("csrf-same-origin"))
		mustRedirect(t, resp, "/admin/users")
		if !exists("csrf-same-origin") {
			t.Error("the same-origin POST created no user")
		}
	})

	t.Run("non-browser POST without fetch metadata", func(t *testing.T) {
		req := app.formRequest(t, "/admin/users", userForm("csrf-no-headers"))
		req.Header.Del("Sec-Fetch-Site")
		resp, _ := send(t, admin, req)
		mustRedirect(t, resp, "/admin/users")
		if !exists("csrf-no-headers") {
			t.Error("the POST without fetch metadata created no user")
		}
	})
}

func TestRoles(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	adminToken := app.apiToken(t, "demo", "admin")
	ids := app.userIDs(t, adminToken)
	policyBefore := app.policy(t, adminToken)

	for _, user := range []string{"sales1", "manager1", "frontdesk1", "clerk1"} {
		t.Run(user, func(t *testing.T) {
			c := app.signIn(t, "demo", user, demoPassword)
			for _, path := range []string{"/admin/users", "/admin/users/" + ids["sales2"], "/admin/teams", "/admin/policy"} {
				resp, body := app.get(t, c, path)
				mustStatus(t, resp, http.StatusForbidden)
				if testID(t, body, "error-message") == "" {
					t.Errorf("GET %s: 403 page without a message", path)
				}
			}
			resp, _ := app.postForm(t, c, "/admin/users", url.Values{"username": {"by-" + user}, "display_name": {"x"}, "role": {"admin"}, "password": {"longenough1"}})
			mustStatus(t, resp, http.StatusForbidden)
			resp, _ = app.postForm(t, c, "/admin/users/"+ids["sales2"]+"/active", url.Values{"active": {"false"}})
			mustStatus(t, resp, http.StatusForbidden)

			resp, body := app.get(t, c, "/")
			mustStatus(t, resp, http.StatusOK)
			if hasTestID(t, body, "admin-home") {
				t.Error("a non-admin sees the admin home")
			}
			if linkTo(t, body, "用户") != "" {
				t.Error("a non-admin's navigation links to the user administration")
			}

			tok := app.apiToken(t, "demo", user)
			resp, body = app.apiDo(t, tok, http.MethodPut, "/api/v1/policy", map[string]any{"protection_days": 45})
			mustStatus(t, resp, http.StatusForbidden)
			mustAPIError(t, body, "forbidden")
			resp, body = app.apiDo(t, tok, http.MethodPost, "/api/v1/users/"+ids["sales2"]+"/deactivate", nil)
			mustStatus(t, resp, http.StatusForbidden)
			mustAPIError(t, body, "forbidden")
			// Any role may read the policy.
			resp, _ = app.apiDo(t, tok, http.MethodGet, "/api/v1/policy", nil)
			mustStatus(t, resp, http.StatusOK)
		})
	}

	t.Run("sales see colleagues' names only", func(t *testing.T) {
		tok := app.apiToken(t, "demo", "sales1")
		resp, body := app.apiDo(t, tok, http.MethodGet, "/api/v1/users", nil)
		mustStatus(t, resp, http.StatusOK)
		var out struct {
			Items []map[string]any `json:"items"`
		}
		mustJSON(t, body, &out)
		if len(out.Items) != len(domain.DemoUsers) {
			t.Fatalf("%d users, want %d", len(out.Items), len(domain.DemoUsers))
		}
		for _, u := range out.Items {
			if u["display_name"] == "" || u["username"] != nil && u["username"] != "" {
				t.Errorf("sales see %v; want a name without the username", u)
			}
		}
	})

	users, err := app.Svc.Users(context.Background(), app.actorOf(t, "demo", "admin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if strings.HasPrefix(u.Username, "by-") || !u.Active {
			t.Errorf("a non-admin changed users: %+v", u)
		}
	}
	mustSamePolicy(t, app.policy(t, adminToken), policyBefore, nil)
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := context.Background()
	if _, err := app.Svc.CreateTenant(ctx, domain.TenantInput{Slug: "acme", Name: "Acme 公司", AdminUsername: "boss", AdminPassword: "acme-pass-1"}); err != nil {
		t.Fatal(err)
	}
	acmeAdmin := app.actorOf(t, "acme", "boss")
	acmeTeam, err := app.Svc.SaveTeam(ctx, acmeAdmin, 0, domain.TeamInput{Name: "华东组", Region: "上海"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Svc.CreateUser(ctx, acmeAdmin, domain.UserInput{Username: "acme-sales", DisplayName: "钱七", Role: domain.RoleSales, TeamID: acmeTeam, Password: "acme-pass-2"}); err != nil {
		t.Fatal(err)
	}

	demoAdmin := app.actorOf(t, "demo", "admin")
	demoUsers, err := app.Svc.Users(ctx, demoAdmin)
	if err != nil {
		t.Fatal(err)
	}
	demoTeams, err := app.Svc.Teams(ctx, demoAdmin)
	if err != nil {
		t.Fatal(err)
	}

	page := app.signIn(t, "acme", "boss", "acme-pass-1")
	token := app.apiToken(t, "acme", "boss")

	for _, u := range demoUsers {
		id := itoa(u.ID)
		t.Run(u.Username, func(t *testing.T) {
			resp, _ := app.get(t, page, "/admin/users/"+id)
			mustStatus(t, resp, http.StatusNotFound)
			resp, _ = app.postForm(t, page, "/admin/users/"+id, url.Values{"display_name": {"改名"}, "role": {"admin"}, "region": {"x"}})
			mustStatus(t, resp, http.StatusNotFound)
			if u.Username == "admin" { // a reset costs a bcrypt hash even when refused; once will do
				resp, _ = app.postForm(t, page, "/admin/users/"+id+"/password", url.Values{"password": {"taken-over-1"}})
				mustStatus(t, resp, http.StatusNotFound)
			}
			resp, _ = app.postForm(t, page, "/admin/users/"+id+"/active", url.Values{"active": {"false"}})
			mustStatus(t, resp, http.StatusNotFound)
			resp, body := app.apiDo(t, token, http.MethodPost, "/api/v1/users/"+id+"/deactivate", nil)
			mustStatus(t, resp, http.StatusNotFound)
			mustAPIError(t, body, "not_found")
		})
	}
	for _, tm := range demoTeams {
		t.Run("team "+tm.Name, func(t *testing.T) {
			resp, _ := app.postForm(t, page, "/admin/teams/"+itoa(tm.ID), url.Values{"name": {"夺走"}, "region": {"x"}})
			mustStatus(t, resp, http.StatusNotFound)
			if tm.Name != "一组" {
				return // creating a user costs a bcrypt hash; one team will do
			}
			// Nor can acme put its users into demo's teams.
			resp, body := app.postForm(t, page, "/admin/users", url.Values{"username": {"sneak"}, "display_name": {"x"},
				"role": {"sales"}, "team_id": {itoa(tm.ID)}, "password": {"longenough1"}})
			mustStatus(t, resp, http.StatusUnprocessableEntity)
			if testID(t, body, "error-team_id") == "" {
				t.Error("no message at the team field")
			}
		})
	}

	t.Run("demo is unchanged", func(t *testing.T) {
		after, err := app.Svc.Users(ctx, demoAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(after, demoUsers) {
			t.Errorf("demo's users changed:\n%+v\nwas\n%+v", after, demoUsers)
		}
		teams, err := app.Svc.Teams(ctx, demoAdmin)
		if err != nil {
			t.Fatal(err)
		}
		for i := range teams {
			if teams[i].Name != demoTeams[i].Name || teams[i].Region != demoTeams[i].Region {
				t.Errorf("demo's team changed: %+v, was %+v", teams[i], demoTeams[i])
			}
		}
		app.signIn(t, "demo", "sales1", demoPassword)
	})

	t.Run("acme lists only its own", func(t *testing.T) {
		resp, body := app.get(t, page, "/admin/users")
		mustStatus(t, resp, http.StatusOK)
		table := testID(t, body, "users-table")
		if !strings.Contains(table, "boss") || !strings.Contains(table, "acme-sales") {
			t.Errorf("acme's user list lacks its own users: %q", table)
		}
		ids := app.userIDs(t, token)
		if len(ids) != 2 {
			t.Errorf("acme's API user list: %v, want boss and acme-sales", ids)
		}
		resp, teamsPage := app.get(t, page, "/admin/teams")
		mustStatus(t, resp, http.StatusOK)
		teamsTable := testID(t, teamsPage, "teams-table")
		apiTeams := app.teams(t, token)
		if len(apiTeams) != 1 || apiTeams[0].Name != "华东组" {
			t.Errorf("acme's API team list: %+v", apiTeams)
		}
		words := append(strings.Fields(table), strings.Fields(teamsTable)...)
		for _, u := range demoUsers {
			for _, s := range []string{u.Username, u.DisplayName} {
				if slices.Contains(words, s) {
					t.Errorf("acme's pages show demo's %q", s)
				}
			}
			if _, ok := ids[u.Username]; ok {
				t.Errorf("acme's API lists demo's %q", u.Username)
			}
		}
		for _, tm := range demoTeams {
			if slices.Contains(words, tm.Name) {
				t.Errorf("acme's pages show demo's team %q", tm.Name)
			}
		}
		resp, body = app.apiDo(t, token, http.MethodGet, "/api/v1/me", nil)
		mustStatus(t, resp, http.StatusOK)
		var me map[string]any
		mustJSON(t, body, &me)
		if me["tenant"] != "acme" || me["username"] != "boss" {
			t.Errorf("acme's /me: %v", me)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestAdminJourney(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signIn(t, "demo", "admin", demoPassword)
	adminToken := app.apiToken(t, "demo", "admin")
	teams := app.teams(t, adminToken)
	team1, team2 := teamID(t, teams, "一组"), teamID(t, teams, "二组")

	// Create a user through the form.
	resp, body := app.get(t, admin, "/admin/users")
	mustStatus(t, resp, http.StatusOK)
	form := formValues(t, body, "user-form")
	form.Set("username", "newbie")
	form.Set("display_name", "新人小孙")
	form.Set("role", "sales")
	form.Set("team_id", team1)
	form.Set("region", "北京")
	form.Set("password", "first-pass-1")
	resp, _ = app.postForm(t, admin, "/admin/users", form)
	mustRedirect(t, resp, "/admin/users")
	resp, body = app.get(t, admin, "/admin/users")
	mustStatus(t, resp, http.StatusOK)
	if testID(t, body, "flash") == "" {
		t.Error("no flash message after creating a user")
	}
	if table := testID(t, body, "users-table"); !strings.Contains(table, "newbie") || !strings.Contains(table, "新人小孙") {
		t.Fatalf("the user list lacks the new user: %q", table)
	}
	userPage := linkTo(t, body, "newbie")
	if !regexp.MustCompile(`^/admin/users/\d+$`).MatchString(userPage) {
		t.Fatalf("link to the new user: %q", userPage)
	}
	newbieID := strings.TrimPrefix(userPage, "/admin/users/")

	t.Run("invalid user is refused with messages", func(t *testing.T) {
		resp, body := app.postForm(t, admin, "/admin/users", url.Values{"username": {"newbie"}, "display_name": {"重名"}, "role": {"sales"}, "team_id": {team1}, "password": {"first-pass-1"}})
		mustStatus(t, resp, http.StatusConflict)
		if testID(t, body, "error-username") == "" {
			t.Error("duplicate username: no message at the field")
		}
		resp, body = app.postForm(t, admin, "/admin/users", url.Values{"username": {"x y"}, "display_name": {""}, "role": {"sales"}, "password": {"short"}})
		mustStatus(t, resp, http.StatusUnprocessableEntity)
		for _, f := range []string{"username", "display_name", "team_id", "password"} {
			if testID(t, body, "error-"+f) == "" {
				t.Errorf("no message at %s", f)
			}
		}
	})

	// The new user signs in, in the browser and through the API.
	newbie := app.signIn(t, "demo", "newbie", "first-pass-1")
	newbieToken := app.token(t, "demo", "newbie", "first-pass-1")

	// Edit role and team through the edit form as rendered.
	resp, body = app.get(t, admin, userPage)
	mustStatus(t, resp, http.StatusOK)
	form = formValues(t, body, "user-edit-form")
	if form.Get("display_name") != "新人小孙" || form.Get("role") != "sales" || form.Get("team_id") != team1 {
		t.Fatalf("edit form shows %v", form)
	}
	form.Set("role", "manager")
	form.Set("team_id", team2)
	resp, _ = app.postForm(t, admin, userPage, form)
	mustRedirect(t, resp, userPage)
	resp, body = app.get(t, admin, userPage)
	mustStatus(t, resp, http.StatusOK)
	if form := formValues(t, body, "user-edit-form"); form.Get("role") != "manager" || form.Get("team_id") != team2 {
		t.Errorf("after the edit the form shows %v", form)
	}
	// The change applies at the user's next request.
	resp, body = app.apiDo(t, newbieToken, http.MethodGet, "/api/v1/me", nil)
	mustStatus(t, resp, http.StatusOK)
	var me map[string]any
	mustJSON(t, body, &me)
	if me["role"] != "manager" || me["team_id"] != team2 || me["id"] != newbieID {
		t.Errorf("after the edit /me says %v", me)
	}

	// Reset the password: the new one works, the old one no longer; the
	// user's session is signed out and the next sign-in must choose a new
	// password (accounts_test.go follows that flow in detail).
	resp, _ = app.postForm(t, admin, userPage+"/password", url.Values{"password": {"short"}})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	resp, _ = app.postForm(t, admin, userPage+"/password", url.Values{"password": {"second-pass-2"}})
	mustRedirect(t, resp, userPage)
	app.mustSignedOut(t, newbie)
	newbie = app.signIn(t, "demo", "newbie", "second-pass-2")
	resp, _ = app.postForm(t, newbie, "/password/change", url.Values{"current": {"second-pass-2"}, "password": {"third-pass-3"}})
	mustRedirect(t, resp, "/")
	resp, _ = app.postForm(t, app.browserClient(t), "/login", loginForm("demo", "newbie", "first-pass-1"))
	mustStatus(t, resp, http.StatusUnauthorized)

	// Deactivate: the existing session and token stop working.
	resp, _ = app.get(t, newbie, "/")
	mustStatus(t, resp, http.StatusOK)
	resp, body = app.get(t, admin, userPage)
	mustStatus(t, resp, http.StatusOK)
	if !hasTestID(t, body, "deactivate") {
		t.Fatal("no deactivate button")
	}
	resp, _ = app.postForm(t, admin, userPage+"/active", url.Values{"active": {"false"}})
	mustRedirect(t, resp, userPage)
	app.mustSignedOut(t, newbie)
	resp, body = app.apiDo(t, newbieToken, http.MethodGet, "/api/v1/me", nil)
	mustStatus(t, resp, http.StatusUnauthorized)
	mustAPIError(t, body, "unauthenticated")
	resp, _ = app.postForm(t, app.browserClient(t), "/login", loginForm("demo", "newbie", "third-pass-3"))
	mustStatus(t, resp, http.StatusUnauthorized)
	resp, body = app.get(t, admin, userPage)
	mustStatus(t, resp, http.StatusOK)
	if !hasTestID(t, body, "activate") {
		t.Error("a deactivated user's page offers no reactivation")
	}
	// An admin cannot deactivate themselves.
	resp, _ = app.postForm(t, admin, "/admin/users/"+app.userIDs(t, adminToken)["admin"]+"/active", url.Values{"active": {"false"}})
	mustStatus(t, resp, http.StatusUnprocessableEntity)

	// Create a team with a manager.
	managerID := app.userIDs(t, adminToken)["manager2"]
	resp, _ = app.postForm(t, admin, "/admin/teams", url.Values{"name": {"三组"}, "region": {"上海"}, "manager_ids": {managerID}})
	mustRedirect(t, resp, "/admin/teams")
	resp, body = app.get(t, admin, "/admin/teams")
	mustStatus(t, resp, http.StatusOK)
	if table := testID(t, body, "teams-table"); !strings.Contains(table, "三组 上海 赵经理") {
		t.Errorf("the team list lacks the new team with its manager: %q", table)
	}
	team3 := teamID(t, app.teams(t, adminToken), "三组")
	for _, tm := range app.teams(t, adminToken) {
		if tm.ID == team3 && (len(tm.ManagerIDs) != 1 || strings.Trim(string(tm.ManagerIDs[0]), `"`) != managerID) {
			t.Errorf("team 三组 has managers %s, want [%s]", tm.ManagerIDs, managerID)
		}
	}
	resp, _ = app.postForm(t, admin, "/admin/teams", url.Values{"name": {"三组"}})
	mustStatus(t, resp, http.StatusUnprocessableEntity)

	// Change one policy value through the form as it is rendered.
	before := app.policy(t, adminToken)
	resp, body = app.get(t, admin, "/admin/policy")
	mustStatus(t, resp, http.StatusOK)
	form = formValues(t, body, "policy-form")
	if form.Get("protection_days") != "30" {
		t.Fatalf("the policy form shows protection_days %q, want 30", form.Get("protection_days"))
	}
	form.Set("protection_days", "60")
	resp, _ = app.postForm(t, admin, "/admin/policy", form)
	mustRedirect(t, resp, "/admin/policy")
	mustSamePolicy(t, app.policy(t, adminToken), before, map[string]any{"protection_days": 60.0})
	resp, body = app.get(t, admin, "/admin/policy")
	mustStatus(t, resp, http.StatusOK)
	if got := formValues(t, body, "policy-form").Get("protection_days"); got != "60" {
		t.Errorf("after saving the form shows protection_days %q", got)
	}

	// An invalid value: 422, the message beside the field, nothing saved.
	form.Set("protection_days", "-1")
	form.Set("max_renewals", "5")
	resp, body = app.postForm(t, admin, "/admin/policy", form)
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if testID(t, body, "error-protection_days") == "" {
		t.Error("no message at protection_days")
	}
	if got := formValues(t, body, "policy-form"); got.Get("protection_days") != "-1" || got.Get("max_renewals") != "5" {
		t.Errorf("the form does not come back as typed: %v", got)
	}
	mustSamePolicy(t, app.policy(t, adminToken), before, map[string]any{"protection_days": 60.0})
}

func TestAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.apiToken(t, "demo", "admin")
	sales := app.apiToken(t, "demo", "sales1")
	team1 := teamID(t, app.teams(t, admin), "一组")

	t.Run("token response", func(t *testing.T) {
		resp, body := app.apiDo(t, "", http.MethodPost, "/api/v1/auth/token", map[string]string{"tenant": "demo", "username": "manager1", "password": demoPassword})
		mustStatus(t, resp, http.StatusCreated)
		var out struct {
			Token string         `json:"token"`
			User  map[string]any `json:"user"`
		}
		mustJSON(t, body, &out)
		if out.Token == "" || out.User["username"] != "manager1" || out.User["tenant"] != "demo" {
			t.Errorf("auth/token answered %s", body)
		}
		resp, body = app.apiDo(t, "", http.MethodPost, "/api/v1/auth/token", map[string]string{"tenant": "demo", "username": "manager1", "password": "nope-nope"})
		mustStatus(t, resp, http.StatusUnauthorized)
		mustAPIError(t, body, "unauthenticated")
	})

	t.Run("me", func(t *testing.T) {
		for _, tc := range []struct {
			token, username, role, teamID string
		}{
			{admin, "admin", "admin", ""},
			{sales, "sales1", "sales", team1},
		} {
			resp, body := app.apiDo(t, tc.token, http.MethodGet, "/api/v1/me", nil)
			mustStatus(t, resp, http.StatusOK)
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			var me map[string]any
			mustJSON(t, body, &me)
			for _, k := range []string{"id", "username", "display_name", "role", "team_id", "tenant"} {
				if _, ok := me[k].(string); !ok {
					t.Errorf("/me field %q is %#v, want a string", k, me[k])
				}
			}
			if me["id"] == "" || me["username"] != tc.username || me["role"] != tc.role || me["team_id"] != tc.teamID || me["tenant"] != "demo" || me["display_name"] == "" {
				t.Errorf("/me for %s: %s", tc.username, body)
			}
		}
	})

	t.Run("bad or missing token", func(t *testing.T) {
		for _, h := range []string{"", "Bearer nonsense", "Bearer bb_1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "Bearer " + admin + "x",
			"Bearer bb_999999_" + strings.TrimPrefix(admin, "bb_"), "Basic YWRtaW46ZGVtbzEyMzQ1", admin} {
			req := app.apiRequest(t, "", http.MethodGet, "/api/v1/me", nil)
			if h != "" {
				req.Header.Set("Authorization", h)
			}
			resp, body := send(t, http.DefaultClient, req)
			mustStatus(t, resp, http.StatusUnauthorized)
			mustAPIError(t, body, "unauthenticated")
		}
	})

	t.Run("ids are strings", func(t *testing.T) {
		for _, path := range []string{"/api/v1/users", "/api/v1/teams"} {
			resp, body := app.apiDo(t, admin, http.MethodGet, path, nil)
			mustStatus(t, resp, http.StatusOK)
			var out struct {
				Items []map[string]any `json:"items"`
			}
			mustJSON(t, body, &out)
			if len(out.Items) == 0 {
				t.Fatalf("GET %s: no items", path)
			}
			for _, item := range out.Items {
				for k, v := range item {
					if k != "id" && !strings.HasSuffix(k, "_id") && !strings.HasSuffix(k, "_ids") {
						continue
					}
					vs, ok := v.([]any)
					if !ok {
						vs = []any{v}
					}
					for _, v := range vs {
						if _, ok := v.(string); !ok {
							t.Errorf("GET %s: %q is %v (%T); api.md: ids are opaque strings", path, k, v, v)
						}
					}
				}
			}
		}
	})

	t.Run("unknown path", func(t *testing.T) {
		resp, body := app.apiDo(t, admin, http.MethodGet, "/api/v1/no-such-thing", nil)
		mustStatus(t, resp, http.StatusNotFound)
		mustAPIError(t, body, "not_found")
	})

	policy := app.policy(t, admin)
	t.Run("partial policy update", func(t *testing.T) {
		resp, body := app.apiDo(t, admin, http.MethodPut, "/api/v1/policy", map[string]any{"protection_days": 45})
		mustStatus(t, resp, http.StatusOK)
		var got map[string]any
		mustJSON(t, body, &got)
		mustSamePolicy(t, got, policy, map[string]any{"protection_days": 45.0})
		mustSamePolicy(t, app.policy(t, sales), policy, map[string]any{"protection_days": 45.0})
		policy = got
	})

	t.Run("invalid policy updates", func(t *testing.T) {
		tests := []struct {
			name, body string
			field      string // "" when the error names no field
		}{
			{"wrong type", `{"protection_days":"x"}`, "protection_days"},
			{"out of range", `{"protection_days":-1}`, "protection_days"},
			{"unknown key", `{"no_such_setting":1}`, "no_such_setting"},
			{"null for a required setting", `{"appeal_days":null}`, "appeal_days"},
			{"one bad key spoils the lot", `{"protection_days":50,"max_renewals":1000}`, "max_renewals"},
			{"malformed JSON", `{"protection_days":`, ""},
			{"not JSON", `protection_days=45`, ""},
			{"empty body", ``, ""},
			{"trailing data", `{"protection_days":50} {"protection_days":51}`, ""},
			{"an array", `[{"protection_days":50}]`, ""},
			{"a string", `"protection_days"`, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := app.apiDo(t, admin, http.MethodPut, "/api/v1/policy", []byte(tc.body))
				mustStatus(t, resp, http.StatusUnprocessableEntity)
				e := mustAPIError(t, body, "validation_failed")
				if tc.field != "" && e.Fields[tc.field] == "" {
					t.Errorf("fields %v lack %q", e.Fields, tc.field)
				}
			})
		}
		mustSamePolicy(t, app.policy(t, admin), policy, nil)
	})

	t.Run("body over 1 MiB", func(t *testing.T) {
		big := `{"time_zone":"` + strings.Repeat("a", 2<<20) + `"}`
		resp, body := app.apiDo(t, admin, http.MethodPut, "/api/v1/policy", big)
		mustStatus(t, resp, http.StatusRequestEntityTooLarge)
		var e struct {
			Error apiError `json:"error"`
		}
		mustJSON(t, body, &e)
		if e.Error.Message == "" {
			t.Errorf("413 without a message: %s", body)
		}
		mustSamePolicy(t, app.policy(t, admin), policy, nil)
	})

	t.Run("language", func(t *testing.T) {
		for _, tc := range []struct {
			acceptLanguage string
			english        bool
		}{
			{"", false},
			{"zh-CN,zh;q=0.9,en;q=0.8", false},
			{"en-US,en;q=0.9", true},
		} {
			reqs := []*http.Request{
				app.apiRequest(t, "nonsense", http.MethodGet, "/api/v1/me", nil),
				app.apiRequest(t, admin, http.MethodPut, "/api/v1/policy", map[string]any{"protection_days": -1}),
				app.apiRequest(t, "", http.MethodPost, "/api/v1/auth/token", map[string]string{"tenant": "demo", "username": "clerk1", "password": "wrong-pass"}),
			}
			for _, req := range reqs {
				if tc.acceptLanguage != "" {
					req.Header.Set("Accept-Language", tc.acceptLanguage)
				}
				resp, body := send(t, http.DefaultClient, req)
				var e struct {
					Error apiError `json:"error"`
				}
				mustJSON(t, body, &e)
				texts := []string{e.Error.Message}
				for _, v := range e.Error.Fields {
					texts = append(texts, v)
				}
				for _, s := range texts {
					if s == "" || hasHan(s) == tc.english {
						t.Errorf("%s %s with Accept-Language %q (status %d): message %q", req.Method, req.URL.Path, tc.acceptLanguage, resp.StatusCode, s)
					}
				}
			}
		}
	})

	t.Run("deactivate", func(t *testing.T) {
		victim := app.apiToken(t, "demo", "sales4")
		id := app.userIDs(t, admin)["sales4"]
		resp, body := app.apiDo(t, admin, http.MethodPost, "/api/v1/users/"+id+"/deactivate", nil)
		mustStatus(t, resp, http.StatusOK)
		var u map[string]any
		mustJSON(t, body, &u)
		if u["id"] != id || u["active"] != false {
			t.Errorf("deactivate answered %s", body)
		}
		resp, body = app.apiDo(t, victim, http.MethodGet, "/api/v1/me", nil)
		mustStatus(t, resp, http.StatusUnauthorized)
		mustAPIError(t, body, "unauthenticated")
		resp, _ = app.apiDo(t, admin, http.MethodPost, "/api/v1/users/999999/deactivate", nil)
		mustStatus(t, resp, http.StatusNotFound)
		resp, _ = app.apiDo(t, admin, http.MethodPost, "/api/v1/users/abc/deactivate", nil)
		mustStatus(t, resp, http.StatusNotFound)
	})
}

func TestSettingsToken(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signIn(t, "demo", "sales1", demoPassword)

	resp, body := app.postForm(t, c, "/settings/tokens", url.Values{"name": {"ci-script"}})
	mustStatus(t, resp, http.StatusOK)
	token := testID(t, body, "new-token")
	if !strings.HasPrefix(token, "bb_") {
		t.Fatalf("new token %q", token)
	}
	resp, body = app.apiDo(t, token, http.MethodGet, "/api/v1/me", nil)
	mustStatus(t, resp, http.StatusOK)
	var me map[string]any
	mustJSON(t, body, &me)
	if me["username"] != "sales1" {
		t.Errorf("the token acts as %v", me)
	}

	resp, body = app.get(t, c, "/settings")
	mustStatus(t, resp, http.StatusOK)
	if hasTestID(t, body, "new-token") || strings.Contains(string(body), token) {
		t.Error("the token is shown again")
	}
	if table := testID(t, body, "tokens-table"); !strings.Contains(table, "ci-script") {
		t.Errorf("the token list lacks the token: %q", table)
	}
	m := regexp.MustCompile(`action="(/settings/tokens/\d+/revoke)"`).FindSubmatch(body)
	if m == nil {
		t.Fatal("no revoke form")
	}
	revoke := string(m[1])

	// Another user cannot revoke it.
	other := app.signIn(t, "demo", "sales2", demoPassword)
	resp, _ = app.postForm(t, other, revoke, nil)
	mustStatus(t, resp, http.StatusNotFound)
	resp, _ = app.apiDo(t, token, http.MethodGet, "/api/v1/me", nil)
	mustStatus(t, resp, http.StatusOK)

	resp, _ = app.postForm(t, c, revoke, nil)
	mustRedirect(t, resp, "/settings")
	resp, body = app.apiDo(t, token, http.MethodGet, "/api/v1/me", nil)
	mustStatus(t, resp, http.StatusUnauthorized)
	mustAPIError(t, body, "unauthenticated")
	resp, body = app.get(t, c, "/settings")
	mustStatus(t, resp, http.StatusOK)
	if strings.Contains(testID(t, body, "tokens-table"), "ci-script") {
		t.Error("a revoked token is still listed")
	}
	resp, _ = app.postForm(t, c, revoke, nil)
	mustStatus(t, resp, http.StatusNotFound)
}

func TestLanguageSwitch(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	navOf := func(t *testing.T, c *http.Client) (string, string) {
		t.Helper()
		resp, body := app.get(t, c, "/")
		mustStatus(t, resp, http.StatusOK)
		return testID(t, body, "nav"), htmlLang(t, body)
	}

	c := app.signIn(t, "demo", "admin", demoPassword)
	if nav, lang := navOf(t, c); !strings.Contains(nav, "用户") || lang != "zh-CN" {
		t.Fatalf("default nav %q, lang %q; want Chinese", nav, lang)
	}
	resp, _ := app.postForm(t, c, "/lang", url.Values{"lang": {"en"}})
	mustRedirect(t, resp, "/")
	if nav, lang := navOf(t, c); !strings.Contains(nav, "Users") || hasHan(nav) || lang != "en" {
		t.Fatalf("after switching, nav %q, lang %q; want English", nav, lang)
	}
	resp, body := app.get(t, c, "/admin/users")
	mustStatus(t, resp, http.StatusOK)
	if form := testID(t, body, "user-form"); !strings.Contains(form, "Initial password") || strings.Contains(form, "用户名") {
		t.Errorf("the user form is not in English: %q", form)
	}

	// Remembered for the user: a new session, without the cookie, is English.
	resp, _ = app.postForm(t, c, "/logout", nil)
	mustRedirect(t, resp, "/login")
	again := app.signIn(t, "demo", "admin", demoPassword)
	if nav, _ := navOf(t, again); !strings.Contains(nav, "Users") {
		t.Errorf("after signing in again, nav %q; want English", nav)
	}
	// Others keep their own language.
	if nav, _ := navOf(t, app.signIn(t, "demo", "sales1", demoPassword)); !strings.Contains(nav, "首页") {
		t.Errorf("another user's nav %q; want Chinese", nav)
	}
	// And back.
	resp, _ = app.postForm(t, again, "/lang", url.Values{"lang": {"zh"}})
	mustRedirect(t, resp, "/")
	if nav, _ := navOf(t, again); !strings.Contains(nav, "用户") {
		t.Errorf("after switching back, nav %q", nav)
	}

	// Anonymous visitors switch too, by cookie.
	anon := app.browserClient(t)
	req := app.formRequest(t, "/lang", url.Values{"lang": {"en"}})
	req.Header.Set("Referer", app.URL+"/login")
	resp, _ = send(t, anon, req)
	mustRedirect(t, resp, "/login")
	resp, body = app.get(t, anon, "/login")
	mustStatus(t, resp, http.StatusOK)
	if submit := testID(t, body, "login-submit"); hasHan(submit) || htmlLang(t, body) != "en" {
		t.Errorf("anonymous English login page: button %q", submit)
	}
	// The way back stays on this site, whatever the Referer says.
	for _, referer := range []string{
		"http://evil.example/settings",
		app.URL + "//evil.example/x",
		app.URL + "/%5Cevil.example", // a browser reads the Location /\evil.example as //evil.example
		app.URL + "/%5C%5Cevil.example",
		app.URL + "/%09/evil.example", // browsers drop tabs from a URL: /<TAB>/evil.example is //evil.example
		"javascript:alert(1)",
	} {
		req = app.formRequest(t, "/lang", url.Values{"lang": {"en"}})
		req.Header.Set("Referer", referer)
		// The transport itself, since http.Client refuses to read some of these Locations.
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		mustStatus(t, resp, http.StatusSeeOther)
		if !staysOnSite(t, app.URL, resp.Header.Get("Location")) {
			t.Errorf("Referer %q: redirected to %q, which leaves the site", referer, resp.Header.Get("Location"))
		}
	}
}

// staysOnSite reports whether a browser on base that follows location
// stays on base's host. Browsers drop tabs and newlines from a URL, read a
// backslash in an http URL as a slash and any run of slashes after the
// scheme as the start of a host, so this does too.
func staysOnSite(t *testing.T, base, location string) bool {
	t.Helper()
	loc := strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(location)
	if strings.HasPrefix(loc, "//") {
		return false
	}
	b, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u, err := b.Parse(loc)
	return err == nil && u.Scheme == b.Scheme && u.Host == b.Host
}

func TestPageBodyTooLarge(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signIn(t, "demo", "admin", demoPassword)
	resp, _ := app.postForm(t, c, "/admin/teams", url.Values{"name": {"大"}, "region": {strings.Repeat("a", 2<<20)}})
	mustStatus(t, resp, http.StatusRequestEntityTooLarge)
	resp, body := app.get(t, c, "/admin/teams")
	mustStatus(t, resp, http.StatusOK)
	if strings.Contains(testID(t, body, "teams-table"), "大") {
		t.Error("the oversized form was saved")
	}
}
