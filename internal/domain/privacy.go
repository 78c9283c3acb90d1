package domain

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// Personal information duties (PIPL, 个人信息保护法): an admin exports
// everything stored about one contact, erases a contact on request, and
// the retention setting anonymises the contacts of customers nobody has
// claimed for retention_months. Erasure keeps the records (registrations,
// visits, deals and their history stay, with the person's name replaced
// by "[已删除]" and phones removed) and keeps the audit chain verifiable:
// the audit log holds references to personal values, never the values
// (personal.go), and the erasure is itself audited (personal.erase).

// PersonLookup names the contact an admin asks about: a full phone, a
// name, or both. With both, a record matches by the phone, or by the name
// when its phone is empty or the same number; with a name only, every
// contact of that name matches (every 张伟: check the export first).
type PersonLookup struct {
	Phone string `json:"phone"`
	Name  string `json:"name"`
}

// normalized validates the lookup and returns it with the phone as
// digits and the name trimmed. Invalid (fields phone, name) when both are
// empty, the phone is not a full number of 7–15 digits, or the name is
// not a short text.
func (l PersonLookup) normalized() (PersonLookup, error) {
	errs := map[string]i18n.Text{}
	l.Name = strings.TrimSpace(l.Name)
	if m, bad := checkPhone(l.Phone); bad {
		errs["phone"] = m
	} else if l.Phone = NormalizePhone(l.Phone); l.Phone != "" && !fullPhone(l.Phone) {
		errs["phone"] = i18n.Text{Zh: "须填写完整的电话号码, 不能隐藏数字", En: "Give the full phone number, without hidden digits"}
	}
	if m, bad := checkText(l.Name, maxShortRunes, false); bad {
		errs["name"] = m
	}
	if l.Phone == "" && l.Name == "" && len(errs) == 0 {
		errs["phone"] = i18n.Text{Zh: "请填写电话或姓名", En: "Give a phone or a name"}
	}
	if len(errs) > 0 {
		return l, Invalid(errs)
	}
	return l, nil
}

// matches reports whether a person stored as name and phone is the
// looked-up contact. A masked phone counts only with the same name.
func (l PersonLookup) matches(name, phone string) bool {
	phone = NormalizePhone(phone)
	byPhone := l.Phone != "" && phone != "" &&
		(phone == l.Phone || PhonesMatch(phone, l.Phone) && l.Name != "" && name == l.Name)
	byName := l.Name != "" && name == l.Name && (l.Phone == "" || phone == "" || byPhone)
	return byPhone || byName
}

// selection says which contacts a search or an erasure concerns: those
// the lookup matches, or (retention) every contact of the customers
// listed.
type selection struct {
	lookup    PersonLookup
	customers []int64
}

func (s selection) contact(name, phone string) bool {
	return s.customers != nil || s.lookup.matches(name, phone)
}

// personName reports whether a person customer's own name is selected:
// its name matches and, when the lookup has a phone, one of its self
// contacts is selected too.
func (s selection) personName(c Customer) bool {
	if c.Kind != KindPerson {
		return false
	}
	if s.customers != nil {
		return true
	}
	return s.lookup.Name != "" && c.Name == s.lookup.Name &&
		(s.lookup.Phone == "" || slices.ContainsFunc(c.Contacts, func(ct Contact) bool { return s.lookup.matches(c.Name, ct.Phone) }))
}

// PersonalContact is a selected contact as one record holds it: a
// registration's or a deal's copy of the customer, or the customer itself.
type PersonalContact struct {
	Source       string  `json:"source"` // registration | customer | deal
	ID           int64   `json:"id,string"`
	CustomerID   int64   `json:"customer_id,string"`
	CustomerName string  `json:"customer_name"`
	Contact      Contact `json:"contact"`
	// person: the entry is a person customer's own name.
	person bool
}

// PersonalKey is an identity key of a customer built from the contact.
type PersonalKey struct {
	CustomerID int64  `json:"customer_id,string"`
	Kind       string `json:"kind"`
	Key        string `json:"key"`
}

// PersonalVisit is a walk-in visit of the contact.
type PersonalVisit struct {
	ID          int64     `json:"id,string"`
	VisitedAt   time.Time `json:"visited_at"`
	VisitorName string    `json:"visitor_name"`
	Phone       string    `json:"phone"`
	Company     string    `json:"company"`
	Note        string    `json:"note"`
}

