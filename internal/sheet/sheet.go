// Package sheet writes the daily visit sheet (每日到访登记表) as the files
// front desks archive and open in Excel: CSV and XLSX. The pages and the
// API share it.
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
// them: masked.
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
		table = append(table, []string{v.VisitedAt.In(loc).Format("2006-01-02 15:04"), v.VisitorName, v.Phone, v.Company,
			sales, strconv.Itoa(v.PartySize), i18n.T(ctx, "visit.effect."+string(v.Effect)), v.Note, v.RecordedByName})
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

// WriteXLSX writes table as an XLSX workbook with one sheet named name,
// the heading row bold and frozen.
func WriteXLSX(w io.Writer, name string, table [][]string) error {
	return WriteWorkbook(w, []Sheet{{Name: name, Table: table}})
}

// Sheet is one named sheet of a workbook: rows of text, headings first.
type Sheet struct {
	Name  string
	Table [][]string
}

// WriteWorkbook writes the sheets as an XLSX workbook, in order, each
// with its heading row bold and frozen.
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
		if err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		if err := writeSheet(f, sh.Name, sh.Table); err != nil {
			return err
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

// writeSheet fills the sheet name with table.
func writeSheet(f *excelize.File, name string, table [][]string) error {
	for i, row := range table {
		cells := make([]any, len(row))
		for j, c := range row {
			cells[j] = c
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		if err := f.SetSheetRow(name, cell, &cells); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	if len(table) == 0 {
		return nil
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	last, err := excelize.CoordinatesToCellName(len(table[0]), 1)
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := f.SetCellStyle(name, "A1", last, bold); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := f.SetColWidth(name, "A", "I", 16); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
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
	table := VisitTable(ctx, loc, visits)
	var buf bytes.Buffer
	write, contentType := WriteCSV, ContentTypeCSV
	if ext == "xlsx" {
		write = func(w io.Writer, table [][]string) error { return WriteXLSX(w, day, table) }
		contentType = ContentTypeXLSX
	} else {
		ext = "csv"
	}
	if err := write(&buf, table); err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="visits-`+day+`.`+ext+`"`)
	_, err := w.Write(buf.Bytes())
	return err
}
