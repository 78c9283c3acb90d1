package domain_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"baobei/internal/benchseed"
	"baobei/internal/domain"
)

// seedCustomers gives the demo company n customers (benchseed.Customers),
// each held by an active registration of sales1 since a day ago.
func seedCustomers(b testing.TB, f *fixture, n int) {
	b.Helper()
	if err := benchseed.Customers(context.Background(), f.url, f.a(b, "sales1"), n, f.svc.Now().Add(-24*time.Hour)); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRegister files registrations with the full conflict check
// against a company holding a million customers: four in five are new
// customers, one in five collides with a held one and is decided by the
// rule engine. Run with `make bench`; the figure is in docs/benchmarks.md.
func BenchmarkRegister(b *testing.B) {
	f := mustDemo(b)
	f.setPolicy(b, `{"registration_burst_per_hour":100000}`)
	seedCustomers(b, f, benchCustomers)
	ctx := context.Background()
	sellers := []domain.Actor{f.a(b, "sales2"), f.a(b, "sales3"), f.a(b, "sales4")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in := company(fmt.Sprintf("新客户%d贸易有限公司", i), fmt.Sprintf("137%08d", i))
		if i%5 == 0 {
			in = company(benchseed.Name(i+1), fmt.Sprintf("136%08d", i))
		}
		r, err := f.svc.Register(ctx, sellers[i%len(sellers)], in)
		if err != nil {
			b.Fatal(err)
		}
		if (i%5 == 0) != (r.Status == domain.StatusRejected) {
			b.Fatalf("registration %d: status %s", i, r.Status)
		}
	}
}

// benchCustomers is how many customers the company holds in the benchmark.
var benchCustomers = 1_000_000
