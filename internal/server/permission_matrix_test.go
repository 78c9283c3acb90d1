package server_test

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"baobei/internal/domain"
	"baobei/internal/server"
)

// The roles of the matrix, each played by a demo user.
const (
	rS = domain.RoleSales
	rF = domain.RoleFrontdesk
	rM = domain.RoleManager
	rC = domain.RoleClerk
	rA = domain.RoleAdmin
)

var (
	mxRoles     = []domain.Role{rS, rF, rM, rC, rA}
	mxPlayers   = map[domain.Role]string{rS: "sales1", rF: "frontdesk1", rM: "manager1", rC: "clerk1", rA: "admin"}
	anyRole     = mxRoles
	salesPlus   = []domain.Role{rS, rM, rA}
	frontdeskUp = []domain.Role{rF, rC, rM, rA}
	readersUp   = []domain.Role{rS, rM, rC, rA}
	reviewersUp = []domain.Role{rM, rC, rA}
	decidersUp  = []domain.Role{rM, rA}
	adminOnly   = []domain.Role{rA}
)

// mxRoute is one route of the matrix and who may use it.
type mxRoute struct {
	method, pattern string
	// public routes need no sign-in; the rest are checked for every role.
	public bool
	// allow may use the route: they never get 401, 403 or 500.
	allow []domain.Role
	// hide get 404: the domain hides the resource from them. Every other
	// role gets 403.
	hide []domain.Role
	// id picks the company's record that {id} names; claim, {claim_id}'s.
	id, claim func(tenantData) int64
	// body is a valid request body (a form for pages, JSON for the API),
	// so the request gets past validation to the access checks; {reg}
	// stands for the company's registration id. Empty: an empty form or {}.
	body string
}

func (r mxRoute) String() string { return r.method + " " + r.pattern }

// want returns the status role must get, or 0 when any allowed outcome will do.
func (r mxRoute) want(role domain.Role) int {
	switch {
	case slices.Contains(r.allow, role):
		return 0
	case slices.Contains(r.hide, role):
		return http.StatusNotFound
	}
	return http.StatusForbidden
}

func (r mxRoute) api() bool { return strings.HasPrefix(r.pattern, "/api/") }

func (r mxRoute) hasID() bool { return r.id != nil || r.claim != nil }

var (
	idRegistration = func(d tenantData) int64 { return d.Registration }
	idUser         = func(d tenantData) int64 { return d.Victim }
	idTeam         = func(d tenantData) int64 { return d.Team }
	idToken        = func(d tenantData) int64 { return d.Token }
	idConsent      = func(d tenantData) int64 { return d.Consent }
	idApproval     = func(d tenantData) int64 { return d.Approval }
	idDeal         = func(d tenantData) int64 { return d.Deal }
	idDealClaim    = func(d tenantData) int64 { return d.DealClaim }
	idDispute      = func(d tenantData) int64 { return d.Dispute }
	idDealer       = func(d tenantData) int64 { return d.Dealer }
	idFile         = func(d tenantData) int64 { return d.File }
)

