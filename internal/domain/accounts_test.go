package domain_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"baobei/internal/domain"
)

func TestTokenTerms(t *testing.T) {
	now := time.Date(2026, 11, 2, 10, 31, 0, 0, shanghai)
	days := func(n int) *int { return &n }
	at := func(tm time.Time) *time.Time { return &tm }
	tests := []struct {
		name    string
		in      domain.TokenInput
		scope   string
		expires *time.Time
		fields  []string
	}{
		{name: "defaults: write, never", scope: domain.ScopeWrite},
		{name: "read", in: domain.TokenInput{Scope: "read"}, scope: domain.ScopeRead},
		{name: "unknown scope", in: domain.TokenInput{Scope: "admin"}, fields: []string{"scope"}},
		{name: "one day", in: domain.TokenInput{ExpiresInDays: days(1)}, scope: domain.ScopeWrite, expires: at(now.Add(24 * time.Hour))},
		{name: "the longest", in: domain.TokenInput{ExpiresInDays: days(365)}, scope: domain.ScopeWrite, expires: at(now.Add(365 * 24 * time.Hour))},
		{name: "zero days", in: domain.TokenInput{ExpiresInDays: days(0)}, fields: []string{"expires_in_days"}},
		{name: "too long", in: domain.TokenInput{ExpiresInDays: days(366)}, fields: []string{"expires_in_days"}},
		{name: "a date: the end of that day in the zone", in: domain.TokenInput{ExpiresOn: "2026-12-31"},
			scope: domain.ScopeWrite, expires: at(time.Date(2027, 1, 1, 0, 0, 0, 0, shanghai))},
		{name: "today lasts to midnight", in: domain.TokenInput{ExpiresOn: "2026-11-02"},
			scope: domain.ScopeWrite, expires: at(time.Date(2026, 11, 3, 0, 0, 0, 0, shanghai))},
		{name: "yesterday", in: domain.TokenInput{ExpiresOn: "2026-11-01"}, fields: []string{"expires_on"}},
		{name: "a date over a year ahead", in: domain.TokenInput{ExpiresOn: "2027-11-02"}, fields: []string{"expires_on"}},
		{name: "not a date", in: domain.TokenInput{ExpiresOn: "31/12/2026"}, fields: []string{"expires_on"}},
		{name: "both days and a date", in: domain.TokenInput{ExpiresInDays: days(30), ExpiresOn: "2026-12-31"}, fields: []string{"expires_on"}},
		{name: "every field wrong", in: domain.TokenInput{Scope: "all", ExpiresInDays: days(-1)}, fields: []string{"expires_in_days", "scope"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			scope, expires, f := tc.in.TokenTerms(now, shanghai)
			var fields []string
			for k := range f {
				fields = append(fields, k)
			}
			slices.Sort(fields)
			if !slices.Equal(fields, tc.fields) {
				t.Fatalf("field errors %v, want %v", f, tc.fields)
			}
			if len(tc.fields) > 0 {
				return
			}
			if scope != tc.scope || (expires == nil) != (tc.expires == nil) || (expires != nil && !expires.Equal(*tc.expires)) {
				t.Errorf("scope %q expires %v, want %q %v", scope, expires, tc.scope, tc.expires)
			}
		})
	}
}

// liveSession stands in for the scs session a browser holds: a row of the
// global sessions table with token, alive for an hour by the database clock.
func (f *fixture) liveSession(t *testing.T, token string) {
	t.Helper()
	f.asOwner(t, `INSERT INTO sessions (token, data, expiry) VALUES ($1, '\x00', now() + interval '1 hour')`, token)
}

// hasSession reports whether the scs session with token is stored.
func (f *fixture) hasSession(t *testing.T, token string) bool {
	t.Helper()
	return f.ownerInt(t, `SELECT count(*) FROM sessions WHERE token = $1`, token) == 1
}

