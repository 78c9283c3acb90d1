// Package templates holds Baobei's templ components: the page shell, shared
// components and one file per screen area. Each page takes a view model
// declared beside it; templates do no I/O.
package templates

import (
	"context"
	"time"
	_ "time/tzdata"

	"baobei/internal/domain"
	"baobei/internal/i18n"
)

// Page is what the shell of every signed-in page shows.
type Page struct {
	Title  string
	User   *domain.User // nil on the sign-in page
	Unread int          // unread notifications, for the bell
	Flash  string
	Path   string // the request path, to mark the current nav entry
}

// NavItem is one entry of the top navigation.
type NavItem struct {
	Href string
	Key  string // catalogue key of the label
}

// Nav lists the navigation entries a role sees, in order.
func Nav(role domain.Role) []NavItem {
	items := []NavItem{{"/", "nav.home"}}
	switch role {
	case domain.RoleAdmin:
		items = append(items, NavItem{"/admin/users", "nav.users"}, NavItem{"/admin/teams", "nav.teams"}, NavItem{"/admin/policy", "nav.policy"})
	}
	// Registrations: the list is named after whose registrations it holds.
	switch role {
	case domain.RoleSales:
		items = append(items, NavItem{"/registrations/new", "nav.registration_new"}, NavItem{"/registrations", "nav.registrations"})
	case domain.RoleManager:
		items = append(items, NavItem{"/registrations/new", "nav.registration_new"}, NavItem{"/registrations", "nav.registrations_team"}, NavItem{"/reviews", "nav.reviews"})
	case domain.RoleAdmin:
		items = append(items, NavItem{"/registrations/new", "nav.registration_new"}, NavItem{"/registrations", "nav.registrations_all"}, NavItem{"/reviews", "nav.reviews"})
	case domain.RoleClerk:
		items = append(items, NavItem{"/registrations", "nav.registrations_all"}, NavItem{"/reviews", "nav.reviews"})
	}
	items = append(items, dealNav(role)...)
	items = append(items, lifecycleNav(role)...)
	items = append(items, disputeNav(role)...)
	items = append(items, reportNav(role)...)
	items = append(items, importNav(role)...)
	items = append(items, privacyNav(role)...)
	items = append(items, outboxNav(role)...)
	return items
}

// t translates a catalogue key in the language of the request.
func t(ctx context.Context, key string) string { return i18n.T(ctx, key) }

// lang returns the language of the request.
func lang(ctx context.Context) i18n.Lang { return i18n.FromContext(ctx) }

// htmlLang is the value of <html lang>.
func htmlLang(ctx context.Context) string {
	if lang(ctx) == i18n.En {
		return "en"
	}
	return "zh-CN"
}

// roleName is the role's name in the request's language.
func roleName(ctx context.Context, r domain.Role) string { return t(ctx, "role."+string(r)) }

type locKey struct{}

// WithLocation returns a context whose times are shown in loc, the
// tenant's time zone.
func WithLocation(ctx context.Context, loc *time.Location) context.Context {
	return context.WithValue(ctx, locKey{}, loc)
}

func location(ctx context.Context) *time.Location {
	if l, ok := ctx.Value(locKey{}).(*time.Location); ok {
		return l
	}
	return shanghai
}

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// fmtTime shows a time to the minute in the tenant's time zone.
func fmtTime(ctx context.Context, tm time.Time) string {
	if tm.IsZero() {
		return ""
	}
	return tm.In(location(ctx)).Format("2006-01-02 15:04")
}

// fmtDate shows a calendar date in the tenant's time zone.
func fmtDate(ctx context.Context, tm time.Time) string {
	if tm.IsZero() {
		return ""
	}
	return tm.In(location(ctx)).Format("2006-01-02")
}
