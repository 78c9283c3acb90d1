package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"baobei/internal/domain"
	"baobei/internal/importsample"
)

var (
	importers = []domain.Role{rM, rA}
	idImport  = func(d tenantData) int64 { return d.Import }
	// An admin's job: its creator and admins read it; a manager gets 404.
	adminJob = []domain.Role{rA}
	hideJob  = []domain.Role{rM}
)

var mxRoutesImport = []mxRoute{
	{method: "GET", pattern: "/imports", allow: importers},
	{method: "POST", pattern: "/imports", allow: importers},
	{method: "GET", pattern: "/imports/{id}", allow: adminJob, hide: hideJob, id: idImport},
	{method: "GET", pattern: "/imports/{id}/progress", allow: adminJob, hide: hideJob, id: idImport},
	{method: "POST", pattern: "/imports/{id}/mapping", allow: adminJob, hide: hideJob, id: idImport, body: `map_name=0&map_phone=2`},
	{method: "POST", pattern: "/imports/{id}/start", allow: adminJob, hide: hideJob, id: idImport},
	{method: "GET", pattern: "/imports/{id}/result.csv", allow: adminJob, hide: hideJob, id: idImport},
	{method: "GET", pattern: "/imports/{id}/result.xlsx", allow: adminJob, hide: hideJob, id: idImport},
	{method: "POST", pattern: "/api/v1/imports", allow: importers},
	{method: "GET", pattern: "/api/v1/imports/{id}", allow: adminJob, hide: hideJob, id: idImport},
	{method: "GET", pattern: "/api/v1/imports/{id}/rows", allow: adminJob, hide: hideJob, id: idImport},
	{method: "POST", pattern: "/api/v1/imports/{id}/mapping", allow: adminJob, hide: hideJob, id: idImport, body: `{"mapping":{"name":0}}`},
	{method: "POST", pattern: "/api/v1/imports/{id}/start", allow: adminJob, hide: hideJob, id: idImport},
	{method: "GET", pattern: "/api/v1/imports/{id}/result", allow: adminJob, hide: hideJob, id: idImport},
}

func init() { mxRoutes = append(mxRoutes, mxRoutesImport...) }

// holdSample registers, through the domain, the claims a sample expects.
func holdSample(t *testing.T, app *testApp, s importsample.Sample) {
	t.Helper()
	ctx := context.Background()
	admin := app.actorOf(t, "demo", "admin")
	if _, err := app.Svc.UpdatePolicy(ctx, admin, map[string]json.RawMessage{"registration_burst_per_hour": json.RawMessage("100000")}); err != nil {
		t.Fatal(err)
	}
	for _, h := range s.Held {
		if _, err := app.Svc.Register(ctx, app.actorOf(t, "demo", h.Owner), h.Input); err != nil {
			t.Fatal(err)
		}
	}
}