// mxRoutes is every route of the server. A route added without an entry
// here fails TestPermissionMatrix.
var mxRoutes = []mxRoute{
	// Outside the session and the API.
	{method: "GET", pattern: "/healthz", public: true},
	{method: "*", pattern: "/static/*", public: true}, // every method: r.Handle

	// Pages: sign-in, settings, notifications.
	{method: "GET", pattern: "/login", public: true},
	{method: "POST", pattern: "/login", public: true},
	{method: "POST", pattern: "/logout", public: true},
	{method: "POST", pattern: "/lang", public: true},
	{method: "GET", pattern: "/", allow: anyRole},
	{method: "GET", pattern: "/settings", allow: anyRole},
	{method: "POST", pattern: "/settings/password", allow: anyRole},
	{method: "POST", pattern: "/settings/tokens", allow: anyRole},
	{method: "POST", pattern: "/settings/tokens/{id}/revoke", allow: anyRole, id: idToken},
	{method: "GET", pattern: "/notifications", allow: anyRole},
	{method: "POST", pattern: "/notifications/read", allow: anyRole},

	// Pages: administration.
	{method: "GET", pattern: "/admin/users", allow: adminOnly},
	{method: "POST", pattern: "/admin/users", allow: adminOnly},
	{method: "GET", pattern: "/admin/users/{id}", allow: adminOnly, id: idUser},
	{method: "POST", pattern: "/admin/users/{id}", allow: adminOnly, id: idUser, body: `display_name=matrix&role=sales&region=北京`},
	{method: "POST", pattern: "/admin/users/{id}/password", allow: adminOnly, id: idUser, body: `password=longenough1`},
	{method: "POST", pattern: "/admin/users/{id}/active", allow: adminOnly, id: idUser, body: `active=false`},
	{method: "GET", pattern: "/admin/teams", allow: adminOnly},
	{method: "POST", pattern: "/admin/teams", allow: adminOnly},
	{method: "POST", pattern: "/admin/teams/{id}", allow: adminOnly, id: idTeam, body: `name=一组&region=北京`},
	{method: "GET", pattern: "/admin/policy", allow: adminOnly},
	{method: "POST", pattern: "/admin/policy", allow: adminOnly},
	{method: "GET", pattern: "/admin/audit", allow: adminOnly},
	{method: "GET", pattern: "/admin/audit.csv", allow: adminOnly},

	// Pages: registrations and their lifecycle.
	{method: "GET", pattern: "/registrations/new", allow: salesPlus},
	{method: "POST", pattern: "/registrations/check", allow: salesPlus},
	{method: "POST", pattern: "/registrations", allow: salesPlus},
	{method: "GET", pattern: "/registrations", allow: readersUp},
	{method: "GET", pattern: "/registrations/{id}", allow: readersUp, id: idRegistration},
	{method: "POST", pattern: "/registrations/{id}/review", allow: reviewersUp, id: idRegistration, body: `decision=approve&reason=matrix`},
	{method: "GET", pattern: "/reviews", allow: reviewersUp},
	{method: "POST", pattern: "/registrations/{id}/follow-ups", allow: []domain.Role{rS}, id: idRegistration, body: `channel=call&note=matrix&grade=A`},
	{method: "POST", pattern: "/registrations/{id}/renew", allow: []domain.Role{rS}, id: idRegistration},
	{method: "POST", pattern: "/registrations/{id}/release", allow: []domain.Role{rS, rM, rA}, id: idRegistration, body: `reason_code=no_interest&release_note=matrix`},
	{method: "GET", pattern: "/pool", allow: salesPlus},
	{method: "GET", pattern: "/consents", allow: salesPlus},
	{method: "GET", pattern: "/consents/new", allow: salesPlus},
	{method: "POST", pattern: "/consents", allow: salesPlus},
	{method: "POST", pattern: "/consents/{id}/answer", allow: []domain.Role{rS, rM}, id: idConsent, body: `accept=false`},
	{method: "GET", pattern: "/approvals", allow: reviewersUp},
	{method: "POST", pattern: "/approvals/{id}", allow: []domain.Role{rM, rA}, hide: []domain.Role{rC}, id: idApproval, body: `decision=reject&reason=matrix`},

	// Pages: front desk and deals.
	{method: "GET", pattern: "/visits", allow: frontdeskUp},
	{method: "POST", pattern: "/visits", allow: frontdeskUp},
	{method: "GET", pattern: "/visits/sheet", allow: frontdeskUp},
	{method: "GET", pattern: "/visits/sheet.csv", allow: frontdeskUp},
	{method: "GET", pattern: "/visits/sheet.xlsx", allow: frontdeskUp},
	{method: "GET", pattern: "/deals", allow: readersUp},
	{method: "POST", pattern: "/deals", allow: readersUp},
	{method: "GET", pattern: "/deals/{id}", allow: readersUp, id: idDeal},
	{method: "POST", pattern: "/deals/{id}/claims", allow: salesPlus, id: idDeal, body: `evidence=matrix`},
	{method: "POST", pattern: "/deals/claims/{id}/decide", allow: decidersUp, id: idDealClaim, body: `decision=reject&reason=matrix`},
	{method: "GET", pattern: "/duty-roster", allow: readersUp},
	{method: "POST", pattern: "/duty-roster", allow: []domain.Role{rC, rA}},
	{method: "GET", pattern: "/team-pool", allow: decidersUp},
	{method: "POST", pattern: "/team-pool/reassign", allow: decidersUp},
	{method: "GET", pattern: "/performance", allow: decidersUp},
	{method: "GET", pattern: "/customers", allow: readersUp},

	// Pages: disputes, files, dealers, abuse watch.
	{method: "GET", pattern: "/files/{id}", allow: []domain.Role{rS}, hide: []domain.Role{rF, rM, rC, rA}, id: idFile},
	{method: "GET", pattern: "/disputes", allow: anyRole},
	{method: "GET", pattern: "/disputes/new", allow: anyRole},
	{method: "POST", pattern: "/disputes", allow: anyRole},
	{method: "GET", pattern: "/disputes/{id}", allow: []domain.Role{rS, rM, rA}, hide: []domain.Role{rF, rC}, id: idDispute},
	{method: "POST", pattern: "/disputes/{id}/decision", allow: decidersUp, hide: []domain.Role{rF, rC}, id: idDispute, body: `winner_registration_id={reg}&reason=matrix`},
	{method: "POST", pattern: "/disputes/{id}/appeal", allow: []domain.Role{rS}, hide: []domain.Role{rF, rC}, id: idDispute, body: `reason=matrix`},
	{method: "GET", pattern: "/dealers", allow: readersUp},
	{method: "POST", pattern: "/dealers/chain", allow: adminOnly},
	{method: "GET", pattern: "/dealers/new", allow: readersUp},
	{method: "POST", pattern: "/dealers", allow: readersUp},
	{method: "GET", pattern: "/dealers/{id}", allow: readersUp, id: idDealer},
	{method: "POST", pattern: "/dealers/{id}", allow: []domain.Role{rS}, id: idDealer, body: `company=matrix&bank=工商银行&bank_account=6222020200001234&tax_no=123456789012345&address=北京&phone=13500000007`},
	{method: "POST", pattern: "/dealers/{id}/decision", allow: []domain.Role{rC, rA}, id: idDealer, body: `decision=return&reason=matrix`},
	{method: "GET", pattern: "/abuse", allow: decidersUp},

	// API: sign-in, the caller, policy, users and teams.
	{method: "POST", pattern: "/api/v1/auth/token", public: true},
	{method: "GET", pattern: "/api/v1/me", allow: anyRole},
	{method: "GET", pattern: "/api/v1/policy", allow: anyRole},
	{method: "PUT", pattern: "/api/v1/policy", allow: adminOnly},
	{method: "GET", pattern: "/api/v1/teams", allow: anyRole},
	{method: "GET", pattern: "/api/v1/users", allow: anyRole},
	{method: "POST", pattern: "/api/v1/users/{id}/deactivate", allow: adminOnly, id: idUser},

	// API: registrations and their lifecycle.
	{method: "POST", pattern: "/api/v1/registrations/check", allow: salesPlus},
	{method: "POST", pattern: "/api/v1/registrations", allow: salesPlus},
	{method: "GET", pattern: "/api/v1/registrations", allow: anyRole},
	{method: "GET", pattern: "/api/v1/registrations/{id}", allow: readersUp, hide: []domain.Role{rF}, id: idRegistration},
	{method: "POST", pattern: "/api/v1/registrations/{id}/review", allow: reviewersUp, hide: []domain.Role{rF}, id: idRegistration, body: `{"approve":true,"reason":"matrix"}`},
	{method: "POST", pattern: "/api/v1/registrations/{id}/follow-ups", allow: []domain.Role{rS}, hide: []domain.Role{rF}, id: idRegistration, body: `{"channel":"call","note":"matrix","grade":"A"}`},
	{method: "GET", pattern: "/api/v1/registrations/{id}/follow-ups", allow: readersUp, hide: []domain.Role{rF}, id: idRegistration},
	{method: "POST", pattern: "/api/v1/registrations/{id}/renew", allow: []domain.Role{rS}, hide: []domain.Role{rF}, id: idRegistration},
	{method: "POST", pattern: "/api/v1/registrations/{id}/release", allow: []domain.Role{rS, rM, rA}, hide: []domain.Role{rF}, id: idRegistration, body: `{"reason_code":"no_interest","note":"matrix"}`},
	{method: "POST", pattern: "/api/v1/registrations/{id}/reassign", allow: decidersUp, id: idRegistration, body: `{"owner_id":"{owner}"}`},
	{method: "GET", pattern: "/api/v1/notifications", allow: anyRole},
	{method: "POST", pattern: "/api/v1/notifications/read", allow: anyRole},
	{method: "GET", pattern: "/api/v1/pool", allow: salesPlus},
	{method: "POST", pattern: "/api/v1/consent-requests", allow: salesPlus},
	{method: "GET", pattern: "/api/v1/consent-requests", allow: anyRole},
	{method: "POST", pattern: "/api/v1/consent-requests/{id}/answer", allow: []domain.Role{rS, rM}, hide: []domain.Role{rF, rC}, id: idConsent, body: `{"accept":false}`},
	{method: "GET", pattern: "/api/v1/approvals", allow: reviewersUp},
	{method: "POST", pattern: "/api/v1/approvals/{id}", allow: []domain.Role{rM, rA}, hide: []domain.Role{rC}, id: idApproval, body: `{"approve":false,"reason":"matrix"}`},

	// API: front desk and deals.
	{method: "POST", pattern: "/api/v1/visits", allow: frontdeskUp},
	{method: "GET", pattern: "/api/v1/visits", allow: frontdeskUp},
	{method: "POST", pattern: "/api/v1/deals", allow: readersUp},
	{method: "GET", pattern: "/api/v1/deals", allow: readersUp},
	{method: "GET", pattern: "/api/v1/deals/{id}", allow: readersUp, id: idDeal},
	{method: "POST", pattern: "/api/v1/deals/{id}/claims", allow: salesPlus, id: idDeal, body: `{"evidence":"matrix"}`},
	{method: "POST", pattern: "/api/v1/deals/{id}/claims/{claim_id}/decision", allow: decidersUp, id: idDeal, claim: idDealClaim, body: `{"approve":false,"reason":"matrix"}`},
	{method: "GET", pattern: "/api/v1/duty-roster", allow: anyRole},
	{method: "PUT", pattern: "/api/v1/duty-roster/{week_start}", allow: []domain.Role{rC, rA}},
	{method: "GET", pattern: "/api/v1/team-pool", allow: decidersUp},
	{method: "POST", pattern: "/api/v1/team-pool/reassign", allow: decidersUp},
	{method: "GET", pattern: "/api/v1/performance", allow: decidersUp},
	{method: "GET", pattern: "/api/v1/customers", allow: readersUp},

	// API: disputes, files, dealers, approval chains, abuse watch, audit.
	{method: "POST", pattern: "/api/v1/files", allow: anyRole},
	{method: "GET", pattern: "/api/v1/files/{id}", allow: []domain.Role{rS}, hide: []domain.Role{rF, rM, rC, rA}, id: idFile},
	{method: "POST", pattern: "/api/v1/disputes", allow: anyRole},
	{method: "GET", pattern: "/api/v1/disputes", allow: anyRole},
	{method: "GET", pattern: "/api/v1/disputes/{id}", allow: []domain.Role{rS, rM, rA}, hide: []domain.Role{rF, rC}, id: idDispute},
	{method: "POST", pattern: "/api/v1/disputes/{id}/decision", allow: decidersUp, hide: []domain.Role{rF, rC}, id: idDispute, body: `{"winner_registration_id":"{reg}","reason":"matrix"}`},
	{method: "POST", pattern: "/api/v1/disputes/{id}/appeal", allow: []domain.Role{rS}, hide: []domain.Role{rF, rC}, id: idDispute, body: `{"reason":"matrix"}`},
	{method: "POST", pattern: "/api/v1/dealers", allow: readersUp},
	{method: "GET", pattern: "/api/v1/dealers", allow: anyRole},
	{method: "GET", pattern: "/api/v1/dealers/{id}", allow: readersUp, hide: []domain.Role{rF}, id: idDealer},
	{method: "PUT", pattern: "/api/v1/dealers/{id}", allow: []domain.Role{rS}, hide: []domain.Role{rF}, id: idDealer, body: `{"company":"matrix","bank":"工商银行","bank_account":"6222020200001234","tax_no":"123456789012345","address":"北京","phone":"13500000007"}`},
	{method: "POST", pattern: "/api/v1/dealers/{id}/decision", allow: []domain.Role{rC, rA}, hide: []domain.Role{rF}, id: idDealer, body: `{"approve":false,"reason":"matrix"}`},
	{method: "GET", pattern: "/api/v1/approval-chains/{kind}", allow: anyRole},
	{method: "PUT", pattern: "/api/v1/approval-chains/{kind}", allow: adminOnly},
	{method: "GET", pattern: "/api/v1/abuse", allow: decidersUp},
	{method: "GET", pattern: "/api/v1/audit", allow: adminOnly},
}