// PersonalDeal is a deal whose buyer phone is the contact's.
type PersonalDeal struct {
	ID           int64     `json:"id,string"`
	ContractNo   string    `json:"contract_no"`
	SignedAt     time.Time `json:"signed_at"`
	BuyerPhone   string    `json:"buyer_phone"`
	CustomerName string    `json:"customer_name"`
}

// PersonalNote is a follow-up note that mentions the contact's phone or
// name.
type PersonalNote struct {
	ID             int64     `json:"id,string"`
	RegistrationID int64     `json:"registration_id,string"`
	At             time.Time `json:"at"`
	Note           string    `json:"note"`
}

// PersonalAuditValue is a personal value the audit log refers to, with
// the record its entry is about.
type PersonalAuditValue struct {
	ID       int64  `json:"id,string"`
	Kind     string `json:"kind"` // phone | name
	Value    string `json:"value"`
	Entity   string `json:"entity"`
	EntityID int64  `json:"entity_id,string"`
}

// PersonalData is everything stored about one contact (the PIPL export).
type PersonalData struct {
	Lookup      PersonLookup         `json:"lookup"`
	ExportedAt  time.Time            `json:"exported_at"`
	Contacts    []PersonalContact    `json:"contacts"`
	Keys        []PersonalKey        `json:"customer_keys"`
	Visits      []PersonalVisit      `json:"visits"`
	Deals       []PersonalDeal       `json:"deals"`
	FollowUps   []PersonalNote       `json:"follow_ups"`
	AuditValues []PersonalAuditValue `json:"audit_values"`
}

// Empty reports whether nothing was found.
func (d PersonalData) Empty() bool {
	return len(d.Contacts)+len(d.Keys)+len(d.Visits)+len(d.Deals)+len(d.FollowUps)+len(d.AuditValues) == 0
}

// entities lists the records the found data belongs to, by audit entity
// name, for finding the audit log's values about them.
func (d PersonalData) entities() (entities []string, ids []int64) {
	for _, c := range d.Contacts {
		entities, ids = append(entities, c.Source), append(ids, c.ID)
	}
	for _, v := range d.Visits {
		entities, ids = append(entities, "visit"), append(ids, v.ID)
	}
	for _, x := range d.Deals {
		entities, ids = append(entities, "deal"), append(ids, x.ID)
	}
	return entities, ids
}

// phones lists the full phones of the found contacts and visits.
func (d PersonalData) phones() []string {
	var out []string
	add := func(p string) {
		if fullPhone(p) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	for _, c := range d.Contacts {
		add(c.Contact.Phone)
	}
	for _, v := range d.Visits {
		add(v.Phone)
	}
	for _, x := range d.Deals {
		add(x.BuyerPhone)
	}
	return out
}

// names lists the names of the found contacts and visitors.
func (d PersonalData) names() []string {
	var out []string
	for _, c := range d.Contacts {
		if c.Contact.Name != "" && !slices.Contains(out, c.Contact.Name) {
			out = append(out, c.Contact.Name)
		}
	}
	for _, v := range d.Visits {
		if !slices.Contains(out, v.VisitorName) {
			out = append(out, v.VisitorName)
		}
	}
	return out
}

// ExportPersonalData returns everything stored about the contact lookup
// names: the contacts of registrations, customers and deals, the identity
// keys built from their phones, walk-in visits, deals by buyer phone,
// follow-up notes mentioning the phone or (of those registrations) the
// name, and the audit log's personal values about those records. The
// export is audited (personal.export). Admins only (ErrForbidden);
// Invalid for a bad lookup.
func (s *Service) ExportPersonalData(ctx context.Context, by Actor, lookup PersonLookup) (PersonalData, error) {
	d, err := s.onPerson(ctx, by, lookup, func(tx pgx.Tx, _ selection, d *PersonalData) error {
		d.ExportedAt = s.Now()
		return audit(ctx, tx, by, "personal.export", "personal", 0, nil, d.Counts())
	})
	if err != nil {
		return PersonalData{}, fmt.Errorf("export personal data: %w", err)
	}
	return d, nil
}

// onPerson finds, in one tenant transaction, what is stored about the
// contact lookup names, and hands it to act. Admins only (ErrForbidden);
// Invalid for a bad lookup.
func (s *Service) onPerson(ctx context.Context, by Actor, lookup PersonLookup, act func(tx pgx.Tx, sel selection, d *PersonalData) error) (PersonalData, error) {
	if !by.Is(RoleAdmin) {
		return PersonalData{}, ErrForbidden
	}
	l, err := lookup.normalized()
	if err != nil {
		return PersonalData{}, err
	}
	var d PersonalData
	err = s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		sel := selection{lookup: l}
		var err error
		if d, err = findPersonal(ctx, tx, by.TenantID, sel); err != nil {
			return err
		}
		return act(tx, sel, &d)
	})
	return d, err
}

