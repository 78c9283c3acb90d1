package server_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"baobei/internal/domain"
)

// FuzzRoutes sends arbitrary input to every route of the permission
// matrix, as a user the route allows, so each form parser, JSON decoder,
// query filter and the validation behind them meets it through the real
// server and database: a body for POST, PUT and PATCH, a query string for
// GET. Whatever arrives, the answer is never a 5xx or a stack trace. The
// matrix lists every route (TestPermissionMatrix), so a route added later
// is fuzzed too. The seeds are the matrix's valid bodies.
func FuzzRoutes(f *testing.F) {
	routes := fuzzableRoutes()
	for i, r := range routes {
		f.Add(uint16(i), r.body)
	}
	f.Add(uint16(0), "customer.name=%00")
	f.Add(uint16(1), `{"customer":{"name":"\u0000"}}`)
	f.Add(uint16(2), "q='; DROP TABLE registrations; --&status=%ff")

	app := newTestApp(f)
	demo := seedTenant(f, app, "demo", "·模糊")
	callers := map[domain.Role]mxCaller{}
	for _, role := range mxRoles {
		user := mxPlayers[role]
		callers[role] = mxCaller{app: app, page: app.signIn(f, "demo", user, demoPassword), token: app.apiToken(f, "demo", user)}
	}
	anonymous := mxCaller{app: app, page: app.browserClient(f)}

	f.Fuzz(func(t *testing.T, pick uint16, input string) {
		r := routes[int(pick)%len(routes)]
		c := anonymous
		if !r.public {
			c = callers[r.allow[0]]
		}
		req := c.request(t, r, &demo, input)
		resp, body := send(t, c.page, req)
		if resp.StatusCode >= 500 || bytes.Contains(body, []byte("goroutine ")) {
			t.Fatalf("%s with %q: status %d: %s", r, input, resp.StatusCode, abbreviate(body))
		}
	})
}

// fuzzableRoutes are the matrix's routes that read input, less the ones
// that would end the fuzzing session (signing out) or serve files.
func fuzzableRoutes() []mxRoute {
	var out []mxRoute
	for _, r := range mxRoutes {
		if r.method == "*" || r.pattern == "/logout" || (!r.public && len(r.allow) == 0) {
			continue
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b mxRoute) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// request builds r's request carrying input: as the query string of a GET
// (re-encoded, so that any bytes can be sent), otherwise as the body (JSON
// for the API, a form for pages), with ids of d's records.
func (c mxCaller) request(t *testing.T, r mxRoute, d *tenantData, input string) *http.Request {
	t.Helper()
	path, input := r.path(d), d.fill(input)
	if r.method == http.MethodGet {
		query, _ := url.ParseQuery(input) // keeps what parses; the server sees the rest as absent
		path += "?" + query.Encode()
	}
	if r.api() {
		var body any
		if r.method != http.MethodGet {
			body = input
		}
		return c.app.apiRequest(t, c.token, r.method, path, body)
	}
	req := c.app.formRequest(t, path, nil)
	req.Method = r.method
	req.Body, req.ContentLength = io.NopCloser(strings.NewReader(input)), int64(len(input))
	if r.method == http.MethodGet {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	return req
}
