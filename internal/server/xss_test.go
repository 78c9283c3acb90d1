package server_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"baobei/internal/domain"
)

// xssPayload breaks out of text, attributes and tags alike.
const xssPayload = `<script>alert(1)</script>"'><img src=x onerror=alert(1)>`

// xssShortPayload is for fields of at most 50 characters.
const xssShortPayload = `"'><script>alert(1)</script>`

// xssRaw are what an unescaped payload leaves in a page.
var xssRaw = []string{"<script>alert(1)", "<img src=x onerror"}

// xssSeed types the payload into every free-text field a user can fill in
// that pages show, through the domain as the forms do, and returns what
// was typed into each field (the payload marked with the field's name, so
// a page that shows it can be traced to the field) and the paths of the
// detail pages that show them.
func xssSeed(t *testing.T, app *testApp) (typed map[string]string, pages []string) {
	t.Helper()
	ctx := context.Background()
	typed = map[string]string{}
	in := func(field string) string { typed[field] = xssPayload + "#" + field; return typed[field] }
	short := func(field string) string { typed[field] = xssShortPayload + "#" + field; return typed[field] }
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s with the payload: %v", what, err)
		}
	}
	show := func(format string, id int64) {
		pages = append(pages, strings.Replace(format, "%d", strconv.FormatInt(id, 10), 1))
	}
	admin, manager1 := app.actorOf(t, "demo", "admin"), app.actorOf(t, "demo", "manager1")
	sales1, sales2 := app.actorOf(t, "demo", "sales1"), app.actorOf(t, "demo", "sales2")

	team, err := app.Svc.SaveTeam(ctx, admin, 0, domain.TeamInput{Name: short("team_name"), Region: short("team_region")})
	must("team", err)
	u, err := app.Svc.CreateUser(ctx, admin, domain.UserInput{Username: "xss", DisplayName: short("display_name"),
		Role: domain.RoleSales, TeamID: team, Region: short("user_region"), Password: demoPassword})
	must("user", err)
	show("/admin/users/%d", u.ID)
	_, err = app.Svc.IssueToken(ctx, sales1, short("token_name"))
	must("token", err)

	first := time.Now().Add(-24 * time.Hour)
	registration := func(phone, history string) domain.RegistrationInput {
		return domain.RegistrationInput{
			Customer: domain.Customer{Kind: domain.KindCompany, Name: short("customer_name"), Industry: short("industry"),
				Size: short("size"), Address: in("address"), Project: in("project"), Region: short("region"),
				Contacts: []domain.Contact{{Name: short("contact_name"), Title: short("contact_title"), Phone: phone, Relation: "self"}}},
			Grade: "A", Needs: in("needs"), Source: in("source"), FirstContactAt: &first, HistoryClaim: history,
		}
	}
	reg, err := app.Svc.Register(ctx, sales1, registration("13600000001", ""))
	must("registration", err)
	show("/registrations/%d", reg.ID)
	_, err = app.Svc.LogFollowUp(ctx, sales1, reg.ID, domain.FollowUpInput{Channel: "call", Note: in("follow_up_note"), Grade: "A"})
	must("follow-up", err)
	check, err := app.Svc.Check(ctx, sales2, registration("13600000001", ""))
	must("check", err)
	for _, m := range check.Matches {
		if m.ClaimRef != "" && !m.Own {
			_, err = app.Svc.RequestConsent(ctx, sales2, domain.ConsentInput{ClaimRef: m.ClaimRef, Reason: in("consent_reason")})
			must("consent", err)
			break
		}
	}

	rival, err := app.Svc.Register(ctx, sales2, registration("13600000002", in("history_claim")))
	must("rival registration", err)
	show("/registrations/%d", rival.ID)
	if rival.Conflict == nil || rival.Conflict.DisputeID == 0 {
		t.Fatalf("the history claim went to no dispute: %+v", rival)
	}
	dispute := rival.Conflict.DisputeID
	show("/disputes/%d", dispute)
	_, err = app.Svc.DecideDispute(ctx, manager1, dispute, domain.DisputeDecisionInput{WinnerRegistrationID: reg.ID, Reason: in("decision_reason")})
	must("dispute decision", err)
	_, err = app.Svc.AppealDispute(ctx, sales2, dispute, in("appeal_reason"))
	must("appeal", err)

	now := time.Now()
	_, err = app.Svc.RecordVisit(ctx, app.actorOf(t, "demo", "frontdesk1"), domain.VisitInput{VisitorName: short("visitor_name"),
		Phone: "13600000009", Company: in("visit_company"), VisitedAt: &now, PartySize: 1, Note: in("visit_note")})
	must("visit", err)
	amount := 5000.0
	deal, err := app.Svc.RecordDeal(ctx, app.actorOf(t, "demo", "clerk1"), domain.DealInput{ContractNo: "XSS-1",
		Customer: domain.Customer{Kind: domain.KindCompany, Name: short("deal_customer"),
			Contacts: []domain.Contact{{Name: short("deal_contact"), Phone: "13600000005", Relation: "self"}}},
		BuyerPhone: "13600000005", SignedAt: &now, Amount: &amount, SignerID: sales1.UserID})
	must("deal", err)
	show("/deals/%d", deal.ID)
	claim, err := app.Svc.ClaimDeal(ctx, sales2, deal.ID, in("claim_evidence"))
	must("deal claim", err)
	_, err = app.Svc.DecideDealClaim(ctx, manager1, claim.ID, false, in("claim_reject_reason"))
	must("deal claim decision", err)

	uploads := map[string][]domain.Upload{}
	for _, doc := range domain.DealerDocs {
		if doc.Required {
			uploads[doc.Purpose] = []domain.Upload{{Name: doc.Purpose + ".pdf", Data: pdf(64)}}
		}
	}
	dealer, err := app.Svc.SubmitDealer(ctx, sales1, domain.DealerInput{Company: in("dealer_company"), Bank: short("dealer_bank"),
		BankAccount: "6222020200009999", TaxNo: "123456789012399", Address: in("dealer_address"), Phone: "13600000007", Uploads: uploads})
	must("dealer", err)
	show("/dealers/%d", dealer.ID)
	_, err = app.Svc.DecideDealer(ctx, app.actorOf(t, "demo", "clerk1"), dealer.ID, false, in("dealer_return_reason"))
	must("dealer decision", err)

	freed, err := app.Svc.Register(ctx, sales1, domain.RegistrationInput{Customer: domain.Customer{Kind: domain.KindCompany,
		Name: "释放测试有限公司", Industry: "电子", Address: "上海", Contacts: []domain.Contact{{Name: "钱经理", Phone: "13600000003"}}},
		Grade: "A", Needs: "服务器", FirstContactAt: &first})
	must("registration to release", err)
	show("/registrations/%d", freed.ID)
	_, err = app.Svc.Release(ctx, sales1, freed.ID, domain.ReleaseInput{ReasonCode: "other", Note: xssPayload}) // shown on no page
	must("release", err)
	return typed, pages
}