// Counts is what the audit log keeps of an export or an erasure: how
// many records of each kind, never the data.
func (d PersonalData) Counts() map[string]int {
	return map[string]int{"contacts": len(d.Contacts), "customer_keys": len(d.Keys), "visits": len(d.Visits),
		"deals": len(d.Deals), "follow_ups": len(d.FollowUps), "audit_values": len(d.AuditValues)}
}

// findPersonal gathers what the tenant stores about the selected contacts.
func findPersonal(ctx context.Context, tx pgx.Tx, tenantID int64, sel selection) (PersonalData, error) {
	d := PersonalData{Lookup: sel.lookup, Contacts: []PersonalContact{}, Keys: []PersonalKey{}, Visits: []PersonalVisit{},
		Deals: []PersonalDeal{}, FollowUps: []PersonalNote{}, AuditValues: []PersonalAuditValue{}}
	l := sel.lookup
	// Each table is searched by the lookup's phone and name as text (or by
	// customer), and each row's people are then matched in Go.
	for _, src := range []struct{ source, sql string }{
		{"registration", `SELECT id, customer_id, details FROM registrations WHERE tenant_id = $1 AND (customer_id = ANY($4)
			OR ($2 <> '' AND strpos(details::text, $2) > 0) OR ($3 <> '' AND strpos(details::text, $3) > 0)) ORDER BY id`},
		{"customer", `SELECT id, id, details FROM customers WHERE tenant_id = $1 AND (id = ANY($4)
			OR ($2 <> '' AND strpos(details::text, $2) > 0) OR ($3 <> '' AND strpos(details::text, $3) > 0)) ORDER BY id`},
		{"deal", `SELECT id, customer_id, customer FROM deals WHERE tenant_id = $1 AND (customer_id = ANY($4)
			OR ($2 <> '' AND strpos(customer::text, $2) > 0) OR ($3 <> '' AND strpos(customer::text, $3) > 0)) ORDER BY id`},
	} {
		rows, err := tx.Query(ctx, src.sql, tenantID, l.Phone, l.Name, sel.customers)
		if err != nil {
			return d, fmt.Errorf("find %s contacts: %w", src.source, err)
		}
		var (
			id, customerID int64
			c              Customer
		)
		if _, err := pgx.ForEachRow(rows, []any{&id, &customerID, &c}, func() error {
			for _, ct := range c.Contacts {
				if sel.contact(ct.Name, ct.Phone) {
					d.Contacts = append(d.Contacts, PersonalContact{Source: src.source, ID: id, CustomerID: customerID, CustomerName: c.Name, Contact: ct})
				}
			}
			if sel.personName(c) && !slices.ContainsFunc(d.Contacts, func(p PersonalContact) bool { return p.Source == src.source && p.ID == id }) {
				d.Contacts = append(d.Contacts, PersonalContact{Source: src.source, ID: id, CustomerID: customerID, CustomerName: c.Name,
					Contact: Contact{Name: c.Name, Relation: "self"}, person: true})
			}
			c = Customer{}
			return nil
		}); err != nil {
			return d, fmt.Errorf("find %s contacts: %w", src.source, err)
		}
	}
	if err := findPersonalVisitsDeals(ctx, tx, tenantID, sel, &d); err != nil {
		return d, err
	}
	if err := findPersonalKeysNotes(ctx, tx, tenantID, sel, &d); err != nil {
		return d, err
	}
	return d, findPersonalAuditValues(ctx, tx, tenantID, sel, &d)
}

