package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"baobei/internal/domain"
)

// homeFixture registers, as the demo users through the domain, an active
// claim for sales1 (天津首页一) and sales3 (天津首页三), and once review is
// required one waiting for review by sales2 (一组: 天津待审一) and sales4
// (二组: 天津待审二). It returns the registrations by customer name.
func homeFixture(t *testing.T, app *testApp) map[string]domain.Registration {
	t.Helper()
	ctx := context.Background()
	out := map[string]domain.Registration{}
	register := func(user, name, phone string) {
		t.Helper()
		first := time.Now().Add(-time.Hour)
		r, err := app.Svc.Register(ctx, app.actorOf(t, "demo", user), domain.RegistrationInput{
			Customer: domain.Customer{Kind: domain.KindCompany, Name: name, Industry: "通信", Address: "天津市和平区",
				Contacts: []domain.Contact{{Name: "赵经理", Title: "采购经理", Phone: phone, Relation: "self"}}},
			Grade: "A", Needs: "采购 20 台服务器", FirstContactAt: &first})
		if err != nil {
			t.Fatalf("%s registers %s: %v", user, name, err)
		}
		out[name] = r
	}
	register("sales1", "天津首页一有限公司", "13300003331")
	register("sales3", "天津首页三有限公司", "13300003333")
	if _, err := app.Svc.UpdatePolicy(ctx, app.actorOf(t, "demo", "admin"),
		map[string]json.RawMessage{"review_required": json.RawMessage("true")}); err != nil {
		t.Fatal(err)
	}
	register("sales2", "天津待审一有限公司", "13300003332")
	register("sales4", "天津待审二有限公司", "13300003334")
	return out
}

// TestHomePages: each role's home shows what it must act on, scoped to
// the user: sales their own claims, managers their teams' queues, clerks
// and admins everything, front desk today's visits.
func TestHomePages(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	regs := homeFixture(t, app)
	home := func(user string) []byte {
		t.Helper()
		resp, page := app.get(t, app.signIn(t, "demo", user, demoPassword), "/")
		mustStatus(t, resp, http.StatusOK)
		return page
	}
	type want struct{ testID, has, hasNot string }
	tests := []struct {
		user  string
		wants []want
		none  []string // sections the role does not see
	}{
		{"sales1", []want{{"home-claims", "天津首页一有限公司", "天津首页三有限公司"}, {"home-claims", "剩 30 天", ""}, {"home-unread", "未读通知", ""}},
			[]string{"home-reviews", "admin-home", "home-expiring"}},
		{"sales3", []want{{"home-claims", "天津首页三有限公司", "天津首页一有限公司"}}, nil},
		{"manager1", []want{{"home-reviews", "天津待审一有限公司", "天津待审二有限公司"}, {"home-reviews", "1", ""},
			{"home-expiring", "0", ""}, {"home-conflicts", "本周撞单", ""}, {"home-team-overdue", "团队跟进逾期", ""}},
			[]string{"home-claims", "admin-home"}},
		{"manager2", []want{{"home-reviews", "天津待审二有限公司", "天津待审一有限公司"}}, nil},
		{"clerk1", []want{{"home-reviews", "天津待审一有限公司", ""}, {"home-reviews", "天津待审二有限公司", ""},
			{"home-unclaimed-deals", "待认领成交", ""}, {"home-dealer-steps", "经销商报备", ""}}, []string{"home-expiring", "admin-home"}},
		{"admin", []want{{"home-live-claims", "4", ""}, {"home-regs-week", "4", ""}, {"home-users", "用户", ""},
			{"home-reviews", "天津待审二有限公司", ""}, {"home-disputes", "待裁决的申诉", ""}}, []string{"home-claims"}},
		{"frontdesk1", []want{{"home-visits-today", "0", ""}, {"home-action-home.visit_log", "登记到访", ""}},
			[]string{"home-reviews", "home-claims", "admin-home"}},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			page := home(tt.user)
			for _, w := range tt.wants {
				got := testID(t, page, w.testID)
				if !strings.Contains(got, w.has) || (w.hasNot != "" && strings.Contains(got, w.hasNot)) {
					t.Errorf("%s: %q, want %q and not %q", w.testID, got, w.has, w.hasNot)
				}
			}
			for _, id := range tt.none {
				if hasTestID(t, page, id) {
					t.Errorf("%s's home shows %s", tt.user, id)
				}
			}
		})
	}

	// The claim on sales1's home links to it.
	if href := linkTo(t, home("sales1"), "天津首页一有限公司"); href != "/registrations/"+itoa(regs["天津首页一有限公司"].ID) {
		t.Errorf("the claim links to %q", href)
	}
}

// TestBrowserHomeClaim: on a phone, sales1's home lists their claim with
// its countdown; tapping it opens the registration. The page fits.
func TestBrowserHomeClaim(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	homeFixture(t, app)
	ctx := newBrowser(t, app)
	browse(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	browserSignIn(t, ctx, app, "demo", "sales1", demoPassword)
	claims := browserValue(t, ctx, chromedp.Text(byTestID("home-claims")))
	if !strings.Contains(claims, "天津首页一有限公司") || !strings.Contains(claims, "剩 30 天") {
		t.Errorf("sales1's claims %q", claims)
	}
	if !browserValue(t, ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth <= window.innerWidth")) {
		t.Error("the home page is wider than a 390 px screen")
	}
	resp := clickAndWait(t, ctx, chromedp.CSS(`[data-testid="home-claims"] li a`))
	if resp.Status != http.StatusOK || !strings.Contains(resp.URL, "/registrations/") {
		t.Fatalf("the claim opened %s with status %d", resp.URL, resp.Status)
	}
	if h1 := browserValue(t, ctx, chromedp.Text(chromedp.CSS("h1"))); !strings.Contains(h1, "天津首页一有限公司") {
		t.Errorf("the registration page's title %q", h1)
	}
}