// path fills a route's parameters with d's records (a missing id when
// d is nil).
func (r mxRoute) path(d *tenantData) string {
	id := func(pick func(tenantData) int64) string {
		if d == nil || pick == nil {
			return "987654321"
		}
		return strconv.FormatInt(pick(*d), 10)
	}
	p := r.pattern
	p = strings.Replace(p, "{id}", id(r.id), 1)
	p = strings.Replace(p, "{claim_id}", id(r.claim), 1)
	p = strings.Replace(p, "{week_start}", mxMonday(), 1)
	p = strings.Replace(p, "{kind}", "dealer", 1)
	return strings.Replace(p, "*", "app.css", 1)
}

// fill puts d's records into a body's placeholders: {reg} for the
// registration, {owner} for sales2 (nothing changes when d is nil).
func (d *tenantData) fill(body string) string {
	if d == nil {
		return body
	}
	return strings.NewReplacer("{reg}", strconv.FormatInt(d.Registration, 10), "{owner}", strconv.FormatInt(d.Sales2, 10)).Replace(body)
}

// mxMonday is the Monday of this week, a duty-roster week.
func mxMonday() string {
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	return now.AddDate(0, 0, -(int(now.Weekday())+6)%7).Format(time.DateOnly)
}

// mxCaller sends the matrix's benign requests as one user (or nobody):
// pages with a signed-in browser, the API with a token.
type mxCaller struct {
	app   *testApp
	page  *http.Client
	token string
}

