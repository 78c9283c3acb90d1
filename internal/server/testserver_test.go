package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/net/html"

	"baobei/internal/db"
	"baobei/internal/db/dbtest"
	"baobei/internal/domain"
	"baobei/internal/server"
)

// testApp is the real application, router and all, serving a fresh
// database that holds the demo company.
type testApp struct {
	URL string
	Svc *domain.Service
}

// newTestApp starts the server on a fresh migrated database with the demo
// company (api.md: company code demo, every password demo12345). Server
// warnings and errors go to the test log; the server stops when the test
// ends, before its database is dropped. configure runs on the service
// before the server starts (a test clock, say).
func newTestApp(t testing.TB, configure ...func(*domain.Service)) *testApp {
	t.Helper()
	svc := domain.NewService(mustDemoDB(t))
	svc.PasswordCost = bcrypt.MinCost
	for _, c := range configure {
		c(svc)
	}
	if err := svc.EnsureDemo(context.Background()); err != nil { // a no-op on the clone; kept as the contract
		t.Fatalf("ensure demo: %v", err)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := httptest.NewServer(server.New(svc, server.Config{Log: log}))
	t.Cleanup(srv.Close)
	return &testApp{URL: srv.URL, Svc: svc}
}

// The demo company takes nine bcrypt hashes to create, which cost most of
// a second each under the race detector. So it is created once per test
// process, in a fresh dbtest database that is then copied into a template
// of this process; each test gets a clone of that template.
var demoTemplate struct {
	once     sync.Once
	adminURL string // the server's maintenance database, where databases are created
	name     string // the template database
	err      error
}

func TestMain(m *testing.M) {
	code := dbtest.Main(m)
	stopBrowser()
	if demoTemplate.name != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if conn, err := pgx.Connect(ctx, demoTemplate.adminURL); err == nil {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+demoTemplate.name+" WITH (FORCE)")
			conn.Close(ctx)
		}
		cancel()
	}
	os.Exit(code)
}

// buildDemoTemplate creates the demo company in a fresh dbtest database and
// copies that database into this process's template.
func buildDemoTemplate(t testing.TB) error {
	ctx := context.Background()
	seedURL := dbtest.MustURL(t)
	d, err := db.Open(ctx, seedURL)
	if err != nil {
		return err
	}
	seed := domain.NewService(d)
	seed.PasswordCost = bcrypt.MinCost // sign-ins compare at the stored hash's cost
	err = seed.EnsureDemo(ctx)
	d.Close()
	if err != nil {
		return fmt.Errorf("ensure demo: %w", err)
	}
	cfg, err := pgx.ParseConfig(seedURL)
	if err != nil {
		return err
	}
	if demoTemplate.adminURL, err = db.DatabaseURL(seedURL, "postgres"); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, demoTemplate.adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("baobei_demo_%d_%s", os.Getpid(), randomHex(4))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+pgx.Identifier{cfg.Database}.Sanitize()); err != nil {
		return fmt.Errorf("copy the demo database: %w", err)
	}
	demoTemplate.name = name
	return nil
}

