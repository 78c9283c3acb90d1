package domain

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// Personal values in the audit log (PIPL, 个人信息保护法).
//
// The audit log is append-only and hash-chained (audit_chain.go): a
// sealed entry can never change, or `baobei audit verify` fails. Yet a
// contact may ask to be erased. So the log never holds a person's phone or
// name in clear: audit() moves each personal value of an entry's before
// and after into personal_values and writes a reference "pii:<id>" in its
// place. The chain hashes the reference; the value lives outside the
// chain. Erasing a contact blanks the values (value NULL, erased_at set)
// and leaves every audit row and seal as it was, so verification still
// passes, and the erasure itself is a new audit entry (personal.erase).
// Reading the log (the admin's search and CSV export) puts the values
// back, or "[已删除]" once erased.
//
// Which values are personal is decided by their JSON key: phones (phone,
// phones, buyer_phone), visitors (visitor, visitor_name), the name of a
// contact (an element of contacts), and in an object with "kind":"person"
// (a person customer, or an entry about one) its name and customer; and
// the value of a phone identity key ({"Kind":"phone","Value":…}). Entries written before
// migration 00012 were sealed with what they held: phones in them were
// already masked (MaskPhone), and names of visitors and person customers
// stay as sealed.

// personalKinds maps the JSON keys whose string values are personal to
// the kind of value they hold.
var personalKinds = map[string]string{
	"phone": "phone", "phones": "phone", "buyer_phone": "phone",
	"visitor": "name", "visitor_name": "name",
}

// erasedValue replaces an erased personal value wherever it is shown.
const erasedValue = "[已删除]"

// personalRef matches a reference to a personal value in an entry's JSON.
var personalRef = regexp.MustCompile(`"pii:(\d+)"`)

// personalValue is one personal value of an audit entry on its way to
// personal_values.
type personalValue struct {
	kind, value string
	replace     func(ref string)
}

// pseudonymise encodes v as JSON for an audit entry of entity/entityID,
// storing its personal values in personal_values and referring to them.
// nil stays nil (SQL NULL).
func pseudonymise(ctx context.Context, tx pgx.Tx, tenantID int64, entity string, entityID int64, v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	var found []personalValue
	collectPersonal(doc, "", false, &found)
	if len(found) == 0 {
		return b, nil
	}
	for _, p := range found {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO personal_values (tenant_id, kind, value, entity, entity_id)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, tenantID, p.kind, p.value, entity, entityID).Scan(&id); err != nil {
			return nil, fmt.Errorf("personal value: %w", err)
		}
		p.replace("pii:" + strconv.FormatInt(id, 10))
	}
	return json.Marshal(doc)
}

// collectPersonal finds the personal values in doc (decoded JSON) under
// key; contact says doc is an element of a contacts list. Each found
// value comes with the function that replaces it in doc.
func collectPersonal(doc any, key string, contact bool, found *[]personalValue) {
	switch d := doc.(type) {
	case map[string]any:
		person := d["kind"] == string(KindPerson)
		for k, v := range d {
			kind, ok := personalKinds[k]
			if k == "name" && (contact || person) || k == "customer" && person {
				kind, ok = "name", true
			}
			if k == "Value" && d["Kind"] == string(KeyPhone) { // an identity Key, as a merge records it
				kind, ok = "phone", true
			}
			if s, isStr := v.(string); ok && isStr && s != "" {
				*found = append(*found, personalValue{kind: kind, value: s, replace: func(ref string) { d[k] = ref }})
				continue
			}
			collectPersonal(v, k, false, found)
		}
	case []any:
		kind, personal := personalKinds[key]
		for i, v := range d {
			if s, isStr := v.(string); personal && isStr && s != "" {
				*found = append(*found, personalValue{kind: kind, value: s, replace: func(ref string) { d[i] = ref }})
				continue
			}
			collectPersonal(v, "", key == "contacts", found)
		}
	}
}

// resolvePersonal puts the personal values back into audit JSON texts,
// erased ones as "[已删除]".
func resolvePersonal(ctx context.Context, tx pgx.Tx, tenantID int64, texts ...*string) error {
	var ids []int64
	for _, t := range texts {
		for _, m := range personalRef.FindAllStringSubmatch(*t, -1) {
			id, _ := strconv.ParseInt(m[1], 10, 64) // \d+ of a stored id
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT id, COALESCE(value, $3) FROM personal_values WHERE tenant_id = $1 AND id = ANY($2)`,
		tenantID, ids, erasedValue)
	if err != nil {
		return fmt.Errorf("personal values: %w", err)
	}
	values := map[string]string{}
	var (
		id    int64
		value string
	)
	if _, err := pgx.ForEachRow(rows, []any{&id, &value}, func() error {
		b, _ := json.Marshal(value) // a string always encodes
		values["pii:"+strconv.FormatInt(id, 10)] = string(b)
		return nil
	}); err != nil {
		return fmt.Errorf("personal values: %w", err)
	}
	for _, t := range texts {
		*t = personalRef.ReplaceAllStringFunc(*t, func(ref string) string {
			if v, ok := values[ref[1:len(ref)-1]]; ok {
				return v
			}
			return ref
		})
	}
	return nil
}
