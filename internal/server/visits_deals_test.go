package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"baobei/internal/domain"
)

// visitJSON is a visit as the API answers it.
type visitJSON struct {
	ID             string  `json:"id"`
	Effect         string  `json:"effect"`
	RegistrationID *string `json:"registration_id"`
	Phone          string  `json:"phone"`
	CustomerName   string  `json:"customer_name"`
}

// dealJSON is a deal as the API answers it.
type dealJSON struct {
	ID          string  `json:"id"`
	Status      string  `json:"status"`
	BuyerPhone  *string `json:"buyer_phone"`
	Attribution struct {
		Status    string   `json:"status"`
		OwnerID   *string  `json:"owner_id"`
		TeamID    *string  `json:"team_id"`
		AssistIDs []string `json:"assist_ids"`
		Rule      string   `json:"rule"`
	} `json:"attribution"`
	ClaimDeadline *string `json:"claim_deadline"`
	Claims        []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"claims"`
}

// acme creates a second company with an admin and returns the admin's
// token, for checking that demo's ids answer 404 there.
func (app *testApp) acme(t *testing.T) string {
	t.Helper()
	if _, err := app.Svc.CreateTenant(context.Background(), domain.TenantInput{Slug: "acme", Name: "Acme 公司",
		AdminUsername: "boss", AdminPassword: "acme-pass-1"}); err != nil {
		t.Fatal(err)
	}
	return app.apiToken(t, "acme", "boss")
}

func TestVisitAPI(t *testing.T) {
	t.Parallel()
	app, clock := newClockApp(t)
	admin := app.apiToken(t, "demo", "admin")
	ids := app.userIDs(t, admin)
	front := app.apiToken(t, "demo", "frontdesk1")
	sales1 := app.apiToken(t, "demo", "sales1")
	person := map[string]any{"customer": map[string]any{"kind": "person", "name": "王小明",
		"contacts": []map[string]string{{"name": "王小明", "phone": "13812345678", "relation": "self"}}},
		"grade": "A", "needs": "买房", "first_contact_at": "2026-11-02T09:00:00+08:00"}
	resp, body := app.apiDo(t, sales1, http.MethodPost, "/api/v1/registrations", person)
	mustStatus(t, resp, http.StatusCreated)
	var held registrationJSON
	mustJSON(t, body, &held)

	post := func(token string, v map[string]any) (*http.Response, visitJSON) {
		t.Helper()
		resp, body := app.apiDo(t, token, http.MethodPost, "/api/v1/visits", v)
		var out visitJSON
		if resp.StatusCode == http.StatusCreated {
			mustJSON(t, body, &out)
		}
		return resp, out
	}
	resp, v := post(front, map[string]any{"visitor_name": "王小明", "phone": "1381234****", "company": "", "salesperson_id": nil,
		"visited_at": "2026-11-02T10:00:00+08:00", "party_size": 3, "note": "看样板间"})
	mustStatus(t, resp, http.StatusCreated)
	if v.Effect != "notified_owner" || v.RegistrationID == nil || *v.RegistrationID != held.ID || v.Phone != "1381234****" {
		t.Errorf("masked self-visit: %+v", v)
	}
	resp, v = post(front, map[string]any{"visitor_name": "钱总", "phone": "13900001111", "company": "杭州新客户有限公司",
		"salesperson_id": ids["sales2"], "party_size": 1, "note": ""})
	mustStatus(t, resp, http.StatusCreated)
	if v.Effect != "registered" || v.RegistrationID == nil || v.Phone != "1390000****" || v.CustomerName != "杭州新客户有限公司" {
		t.Fatalf("visit with sales2: %+v", v)
	}
	// Front desk never reads the registration it filed.
	resp, _ = app.apiDo(t, front, http.MethodGet, "/api/v1/registrations/"+*v.RegistrationID, nil)
	mustStatus(t, resp, http.StatusNotFound)
	resp, _ = post(front, map[string]any{"visitor_name": "路人", "salesperson_id": nil})
	mustStatus(t, resp, http.StatusCreated)

	for _, c := range []struct {
		name   string
		token  string
		body   any
		status int
	}{
		{"sales may not", sales1, map[string]any{"visitor_name": "甲"}, http.StatusForbidden},
		{"no visitor", front, map[string]any{"phone": "13800000000"}, http.StatusUnprocessableEntity},
		{"an unknown field", front, map[string]any{"visitor_name": "甲", "vip": true}, http.StatusUnprocessableEntity},
		{"a number for an id", front, map[string]any{"visitor_name": "甲", "salesperson_id": 5}, http.StatusUnprocessableEntity},
		{"another company's salesperson", front, map[string]any{"visitor_name": "甲", "salesperson_id": "999999"}, http.StatusUnprocessableEntity},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, _ := app.apiDo(t, c.token, http.MethodPost, "/api/v1/visits", c.body)
			mustStatus(t, resp, c.status)
		})
	}

	today := clock.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	t.Run("the sheet as JSON", func(t *testing.T) {
		resp, body := app.apiDo(t, front, http.MethodGet, "/api/v1/visits?date="+today, nil)
		mustStatus(t, resp, http.StatusOK)
		var out struct{ Items []visitJSON }
		mustJSON(t, body, &out)
		if len(out.Items) != 3 || out.Items[0].Phone != "1381234****" {
			t.Errorf("sheet: %+v", out.Items)
		}
		resp, _ = app.apiDo(t, front, http.MethodGet, "/api/v1/visits?date=02-11-2026", nil)
		mustStatus(t, resp, http.StatusUnprocessableEntity)
		resp, _ = app.apiDo(t, sales1, http.MethodGet, "/api/v1/visits", nil)
		mustStatus(t, resp, http.StatusForbidden)
	})
	t.Run("the sheet as CSV", func(t *testing.T) {
		req := app.apiRequest(t, front, http.MethodGet, "/api/v1/visits?date="+today, nil)
		req.Header.Set("Accept", "text/csv")
		resp, body := send(t, &http.Client{}, req)
		mustStatus(t, resp, http.StatusOK)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("content type %q", ct)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		mustSheet(t, rows)
	})
	t.Run("the sheet as XLSX", func(t *testing.T) {
		resp, body := app.apiDo(t, front, http.MethodGet, "/api/v1/visits?date="+today+"&format=xlsx", nil)
		mustStatus(t, resp, http.StatusOK)
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "visits-"+today+".xlsx") {
			t.Errorf("content disposition %q", cd)
		}
		book, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer book.Close()
		rows, err := book.GetRows(today)
		if err != nil {
			t.Fatal(err)
		}
		mustSheet(t, rows)
	})
	t.Run("another company", func(t *testing.T) {
		acme := app.acme(t)
		resp, body := app.apiDo(t, acme, http.MethodGet, "/api/v1/visits?date="+today, nil)
		mustStatus(t, resp, http.StatusOK)
		if strings.Contains(string(body), "王小明") {
			t.Errorf("acme sees demo's visits: %s", body)
		}
	})
}

// mustSheet checks the daily sheet's rows: headings, then the three
// visits in order, phones masked.
func mustSheet(t *testing.T, rows [][]string) {
	t.Helper()
	if len(rows) != 4 || rows[0][0] != "到访时间" || rows[0][2] != "电话" {
		t.Fatalf("sheet rows: %q", rows)
	}
	want := [][2]string{{"王小明", "1381234****"}, {"钱总", "1390000****"}, {"路人", ""}}
	for i, w := range want {
		if rows[i+1][1] != w[0] || rows[i+1][2] != w[1] {
			t.Errorf("row %d: %q, want visitor %s phone %q", i+1, rows[i+1], w[0], w[1])
		}
	}
	if rows[1][6] != "已通知负责销售" || rows[2][6] != "已代为报备" || rows[3][4] != "无 (自行上门)" {
		t.Errorf("effects and salespeople: %q", rows)
	}
}

func TestDealAPI(t *testing.T) {
	t.Parallel()
	app, clock := newClockApp(t)
	admin := app.apiToken(t, "demo", "admin")
	ids := app.userIDs(t, admin)
	teams := app.teams(t, admin)
	tok := map[string]string{}
	for _, u := range []string{"sales1", "sales2", "sales3", "sales4", "manager2", "clerk1", "frontdesk1"} {
		tok[u] = app.apiToken(t, "demo", u)
	}
	held := app.apiRegister(t, tok["sales1"], "北京华为技术有限公司", "13812345678")
	clock.advance(2 * time.Hour)
	signed := clock.Now().Add(-time.Hour).Format(time.RFC3339)
	deal := func(no, name, buyer, signer string) map[string]any {
		return map[string]any{"contract_no": no, "customer": map[string]any{"kind": "company", "name": name}, "buyer_phone": buyer,
			"signed_at": signed, "amount": 880000.5, "signer_id": ids[signer]}
	}
	record := func(token string, body map[string]any) dealJSON {
		t.Helper()
		resp, b := app.apiDo(t, token, http.MethodPost, "/api/v1/deals", body)
		mustStatus(t, resp, http.StatusCreated)
		var d dealJSON
		mustJSON(t, b, &d)
		return d
	}
	owned := record(tok["clerk1"], deal("HT-1", "华为技术(北京)有限公司", "13812345678", "sales2"))
	a := owned.Attribution
	if a.Status != "attributed" || a.Rule != "registration" || a.OwnerID == nil || *a.OwnerID != held.OwnerID ||
		a.TeamID == nil || *a.TeamID != teamID(t, teams, "一组") || !slices.Equal(a.AssistIDs, []string{ids["sales2"]}) || owned.ClaimDeadline != nil {
		t.Fatalf("attributed deal: %+v", owned)
	}
	open := record(tok["sales4"], deal("HT-2", "厦门鼓浪屿茶业有限公司", "13600002222", "sales4"))
	if open.Attribution.Status != "unclaimed" || open.Attribution.OwnerID != nil || open.ClaimDeadline == nil ||
		open.Attribution.AssistIDs == nil {
		t.Fatalf("unclaimed deal: %+v", open)
	}

	t.Run("refusals", func(t *testing.T) {
		for _, c := range []struct {
			name   string
			token  string
			body   map[string]any
			status int
		}{
			{"front desk", tok["frontdesk1"], deal("HT-9", "某公司", "", "sales1"), http.StatusForbidden},
			{"a contract recorded before", tok["clerk1"], deal("HT-1", "某公司", "", "sales1"), http.StatusConflict},
			{"a clerk as signer", tok["clerk1"], deal("HT-9", "某公司", "", "clerk1"), http.StatusUnprocessableEntity},
			{"no amount", tok["clerk1"], map[string]any{"contract_no": "HT-9", "customer": map[string]any{"kind": "company", "name": "某公司"},
				"signed_at": signed, "signer_id": ids["sales1"]}, http.StatusUnprocessableEntity},
		} {
			t.Run(c.name, func(t *testing.T) {
				resp, _ := app.apiDo(t, c.token, http.MethodPost, "/api/v1/deals", c.body)
				mustStatus(t, resp, c.status)
			})
		}
	})
	t.Run("visibility", func(t *testing.T) {
		resp, _ := app.apiDo(t, tok["sales3"], http.MethodGet, "/api/v1/deals/"+owned.ID, nil)
		mustStatus(t, resp, http.StatusNotFound)
		resp, body := app.apiDo(t, tok["sales3"], http.MethodGet, "/api/v1/deals/"+open.ID, nil)
		mustStatus(t, resp, http.StatusOK)
		if strings.Contains(string(body), "buyer_phone") || strings.Contains(string(body), "13600002222") {
			t.Errorf("sales3 sees the buyer's phone: %s", body)
		}
		resp, body = app.apiDo(t, tok["sales2"], http.MethodGet, "/api/v1/deals/"+owned.ID, nil)
		mustStatus(t, resp, http.StatusOK)
		var d dealJSON
		mustJSON(t, body, &d)
		if d.BuyerPhone == nil || *d.BuyerPhone != "13812345678" {
			t.Errorf("the signer sees buyer phone %v", d.BuyerPhone)
		}
		resp, body = app.apiDo(t, tok["sales3"], http.MethodGet, "/api/v1/deals?status=unclaimed", nil)
		mustStatus(t, resp, http.StatusOK)
		var l struct{ Items []dealJSON }
		mustJSON(t, body, &l)
		if len(l.Items) != 1 || l.Items[0].ID != open.ID {
			t.Errorf("unclaimed list: %s", body)
		}
		resp, body = app.apiDo(t, tok["sales3"], http.MethodGet, "/api/v1/deals", nil)
		mustStatus(t, resp, http.StatusOK)
		if strings.Contains(string(body), owned.ID) && strings.Contains(string(body), "HT-1") {
			t.Errorf("sales3's list shows sales1's deal: %s", body)
		}
		resp, _ = app.apiDo(t, tok["frontdesk1"], http.MethodGet, "/api/v1/deals", nil)
		mustStatus(t, resp, http.StatusForbidden)
	})

	// sales3 claims the open deal; manager2 approves from the queue.
	claimPath := "/api/v1/deals/" + open.ID + "/claims"
	resp, body := app.apiDo(t, tok["sales3"], http.MethodPost, claimPath, map[string]string{"evidence": "微信聊天记录"})
	mustStatus(t, resp, http.StatusCreated)
	var claim struct{ ID, Status string }
	mustJSON(t, body, &claim)
	if claim.Status != "pending" {
		t.Errorf("claim: %s", body)
	}
	resp, _ = app.apiDo(t, tok["sales3"], http.MethodPost, claimPath, map[string]string{"evidence": "again"})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	resp, _ = app.apiDo(t, tok["sales1"], http.MethodPost, "/api/v1/deals/"+owned.ID+"/claims", map[string]string{"evidence": "mine"})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	resp, body = app.apiDo(t, tok["manager2"], http.MethodGet, "/api/v1/approvals", nil)
	mustStatus(t, resp, http.StatusOK)
	var queue struct {
		Items []struct{ ID, Kind string } `json:"items"`
	}
	mustJSON(t, body, &queue)
	if len(queue.Items) != 1 || queue.Items[0].Kind != "deal_claim" {
		t.Fatalf("manager2's approvals: %s", body)
	}
	resp, body = app.apiDo(t, tok["manager2"], http.MethodPost, "/api/v1/approvals/"+queue.Items[0].ID, map[string]any{"approve": true, "reason": ""})
	mustStatus(t, resp, http.StatusOK)
	resp, body = app.apiDo(t, tok["sales3"], http.MethodGet, "/api/v1/deals/"+open.ID, nil)
	mustStatus(t, resp, http.StatusOK)
	var claimed dealJSON
	mustJSON(t, body, &claimed)
	if claimed.Attribution.Rule != "claim" || claimed.Attribution.OwnerID == nil || *claimed.Attribution.OwnerID != ids["sales3"] ||
		len(claimed.Claims) != 1 || claimed.Claims[0].Status != "approved" {
		t.Errorf("claimed deal: %s", body)
	}

	// A deal nobody claims goes to the duty team once the roster has one.
	late := record(tok["clerk1"], deal("HT-3", "青岛啤酒花园有限公司", "", "sales1"))
	clock.advance(3*day + time.Minute)
	resp, _ = app.apiDo(t, tok["sales2"], http.MethodPost, "/api/v1/deals/"+late.ID+"/claims", map[string]string{"evidence": "晚了"})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if n := app.sweep(t, clock).Counts["deal_claims"]; n != 0 {
		t.Fatalf("assigned %d deals without a roster", n)
	}
	monday := domain.WeekStart(clock.Now().Add(-3*day), time.FixedZone("CST", 8*3600))
	put := func(token, week string, team string) (*http.Response, []byte) {
		return app.apiDo(t, token, http.MethodPut, "/api/v1/duty-roster/"+week, map[string]string{"team_id": team})
	}
	resp, _ = put(tok["clerk1"], monday.AddDate(0, 0, 2).Format(time.DateOnly), teamID(t, teams, "二组"))
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	resp, _ = put(tok["sales1"], monday.Format(time.DateOnly), teamID(t, teams, "二组"))
	mustStatus(t, resp, http.StatusForbidden)
	resp, body = put(tok["clerk1"], monday.Format(time.DateOnly), teamID(t, teams, "二组"))
	mustStatus(t, resp, http.StatusOK)
	var week struct {
		WeekStart string `json:"week_start"`
		TeamID    string `json:"team_id"`
	}
	if mustJSON(t, body, &week); week.TeamID != teamID(t, teams, "二组") || week.WeekStart != monday.Format(time.DateOnly) {
		t.Errorf("roster: %s", body)
	}
	resp, body = app.apiDo(t, admin, http.MethodGet, "/api/v1/deals/"+late.ID, nil)
	mustStatus(t, resp, http.StatusOK)
	var duty dealJSON
	mustJSON(t, body, &duty)
	if duty.Status != "duty_team" || duty.Attribution.OwnerID == nil || *duty.Attribution.OwnerID != ids["manager2"] {
		t.Errorf("duty deal: %s", body)
	}

	t.Run("another company", func(t *testing.T) {
		acme := app.acme(t)
		for _, c := range []struct{ method, path string }{
			{http.MethodGet, "/api/v1/deals/" + owned.ID},
			{http.MethodGet, "/api/v1/deals/" + open.ID},
			{http.MethodPost, "/api/v1/deals/" + late.ID + "/claims"},
		} {
			var body any
			if c.method == http.MethodPost {
				body = map[string]string{"evidence": "x"}
			}
			resp, b := app.apiDo(t, acme, c.method, c.path, body)
			mustStatus(t, resp, http.StatusNotFound)
			mustAPIError(t, b, "not_found")
		}
	})
}

func TestDepartureAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.apiToken(t, "demo", "admin")
	ids := app.userIDs(t, admin)
	manager1 := app.apiToken(t, "demo", "manager1")
	sales1 := app.apiToken(t, "demo", "sales1")
	a := app.apiRegister(t, sales1, "武汉光谷芯片有限公司", "13500001111")
	b := app.apiRegister(t, sales1, "长沙湘江机械有限公司", "13500002222")

	resp, _ := app.apiDo(t, admin, http.MethodPost, "/api/v1/users/"+ids["sales1"]+"/deactivate", nil)
	mustStatus(t, resp, http.StatusOK)
	resp, body := app.apiDo(t, manager1, http.MethodGet, "/api/v1/team-pool", nil)
	mustStatus(t, resp, http.StatusOK)
	var pool struct {
		Items []struct {
			ID       string `json:"id"`
			TeamName string `json:"team_name"`
		} `json:"items"`
	}
	mustJSON(t, body, &pool)
	if len(pool.Items) != 2 || pool.Items[0].TeamName != "一组" {
		t.Fatalf("team pool: %s", body)
	}
	manager2 := app.apiToken(t, "demo", "manager2")
	resp, _ = app.apiDo(t, manager2, http.MethodPost, "/api/v1/registrations/"+a.ID+"/reassign", map[string]string{"owner_id": ids["sales3"]})
	mustStatus(t, resp, http.StatusNotFound)
	resp, body = app.apiDo(t, manager1, http.MethodPost, "/api/v1/registrations/"+a.ID+"/reassign", map[string]string{"owner_id": ids["sales2"]})
	mustStatus(t, resp, http.StatusOK)
	var reg registrationJSON
	if mustJSON(t, body, &reg); reg.OwnerID != ids["sales2"] {
		t.Errorf("reassigned: %s", body)
	}
	resp, body = app.apiDo(t, manager1, http.MethodPost, "/api/v1/team-pool/reassign",
		map[string]any{"registration_ids": []string{b.ID}, "owner_id": ids["sales2"]})
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"reassigned":1`) {
		t.Errorf("bulk: %s", body)
	}
	resp, _ = app.apiDo(t, sales1, http.MethodGet, "/api/v1/team-pool", nil)
	mustStatus(t, resp, http.StatusUnauthorized) // deactivated: the token no longer works

	resp, body = app.apiDo(t, manager1, http.MethodGet, "/api/v1/performance?from=2026-01-01&to=2026-12-31", nil)
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"people"`) || !strings.Contains(string(body), `"teams"`) {
		t.Errorf("performance: %s", body)
	}
	resp, _ = app.apiDo(t, manager1, http.MethodGet, "/api/v1/performance?from=2026-12-31&to=2026-01-01", nil)
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	resp, _ = app.apiDo(t, app.apiToken(t, "demo", "sales2"), http.MethodGet, "/api/v1/performance", nil)
	mustStatus(t, resp, http.StatusForbidden)
	resp, body = app.apiDo(t, manager1, http.MethodGet, "/api/v1/customers?grade=reserve", nil)
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), "长沙湘江机械有限公司") {
		t.Errorf("reserve customers: %s", body)
	}
	resp, _ = app.apiDo(t, manager1, http.MethodGet, "/api/v1/customers?grade=gold", nil)
	mustStatus(t, resp, http.StatusUnprocessableEntity)

	t.Run("another company", func(t *testing.T) {
		acme := app.acme(t)
		resp, errBody := app.apiDo(t, acme, http.MethodPost, "/api/v1/registrations/"+a.ID+"/reassign", map[string]string{"owner_id": ids["sales2"]})
		mustStatus(t, resp, http.StatusNotFound)
		mustAPIError(t, errBody, "not_found")
		resp, _ = app.apiDo(t, acme, http.MethodPost, "/api/v1/team-pool/reassign",
			map[string]any{"registration_ids": []string{b.ID}, "owner_id": ids["sales2"]})
		mustStatus(t, resp, http.StatusNotFound)
		monday := domain.WeekStart(time.Now(), time.UTC).Format(time.DateOnly)
		resp, _ = app.apiDo(t, acme, http.MethodPut, "/api/v1/duty-roster/"+monday,
			map[string]string{"team_id": teamID(t, app.teams(t, admin), "一组")})
		mustStatus(t, resp, http.StatusUnprocessableEntity)
		resp, body := app.apiDo(t, acme, http.MethodGet, "/api/v1/customers", nil)
		mustStatus(t, resp, http.StatusOK)
		if strings.Contains(string(body), "湘江") {
			t.Errorf("acme lists demo's customers: %s", body)
		}
	})
}

// The front desk's and the deal pages, end to end through the forms.
func TestVisitAndDealPages(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ids := app.userIDs(t, app.apiToken(t, "demo", "admin"))
	front := app.signIn(t, "demo", "frontdesk1", demoPassword)
	resp, page := app.get(t, front, "/visits")
	mustStatus(t, resp, http.StatusOK)
	if nav := testID(t, page, "nav"); !strings.Contains(nav, "到访登记") {
		t.Errorf("front desk nav: %q", nav)
	}
	form := formValues(t, page, "visit-form")
	form.Set("visitor_name", "钱总")
	form.Set("phone", "13900001111")
	form.Set("company", "杭州新客户有限公司")
	form.Set("salesperson_id", ids["sales2"])
	resp, _ = app.postForm(t, front, "/visits", form)
	mustStatus(t, resp, http.StatusSeeOther)
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, "/visits?v=") {
		t.Fatalf("redirected to %q", loc)
	}
	resp, page = app.get(t, front, loc)
	mustStatus(t, resp, http.StatusOK)
	if res := findAll(parseHTML(t, page), byTestIDAttr("visit-result")); len(res) != 1 || !strings.Contains(textOf(res[0]), "代为报备") {
		t.Errorf("result panel: %s", abbreviate(page))
	}
	if rows := testID(t, page, "visits-table"); !strings.Contains(rows, "1390000****") || strings.Contains(rows, "13900001111") {
		t.Errorf("today's list: %q", rows)
	}
	form.Set("party_size", "many")
	resp, page = app.postForm(t, front, "/visits", form)
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if testID(t, page, "error-party_size") == "" {
		t.Error("no message at the party size")
	}
	resp, page = app.get(t, front, "/visits/sheet")
	mustStatus(t, resp, http.StatusOK)
	csvLink, _ := attr(findAll(parseHTML(t, page), byTestIDAttr("csv-link"))[0], "href")
	resp, body := app.get(t, front, csvLink)
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), "1390000****") || strings.Contains(string(body), "13900001111") {
		t.Errorf("CSV download: %s", body)
	}
	resp, _ = app.get(t, app.signIn(t, "demo", "sales1", demoPassword), "/visits")
	mustStatus(t, resp, http.StatusForbidden)

	// sales1 records a deal of a customer nobody holds; sales3 claims it;
	// manager2 approves on the deal's page.
	sales1 := app.signIn(t, "demo", "sales1", demoPassword)
	resp, page = app.get(t, sales1, "/deals")
	mustStatus(t, resp, http.StatusOK)
	deal := formValues(t, page, "deal-form")
	for k, v := range map[string]string{"contract_no": "HT-P1", "customer.name": "厦门鼓浪屿茶业有限公司", "signed_at": "2026-01-05T10:00",
		"amount": "12万"} {
		deal.Set(k, v)
	}
	if deal.Get("signer_id") != ids["sales1"] {
		t.Errorf("the signer defaults to %q", deal.Get("signer_id"))
	}
	resp, _ = app.postForm(t, sales1, "/deals", deal)
	mustStatus(t, resp, http.StatusSeeOther)
	dealPath := resp.Header.Get("Location")
	resp, page = app.get(t, sales1, dealPath)
	mustStatus(t, resp, http.StatusOK)
	if st := testID(t, page, "deal-status"); st != "待认领" || testID(t, page, "deal-amount") != "120000.00 元" {
		t.Errorf("deal page: status %q amount %q", st, testID(t, page, "deal-amount"))
	}
	sales3 := app.signIn(t, "demo", "sales3", demoPassword)
	resp, page = app.get(t, sales3, dealPath)
	mustStatus(t, resp, http.StatusOK)
	claim := formValues(t, page, "claim-form")
	claim.Set("evidence", "带客户看过样品")
	resp, _ = app.postForm(t, sales3, dealPath+"/claims", claim)
	mustRedirect(t, resp, dealPath)
	manager2 := app.signIn(t, "demo", "manager2", demoPassword)
	resp, page = app.get(t, manager2, dealPath)
	mustStatus(t, resp, http.StatusOK)
	decide := findAll(parseHTML(t, page), byTestIDAttr("claim-decide"))
	if len(decide) != 1 {
		t.Fatalf("manager2 sees %d decision forms", len(decide))
	}
	action, _ := attr(decide[0], "action")
	resp, _ = app.postForm(t, manager2, action, url.Values{"decision": {"approve"}, "reason": {""}})
	mustRedirect(t, resp, dealPath)
	resp, page = app.get(t, sales3, dealPath)
	mustStatus(t, resp, http.StatusOK)
	if testID(t, page, "deal-status") != "已归属" || !strings.Contains(testID(t, page, "deal-credited"), "王五") {
		t.Errorf("after approval: %q %q", testID(t, page, "deal-status"), testID(t, page, "deal-credited"))
	}
	resp, page = app.postForm(t, sales1, "/deals", deal)
	mustStatus(t, resp, http.StatusConflict)
	if testID(t, page, "form-error") == "" {
		t.Error("no message for a contract recorded twice")
	}

	// The clerk sets the duty roster.
	clerk := app.signIn(t, "demo", "clerk1", demoPassword)
	resp, page = app.get(t, clerk, "/duty-roster")
	mustStatus(t, resp, http.StatusOK)
	duty := formValues(t, page, "duty-form")
	duty.Set("team_id", teamID(t, app.teams(t, app.apiToken(t, "demo", "clerk1")), "一组"))
	resp, _ = app.postForm(t, clerk, "/duty-roster", duty)
	mustRedirect(t, resp, "/duty-roster")
	duty.Set("week_start", "2026-11-03")
	resp, _ = app.postForm(t, clerk, "/duty-roster", duty)
	mustStatus(t, resp, http.StatusUnprocessableEntity)

	// A departure: manager1 reassigns in the team pool.
	regID := app.visitRegistration(t, loc)
	resp, _ = app.get(t, app.signIn(t, "demo", "sales2", demoPassword), "/registrations/"+regID)
	mustStatus(t, resp, http.StatusOK)
	admin := app.signIn(t, "demo", "admin", demoPassword)
	resp, _ = app.postForm(t, admin, "/admin/users/"+ids["sales2"]+"/active", url.Values{"active": {"false"}})
	mustStatus(t, resp, http.StatusSeeOther)
	manager1 := app.signIn(t, "demo", "manager1", demoPassword)
	resp, page = app.get(t, manager1, "/team-pool")
	mustStatus(t, resp, http.StatusOK)
	if n := len(findAll(parseHTML(t, page), byTestIDAttr("pool-row"))); n != 1 {
		t.Fatalf("%d pooled rows, want 1", n)
	}
	pool := formValues(t, page, "reassign-form")
	resp, _ = app.postForm(t, manager1, "/team-pool/reassign", pool)
	mustStatus(t, resp, http.StatusUnprocessableEntity) // nothing ticked
	pool.Set("registration_id", regID)
	resp, _ = app.postForm(t, manager1, "/team-pool/reassign", pool)
	mustRedirect(t, resp, "/team-pool")
	for _, path := range []string{"/performance", "/customers?grade=reserve", "/team-pool"} {
		resp, _ := app.get(t, manager1, path)
		mustStatus(t, resp, http.StatusOK)
	}
	resp, page = app.get(t, manager1, "/registrations/"+regID)
	mustStatus(t, resp, http.StatusOK)
	if testID(t, page, "customer-grade") != "储备客户" {
		t.Errorf("grade on the registration page: %q", testID(t, page, "customer-grade"))
	}
}

// visitRegistration is the id of the registration the visit shown at
// loc (/visits?v=…) filed, read through the domain.
func (app *testApp) visitRegistration(t *testing.T, loc string) string {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	id, err := strconv.ParseInt(u.Query().Get("v"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	v, err := app.Svc.Visit(context.Background(), app.actorOf(t, "demo", "frontdesk1"), id)
	if err != nil || v.RegistrationID == 0 {
		t.Fatalf("visit %d: %+v, %v", id, v, err)
	}
	return itoa(v.RegistrationID)
}