// runImporter runs the background importer for the test's lifetime.
func runImporter(t *testing.T, app *testApp) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		app.Svc.RunImports(ctx, 200*time.Millisecond, func(err error) { t.Errorf("importer: %v", err) })
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// TestImportAPI uploads a generated file, reads the preview, remaps,
// starts the import, waits for it and reads the result back as XLSX.
func TestImportAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	s := importsample.Generate(400, 5)
	holdSample(t, app, s)
	runImporter(t, app)
	token := app.apiToken(t, "demo", "admin")

	var csv bytes.Buffer
	csv.WriteString(strings.Join(importsample.Header, ",") + "\n")
	for _, r := range s.Rows {
		csv.WriteString(strings.Join(r, ",") + "\n")
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "客户.csv")
	fw.Write(csv.Bytes())
	mw.Close()
	req, _ := http.NewRequest("POST", app.URL+"/api/v1/imports", &body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, b := send(t, http.DefaultClient, req)
	var job domain.ImportJob
	mustStatus(t, resp, http.StatusCreated)
	mustJSON(t, b, &job)
	for _, o := range domain.ImportOutcomes {
		if job.Counts[o] != s.Expected[o] {
			t.Errorf("preview %s: %d, want %d", o, job.Counts[o], s.Expected[o])
		}
	}
	path := fmt.Sprintf("/api/v1/imports/%d", job.ID)

	// A mapping without the name column is refused; the detected one previews again.
	bad, b := app.apiDo(t, token, "POST", path+"/mapping", map[string]any{"mapping": map[string]int{"phone": 3}})
	mustStatus(t, bad, http.StatusUnprocessableEntity)
	mustAPIError(t, b, "validation_failed")
	resp, b = app.apiDo(t, token, "POST", path+"/mapping", map[string]any{"mapping": job.Mapping})
	mustStatus(t, resp, http.StatusOK)

	resp, b = app.apiDo(t, token, "GET", path+"/rows?outcome=invalid&limit=500", nil)
	mustStatus(t, resp, http.StatusOK)
	var rows struct {
		Items []struct {
			Line   int    `json:"line"`
			Reason string `json:"reason"`
		} `json:"items"`
	}
	mustJSON(t, b, &rows)
	if len(rows.Items) != s.Expected[domain.OutcomeInvalid] || rows.Items[0].Reason == "" {
		t.Fatalf("invalid rows %+v", rows.Items)
	}

	resp, _ = app.apiDo(t, token, "POST", path+"/start", nil)
	mustStatus(t, resp, http.StatusAccepted)
	for deadline := time.Now().Add(2 * time.Minute); job.Status != domain.ImportDone; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("import did not finish: %+v", job)
		}
		_, b = app.apiDo(t, token, "GET", path, nil)
		mustJSON(t, b, &job)
		if job.Status == domain.ImportFailed {
			t.Fatalf("import failed: %s", job.Error)
		}
	}
	if job.Counts[domain.OutcomeNew] != s.Expected[domain.OutcomeNew] || job.Done != len(s.Rows) {
		t.Fatalf("done %+v", job)
	}
	resp, _ = app.apiDo(t, token, "POST", path+"/start", nil)
	mustStatus(t, resp, http.StatusConflict)

	resp, b = app.apiDo(t, token, "GET", path+"/result?format=xlsx", nil)
	mustStatus(t, resp, http.StatusOK)
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	sheetRows, err := f.GetRows(f.GetSheetName(0))
	if err != nil || len(sheetRows) != len(s.Rows)+1 {
		t.Fatalf("result has %d rows: %v", len(sheetRows), err)
	}
	if head := sheetRows[0]; head[len(importsample.Header)] != "结果" {
		t.Fatalf("result heading %v", head)
	}
	news := 0
	for _, r := range sheetRows[1:] {
		if len(r) > len(importsample.Header) && r[len(importsample.Header)] == "新增" {
			news++
		}
	}
	if news != s.Expected[domain.OutcomeNew] {
		t.Fatalf("%d new rows in the result, want %d", news, s.Expected[domain.OutcomeNew])
	}
}

