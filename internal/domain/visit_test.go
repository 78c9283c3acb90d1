package domain_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"baobei/internal/domain"
)

// walkIn is a visit of a visitor, optionally from a company, with the demo
// user sales ("" for a self-visit).
func walkIn(t *testing.T, f *fixture, visitor, phone, company, sales string) domain.VisitInput {
	t.Helper()
	in := domain.VisitInput{VisitorName: visitor, Phone: phone, Company: company, PartySize: 2, Note: "洽谈"}
	if sales != "" {
		in.SalespersonID = f.a(t, sales).UserID
	}
	return in
}

// mustVisit logs a visit as the front desk.
func mustVisit(t *testing.T, f *fixture, in domain.VisitInput) domain.Visit {
	t.Helper()
	v, err := f.svc.RecordVisit(context.Background(), f.a(t, "frontdesk1"), in)
	if err != nil {
		t.Fatalf("visit %+v: %v", in, err)
	}
	return v
}

// person is a person customer with one phone of the given relation.
func person(name, phone, relation string) domain.RegistrationInput {
	in := company(name, phone)
	in.Customer.Kind = domain.KindPerson
	in.Customer.Contacts[0].Name, in.Customer.Contacts[0].Relation = name, relation
	return in
}

// Every effect of a visit (domain.md, Walk-in visits), including a masked
// phone that matches only together with the name.
func TestVisitEffects(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	held := mustRegister(t, f, "sales1", company("深圳腾达科技有限公司", "13811112222"))
	wang := mustRegister(t, f, "sales1", person("王小明", "13812345678", "self"))

	cases := []struct {
		name    string
		in      domain.VisitInput
		effect  domain.VisitEffect
		regID   int64 // 0: a new registration is expected when the effect is registered or conflict
		noteFor string
	}{
		{"the owner comes along", walkIn(t, f, "张经理", "13811112222", "深圳腾达科技", "sales1"), domain.VisitConfirmed, held.ID, ""},
		{"a self-visit of a held customer", walkIn(t, f, "张经理", "", "深圳腾达科技有限公司", ""), domain.VisitNotifiedOwner, held.ID, "sales1"},
		{"a self-visit nobody holds", walkIn(t, f, "赵六", "13700000000", "无人报备有限公司", ""), domain.VisitUnassigned, 0, ""},
		{"masked phone and the same name", walkIn(t, f, "王小明", "1381234****", "", ""), domain.VisitNotifiedOwner, wang.ID, "sales1"},
		{"masked phone, other digits", walkIn(t, f, "王小明", "1381235****", "", ""), domain.VisitUnassigned, 0, ""},
		{"masked phone, another name", walkIn(t, f, "王大明", "1381234****", "", ""), domain.VisitUnassigned, 0, ""},
		{"front desk registers for the salesperson", walkIn(t, f, "钱总", "", "杭州新客户有限公司", "sales2"), domain.VisitRegistered, 0, "sales2"},
		{"someone else holds it", walkIn(t, f, "张经理", "", "深圳腾达科技有限公司", "sales3"), domain.VisitConflict, 0, "sales1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := 0
			if c.noteFor != "" {
				before = len(mustNotes(t, f, c.noteFor))
			}
			v := mustVisit(t, f, c.in)
			if v.Effect != c.effect {
				t.Fatalf("effect = %s, want %s", v.Effect, c.effect)
			}
			if c.regID != 0 && v.RegistrationID != c.regID {
				t.Errorf("registration = %d, want %d", v.RegistrationID, c.regID)
			}
			if c.noteFor != "" && len(mustNotes(t, f, c.noteFor)) <= before {
				t.Errorf("%s was not notified", c.noteFor)
			}
			if strings.Count(v.Phone, "*") != min(4, len(v.Phone)) && v.Phone != "" {
				t.Errorf("phone %q is not masked", v.Phone)
			}
			switch c.effect {
			case domain.VisitConfirmed:
				if r := f.reg(t, v.RegistrationID); r.VisitedAt == nil || !r.VisitedAt.Equal(f.svc.Now()) {
					t.Errorf("visited_at = %v", r.VisitedAt)
				}
			case domain.VisitRegistered:
				r := f.reg(t, v.RegistrationID)
				if r.OwnerID != f.a(t, "sales2").UserID || r.Status != domain.StatusActive || r.Source != "前台到访登记" ||
					r.VisitedAt == nil || r.FirstContactAt == nil || r.Customer.Name != "杭州新客户有限公司" {
					t.Errorf("registered on behalf: %+v", r)
				}
				if r.Completeness >= 60 {
					t.Errorf("completeness %d: the test means an incomplete registration, exempt from min_completeness", r.Completeness)
				}
			case domain.VisitConflict:
				r := f.reg(t, v.RegistrationID)
				if r.OwnerID != f.a(t, "sales3").UserID || r.Status != domain.StatusRejected {
					t.Errorf("conflict registration: owner %d status %s", r.OwnerID, r.Status)
				}
				mustRegStatus(t, f, held.ID, domain.StatusActive)
			}
		})
	}

	t.Run("the daily sheet", func(t *testing.T) {
		today := f.svc.Now().In(shanghai).Format(time.DateOnly)
		visits, err := f.svc.Visits(ctx, f.a(t, "frontdesk1"), today)
		if err != nil || len(visits) != len(cases) {
			t.Fatalf("%d visits, %v; want %d", len(visits), err, len(cases))
		}
		for _, v := range visits {
			if v.Phone != "" && !strings.HasSuffix(v.Phone, "****") {
				t.Errorf("the sheet shows phone %q", v.Phone)
			}
		}
		if v, err := f.svc.Visits(ctx, f.a(t, "frontdesk1"), "2026-11-01"); err != nil || len(v) != 0 {
			t.Errorf("the day before: %d visits, %v", len(v), err)
		}
		_, err = f.svc.Visits(ctx, f.a(t, "frontdesk1"), "2026-13-01")
		wantCode(t, "a malformed day", err, domain.CodeInvalid)
		_, err = f.svc.Visits(ctx, f.a(t, "sales1"), today)
		wantCode(t, "sales read the sheet", err, domain.CodeForbidden)
	})
}

