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
	"golang.org/x/net/html"

	"baobei/internal/domain"
)

// The reports' routes: managers (their teams), clerks and admins.
var mxRoutesReports = []mxRoute{
	{method: "GET", pattern: "/reports", allow: reviewersUp},
	{method: "GET", pattern: "/reports.csv", allow: reviewersUp},
	{method: "GET", pattern: "/reports.xlsx", allow: reviewersUp},
	{method: "GET", pattern: "/api/v1/reports", allow: reviewersUp},
}

func init() { mxRoutes = append(mxRoutes, mxRoutesReports...) }

// reportScene files, as of now, the claims, a visit and a deal the
// reports tests count:
//
//	一组: sales1 registers 华为 and 中兴; sales2 registers 华为 (a conflict,
//	lost by time) and 小米. 华为 visits with sales1 and signs a deal of
//	88,000 with sales1. So 4 registrations, 1 conflict (25%), 1 visited,
//	1 deal; 张三 0% and 李四 50%.
//	二组: sales3 registers 腾讯 and 中兴 (a conflict): 2 and 1 (50%).
func reportScene(t *testing.T, app *testApp) {
	t.Helper()
	ctx := context.Background()
	first := time.Now().Add(-24 * time.Hour)
	company := func(name, phone string) domain.RegistrationInput {
		return domain.RegistrationInput{
			Customer: domain.Customer{Kind: domain.KindCompany, Name: name, Industry: "通信", Address: "北京市海淀区",
				Contacts: []domain.Contact{{Name: "张经理", Title: "采购经理", Phone: phone, Relation: "self"}}},
			Grade: "A", Needs: "采购服务器", FirstContactAt: &first,
		}
	}
	for _, r := range []struct {
		user, name, phone string
		status            domain.Status
	}{
		{"sales1", "北京华为技术有限公司", "13800000001", domain.StatusActive},
		{"sales1", "中兴通讯股份有限公司", "13800000002", domain.StatusActive},
		{"sales2", "北京华为技术有限公司", "13800000011", domain.StatusRejected},
		{"sales2", "小米科技有限责任公司", "13800000003", domain.StatusActive},
		{"sales3", "深圳腾讯计算机系统有限公司", "13800000004", domain.StatusActive},
		{"sales3", "中兴通讯股份有限公司", "13800000012", domain.StatusRejected},
	} {
		reg, err := app.Svc.Register(ctx, app.actorOf(t, "demo", r.user), company(r.name, r.phone))
		if err != nil || reg.Status != r.status {
			t.Fatalf("%s registers %s: %s, %v; want %s", r.user, r.name, reg.Status, err, r.status)
		}
	}
	sales1 := app.actorOf(t, "demo", "sales1")
	if _, err := app.Svc.RecordVisit(ctx, app.actorOf(t, "demo", "frontdesk1"), domain.VisitInput{
		VisitorName: "张经理", Phone: "13800000001", Company: "北京华为技术有限公司", SalespersonID: sales1.UserID}); err != nil {
		t.Fatal(err)
	}
	signed, amount := time.Now(), 88000.0
	d, err := app.Svc.RecordDeal(ctx, sales1, domain.DealInput{ContractNo: "HT-R1",
		Customer: company("北京华为技术有限公司", "").Customer, SignedAt: &signed, Amount: &amount, SignerID: sales1.UserID})
	if err != nil || d.Status != domain.DealAttributed {
		t.Fatalf("deal: %+v, %v", d, err)
	}
}

// chartBars returns the label → value of the bars of the chart with
// data-testid id.
func chartBars(t *testing.T, page []byte, id string) map[string]string {
	t.Helper()
	charts := findAll(parseHTML(t, page), byTestIDAttr(id))
	if len(charts) != 1 {
		t.Fatalf("%d charts %s on the page", len(charts), id)
	}
	if svg := findAll(charts[0], func(n *html.Node) bool { return n.Data == "svg" }); len(svg) != 1 {
		t.Fatalf("chart %s has no SVG", id)
	} else if labelled, _ := attr(svg[0], "aria-labelledby"); labelled != id+"-title "+id+"-desc" ||
		len(findAll(svg[0], func(n *html.Node) bool { return n.Data == "desc" })) != 1 {
		t.Errorf("chart %s is not labelled by its title and description", id)
	}
	bars := map[string]string{}
	for _, b := range findAll(charts[0], byTestIDAttr("chart-bar")) {
		label, _ := attr(b, "data-label")
		bars[label], _ = attr(b, "data-value")
	}
	return bars
}