// slowStep runs a browser step that previews or imports thousands of rows,
// which on a loaded machine (and under the race detector) takes longer
// than browserStepTimeout.
func slowStep(t *testing.T, ctx context.Context, step func(context.Context) error) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if err := step(sctx); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// TestBrowserImport: an admin uploads the committed 10,000-row sample,
// sees the exact preview, starts the import and watches it finish.
func TestBrowserImport(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	s := importsample.Generate(10000, 7)
	holdSample(t, app, s)
	runImporter(t, app)
	sample, err := filepath.Abs("../../testdata/import-sample-10000.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sample); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t, app)
	browserSignIn(t, ctx, app, "demo", "admin", demoPassword)
	browse(t, ctx,
		chromedp.Navigate(app.URL+"/imports"),
		chromedp.WaitVisible(byTestID("import-upload")),
		chromedp.SetUploadFiles(`#f-file`, []string{sample}),
	)
	slowStep(t, ctx, func(ctx context.Context) error {
		_, err := chromedp.RunResponse(ctx, chromedp.Click(byTestID("import-submit")))
		return err
	})
	browse(t, ctx, chromedp.WaitVisible(byTestID("import-counts")))
	for _, o := range domain.ImportOutcomes {
		got := browserValue(t, ctx, chromedp.Text(byTestID("count-"+string(o))))
		if !strings.HasPrefix(strings.TrimSpace(got), fmt.Sprint(s.Expected[o])) {
			t.Errorf("preview %s: %q, want %d", o, got, s.Expected[o])
		}
	}
	clickAndWait(t, ctx, byTestID("import-start"))
	// The progress bar polls until the import ends, then the page reloads.
	slowStep(t, ctx, func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.WaitVisible(byTestID("result-csv"))) })
	if st := browserValue(t, ctx, chromedp.Text(byTestID("job-status"))); st != "已完成" {
		t.Fatalf("status %q", st)
	}
	if got := browserValue(t, ctx, chromedp.Text(byTestID("count-new"))); !strings.HasPrefix(strings.TrimSpace(got), fmt.Sprint(s.Expected[domain.OutcomeNew])) {
		t.Fatalf("imported %q", got)
	}
}

// TestImportPages: a file the import cannot read brings the upload form
// back with the reason (no 500); a readable one leads to its preview, whose
// mapping form takes a change, and whose progress fragment answers.
func TestImportPages(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signIn(t, "demo", "admin", demoPassword)
	upload := func(name string, data []byte) (*http.Response, []byte) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
		mw.Close()
		req, _ := http.NewRequest("POST", app.URL+"/imports", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		return send(t, c, req)
	}
	resp, page := upload("x.xlsx", []byte("PK\x03\x04 not a workbook"))
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if !strings.Contains(string(page), "无法读取文件") {
		t.Fatalf("no reason on the form: %s", page)
	}
	resp, _ = upload("客户.csv", []byte("公司名称,电话,销售,行业,联系人\n（北京）华为技术有限公司,13812345678,sales1,通信,张三\n北京华为技术有限责任公司,13900000000,sales2,通信,李四\n"))
	mustStatus(t, resp, http.StatusSeeOther)
	job := resp.Header.Get("Location")
	resp, page = app.get(t, c, job)
	mustStatus(t, resp, http.StatusOK)
	doc := parseHTML(t, page)
	for id, want := range map[string]string{"count-new": "1", "count-conflict": "1"} {
		if n := findAll(doc, byTestIDAttr(id)); len(n) != 1 || !strings.HasPrefix(strings.TrimSpace(textOf(n[0])), want) {
			t.Errorf("%s: %v", id, n)
		}
	}
	// Unmapping the owner makes the admin own both: the second is a duplicate.
	resp, _ = app.postForm(t, c, job+"/mapping", url.Values{"map_name": {"0"}, "map_phone": {"1"}, "map_industry": {"3"}, "map_contact_name": {"4"}})
	mustStatus(t, resp, http.StatusSeeOther)
	_, page = app.get(t, c, job)
	if n := findAll(parseHTML(t, page), byTestIDAttr("count-duplicate")); len(n) != 1 || !strings.HasPrefix(strings.TrimSpace(textOf(n[0])), "1") {
		t.Errorf("after remapping: %v", n)
	}
	resp, page = app.postForm(t, c, job+"/mapping", url.Values{"map_phone": {"1"}})
	mustStatus(t, resp, http.StatusUnprocessableEntity)
	if !strings.Contains(string(page), "请选择客户名称所在的列") {
		t.Errorf("no reason for a mapping without a name")
	}
	resp, page = app.get(t, c, job+"/progress")
	mustStatus(t, resp, http.StatusOK)
	if resp.Header.Get("HX-Refresh") != "true" || !strings.Contains(string(page), `data-testid="import-progress"`) {
		t.Errorf("progress of a previewed job: %s", page)
	}
}