// TestXSSEscaped: the payload typed into every text field comes back
// escaped on every page any role sees, and each field's payload shows
// escaped somewhere.
func TestXSSEscaped(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	typed, details := xssSeed(t, app)
	var pages []string
	for _, r := range mxRoutes {
		if r.method == http.MethodGet && !r.public && !r.api() && !r.hasID() {
			pages = append(pages, r.pattern)
		}
	}
	pages = append(pages, details...)
	var seen strings.Builder
	for _, role := range mxRoles {
		user := mxPlayers[role]
		c := app.signIn(t, "demo", user, demoPassword)
		for _, path := range pages {
			resp, body := app.get(t, c, path)
			if resp.StatusCode >= 500 {
				t.Errorf("%s: GET %s: status %d", user, path, resp.StatusCode)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				continue
			}
			for _, raw := range xssRaw {
				if i := strings.Index(string(body), raw); i >= 0 {
					t.Errorf("%s: GET %s shows the payload unescaped: %s", user, path, excerptAround(string(body), raw))
				}
			}
			seen.Write(body)
		}
	}
	for field, s := range typed {
		if !strings.Contains(seen.String(), html.EscapeString(s)) {
			t.Errorf("no page shows the %s field escaped (%q)", field, html.EscapeString(s))
		}
	}
}

