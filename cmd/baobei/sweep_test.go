package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"baobei/internal/domain"
)

// `baobei sweep --now` moves time forward: a registration made today
// expires when swept as of 31 days later.
func TestSweepCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	getenv, svc := mustDemoCommand(t)
	var out bytes.Buffer
	sales, _, err := svc.SignIn(ctx, domain.DemoSlug, "sales1", domain.DemoPassword, "test")
	if err != nil {
		t.Fatal(err)
	}
	r, err := svc.Register(ctx, sales, domain.RegistrationInput{
		Customer: domain.Customer{Kind: domain.KindCompany, Name: "北京华为技术有限公司", Industry: "通信", Address: "北京",
			Contacts: []domain.Contact{{Name: "张经理", Phone: "13812345678"}}},
		Grade: "A", Needs: "服务器", FirstContactAt: new(time.Now().Add(-time.Hour)),
	})
	if err != nil || r.Status != domain.StatusActive {
		t.Fatalf("register: %+v, %v", r, err)
	}

	tests := []struct {
		name    string
		args    []string
		want    string // in the output
		wantErr bool
	}{
		{"not yet due", []string{"sweep", "--now", time.Now().Add(29 * 24 * time.Hour).Format(time.RFC3339)}, "expired              0", false},
		{"31 days later", []string{"sweep", "--now", time.Now().Add(31 * 24 * time.Hour).Format(time.RFC3339)}, "expired              1", false},
		{"bad time", []string{"sweep", "--now", "tomorrow"}, "", true},
	}
	for _, tt := range tests {
		out.Reset()
		err := run(ctx, tt.args, getenv, &out)
		if (err != nil) != tt.wantErr || !strings.Contains(out.String(), tt.want) {
			t.Errorf("%s: err %v, output %q; want %q", tt.name, err, out.String(), tt.want)
		}
	}
	if got, err := svc.Registration(ctx, sales, r.ID); err != nil || got.Status != domain.StatusExpired {
		t.Errorf("after the sweep: %s, %v; want expired", got.Status, err)
	}
}
