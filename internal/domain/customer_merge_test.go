package domain_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/domain"
)

// stateOf is everything a merge may change, as the database owner reads
// it: registrations, live keys, customer keys, deals and merge marks.
func stateOf(t *testing.T, f *fixture) string {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), f.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var s string
	err = conn.QueryRow(context.Background(), `SELECT json_build_array(
		(SELECT json_agg(json_build_array(id, customer_id, status, status_changed_at, decision_rule, decision_reason_zh) ORDER BY id) FROM registrations),
		(SELECT json_agg(json_build_array(kind, key, registration_id) ORDER BY kind, key) FROM live_keys),
		(SELECT json_agg(json_build_array(kind, key, customer_id) ORDER BY kind, key, customer_id) FROM customer_keys),
		(SELECT json_agg(json_build_array(id, customer_id) ORDER BY id) FROM deals),
		(SELECT json_agg(json_build_array(id, merged_into) ORDER BY id) FROM customers))::text`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// twoRecords registers one company under two names: sales1 first, user
// an hour later (who also logs a follow-up and a visit). It returns both
// claims.
func twoRecords(t *testing.T, f *fixture, user string, later domain.RegistrationInput) (first, second domain.Registration) {
	t.Helper()
	ctx := context.Background()
	first = mustRegister(t, f, "sales1", company("杭州星河科技有限公司", "13811110001"))
	f.advance(time.Hour)
	second = mustRegister(t, f, user, later)
	if second.Status != domain.StatusActive || second.CustomerID == first.CustomerID {
		t.Fatalf("second record: %+v", second)
	}
	if _, err := f.svc.LogFollowUp(ctx, f.a(t, user), second.ID, domain.FollowUpInput{Channel: "call", Note: "电话沟通", Grade: "A"}); err != nil {
		t.Fatal(err)
	}
	now := f.svc.Now()
	v, err := f.svc.RecordVisit(ctx, f.a(t, "frontdesk1"), domain.VisitInput{VisitorName: "张经理", Phone: "13811110002",
		Company: later.Customer.Name, SalespersonID: f.a(t, user).UserID, VisitedAt: &now, PartySize: 1})
	if err != nil || v.RegistrationID != second.ID {
		t.Fatalf("visit: %+v %v", v, err)
	}
	f.advance(time.Minute)
	return first, second
}

func TestMergeMovesEverythingAndUndoRestores(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	a, b := twoRecords(t, f, "sales2", company("Hangzhou Xinghe Tech", "13811110002"))
	before := stateOf(t, f)
	m1 := f.a(t, "manager1")

	preview, err := f.svc.PreviewMerge(ctx, m1, b.CustomerID, a.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	if stateOf(t, f) != before {
		t.Fatal("a preview changed the database")
	}
	out, err := f.svc.Merge(ctx, m1, b.CustomerID, domain.MergeInput{IntoID: a.CustomerID, Reason: "同一家公司的中英文名"})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []domain.MergeOutcome{preview, out} {
		c := o.Conflict
		if len(o.Registrations) != 1 || o.Registrations[0] != b.ID || o.Visits != 1 || o.Keys == 0 || c == nil ||
			c.Rule != domain.RuleTime || c.WinnerID != a.ID || c.EarlierID != a.ID || c.LaterID != b.ID || c.Arbitration {
			t.Fatalf("outcome: %+v %+v", o, c)
		}
	}
	// The rule engine settled it as for two registrations: time first.
	lost := mustRegStatus(t, f, b.ID, domain.StatusRejected)
	if lost.CustomerID != a.CustomerID || lost.Decision == nil || lost.Decision.Rule != domain.RuleTime || lost.Conflict == nil {
		t.Fatalf("the later claim: %+v %+v", lost.Decision, lost.Conflict)
	}
	mustRegStatus(t, f, a.ID, domain.StatusActive)
	rec, err := f.svc.CustomerRecord(ctx, m1, a.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Registrations) != 2 || rec.Registrations[0].Visits != 1 || len(rec.MergedIn) != 1 || rec.MergedIn[0].ID != b.CustomerID || !rec.CanChange {
		t.Fatalf("survivor: %+v", rec)
	}
	gone, err := f.svc.CustomerRecord(ctx, m1, b.CustomerID)
	if err != nil || gone.MergedInto != a.CustomerID || len(gone.Registrations) != 0 {
		t.Fatalf("merged customer: %+v %v", gone, err)
	}
	list, _, err := f.svc.Customers(ctx, m1, domain.CustomerFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.ID == b.CustomerID {
			t.Fatal("the merged customer is still listed")
		}
	}
	// The merged record's phone now finds the survivor's holder.
	chk, err := f.svc.Check(ctx, f.a(t, "sales3"), company("Hangzhou Xinghe Tech", "13811110002"))
	if err != nil {
		t.Fatal(err)
	}
	if len(chk.Matches) == 0 || !chk.Matches[0].Strong() || chk.Matches[0].Status != domain.StatusActive {
		t.Fatalf("check after merge: %+v", chk.Matches)
	}
	_, err = f.svc.Merge(ctx, m1, b.CustomerID, domain.MergeInput{IntoID: a.CustomerID, Reason: "again"})
	wantCode(t, "merge twice", err, domain.CodeInvalid)

	if _, err := f.svc.UndoMerge(ctx, m1, b.CustomerID, "合并错了"); err != nil {
		t.Fatal(err)
	}
	if after := stateOf(t, f); after != before {
		t.Fatalf("undo did not restore the state:\nbefore %s\nafter  %s", before, after)
	}
	if got := auditActions(t, f, "customer", b.CustomerID); len(got) != 2 || got[0] != "customer.merge" || got[1] != "customer.unmerge" {
		t.Fatalf("audit: %v", got)
	}
	_, err = f.svc.UndoMerge(ctx, m1, b.CustomerID, "again")
	wantCode(t, "undo twice", err, domain.CodeInvalid)
}

// TestMergeHistoryDealWins: 二组 signed a deal with the later record, so
// its claim beats 一组's earlier one by history.
func TestMergeHistoryDealWins(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	later := company("Hangzhou Xinghe Tech", "13811110002")
	a, b := twoRecords(t, f, "sales3", later)
	deal := mustDeal(t, f, "clerk1", dealOf(t, f, "HT-合并-1", later, "13811110002", "sales3", 50000))
	out, err := f.svc.Merge(ctx, f.a(t, "admin"), b.CustomerID, domain.MergeInput{IntoID: a.CustomerID, Reason: "同一家公司"})
	if err != nil {
		t.Fatal(err)
	}
	if c := out.Conflict; c == nil || c.Rule != domain.RuleHistory || c.WinnerID != b.ID || len(out.Deals) != 1 || out.Deals[0] != deal.ID {
		t.Fatalf("outcome: %+v %+v", out, out.Conflict)
	}
	mustRegStatus(t, f, a.ID, domain.StatusRejected)
	mustRegStatus(t, f, b.ID, domain.StatusActive)
}

func TestMergeToArbitrationAndUndo(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	later := company("Hangzhou Xinghe Tech", "13811110002")
	later.HistoryClaim = "2024 年签过合同, 见附件"
	a, b := twoRecords(t, f, "sales2", later)
	before := stateOf(t, f)
	out, err := f.svc.Merge(ctx, f.a(t, "manager1"), b.CustomerID, domain.MergeInput{IntoID: a.CustomerID, Reason: "同一家公司"})
	if err != nil {
		t.Fatal(err)
	}
	if c := out.Conflict; c == nil || !c.Arbitration || c.Rule != domain.RuleHistory || c.DisputeID == 0 {
		t.Fatalf("outcome: %+v", out.Conflict)
	}
	mustRegStatus(t, f, a.ID, domain.StatusInDispute)
	mustRegStatus(t, f, b.ID, domain.StatusInDispute)
	if d := mustCase(t, f, "manager1", out.Conflict.DisputeID); d.Status != domain.DisputeOpen || !d.CanDecide {
		t.Fatalf("case: %+v", d)
	}
	// A claim in dispute blocks further merges and splits.
	_, err = f.svc.Split(ctx, f.a(t, "manager1"), a.CustomerID, domain.SplitInput{RegistrationIDs: []int64{b.ID}, Reason: "拆"})
	wantCode(t, "split in dispute", err, domain.CodeInvalid)

	if _, err := f.svc.UndoMerge(ctx, f.a(t, "manager1"), b.CustomerID, "合并错了"); err != nil {
		t.Fatal(err)
	}
	if after := stateOf(t, f); after != before {
		t.Fatalf("undo did not restore the state:\nbefore %s\nafter  %s", before, after)
	}
	if d := mustCase(t, f, "admin", out.Conflict.DisputeID); d.Status != domain.DisputeWithdrawn || d.CanDecide {
		t.Fatalf("case after undo: %+v", d)
	}
}

func TestMergeUndoRefusedOnceDecided(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	later := company("Hangzhou Xinghe Tech", "13811110002")
	later.HistoryClaim = "2024 年签过合同"
	a, b := twoRecords(t, f, "sales2", later)
	out, err := f.svc.Merge(ctx, f.a(t, "manager1"), b.CustomerID, domain.MergeInput{IntoID: a.CustomerID, Reason: "同一家公司"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.DecideDispute(ctx, f.a(t, "manager1"), out.Conflict.DisputeID,
		domain.DisputeDecisionInput{WinnerRegistrationID: a.ID, Reason: "先报备"}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.UndoMerge(ctx, f.a(t, "manager1"), b.CustomerID, "合并错了")
	wantCode(t, "undo after a decision", err, domain.CodeInvalid)
	mustRegStatus(t, f, a.ID, domain.StatusActive)
}

func TestMergeRefusals(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	a, b := twoRecords(t, f, "sales2", company("Hangzhou Xinghe Tech", "13811110002"))
	other := mustRegister(t, f, "sales3", company("宁波二组客户有限公司", "13811110009"))
	in := domain.MergeInput{IntoID: a.CustomerID, Reason: "同一家公司"}
	for _, c := range []struct {
		name string
		user string
		id   int64
		in   domain.MergeInput
		want domain.Code
	}{
		{"itself", "manager1", a.CustomerID, in, domain.CodeInvalid},
		{"no reason", "manager1", b.CustomerID, domain.MergeInput{IntoID: a.CustomerID}, domain.CodeInvalid},
		{"no survivor", "manager1", b.CustomerID, domain.MergeInput{Reason: "x"}, domain.CodeInvalid},
		{"sales", "sales1", b.CustomerID, in, domain.CodeForbidden},
		{"clerk", "clerk1", b.CustomerID, in, domain.CodeForbidden},
		{"manager of another team", "manager2", b.CustomerID, in, domain.CodeNotFound},
		{"into another team's customer", "manager1", b.CustomerID, domain.MergeInput{IntoID: other.CustomerID, Reason: "x"}, domain.CodeNotFound},
		{"unknown survivor", "admin", b.CustomerID, domain.MergeInput{IntoID: 987654321, Reason: "x"}, domain.CodeNotFound},
	} {
		_, err := f.svc.Merge(ctx, f.a(t, c.user), c.id, c.in)
		wantCode(t, c.name, err, c.want)
	}
	// The admin may merge across teams; 二组's claim (later) loses by time.
	if _, err := f.svc.Merge(ctx, f.a(t, "admin"), other.CustomerID, in); err != nil {
		t.Fatal(err)
	}
	mustRegStatus(t, f, other.ID, domain.StatusRejected)
	// manager1 cannot split off 二组's claim: it is none of theirs.
	_, err := f.svc.Split(ctx, f.a(t, "manager1"), a.CustomerID, domain.SplitInput{RegistrationIDs: []int64{other.ID}, Reason: "x"})
	wantCode(t, "split another team's claim", err, domain.CodeInvalid)
	// Once 二组 holds the survivor, manager1 may no longer reshape it.
	if _, err := f.svc.Release(ctx, f.a(t, "sales1"), a.ID, domain.ReleaseInput{ReasonCode: "no_interest"}); err != nil {
		t.Fatal(err)
	}
	f.advance(time.Hour)
	mustRegister(t, f, "sales4", company("杭州星河科技有限公司", "13811110001"))
	_, err = f.svc.Merge(ctx, f.a(t, "manager1"), b.CustomerID, in)
	wantCode(t, "merge into another team's holding", err, domain.CodeForbidden)

	// Another company's customer is not found.
	acme, err := f.svc.CreateTenant(ctx, domain.TenantInput{Slug: "acme", Name: "Acme", AdminUsername: "admin", AdminPassword: "demo12345"})
	if err != nil {
		t.Fatal(err)
	}
	users, err := f.svc.Users(ctx, domain.Actor{TenantID: acme.ID, Role: domain.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	acmeAdmin, err := f.svc.Actor(ctx, acme.ID, users[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	theirs := mustRegisterAs(t, f, acmeAdmin, company("上海外部公司有限公司", "13811110077"))
	_, err = f.svc.Merge(ctx, f.a(t, "admin"), b.CustomerID, domain.MergeInput{IntoID: theirs.CustomerID, Reason: "x"})
	wantCode(t, "another company's survivor", err, domain.CodeNotFound)
	_, err = f.svc.CustomerRecord(ctx, f.a(t, "admin"), theirs.CustomerID)
	wantCode(t, "another company's customer", err, domain.CodeNotFound)
}

// mustRegisterAs registers in as actor a.
func mustRegisterAs(t *testing.T, f *fixture, a domain.Actor, in domain.RegistrationInput) domain.Registration {
	t.Helper()
	r, err := f.svc.Register(context.Background(), a, in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSplitMovesChosenRegistrations(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	a, b := twoRecords(t, f, "sales2", company("Hangzhou Xinghe Tech", "13811110002"))
	m1 := f.a(t, "manager1")
	if _, err := f.svc.Merge(ctx, m1, b.CustomerID, domain.MergeInput{IntoID: a.CustomerID, Reason: "同一家公司"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		in   domain.SplitInput
	}{
		{"nothing chosen", domain.SplitInput{Reason: "x"}},
		{"no reason", domain.SplitInput{RegistrationIDs: []int64{b.ID}}},
		{"all of them", domain.SplitInput{RegistrationIDs: []int64{a.ID, b.ID}, Reason: "x"}},
		{"not on the customer", domain.SplitInput{RegistrationIDs: []int64{987654321}, Reason: "x"}},
	} {
		_, err := f.svc.Split(ctx, m1, a.CustomerID, c.in)
		wantCode(t, c.name, err, domain.CodeInvalid)
	}
	_, err := f.svc.Split(ctx, m1, b.CustomerID, domain.SplitInput{RegistrationIDs: []int64{b.ID}, Reason: "x"})
	wantCode(t, "split a merged customer", err, domain.CodeInvalid)

	split, err := f.svc.Split(ctx, m1, a.CustomerID, domain.SplitInput{RegistrationIDs: []int64{b.ID}, Reason: "不是同一家"})
	if err != nil {
		t.Fatal(err)
	}
	if split.ID == a.CustomerID || split.ID == b.CustomerID || split.Name != "Hangzhou Xinghe Tech" ||
		len(split.Registrations) != 1 || split.Registrations[0].ID != b.ID || split.Registrations[0].Visits != 1 {
		t.Fatalf("new customer: %+v", split)
	}
	mustRegStatus(t, f, a.ID, domain.StatusActive)
	// The split-off record's phone finds no live claim on the survivor any more.
	chk, err := f.svc.Check(ctx, f.a(t, "sales3"), company("Hangzhou Xinghe Tech", "13811110002"))
	if err != nil {
		t.Fatal(err)
	}
	if len(chk.Matches) != 0 {
		t.Fatalf("check after split: %+v", chk.Matches)
	}
	if got := auditActions(t, f, "customer", a.CustomerID); len(got) != 1 || got[0] != "customer.split" {
		t.Fatalf("audit: %v", got)
	}
}

// TestMergeRacesRegistration: a merge and a registration of the merged
// record's keys, at once, leave one live claim on the company.
func TestMergeRacesRegistration(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	for round := range 6 {
		nameA, nameB := fmt.Sprintf("杭州竞速%d科技有限公司", round), fmt.Sprintf("Racing %d Tech", round)
		phoneA, phoneB := fmt.Sprintf("1390000%04d", round), fmt.Sprintf("1391111%04d", round)
		a := mustRegister(t, f, "sales1", company(nameA, phoneA))
		f.advance(time.Minute)
		b := mustRegister(t, f, "sales2", company(nameB, phoneB))
		f.advance(time.Minute)
		var (
			wg       sync.WaitGroup
			start    = make(chan struct{})
			mergeErr error
			racer    domain.Registration
			regErr   error
		)
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			_, mergeErr = f.svc.Merge(ctx, f.a(t, "admin"), b.CustomerID, domain.MergeInput{IntoID: a.CustomerID, Reason: "race"})
		}()
		go func() {
			defer wg.Done()
			<-start
			racer, regErr = f.svc.Register(ctx, f.a(t, "sales3"), company(nameB, phoneB))
		}()
		close(start)
		wg.Wait()
		if mergeErr != nil || regErr != nil {
			t.Fatalf("round %d: merge %v, register %v", round, mergeErr, regErr)
		}
		if racer.Status != domain.StatusRejected {
			t.Errorf("round %d: the racing registration is %s on customer %d (a %d, b %d)", round, racer.Status, racer.CustomerID, a.CustomerID, b.CustomerID)
		}
		mustRegStatus(t, f, a.ID, domain.StatusActive)
		mustRegStatus(t, f, b.ID, domain.StatusRejected)
	}
}

// TestMergeDuplicateOfOneOwner: two records held by one salesperson
// become one claim: the later is rejected as a duplicate, no conflict.
func TestMergeDuplicateOfOneOwner(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	a, b := twoRecords(t, f, "sales1", company("Hangzhou Xinghe Tech", "13811110002"))
	out, err := f.svc.Merge(ctx, f.a(t, "manager1"), b.CustomerID, domain.MergeInput{IntoID: a.CustomerID, Reason: "同一家公司"})
	if err != nil {
		t.Fatal(err)
	}
	if c := out.Conflict; c == nil || !c.Duplicate || c.WinnerID != a.ID || c.ConflictID != 0 {
		t.Fatalf("outcome: %+v", out.Conflict)
	}
	if r := mustRegStatus(t, f, b.ID, domain.StatusRejected); r.Conflict != nil || r.Decision == nil {
		t.Fatalf("the duplicate: %+v %+v", r.Conflict, r.Decision)
	}
}

// TestMergeRacesPoolRegistration: while nobody holds either record, a
// registration of the merged record's keys racing the merge ends on the
// survivor, never on the merged record.
func TestMergeRacesPoolRegistration(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	for round := range 8 {
		a := mustRegister(t, f, "sales1", company(fmt.Sprintf("杭州公海%d科技有限公司", round), fmt.Sprintf("1392222%04d", round)))
		in := company(fmt.Sprintf("Pool %d Tech", round), fmt.Sprintf("1393333%04d", round))
		b := mustRegister(t, f, "sales2", in)
		for _, r := range []struct {
			user string
			id   int64
		}{{"sales1", a.ID}, {"sales2", b.ID}} {
			if _, err := f.svc.Release(ctx, f.a(t, r.user), r.id, domain.ReleaseInput{ReasonCode: "no_interest"}); err != nil {
				t.Fatal(err)
			}
		}
		var (
			wg       sync.WaitGroup
			start    = make(chan struct{})
			mergeErr error
			racer    domain.Registration
			regErr   error
		)
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			_, mergeErr = f.svc.Merge(ctx, f.a(t, "admin"), b.CustomerID, domain.MergeInput{IntoID: a.CustomerID, Reason: "race"})
		}()
		go func() {
			defer wg.Done()
			<-start
			racer, regErr = f.svc.Register(ctx, f.a(t, "sales3"), in)
		}()
		close(start)
		wg.Wait()
		if mergeErr != nil || regErr != nil {
			t.Fatalf("round %d: merge %v, register %v", round, mergeErr, regErr)
		}
		racer = mustRegStatus(t, f, racer.ID, domain.StatusActive) // as it is now, after both
		if racer.CustomerID != a.CustomerID {
			t.Errorf("round %d: the racing registration is %s on customer %d (survivor %d, merged %d)",
				round, racer.Status, racer.CustomerID, a.CustomerID, b.CustomerID)
		}
	}
}