// do sends a benign request to r: a GET, or r.body (an empty form or
// JSON object when it has none), with ids of d (missing ids when d is nil).
func (c mxCaller) do(t *testing.T, r mxRoute, d *tenantData) *http.Response {
	t.Helper()
	path := r.path(d)
	body := d.fill(r.body)
	switch {
	case r.method == "*" || (r.method == http.MethodGet && !r.api()):
		resp, _ := c.app.get(t, c.page, path)
		return resp
	case r.api():
		var b any
		if r.method != http.MethodGet {
			b = cmp.Or(body, "{}")
		}
		resp, _ := c.app.apiDo(t, c.token, r.method, path, b)
		return resp
	}
	form, err := url.ParseQuery(body)
	if err != nil {
		t.Fatalf("%s: body %q: %v", r, body, err)
	}
	req := c.app.formRequest(t, path, form)
	req.Method = r.method
	resp, _ := send(t, c.page, req)
	return resp
}

// mxWalk lists the server's routes as "METHOD pattern".
func mxWalk(t *testing.T, app *testApp) []string {
	t.Helper()
	mux, ok := server.New(app.Svc, server.Config{Log: slog.New(slog.DiscardHandler)}).(chi.Routes)
	if !ok {
		t.Fatal("server.New is not a chi router")
	}
	var out []string
	err := chi.Walk(mux, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		route = strings.Replace(route, "/*/", "/", -1) // chi.Walk's mark of a mounted sub-router
		out = append(out, method+" "+route)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPermissionMatrix: every route against every role and nobody, with
// records of the caller's own company and of another company.
func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)

	t.Run("every route is in the matrix", func(t *testing.T) {
		routes := mxWalk(t, app)
		known, matched := map[string]bool{}, map[string]bool{}
		for _, r := range mxRoutes {
			if known[r.String()] {
				t.Errorf("%s is in the matrix twice", r)
			}
			known[r.String()] = true
		}
		for _, r := range routes {
			if _, path, _ := strings.Cut(r, " "); known["* "+path] {
				matched["* "+path] = true
				continue
			}
			if !known[r] {
				t.Errorf("route %s has no entry in the permission matrix", r)
			}
			delete(known, r)
		}
		for r := range known {
			if matched[r] {
				continue
			}
			t.Errorf("the matrix has %s, which is no longer a route", r)
		}
	})

	demo := seedTenant(t, app, "demo", "·甲方独有")
	acme := seedTenant(t, app, "acme", "·乙方独有")
	callers := map[domain.Role]mxCaller{}
	for _, role := range mxRoles {
		user := mxPlayers[role]
		callers[role] = mxCaller{app: app, page: app.signIn(t, "demo", user, demoPassword), token: app.apiToken(t, "demo", user)}
	}
	nobody := mxCaller{app: app, page: app.browserClient(t)}

	t.Run("anonymous", func(t *testing.T) {
		for _, r := range mxRoutes {
			resp := nobody.do(t, r, &demo)
			switch {
			case r.public:
				// An empty sign-in is a failed one (401); nothing public is forbidden.
				if resp.StatusCode >= 500 || resp.StatusCode == http.StatusForbidden {
					t.Errorf("%s anonymous: status %d, want a public answer", r, resp.StatusCode)
				}
			case r.api():
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s anonymous: status %d, want 401", r, resp.StatusCode)
				}
			default:
				if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
					t.Errorf("%s anonymous: status %d to %q, want 303 to /login", r, resp.StatusCode, resp.Header.Get("Location"))
				}
			}
		}
	})

	// Another team's sales and manager (二组) cannot read 一组's
	// registrations or a case they are no party to: 404, or 403 where the
	// role is refused before any lookup. Before the allowed calls below,
	// while the records are as seeded.
	for _, user := range []string{"sales3", "manager2"} {
		role := app.actorOf(t, "demo", user).Role
		c := mxCaller{app: app, page: app.signIn(t, "demo", user, demoPassword), token: app.apiToken(t, "demo", user)}
		t.Run("other team/"+user, func(t *testing.T) {
			for _, r := range mxRoutes {
				if !strings.Contains(r.pattern, "/registrations/{id}") && !strings.Contains(r.pattern, "/disputes/{id}") {
					continue
				}
				mxCheck(t, r, role, c.do(t, r, &demo).StatusCode, c.hidden(t, r, role))
			}
		})
	}

	// Denials first, while every record is as seeded; then the allowed
	// calls, which may change records (allowed answers are any but
	// 401, 403 and 5xx, whatever the state).
	for _, allowed := range []bool{false, true} {
		for _, role := range mxRoles {
			c := callers[role]
			t.Run(fmt.Sprintf("own company/%s/allowed=%t", role, allowed), func(t *testing.T) {
				for _, r := range mxRoutes {
					if want := r.want(role); !r.public && (want == 0) == allowed {
						mxCheck(t, r, role, c.do(t, r, &demo).StatusCode, want)
					}
				}
			})
		}
	}

	// Another company's ids answer 404 to whoever may use the route, and
	// to everyone else as a missing id does: 404, or 403 where the role
	// is refused before any lookup.
	for _, role := range []domain.Role{rA, rS} {
		c := callers[role]
		t.Run("other company/"+string(role), func(t *testing.T) {
			for _, r := range mxRoutes {
				if r.public || !r.hasID() {
					continue
				}
				mxCheck(t, r, role, c.do(t, r, &acme).StatusCode, c.hidden(t, r, role))
			}
		})
	}
}

// hidden is what role must get from r for a record it cannot read: 404,
// as for a missing id, or 403 when the role is refused before any lookup
// (as the missing id shows).
func (c mxCaller) hidden(t *testing.T, r mxRoute, role domain.Role) int {
	t.Helper()
	if r.want(role) == http.StatusForbidden && c.do(t, r, nil).StatusCode == http.StatusForbidden {
		return http.StatusForbidden
	}
	return http.StatusNotFound
}

// mxCheck compares a status with the matrix: want 0 is any answer but 401,
// 403 and 5xx.
func mxCheck(t *testing.T, r mxRoute, role domain.Role, got, want int) {
	t.Helper()
	switch {
	case want == 0 && (got == http.StatusUnauthorized || got == http.StatusForbidden || got >= 500):
		t.Errorf("%s as %s: status %d, want an allowed answer (not 401/403/5xx)", r, role, got)
	case want != 0 && got != want:
		t.Errorf("%s as %s: status %d, want %d", r, role, got, want)
	}
}