// tableRow returns the cells by data-testid of the row of table id whose
// data-name is name.
func tableRow(t *testing.T, page []byte, rowID, name string) map[string]string {
	t.Helper()
	for _, row := range findAll(parseHTML(t, page), byTestIDAttr(rowID)) {
		if n, _ := attr(row, "data-name"); n != name && name != "" {
			continue
		}
		cells := map[string]string{}
		for _, td := range findAll(row, func(n *html.Node) bool { return n.Data == "td" }) {
			if id, ok := attr(td, "data-testid"); ok {
				cells[id] = textOf(td)
			}
		}
		return cells
	}
	t.Fatalf("no row %s %q", rowID, name)
	return nil
}

// The done-means: manager1 sees 一组's conflict rate and funnel for
// the last 30 days as charts and tables with the fixture's exact figures,
// never 二组's, and downloads them as XLSX and CSV that read back with the
// same numbers.
func TestReportsManager(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	reportScene(t, app)
	c := app.signIn(t, "demo", "manager1", demoPassword)

	resp, page := app.get(t, c, "/reports")
	mustStatus(t, resp, http.StatusOK)
	today := time.Now().In(shanghaiZone(t))
	wantPeriod := today.AddDate(0, 0, -29).Format(time.DateOnly) + " 至 " + today.Format(time.DateOnly)
	if got := testID(t, page, "report-period"); !strings.Contains(got, wantPeriod) {
		t.Errorf("period %q, want the last 30 days %s", got, wantPeriod)
	}
	for id, want := range map[string]map[string]string{
		"chart-rate-team":   {"一组": "25"},
		"chart-rate-person": {"张三": "0", "李四": "50", "李经理": "0"},
		"chart-funnel":      {"报备": "4", "到访": "1", "成交": "1"},
		"chart-regs-person": {"张三": "2", "李四": "2", "李经理": "0"},
		"chart-decisions":   {"历史合作优先": "0", "先报备者优先": "1", "信息完整度优先": "0", "申诉仲裁": "0", "审核驳回": "0"},
	} {
		got := chartBars(t, page, id)
		for label, v := range want {
			if got[label] != v {
				t.Errorf("%s: bar %s = %q, want %q (all %v)", id, label, got[label], v, got)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s has bars %v, want %v", id, got, want)
		}
	}
	team := tableRow(t, page, "report-team", "一组")
	wantTeam := map[string]string{"registrations": "4", "conflicts": "1", "conflict-rate": "25.0% (1/4)", "visited": "1",
		"converted": "1", "expiries": "0", "visits": "1", "deals": "1"}
	for k, v := range wantTeam {
		if team[k] != v {
			t.Errorf("一组's %s = %q, want %q", k, team[k], v)
		}
	}
	if !strings.Contains(team["amount"], "88000.00") {
		t.Errorf("一组's amount %q", team["amount"])
	}
	if rate := tableRow(t, page, "report-person", "李经理")["conflict-rate"]; rate != "—" {
		t.Errorf("李经理 registered nothing; rate %q, want a dash", rate)
	}
	for _, other := range []string{"二组", "王五", "赵六", "腾讯"} {
		if bytes.Contains(page, []byte(other)) {
			t.Errorf("manager1's report shows %s", other)
		}
	}
	if hasTestID(t, page, "f-team_id") || bytes.Contains(page, []byte(`name="team_id"`)) {
		t.Error("manager1 manages one team, yet the report offers a team choice")
	}

	// The downloads: the links carry the period; the files read back.
	xlsxURL := linkByTestID(t, page, "report-xlsx")
	if !strings.HasPrefix(xlsxURL, "/reports.xlsx?") || !strings.Contains(xlsxURL, "from="+today.AddDate(0, 0, -29).Format(time.DateOnly)) {
		t.Errorf("xlsx link %q", xlsxURL)
	}
	resp, body := app.get(t, c, xlsxURL)
	mustStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
		t.Errorf("xlsx content type %q", ct)
	}
	book, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer book.Close()
	if got := book.GetSheetList(); !slices.Equal(got, []string{"按团队", "按人员", "漏斗", "裁决", "业绩归属"}) {
		t.Errorf("sheets %v", got)
	}
	rows, err := book.GetRows("按团队")
	if err != nil {
		t.Fatal(err)
	}
	wantRows := [][]string{
		{"团队", "报备数", "撞单数", "撞单率 (%)", "已到访", "已成交", "到期数", "到访登记", "成交数", "成交金额"},
		{"一组", "4", "1", "25", "1", "1", "0", "1", "1", "88000"},
		{"合计", "4", "1", "25", "1", "1", "0", "1", "1", "88000"},
	}
	if !slices.EqualFunc(rows, wantRows, slices.Equal) {
		t.Errorf("team sheet %v, want %v", rows, wantRows)
	}
	if v, err := book.GetCellValue("按团队", "C2"); err != nil || v != "1" {
		t.Errorf("C2 = %q %v", v, err)
	}
	if typ, err := book.GetCellType("按团队", "B2"); err != nil || typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
		t.Errorf("registrations are not stored as a number: %v %v", typ, err)
	}
	rows, _ = book.GetRows("漏斗")
	if want := [][]string{{"阶段", "数量", "占报备 (%)"}, {"报备", "4", "100"}, {"到访", "1", "25"}, {"成交", "1", "25"}}; !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("funnel sheet %v, want %v", rows, want)
	}
	rows, _ = book.GetRows("按人员")
	for _, row := range rows {
		if slices.Contains(row, "王五") || slices.Contains(row, "二组") {
			t.Errorf("the people sheet shows 二组: %v", row)
		}
	}
	if len(rows) != 4 { // heading, 张三, 李四, 李经理
		t.Errorf("people sheet %v", rows)
	}

	resp, body = app.get(t, c, linkByTestID(t, page, "report-csv"))
	mustStatus(t, resp, http.StatusOK)
	if !bytes.HasPrefix(body, []byte("\ufeff")) {
		t.Error("the CSV does not start with a UTF-8 byte order mark")
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(records, func(rec []string) bool { return len(rec) > 0 && rec[0] == "一组" })
	if i < 0 || !slices.Equal(records[i], wantRows[1]) {
		t.Errorf("CSV has no team line %v in %v", wantRows[1], records)
	}
	if bytes.Contains(body, []byte("王五")) || bytes.Contains(body, []byte("二组")) {
		t.Error("the CSV shows 二组")
	}

	// 二组 by id: not found, on the page, the files and the API.
	other := teamIDOf(t, app, "二组")
	for _, path := range []string{"/reports", "/reports.csv", "/reports.xlsx"} {
		resp, _ := app.get(t, c, path+"?team_id="+other)
		mustStatus(t, resp, http.StatusNotFound)
	}
	token := app.apiToken(t, "demo", "manager1")
	resp, _ = app.apiDo(t, token, "GET", "/api/v1/reports?team_id="+other, nil)
	mustStatus(t, resp, http.StatusNotFound)
}

