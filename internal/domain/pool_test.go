package domain_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"baobei/internal/domain"
)

func TestReleaseInput(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	r := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
	tests := []struct {
		name  string
		in    domain.ReleaseInput
		field string
	}{
		{"no reason", domain.ReleaseInput{}, "reason_code"},
		{"unknown reason", domain.ReleaseInput{ReasonCode: "bored"}, "reason_code"},
		{"other without a note", domain.ReleaseInput{ReasonCode: "other"}, "note"},
		{"note too long", domain.ReleaseInput{ReasonCode: "no_interest", Note: strings.Repeat("长", 2001)}, "note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Release(context.Background(), f.a(t, "sales1"), r.ID, tt.in)
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.CodeInvalid || de.Fields[tt.field].Zh == "" {
				t.Errorf("err = %v, want invalid %s", err, tt.field)
			}
		})
	}
}

func TestRelease(t *testing.T) {
	tests := []struct {
		name      string
		by        string
		want      error
		ownerTold bool
	}{
		{"by the owner", "sales1", nil, false},
		{"by the owner's manager", "manager1", nil, true},
		{"by an admin", "admin", nil, true},
		{"by another team's manager", "manager2", domain.ErrNotFound, false},
		{"by a colleague", "sales2", domain.ErrNotFound, false},
		{"by a clerk, who may read but not release", "clerk1", domain.ErrForbidden, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := mustDemo(t)
			ctx := context.Background()
			r := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
			f.advance(time.Hour)
			got, err := f.svc.Release(ctx, f.a(t, tt.by), r.ID, domain.ReleaseInput{ReasonCode: "unreachable", Note: "电话一直无人接听"})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			pool, _, perr := f.svc.Pool(ctx, f.a(t, "sales3"), domain.PoolFilter{})
			if perr != nil {
				t.Fatal(perr)
			}
			if tt.want != nil {
				if len(pool) != 0 || f.reg(t, r.ID).Status != domain.StatusActive {
					t.Errorf("refused release changed something: pool %+v", pool)
				}
				return
			}
			if got.Status != domain.StatusReleased {
				t.Errorf("status %s, want released", got.Status)
			}
			if len(pool) != 1 || pool[0].Reason != "unreachable" {
				t.Errorf("pool = %+v, want the customer with its reason", pool)
			}
			if told := f.notes(t, "sales1", "claim_ended") == 1; told != tt.ownerTold {
				t.Errorf("owner told: %v, want %v", told, tt.ownerTold)
			}
			if n := f.ownerInt(t, `SELECT count(*) FROM audit_log WHERE action = 'registration.release' AND entity_id = $1
				AND after->>'reason_code' = 'unreachable' AND after->>'note' = '电话一直无人接听'`, r.ID); n != 1 {
				t.Errorf("%d release audit entries, want 1", n)
			}
			if _, err := f.svc.Release(ctx, f.a(t, "sales1"), r.ID, domain.ReleaseInput{ReasonCode: "no_interest"}); domain.ErrorCode(err) != domain.CodeInvalid {
				t.Errorf("releasing twice: err = %v, want invalid", err)
			}
		})
	}
}

