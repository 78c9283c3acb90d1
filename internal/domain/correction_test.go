package domain_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/domain"
)

// withPhone is a patch that sets the registration's contacts to one
// self contact with phone.
func withPhone(phone string) domain.RegistrationPatch {
	return domain.RegistrationPatch{Customer: &domain.CustomerPatch{
		Contacts: &[]domain.Contact{{Name: "张经理", Title: "采购经理", Phone: phone, Relation: "self"}}}}
}

// addPhone is a patch that keeps in's contacts and adds one with phone.
func addPhone(in domain.RegistrationInput, phone string) domain.RegistrationPatch {
	cs := append(append([]domain.Contact{}, in.Customer.Contacts...), domain.Contact{Name: "李总", Phone: phone, Relation: "self"})
	return domain.RegistrationPatch{Customer: &domain.CustomerPatch{Contacts: &cs}}
}

func mustEdit(t *testing.T, f *fixture, user string, id int64, p domain.RegistrationPatch) domain.Registration {
	t.Helper()
	r, err := f.svc.EditRegistration(context.Background(), f.a(t, user), id, p)
	if err != nil {
		t.Fatalf("%s edits %d: %v", user, id, err)
	}
	return r
}

// liveKeyHolders returns the registrations holding the live key kind/key.
func liveKeyHolders(t *testing.T, f *fixture, kind, key string) []int64 {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), f.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), `SELECT registration_id FROM live_keys WHERE kind = $1 AND key = $2`, kind, key)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// The done-means: an edit that adds another customer's phone to
// one's own claim is caught as a conflict, not silently accepted. The
// edited claim loses by time (the added phone counts from the edit), is
// rejected with the usual reason and a conflict record, and the holder
// keeps the phone.
func TestEditAddingAnotherCustomersPhoneIsCaughtAsConflict(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	held := mustRegister(t, f, "sales1", company("深圳腾达科技有限公司", "13811112222"))
	f.advance(time.Hour)
	mine := mustRegister(t, f, "sales3", company("杭州远景软件有限公司", "13933334444"))
	f.advance(time.Hour)

	got := mustEdit(t, f, "sales3", mine.ID, addPhone(company("杭州远景软件有限公司", "13933334444"), "13811112222"))
	if got.Status != domain.StatusRejected {
		t.Fatalf("status after adding a held phone = %s, want rejected", got.Status)
	}
	if got.Decision == nil || got.Decision.Rule != domain.RuleTime || got.Decision.Winner != "other" {
		t.Fatalf("decision = %+v, want lost by time", got.Decision)
	}
	if !strings.Contains(got.Decision.Reason.Zh, "2026-11-02 10:31") {
		t.Errorf("reason %q does not give the holder's registration time", got.Decision.Reason.Zh)
	}
	if got.Conflict == nil || strings.Join(got.Conflict.MatchedOn, ",") != "phone" {
		t.Errorf("conflict = %+v, want matched on phone", got.Conflict)
	}
	if got.CustomerID != held.CustomerID {
		t.Errorf("the edited claim is for customer %d, want the holder's %d", got.CustomerID, held.CustomerID)
	}
	if h := liveKeyHolders(t, f, "phone", "13811112222"); len(h) != 1 || h[0] != held.ID {
		t.Errorf("phone held by %v, want only %d", h, held.ID)
	}
	// A rejected claim holds nothing: its own name is free again.
	if h := liveKeyHolders(t, f, "name_exact", domain.NameKey("杭州远景软件有限公司")); len(h) != 0 {
		t.Errorf("the rejected claim's name is still held by %v", h)
	}
	mustRegStatus(t, f, held.ID, domain.StatusActive)
	if f.notes(t, "sales1", "conflict") != 1 {
		t.Errorf("the holder was not told of the collision")
	}
	// The loser may dispute like any rejected claim.
	if _, err := f.svc.OpenDispute(context.Background(), f.a(t, "sales3"),
		domain.DisputeInput{RegistrationID: mine.ID, Reason: "电话录错了"}); err != nil {
		t.Errorf("dispute after the edit conflict: %v", err)
	}
}

