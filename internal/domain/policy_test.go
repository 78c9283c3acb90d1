package domain_test

import (
	"encoding/json"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"testing"

	"baobei/internal/domain"
)

// policyWithKey returns DefaultPolicy with one key set to v through its JSON form,
// independently of Policy.Apply.
func policyWithKey(t *testing.T, key string, v any) domain.Policy {
	t.Helper()
	b, err := json.Marshal(domain.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m[key]; !ok {
		t.Fatalf("Policy has no JSON key %q", key)
	}
	m[key] = v
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	var p domain.Policy
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultPolicyIsValid(t *testing.T) {
	if errs := domain.DefaultPolicy().Validate(); errs != nil {
		t.Fatalf("DefaultPolicy().Validate() = %v", errs)
	}
	if got := domain.DefaultPolicy().Location().String(); got != "Asia/Shanghai" {
		t.Errorf("default location = %s", got)
	}
}

func TestPolicySettingsCoverEveryKey(t *testing.T) {
	b, err := json.Marshal(domain.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	kinds := []string{"int", "nullint", "bool", "float", "tz", "rules", "weights", "followup", "thresholds", "daycount"}
	seen := map[string]bool{}
	for _, s := range domain.PolicySettings {
		if seen[s.Key] {
			t.Errorf("%s listed twice", s.Key)
		}
		seen[s.Key] = true
		if _, ok := m[s.Key]; !ok {
			t.Errorf("setting %s is not a Policy key", s.Key)
		}
		if !slices.Contains(kinds, s.Kind) {
			t.Errorf("%s: kind %q", s.Key, s.Kind)
		}
		for _, txt := range [][2]string{{s.Label.Zh, s.Label.En}, {s.Help.Zh, s.Help.En}, {s.Group.Zh, s.Group.En}} {
			if txt[0] == "" || txt[1] == "" {
				t.Errorf("%s: missing label, help or group text", s.Key)
			}
		}
	}
	for k := range m {
		if !seen[k] {
			t.Errorf("Policy key %s has no PolicySetting", k)
		}
	}
}

// TestValidateNumberRanges checks each numeric key at and just beyond both
// ends of its range in api.md.
func TestValidateNumberRanges(t *testing.T) {
	ranges := []struct {
		key      string
		min, max float64
		step     float64 // the smallest step out of range
		nullable bool
	}{
		{"protection_days", 0, 3650, 1, false},
		{"active_window_days", 1, 365, 1, false},
		{"renew_window_days", 1, 365, 1, false},
		{"max_renewals", 0, 100, 1, false},
		{"expiry_notice_days", 0, 60, 1, false},
		{"min_completeness", 0, 100, 1, false},
		{"completeness_margin", 0, 100, 1, false},
		{"similarity_threshold", 0.1, 1, 0.01, false},
		{"common_key_limit", 2, 10000, 1, false},
		{"report_deadline_hours", 1, 720, 1, false},
		{"visit_window_days", 1, 90, 1, false},
		{"consent_timeout_hours", 1, 720, 1, false},
		{"follow_up_grace_days", 0, 365, 1, true},
		{"max_live_per_user", 1, 100000, 1, true},
		{"max_pool_claims_per_day", 1, 10000, 1, true},
		{"reclaim_cooldown_days", 0, 365, 1, false},
		{"claim_window_days", 0, 60, 1, false},
		{"appeal_days", 1, 60, 1, false},
		{"registration_burst_per_hour", 1, 100000, 1, false},
		{"dispute_burst_per_hour", 1, 1000, 1, false},
	}
	for _, r := range ranges {
		cases := []struct {
			name string
			v    any
			ok   bool
		}{
			{"min", r.min, true},
			{"max", r.max, true},
			{"below", r.min - r.step, false},
			{"above", r.max + r.step, false},
		}
		if r.nullable {
			cases = append(cases, struct {
				name string
				v    any
				ok   bool
			}{"null", nil, true})
		}
		for _, c := range cases {
			t.Run(r.key+"/"+c.name, func(t *testing.T) {
				errs := policyWithKey(t, r.key, c.v).Validate()
				if _, bad := errs[r.key]; bad == c.ok || len(errs) > 1 || (c.ok && errs != nil) {
					t.Fatalf("%s = %v: errors %v, want ok=%v", r.key, c.v, errs, c.ok)
				}
			})
		}
	}
}

func TestValidateStructuredSettings(t *testing.T) {
	weights := func(change func(domain.CompletenessWeights)) domain.Policy {
		p := domain.DefaultPolicy()
		change(p.CompletenessWeights)
		return p
	}
	aWeight := slices.Sorted(maps.Keys(domain.DefaultCompletenessWeights()))[0]
	follow := func(m map[string]int) domain.Policy {
		p := domain.DefaultPolicy()
		p.FollowUpDays = m
		return p
	}
	rules := func(rs ...domain.Rule) domain.Policy {
		p := domain.DefaultPolicy()
		p.ConflictRules = rs
		return p
	}
	thresholds := func(vip, key int64) domain.Policy {
		p := domain.DefaultPolicy()
		p.GradeThresholds = domain.GradeThresholds{VIP: vip, Key: key}
		return p
	}
	zone := func(name string) domain.Policy {
		p := domain.DefaultPolicy()
		p.TimeZone = name
		return p
	}
	tests := []struct {
		name    string
		p       domain.Policy
		wantKey string // "" when valid
	}{
		{"zone UTC", zone("UTC"), ""},
		{"zone Europe/Berlin", zone("Europe/Berlin"), ""},
		{"zone empty", zone(""), "time_zone"},
		{"zone Local", zone("Local"), "time_zone"},
		{"zone unknown", zone("Mars/Olympus_Mons"), "time_zone"},
		{"rules reordered", rules(domain.RuleTime, domain.RuleCompleteness, domain.RuleHistory), ""},
		{"rules repeated", rules(domain.RuleTime, domain.RuleTime, domain.RuleHistory), "conflict_rules"},
		{"rules missing one", rules(domain.RuleTime, domain.RuleHistory), "conflict_rules"},
		{"rules empty", rules(), "conflict_rules"},
		{"rules unknown", rules(domain.RuleTime, domain.RuleHistory, "luck"), "conflict_rules"},
		{"rules four", rules(domain.RuleTime, domain.RuleHistory, domain.RuleCompleteness, domain.RuleTime), "conflict_rules"},
		{"weight 0", weights(func(w domain.CompletenessWeights) { w[aWeight] = 0 }), ""},
		{"weight 100", weights(func(w domain.CompletenessWeights) { w[aWeight] = 100 }), ""},
		{"weight -1", weights(func(w domain.CompletenessWeights) { w[aWeight] = -1 }), "completeness_weights"},
		{"weight 101", weights(func(w domain.CompletenessWeights) { w[aWeight] = 101 }), "completeness_weights"},
		{"weight unknown", weights(func(w domain.CompletenessWeights) { w["shoe_size"] = 5 }), "completeness_weights"},
		{"follow-up 1 and 365", follow(map[string]int{"H": 1, "A": 365, "B": 7, "C": 15}), ""},
		{"follow-up 0", follow(map[string]int{"H": 0, "A": 3, "B": 7, "C": 15}), "follow_up_days"},
		{"follow-up 366", follow(map[string]int{"H": 1, "A": 3, "B": 7, "C": 366}), "follow_up_days"},
		{"follow-up missing C", follow(map[string]int{"H": 1, "A": 3, "B": 7}), "follow_up_days"},
		{"follow-up extra D", follow(map[string]int{"H": 1, "A": 3, "B": 7, "C": 15, "D": 30}), "follow_up_days"},
		{"follow-up D for C", follow(map[string]int{"H": 1, "A": 3, "B": 7, "D": 15}), "follow_up_days"},
		{"thresholds key just below vip", thresholds(500000, 499999), ""},
		{"thresholds key 0", thresholds(1, 0), ""},
		{"thresholds key = vip", thresholds(500000, 500000), "grade_thresholds"},
		{"thresholds key > vip", thresholds(100000, 500000), "grade_thresholds"},
		{"thresholds negative", thresholds(100, -1), "grade_thresholds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := tt.p.Validate()
			if tt.wantKey == "" {
				if errs != nil {
					t.Fatalf("Validate() = %v, want valid", errs)
				}
				return
			}
			msg, ok := errs[tt.wantKey]
			if !ok || len(errs) != 1 {
				t.Fatalf("Validate() = %v, want one error for %s", errs, tt.wantKey)
			}
			if msg.Zh == "" || msg.En == "" {
				t.Errorf("message %+v lacks a language", msg)
			}
		})
	}
}

func TestValidateRangeMessage(t *testing.T) {
	errs := policyWithKey(t, "active_window_days", 0).Validate()
	want := "须在 1 – 365 之间"
	if got := errs["active_window_days"]; got.Zh != want || got.En != "must be between 1 and 365" {
		t.Errorf("message = %+v, want %q", got, want)
	}
}

func rawJSON(s string) json.RawMessage { return json.RawMessage(s) }

func TestApplyRejects(t *testing.T) {
	tests := []struct {
		name     string
		patch    map[string]json.RawMessage
		wantKeys []string
	}{
		{"unknown key", map[string]json.RawMessage{"protection_dayz": rawJSON(`30`)}, []string{"protection_dayz"}},
		{"key case differs", map[string]json.RawMessage{"Protection_Days": rawJSON(`30`)}, []string{"Protection_Days"}},
		{"string for int", map[string]json.RawMessage{"protection_days": rawJSON(`"30"`)}, []string{"protection_days"}},
		{"fraction for int", map[string]json.RawMessage{"max_renewals": rawJSON(`2.5`)}, []string{"max_renewals"}},
		{"null for int", map[string]json.RawMessage{"appeal_days": rawJSON(`null`)}, []string{"appeal_days"}},
		{"number for bool", map[string]json.RawMessage{"reject_late": rawJSON(`1`)}, []string{"reject_late"}},
		{"string for float", map[string]json.RawMessage{"similarity_threshold": rawJSON(`"high"`)}, []string{"similarity_threshold"}},
		{"number for zone", map[string]json.RawMessage{"time_zone": rawJSON(`8`)}, []string{"time_zone"}},
		{"string for rules", map[string]json.RawMessage{"conflict_rules": rawJSON(`"time"`)}, []string{"conflict_rules"}},
		{"string in follow-up", map[string]json.RawMessage{"follow_up_days": rawJSON(`{"H":"x"}`)}, []string{"follow_up_days"}},
		{"array for weights", map[string]json.RawMessage{"completeness_weights": rawJSON(`[1,2]`)}, []string{"completeness_weights"}},
		{"unknown threshold", map[string]json.RawMessage{"grade_thresholds": rawJSON(`{"gold":1}`)}, []string{"grade_thresholds"}},
		{"invalid JSON", map[string]json.RawMessage{"protection_days": rawJSON(`3 0`)}, []string{"protection_days"}},
		{"out of range", map[string]json.RawMessage{"protection_days": rawJSON(`3651`)}, []string{"protection_days"}},
		{"key not below vip", map[string]json.RawMessage{"grade_thresholds": rawJSON(`{"key":500000}`)}, []string{"grade_thresholds"}},
		{"several at once", map[string]json.RawMessage{
			"nope":            rawJSON(`1`),
			"appeal_days":     rawJSON(`true`),
			"protection_days": rawJSON(`45`),
		}, []string{"appeal_days", "nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := domain.DefaultPolicy()
			got, errs := orig.Apply(tt.patch)
			keys := slices.Sorted(maps.Keys(errs))
			if !slices.Equal(keys, tt.wantKeys) {
				t.Fatalf("errors %v, want keys %v", errs, tt.wantKeys)
			}
			if !reflect.DeepEqual(got, domain.DefaultPolicy()) {
				t.Errorf("Apply changed the policy despite errors: %+v", got)
			}
			if !reflect.DeepEqual(orig, domain.DefaultPolicy()) {
				t.Errorf("Apply modified its receiver")
			}
		})
	}
}

func TestApplyPartial(t *testing.T) {
	orig := domain.DefaultPolicy()
	five := 5
	orig.MaxLivePerUser = &five
	got, errs := orig.Apply(map[string]json.RawMessage{
		"protection_days":         rawJSON(`45`),
		"follow_up_days":          rawJSON(`{"H":2}`),
		"grade_thresholds":        rawJSON(`{"key":200000}`),
		"max_live_per_user":       rawJSON(`null`),
		"max_pool_claims_per_day": rawJSON(`10`),
		"review_required":         rawJSON(`true`),
		"conflict_rules":          rawJSON(`["time","history","completeness"]`),
		"time_zone":               rawJSON(`"Asia/Urumqi"`),
	})
	if errs != nil {
		t.Fatalf("Apply: %v", errs)
	}
	want := domain.DefaultPolicy()
	want.ProtectionDays = 45
	want.FollowUpDays["H"] = 2
	want.GradeThresholds.Key = 200000
	ten := 10
	want.MaxPoolClaimsPerDay = &ten
	want.ReviewRequired = true
	want.ConflictRules = []domain.Rule{domain.RuleTime, domain.RuleHistory, domain.RuleCompleteness}
	want.TimeZone = "Asia/Urumqi"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Apply =\n%+v\nwant\n%+v", got, want)
	}
	if orig.FollowUpDays["H"] != 1 || *orig.MaxLivePerUser != 5 || orig.MaxPoolClaimsPerDay != nil {
		t.Errorf("Apply wrote through to its receiver: %+v", orig)
	}
	if got.Location().String() != "Asia/Urumqi" {
		t.Errorf("Location = %s", got.Location())
	}

	// A pointer setting changed in place must not alias the receiver's.
	again, errs := got.Apply(map[string]json.RawMessage{"max_pool_claims_per_day": rawJSON(`20`)})
	if errs != nil || *again.MaxPoolClaimsPerDay != 20 || *got.MaxPoolClaimsPerDay != 10 {
		t.Errorf("pointer aliasing: got %d, receiver %d, errs %v", *again.MaxPoolClaimsPerDay, *got.MaxPoolClaimsPerDay, errs)
	}
}

func TestLocationFallsBack(t *testing.T) {
	p := domain.DefaultPolicy()
	p.TimeZone = "Nowhere/City"
	if got := p.Location().String(); got != "Asia/Shanghai" {
		t.Errorf("Location() = %s, want Asia/Shanghai", got)
	}
}

// nonDefaultPolicy differs from DefaultPolicy in every setting.
func nonDefaultPolicy() domain.Policy {
	p := domain.DefaultPolicy()
	one, two, three := 1, 2, 3
	p.TimeZone = "Europe/London"
	p.ProtectionDays = 0
	p.ActiveWindowDays = 10
	p.RenewWindowDays = 40
	p.MaxRenewals = 0
	p.ExpiryNoticeDays = 0
	p.MinCompleteness = 50
	for k := range p.CompletenessWeights {
		p.CompletenessWeights[k]++
	}
	p.CompletenessMargin = 10
	p.ConflictRules = []domain.Rule{domain.RuleCompleteness, domain.RuleTime, domain.RuleHistory}
	p.SimilarityThreshold = 0.75
	p.CommonKeyLimit = 50
	p.ReportDeadlineHours = 48
	p.RejectLate = true
	p.ReviewRequired = true
	p.RequireVisit = true
	p.VisitWindowDays = 14
	p.ConsentTimeoutHours = 24
	p.FollowUpDays = map[string]int{"H": 2, "A": 4, "B": 8, "C": 30}
	p.FollowUpGraceDays = &one
	p.MaxLivePerUser = &two
	p.MaxPoolClaimsPerDay = &three
	p.ReclaimCooldownDays = 0
	p.CrossRegionApproval = true
	p.ShowOwnerTeam = true
	p.ClaimWindowDays = 0
	p.AppealDays = 7
	p.RegistrationBurstPerHour = 5
	p.GradeThresholds = domain.GradeThresholds{VIP: 1000000, Key: 300000}
	return p
}

func TestFormRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		from, to domain.Policy
	}{
		{"other to default", nonDefaultPolicy(), domain.DefaultPolicy()},
		{"default to other", domain.DefaultPolicy(), nonDefaultPolicy()},
		{"default to default", domain.DefaultPolicy(), domain.DefaultPolicy()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if errs := tt.to.Validate(); errs != nil {
				t.Fatalf("target invalid: %v", errs)
			}
			patch := domain.PolicyPatchFromForm(tt.to.FormValues())
			if len(patch) != len(domain.PolicySettings) {
				t.Errorf("patch has %d keys, want %d", len(patch), len(domain.PolicySettings))
			}
			got, errs := tt.from.Apply(patch)
			if errs != nil {
				t.Fatalf("Apply: %v", errs)
			}
			if !reflect.DeepEqual(got, tt.to) {
				t.Errorf("round trip =\n%+v\nwant\n%+v", got, tt.to)
			}
		})
	}
}