// shanghaiZone is the demo company's time zone.
func shanghaiZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// linkByTestID returns the href of the element with data-testid id.
func linkByTestID(t *testing.T, page []byte, id string) string {
	t.Helper()
	links := findAll(parseHTML(t, page), byTestIDAttr(id))
	if len(links) != 1 {
		t.Fatalf("%d elements %s", len(links), id)
	}
	href, _ := attr(links[0], "href")
	return href
}

// teamIDOf returns the id of the demo team named name, as text.
func teamIDOf(t *testing.T, app *testApp, name string) string {
	t.Helper()
	teams, err := app.Svc.Teams(context.Background(), app.actorOf(t, "demo", "admin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range teams {
		if x.Name == name {
			return strconv.FormatInt(x.ID, 10)
		}
	}
	t.Fatalf("no team %s", name)
	return ""
}

// TestReportsAPI: the JSON figures match the page's; an admin sees the
// whole company or one team; bad periods answer 422 with the field.
func TestReportsAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	reportScene(t, app)

	type figures struct {
		Registrations int      `json:"registrations"`
		Conflicts     int      `json:"conflicts"`
		ConflictRate  *float64 `json:"conflict_rate"`
		Visited       int      `json:"visited"`
		Converted     int      `json:"converted"`
		Deals         int      `json:"deals"`
		Amount        float64  `json:"amount"`
	}
	type line struct {
		ID, Name string
		figures
	}
	type report struct {
		From, To string
		TeamID   *string `json:"team_id"`
		Teams    []line
		People   []line
		Total    figures
		Funnel   []struct {
			Key   string
			Count int
		}
	}
	get := func(user, query string) report {
		t.Helper()
		resp, body := app.apiDo(t, app.apiToken(t, "demo", user), "GET", "/api/v1/reports"+query, nil)
		mustStatus(t, resp, http.StatusOK)
		var r report
		mustJSON(t, body, &r)
		return r
	}
	m := get("manager1", "")
	if m.Total.Registrations != 4 || m.Total.Conflicts != 1 || m.Total.ConflictRate == nil || *m.Total.ConflictRate != 0.25 ||
		m.Total.Visited != 1 || m.Total.Converted != 1 || m.Total.Deals != 1 || m.Total.Amount != 88000 {
		t.Errorf("manager1's total %+v", m.Total)
	}
	if len(m.Teams) != 1 || m.Teams[0].Name != "一组" || m.TeamID != nil {
		t.Errorf("manager1's teams %+v (filter %v)", m.Teams, m.TeamID)
	}
	for _, p := range m.People {
		if p.Name == "李经理" && p.ConflictRate != nil {
			t.Errorf("李经理's rate %v, want null", *p.ConflictRate)
		}
	}
	if len(m.Funnel) != 3 || m.Funnel[0].Count != 4 || m.Funnel[1].Count != 1 || m.Funnel[2].Count != 1 {
		t.Errorf("funnel %+v", m.Funnel)
	}
	a := get("admin", "")
	if a.Total.Registrations != 6 || a.Total.Conflicts != 2 || len(a.Teams) != 2 {
		t.Errorf("admin's report %+v", a)
	}
	two := teamIDOf(t, app, "二组")
	a = get("admin", "?team_id="+two)
	if a.Total.Registrations != 2 || a.Total.Conflicts != 1 || len(a.Teams) != 1 || a.TeamID == nil || *a.TeamID != two {
		t.Errorf("admin's 二组 report %+v", a)
	}
	if c := get("clerk1", "?from=2020-01-01&to=2020-01-31"); c.Total.Registrations != 0 || c.Total.ConflictRate != nil || c.From != "2020-01-01" {
		t.Errorf("an empty period %+v", c)
	}

	token := app.apiToken(t, "demo", "manager1")
	for query, field := range map[string]string{
		"?from=2026-02-30":                "from",
		"?to=yesterday":                   "to",
		"?from=2026-03-02&to=2026-03-01":  "to",
		"?from=2025-01-01&to=2026-01-02":  "to",
		"?team_id=abc":                    "team_id",
		"?from=" + url.QueryEscape("1/1"): "from",
	} {
		resp, body := app.apiDo(t, token, "GET", "/api/v1/reports"+query, nil)
		mustStatus(t, resp, http.StatusUnprocessableEntity)
		if e := mustAPIError(t, body, "validation_failed"); e.Fields[field] == "" {
			t.Errorf("%s: fields %v, want %s", query, e.Fields, field)
		}
	}
	resp, _ := app.apiDo(t, app.apiToken(t, "demo", "sales1"), "GET", "/api/v1/reports", nil)
	mustStatus(t, resp, http.StatusForbidden)
}