// Renaming one's claim to another customer's name, or giving it their
// credit code, is caught the same way.
func TestEditTakingAnotherCustomersNameOrCodeIsCaught(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	held := company("深圳腾达科技有限公司", "13811112222")
	held.Customer.USCC = "914403001922038216"
	mustRegister(t, f, "sales1", held)
	for i, c := range []struct {
		name  string
		patch domain.CustomerPatch
		key   string
	}{
		{"name", domain.CustomerPatch{Name: ptr("腾达科技(深圳)有限公司")}, "name_exact"},
		{"credit code", domain.CustomerPatch{USCC: ptr("9144-0300-1922-0382-16")}, "uscc"},
	} {
		t.Run(c.name, func(t *testing.T) {
			mine := mustRegister(t, f, "sales3", company(fmt.Sprintf("杭州远景%d软件有限公司", i), fmt.Sprintf("1393333000%d", i)))
			f.advance(time.Minute)
			got := mustEdit(t, f, "sales3", mine.ID, domain.RegistrationPatch{Customer: &c.patch})
			if got.Status != domain.StatusRejected || got.Conflict == nil || !strings.Contains(strings.Join(got.Conflict.MatchedOn, ","), c.key) {
				t.Fatalf("edit taking the %s: %s %+v", c.name, got.Status, got.Conflict)
			}
		})
	}
}

// A claim keeps its registered_at only for keys it already had: an early
// claim that adds a key a later claim holds loses it by time, because the
// added key counts from the edit, not from the early registration.
func TestEditKeepsRegisteredAtOnlyForHeldKeys(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	early := mustRegister(t, f, "sales1", company("深圳腾达科技有限公司", "13811112222"))
	f.advance(time.Hour)
	later := mustRegister(t, f, "sales3", company("杭州远景软件有限公司", "13933334444"))
	f.advance(time.Hour)

	// An unopposed edit of a key keeps the original registration time and protection.
	renamed := mustEdit(t, f, "sales1", early.ID, domain.RegistrationPatch{Customer: &domain.CustomerPatch{Project: ptr("数据中心二期")}})
	if renamed.Status != domain.StatusActive || !renamed.RegisteredAt.Equal(early.RegisteredAt) ||
		!renamed.ProtectedUntil.Equal(*early.ProtectedUntil) || renamed.Customer.Project != "数据中心二期" {
		t.Fatalf("after an unopposed edit: %+v", renamed)
	}
	// A key the claim already had still counts from its registration: a
	// newcomer on the old name loses to it.
	f.advance(time.Hour)
	lost := mustRegister(t, f, "sales4", company("深圳腾达科技有限公司", "13700000000"))
	if lost.Status != domain.StatusRejected {
		t.Fatalf("newcomer on a kept key: %s, want rejected", lost.Status)
	}

	// Adding the later claim's phone does not jump the queue.
	got := mustEdit(t, f, "sales1", early.ID, addPhone(company("深圳腾达科技有限公司", "13811112222"), "13933334444"))
	if got.Status != domain.StatusRejected || got.Decision == nil || got.Decision.Rule != domain.RuleTime {
		t.Fatalf("early claim adding a later claim's phone: %s %+v, want rejected by time", got.Status, got.Decision)
	}
	if !got.RegisteredAt.Equal(early.RegisteredAt) {
		t.Errorf("registered_at moved to %v", got.RegisteredAt)
	}
	mustRegStatus(t, f, later.ID, domain.StatusActive)
	if h := liveKeyHolders(t, f, "phone", "13933334444"); len(h) != 1 || h[0] != later.ID {
		t.Errorf("phone held by %v, want %d", h, later.ID)
	}
}