func mustNotes(t *testing.T, f *fixture, user string) []domain.Notification {
	t.Helper()
	ns, err := f.svc.Notifications(context.Background(), f.a(t, user), 500)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func TestVisitRefusals(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	ctx := context.Background()
	cases := []struct {
		name  string
		by    string
		in    domain.VisitInput
		field string
		code  domain.Code
	}{
		{"no visitor", "frontdesk1", domain.VisitInput{Phone: "13800000000"}, "visitor_name", domain.CodeInvalid},
		{"a bad phone", "frontdesk1", domain.VisitInput{VisitorName: "甲", Phone: "138"}, "phone", domain.CodeInvalid},
		{"a party of 1000", "frontdesk1", domain.VisitInput{VisitorName: "甲", PartySize: 1000}, "party_size", domain.CodeInvalid},
		{"a clerk cannot accompany", "frontdesk1", domain.VisitInput{VisitorName: "甲", SalespersonID: f.a(t, "clerk1").UserID}, "salesperson_id", domain.CodeInvalid},
		{"in the future", "frontdesk1", domain.VisitInput{VisitorName: "甲", VisitedAt: ptr(f.svc.Now().Add(time.Hour))}, "visited_at", domain.CodeInvalid},
		{"sales do not log visits", "sales1", domain.VisitInput{VisitorName: "甲"}, "", domain.CodeForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.RecordVisit(ctx, f.a(t, c.by), c.in)
			wantCode(t, c.name, err, c.code)
			var de *domain.Error
			if c.field != "" && (!errors.As(err, &de) || de.Fields[c.field].Zh == "") {
				t.Errorf("no message for %s: %v", c.field, err)
			}
		})
	}
}