// TestUserSessions: sign-ins are listed with the current one marked;
// last seen is written at most every five minutes; revoking ends the index
// row and the scs session; an admin's reset ends them all and forces a
// password change, which the user's own change ends.
func TestUserSessions(t *testing.T) {
	f := mustDemo(t)
	ctx := context.Background()
	sales1, sales2, admin := f.a(t, "sales1"), f.a(t, "sales2"), f.a(t, "admin")
	for _, tok := range []string{"laptop", "phone", "other"} {
		f.liveSession(t, tok)
	}
	laptop, err := f.svc.RecordSession(ctx, sales1, "laptop", domain.SessionDevice{UserAgent: "Firefox", Address: "10.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	f.advance(time.Minute)
	phone, err := f.svc.RecordSession(ctx, sales1, "phone", domain.SessionDevice{UserAgent: "Safari", Address: "10.0.0.2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RecordSession(ctx, sales2, "other", domain.SessionDevice{}); err != nil {
		t.Fatal(err)
	}
	// A session whose scs session is gone is not listed.
	if _, err := f.svc.RecordSession(ctx, sales1, "expired", domain.SessionDevice{}); err != nil {
		t.Fatal(err)
	}

	list := func() []domain.Session {
		t.Helper()
		s, err := f.svc.Sessions(ctx, sales1, "laptop")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	signedInAt := f.svc.Now()
	if s := list(); len(s) != 2 || s[0].ID != phone || s[1].ID != laptop || s[0].Current || !s[1].Current ||
		s[1].UserAgent != "Firefox" || s[1].Address != "10.0.0.1" {
		t.Fatalf("sessions %+v, want the phone's, then the laptop's (current)", s)
	}

	f.advance(4 * time.Minute)
	if _, err := f.svc.SessionActor(ctx, sales1.TenantID, sales1.UserID, "laptop"); err != nil {
		t.Fatal(err)
	}
	if s := list(); !s[0].LastSeenAt.Equal(signedInAt) {
		t.Errorf("last seen written within five minutes of the last: %+v", s[0])
	}
	f.advance(2 * time.Minute)
	a, err := f.svc.SessionActor(ctx, sales1.TenantID, sales1.UserID, "laptop")
	if err != nil || a.Role != domain.RoleSales || a.MustChangePassword {
		t.Fatalf("session actor %+v, %v", a, err)
	}
	if s := list(); !s[0].LastSeenAt.Equal(f.svc.Now()) {
		t.Errorf("last seen not written after six minutes: %+v", s)
	}
	// The session's token belongs to sales1, not sales2.
	if _, err := f.svc.SessionActor(ctx, sales2.TenantID, sales2.UserID, "laptop"); domain.ErrorCode(err) != domain.CodeUnauthorized {
		t.Errorf("another user's session token: %v, want unauthorized", err)
	}

	if err := f.svc.RevokeSession(ctx, sales2, phone); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("sales2 revokes sales1's session: %v, want not found", err)
	}
	if err := f.svc.RevokeSession(ctx, sales1, phone); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SessionActor(ctx, sales1.TenantID, sales1.UserID, "phone"); domain.ErrorCode(err) != domain.CodeUnauthorized {
		t.Errorf("a revoked session: %v, want unauthorized", err)
	}
	if f.hasSession(t, "phone") {
		t.Error("the revoked scs session is still stored")
	}

	// The admin's reset: every session of sales1's ends, sales2's stays.
	if err := f.svc.ResetPassword(ctx, admin, sales1.UserID, "temp-pass-1"); err != nil {
		t.Fatal(err)
	}
	if f.hasSession(t, "laptop") || !f.hasSession(t, "other") {
		t.Error("after sales1's reset, want sales1's scs session gone and sales2's kept")
	}
	if _, err := f.svc.SessionActor(ctx, sales2.TenantID, sales2.UserID, "other"); err != nil {
		t.Errorf("sales2's session after sales1's reset: %v", err)
	}
	a, _, err = f.svc.SignIn(ctx, "demo", "sales1", "temp-pass-1", "test")
	if err != nil || !a.MustChangePassword {
		t.Fatalf("sign-in after the reset: %+v, %v; want a forced change", a, err)
	}
	if err := f.svc.ChangePassword(ctx, a, "temp-pass-1", "temp-pass-1"); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("keeping the temporary password: %v, want invalid", err)
	}
	if err := f.svc.ChangePassword(ctx, a, "temp-pass-1", "fresh-pass-2"); err != nil {
		t.Fatal(err)
	}
	if a, _, err = f.svc.SignIn(ctx, "demo", "sales1", "fresh-pass-2", "test"); err != nil || a.MustChangePassword {
		t.Errorf("sign-in after the change: %+v, %v; want no forced change", a, err)
	}
}