// When the rules cannot decide (history evidence only), an edit conflict
// goes to arbitration: both claims wait in_dispute.
func TestEditConflictGoesToArbitrationWhenUndecided(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	held := mustRegister(t, f, "sales1", company("深圳腾达科技有限公司", "13811112222"))
	in := company("杭州远景软件有限公司", "13933334444")
	in.HistoryClaim = "2024 年签约过, 附合同扫描件"
	mine := mustRegister(t, f, "sales3", in)
	f.advance(time.Hour)
	got := mustEdit(t, f, "sales3", mine.ID, addPhone(in, "13811112222"))
	if got.Status != domain.StatusInDispute || got.Conflict == nil || got.Conflict.DisputeID == 0 {
		t.Fatalf("undecided edit conflict: %s %+v, want in_dispute with a case", got.Status, got.Conflict)
	}
	mustRegStatus(t, f, held.ID, domain.StatusInDispute)
	// The edited claim still holds its own name while the case waits: a
	// newcomer on it collides with it (and, against its history claim,
	// goes to arbitration too).
	next := mustRegister(t, f, "sales4", company("杭州远景软件有限公司", "13700000000"))
	if next.Status != domain.StatusInDispute || next.Conflict == nil || strings.Join(next.Conflict.MatchedOn, ",") != "name_exact" {
		t.Errorf("registering the edited claim's own name during the case: %s %+v, want a conflict on the name", next.Status, next.Conflict)
	}
}

// Removed keys free their live_keys rows at once; the new phone is held.
func TestEditFreesRemovedKeys(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	reg := mustRegister(t, f, "sales1", company("深圳腾达科技有限公司", "13811112222"))
	got := mustEdit(t, f, "sales1", reg.ID, withPhone("13855556666"))
	if got.Status != domain.StatusActive {
		t.Fatalf("status = %s", got.Status)
	}
	if h := liveKeyHolders(t, f, "phone", "13811112222"); len(h) != 0 {
		t.Errorf("the removed phone is still held by %v", h)
	}
	if h := liveKeyHolders(t, f, "phone", "13855556666"); len(h) != 1 || h[0] != reg.ID {
		t.Errorf("the new phone is held by %v, want %d", h, reg.ID)
	}
	// Someone else may now claim a customer with the freed phone.
	other := mustRegister(t, f, "sales3", company("杭州远景软件有限公司", "13811112222"))
	if other.Status != domain.StatusActive {
		t.Errorf("registering with the freed phone: %s, want active", other.Status)
	}
	taken := mustRegister(t, f, "sales4", company("南京紫金电子有限公司", "13855556666"))
	if taken.Status != domain.StatusRejected {
		t.Errorf("registering with the edited-in phone: %s, want rejected", taken.Status)
	}
}

// Only the owner and their manager may edit; other readers are refused,
// everyone else does not see the registration.
func TestEditPermissions(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	reg := mustRegister(t, f, "sales1", company("深圳腾达科技有限公司", "13811112222"))
	for _, c := range []struct {
		user string
		code domain.Code
	}{
		{"sales1", ""}, {"manager1", ""},
		{"sales2", domain.CodeNotFound}, {"manager2", domain.CodeNotFound}, {"frontdesk1", domain.CodeNotFound},
		{"clerk1", domain.CodeForbidden}, {"admin", domain.CodeForbidden},
	} {
		_, err := f.svc.EditRegistration(ctx, f.a(t, c.user), reg.ID, domain.RegistrationPatch{Grade: ptr("H")})
		if domain.ErrorCode(err) != c.code {
			t.Errorf("%s edits: err = %v, want %q", c.user, err, c.code)
		}
	}
}

// Bad input and incomplete results are refused and change nothing; a
// claim that is no longer live cannot be edited; the same owner's other
// claim is a duplicate.
func TestEditRefusals(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	reg := mustRegister(t, f, "sales1", company("深圳腾达科技有限公司", "13811112222"))
	mustRegister(t, f, "sales1", company("杭州远景软件有限公司", "13933334444"))
	sales1 := f.a(t, "sales1")

	_, err := f.svc.EditRegistration(ctx, sales1, reg.ID, domain.RegistrationPatch{Grade: ptr("Z")})
	wantCode(t, "bad grade", err, domain.CodeInvalid)
	_, err = f.svc.EditRegistration(ctx, sales1, reg.ID, domain.RegistrationPatch{Needs: ptr(""),
		Customer: &domain.CustomerPatch{Contacts: &[]domain.Contact{}, Industry: ptr("")}})
	wantCode(t, "below min_completeness", err, domain.CodeInvalid)
	_, err = f.svc.EditRegistration(ctx, sales1, reg.ID, withPhone("13933334444"))
	wantCode(t, "the owner's other claim", err, domain.CodeDuplicate)
	after := mustRegStatus(t, f, reg.ID, domain.StatusActive)
	if after.Grade != "A" || after.Needs == "" || after.Customer.Contacts[0].Phone != "13811112222" || after.Completeness != reg.Completeness {
		t.Errorf("a refused edit changed the registration: %+v", after)
	}

	lost := mustRegister(t, f, "sales3", company("深圳腾达科技有限公司", "13700000000"))
	_, err = f.svc.EditRegistration(ctx, f.a(t, "sales3"), lost.ID, domain.RegistrationPatch{Grade: ptr("H")})
	wantCode(t, "editing a rejected claim", err, domain.CodeInvalid)
}

