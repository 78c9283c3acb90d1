package domain_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"baobei/internal/domain"
)

// mustCase reads a case as user.
func mustCase(t *testing.T, f *fixture, user string, id int64) domain.Dispute {
	t.Helper()
	d, err := f.svc.Dispute(context.Background(), f.a(t, user), id)
	if err != nil {
		t.Fatalf("%s reads case %d: %v", user, id, err)
	}
	return d
}

// mustStatus checks the status of a registration, read by the admin.
func mustRegStatus(t *testing.T, f *fixture, id int64, want domain.Status) domain.Registration {
	t.Helper()
	r, err := f.svc.Registration(context.Background(), f.a(t, "admin"), id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != want {
		t.Fatalf("registration %d is %s, want %s", id, r.Status, want)
	}
	return r
}

// wantCode fails unless err is a domain error of code.
func wantCode(t *testing.T, what string, err error, code domain.Code) {
	t.Helper()
	if domain.ErrorCode(err) != code {
		t.Fatalf("%s: err = %v, want %s", what, err, code)
	}
}

// auditActions lists the actions audited about an entity, oldest first.
func auditActions(t *testing.T, f *fixture, entity string, id int64) []string {
	t.Helper()
	recs, _, err := f.svc.AuditLog(context.Background(), f.a(t, "admin"), domain.AuditFilter{Entity: entity, EntityID: id, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(recs) - 1; i >= 0; i-- {
		out = append(out, recs[i].Action)
	}
	return out
}

// notificationKinds lists the kinds of a user's notifications about a case.
func notificationKinds(t *testing.T, f *fixture, user string, caseID int64) []string {
	t.Helper()
	notes, err := f.svc.Notifications(context.Background(), f.a(t, user), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(notes) - 1; i >= 0; i-- {
		if notes[i].Link == "/disputes/"+strconv.FormatInt(caseID, 10) {
			out = append(out, notes[i].Kind)
		}
	}
	return out
}

// arbitration registers one customer twice in team 一组, the second claim
// declaring history by evidence alone, and returns both claims and the case
// the rule engine opened.
func arbitration(t *testing.T, f *fixture) (holder, newcomer domain.Registration, caseID int64) {
	t.Helper()
	holder = mustRegister(t, f, "sales1", company("杭州西湖电子有限公司", "13500000001"))
	f.advance(time.Hour)
	in := company("杭州西湖电子有限公司", "13500000002")
	in.HistoryClaim = "2024年签约过合同 HT-2024-019 (附件为合同扫描件)"
	newcomer = mustRegister(t, f, "sales2", in)
	if newcomer.Status != domain.StatusInDispute || newcomer.Conflict == nil || newcomer.Conflict.DisputeID == 0 {
		t.Fatalf("newcomer %s with conflict %+v, want in_dispute with a case", newcomer.Status, newcomer.Conflict)
	}
	return holder, newcomer, newcomer.Conflict.DisputeID
}

// The done-means in the domain: a history claim backed only by
// evidence goes to arbitration; the manager decides; the loser appeals; the
// admin's final decision flips the registrations; both parties are told and
// every step is audited.
func TestDisputeArbitrationAndAppeal(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	holder, newcomer, id := arbitration(t, f)
	mustRegStatus(t, f, holder.ID, domain.StatusInDispute)
	if h, _ := f.svc.Registration(ctx, f.a(t, "sales1"), holder.ID); h.Conflict == nil || h.Conflict.DisputeID != id {
		t.Errorf("the holder's registration names case %+v, want %d", h.Conflict, id)
	}

	c := mustCase(t, f, "sales2", id)
	if c.Status != domain.DisputeOpen || len(c.Claims) != 2 || c.Claims[0].Registration.ID != holder.ID || c.Claims[1].Registration.ID != newcomer.ID {
		t.Fatalf("case = %+v", c)
	}
	if c.DeciderRole != domain.RoleManager || !slices.Equal(c.DeciderNames, []string{"李经理"}) || c.CanDecide {
		t.Errorf("deciders %s %v, party can decide %v", c.DeciderRole, c.DeciderNames, c.CanDecide)
	}
	s := c.Suggestion
	if s == nil || s.Rule != domain.RuleHistory || s.WinnerRegistrationID != 0 || !strings.Contains(s.Reason.Zh, "仲裁") {
		t.Errorf("suggestion = %+v, want history sending it to arbitration", s)
	}
	if s == nil || s.WithoutEvidence == nil || s.WithoutEvidence.Rule != domain.RuleTime || s.WithoutEvidence.WinnerRegistrationID != holder.ID {
		t.Errorf("suggestion without evidence = %+v, want the holder by time", s)
	}
	if !strings.Contains(c.Claims[0].Registration.Customer.Contacts[0].Phone, "*") {
		t.Errorf("a party sees the other party's phone %q unmasked", c.Claims[0].Registration.Customer.Contacts[0].Phone)
	}
	if len(c.Timeline) == 0 || c.Timeline[0].Kind != "registration.create" {
		t.Errorf("timeline starts with %+v", c.Timeline)
	}
	for _, user := range []string{"manager2", "sales3", "frontdesk1"} {
		if _, err := f.svc.Dispute(ctx, f.a(t, user), id); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("%s reads the case: err = %v, want not found", user, err)
		}
	}

	// The newcomer states their case with evidence; once only.
	pdf := domain.Upload{Name: "合同扫描件.pdf", Data: []byte("%PDF-1.4 contract")}
	opened, err := f.svc.OpenDispute(ctx, f.a(t, "sales2"), domain.DisputeInput{RegistrationID: newcomer.ID,
		Reason: "我方 2024 年已签约", Evidence: "合同 HT-2024-019", Uploads: []domain.Upload{pdf}})
	if err != nil || opened.ID != id || len(opened.Files) != 1 || len(opened.Statements) != 1 {
		t.Fatalf("open: %+v, %v", opened, err)
	}
	_, err = f.svc.OpenDispute(ctx, f.a(t, "sales2"), domain.DisputeInput{RegistrationID: newcomer.ID, Reason: "再说一次"})
	wantCode(t, "second statement", err, domain.CodeDuplicate)

	// The manager decides for the holder.
	_, err = f.svc.DecideDispute(ctx, f.a(t, "sales1"), id, domain.DisputeDecisionInput{WinnerRegistrationID: holder.ID, Reason: "x"})
	wantCode(t, "a party decides", err, domain.CodeForbidden)
	_, err = f.svc.DecideDispute(ctx, f.a(t, "manager1"), id, domain.DisputeDecisionInput{WinnerRegistrationID: 12345, Reason: "x"})
	wantCode(t, "a stranger wins", err, domain.CodeInvalid)
	f.advance(time.Hour)
	decidedAt := f.svc.Now()
	c, err = f.svc.DecideDispute(ctx, f.a(t, "manager1"), id, domain.DisputeDecisionInput{WinnerRegistrationID: holder.ID, Reason: "证据不足, 维持先报备者"})
	if err != nil || c.Status != domain.DisputeDecided {
		t.Fatalf("decide: %+v, %v", c.Status, err)
	}
	h := mustRegStatus(t, f, holder.ID, domain.StatusActive)
	if h.ProtectedUntil == nil || !h.ProtectedUntil.Equal(decidedAt.Add(30*24*time.Hour)) {
		t.Errorf("winner protected until %v, want decision time + 30 days", h.ProtectedUntil)
	}
	n := mustRegStatus(t, f, newcomer.ID, domain.StatusRejected)
	if n.Decision == nil || !strings.Contains(n.Decision.Reason.Zh, "证据不足") {
		t.Errorf("loser's decision = %+v", n.Decision)
	}
	// The winner holds the customer: a third claim loses to it.
	if third := mustRegister(t, f, "sales4", company("杭州西湖电子有限公司", "13500000003")); third.Status != domain.StatusRejected {
		t.Errorf("third claim is %s, want rejected", third.Status)
	}

	// Only the loser may appeal, once, and only an admin decides the appeal.
	_, err = f.svc.AppealDispute(ctx, f.a(t, "sales1"), id, "我也要上诉")
	wantCode(t, "the winner appeals", err, domain.CodeForbidden)
	c, err = f.svc.AppealDispute(ctx, f.a(t, "sales2"), id, "有合同原件")
	if err != nil || c.Status != domain.DisputeAppealed || c.DeciderRole != domain.RoleAdmin {
		t.Fatalf("appeal: %+v %s, %v", c.Status, c.DeciderRole, err)
	}
	mustRegStatus(t, f, holder.ID, domain.StatusInDispute)
	mustRegStatus(t, f, newcomer.ID, domain.StatusInDispute)
	_, err = f.svc.AppealDispute(ctx, f.a(t, "sales2"), id, "再上诉")
	wantCode(t, "second appeal", err, domain.CodeDuplicate)
	_, err = f.svc.DecideDispute(ctx, f.a(t, "manager1"), id, domain.DisputeDecisionInput{WinnerRegistrationID: holder.ID, Reason: "x"})
	wantCode(t, "the manager decides the appeal", err, domain.CodeForbidden)
	c, err = f.svc.DecideDispute(ctx, f.a(t, "admin"), id, domain.DisputeDecisionInput{WinnerUserID: newcomer.OwnerID, Reason: "合同原件属实"})
	if err != nil || c.Status != domain.DisputeFinal || len(c.Decisions) != 2 || c.Decisions[1].WinnerRegistrationID != newcomer.ID {
		t.Fatalf("final: %+v, %v", c, err)
	}
	mustRegStatus(t, f, newcomer.ID, domain.StatusActive)
	mustRegStatus(t, f, holder.ID, domain.StatusRejected)
	_, err = f.svc.AppealDispute(ctx, f.a(t, "sales1"), id, "不服")
	wantCode(t, "appeal of a final decision", err, domain.CodeInvalid)

	for _, user := range []string{"sales1", "sales2"} {
		if got := notificationKinds(t, f, user, id); len(got) < 2 || !slices.Contains(got, "dispute_decision") {
			t.Errorf("%s's notifications about the case: %v", user, got)
		}
	}
	want := []string{"dispute.open", "dispute.statement", "dispute.decide", "dispute.appeal", "dispute.appealed", "dispute.decide"}
	if got := auditActions(t, f, "dispute", id); !slices.Equal(got, want) {
		t.Errorf("case audit = %v, want %v", got, want)
	}
	if got := auditActions(t, f, "registration", holder.ID); !slices.Contains(got, "registration.status") {
		t.Errorf("holder audit = %v", got)
	}
}

// A claim the rules rejected may be disputed by its owner within
// appeal_days; both claims then wait in_dispute. Teams with different
// managers go to an admin.
func TestDisputeAutomaticRejection(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	holder := mustRegister(t, f, "sales1", company("南京紫金软件有限公司", "13400000001"))
	f.advance(time.Hour)
	loser := mustRegister(t, f, "sales3", company("南京紫金软件有限公司", "13400000002"))
	if loser.Status != domain.StatusRejected {
		t.Fatalf("loser is %s", loser.Status)
	}
	tests := []struct {
		name, user string
		reg        int64
		code       domain.Code
	}{
		{"another salesperson", "sales4", loser.ID, domain.CodeNotFound},
		{"the loser's manager", "manager2", loser.ID, domain.CodeForbidden},
		{"the winner", "sales1", holder.ID, domain.CodeInvalid},
		{"no reason", "sales3", loser.ID, domain.CodeInvalid},
	}
	for _, tt := range tests {
		reason := "我先联系的客户"
		if tt.name == "no reason" {
			reason = " "
		}
		_, err := f.svc.OpenDispute(ctx, f.a(t, tt.user), domain.DisputeInput{RegistrationID: tt.reg, Reason: reason})
		wantCode(t, tt.name, err, tt.code)
	}
	c, err := f.svc.OpenDispute(ctx, f.a(t, "sales3"), domain.DisputeInput{RegistrationID: loser.ID, Reason: "我先联系的客户"})
	if err != nil {
		t.Fatal(err)
	}
	if c.DeciderRole != domain.RoleAdmin || c.OpenedBy != loser.OwnerID {
		t.Errorf("decider %s, opened by %d", c.DeciderRole, c.OpenedBy)
	}
	mustRegStatus(t, f, holder.ID, domain.StatusInDispute)
	mustRegStatus(t, f, loser.ID, domain.StatusInDispute)
	if got := notificationKinds(t, f, "sales1", c.ID); !slices.Equal(got, []string{"dispute"}) {
		t.Errorf("the other party was told %v", got)
	}
	if got := notificationKinds(t, f, "admin", c.ID); !slices.Equal(got, []string{"dispute"}) {
		t.Errorf("the decider was told %v", got)
	}

	// Too late: after appeal_days the rejection stands.
	other := mustRegister(t, f, "sales1", company("苏州园区物流有限公司", "13400000011"))
	late := mustRegister(t, f, "sales3", company("苏州园区物流有限公司", "13400000012"))
	f.advance(3*24*time.Hour + time.Minute)
	_, err = f.svc.OpenDispute(ctx, f.a(t, "sales3"), domain.DisputeInput{RegistrationID: late.ID, Reason: "晚了"})
	wantCode(t, "late dispute", err, domain.CodeInvalid)
	mustRegStatus(t, f, other.ID, domain.StatusActive)
}

// A manager who is a party does not decide: an admin does.
func TestDisputeDeciderIsParty(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	mustRegister(t, f, "manager1", company("宁波港口机械有限公司", "13300000001"))
	f.advance(time.Hour)
	in := company("宁波港口机械有限公司", "13300000002")
	in.HistoryClaim = "曾合作"
	r := mustRegister(t, f, "sales2", in)
	c := mustCase(t, f, "manager1", r.Conflict.DisputeID)
	if c.DeciderRole != domain.RoleAdmin || c.CanDecide {
		t.Errorf("decider %s %v (manager1 can decide %v), want an admin", c.DeciderRole, c.DeciderNames, c.CanDecide)
	}
}

// Deciders racing on one case: one decision is recorded; the same for
// appeals.
func TestDisputeConcurrentDecisions(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	holder, _, id := arbitration(t, f)
	race := func(n int, fn func() error) (ok int) {
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			start = make(chan struct{})
		)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				err := fn()
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					ok++
				} else if code := domain.ErrorCode(err); code != domain.CodeInvalid && code != domain.CodeDuplicate {
					t.Errorf("unexpected error: %v", err)
				}
			}()
		}
		close(start)
		wg.Wait()
		return ok
	}
	ctx := context.Background()
	if ok := race(8, func() error {
		_, err := f.svc.DecideDispute(ctx, f.a(t, "manager1"), id, domain.DisputeDecisionInput{WinnerRegistrationID: holder.ID, Reason: "先报备"})
		return err
	}); ok != 1 {
		t.Fatalf("%d decisions succeeded, want 1", ok)
	}
	if ok := race(8, func() error {
		_, err := f.svc.AppealDispute(ctx, f.a(t, "sales2"), id, "不服")
		return err
	}); ok != 1 {
		t.Fatalf("%d appeals succeeded, want 1", ok)
	}
	if c := mustCase(t, f, "admin", id); len(c.Decisions) != 1 || len(c.Statements) != 1 {
		t.Errorf("decisions %d, statements %d; want 1 and 1", len(c.Decisions), len(c.Statements))
	}
}

