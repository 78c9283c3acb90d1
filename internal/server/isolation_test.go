package server_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fetch GETs path as the caller: a page with the browser, /api/ with the
// token. It fails the test on a 5xx.
func (c mxCaller) fetch(t *testing.T, path string) (int, string) {
	t.Helper()
	var resp *http.Response
	var body []byte
	if strings.HasPrefix(path, "/api/") {
		resp, body = c.app.apiDo(t, c.token, http.MethodGet, path, nil)
	} else {
		resp, body = c.app.get(t, c.page, path)
	}
	if resp.StatusCode >= 500 {
		t.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	return resp.StatusCode, string(body)
}

// isolationPaths are the GET routes of the matrix with d's ids, and the
// lists again with the filters that search by content (shared names and
// phones) or widen them.
func isolationPaths(d tenantData) []string {
	var out []string
	for _, r := range mxRoutes {
		if r.method == http.MethodGet && !r.public {
			out = append(out, r.path(&d))
		}
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	for _, q := range []string{seedDisputed, seedHeld, seedDealt, seedPhone1, seedPhone9, "有限公司"} {
		q = url.QueryEscape(q)
		for _, p := range []string{"/registrations", "/api/v1/registrations", "/customers", "/api/v1/customers",
			"/pool", "/api/v1/pool", "/deals", "/api/v1/deals", "/disputes", "/api/v1/disputes", "/dealers",
			"/api/v1/dealers", "/admin/audit", "/admin/audit.csv", "/api/v1/audit"} {
			out = append(out, p+"?q="+q)
		}
	}
	for _, id := range []int64{d.Held, d.Newcomer} {
		reg := "/registrations/" + strconv.FormatInt(id, 10)
		out = append(out, reg, "/api/v1"+reg, "/api/v1"+reg+"/follow-ups")
	}
	return append(out, "/visits?date="+today, "/api/v1/visits?date="+today, "/visits/sheet?date="+today,
		"/visits/sheet.csv?date="+today, "/api/v1/deals?status=unclaimed", "/deals?status=unclaimed",
		"/api/v1/registrations?status=in_dispute", "/api/v1/registrations?limit=500")
}

// TestIsolationByContent: two companies with the same customers, phones,
// usernames and team names; every user of each reads every list and
// detail route of their own, and never sees a text of the other company.
// What each company sees of its own shows the check looks at real content.
func TestIsolationByContent(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	tenants := []tenantData{seedTenant(t, app, "demo", "·甲方独有"), seedTenant(t, app, "acme", "·乙方独有")}
	for i, own := range tenants {
		other := tenants[1-i]
		t.Run(own.Slug, func(t *testing.T) {
			var seen strings.Builder
			for _, role := range mxRoles {
				user := mxPlayers[role]
				c := mxCaller{app: app, page: app.signIn(t, own.Slug, user, demoPassword), token: app.apiToken(t, own.Slug, user)}
				for _, path := range isolationPaths(own) {
					status, body := c.fetch(t, path)
					if strings.Contains(body, other.Mark) {
						t.Errorf("%s of %s: GET %s (%d) shows %s's records:\n%s", user, own.Slug, path, status, other.Slug, excerptAround(body, other.Mark))
					}
					seen.WriteString(body)
				}
			}
			for _, text := range own.Texts {
				if !strings.Contains(seen.String(), text) {
					t.Errorf("no route shows %s its own %q: the content check sees nothing", own.Slug, text)
				}
			}
		})
	}
}

// excerptAround returns the text around the first s in body.
func excerptAround(body, s string) string {
	i := strings.Index(body, s)
	if i < 0 {
		return ""
	}
	return body[max(0, i-200):min(len(body), i+len(s)+200)]
}