// TestReportsPeriodForm: a bad period re-renders the form with the field
// error in the reader's language, status 422, and no figures.
func TestReportsPeriodForm(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signIn(t, "demo", "admin", demoPassword)
	for _, tc := range []struct{ query, field, text string }{
		{"?from=2026-13-01", "from", "日期格式须为 YYYY-MM-DD"},
		{"?from=2026-11-02&to=2026-11-01", "to", "结束日期不能早于开始日期"},
		{"?from=2025-01-01&to=2026-01-02", "to", "期间最多 366 天"},
	} {
		resp, page := app.get(t, c, "/reports"+tc.query)
		mustStatus(t, resp, http.StatusUnprocessableEntity)
		if !bytes.Contains(page, []byte(tc.text)) || hasTestID(t, page, "chart-funnel") {
			t.Errorf("%s: the page lacks %q or shows charts", tc.query, tc.text)
		}
		if !hasTestID(t, page, "report-form") || !bytes.Contains(page, []byte(`name="team_id"`)) {
			t.Errorf("%s: the form (with the admin's team choice) is gone", tc.query)
		}
	}
	resp, page := app.get(t, c, "/reports?from=2025-01-02&to=2026-01-02")
	mustStatus(t, resp, http.StatusOK)
	if got := testID(t, page, "report-period"); !strings.Contains(got, "2025-01-02 至 2026-01-02") {
		t.Errorf("a 366-day period shows %q", got)
	}
}
