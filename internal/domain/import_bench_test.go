package domain_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"baobei/internal/domain"
	"baobei/internal/importsample"
	"baobei/internal/sheet"
)

// BenchmarkImport100k previews and imports a generated file of 100,000
// rows into the demo company: upload with preview, then the import itself.
// The file is XLSX (5 MB): as CSV it would exceed the 10 MiB upload limit.
// Run it once (docs/benchmarks.md):
//
//	go test -run '^$' -bench BenchmarkImport100k -benchtime 1x ./internal/domain/
func BenchmarkImport100k(b *testing.B) {
	const rows = 100_000
	s := importsample.Generate(rows, 7)
	var buf bytes.Buffer
	if err := sheet.ImportXLSX(&buf, s.Table()); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	ctx := context.Background()
	var preview, run time.Duration
	for range b.N {
		b.StopTimer()
		f := mustDemo(b)
		admin := f.a(b, "admin")
		b.StartTimer()
		start := time.Now()
		job, err := f.svc.CreateImport(ctx, admin, domain.Upload{Name: "100k.xlsx", Data: data})
		if err != nil {
			b.Fatal(err)
		}
		preview += time.Since(start)
		start = time.Now()
		if _, err := f.svc.StartImport(ctx, admin, job.ID); err != nil {
			b.Fatal(err)
		}
		if err := domain.RunPendingImports(ctx, f.svc); err != nil {
			b.Fatal(err)
		}
		run += time.Since(start)
		if job, err = f.svc.Import(ctx, admin, job.ID); err != nil || job.Status != domain.ImportDone || job.Done != rows {
			b.Fatalf("job %+v %v", job, err)
		}
	}
	b.ReportMetric(preview.Seconds()/float64(b.N), "preview-s/op")
	b.ReportMetric(run.Seconds()/float64(b.N), "import-s/op")
	b.ReportMetric(float64(rows)/run.Seconds()*float64(b.N), "rows/s")
}
