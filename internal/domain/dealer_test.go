package domain_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"baobei/internal/domain"
)

var (
	licence = domain.Upload{Name: "营业执照.pdf", Data: []byte("%PDF-1.4 licence")}
	idCopy  = domain.Upload{Name: "身份证.jpg", Data: []byte{0xFF, 0xD8, 0xFF, 0xE1, 1, 2}}
)

// dealerInput is a complete dealer registration with its documents.
func dealerInput() domain.DealerInput {
	return domain.DealerInput{Company: "成都天府经销有限公司", Bank: "中国工商银行成都分行", BankAccount: "4402 2000 0910 0123 456",
		TaxNo: "91350100M000100Y43", Address: "成都市高新区天府大道 100 号", Phone: "028-8888 6666",
		Uploads: map[string][]domain.Upload{domain.DocBusinessLicence: {licence}, domain.DocLegalRepID: {idCopy}}}
}

func TestDealerInputRefusals(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	tests := []struct {
		name  string
		user  string
		edit  func(*domain.DealerInput)
		field string
		code  domain.Code
	}{
		{"front desk", "frontdesk1", func(*domain.DealerInput) {}, "", domain.CodeForbidden},
		{"no legal representative's ID", "sales1", func(in *domain.DealerInput) { delete(in.Uploads, domain.DocLegalRepID) }, "documents.legal_rep_id", domain.CodeInvalid},
		{"bad credit code", "sales1", func(in *domain.DealerInput) { in.TaxNo = "91350100M000100Y44" }, "tax_no", domain.CodeInvalid},
		{"bank account with letters", "sales1", func(in *domain.DealerInput) { in.BankAccount = "ABC123" }, "bank_account", domain.CodeInvalid},
		{"no company", "sales1", func(in *domain.DealerInput) { in.Company = " " }, "company", domain.CodeInvalid},
		{"masked phone", "sales1", func(in *domain.DealerInput) { in.Phone = "1381234****" }, "phone", domain.CodeInvalid},
		{"a document of another type", "sales1", func(in *domain.DealerInput) {
			in.Uploads[domain.DocOperatingPermit] = []domain.Upload{{Name: "a.txt", Data: []byte("text")}}
		}, "documents.operating_permit", domain.CodeInvalid},
	}
	for _, tt := range tests {
		in := dealerInput()
		tt.edit(&in)
		_, err := f.svc.SubmitDealer(context.Background(), f.a(t, tt.user), in)
		wantCode(t, tt.name, err, tt.code)
		var de *domain.Error
		if tt.field != "" && (!errors.As(err, &de) || de.Fields[tt.field].Zh == "") {
			t.Errorf("%s: fields %v lack %s", tt.name, de, tt.field)
		}
	}
}

