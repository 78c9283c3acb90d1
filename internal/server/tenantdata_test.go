package server_test

import (
	"context"
	"testing"
	"time"

	"baobei/internal/domain"
)

// tenantData is one company's worth of records of every kind a route
// takes an id of, made through the domain. Its free texts carry the
// company's mark, so a page or a response can be searched for another
// company's records by content; customer names, phones, usernames and the
// team name are the same in every company made with seedTenant.
type tenantData struct {
	Slug                          string
	Mark                          string
	Team, Victim                  int64 // a team; a user that may be deactivated
	Token                         int64 // a token of sales1's that may be revoked
	Sales2                        int64 // sales2's user id
	Registration, Newcomer, Held  int64 // sales1's claim; sales2's claim in dispute with it; another of sales1's
	Dispute, Consent, Approval    int64
	Deal, DealClaim, Dealer, File int64
	Texts                         []string // the marked free texts, as typed
	Visit                         int64    // the front desk's visit (a self-visit)
	Session                       int64    // a sign-in session of sales1's (not a test client's) that may be revoked
	Import                        int64    // an import job of the admin's, previewed
	Customer                      int64    // the customer of Held
	Channel, Delivery             int64    // an outbound webhook channel; a message queued for it
}

// Customers, phones and names shared by every seeded company.
const (
	seedDisputed = "杭州西湖电子有限公司"
	seedHeld     = "苏州园区软件有限公司"
	seedDealt    = "无锡太湖纺织有限公司"
	seedVisitor  = "宁波港口物流有限公司"
	seedPhone1   = "13500000001"
	seedPhone2   = "13500000002"
	seedPhone3   = "13500000003"
	seedPhone5   = "13500000005"
	seedPhone9   = "13500000009"
)