// Disputes in a burst are refused (429) and put the user on the watch
// list of their manager and the admins.
func TestDisputeBurstAndAbuseWatch(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	f.setPolicy(t, `{"dispute_burst_per_hour": 1}`)
	var losers []domain.Registration
	for i, name := range []string{"厦门鹭岛贸易有限公司", "福州闽江贸易有限公司"} {
		mustRegister(t, f, "sales1", company(name, "1320000000"+string(rune('1'+i))))
		losers = append(losers, mustRegister(t, f, "sales3", company(name, "1320000001"+string(rune('1'+i)))))
	}
	if _, err := f.svc.OpenDispute(ctx, f.a(t, "sales3"), domain.DisputeInput{RegistrationID: losers[0].ID, Reason: "理由"}); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.OpenDispute(ctx, f.a(t, "sales3"), domain.DisputeInput{RegistrationID: losers[1].ID, Reason: "理由"})
	wantCode(t, "second dispute in the hour", err, domain.CodeRateLimited)

	since := f.svc.Now().Add(-24 * time.Hour)
	for _, tt := range []struct {
		user  string
		lists bool
	}{{"admin", true}, {"manager2", true}, {"manager1", false}} {
		rows, err := f.svc.AbuseWatch(ctx, f.a(t, tt.user), since)
		if err != nil {
			t.Fatal(err)
		}
		found := slices.ContainsFunc(rows, func(r domain.AbuseRow) bool {
			return r.UserName == "王五" && r.Kind == "dispute" && r.Limited && r.PeakHour == 1 && r.Rejected == 1
		})
		if found != tt.lists {
			t.Errorf("%s's watch list %+v: lists sales3 = %v, want %v", tt.user, rows, found, tt.lists)
		}
	}
	if _, err := f.svc.AbuseWatch(ctx, f.a(t, "sales1"), since); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("sales reads the watch list: %v", err)
	}
}

