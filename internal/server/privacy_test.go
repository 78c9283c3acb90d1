package server_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// mxRoutesPrivacy are the routes of the working-day calendar and the
// personal information pages and API.
var mxRoutesPrivacy = []mxRoute{
	{method: "GET", pattern: "/admin/calendar", allow: adminOnly},
	{method: "POST", pattern: "/admin/calendar", allow: adminOnly, body: "op=add&year=2027&date=2027-02-11&kind=holiday&name=春节"},
	{method: "GET", pattern: "/admin/privacy", allow: adminOnly},
	{method: "POST", pattern: "/admin/privacy", allow: adminOnly, body: "phone=13812345678"},
	{method: "POST", pattern: "/admin/privacy/export.xlsx", allow: adminOnly, body: "phone=13812345678"},
	{method: "POST", pattern: "/admin/privacy/export.json", allow: adminOnly, body: "phone=13812345678"},
	{method: "POST", pattern: "/admin/privacy/erase", allow: adminOnly, body: "phone=13900000000&confirm=yes"},
	{method: "GET", pattern: "/api/v1/calendar", allow: anyRole},
	{method: "PUT", pattern: "/api/v1/calendar", allow: adminOnly, body: `{"days":[{"date":"2027-02-11","kind":"holiday","name":"春节"}]}`},
	{method: "POST", pattern: "/api/v1/privacy/export", allow: adminOnly, body: `{"phone":"13812345678"}`},
	{method: "POST", pattern: "/api/v1/privacy/erase", allow: adminOnly, body: `{"phone":"13900000000"}`},
}

func init() { mxRoutes = append(mxRoutes, mxRoutesPrivacy...) }

// privacyContact registers, as sales1 through the API, a company whose
// contact is 赵敏 with phone 13955556666, and returns the registration id.
func privacyContact(t *testing.T, app *testApp) string {
	t.Helper()
	resp, body := app.apiDo(t, app.apiToken(t, "demo", "sales1"), "POST", "/api/v1/registrations", map[string]any{
		"customer": map[string]any{"kind": "company", "name": "杭州阿里巴巴网络", "industry": "互联网", "address": "杭州",
			"contacts": []map[string]string{{"name": "赵敏", "title": "采购", "phone": "139 5555 6666", "relation": "self"}}},
		"grade": "A", "needs": "云服务器", "first_contact_at": app.Svc.Now().Add(-3600e9).Format("2006-01-02T15:04:05Z07:00"),
	})
	mustStatus(t, resp, http.StatusCreated)
	var reg struct{ ID string }
	mustJSON(t, body, &reg)
	return reg.ID
}

func TestCalendarAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin, sales := app.apiToken(t, "demo", "admin"), app.apiToken(t, "demo", "sales1")
	resp, body := app.apiDo(t, admin, "PUT", "/api/v1/calendar?year=2027", map[string]any{"days": []map[string]string{
		{"date": "2027-02-11", "kind": "holiday", "name": "春节"}, {"date": "2027-02-07", "kind": "workday", "name": "调休"}}})
	mustStatus(t, resp, http.StatusOK)
	resp, body = app.apiDo(t, sales, "GET", "/api/v1/calendar?year=2027", nil)
	mustStatus(t, resp, http.StatusOK)
	var cal struct {
		Year int
		Days []struct{ Date, Kind, Name string }
	}
	mustJSON(t, body, &cal)
	if cal.Year != 2027 || len(cal.Days) != 2 || cal.Days[0].Date != "2027-02-07" || cal.Days[1].Name != "春节" {
		t.Fatalf("calendar %s", body)
	}
	resp, body = app.apiDo(t, admin, "PUT", "/api/v1/calendar?year=2027", map[string]any{"days": []map[string]string{
		{"date": "2028-01-01", "kind": "holiday"}, {"date": "2027-05-01", "kind": "day off"}}})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if e := mustAPIError(t, body, "validation_failed"); e.Fields["days.0"] == "" || e.Fields["days.1"] == "" {
		t.Errorf("fields %v", e.Fields)
	}
	resp, _ = app.apiDo(t, admin, "GET", "/api/v1/calendar?year=twenty", nil)
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	resp, body = app.apiDo(t, admin, "PUT", "/api/v1/policy", map[string]any{"day_count": map[string]string{"protection_days": "working"}})
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"day_count":{"protection_days":"working"}`) {
		t.Errorf("policy %s", body)
	}
	resp, body = app.apiDo(t, admin, "PUT", "/api/v1/policy", map[string]any{"day_count": map[string]string{"max_renewals": "working"}})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if e := mustAPIError(t, body, "validation_failed"); e.Fields["day_count"] == "" {
		t.Errorf("fields %v", e.Fields)
	}
}

func TestPrivacyAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	regID := privacyContact(t, app)
	admin := app.apiToken(t, "demo", "admin")
	resp, body := app.apiDo(t, admin, "POST", "/api/v1/privacy/export", map[string]string{"phone": "13955556666"})
	mustStatus(t, resp, http.StatusOK)
	var d struct {
		Contacts []struct {
			Source, ID string
			Contact    struct{ Name, Phone string }
		}
	}
	mustJSON(t, body, &d)
	if len(d.Contacts) != 2 || d.Contacts[0].Source != "registration" || d.Contacts[0].ID != regID || d.Contacts[0].Contact.Name != "赵敏" {
		t.Fatalf("export %s", body)
	}
	resp, body = app.apiDo(t, admin, "POST", "/api/v1/privacy/export?format=xlsx", map[string]string{"phone": "13955556666"})
	mustStatus(t, resp, http.StatusOK)
	if resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || !xlsxContains(t, body, "13955556666") {
		t.Errorf("xlsx export: %s, %d bytes", resp.Header.Get("Content-Type"), len(body))
	}
	resp, body = app.apiDo(t, admin, "POST", "/api/v1/privacy/export", map[string]string{"phone": "1395555****"})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if e := mustAPIError(t, body, "validation_failed"); e.Fields["phone"] == "" {
		t.Errorf("fields %v", e.Fields)
	}
	resp, body = app.apiDo(t, admin, "POST", "/api/v1/privacy/erase", map[string]string{"phone": "13955556666"})
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"contacts":2`) {
		t.Errorf("erase %s", body)
	}
	resp, body = app.apiDo(t, app.apiToken(t, "demo", "sales1"), "GET", "/api/v1/registrations/"+regID, nil)
	mustStatus(t, resp, http.StatusOK)
	if strings.Contains(string(body), "13955556666") || strings.Contains(string(body), "赵敏") || !strings.Contains(string(body), "[已删除]") {
		t.Errorf("registration after erasure %s", body)
	}
	resp, _ = app.apiDo(t, admin, "POST", "/api/v1/privacy/erase", map[string]string{"phone": "13955556666"})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
}

// xlsxContains reports whether a workbook's shared strings hold s.
func xlsxContains(t *testing.T, file []byte, s string) bool {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	for _, f := range z.File {
		if f.Name != "xl/sharedStrings.xml" {
			continue
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, err = buf.ReadFrom(r)
		r.Close()
		return err == nil && strings.Contains(buf.String(), s)
	}
	return false
}

func TestCalendarPage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signIn(t, "demo", "admin", demoPassword)
	resp, page := app.postForm(t, c, "/admin/calendar", url.Values{"op": {"paste"}, "year": {"2027"},
		"lines": {"2027-02-11 holiday 春节\n2027-02-07 workday 调休"}})
	mustRedirect(t, resp, "/admin/calendar?year=2027")
	_, page = app.get(t, c, "/admin/calendar?year=2027")
	if !strings.Contains(testID(t, page, "calendar-2027-02-11"), "春节") || !hasTestID(t, page, "calendar-2027-02-07") {
		t.Fatalf("calendar page lacks the pasted days")
	}
	resp, page = app.postForm(t, c, "/admin/calendar", url.Values{"op": {"paste"}, "year": {"2027"}, "lines": {"2027-02-30 holiday"}})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if !strings.Contains(testID(t, page, "form-error"), "第 1 行") || !strings.Contains(string(page), "2027-02-30 holiday") {
		t.Errorf("bad paste: %s", testID(t, page, "form-error"))
	}
	resp, _ = app.postForm(t, c, "/admin/calendar", url.Values{"op": {"remove"}, "year": {"2027"}, "date": {"2027-02-11"}})
	mustRedirect(t, resp, "/admin/calendar?year=2027")
	if _, page = app.get(t, c, "/admin/calendar?year=2027"); hasTestID(t, page, "calendar-2027-02-11") {
		t.Error("removed day still listed")
	}
	resp, _ = app.postForm(t, c, "/admin/calendar", url.Values{"op": {"remove"}, "year": {"2027"}, "date": {"2027-02-11"}})
	mustStatus(t, resp, http.StatusNotFound)
	_, page = app.get(t, c, "/admin/policy")
	if !hasTestID(t, page, "day-count-protection_days") {
		t.Error("the policy form has no day count")
	}
}