// The done-means: a dealer goes through the three approval steps,
// including one return and resubmission, and becomes a company customer.
func TestDealerOnboardingChain(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	d, err := f.svc.SubmitDealer(ctx, f.a(t, "sales1"), dealerInput())
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Documents) != 2 || d.Approval.Status != domain.ChainPending || d.Approval.Waiting() != domain.RoleClerk ||
		!slices.Equal(d.Approval.Roles, []domain.Role{domain.RoleClerk, domain.RoleManager, domain.RoleAdmin}) {
		t.Fatalf("submitted dealer = %+v", d)
	}
	// The step waits in the generic approvals queue of its role.
	queue, _, err := f.svc.Approvals(ctx, f.a(t, "clerk1"), 50, 0)
	if err != nil || !slices.ContainsFunc(queue, func(a domain.Approval) bool {
		return a.Kind == domain.ApprovalChainStep && a.Link == "/dealers/"+strconv.FormatInt(d.ID, 10)
	}) {
		t.Fatalf("clerk's queue %+v, %v", queue, err)
	}
	step := func(user string, approve bool, reason string, code domain.Code) domain.Dealer {
		t.Helper()
		got, err := f.svc.DecideDealer(ctx, f.a(t, user), d.ID, approve, reason)
		wantCode(t, user+" decides", err, code)
		return got
	}
	step("manager1", true, "", domain.CodeForbidden) // not the manager's turn yet
	step("sales3", true, "", domain.CodeNotFound)    // cannot read it
	if got := step("clerk1", true, "", ""); got.Approval.Waiting() != domain.RoleManager {
		t.Fatalf("after the clerk: waiting for %s", got.Approval.Waiting())
	}
	step("clerk1", true, "", domain.CodeForbidden)
	step("manager2", true, "", domain.CodeNotFound) // not the submitter's manager
	step("manager1", false, "", domain.CodeInvalid) // a return needs a reason
	if got := step("manager1", false, "银行账号与开户许可证不符", ""); got.Approval.Status != domain.ChainReturned || got.CanResubmit {
		t.Fatalf("after the return: %+v", got.Approval)
	}
	in := dealerInput()
	in.BankAccount, in.Uploads = "4402200009100123457", nil
	_, err = f.svc.ResubmitDealer(ctx, f.a(t, "clerk1"), d.ID, in)
	wantCode(t, "the clerk resubmits", err, domain.CodeForbidden)
	if d, err = f.svc.ResubmitDealer(ctx, f.a(t, "sales1"), d.ID, in); err != nil || d.Approval.Waiting() != domain.RoleClerk {
		t.Fatalf("resubmitted: %+v, %v", d.Approval, err)
	}
	step("clerk1", true, "", "")
	step("manager1", true, "", "")
	d = step("admin", true, "同意", "")
	if d.Approval.Status != domain.ChainApproved || d.CustomerID == 0 || d.BankAccount != "4402200009100123457" || len(d.Documents) != 2 {
		t.Fatalf("approved dealer = %+v", d)
	}
	var actions []string
	for _, h := range d.Approval.History {
		actions = append(actions, h.Action+":"+string(h.Role))
	}
	want := []string{"submit:sales", "approve:clerk", "return:manager", "submit:sales", "approve:clerk", "approve:manager", "approve:admin"}
	if !slices.Equal(actions, want) {
		t.Errorf("history %v, want %v", actions, want)
	}
	notes, err := f.svc.Notifications(ctx, f.a(t, "sales1"), 20)
	if err != nil || len(notes) < 2 || notes[0].Kind != "chain" || notes[1].Kind != "chain" {
		t.Errorf("submitter's notifications %+v, %v", notes, err)
	}
	// The dealer is now a company customer: a registration of it lands on it.
	r := mustRegister(t, f, "sales2", company("成都天府经销有限公司", "13000000001"))
	if r.CustomerID != d.CustomerID || r.Customer.Kind != domain.KindCompany {
		t.Errorf("registration of the dealer is for customer %d, want %d", r.CustomerID, d.CustomerID)
	}
	if got := auditActions(t, f, "dealer", d.ID); !slices.Equal(got, []string{"dealer.submit", "dealer.resubmit", "dealer.approve"}) {
		t.Errorf("dealer audit %v", got)
	}
}

// A company sets its own chain; one person approves at most one step of a
// round, even an admin, who may decide any step.
func TestApprovalChainSettings(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	admin := f.a(t, "admin")
	wantCode(t, "a sales step", f.svc.SetApprovalChain(ctx, admin, domain.ChainDealer, []domain.Role{domain.RoleSales}), domain.CodeInvalid)
	wantCode(t, "a manager sets it", f.svc.SetApprovalChain(ctx, f.a(t, "manager1"), domain.ChainDealer, []domain.Role{domain.RoleAdmin}), domain.CodeForbidden)
	wantCode(t, "an unknown kind", f.svc.SetApprovalChain(ctx, admin, "rocket", []domain.Role{domain.RoleAdmin}), domain.CodeNotFound)
	if err := f.svc.SetApprovalChain(ctx, admin, domain.ChainDealer, []domain.Role{domain.RoleClerk, domain.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	d, err := f.svc.SubmitDealer(ctx, f.a(t, "sales3"), dealerInput())
	if err != nil || len(d.Approval.Roles) != 2 {
		t.Fatalf("%+v, %v", d.Approval, err)
	}
	if _, err := f.svc.DecideDealer(ctx, admin, d.ID, true, ""); err != nil {
		t.Fatalf("the admin takes the clerk's step: %v", err)
	}
	_, err = f.svc.DecideDealer(ctx, admin, d.ID, true, "")
	wantCode(t, "the admin takes the next step too", err, domain.CodeForbidden)
}
