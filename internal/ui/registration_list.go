package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"baobei/internal/domain"
	"baobei/templates"
)

// listPageSize is how many registrations a list page shows.
const listPageSize = 50

// listRegistrations lists the registrations the user may see (salespeople
// their own, managers their teams', clerks and admins all), newest first,
// filtered by status and by part of the customer's name (GET params), a
// page at a time.
func (p *Pages) listRegistrations(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	q := r.URL.Query()
	f := domain.RegistrationFilter{Query: searchText(q.Get("q")), Limit: listPageSize, Cursor: cursor(q)}
	if s := domain.Status(q.Get("status")); slices.Contains(domain.Statuses, s) {
		f.Status = s
	}
	regs, next, err := p.svc.Registrations(r.Context(), a, f)
	if err != nil {
		return err
	}
	pol, err := p.svc.Policy(r.Context(), a)
	if err != nil {
		return err
	}
	pg, r, err := p.page(r, a, registrationsTitle(a.Role))
	if err != nil {
		return err
	}
	v := templates.RegistrationListView{Status: string(f.Status), Query: f.Query, ShowOwner: !a.Is(domain.RoleSales)}
	now := p.svc.Now()
	for _, reg := range regs {
		v.Rows = append(v.Rows, registrationRow(reg, pol, now))
	}
	if next != 0 {
		v.NextURL = "/registrations?" + url.Values{"status": {v.Status}, "q": {v.Query}, "cursor": {itoa(next)}}.Encode()
	}
	return render(w, r, templates.RegistrationList(pg, v))
}

// registrationsTitle names the list after whose registrations it holds.
func registrationsTitle(role domain.Role) string {
	switch role {
	case domain.RoleSales:
		return "nav.registrations"
	case domain.RoleManager:
		return "nav.registrations_team"
	}
	return "nav.registrations_all"
}

// searchText is a search as typed, made safe to send to the database:
// valid UTF-8 without NULs, at most 100 characters.
func searchText(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\x00", ""))
	if rs := []rune(s); len(rs) > 100 {
		s = string(rs[:100])
	}
	return s
}

// cursor reads the list cursor of a "next page" link; anything else is
// the first page.
func cursor(q url.Values) int64 {
	n, err := strconv.ParseInt(q.Get("cursor"), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// registrationRow works out what a list shows about reg at now.
func registrationRow(reg domain.Registration, pol domain.Policy, now time.Time) templates.RegistrationRow {
	return templates.RegistrationRow{Reg: reg, Countdown: protection(reg, pol, now), Overdue: reg.Overdue(now)}
}

// protection is what is left at now of an active registration's
// protection, in days rounded up; soon when within the tenant's expiry
// notice (expiry_notice_days).
func protection(reg domain.Registration, pol domain.Policy, now time.Time) templates.Countdown {
	if reg.Status != domain.StatusActive {
		return templates.Countdown{}
	}
	if reg.ProtectedUntil == nil {
		return templates.Countdown{Permanent: true}
	}
	left := reg.ProtectedUntil.Sub(now)
	if left <= 0 {
		return templates.Countdown{Show: true, Expired: true}
	}
	const day = 24 * time.Hour
	days := int((left + day - 1) / day)
	return templates.Countdown{Show: true, Days: days, Soon: days <= pol.ExpiryNoticeDays}
}
