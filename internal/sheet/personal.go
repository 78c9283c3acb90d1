package sheet

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// WritePersonalData writes the PIPL export of one contact as an XLSX
// workbook: one sheet per kind of record (contacts, identity keys,
// visits, deals, follow-up notes, audit values), headings in the language
// of ctx and times in loc.
func WritePersonalData(ctx context.Context, w io.Writer, loc *time.Location, d domain.PersonalData) error {
	at := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") }
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	head := func(keys ...string) []string {
		row := make([]string, len(keys))
		for i, k := range keys {
			row[i] = i18n.T(ctx, k)
		}
		return row
	}
	contacts := [][]string{head("privacy.source", "privacy.record", "privacy.customer", "privacy.name", "privacy.title", "privacy.phone", "privacy.relation")}
	for _, c := range d.Contacts {
		contacts = append(contacts, []string{i18n.T(ctx, "privacy.source."+c.Source), id(c.ID), c.CustomerName, c.Contact.Name,
			c.Contact.Title, c.Contact.Phone, c.Contact.Relation})
	}
	keys := [][]string{head("privacy.customer_id", "privacy.key_kind", "privacy.key")}
	for _, k := range d.Keys {
		keys = append(keys, []string{id(k.CustomerID), k.Kind, k.Key})
	}
	visits := [][]string{head("privacy.record", "visit.visited_at", "visit.visitor_name", "visit.phone", "visit.company", "visit.note")}
	for _, v := range d.Visits {
		visits = append(visits, []string{id(v.ID), at(v.VisitedAt), v.VisitorName, v.Phone, v.Company, v.Note})
	}
	deals := [][]string{head("privacy.record", "privacy.contract_no", "privacy.signed_at", "privacy.buyer_phone", "privacy.customer")}
	for _, x := range d.Deals {
		deals = append(deals, []string{id(x.ID), x.ContractNo, at(x.SignedAt), x.BuyerPhone, x.CustomerName})
	}
	notes := [][]string{head("privacy.record", "privacy.registration", "privacy.at", "privacy.note")}
	for _, n := range d.FollowUps {
		notes = append(notes, []string{id(n.ID), id(n.RegistrationID), at(n.At), n.Note})
	}
	values := [][]string{head("privacy.record", "privacy.key_kind", "privacy.value", "privacy.entity", "privacy.entity_id")}
	for _, v := range d.AuditValues {
		values = append(values, []string{id(v.ID), v.Kind, v.Value, v.Entity, id(v.EntityID)})
	}
	return WriteWorkbook(w, []Sheet{
		TextSheet(i18n.T(ctx, "privacy.sheet.contacts"), contacts), TextSheet(i18n.T(ctx, "privacy.sheet.keys"), keys),
		TextSheet(i18n.T(ctx, "privacy.sheet.visits"), visits), TextSheet(i18n.T(ctx, "privacy.sheet.deals"), deals),
		TextSheet(i18n.T(ctx, "privacy.sheet.follow_ups"), notes), TextSheet(i18n.T(ctx, "privacy.sheet.audit"), values),
	})
}

// RespondPersonalData answers the export as an XLSX file to download
// (personal-data.xlsx); the pages and the API both serve it.
func RespondPersonalData(ctx context.Context, w http.ResponseWriter, loc *time.Location, d domain.PersonalData) error {
	var buf bytes.Buffer
	if err := WritePersonalData(ctx, &buf, loc, d); err != nil {
		return err
	}
	w.Header().Set("Content-Type", ContentTypeXLSX)
	w.Header().Set("Content-Disposition", `attachment; filename="personal-data.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(buf.Bytes())
	return err
}