// The previous owner waits reclaim_cooldown_days after letting a customer
// go; others do not.
func TestReclaimCooldown(t *testing.T) {
	tests := []struct {
		name     string
		policy   string
		by       string
		cooldown bool // the pool shows by a date to reclaim from
		after    time.Duration
		refusedZ string // part of the refusal, "" when allowed
	}{
		{"the previous owner at once", `{}`, "sales1", true, time.Hour, "7 天内您不能再次报备"},
		{"the previous owner after the cooldown", `{}`, "sales1", true, 7*day + time.Minute, ""},
		{"another salesperson at once", `{}`, "sales2", false, time.Hour, ""},
		{"no cooldown", `{"reclaim_cooldown_days":0}`, "sales1", false, time.Minute, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := mustDemo(t)
			f.setPolicy(t, tt.policy)
			ctx := context.Background()
			r := mustRegister(t, f, "sales1", company("北京华为技术有限公司", "13812345678"))
			f.advance(31 * day)
			f.sweep(t)
			pool, _, err := f.svc.Pool(ctx, f.a(t, tt.by), domain.PoolFilter{})
			if err != nil || len(pool) != 1 {
				t.Fatalf("pool = %+v, %v", pool, err)
			}
			if (pool[0].ReclaimableAt != nil) != tt.cooldown {
				t.Errorf("reclaimable at %v; want one shown: %v", pool[0].ReclaimableAt, tt.cooldown)
			}
			f.advance(tt.after)
			got, err := f.svc.Register(ctx, f.a(t, tt.by), company("北京华为技术有限公司", "13812345678"))
			if tt.refusedZ != "" {
				var de *domain.Error
				if !errors.As(err, &de) || de.Code != domain.CodeInvalid || !strings.Contains(de.Message.Zh, tt.refusedZ) {
					t.Fatalf("err = %v, want refusal %q", err, tt.refusedZ)
				}
				return
			}
			if err != nil || got.Status != domain.StatusActive || got.CustomerID != r.CustomerID {
				t.Fatalf("re-registration = %+v, %v", got, err)
			}
		})
	}
}

// max_pool_claims_per_day counts claims from the pool per calendar day of
// the company.
func TestMaxPoolClaimsPerDay(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	f.setPolicy(t, `{"max_pool_claims_per_day":1}`)
	ctx := context.Background()
	names := []string{"北京华为技术有限公司", "杭州阿里云计算有限公司", "深圳腾讯科技有限公司"}
	phones := []string{"13812345678", "13812345679", "13812345670"}
	for i := range names {
		mustRegister(t, f, "sales1", company(names[i], phones[i]))
	}
	f.advance(31 * day) // 2026-12-03 10:31
	f.sweep(t)
	mustRegister(t, f, "sales3", company(names[0], phones[0]))
	mustRegister(t, f, "sales3", company("全新客户有限公司", "13700000000")) // not from the pool: not counted
	_, err := f.svc.Register(ctx, f.a(t, "sales3"), company(names[1], phones[1]))
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeInvalid || !strings.Contains(de.Message.Zh, "每日上限") {
		t.Fatalf("second pool claim today: err = %v, want the daily limit", err)
	}
	mustRegister(t, f, "sales4", company(names[1], phones[1])) // others have their own count
	f.advance(14 * time.Hour)                                  // 00:31 the next day
	mustRegister(t, f, "sales3", company(names[2], phones[2]))
}

func TestPoolAccess(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	for _, user := range []string{"frontdesk1", "clerk1"} {
		if _, _, err := f.svc.Pool(context.Background(), f.a(t, user), domain.PoolFilter{}); !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("%s lists the pool: err = %v, want forbidden", user, err)
		}
	}
	if _, _, err := f.svc.Pool(context.Background(), f.a(t, "sales1"), domain.PoolFilter{Cursor: "x"}); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("bad cursor: err = %v, want invalid", err)
	}
}

// The pool pages newest first and searches by name.
func TestPoolPages(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	names := []string{"甲科技有限公司", "乙科技有限公司", "丙贸易有限公司"}
	for i, n := range names {
		r := mustRegister(t, f, "sales1", company(n, "1381234567"+string(rune('0'+i))))
		f.advance(time.Minute)
		if _, err := f.svc.Release(ctx, f.a(t, "sales1"), r.ID, domain.ReleaseInput{ReasonCode: "no_interest"}); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	cursor := ""
	for {
		page, next, err := f.svc.Pool(ctx, f.a(t, "sales2"), domain.PoolFilter{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			seen = append(seen, e.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if strings.Join(seen, ",") != "丙贸易有限公司,乙科技有限公司,甲科技有限公司" {
		t.Errorf("pages = %v, want newest first", seen)
	}
	found, _, err := f.svc.Pool(ctx, f.a(t, "sales2"), domain.PoolFilter{Query: "科技"})
	if err != nil || len(found) != 2 {
		t.Errorf("search 科技 = %+v, %v", found, err)
	}
}
