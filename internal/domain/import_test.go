package domain_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/domain"
	"baobei/internal/importsample"
	"baobei/internal/sheet"
)

// sampleFile is the committed 10,000-row sample (cmd/importsample).
const sampleFile = "../../testdata/import-sample-10000.csv"

// holdSample registers the claims a sample expects to meet.
func (f *fixture) holdSample(t testing.TB, s importsample.Sample) {
	t.Helper()
	f.setPolicy(t, `{"registration_burst_per_hour": 100000}`)
	for _, h := range s.Held {
		if _, err := f.svc.Register(context.Background(), f.a(t, h.Owner), h.Input); err != nil {
			t.Fatalf("hold %s: %v", h.Input.Customer.Name, err)
		}
	}
}

func csvBytes(t testing.TB, table [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := sheet.WriteCSV(&buf, table); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// allRows reads every row of a job, page by page.
func allRows(t testing.TB, f *fixture, by domain.Actor, id int64) []domain.ImportRowResult {
	t.Helper()
	var out []domain.ImportRowResult
	cursor := 0
	for {
		rows, next, err := f.svc.ImportRows(context.Background(), by, id, "", cursor, 500)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rows...)
		if next == 0 {
			return out
		}
		cursor = next
	}
}

// ownerConn connects as the database owner, outside row-level security.
func (f *fixture) ownerConn(t testing.TB) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), f.url)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// tableCounts counts the rows of every table an import writes.
func (f *fixture) tableCounts(t testing.TB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tbl := range []string{"customers", "customer_keys", "registrations", "live_keys", "audit_log"} {
		out[tbl] = f.ownerCount(t, tbl)
	}
	return out
}

