package ui

import (
	"context"
	"net/http"
	"time"

	"baobei/internal/domain"
	"baobei/templates"
)

// lifecycleState is what a refused follow-up, renewal or release shows
// again on the registration page: the forms as typed and the messages.
type lifecycleState struct {
	followUp      templates.FollowUpForm
	release       templates.ReleaseForm
	errors        map[string]string
	followUpError string
	releaseError  string
	actionError   string
}

type lifecycleStateKey struct{}

// renderWithLifecycle shows the registration page again with status
// after a refused lifecycle post; renderRegistration picks st up through
// lifecycleView.
func (p *Pages) renderWithLifecycle(w http.ResponseWriter, r *http.Request, a domain.Actor, id int64, status int, st lifecycleState) error {
	r = r.WithContext(context.WithValue(r.Context(), lifecycleStateKey{}, st))
	return p.renderRegistration(w, r, a, id, status, "")
}

// lifecycleView works out the registration page's lifecycle section for
// a at now: what the user may do, the follow-up history, assistants and
// the approvals the registration waits for.
func (p *Pages) lifecycleView(r *http.Request, a domain.Actor, reg domain.Registration, pol domain.Policy, now time.Time) (*templates.LifecycleView, error) {
	ctx := r.Context()
	owner := a.UserID == reg.OwnerID
	v := &templates.LifecycleView{
		RegID:       reg.ID,
		CanFollowUp: owner && reg.Status.Live(),
		CanRenew:    owner && reg.Status == domain.StatusActive && reg.ProtectedUntil != nil,
		CanRelease: reg.Status.Releasable() &&
			(owner || a.Is(domain.RoleAdmin) || (a.Is(domain.RoleManager) && a.ManagesTeam(reg.TeamID))),
		Maintained: reg.Maintained(pol, now),
		FollowUp:   templates.FollowUpForm{Channel: "call"},
	}
	if v.CanRenew {
		if from := domain.RenewalOpens(pol, *reg.ProtectedUntil); now.Before(from) {
			v.RenewFrom = &from
		}
	}
	if d := reg.Decision; owner && d != nil && d.Winner == "other" && d.ClaimRef != "" {
		v.ConsentRef = d.ClaimRef
	}
	var err error
	if v.FollowUps, err = p.svc.FollowUps(ctx, a, reg.ID); err != nil {
		return nil, err
	}
	if v.Assistants, err = p.svc.Assistants(ctx, a, reg.ID); err != nil {
		return nil, err
	}
	if v.Holds, err = p.svc.RegistrationHolds(ctx, a, reg.ID); err != nil {
		return nil, err
	}
	if st, ok := ctx.Value(lifecycleStateKey{}).(lifecycleState); ok {
		v.FollowUp, v.Release, v.Errors = st.followUp, st.release, st.errors
		v.FollowUpError, v.ReleaseError, v.ActionError = st.followUpError, st.releaseError, st.actionError
	}
	return v, nil
}
