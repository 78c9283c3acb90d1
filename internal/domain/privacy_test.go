package domain_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"baobei/internal/domain"
)

// wherever lists, as the database owner, every "table.column" of a text,
// varchar, text[] or jsonb column of any tenant table where the given
// tenant's rows contain s.
func (f *fixture) wherever(t testing.TB, tenantID int64, s string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, f.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT c.table_name, c.column_name FROM information_schema.columns c
		WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'jsonb', 'ARRAY')
			AND EXISTS (SELECT 1 FROM information_schema.columns t WHERE t.table_schema = 'public'
				AND t.table_name = c.table_name AND t.column_name = 'tenant_id')
		ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var c [2]string
		err := r.Scan(&c[0], &c[1])
		return c, err
	})
	if err != nil || len(cols) < 30 {
		t.Fatalf("%d text columns, %v: the catalogue query cannot be checking everything", len(cols), err)
	}
	var hits []string
	for _, c := range cols {
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM %q WHERE tenant_id = $1 AND strpos(%q::text, $2) > 0`, c[0], c[1])
		if err := conn.QueryRow(ctx, q, tenantID, s).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n > 0 {
			hits = append(hits, c[0]+"."+c[1])
		}
	}
	return hits
}

const (
	erasedPhone = "13912345678"
	erasedName  = "王小明"
)

// personalFixture stores the contact 王小明 (13912345678) everywhere a
// contact goes: a company's contact (active claim, with the phone typed in
// its needs too), a person customer of the same name and phone (losing
// the conflict), a follow-up note, a walk-in visit, a deal's buyer phone,
// a manager's phone view and an idempotent API response; and another
// customer's contact who must be left alone.
func personalFixture(t *testing.T, f *fixture) (firm, person, other domain.Registration) {
	t.Helper()
	ctx := context.Background()
	in := company("北京华为技术有限公司", erasedPhone)
	in.Customer.Contacts[0].Name = erasedName
	in.Needs = "采购服务器, 王经理手机 " + erasedPhone
	firm = mustRegister(t, f, "sales1", in)
	pin := company("王小明", erasedPhone)
	pin.Customer.Kind = domain.KindPerson
	pin.Customer.Contacts[0].Name = erasedName
	person = mustRegister(t, f, "sales3", pin)
	other = mustRegister(t, f, "sales2", company("上海电气集团", "13700001111"))
	if _, err := f.svc.LogFollowUp(ctx, f.a(t, "sales1"), firm.ID, domain.FollowUpInput{Channel: "call",
		Note: "打了 " + erasedPhone + ", " + erasedName + "说下周来"}); err != nil {
		t.Fatal(err)
	}
	at := f.svc.Now()
	if _, err := f.svc.RecordVisit(ctx, f.a(t, "frontdesk1"), domain.VisitInput{VisitorName: erasedName, Phone: erasedPhone,
		Company: "北京华为技术有限公司", SalespersonID: f.a(t, "sales1").UserID, VisitedAt: &at, PartySize: 2}); err != nil {
		t.Fatal(err)
	}
	amount := 88000.0
	if _, err := f.svc.RecordDeal(ctx, f.a(t, "sales1"), domain.DealInput{ContractNo: "HT-2026-100", Customer: in.Customer,
		BuyerPhone: erasedPhone, SignedAt: &at, Amount: &amount, SignerID: f.a(t, "sales1").UserID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Registration(ctx, f.a(t, "manager1"), firm.ID); err != nil { // a logged phone view
		t.Fatal(err)
	}
	return firm, person, other
}

func TestExportPersonalData(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	firm, person, other := personalFixture(t, f)
	if _, err := f.svc.ExportPersonalData(ctx, f.a(t, "manager1"), domain.PersonLookup{Phone: erasedPhone}); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Fatalf("manager exports: %v, want forbidden", err)
	}
	for _, bad := range []domain.PersonLookup{{}, {Phone: "1391234****"}, {Phone: "电话"}} {
		if _, err := f.svc.ExportPersonalData(ctx, f.a(t, "admin"), bad); domain.ErrorCode(err) != domain.CodeInvalid {
			t.Errorf("lookup %+v: %v, want invalid", bad, err)
		}
	}
	d, err := f.svc.ExportPersonalData(ctx, f.a(t, "admin"), domain.PersonLookup{Phone: "+86 139-1234-5678", Name: erasedName})
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]bool{}
	for _, c := range d.Contacts {
		sources[fmt.Sprint(c.Source, c.ID)] = true
		if c.CustomerID == other.CustomerID {
			t.Errorf("the other customer's contact is in the export: %+v", c)
		}
	}
	for _, want := range []string{fmt.Sprint("registration", firm.ID), fmt.Sprint("registration", person.ID),
		fmt.Sprint("customer", firm.CustomerID), fmt.Sprint("customer", person.CustomerID)} {
		if !sources[want] {
			t.Errorf("export lacks the contact of %s: %v", want, sources)
		}
	}
	if !sources[fmt.Sprint("deal", d.Deals[0].ID)] || len(d.Deals) != 1 || d.Deals[0].BuyerPhone != erasedPhone {
		t.Errorf("deals %+v, contacts %v", d.Deals, sources)
	}
	if len(d.Visits) != 1 || d.Visits[0].VisitorName != erasedName || len(d.FollowUps) != 1 {
		t.Errorf("visits %+v, follow-ups %+v", d.Visits, d.FollowUps)
	}
	if len(d.Keys) == 0 || len(d.AuditValues) < 3 {
		t.Errorf("keys %+v, audit values %+v", d.Keys, d.AuditValues)
	}
	kinds := map[string]bool{}
	for _, v := range d.AuditValues {
		kinds[v.Entity+"."+v.Kind] = true
	}
	for _, want := range []string{"visit.phone", "visit.name", "registration.phone", "registration.name"} {
		if !kinds[want] {
			t.Errorf("no audit value %s in %v", want, kinds)
		}
	}
	if n := f.ownerInt(t, `SELECT count(*) FROM audit_log WHERE action = 'personal.export' AND strpos(after::text, $1) = 0`, erasedPhone); n != 1 {
		t.Errorf("%d export audit entries without the phone, want 1", n)
	}
}

// TestErasePersonalData erases the contact and then finds its phone and
// name in no text or JSON column of the tenant, while the registrations,
// the other customer and the audit chain are as they were.
func TestErasePersonalData(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	firm, person, other := personalFixture(t, f)
	tenant := f.a(t, "admin").TenantID
	if hits := f.wherever(t, tenant, erasedPhone); len(hits) < 5 {
		t.Fatalf("before erasure the phone is only in %v: the fixture is too thin", hits)
	}
	if _, err := f.svc.SealAudit(ctx); err != nil { // erasure must leave sealed entries alone
		t.Fatal(err)
	}
	if _, err := f.svc.ErasePersonalData(ctx, f.a(t, "clerk1"), domain.PersonLookup{Phone: erasedPhone}); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Fatalf("clerk erases: %v, want forbidden", err)
	}
	d, err := f.svc.ErasePersonalData(ctx, f.a(t, "admin"), domain.PersonLookup{Phone: erasedPhone, Name: erasedName})
	if err != nil {
		t.Fatal(err)
	}
	if d.Empty() {
		t.Fatal("erasure found nothing")
	}
	for _, s := range []string{erasedPhone, erasedName} {
		if hits := f.wherever(t, tenant, s); len(hits) > 0 {
			t.Errorf("after erasure %s is still in %v", s, hits)
		}
	}
	checks, err := f.svc.VerifyAudit(ctx, "demo")
	if err != nil || len(checks) != 1 || checks[0].Break != nil || checks[0].Entries < 10 {
		t.Fatalf("audit verify after erasure: %+v, %v", checks, err)
	}
	if r := f.reg(t, firm.ID); r.Status != domain.StatusConverted || r.Customer.Name != "北京华为技术有限公司" ||
		r.Customer.Contacts[0].Name != "[已删除]" || r.Customer.Contacts[0].Phone != "" {
		t.Errorf("company claim after erasure: %s %+v", r.Status, r.Customer)
	}
	if r := f.reg(t, person.ID); r.Customer.Name != "[已删除]" {
		t.Errorf("person claim after erasure: %+v", r.Customer)
	}
	if r := f.reg(t, other.ID); r.Customer.Contacts[0].Phone != "13700001111" || r.Customer.Contacts[0].Name != "张经理" {
		t.Errorf("other claim changed: %+v", r.Customer)
	}
	recs, _, err := f.svc.AuditLog(ctx, f.a(t, "admin"), domain.AuditFilter{Entity: "visit"})
	if err != nil || len(recs) != 1 || !strings.Contains(recs[0].After, `"visitor": "[已删除]"`) {
		t.Errorf("visit audit entry as read: %+v, %v", recs, err)
	}
	if _, err := f.svc.ErasePersonalData(ctx, f.a(t, "admin"), domain.PersonLookup{Phone: erasedPhone}); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("second erasure: %v, want invalid (nothing left)", err)
	}
}

// TestAuditReadsPersonalValues: the log stores references, and the
// admin reads the values.
func TestAuditReadsPersonalValues(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	at := f.svc.Now()
	v, err := f.svc.RecordVisit(ctx, f.a(t, "frontdesk1"), domain.VisitInput{VisitorName: erasedName, Phone: erasedPhone, VisitedAt: &at, PartySize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if n := f.ownerInt(t, `SELECT count(*) FROM audit_log WHERE entity = 'visit' AND entity_id = $1
		AND after->>'visitor' LIKE 'pii:%' AND after->>'phone' LIKE 'pii:%' AND strpos(after::text, $2) = 0`, v.ID, erasedName); n != 1 {
		t.Fatalf("visit audit entry holds personal values in clear")
	}
	recs, _, err := f.svc.AuditLog(ctx, f.a(t, "admin"), domain.AuditFilter{Entity: "visit", EntityID: v.ID})
	if err != nil || len(recs) != 1 || !strings.Contains(recs[0].After, `"visitor": "王小明"`) || !strings.Contains(recs[0].After, `"phone": "1391234****"`) {
		t.Fatalf("visit audit entry as read: %+v, %v", recs, err)
	}
}

// TestRetentionAnonymisesUnclaimedCustomers: with retention_months 6,
// the sweeper anonymises the contacts of a customer whose claim ended
// more than six months ago, and leaves alone one that is still claimed
// and one whose claim ended only recently; it does so once.
func TestRetentionAnonymisesUnclaimedCustomers(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	f.setPolicy(t, `{"expiry_notice_days":0}`)
	old := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13800000001"))
	f.advance(31 * day)
	if res := f.sweep(t); res.Counts["expired"] != 1 {
		t.Fatalf("sweep = %+v, want the first claim expired", res)
	}
	f.advance(200 * day)
	recent := mustRegister(t, f, "sales2", company("上海电气集团", "13800000002"))
	if _, err := f.svc.Release(ctx, f.a(t, "sales2"), recent.ID, domain.ReleaseInput{ReasonCode: "no_interest"}); err != nil {
		t.Fatal(err)
	}
	held := mustRegister(t, f, "sales3", company("深圳腾讯科技", "13800000003"))
	f.advance(day)
	f.setPolicy(t, `{"retention_months":6}`)
	res := f.sweep(t)
	if res.Counts["anonymised"] != 1 {
		t.Fatalf("sweep = %+v, want one customer anonymised", res)
	}
	if r := f.reg(t, old.ID); r.Customer.Contacts[0].Phone != "" || r.Customer.Contacts[0].Name != "[已删除]" ||
		r.Customer.Name != "北京华为技术有限公司" || r.Status != domain.StatusExpired {
		t.Errorf("old claim: %s %+v", r.Status, r.Customer)
	}
	for _, r := range []domain.Registration{recent, held} {
		if got := f.reg(t, r.ID); got.Customer.Contacts[0].Phone == "" || got.Customer.Contacts[0].Name != "张经理" {
			t.Errorf("customer %s anonymised: %+v", got.Customer.Name, got.Customer.Contacts)
		}
	}
	if hits := f.wherever(t, f.a(t, "admin").TenantID, "13800000001"); len(hits) > 0 {
		t.Errorf("the anonymised phone is still in %v", hits)
	}
	if res := f.sweep(t); res.Counts["anonymised"] != 0 {
		t.Errorf("second sweep = %+v, want nothing (idempotent)", res)
	}
	if checks, err := f.svc.VerifyAudit(ctx, "demo"); err != nil || checks[0].Break != nil {
		t.Fatalf("audit verify: %+v, %v", checks, err)
	}
}

// TestEraseAfterCorrectionsMergesAndOutbound: the contact's data also
// leaves what corrections, merges and outbound messages wrote about it —
// an edit's before → after, a merge's record of moved keys, a queued
// webhook message — and the audit chain still verifies.
func TestEraseAfterCorrectionsMergesAndOutbound(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	admin := f.a(t, "admin")
	if _, err := f.svc.SaveChannel(ctx, admin, 0, domain.ChannelInput{Kind: "webhook", Name: "群机器人", Enabled: true,
		Events: []string{"conflict", "consent", "expiry", "dispute_decision"}, URL: "http://127.0.0.1:9/hook"}); err != nil {
		t.Fatal(err)
	}
	firm, _, other := personalFixture(t, f)
	contacts := []domain.Contact{{Name: erasedName, Phone: erasedPhone, Title: "采购"}, {Name: "李四", Phone: "13700002222"}}
	// sales2 adds the contact to another claim: the edit loses by time.
	if _, err := f.svc.EditRegistration(ctx, f.a(t, "sales2"), other.ID, domain.RegistrationPatch{
		Customer: &domain.CustomerPatch{Contacts: &contacts}}); err != nil {
		t.Fatal(err)
	}
	// sales4 meets sales1's claim by the phone: a conflict, queued for the robot.
	pin := company("王小明", erasedPhone)
	pin.Customer.Kind = domain.KindPerson
	pin.Customer.Contacts[0].Name = erasedName
	mustRegister(t, f, "sales4", pin)
	// A second record of the company, then merged with the first.
	dup := mustRegister(t, f, "sales1", company("华为技术有限公司北京分公司", "13700003333"))
	if _, err := f.svc.Merge(ctx, admin, dup.CustomerID, domain.MergeInput{IntoID: firm.CustomerID, Reason: "同一家公司"}); err != nil {
		t.Fatal(err)
	}
	tenant := admin.TenantID
	if _, err := f.svc.SealAudit(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ErasePersonalData(ctx, admin, domain.PersonLookup{Phone: erasedPhone, Name: erasedName}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{erasedPhone, erasedName} {
		if hits := f.wherever(t, tenant, s); len(hits) > 0 {
			t.Errorf("after erasure %s is still in %v", s, hits)
		}
	}
	checks, err := f.svc.VerifyAudit(ctx, "demo")
	if err != nil || len(checks) != 1 || checks[0].Break != nil {
		t.Fatalf("audit verify after erasure: %+v, %v", checks, err)
	}
}
