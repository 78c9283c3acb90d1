package sheet

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// ImportResultTable returns an import's file with each row's outcome: the
// file's columns, then the outcome, the reason and the registration
// created, headed in the language of ctx.
func ImportResultTable(ctx context.Context, res domain.ImportResult) [][]string {
	lang := i18n.FromContext(ctx)
	head := append(append([]string{}, res.Headers...), i18n.T(ctx, "import.outcome"), i18n.T(ctx, "import.reason"), i18n.T(ctx, "import.registration"))
	table := [][]string{head}
	for i, row := range res.Rows {
		cells := make([]string, len(res.Headers), len(head))
		copy(cells, row)
		r := res.Results[i]
		reg := ""
		if r.RegistrationID != 0 {
			reg = strconv.FormatInt(r.RegistrationID, 10)
		}
		table = append(table, append(cells, r.Outcome.Label().In(lang), r.Reason.In(lang), reg))
	}
	return table
}

// RespondImportResult answers an import's result as a CSV or XLSX (ext)
// file named import-<id>-result.
func RespondImportResult(ctx context.Context, w http.ResponseWriter, res domain.ImportResult, ext string) error {
	return RespondTable(w, ImportResultTable(ctx, res), "import", fmt.Sprintf("import-%d-result", res.Job.ID), ext)
}

// ImportXLSX writes an import file (a table, headings first) as XLSX.
func ImportXLSX(w io.Writer, table [][]string) error { return WriteXLSX(w, "import", table) }