func TestPolicyPatchFromForm(t *testing.T) {
	tests := []struct {
		name string
		form url.Values
		want map[string]string // key → raw JSON
	}{
		{"only posted keys", url.Values{"protection_days": {" 45 "}, "csrf": {"x"}},
			map[string]string{"protection_days": `45`}},
		{"non-number passed as string", url.Values{"protection_days": {"三十"}, "similarity_threshold": {"0x10"}},
			map[string]string{"protection_days": `"三十"`, "similarity_threshold": `"0x10"`}},
		{"empty nullable is null", url.Values{"max_live_per_user": {""}, "follow_up_grace_days": {"3"}},
			map[string]string{"max_live_per_user": `null`, "follow_up_grace_days": `3`}},
		{"unchecked box is false", url.Values{"present_reject_late": {"1"}},
			map[string]string{"reject_late": `false`}},
		{"checked box is true", url.Values{"present_reject_late": {"1"}, "reject_late": {"on"}, "review_required": {"true"}},
			map[string]string{"reject_late": `true`, "review_required": `true`}},
		{"rules comma-separated", url.Values{"conflict_rules": {"time, history，completeness"}},
			map[string]string{"conflict_rules": `["time","history","completeness"]`}},
		{"rules repeated", url.Values{"conflict_rules": {"time", "completeness", "history"}},
			map[string]string{"conflict_rules": `["time","completeness","history"]`}},
		{"objects from dotted fields", url.Values{"follow_up_days.H": {"2"}, "grade_thresholds.vip": {"9e5"}, "completeness_weights.x": {"a"}},
			map[string]string{"follow_up_days": `{"H":2}`, "grade_thresholds": `{"vip":9e5}`, "completeness_weights": `{"x":"a"}`}},
		{"zone", url.Values{"time_zone": {" Asia/Tokyo "}}, map[string]string{"time_zone": `"Asia/Tokyo"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			for k, v := range domain.PolicyPatchFromForm(tt.form) {
				got[k] = string(v)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("patch = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFormTypeErrorReachesField(t *testing.T) {
	form := domain.DefaultPolicy().FormValues()
	form.Set("protection_days", "abc")
	form.Set("follow_up_days.B", "")
	_, errs := domain.DefaultPolicy().Apply(domain.PolicyPatchFromForm(form))
	if _, ok := errs["protection_days"]; !ok || len(errs) != 2 {
		t.Fatalf("errors %v, want protection_days and follow_up_days", errs)
	}
	if _, ok := errs["follow_up_days"]; !ok {
		t.Fatalf("errors %v, want follow_up_days", errs)
	}
}

func TestApplyDayCount(t *testing.T) {
	p, errs := domain.DefaultPolicy().Apply(map[string]json.RawMessage{"day_count": json.RawMessage(`{"protection_days":"working"}`)})
	if errs != nil {
		t.Fatal(errs)
	}
	p, errs = p.Apply(map[string]json.RawMessage{"day_count": json.RawMessage(`{"appeal_days":"working","protection_days":"calendar"}`)})
	if errs != nil || p.DayCount["appeal_days"] != domain.WorkingDays || len(p.DayCount) != 1 {
		t.Fatalf("merged day_count = %v, %v; want appeal_days working only (calendar is the default)", p.DayCount, errs)
	}
	for _, bad := range []string{`{"max_renewals":"working"}`, `{"protection_days":"weekdays"}`, `{"protection_days":1}`, `null`, `"working"`} {
		q, errs := p.Apply(map[string]json.RawMessage{"day_count": json.RawMessage(bad)})
		if errs["day_count"].Zh == "" || errs["day_count"].En == "" {
			t.Errorf("day_count %s: errors %v, want one for day_count", bad, errs)
		}
		if q.DayCount["appeal_days"] != domain.WorkingDays || len(q.DayCount) != 1 {
			t.Errorf("day_count %s changed the policy: %v", bad, q.DayCount)
		}
	}
	form := p.FormValues()
	if form.Get("day_count.appeal_days") != "working" || form.Get("day_count.claim_window_days") != "calendar" {
		t.Errorf("form values %v", form)
	}
	q, errs := domain.DefaultPolicy().Apply(domain.PolicyPatchFromForm(form))
	if errs != nil || q.DayCount["appeal_days"] != domain.WorkingDays || len(q.DayCount) != 1 {
		t.Errorf("form round trip: %v, %v", q.DayCount, errs)
	}
}
