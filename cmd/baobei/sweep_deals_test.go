package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"baobei/internal/domain"
)

// `baobei sweep --now` closes claim windows: an unclaimed deal goes to the
// duty team of its week once swept as of a time past its deadline.
func TestSweepCommandClaimWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	getenv, svc := mustDemoCommand(t)
	var out bytes.Buffer
	clerk, _, err := svc.SignIn(ctx, domain.DemoSlug, "clerk1", domain.DemoPassword, "test")
	if err != nil {
		t.Fatal(err)
	}
	teams, err := svc.Teams(ctx, clerk)
	if err != nil || len(teams) == 0 {
		t.Fatalf("teams: %v, %v", teams, err)
	}
	users, err := svc.Users(ctx, clerk)
	if err != nil {
		t.Fatal(err)
	}
	var signer int64
	for _, u := range users {
		if u.Username == "sales1" {
			signer = u.ID
		}
	}
	now := time.Now()
	signed, amount := now.Add(-time.Hour), 5000.0
	deal, err := svc.RecordDeal(ctx, clerk, domain.DealInput{ContractNo: "HT-CLI", Customer: domain.Customer{Kind: domain.KindCompany, Name: "命令行测试有限公司"},
		SignedAt: &signed, Amount: &amount, SignerID: signer})
	if err != nil || deal.Status != domain.DealUnclaimed {
		t.Fatalf("deal: %+v, %v", deal, err)
	}
	pol, err := svc.Policy(ctx, clerk)
	if err != nil {
		t.Fatal(err)
	}
	week := domain.WeekStart(signed, pol.Location()).Format(time.DateOnly)
	if _, err := svc.SetDuty(ctx, clerk, week, teams[0].ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   time.Duration
		want string
	}{
		{2 * 24 * time.Hour, "deal_claims          0"},
		{4 * 24 * time.Hour, "deal_claims          1"},
	} {
		out.Reset()
		if err := run(ctx, []string{"sweep", "--now", now.Add(c.at).Format(time.RFC3339)}, getenv, &out); err != nil || !strings.Contains(out.String(), c.want) {
			t.Errorf("sweep +%v: %v, output %q; want %q", c.at, err, out.String(), c.want)
		}
	}
	got, err := svc.Deal(ctx, clerk, deal.ID)
	if err != nil || got.Status != domain.DealDutyTeam || got.TeamID != teams[0].ID {
		t.Errorf("after the sweep: %+v, %v", got, err)
	}
}