// Every edit is audited with before → after, phones masked.
func TestEditIsAuditedBeforeAfter(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	reg := mustRegister(t, f, "sales1", company("深圳腾达科技有限公司", "13811112222"))
	mustEdit(t, f, "manager1", reg.ID, domain.RegistrationPatch{Grade: ptr("H"), Customer: &domain.CustomerPatch{Industry: ptr("制造")}})
	recs, _, err := f.svc.AuditLog(context.Background(), f.a(t, "admin"),
		domain.AuditFilter{Action: "registration.edit", EntityID: reg.ID, Limit: 10})
	if err != nil || len(recs) != 1 {
		t.Fatalf("audit = %+v, %v", recs, err)
	}
	a := recs[0]
	if a.ActorID != f.a(t, "manager1").UserID || !strings.Contains(a.Before, `"grade": "A"`) || !strings.Contains(a.After, `"grade": "H"`) ||
		!strings.Contains(a.Before, "通信") || !strings.Contains(a.After, "制造") {
		t.Errorf("audit entry = %+v", a)
	}
	if strings.Contains(a.Before+a.After, "13811112222") || !strings.Contains(a.After, "1381111****") {
		t.Errorf("audit holds a full phone: %s → %s", a.Before, a.After)
	}
}

// Edits and registrations racing for one new key: the live_keys primary
// key lets exactly one claim hold it; every other one is rejected.
func TestEditRacesForANewKey(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	for round := range 4 {
		a := mustRegister(t, f, "sales1", company(fmt.Sprintf("深圳腾达%d科技有限公司", round), fmt.Sprintf("1381111%04d", round)))
		b := mustRegister(t, f, "sales3", company(fmt.Sprintf("杭州远景%d软件有限公司", round), fmt.Sprintf("1393333%04d", round)))
		contested := fmt.Sprintf("1365555%04d", round)
		f.advance(time.Minute)
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			ids   = make([]int64, 3)
			errs  = make([]error, 3)
		)
		run := func(i int, fn func() (domain.Registration, error)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r, err := fn()
				ids[i], errs[i] = r.ID, err
			}()
		}
		run(0, func() (domain.Registration, error) {
			return f.svc.EditRegistration(ctx, f.a(t, "sales1"), a.ID, withPhone(contested))
		})
		run(1, func() (domain.Registration, error) {
			return f.svc.EditRegistration(ctx, f.a(t, "sales3"), b.ID, withPhone(contested))
		})
		run(2, func() (domain.Registration, error) {
			return f.svc.Register(ctx, f.a(t, "sales4"), company(fmt.Sprintf("南京紫金%d电子有限公司", round), contested))
		})
		close(start)
		wg.Wait()
		holders := liveKeyHolders(t, f, "phone", contested)
		if len(holders) != 1 {
			t.Fatalf("round %d: %s is held by %v, want exactly one claim", round, contested, holders)
		}
		live := 0
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, racer %d: %v", round, i, err)
			}
			want := domain.StatusRejected
			if ids[i] == holders[0] {
				want = domain.StatusActive
				live++
			}
			mustRegStatus(t, f, ids[i], want)
		}
		if live != 1 {
			t.Fatalf("round %d: %d claims hold %s, want exactly 1", round, live, contested)
		}
	}
}