// findPersonalVisitsDeals adds the selected contact's visits and the
// deals signed with their phone.
func findPersonalVisitsDeals(ctx context.Context, tx pgx.Tx, tenantID int64, sel selection, d *PersonalData) error {
	l := sel.lookup
	rows, err := tx.Query(ctx, `SELECT v.id, v.visited_at, v.visitor_name, v.phone, v.company, v.note FROM visits v
		WHERE v.tenant_id = $1 AND (($2 <> '' AND v.phone = $2) OR ($3 <> '' AND v.visitor_name = $3)
			OR v.registration_id IN (SELECT r.id FROM registrations r WHERE r.tenant_id = $1 AND r.customer_id = ANY($4)))
		ORDER BY v.id`, tenantID, l.Phone, l.Name, sel.customers)
	if err != nil {
		return fmt.Errorf("find visits: %w", err)
	}
	var v PersonalVisit
	if _, err := pgx.ForEachRow(rows, []any{&v.ID, &v.VisitedAt, &v.VisitorName, &v.Phone, &v.Company, &v.Note}, func() error {
		if sel.contact(v.VisitorName, v.Phone) {
			d.Visits = append(d.Visits, v)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("find visits: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT x.id, x.contract_no, x.signed_at, x.buyer_phone, c.name FROM deals x
		JOIN customers c ON c.tenant_id = x.tenant_id AND c.id = x.customer_id
		WHERE x.tenant_id = $1 AND x.buyer_phone <> '' AND (x.buyer_phone = $2 OR x.customer_id = ANY($3)) ORDER BY x.id`,
		tenantID, l.Phone, sel.customers)
	if err != nil {
		return fmt.Errorf("find deals: %w", err)
	}
	var x PersonalDeal
	_, err = pgx.ForEachRow(rows, []any{&x.ID, &x.ContractNo, &x.SignedAt, &x.BuyerPhone, &x.CustomerName}, func() error {
		d.Deals = append(d.Deals, x)
		return nil
	})
	if err != nil {
		return fmt.Errorf("find deals: %w", err)
	}
	return nil
}

// findPersonalKeysNotes adds the identity keys built from the found
// phones (a phone key, or a person's "name|phone" key) and the follow-up
// notes that mention a found phone, or a found name on a found
// registration. A selection of customers (retention) stays within them.
func findPersonalKeysNotes(ctx context.Context, tx pgx.Tx, tenantID int64, sel selection, d *PersonalData) error {
	phones, names := d.phones(), d.names()
	var regs []int64
	for _, c := range d.Contacts {
		if c.Source == "registration" {
			regs = append(regs, c.ID)
		}
	}
	rows, err := tx.Query(ctx, `SELECT customer_id, kind, key FROM customer_keys WHERE tenant_id = $1
		AND (key = ANY($2) OR split_part(key, '|', 2) = ANY($2) OR (kind = 'name' AND customer_id = ANY($3)))
		AND ($4::bigint[] IS NULL OR customer_id = ANY($4))
		ORDER BY customer_id, kind, key`, tenantID, phones, personCustomers(d), sel.customers)
	if err != nil {
		return fmt.Errorf("find keys: %w", err)
	}
	var k PersonalKey
	if _, err := pgx.ForEachRow(rows, []any{&k.CustomerID, &k.Kind, &k.Key}, func() error {
		d.Keys = append(d.Keys, k)
		return nil
	}); err != nil {
		return fmt.Errorf("find keys: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT id, registration_id, at, note FROM follow_ups WHERE tenant_id = $1 AND note <> ''
		AND (($5::bigint[] IS NULL AND EXISTS (SELECT 1 FROM unnest($2::text[]) p WHERE strpos(note, p) > 0))
			OR registration_id = ANY($4) AND EXISTS (SELECT 1 FROM unnest($2::text[] || $3::text[]) n WHERE strpos(note, n) > 0))
		ORDER BY id`, tenantID, phones, names, regs, sel.customers)
	if err != nil {
		return fmt.Errorf("find follow-ups: %w", err)
	}
	var n PersonalNote
	if _, err := pgx.ForEachRow(rows, []any{&n.ID, &n.RegistrationID, &n.At, &n.Note}, func() error {
		d.FollowUps = append(d.FollowUps, n)
		return nil
	}); err != nil {
		return fmt.Errorf("find follow-ups: %w", err)
	}
	return nil
}

// personCustomers lists the person customers whose own name is selected.
func personCustomers(d *PersonalData) []int64 {
	var ids []int64
	for _, c := range d.Contacts {
		if c.Source == "customer" && c.person {
			ids = append(ids, c.CustomerID)
		}
	}
	return ids
}

// findPersonalAuditValues adds the audit log's personal values that are
// a found phone (anywhere, unless the selection is of customers), or a
// found name or masked phone in an entry about a found record.
func findPersonalAuditValues(ctx context.Context, tx pgx.Tx, tenantID int64, sel selection, d *PersonalData) error {
	entities, ids := d.entities()
	rows, err := tx.Query(ctx, `SELECT p.id, p.kind, p.value, p.entity, COALESCE(p.entity_id, 0) FROM personal_values p
		WHERE p.tenant_id = $1 AND p.value IS NOT NULL AND (($5::bigint[] IS NULL AND p.value = ANY($2))
			OR EXISTS (SELECT 1 FROM unnest($3::text[], $4::bigint[]) e(entity, id) WHERE e.entity = p.entity AND e.id = p.entity_id))
		ORDER BY p.id`, tenantID, d.phones(), entities, ids, sel.customers)
	if err != nil {
		return fmt.Errorf("find audit values: %w", err)
	}
	names, phones := d.names(), d.phones()
	var v PersonalAuditValue
	_, err = pgx.ForEachRow(rows, []any{&v.ID, &v.Kind, &v.Value, &v.Entity, &v.EntityID}, func() error {
		if v.Kind == "name" && slices.Contains(names, v.Value) ||
			v.Kind == "phone" && slices.ContainsFunc(phones, func(p string) bool { return PhonesMatch(NormalizePhone(v.Value), p) }) {
			d.AuditValues = append(d.AuditValues, v)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("find audit values: %w", err)
	}
	return nil
}

// ErasePersonalData erases the contact lookup names, on their request:
// in every registration, customer and deal the contact keeps its place
// and relation but its name becomes "[已删除]" and its phone and title
// go (a person customer's own name too); identity keys built from the
// phone are deleted (so the claim no longer matches on it); visits lose
// the visitor's name and phone; deals their buyer phone; the phone is
// cut out of every free text and response kept for idempotency; and the
// audit log's values about them are blanked, leaving the sealed entries
// as they were. The erasure is audited (personal.erase, with counts
// only). It returns what was found and erased. Admins only
// (ErrForbidden); Invalid for a bad lookup or one that finds nothing.
func (s *Service) ErasePersonalData(ctx context.Context, by Actor, lookup PersonLookup) (PersonalData, error) {
	d, err := s.onPerson(ctx, by, lookup, func(tx pgx.Tx, sel selection, d *PersonalData) error {
		if d.Empty() {
			return InvalidMsg(i18n.Text{Zh: "没有找到该联系人的任何信息", En: "Nothing is stored about this contact"})
		}
		if err := erasePersonal(ctx, tx, by.TenantID, sel, *d, s.Now()); err != nil {
			return err
		}
		if sel.lookup.Phone != "" {
			if err := scrubPhone(ctx, tx, by.TenantID, sel.lookup.Phone); err != nil {
				return err
			}
		}
		return audit(ctx, tx, by, "personal.erase", "personal", 0, nil, d.Counts())
	})
	if err != nil {
		return PersonalData{}, fmt.Errorf("erase personal data: %w", err)
	}
	return d, nil
}

// erasePersonal anonymises the found contacts in their records, deletes
// the keys built from them and blanks the audit log's values about them.
func erasePersonal(ctx context.Context, tx pgx.Tx, tenantID int64, sel selection, d PersonalData, now time.Time) error {
	for _, t := range []struct{ source, table, column string }{
		{"registration", "registrations", "details"}, {"customer", "customers", "details"}, {"deal", "deals", "customer"},
	} {
		var ids []int64
		for _, c := range d.Contacts {
			if c.Source == t.source && !slices.Contains(ids, c.ID) {
				ids = append(ids, c.ID)
			}
		}
		for _, id := range ids {
			if err := anonymiseCustomerCopy(ctx, tx, tenantID, sel, t.table, t.column, id, now); err != nil {
				return err
			}
		}
	}
	visits := make([]int64, len(d.Visits))
	for i, v := range d.Visits {
		visits[i] = v.ID
	}
	deals := make([]int64, len(d.Deals))
	for i, x := range d.Deals {
		deals[i] = x.ID
	}
	auditValues := make([]int64, len(d.AuditValues))
	for i, v := range d.AuditValues {
		auditValues[i] = v.ID
	}
	keyKinds, keys, keyCustomers := make([]string, len(d.Keys)), make([]string, len(d.Keys)), make([]int64, len(d.Keys))
	for i, k := range d.Keys {
		keyKinds[i], keys[i], keyCustomers[i] = k.Kind, k.Key, k.CustomerID
	}
	phones := d.phones()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE visits SET visitor_name = $3, phone = '', customer_name = CASE WHEN customer_name = visitor_name THEN $3 ELSE customer_name END
			WHERE tenant_id = $1 AND id = ANY($2)`, []any{visits, erasedValue}},
		{`UPDATE deals SET buyer_phone = '' WHERE tenant_id = $1 AND id = ANY($2)`, []any{deals}},
		{`DELETE FROM live_keys l USING unnest($2::text[], $3::text[], $4::bigint[]) k(kind, key, customer_id), registrations r
			WHERE l.tenant_id = $1 AND l.kind = k.kind AND l.key = k.key
				AND r.tenant_id = $1 AND r.id = l.registration_id AND r.customer_id = k.customer_id`, []any{keyKinds, keys, keyCustomers}},
		{`DELETE FROM customer_keys c USING unnest($2::text[], $3::text[], $4::bigint[]) k(kind, key, customer_id)
			WHERE c.tenant_id = $1 AND c.kind = k.kind AND c.key = k.key AND c.customer_id = k.customer_id`, []any{keyKinds, keys, keyCustomers}},
		{`UPDATE personal_values SET value = NULL, erased_at = $3 WHERE tenant_id = $1 AND id = ANY($2)`, []any{auditValues, now}},
	} {
		if _, err := tx.Exec(ctx, q.sql, append([]any{tenantID}, q.args...)...); err != nil {
			return fmt.Errorf("erase: %w", err)
		}
	}
	// Each phone and name found is cut out of the notes that mention it.
	notes := make([]int64, len(d.FollowUps))
	for i, n := range d.FollowUps {
		notes[i] = n.ID
	}
	for _, text := range append(phones, d.names()...) {
		if _, err := tx.Exec(ctx, `UPDATE follow_ups SET note = replace(note, $3, $4) WHERE tenant_id = $1 AND id = ANY($2)`,
			tenantID, notes, text, erasedValue); err != nil {
			return fmt.Errorf("erase follow-up notes: %w", err)
		}
	}
	return nil
}

// anonymiseCustomerCopy rewrites one stored copy of a customer (a
// registration's details, a customer's details or a deal's customer):
// each selected contact keeps only its relation and the name
// "[已删除]", and a selected person customer's own name becomes
// "[已删除]" (a customer's name key with it, which then matches nothing).
func anonymiseCustomerCopy(ctx context.Context, tx pgx.Tx, tenantID int64, sel selection, table, column string, id int64, now time.Time) error {
	var c Customer
	if err := tx.QueryRow(ctx, `SELECT `+column+` FROM `+table+` WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, tenantID, id).Scan(&c); err != nil {
		return fmt.Errorf("anonymise %s %d: %w", table, id, err)
	}
	person := sel.personName(c)
	for i, ct := range c.Contacts {
		if sel.contact(ct.Name, ct.Phone) || person && ct.Name == c.Name {
			c.Contacts[i] = Contact{Name: erasedValue, Relation: ct.Relation}
		}
	}
	if person {
		c.Name = erasedValue
	}
	doc, err := json.Marshal(c)
	if err != nil {
		return err
	}
	// The stored copy may carry more than Customer knows (a deal's copy,
	// say): merge, so that only the name and contacts change.
	sql := `UPDATE ` + table + ` SET ` + column + ` = ` + column + ` || jsonb_build_object('name', $3::jsonb->'name', 'contacts', $3::jsonb->'contacts')`
	args := []any{tenantID, id, doc}
	if table == "customers" {
		sql += `, updated_at = $4, name = CASE WHEN $5 THEN $6 ELSE name END, name_key = CASE WHEN $5 THEN '' ELSE name_key END`
		args = append(args, now, person, erasedValue)
	}
	if _, err := tx.Exec(ctx, sql+` WHERE tenant_id = $1 AND id = $2`, args...); err != nil {
		return fmt.Errorf("anonymise %s %d: %w", table, id, err)
	}
	return nil
}

// phoneTexts are the texts, outside the structured contact fields, that a
// phone may have been typed into; scrubPhone cuts it out of each.
var phoneTexts = []struct{ table, column string }{
	{"registrations", "needs"}, {"registrations", "history_claim"}, {"registrations", "source"},
	{"registrations", "details"}, {"customers", "details"}, {"deals", "customer"},
	{"visits", "note"}, {"follow_ups", "note"}, {"consent_requests", "reason"},
	{"deal_claims", "evidence"}, {"deal_claims", "reason"}, {"dispute_statements", "reason"}, {"dispute_statements", "evidence"},
	{"approvals", "summary_zh"}, {"approvals", "summary_en"}, {"approvals", "reason"}, {"approvals", "detail"},
	{"notifications", "text_zh"}, {"notifications", "text_en"}, {"chain_requests", "summary_zh"}, {"chain_requests", "summary_en"},
	{"dealers", "phone"},
}

// scrubPhone replaces a phone by "[已删除]" in every free text of the
// tenant (phoneTexts; JSON documents as text) and forgets the API
// responses kept for idempotency that hold it.
func scrubPhone(ctx context.Context, tx pgx.Tx, tenantID int64, phone string) error {
	for _, t := range phoneTexts {
		set := t.column + ` = replace(` + t.column + `, $2, $3)`
		where := `strpos(` + t.column + `, $2) > 0`
		if t.column == "details" || t.column == "customer" || t.column == "detail" {
			set = t.column + ` = replace(` + t.column + `::text, $2, $3)::jsonb`
			where = `strpos(` + t.column + `::text, $2) > 0`
		}
		if _, err := tx.Exec(ctx, `UPDATE `+t.table+` SET `+set+` WHERE tenant_id = $1 AND `+where, tenantID, phone, erasedValue); err != nil {
			return fmt.Errorf("scrub %s.%s: %w", t.table, t.column, err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND position(convert_to($2, 'UTF8') IN body) > 0`,
		tenantID, phone); err != nil {
		return fmt.Errorf("scrub idempotency keys: %w", err)
	}
	return nil
}

// retentionBatch bounds how many customers one sweep anonymises per
// tenant; the next sweep takes the rest.
const retentionBatch = 500

// anonymiseRetired is the retention sweep (retention_months): it
// anonymises, as ErasePersonalData does but within each customer's own
// records, every contact of the customers that have had no live or
// converted claim, no claim ending and no deal for retention_months, and
// marks them (details.anonymised_at) so that the next sweep passes them
// by; a customer claimed again gets new details and starts over. It
// returns how many customers it anonymised.
func anonymiseRetired(ctx context.Context, tx pgx.Tx, tenantID int64, pol Policy, now time.Time) (int, error) {
	if pol.RetentionMonths == 0 {
		return 0, nil
	}
	cutoff := now.In(pol.Location()).AddDate(0, -pol.RetentionMonths, 0)
	rows, err := tx.Query(ctx, `SELECT c.id FROM customers c
		WHERE c.tenant_id = $1 AND c.updated_at <= $2 AND NOT c.details ? 'anonymised_at'
			AND NOT EXISTS (SELECT 1 FROM registrations r WHERE r.tenant_id = c.tenant_id AND r.customer_id = c.id
				AND (r.status IN `+holdingStatuses+` OR r.status_changed_at > $2))
			AND NOT EXISTS (SELECT 1 FROM deals x WHERE x.tenant_id = c.tenant_id AND x.customer_id = c.id AND x.signed_at > $2)
		ORDER BY c.id LIMIT $3`, tenantID, cutoff, retentionBatch)
	if err != nil {
		return 0, fmt.Errorf("retention: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	sel := selection{customers: ids}
	d, err := findPersonal(ctx, tx, tenantID, sel)
	if err != nil {
		return 0, err
	}
	if err := erasePersonal(ctx, tx, tenantID, sel, d, now); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE customers SET details = details || jsonb_build_object('anonymised_at', $3::timestamptz), updated_at = $3
		WHERE tenant_id = $1 AND id = ANY($2)`, tenantID, ids, now); err != nil {
		return 0, fmt.Errorf("retention: %w", err)
	}
	after := map[string]any{"customer_ids": ids, "retention_months": pol.RetentionMonths}
	for k, n := range d.Counts() {
		after[k] = n
	}
	return len(ids), audit(ctx, tx, Actor{TenantID: tenantID, RequestID: sweepRequestID}, "personal.retention", "personal", 0, nil, after)
}