// A deal's signer disputes its credit; deals are recorded all the while,
// even of a customer whose claims wait in a case.
func TestDealDispute(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	_, _, openCase := arbitration(t, f)
	signed := f.svc.Now()
	amount := 88000.0
	in := domain.DealInput{ContractNo: "HT-2026-001", Customer: company("杭州西湖电子有限公司", "13500000001").Customer,
		SignedAt: &signed, Amount: &amount, SignerID: f.a(t, "sales3").UserID}
	if _, err := f.svc.RecordDeal(ctx, f.a(t, "clerk1"), in); err != nil {
		t.Fatalf("a deal of a customer in an open case: %v", err)
	}
	if c := mustCase(t, f, "manager1", openCase); c.Status != domain.DisputeOpen {
		t.Errorf("the case is %s after the deal", c.Status)
	}

	mustRegister(t, f, "sales1", company("温州瓯江阀门有限公司", "13100000001"))
	in.ContractNo, in.Customer = "HT-2026-002", company("温州瓯江阀门有限公司", "13100000001").Customer
	deal, err := f.svc.RecordDeal(ctx, f.a(t, "sales3"), in)
	if err != nil || deal.OwnerID != f.a(t, "sales1").UserID {
		t.Fatalf("deal credited to %d, %v", deal.OwnerID, err)
	}
	_, err = f.svc.OpenDispute(ctx, f.a(t, "sales4"), domain.DisputeInput{DealID: deal.ID, Reason: "我的"})
	wantCode(t, "not a party", err, domain.CodeNotFound)
	c, err := f.svc.OpenDispute(ctx, f.a(t, "sales3"), domain.DisputeInput{DealID: deal.ID, Reason: "客户是我谈下来的"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Kind != domain.DisputeDeal || len(c.Claims) != 2 || c.Claims[0].UserName != "张三" || c.DeciderRole != domain.RoleAdmin {
		t.Fatalf("case = %+v", c)
	}
	if c.Suggestion == nil || c.Suggestion.WinnerUserID != f.a(t, "sales1").UserID {
		t.Errorf("suggestion = %+v", c.Suggestion)
	}
	if _, err := f.svc.DecideDispute(ctx, f.a(t, "admin"), c.ID, domain.DisputeDecisionInput{WinnerUserID: f.a(t, "sales3").UserID, Reason: "签约人主导"}); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Deal(ctx, f.a(t, "admin"), deal.ID)
	if err != nil || got.OwnerID != f.a(t, "sales3").UserID || got.Rule != domain.RuleDispute || len(got.AssistIDs) != 0 {
		t.Errorf("deal after the decision: owner %d rule %s assists %v, %v", got.OwnerID, got.Rule, got.AssistIDs, err)
	}
	if _, err := f.svc.AppealDispute(ctx, f.a(t, "sales1"), c.ID, "我有报备"); err != nil {
		t.Errorf("the credited user appeals: %v", err)
	}
}

// Evidence files: only the four sniffed types, at most 10 MiB, readable by
// the case's parties and deciders only; staged files by their uploader.
func TestDisputeFiles(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	tests := []struct {
		name string
		data []byte
		ok   bool
	}{
		{"pdf", []byte("%PDF-1.7\n"), true},
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}, true},
		{"png", []byte("\x89PNG\r\n\x1a\n...."), true},
		{"webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), true},
		{"text named pdf", []byte("just text"), false},
		{"gif", []byte("GIF89a"), false},
		{"empty", nil, false},
		{"too big", append([]byte("%PDF-"), make([]byte, domain.MaxFileSize)...), false},
	}
	for _, tt := range tests {
		_, err := f.svc.UploadFile(ctx, f.a(t, "sales2"), domain.Upload{Name: tt.name + ".pdf", Data: tt.data})
		if (err == nil) != tt.ok || (!tt.ok && domain.ErrorCode(err) != domain.CodeInvalid) {
			t.Errorf("%s: err = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
	staged, err := f.svc.UploadFile(ctx, f.a(t, "sales2"), domain.Upload{Name: `C:\scans\合同.png`, Data: []byte("\x89PNG\r\n\x1a\nxx")})
	if err != nil || staged.Name != "合同.png" || staged.ContentType != "image/png" {
		t.Fatalf("staged %+v, %v", staged, err)
	}
	if _, _, err := f.svc.FileContent(ctx, f.a(t, "sales1"), staged.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("another user reads a staged file: %v", err)
	}
	holder, newcomer, id := arbitration(t, f)
	_, err = f.svc.OpenDispute(ctx, f.a(t, "sales1"), domain.DisputeInput{RegistrationID: holder.ID, Reason: "x", FileIDs: []int64{staged.ID}})
	wantCode(t, "attaching someone else's file", err, domain.CodeInvalid)
	if _, err := f.svc.OpenDispute(ctx, f.a(t, "sales2"), domain.DisputeInput{RegistrationID: newcomer.ID, Reason: "证据", FileIDs: []int64{staged.ID}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		user string
		ok   bool
	}{{"sales2", true}, {"sales1", true}, {"manager1", true}, {"admin", true}, {"sales3", false}, {"manager2", false}} {
		_, data, err := f.svc.FileContent(ctx, f.a(t, tt.user), staged.ID)
		if (err == nil) != tt.ok || (tt.ok && string(data) != "\x89PNG\r\n\x1a\nxx") {
			t.Errorf("%s reads the evidence of case %d: err = %v, want ok %v", tt.user, id, err, tt.ok)
		}
	}
}

// Refusals follow who asks, not the case's state: a party never decides
// and a non-party never appeals (403), while one who could decide hears
// that nothing waits (422). Admins may decide even a manager's case.
func TestDisputeRefusalsFollowTheAsker(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	holder, _, id := arbitration(t, f)
	if c := mustCase(t, f, "admin", id); !c.CanDecide || c.DeciderRole != domain.RoleManager {
		t.Fatalf("the admin cannot decide the manager's case: %+v", c)
	}
	decision := domain.DisputeDecisionInput{WinnerRegistrationID: holder.ID, Reason: "先报备者优先"}
	if _, err := f.svc.DecideDispute(ctx, f.a(t, "admin"), id, decision); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, user string
		appeal     bool
		reason     string
		code       domain.Code
	}{
		{"the winner decides", "sales1", false, "x", domain.CodeForbidden},
		{"the loser decides", "sales2", false, "x", domain.CodeForbidden},
		{"the manager decides a decided case", "manager1", false, "x", domain.CodeInvalid},
		{"the manager decides without a reason", "manager1", false, "", domain.CodeInvalid},
		{"another team's manager", "manager2", false, "x", domain.CodeNotFound},
		{"the manager appeals", "manager1", true, "x", domain.CodeForbidden},
		{"the admin appeals", "admin", true, "x", domain.CodeForbidden},
		{"the winner appeals", "sales1", true, "x", domain.CodeForbidden},
		{"the loser appeals without a reason", "sales2", true, " ", domain.CodeInvalid},
	}
	for _, tt := range tests {
		var err error
		if tt.appeal {
			_, err = f.svc.AppealDispute(ctx, f.a(t, tt.user), id, tt.reason)
		} else {
			_, err = f.svc.DecideDispute(ctx, f.a(t, tt.user), id, domain.DisputeDecisionInput{WinnerRegistrationID: holder.ID, Reason: tt.reason})
		}
		wantCode(t, tt.name, err, tt.code)
	}
}
