// Command importsample writes a generated import file (CSV, or XLSX when
// the output ends in .xlsx) and prints its expected outcome counts; the
// committed testdata/import-sample-10000.csv is
//
//	go run ./cmd/importsample -n 10000 -seed 7 -o testdata/import-sample-10000.csv
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"baobei/internal/domain"
	"baobei/internal/importsample"
	"baobei/internal/sheet"
)

func main() {
	n := flag.Int("n", 10000, "rows")
	seed := flag.Uint64("seed", 7, "random seed")
	out := flag.String("o", "import-sample.csv", "output file (.csv or .xlsx)")
	flag.Parse()
	s := importsample.Generate(*n, *seed)
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	write := sheet.WriteCSV
	if strings.HasSuffix(*out, ".xlsx") {
		write = sheet.ImportXLSX
	}
	if err := write(f, s.Table()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d rows, %d claims to register first (importsample.Held)\n", *out, len(s.Rows), len(s.Held))
	for _, o := range domain.ImportOutcomes {
		fmt.Printf("  %-9s %d\n", o, s.Expected[o])
	}
}
