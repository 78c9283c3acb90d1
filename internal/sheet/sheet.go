// Package sheet writes the files people archive and open in Excel, CSV
// and XLSX: the daily visit sheet (每日到访登记表) and the reports (报表).
// The pages and the API share it.
package sheet

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// columns are the sheet's columns, as catalogue keys of their headings.
var columns = []string{"visit.visited_at", "visit.visitor_name", "visit.phone", "visit.company", "visit.salesperson",
	"visit.party_size", "visit.effect", "visit.note", "visit.recorded_by"}

// VisitTable returns the sheet of visits as rows of text, headings first,
// in the language of ctx with times in loc. Phones are as the visits hold
// them: masked. A voided visit's effect says so, with the reason.
func VisitTable(ctx context.Context, loc *time.Location, visits []domain.Visit) [][]string {
	head := make([]string, len(columns))
	for i, key := range columns {
		head[i] = i18n.T(ctx, key)
	}
	table := [][]string{head}
	for _, v := range visits {
		sales := v.SalespersonName
		if v.SalespersonID == 0 {
			sales = i18n.T(ctx, "visit.self_visit")
		}
		effect := i18n.T(ctx, "visit.effect."+string(v.Effect))
		if v.VoidedAt != nil { // a voided visit stays on the sheet, marked
			effect += " · " + i18n.T(ctx, "void.voided") + ": " + v.VoidReason
		}
		table = append(table, []string{v.VisitedAt.In(loc).Format("2006-01-02 15:04"), v.VisitorName, v.Phone, v.Company,
			sales, strconv.Itoa(v.PartySize), effect, v.Note, v.RecordedByName})
	}
	return table
}

// utf8BOM starts the CSV so that Excel reads it as UTF-8, not as the
// system's legacy code page (which garbles Chinese).
const utf8BOM = "\ufeff"

// WriteCSV writes table as CSV (RFC 4180, CRLF line ends), preceded by a
// UTF-8 byte order mark.
func WriteCSV(w io.Writer, table [][]string) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.WriteAll(table); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// Sheet is one worksheet of a workbook: its name and its rows, headings
// first. Cells are text or numbers.
type Sheet struct {
	Name string
	Rows [][]any
}

// WriteXLSX writes table as an XLSX workbook with one sheet named name,
// the heading row bold and frozen.
func WriteXLSX(w io.Writer, name string, table [][]string) error {
	return WriteWorkbook(w, []Sheet{TextSheet(name, table)})
}

// TextSheet is the sheet name holding table, every cell text.
func TextSheet(name string, table [][]string) Sheet {
	rows := make([][]any, len(table))
	for i, row := range table {
		rows[i] = make([]any, len(row))
		for j, c := range row {
			rows[i][j] = c
		}
	}
	return Sheet{Name: name, Rows: rows}
}

// WriteWorkbook writes sheets as one XLSX workbook, in order, each
// heading row bold and frozen.
func WriteWorkbook(w io.Writer, sheets []Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, sh := range sheets {
		var err error
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), sh.Name)
		} else {
			_, err = f.NewSheet(sh.Name)
		}
		if err == nil {
			err = writeSheet(f, sh)
		}
		if err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

// writeSheet fills the sheet sh.Name of f with sh's rows.
func writeSheet(f *excelize.File, sh Sheet) error {
	for i, row := range sh.Rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sh.Name, cell, &row); err != nil {
			return err
		}
	}
	if len(sh.Rows) == 0 {
		return nil
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	lastCol, err := excelize.ColumnNumberToName(max(len(sh.Rows[0]), 1))
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(sh.Name, "A1", lastCol+"1", bold); err != nil {
		return err
	}
	if err := f.SetPanes(sh.Name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return f.SetColWidth(sh.Name, "A", lastCol, 16)
}

// Content types of the sheet's files.
const (
	ContentTypeCSV  = "text/csv; charset=utf-8"
	ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// Respond answers the visits of day (YYYY-MM-DD) as a file to download:
// XLSX when ext is "xlsx", CSV otherwise, named visits-<day>.<ext>, with
// headings in the language of ctx and times in loc. The pages and the API
// both serve it.
func Respond(ctx context.Context, w http.ResponseWriter, loc *time.Location, day, ext string, visits []domain.Visit) error {
	return RespondTable(w, VisitTable(ctx, loc, visits), day, "visits-"+day, ext)
}

// RespondTable answers table as a file to download named base.<ext>: XLSX
// (one sheet named sheetName) when ext is "xlsx", CSV otherwise.
func RespondTable(w http.ResponseWriter, table [][]string, sheetName, base, ext string) error {
	return respond(w, base, ext,
		func(w io.Writer) error { return WriteCSV(w, table) },
		func(w io.Writer) error { return WriteXLSX(w, sheetName, table) })
}

// respond answers a file to download named name.<ext>: written by xlsx
// when ext is "xlsx", by csv otherwise.
func respond(w http.ResponseWriter, name, ext string, csv, xlsx func(io.Writer) error) error {
	var buf bytes.Buffer
	write, contentType := csv, ContentTypeCSV
	if ext == "xlsx" {
		write, contentType = xlsx, ContentTypeXLSX
	} else {
		ext = "csv"
	}
	if err := write(&buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.`+ext+`"`)
	_, err := w.Write(buf.Bytes())
	return err
}