func TestPrivacyPages(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	privacyContact(t, app)
	c := app.signIn(t, "demo", "admin", demoPassword)
	resp, page := app.postForm(t, c, "/admin/privacy", url.Values{"phone": {"12"}})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if !hasTestID(t, page, "error-phone") {
		t.Error("bad phone has no field error")
	}
	resp, page = app.postForm(t, c, "/admin/privacy", url.Values{"phone": {"13955556666"}})
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(testID(t, page, "privacy-count-contacts"), "2") || !strings.Contains(testID(t, page, "privacy-contacts"), "赵敏") {
		t.Fatalf("look-up shows %s", testID(t, page, "privacy-counts"))
	}
	resp, body := app.postForm(t, c, "/admin/privacy/export.json", url.Values{"phone": {"13955556666"}})
	mustStatus(t, resp, http.StatusOK)
	if !strings.Contains(string(body), `"name": "赵敏"`) {
		t.Errorf("json export %s", body)
	}
	resp, page = app.postForm(t, c, "/admin/privacy/erase", url.Values{"phone": {"13955556666"}})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	resp, _ = app.postForm(t, c, "/admin/privacy/erase", url.Values{"phone": {"13955556666"}, "confirm": {"yes"}})
	mustRedirect(t, resp, "/admin/privacy")
	_, page = app.postForm(t, c, "/admin/privacy", url.Values{"phone": {"13955556666"}})
	if !strings.Contains(testID(t, page, "privacy-count-contacts"), "0") || hasTestID(t, page, "privacy-erase") {
		t.Errorf("after erasure the look-up shows %s", testID(t, page, "privacy-counts"))
	}
}

// TestBrowserPrivacy: an admin on a tablet looks a contact up, erases
// them after ticking the confirmation, and looks again.
func TestBrowserPrivacy(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	privacyContact(t, app)
	ctx := newBrowser(t, app)
	browse(t, ctx, chromedp.EmulateViewport(768, 1024, chromedp.EmulateMobile))
	browserSignIn(t, ctx, app, "demo", "admin", demoPassword)
	browse(t, ctx,
		chromedp.Navigate(app.URL+"/admin/privacy"),
		chromedp.WaitVisible(byTestID("privacy-lookup")),
		chromedp.SendKeys(chromedp.CSS("#f-phone"), "139-5555-6666"),
	)
	clickAndWait(t, ctx, byTestID("privacy-search"))
	browse(t, ctx, chromedp.WaitVisible(byTestID("privacy-contacts")))
	if rows := browserValue(t, ctx, chromedp.Text(byTestID("privacy-contacts"))); !strings.Contains(rows, "赵敏") || !strings.Contains(rows, "13955556666") {
		t.Fatalf("contacts %q", rows)
	}
	if !browserValue(t, ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth <= window.innerWidth")) {
		t.Error("the privacy page is wider than a 768 px tablet")
	}
	browse(t, ctx, chromedp.Click(byTestID("privacy-confirm")))
	clickAndWait(t, ctx, byTestID("privacy-erase-submit"))
	browse(t, ctx, chromedp.WaitVisible(byTestID("privacy-lookup")))
	if flash := browserValue(t, ctx, chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(flash, "已删除") {
		t.Errorf("flash %q", flash)
	}
	browse(t, ctx, chromedp.SendKeys(chromedp.CSS("#f-phone"), "13955556666"))
	clickAndWait(t, ctx, byTestID("privacy-search"))
	browse(t, ctx, chromedp.WaitVisible(byTestID("privacy-counts")))
	if n := browserValue(t, ctx, chromedp.Text(byTestID("privacy-count-contacts"))); !strings.HasSuffix(strings.TrimSpace(n), "0") {
		t.Errorf("after erasure: %q", n)
	}
}