// xssFormFields are the names of the fields the pages' forms post.
var xssFormFields = []string{"tenant", "username", "display_name", "role", "region", "password", "current", "name",
	"customer.kind", "customer.name", "customer.uscc", "customer.industry", "customer.size", "customer.region",
	"customer.address", "customer.project", "customer.contacts.0.name", "customer.contacts.0.title",
	"customer.contacts.0.phone", "customer.contacts.0.relation", "grade", "needs", "source", "first_contact_at",
	"history_claim", "expected_amount", "channel", "note", "at", "reason_code", "release_note", "claim_ref",
	"reason", "decision", "accept", "evidence", "visitor_name", "phone", "company", "salesperson_id", "visited_at",
	"party_size", "contract_no", "buyer_phone", "signed_at", "amount", "signer_id", "week_start", "team_id",
	"bank", "bank_account", "tax_no", "address", "registration_id", "deal_id", "winner_registration_id", "roles"}

// TestXSSReflected: every form posted with the payload in every field
// answers without it unescaped — the re-rendered form of a refused post
// shows what was typed, escaped — and never with a 5xx.
func TestXSSReflected(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	d := seedTenant(t, app, "demo", "")
	form := url.Values{}
	for _, f := range xssFormFields {
		form.Set(f, xssPayload)
	}
	clients := map[string]*http.Client{"anonymous": app.browserClient(t)}
	for _, user := range []string{"admin", "sales1", "frontdesk1"} {
		clients[user] = app.signIn(t, "demo", user, demoPassword)
	}
	echoed := 0 // responses that show the payload back, escaped
	for _, r := range mxRoutes {
		if r.method != http.MethodPost || r.api() || r.pattern == "/logout" || r.pattern == "/lang" {
			continue
		}
		for user, c := range clients {
			if (user == "anonymous") != r.public {
				continue
			}
			resp, body := send(t, c, app.formRequest(t, r.path(&d), form))
			if resp.StatusCode >= 500 {
				t.Errorf("%s as %s: status %d", r, user, resp.StatusCode)
			}
			for _, raw := range xssRaw {
				if strings.Contains(string(body), raw) {
					t.Errorf("%s as %s (%d) shows the payload unescaped: %s", r, user, resp.StatusCode, excerptAround(string(body), raw))
				}
			}
			if strings.Contains(string(body), html.EscapeString(xssPayload)) {
				echoed++
			}
		}
	}
	if echoed < 5 {
		t.Errorf("only %d refused forms show what was typed: the check sees too little", echoed)
	}
	t.Logf("%d responses show the payload back, escaped", echoed)
}

// TestXSSFiltersSQLMetachars: SQL and LIKE metacharacters in every filter and search
// parameter a handler reads answer as the route does without them (200)
// or 422, never 500.
func TestXSSFiltersSQLMetachars(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signIn(t, "demo", "admin", demoPassword)
	token := app.apiToken(t, "demo", "admin")
	values := map[string]string{"sql": `'; DROP TABLE registrations;--`, "like": `%_\`, "or": `' OR '1'='1`,
		"nul": "\x00", "long": strings.Repeat("%", 300)}
	params := []string{"q", "status", "from", "to", "cursor", "grade", "format", "days", "date", "weeks",
		"entity", "entity_id", "actor", "action", "limit", "kind", "claim_ref"}
	get := func(t *testing.T, target string) int {
		if strings.HasPrefix(target, "/api/") {
			resp, _ := app.apiDo(t, token, http.MethodGet, target, nil)
			return resp.StatusCode
		}
		resp, _ := app.get(t, c, target)
		return resp.StatusCode
	}
	for _, r := range mxRoutes {
		if r.method != http.MethodGet || r.public || r.hasID() {
			continue
		}
		path := r.path(nil)
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			base := get(t, path)
			for _, p := range params {
				for name, v := range values {
					got := get(t, path+"?"+url.Values{p: {v}}.Encode())
					if got != base && got != http.StatusUnprocessableEntity {
						t.Errorf("GET %s?%s=<%s>: status %d, want %d (as without it) or 422", path, p, name, got, base)
					}
				}
			}
		})
	}
}