// seedTenant fills company slug with tenantData's records. For a slug other
// than demo it first creates the company, with an admin "admin", a team 一组
// managed by manager1 and the users sales1, sales2, frontdesk1 and clerk1
// (every password demoPassword), as the demo company has them. mark makes
// the free texts distinctive.
func seedTenant(t testing.TB, app *testApp, slug, mark string) tenantData {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed %s: %v", slug, err)
		}
	}
	if slug != "demo" {
		_, err := app.Svc.CreateTenant(ctx, domain.TenantInput{Slug: slug, Name: slug + " 公司", AdminUsername: "admin", AdminPassword: demoPassword})
		must(err)
		admin := app.actorOf(t, slug, "admin")
		team, err := app.Svc.SaveTeam(ctx, admin, 0, domain.TeamInput{Name: "一组", Region: "北京"})
		must(err)
		for _, u := range []struct {
			name string
			role domain.Role
		}{{"manager1", domain.RoleManager}, {"sales1", domain.RoleSales}, {"sales2", domain.RoleSales},
			{"frontdesk1", domain.RoleFrontdesk}, {"clerk1", domain.RoleClerk}} {
			_, err := app.Svc.CreateUser(ctx, admin, domain.UserInput{Username: u.name, DisplayName: "张" + u.name,
				Role: u.role, TeamID: team, Region: "北京", Password: demoPassword})
			must(err)
		}
		_, err = app.Svc.SaveTeam(ctx, admin, team, domain.TeamInput{Name: "一组", Region: "北京",
			ManagerIDs: []int64{app.actorOf(t, slug, "manager1").UserID}})
		must(err)
	}
	d := tenantData{Slug: slug, Mark: mark}
	text := func(s string) string { s += mark; d.Texts = append(d.Texts, s); return s }
	admin, sales1, sales2 := app.actorOf(t, slug, "admin"), app.actorOf(t, slug, "sales1"), app.actorOf(t, slug, "sales2")
	d.Team, d.Sales2 = sales1.TeamID, sales2.UserID
	channel, err := app.Svc.SaveChannel(ctx, admin, 0, domain.ChannelInput{Kind: domain.ChannelWebhook, Name: text("渠道-"),
		Enabled: true, Events: domain.OutboundEvents, URL: "http://127.0.0.1:9/hook"})
	must(err)
	d.Channel = channel.ID

	victim, err := app.Svc.CreateUser(ctx, admin, domain.UserInput{Username: "victim", DisplayName: text("受害者"),
		Role: domain.RoleSales, TeamID: d.Team, Region: "北京", Password: demoPassword})
	must(err)
	d.Victim = victim.ID
	_, err = app.Svc.IssueToken(ctx, sales1, "victim")
	must(err)
	tokens, err := app.Svc.Tokens(ctx, sales1)
	must(err)
	for _, tk := range tokens {
		if tk.Name == "victim" {
			d.Token = tk.ID
		}
	}

	d.Session, err = app.Svc.RecordSession(ctx, sales1, "seed-session-"+slug, domain.SessionDevice{UserAgent: "seed", Address: "192.0.2.1"})
	must(err)

	now := time.Now()
	registration := func(name, phone, needs, history string) domain.RegistrationInput {
		first := now.Add(-24 * time.Hour)
		return domain.RegistrationInput{
			Customer: domain.Customer{Kind: domain.KindCompany, Name: name, Industry: "电子", Address: "浙江省杭州市",
				Contacts: []domain.Contact{{Name: "李经理", Title: "采购经理", Phone: phone, Relation: "self"}}},
			Grade: "A", Needs: needs, Source: "展会", FirstContactAt: &first, HistoryClaim: history,
		}
	}
	reg, err := app.Svc.Register(ctx, sales1, registration(seedDisputed, seedPhone1, text("需求-"), ""))
	must(err)
	d.Registration = reg.ID
	_, err = app.Svc.LogFollowUp(ctx, sales1, reg.ID, domain.FollowUpInput{Channel: "call", Note: text("跟进-"), Grade: "A"})
	must(err)
	newcomer, err := app.Svc.Register(ctx, sales2, registration(seedDisputed, seedPhone2, text("需求二-"), text("2024年签约过合同 HT-")))
	must(err)
	if newcomer.Conflict == nil || newcomer.Conflict.DisputeID == 0 {
		t.Fatalf("seed %s: the history claim went to no dispute: %+v", slug, newcomer)
	}
	d.Newcomer, d.Dispute = newcomer.ID, newcomer.Conflict.DisputeID
	held, err := app.Svc.Register(ctx, sales1, registration(seedHeld, seedPhone3, text("需求三-"), ""))
	must(err)
	d.Held, d.Customer = held.ID, held.CustomerID
	_, err = app.Svc.LogFollowUp(ctx, sales1, held.ID, domain.FollowUpInput{Channel: "wechat", Note: text("跟进三-"), Grade: "A"})
	must(err)
	check, err := app.Svc.Check(ctx, sales2, registration(seedHeld, seedPhone3, "", ""))
	must(err)
	for _, m := range check.Matches {
		if m.ClaimRef != "" && !m.Own && d.Consent == 0 {
			c, err := app.Svc.RequestConsent(ctx, sales2, domain.ConsentInput{ClaimRef: m.ClaimRef, Reason: text("请求同意-")})
			must(err)
			d.Consent = c.ID
		}
	}
	if d.Consent == 0 {
		t.Fatalf("seed %s: no claim to ask consent of in %+v", slug, check)
	}

	visit, err := app.Svc.RecordVisit(ctx, app.actorOf(t, slug, "frontdesk1"), domain.VisitInput{VisitorName: "王先生",
		Phone: seedPhone9, Company: seedVisitor, VisitedAt: &now, PartySize: 2, Note: text("来访-")})
	must(err)
	d.Visit = visit.ID
	amount := 100000.0
	deal, err := app.Svc.RecordDeal(ctx, app.actorOf(t, slug, "clerk1"), domain.DealInput{ContractNo: text("HT-"),
		Customer: domain.Customer{Kind: domain.KindCompany, Name: seedDealt,
			Contacts: []domain.Contact{{Name: "赵总", Phone: seedPhone5, Relation: "self"}}},
		BuyerPhone: seedPhone5, SignedAt: &now, Amount: &amount, SignerID: sales1.UserID})
	must(err)
	d.Deal = deal.ID
	claim, err := app.Svc.ClaimDeal(ctx, sales2, deal.ID, text("成交证据-"))
	must(err)
	d.DealClaim = claim.ID
	approvals, _, err := app.Svc.Approvals(ctx, app.actorOf(t, slug, "manager1"), 50, 0)
	must(err)
	if len(approvals) == 0 {
		t.Fatalf("seed %s: no approval pending for manager1", slug)
	}
	d.Approval = approvals[0].ID

	uploads := map[string][]domain.Upload{}
	for _, doc := range domain.DealerDocs {
		if doc.Required {
			uploads[doc.Purpose] = []domain.Upload{{Name: doc.Purpose + ".pdf", Data: pdf(64)}}
		}
	}
	dealer, err := app.Svc.SubmitDealer(ctx, sales1, domain.DealerInput{Company: text("经销商-"), Bank: "工商银行",
		BankAccount: "6222020200001234", TaxNo: "123456789012345", Address: "北京市朝阳区", Phone: "13500000007", Uploads: uploads})
	must(err)
	d.Dealer = dealer.ID
	f, err := app.Svc.UploadFile(ctx, sales1, domain.Upload{Name: "evidence.pdf", Data: pdf(64)})
	must(err)
	d.File = f.ID
	job, err := app.Svc.CreateImport(ctx, app.actorOf(t, slug, "admin"), domain.Upload{Name: "seed.csv",
		Data: []byte("客户名称,联系人,手机,行业,负责人\n南通导入客户有限公司,王五,13500000011,通信,sales1\n")})
	must(err)
	d.Import = job.ID
	deliveries, _, err := app.Svc.Outbox(ctx, admin, 1, 0)
	must(err)
	if len(deliveries) == 0 {
		t.Fatalf("seed %s: nothing queued for the outbound channel", slug)
	}
	d.Delivery = deliveries[0].ID
	return d
}
