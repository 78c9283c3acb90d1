package ui

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"baobei/internal/domain"
	"baobei/internal/i18n"
	"baobei/templates"
)

// home is the signed-in user's start page: their figures and what they
// must act on, by role (domain.Dashboard), each item one click away.
func (p *Pages) home(w http.ResponseWriter, r *http.Request, a domain.Actor) error {
	d, err := p.svc.Dashboard(r.Context(), a)
	if err != nil {
		return err
	}
	pol, err := p.svc.Policy(r.Context(), a)
	if err != nil {
		return err
	}
	pg, r, err := p.page(r, a, "nav.home")
	if err != nil {
		return err
	}
	return render(w, r, templates.Home(pg, homeView(r.Context(), a, d, pol, pg.Unread)))
}

// homeView lays out the dashboard of a in the request's language.
func homeView(ctx context.Context, a domain.Actor, d domain.Dashboard, pol domain.Policy, unread int) templates.HomeView {
	var v templates.HomeView
	lang := i18n.FromContext(ctx)
	figure := func(testID, key string, n int, href string) {
		v.Figures = append(v.Figures, templates.HomeFigure{TestID: testID, Key: key, Value: strconv.Itoa(n), Href: href})
	}
	section := func(testID, key, href string, count int, items []templates.HomeItem) {
		v.Sections = append(v.Sections, templates.HomeSection{TestID: testID, Key: key, Href: href, Count: count, Items: items})
	}
	claims := func(l domain.Shortlist[domain.Registration], overdue bool) []templates.HomeItem {
		var out []templates.HomeItem
		for _, r := range l.Items {
			it := templates.HomeItem{Text: r.Customer.Name, Href: "/registrations/" + itoa(r.ID)}
			if overdue {
				it.Due, it.Note = r.NextFollowUpDue, r.OwnerName
			} else {
				it.Countdown = protection(r, pol, d.Now)
				switch {
				case r.OwnerID != a.UserID:
					it.Note = r.OwnerName
				case r.Status != domain.StatusActive:
					it.Note = i18n.T(ctx, "status."+string(r.Status))
				}
			}
			out = append(out, it)
		}
		return out
	}
	approvals := func(l domain.Shortlist[domain.Approval]) []templates.HomeItem {
		var out []templates.HomeItem
		for _, x := range l.Items {
			out = append(out, templates.HomeItem{Text: x.Summary.In(lang), Href: x.Link,
				Note: domain.ApprovalKindLabel(x.Kind).In(lang) + " · " + x.RequesterName})
		}
		return out
	}
	consents := func(l domain.Shortlist[domain.ConsentRequest]) []templates.HomeItem {
		var out []templates.HomeItem
		for _, c := range l.Items {
			it := templates.HomeItem{Text: c.CustomerName, Href: "/consents", Note: i18n.T(ctx, "consent.status."+c.Status)}
			if c.Requester != nil {
				it.Note = c.Requester.Name + " · " + it.Note
			}
			out = append(out, it)
		}
		return out
	}

	switch {
	case a.Is(domain.RoleFrontdesk):
		v.Actions = append(v.Actions, templates.NavItem{Href: "/visits", Key: "home.visit_log"})
		figure("home-visits-today", "home.visits_today", d.VisitsToday, "/visits/sheet")
	case a.Is(domain.RoleSales, domain.RoleManager):
		v.Actions = append(v.Actions, templates.NavItem{Href: "/registrations/new", Key: "nav.registration_new"})
	}
	if f := d.Figures; f != nil {
		figure("home-live-claims", "home.live_claims", f.LiveClaims, "/registrations?status=active")
		figure("home-regs-week", "home.regs_week", f.RegistrationsWeek, "/registrations")
		figure("home-regs-30", "home.regs_30", f.Registrations30Days, "/registrations")
		figure("home-conflicts-30", "home.conflicts_30", f.Conflicted30Days, "/disputes")
		rate := "—" // no registrations, no rate
		if r, ok := f.ConflictRate(); ok {
			rate = fmt.Sprintf("%.1f%%", 100*r)
		}
		v.Figures = append(v.Figures, templates.HomeFigure{TestID: "home-conflict-rate", Key: "home.conflict_rate_30",
			Value: rate, Href: "/disputes"})
		figure("home-open-disputes", "home.open_disputes", f.OpenDisputes, "/disputes?status=open")
		figure("home-pool-size", "home.pool_size", f.PoolSize, "/pool")
		figure("home-users", "nav.users", f.Users, "/admin/users")
		figure("home-teams", "nav.teams", f.Teams, "/admin/teams")
	}
	figure("home-unread", "home.unread", unread, "/notifications")

	if a.Is(domain.RoleSales) {
		section("home-claims", "home.claims", "/registrations", d.Claims.Count, claims(d.Claims, false))
		section("home-overdue", "home.overdue", "/registrations?status=active", d.Overdue.Count, claims(d.Overdue, true))
	}
	if a.Is(domain.RoleManager, domain.RoleClerk, domain.RoleAdmin) {
		section("home-reviews", "home.reviews", "/reviews", d.Reviews.Count, claims(d.Reviews, false))
		section("home-approvals", "home.approvals", "/approvals", d.Approvals.Count, approvals(d.Approvals))
	}
	if a.Is(domain.RoleManager, domain.RoleAdmin) {
		section("home-deal-claims", "home.deal_claims", "/deals", d.DealClaims.Count, approvals(d.DealClaims))
		var cases []templates.HomeItem
		for _, c := range d.Disputes.Items {
			cases = append(cases, templates.HomeItem{Text: c.CustomerName, Href: "/disputes/" + itoa(c.ID),
				Note: i18n.T(ctx, "dispute.kind."+string(c.Kind)) + " · " + i18n.T(ctx, "dispute.status."+string(c.Status))})
		}
		section("home-disputes", "home.disputes", "/disputes?status=open", d.Disputes.Count, cases)
	}
	if a.Is(domain.RoleManager) {
		section("home-expiring", "home.expiring", "/registrations?status=active", d.Expiring.Count, claims(d.Expiring, false))
		var conflicts []templates.HomeItem
		for _, c := range d.Conflicts.Items {
			conflicts = append(conflicts, templates.HomeItem{Text: c.CustomerName, Href: "/registrations/" + itoa(c.RegistrationID),
				Note: i18n.T(ctx, "home.conflict."+c.Status) + " · " + c.CreatedAt.In(pol.Location()).Format(time.DateOnly)})
		}
		section("home-conflicts", "home.conflicts", "", d.Conflicts.Count, conflicts)
		section("home-team-overdue", "home.team_overdue", "/registrations?status=active", d.TeamOverdue.Count, claims(d.TeamOverdue, true))
	}
	if a.Is(domain.RoleClerk) {
		var deals []templates.HomeItem
		for _, x := range d.UnclaimedDeals.Items {
			deals = append(deals, templates.HomeItem{Text: x.Customer.Name, Href: "/deals/" + itoa(x.ID), Note: x.ContractNo})
		}
		section("home-unclaimed-deals", "home.unclaimed_deals", "/deals?status=unclaimed", d.UnclaimedDeals.Count, deals)
	}
	if a.Is(domain.RoleManager, domain.RoleClerk, domain.RoleAdmin) {
		section("home-dealer-steps", "home.dealer_steps", "/dealers", d.DealerSteps.Count, approvals(d.DealerSteps))
	}
	if a.Is(domain.RoleSales, domain.RoleManager, domain.RoleAdmin) {
		section("home-consents-in", "home.consents_in", "/consents", d.ConsentsToAnswer.Count, consents(d.ConsentsToAnswer))
		section("home-consents-out", "home.consents_out", "/consents", d.ConsentsAsked.Count, consents(d.ConsentsAsked))
	}
	// What waits comes first; the empty sections keep their order below.
	slices.SortStableFunc(v.Sections, func(x, y templates.HomeSection) int {
		return cmp.Compare(min(y.Count, 1), min(x.Count, 1))
	})
	return v
}