// mustDemoDB returns a pool (as the application role) on a fresh clone of
// the demo template, dropped when the test ends.
func mustDemoDB(t testing.TB) *db.DB {
	t.Helper()
	demoTemplate.once.Do(func() {
		demoTemplate.err = errors.New("building the demo template failed in another test")
		demoTemplate.err = buildDemoTemplate(t)
	})
	if demoTemplate.err != nil {
		t.Fatalf("demo template: %v", demoTemplate.err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, demoTemplate.adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("t_%d_%s", os.Getpid(), randomHex(8)) // dbtest's pattern: dropped in the background
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+demoTemplate.name); err != nil {
		t.Fatalf("clone the demo template: %v", err)
	}
	t.Cleanup(func() { dbtest.Drop(name) })
	u, err := db.DatabaseURL(demoTemplate.adminURL, name)
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// browserClient returns a client that keeps cookies and does not follow
// redirects, so tests see each 303 and its Location.
func (app *testApp) browserClient(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// send runs req with c and returns the response with its body read; the
// body stays readable once more (mustStatus shows it on failure).
func send(t testing.TB, c *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, b
}

// get fetches path (relative to the server) with c.
func (app *testApp) get(t testing.TB, c *http.Client, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, app.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return send(t, c, req)
}

// formRequest builds a form POST to path as a browser sends it from a
// page of the same site (Sec-Fetch-Site: same-origin); tests that play
// another site change the headers before sending.
func (app *testApp) formRequest(t testing.TB, path string, form url.Values) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, app.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return req
}

// postForm posts form to path with c, as a same-origin browser would.
func (app *testApp) postForm(t testing.TB, c *http.Client, path string, form url.Values) (*http.Response, []byte) {
	t.Helper()
	return send(t, c, app.formRequest(t, path, form))
}

// signIn signs in through the real login form and returns the signed-in
// client; it fails the test unless sign-in redirects (303) to /.
func (app *testApp) signIn(t testing.TB, tenant, user, password string) *http.Client {
	t.Helper()
	c := app.browserClient(t)
	resp, _ := app.postForm(t, c, "/login", url.Values{"tenant": {tenant}, "username": {user}, "password": {password}})
	mustStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/" {
		t.Fatalf("sign in as %s/%s: redirected to %q, want /", tenant, user, loc)
	}
	return c
}

// token signs in through POST /api/v1/auth/token and returns the token.
func (app *testApp) token(t testing.TB, tenant, user, password string) string {
	t.Helper()
	resp, body := app.apiDo(t, "", http.MethodPost, "/api/v1/auth/token",
		map[string]string{"tenant": tenant, "username": user, "password": password})
	mustStatus(t, resp, http.StatusCreated)
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Token == "" {
		t.Fatalf("auth/token: no token in %s (%v)", body, err)
	}
	return out.Token
}

// apiToken issues an API token for a user straight through the domain, as
// the settings page does: no password check, no bcrypt, no throttling.
func (app *testApp) apiToken(t testing.TB, tenant, username string) string {
	t.Helper()
	tok, err := app.Svc.IssueToken(context.Background(), app.actorOf(t, tenant, username), "test")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// apiRequest builds a request to the JSON API. path is the whole path
// ("/api/v1/me"); token "" sends no Authorization. body nil sends none;
// []byte, string and io.Reader are sent as they are; anything else is
// encoded as JSON.
func (app *testApp) apiRequest(t testing.TB, token, method, path string, body any) *http.Request {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = strings.NewReader(b)
	case io.Reader:
		r = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("encode body: %v", err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, app.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// apiDo sends one API request (see apiRequest) and returns the response
// and its body.
func (app *testApp) apiDo(t testing.TB, token, method, path string, body any) (*http.Response, []byte) {
	t.Helper()
	return send(t, &http.Client{Timeout: 30 * time.Second}, app.apiRequest(t, token, method, path, body))
}

// apiError is the error body of api.md.
type apiError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields"`
}

// mustAPIError decodes an API error body and checks its code.
func mustAPIError(t testing.TB, body []byte, code string) apiError {
	t.Helper()
	var e struct {
		Error *apiError `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error == nil {
		t.Fatalf("not an API error body (%v): %s", err, body)
	}
	if e.Error.Code != code || e.Error.Message == "" {
		t.Fatalf("error code %q message %q, want code %q and a message; body %s", e.Error.Code, e.Error.Message, code, body)
	}
	return *e.Error
}

// mustJSON decodes a JSON body into v.
func mustJSON(t testing.TB, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}

// mustStatus fails the test unless resp has status want.
func mustStatus(t testing.TB, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode == want {
		return
	}
	b, _ := io.ReadAll(resp.Body)
	if len(b) > 2000 {
		b = append(b[:2000], "…"...)
	}
	t.Fatalf("%s %s: status %d, want %d (Location %q)\n%s", resp.Request.Method, resp.Request.URL.Path,
		resp.StatusCode, want, resp.Header.Get("Location"), b)
}

// mustRedirect fails the test unless resp is a 303 to location.
func mustRedirect(t testing.TB, resp *http.Response, location string) {
	t.Helper()
	mustStatus(t, resp, http.StatusSeeOther)
	if got := resp.Header.Get("Location"); got != location {
		t.Fatalf("%s %s: redirected to %q, want %q", resp.Request.Method, resp.Request.URL.Path, got, location)
	}
}

// parseHTML parses a rendered page.
func parseHTML(t testing.TB, page []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// findAll returns the elements under n (n included) for which match is true, in document order.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func byTestIDAttr(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { v, ok := attr(n, "data-testid"); return ok && v == id }
}

// textOf is the text of n with runs of white space collapsed.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// hasTestID reports whether the page has an element with data-testid=id.
func hasTestID(t testing.TB, page []byte, id string) bool {
	t.Helper()
	return len(findAll(parseHTML(t, page), byTestIDAttr(id))) > 0
}

// testID returns the text (white space collapsed) of the first element
// with data-testid=id, failing the test when there is none.
func testID(t testing.TB, page []byte, id string) string {
	t.Helper()
	nodes := findAll(parseHTML(t, page), byTestIDAttr(id))
	if len(nodes) == 0 {
		t.Fatalf("no element with data-testid=%q in the page:\n%s", id, abbreviate(page))
	}
	return textOf(nodes[0])
}

// formValues returns what a browser would submit from the form with
// data-testid=id as the page renders it: inputs with their values (checked
// boxes only), each select's selected option (or its first), textareas.
func formValues(t testing.TB, page []byte, id string) url.Values {
	t.Helper()
	forms := findAll(parseHTML(t, page), byTestIDAttr(id))
	if len(forms) == 0 {
		t.Fatalf("no form with data-testid=%q in the page:\n%s", id, abbreviate(page))
	}
	vals := url.Values{}
	for _, n := range findAll(forms[0], func(n *html.Node) bool {
		return n.Data == "input" || n.Data == "select" || n.Data == "textarea"
	}) {
		name, ok := attr(n, "name")
		if !ok || name == "" {
			continue
		}
		if _, disabled := attr(n, "disabled"); disabled {
			continue
		}
		switch n.Data {
		case "input":
			typ, _ := attr(n, "type")
			v, hasValue := attr(n, "value")
			switch strings.ToLower(typ) {
			case "submit", "button", "reset", "image", "file":
				continue
			case "checkbox", "radio":
				if _, checked := attr(n, "checked"); !checked {
					continue
				}
				if !hasValue {
					v = "on"
				}
			}
			vals.Add(name, v)
		case "select":
			opts := findAll(n, func(o *html.Node) bool { return o.Data == "option" })
			var chosen *html.Node
			for _, o := range opts {
				if _, sel := attr(o, "selected"); sel {
					chosen = o
					break
				}
			}
			if chosen == nil && len(opts) > 0 {
				chosen = opts[0]
			}
			if chosen != nil {
				v, ok := attr(chosen, "value")
				if !ok {
					v = textOf(chosen)
				}
				vals.Add(name, v)
			}
		case "textarea":
			vals.Add(name, textOf(n))
		}
	}
	return vals
}

// linkTo returns the href of the first link whose text is text, or "".
func linkTo(t testing.TB, page []byte, text string) string {
	t.Helper()
	for _, a := range findAll(parseHTML(t, page), func(n *html.Node) bool { return n.Data == "a" }) {
		if textOf(a) == text {
			href, _ := attr(a, "href")
			return href
		}
	}
	return ""
}

func abbreviate(b []byte) string {
	if len(b) > 3000 {
		return string(b[:3000]) + "…"
	}
	return string(b)
}

// demoPassword is every demo user's password (api.md).
const demoPassword = domain.DemoPassword

// actor signs a user in through the domain (checking the password, and
// counting a failure towards throttling) and returns their actor.
func (app *testApp) actor(t testing.TB, tenant, user, password string) domain.Actor {
	t.Helper()
	a, _, err := app.Svc.SignIn(context.Background(), tenant, user, password, "test-setup")
	if err != nil {
		t.Fatalf("actor %s/%s: %v", tenant, user, err)
	}
	return a
}

// actorOf returns the domain actor of a user of a company, for setting up
// and checking state beside the HTTP calls under test. Unlike actor it
// checks no password, so it costs no bcrypt and no throttling.
func (app *testApp) actorOf(t testing.TB, tenant, username string) domain.Actor {
	t.Helper()
	ctx := context.Background()
	ids, err := app.Svc.TenantIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		tn, err := app.Svc.TenantByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if tn.Slug != tenant {
			continue
		}
		users, err := app.Svc.Users(ctx, domain.Actor{TenantID: id, Role: domain.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if u.Username == username {
				a, err := app.Svc.Actor(ctx, id, u.ID)
				if err != nil {
					t.Fatalf("actor %s/%s: %v", tenant, username, err)
				}
				return a
			}
		}
	}
	t.Fatalf("no user %s/%s", tenant, username)
	return domain.Actor{}
}