// Under require_visit the earliest visit wins among competing claims, and
// a claim not visited within visit_window_days lapses.
func TestVisitRequireVisit(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	f.setPolicy(t, `{"require_visit": true, "visit_window_days": 7}`)
	in := company("广州远航物流有限公司", "13600000001")
	first := mustRegister(t, f, "sales1", in)
	f.advance(time.Hour)
	second := mustRegister(t, f, "sales3", company("远航物流(广州)有限公司", "13600000002"))
	if first.Status != domain.StatusPendingVisit || second.Status != domain.StatusPendingVisit {
		t.Fatalf("statuses %s and %s, want both pending_visit", first.Status, second.Status)
	}
	f.advance(time.Hour)
	// The later registrant brings the customer first: their claim wins.
	v := mustVisit(t, f, walkIn(t, f, "张经理", "", "广州远航物流有限公司", "sales3"))
	if v.Effect != domain.VisitConfirmed || v.RegistrationID != second.ID {
		t.Fatalf("visit: %s on %d, want confirmed on %d", v.Effect, v.RegistrationID, second.ID)
	}
	won := mustRegStatus(t, f, second.ID, domain.StatusActive)
	if won.ActivatedAt == nil || won.VisitedAt == nil {
		t.Errorf("activated %v visited %v", won.ActivatedAt, won.VisitedAt)
	}
	lost := mustRegStatus(t, f, first.ID, domain.StatusRejected)
	if lost.Decision == nil || !strings.Contains(lost.Decision.Reason.Zh, "以到访为准") || strings.Contains(lost.Decision.Reason.Zh, "李") {
		t.Errorf("loser's reason: %+v", lost.Decision)
	}
	// sales1 comes later with the customer: someone holds it now.
	f.advance(time.Hour)
	v = mustVisit(t, f, walkIn(t, f, "张经理", "", "广州远航物流有限公司", "sales1"))
	if v.Effect != domain.VisitConflict {
		t.Errorf("the later visit: %s, want conflict", v.Effect)
	}

	t.Run("the window lapses by the sweep", func(t *testing.T) {
		r := mustRegister(t, f, "sales2", company("成都天府软件有限公司", "13600000003"))
		f.advance(7*day - time.Minute)
		if n := f.sweep(t).Counts["lapsed"]; n != 0 {
			t.Fatalf("lapsed %d inside the window", n)
		}
		f.advance(2 * time.Minute)
		if n := f.sweep(t).Counts["lapsed"]; n != 1 {
			t.Fatalf("lapsed %d after the window, want 1", n)
		}
		mustRegStatus(t, f, r.ID, domain.StatusLapsed)
	})
	t.Run("a visit after the window registers anew", func(t *testing.T) {
		r := mustRegister(t, f, "sales2", company("西安古城文化有限公司", "13600000004"))
		f.advance(8 * day)
		v := mustVisit(t, f, walkIn(t, f, "刘总", "", "西安古城文化有限公司", "sales2"))
		if v.Effect != domain.VisitRegistered || v.RegistrationID == r.ID {
			t.Fatalf("visit after the window: %s on %d", v.Effect, v.RegistrationID)
		}
		mustRegStatus(t, f, r.ID, domain.StatusLapsed)
		mustRegStatus(t, f, v.RegistrationID, domain.StatusActive)
	})
}

// Two salespeople bring one customer at the same moment: one visit wins.
func TestVisitConcurrentCompetingClaims(t *testing.T) {
	t.Parallel()
	f := mustDemo(t)
	f.setPolicy(t, `{"require_visit": true}`)
	users := []string{"sales1", "sales2", "sales3", "sales4"}
	for _, u := range users {
		mustRegister(t, f, u, company("南京紫金电子有限公司", "1350000000"+u[len(u)-1:]))
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	effects := make([]domain.VisitEffect, len(users))
	errs := make([]error, len(users))
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			v, err := f.svc.RecordVisit(context.Background(), f.a(t, "frontdesk1"), walkIn(t, f, "周总", "", "南京紫金电子有限公司", u))
			effects[i], errs[i] = v.Effect, err
		}()
	}
	close(start)
	wg.Wait()
	confirmed := 0
	for i, e := range effects {
		if errs[i] != nil {
			t.Fatalf("%s: %v", users[i], errs[i])
		}
		if e == domain.VisitConfirmed {
			confirmed++
		}
	}
	n := f.ownerInt(t, `SELECT count(*) FROM registrations r JOIN customers c ON c.tenant_id = r.tenant_id AND c.id = r.customer_id
		WHERE c.name_key = $1 AND r.status = 'active'`, domain.NameKey("南京紫金电子有限公司"))
	if confirmed != 1 || n != 1 {
		t.Errorf("%d visits confirmed, %d active claims; want one of each (effects %v)", confirmed, n, effects)
	}
}

func ptr[T any](v T) *T { return &v }
