package sheet

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// figureColumns are the headings of a report line's figures, as catalogue
// keys, in the order ReportSheets writes them.
var figureColumns = []string{"report.registrations", "report.conflicts", "report.rate_percent", "report.visited",
	"report.converted", "report.expiries", "report.visits", "report.deals", "report.amount"}

// figureCells are f's cells under figureColumns: the conflict rate as a
// percentage to one decimal, empty without registrations.
func figureCells(f domain.ReportFigures) []any {
	var rate any = ""
	if r, ok := f.ConflictRate(); ok {
		rate = math.Round(r*1000) / 10
	}
	return []any{f.Registrations, f.Conflicts, rate, f.Visited, f.Converted, f.Expiries, f.Visits, f.Deals, f.Amount}
}

// headings translates catalogue keys in the language of ctx.
func headings(ctx context.Context, keys ...string) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = i18n.T(ctx, k)
	}
	return out
}

// ReportSheets returns the report as worksheets — by team (with the
// total), by person, the funnel, decisions by rule and deal attribution
// by rule — with headings in the language of ctx. Counts and amounts are
// numbers.
func ReportSheets(ctx context.Context, rep domain.Report) []Sheet {
	lang := i18n.FromContext(ctx)
	teams := [][]any{append(headings(ctx, "report.team"), headings(ctx, figureColumns...)...)}
	for _, l := range rep.Teams {
		teams = append(teams, append([]any{l.Name}, figureCells(l.ReportFigures)...))
	}
	teams = append(teams, append([]any{i18n.T(ctx, "report.total")}, figureCells(rep.Total)...))
	people := [][]any{append(headings(ctx, "user.display_name", "report.team"), headings(ctx, figureColumns...)...)}
	for _, l := range rep.People {
		people = append(people, append([]any{l.Name, l.Team}, figureCells(l.ReportFigures)...))
	}
	funnel := [][]any{headings(ctx, "report.stage", "report.count", "report.share_percent")}
	for _, s := range rep.Funnel() {
		var share any = ""
		if rep.Total.Registrations > 0 {
			share = math.Round(float64(s.Count)*1000/float64(rep.Total.Registrations)) / 10
		}
		funnel = append(funnel, []any{s.Label.In(lang), s.Count, share})
	}
	decisions := [][]any{headings(ctx, "report.rule", "report.count")}
	for _, d := range rep.Decisions {
		decisions = append(decisions, []any{d.Label.In(lang), d.Count})
	}
	attribution := [][]any{headings(ctx, "report.rule", "report.deals", "report.amount")}
	for _, a := range rep.Attribution {
		attribution = append(attribution, []any{a.Label.In(lang), a.Count, a.Amount})
	}
	return []Sheet{
		{Name: i18n.T(ctx, "report.sheet.teams"), Rows: teams},
		{Name: i18n.T(ctx, "report.sheet.people"), Rows: people},
		{Name: i18n.T(ctx, "report.sheet.funnel"), Rows: funnel},
		{Name: i18n.T(ctx, "report.sheet.decisions"), Rows: decisions},
		{Name: i18n.T(ctx, "report.sheet.attribution"), Rows: attribution},
	}
}

// ReportCSV flattens sheets into one CSV table: each sheet's name on a
// line of its own, then its rows, then an empty line.
func ReportCSV(sheets []Sheet) [][]string {
	var table [][]string
	for i, sh := range sheets {
		if i > 0 {
			table = append(table, []string{})
		}
		table = append(table, []string{sh.Name})
		for _, row := range sh.Rows {
			line := make([]string, len(row))
			for j, c := range row {
				line[j] = cellText(c)
			}
			table = append(table, line)
		}
	}
	return table
}

// cellText is a cell as CSV text.
func cellText(c any) string {
	switch v := c.(type) {
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(c)
}

// RespondReport answers the report as a file to download named
// report-<from>_<to>.<ext>: XLSX (a sheet per table) when ext is "xlsx",
// CSV (the tables one after another) otherwise, with headings in the
// language of ctx.
func RespondReport(ctx context.Context, w http.ResponseWriter, rep domain.Report, ext string) error {
	sheets := ReportSheets(ctx, rep)
	name := "report-" + rep.From.Format(time.DateOnly) + "_" + rep.To.Format(time.DateOnly)
	return respond(w, name, ext,
		func(w io.Writer) error { return WriteCSV(w, ReportCSV(sheets)) },
		func(w io.Writer) error { return WriteWorkbook(w, sheets) })
}