func (f *fixture) ownerCount(t testing.TB, table string) int {
	t.Helper()
	conn := f.ownerConn(t)
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportSampleFileIsGenerated(t *testing.T) {
	committed, err := os.ReadFile(sampleFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, csvBytes(t, importsample.Generate(10000, 7).Table())) {
		t.Fatal("testdata/import-sample-10000.csv differs from importsample.Generate(10000, 7): regenerate it (cmd/importsample)")
	}
}

func TestImportSampleVariantsShareAKey(t *testing.T) {
	for i := range 50 {
		vs := importsample.Variants(i)
		for _, v := range vs[1:] {
			if domain.NameKey(v) != domain.NameKey(vs[0]) {
				t.Fatalf("%q → %q, %q → %q", vs[0], domain.NameKey(vs[0]), v, domain.NameKey(v))
			}
		}
	}
}

// TestImportSample previews the committed sample with exact counts and
// each row's expected outcome, imports it with the progress advancing
// batch by batch, and checks what it wrote.
func TestImportSample(t *testing.T) {
	f := mustDemo(t)
	ctx := context.Background()
	s := importsample.Generate(10000, 7)
	f.holdSample(t, s)
	admin := f.a(t, "admin")
	data, err := os.ReadFile(sampleFile)
	if err != nil {
		t.Fatal(err)
	}
	job, err := f.svc.CreateImport(ctx, admin, domain.Upload{Name: "sample.csv", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if job.Total != 10000 || job.Status != domain.ImportPreview || !job.Ready() {
		t.Fatalf("job %+v", job)
	}
	for _, o := range domain.ImportOutcomes {
		if job.Counts[o] != s.Expected[o] {
			t.Errorf("preview %s = %d, want %d", o, job.Counts[o], s.Expected[o])
		}
	}
	rows := allRows(t, f, admin, job.ID)
	if len(rows) != 10000 {
		t.Fatalf("%d rows", len(rows))
	}
	for i, r := range rows {
		if r.Outcome != s.Outcomes[i] {
			t.Errorf("line %d (%s): %s (%s), want %s", r.Line, r.Name, r.Outcome, r.Reason.En, s.Outcomes[i])
		}
		if r.Outcome != domain.OutcomeNew && (r.Reason.Zh == "" || r.Reason.En == "") {
			t.Errorf("line %d: no reason", r.Line)
		}
	}
	before := f.tableCounts(t)

	var progress []int
	domain.SetAfterImportBatch(f.svc, func(ctx context.Context, done int) error {
		j, err := f.svc.Import(ctx, admin, job.ID) // what the progress page reads
		progress = append(progress, j.Done)
		return err
	})
	if _, err := f.svc.StartImport(ctx, admin, job.ID); err != nil {
		t.Fatal(err)
	}
	if err := domain.RunPendingImports(ctx, f.svc); err != nil {
		t.Fatal(err)
	}
	want := []int{}
	for done := domain.ImportBatch; done < 10000+domain.ImportBatch; done += domain.ImportBatch {
		want = append(want, min(done, 10000))
	}
	if !slicesEqual(progress, want) {
		t.Fatalf("progress %v, want %v", progress, want)
	}
	job, err = f.svc.Import(ctx, admin, job.ID)
	if err != nil || job.Status != domain.ImportDone || job.Done != 10000 {
		t.Fatalf("job %+v %v", job, err)
	}
	for _, o := range domain.ImportOutcomes {
		if job.Counts[o] != s.Expected[o] {
			t.Errorf("import %s = %d, want %d", o, job.Counts[o], s.Expected[o])
		}
	}
	after := f.tableCounts(t)
	newRows := s.Expected[domain.OutcomeNew]
	if got := after["registrations"] - before["registrations"]; got != newRows {
		t.Errorf("%d registrations written, want %d", got, newRows)
	}
	if got := after["customers"] - before["customers"]; got != newRows {
		t.Errorf("%d customers written, want %d", got, newRows)
	}
	if got := after["audit_log"] - before["audit_log"]; got != newRows+2 { // + import.start and import.done
		t.Errorf("%d audit entries, want %d", got, newRows+2)
	}
	// Every new row's registration exists, active, with its owner.
	res, err := f.svc.ImportResult(ctx, admin, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.Results {
		if r.Outcome != domain.OutcomeNew {
			continue
		}
		reg, err := f.svc.Registration(ctx, admin, r.RegistrationID)
		if err != nil || reg.Status != domain.StatusActive || reg.Customer.Name != res.Rows[i][0] {
			t.Fatalf("line %d: %+v %v", r.Line, reg.Status, err)
		}
		break
	}
	// A second import of the same file finds every claim held now.
	again, err := f.svc.CreateImport(ctx, admin, domain.Upload{Name: "again.csv", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if again.Counts[domain.OutcomeNew] != 0 {
		t.Errorf("re-import: %v", again.Counts)
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestImportAtomicity fails an import in its second batch, then
// interrupts one (its context ends): neither leaves a row behind; a retry
// and a resumed run import everything once.
func TestImportAtomicity(t *testing.T) {
	f := mustDemo(t)
	ctx := context.Background()
	s := importsample.Generate(3*domain.ImportBatch, 11)
	f.holdSample(t, s)
	admin := f.a(t, "admin")
	job, err := f.svc.CreateImport(ctx, admin, domain.Upload{Name: "a.csv", Data: csvBytes(t, s.Table())})
	if err != nil {
		t.Fatal(err)
	}
	before := f.tableCounts(t)
	boom := errors.New("disk full")
	domain.SetAfterImportBatch(f.svc, func(ctx context.Context, done int) error {
		if done == 2*domain.ImportBatch {
			return boom
		}
		return nil
	})
	if _, err := f.svc.StartImport(ctx, admin, job.ID); err != nil {
		t.Fatal(err)
	}
	if err := domain.RunPendingImports(ctx, f.svc); !errors.Is(err, boom) {
		t.Fatalf("run: %v", err)
	}
	job, _ = f.svc.Import(ctx, admin, job.ID)
	if job.Status != domain.ImportFailed || job.Error == "" {
		t.Fatalf("job %+v", job)
	}
	if after := f.tableCounts(t); !mapsEqual(after, before, "audit_log") {
		t.Fatalf("failed import left rows: %v → %v", before, after)
	}

	// Interrupted: the context ends inside the second batch.
	runCtx, cancel := context.WithCancel(ctx)
	domain.SetAfterImportBatch(f.svc, func(ctx context.Context, done int) error {
		if done == 2*domain.ImportBatch {
			cancel()
		}
		return nil
	})
	if _, err := f.svc.StartImport(ctx, admin, job.ID); err != nil {
		t.Fatal(err)
	}
	_ = domain.RunPendingImports(runCtx, f.svc)
	job, _ = f.svc.Import(ctx, admin, job.ID)
	if job.Status != domain.ImportRunning {
		t.Fatalf("interrupted job %+v", job)
	}
	if after := f.tableCounts(t); !mapsEqual(after, before, "audit_log") {
		t.Fatalf("interrupted import left rows: %v → %v", before, after)
	}

	// Resumed, as a restarted server does.
	domain.SetAfterImportBatch(f.svc, nil)
	if err := domain.RunPendingImports(ctx, f.svc); err != nil {
		t.Fatal(err)
	}
	job, _ = f.svc.Import(ctx, admin, job.ID)
	if job.Status != domain.ImportDone || job.Counts[domain.OutcomeNew] != s.Expected[domain.OutcomeNew] {
		t.Fatalf("resumed job %+v", job)
	}
	if got := f.tableCounts(t)["registrations"] - before["registrations"]; got != s.Expected[domain.OutcomeNew] {
		t.Fatalf("%d registrations, want %d", got, s.Expected[domain.OutcomeNew])
	}
}

// mapsEqual compares table counts, ignoring skip (the audit log gains the
// job's own entries).
func mapsEqual(a, b map[string]int, skip string) bool {
	for k, v := range a {
		if k != skip && b[k] != v {
			return false
		}
	}
	return true
}

// TestImportRacesRegister registers customers of the file while the import
// runs — one that the import writes later (committed first: the import
// starts over and sees it) and one it wrote already (waiting on the
// import's keys) — and checks that every customer ends with one live claim.
func TestImportRacesRegister(t *testing.T) {
	f := mustDemo(t)
	ctx := context.Background()
	s := importsample.Generate(3*domain.ImportBatch, 13)
	admin := f.a(t, "admin")
	job, err := f.svc.CreateImport(ctx, admin, domain.Upload{Name: "r.csv", Data: csvBytes(t, s.Table())})
	if err != nil {
		t.Fatal(err)
	}
	f.setPolicy(t, `{"registration_burst_per_hour": 100000}`)
	rows := allRows(t, f, admin, job.ID)
	pick := func(from, to int) (int, domain.RegistrationInput, domain.Actor) {
		for i := from; i < to; i++ {
			if rows[i].Outcome == domain.OutcomeNew {
				c := s.Rows[i]
				other := "sales1"
				if rows[i].Owner == "sales1" {
					other = "sales2"
				}
				in := company(c[0], "")
				in.Customer.Contacts[0].Phone = c[3]
				return i, in, f.a(t, other)
			}
		}
		t.Fatal("no new row")
		return 0, domain.RegistrationInput{}, domain.Actor{}
	}
	late, lateIn, lateBy := pick(2*domain.ImportBatch+10, 3*domain.ImportBatch)
	early, earlyIn, earlyBy := pick(10, domain.ImportBatch)
	var once sync.Once
	var wg sync.WaitGroup
	var earlyReg domain.Registration
	var earlyErr error
	domain.SetAfterImportBatch(f.svc, func(ctx context.Context, done int) error {
		once.Do(func() {
			if _, err := f.svc.Register(ctx, lateBy, lateIn); err != nil {
				t.Errorf("register late: %v", err)
			}
			wg.Go(func() { earlyReg, earlyErr = f.svc.Register(context.Background(), earlyBy, earlyIn) })
		})
		return nil
	})
	if _, err := f.svc.StartImport(ctx, admin, job.ID); err != nil {
		t.Fatal(err)
	}
	if err := domain.RunPendingImports(ctx, f.svc); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if earlyErr != nil {
		t.Fatal(earlyErr)
	}
	rows = allRows(t, f, admin, job.ID)
	if rows[late].Outcome != domain.OutcomeConflict {
		t.Errorf("row registered meanwhile: %s", rows[late].Outcome)
	}
	if (rows[early].Outcome == domain.OutcomeNew) == (earlyReg.Status == domain.StatusActive) {
		t.Errorf("both or neither hold the early customer: row %s, registration %s", rows[early].Outcome, earlyReg.Status)
	}
	conn := f.ownerConn(t)
	defer conn.Close(ctx)
	var shared int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM (
		SELECT ck.kind, ck.key FROM registrations r JOIN customer_keys ck ON ck.tenant_id = r.tenant_id AND ck.customer_id = r.customer_id
		WHERE r.status = 'active' GROUP BY ck.kind, ck.key HAVING count(DISTINCT r.id) > 1) x`).Scan(&shared); err != nil {
		t.Fatal(err)
	}
	if shared != 0 {
		t.Fatalf("%d keys held by two live claims", shared)
	}
}

// TestImportMatchesRegister imports a generated file into one company and
// registers the same rows one by one, in file order, into another: every
// row's outcome is the same, preview and import alike.
func TestImportMatchesRegister(t *testing.T) {
	s := importsample.Generate(300, 17)
	for _, r := range s.Rows {
		r[5] = "" // Register files at the clock's time; so does the import without a time
	}
	ctx := context.Background()

	imp := mustDemo(t)
	imp.holdSample(t, s)
	admin := imp.a(t, "admin")
	job, err := imp.svc.CreateImport(ctx, admin, domain.Upload{Name: "eq.csv", Data: csvBytes(t, s.Table())})
	if err != nil {
		t.Fatal(err)
	}
	preview := allRows(t, imp, admin, job.ID)
	if _, err := imp.svc.StartImport(ctx, admin, job.ID); err != nil {
		t.Fatal(err)
	}
	if err := domain.RunPendingImports(ctx, imp.svc); err != nil {
		t.Fatal(err)
	}
	imported := allRows(t, imp, admin, job.ID)

	reg := mustDemo(t)
	reg.holdSample(t, s)
	for i, c := range s.Rows {
		reg.advance(time.Second)
		in := domain.RegistrationInput{Customer: domain.Customer{Kind: domain.KindCompany, Name: c[0], USCC: c[1], Region: c[6],
			Project: c[7], Industry: c[8]}, Grade: c[9], Needs: c[10]}
		if c[2] != "" || c[3] != "" {
			in.Customer.Contacts = []domain.Contact{{Name: c[2], Phone: c[3], Relation: "self"}}
		}
		want := domain.OutcomeInvalid // an unknown owner cannot register
		if by, ok := reg.actors[c[4]]; ok {
			r, err := reg.svc.Register(ctx, by, in)
			switch {
			case domain.ErrorCode(err) == domain.CodeInvalid:
			case domain.ErrorCode(err) == domain.CodeDuplicate:
				want = domain.OutcomeDuplicate
			case err != nil:
				t.Fatalf("line %d: %v", i+2, err)
			case r.Conflict != nil:
				want = domain.OutcomeConflict
			default:
				want = domain.OutcomeNew
			}
		}
		if preview[i].Outcome != want || imported[i].Outcome != want {
			t.Errorf("line %d %s (%s): Register %s, preview %s, import %s (%s)", preview[i].Line, c[0], c[4], want,
				preview[i].Outcome, imported[i].Outcome, imported[i].Reason.En)
		}
	}
}

// TestImportXLSXAndManagerScope previews the same rows from XLSX as from
// CSV, and as a manager: rows owned outside the manager's teams are
// invalid, with the reason.
func TestImportXLSXAndManagerScope(t *testing.T) {
	f := mustDemo(t)
	ctx := context.Background()
	s := importsample.Generate(200, 19)
	f.holdSample(t, s)
	var xlsx bytes.Buffer
	if err := sheet.ImportXLSX(&xlsx, s.Table()); err != nil {
		t.Fatal(err)
	}
	job, err := f.svc.CreateImport(ctx, f.a(t, "admin"), domain.Upload{Name: "s.xlsx", Data: xlsx.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range domain.ImportOutcomes {
		if job.Counts[o] != s.Expected[o] {
			t.Errorf("xlsx %s = %d, want %d", o, job.Counts[o], s.Expected[o])
		}
	}

	manager := f.a(t, "manager1") // 一组: sales1, sales2
	job, err = f.svc.CreateImport(ctx, manager, domain.Upload{Name: "m.csv", Data: csvBytes(t, s.Table())})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range allRows(t, f, manager, job.ID) {
		outside := r.Owner == "sales3" || r.Owner == "sales4"
		if outside && (r.Outcome != domain.OutcomeInvalid || !strings.Contains(r.Reason.Zh, "不在您管理的团队")) {
			t.Errorf("line %d owned by %s: %s %s", r.Line, r.Owner, r.Outcome, r.Reason.Zh)
		}
	}
	if _, err := f.svc.Import(ctx, f.a(t, "manager2"), job.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("another manager reads the job: %v", err)
	}
	if _, err := f.svc.CreateImport(ctx, f.a(t, "sales1"), domain.Upload{Name: "x.csv", Data: csvBytes(t, s.Table())}); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("sales imports: %v", err)
	}
}
