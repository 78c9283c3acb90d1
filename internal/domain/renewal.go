package domain

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// Maintained reports whether the registration is actively maintained
// (维护中) at now: its last follow-up lies within active_window_days.
func (r Registration) Maintained(pol Policy, now time.Time) bool {
	return r.LastFollowUpAt != nil && !pol.addDays("active_window_days", *r.LastFollowUpAt, pol.ActiveWindowDays).Before(now)
}

// RenewalVerdict is how the renewal rule answers a renewal request.
type RenewalVerdict struct {
	// Auto: the renewal is granted at once; otherwise a manager decides.
	Auto bool
	// Why a manager must decide (when not Auto).
	Why i18n.Text
}

// Renewal applies the renewal rule (domain.md, 续报) to registration r at
// now: only an active registration with an end to its protection, in the
// last renew_window_days before that end, may be renewed; it is granted at
// once when maintained and renewed fewer than max_renewals times, and
// otherwise goes to a manager. A request outside the rule is an Invalid
// error saying why.
func Renewal(pol Policy, r Registration, now time.Time) (RenewalVerdict, error) {
	loc := pol.Location()
	switch {
	case r.Status != StatusActive:
		return RenewalVerdict{}, InvalidMsg(i18n.Text{Zh: "只有生效中的报备可以续报", En: "Only an active registration can be renewed"})
	case r.ProtectedUntil == nil:
		return RenewalVerdict{}, InvalidMsg(i18n.Text{Zh: "该报备为永久保护, 无需续报", En: "This registration is protected permanently; it needs no renewal"})
	case !now.Before(*r.ProtectedUntil):
		return RenewalVerdict{}, InvalidMsg(i18n.Text{Zh: "保护期已结束, 不能再续报", En: "The protection has ended; it can no longer be renewed"})
	}
	opens := RenewalOpens(pol, *r.ProtectedUntil)
	if now.Before(opens) {
		return RenewalVerdict{}, InvalidMsg(i18n.Text{
			Zh: fmt.Sprintf("只能在到期前 %d 天内续报: 保护期至 %s, 最早可于 %s 起续报",
				pol.RenewWindowDays, r.ProtectedUntil.In(loc).Format("2006-01-02 15:04"), opens.In(loc).Format("2006-01-02 15:04")),
			En: fmt.Sprintf("Renewal is possible only in the last %d days: protected until %s, renewable from %s",
				pol.RenewWindowDays, r.ProtectedUntil.In(loc).Format("2006-01-02 15:04"), opens.In(loc).Format("2006-01-02 15:04"))})
	}
	switch {
	case r.Renewals >= pol.MaxRenewals:
		return RenewalVerdict{Why: i18n.Text{
			Zh: fmt.Sprintf("已续报 %d 次, 达到上限 %d 次, 需经理批准", r.Renewals, pol.MaxRenewals),
			En: fmt.Sprintf("Renewed %d times already (limit %d); a manager must approve", r.Renewals, pol.MaxRenewals)}}, nil
	case !r.Maintained(pol, now):
		return RenewalVerdict{Why: i18n.Text{
			Zh: fmt.Sprintf("最近 %d 天内没有跟进记录 (未保持维护), 需经理批准", pol.ActiveWindowDays),
			En: fmt.Sprintf("No follow-up in the last %d days (not maintained); a manager must approve", pol.ActiveWindowDays)}}, nil
	}
	return RenewalVerdict{Auto: true}, nil
}

// RenewalOpens is when the renewal window (the last renew_window_days)
// of a protection ending at until opens.
func RenewalOpens(pol Policy, until time.Time) time.Time {
	return pol.addDays("renew_window_days", until, -pol.RenewWindowDays)
}

// RenewResult is the outcome of a renewal request: the registration,
// renewed or not, and when a manager must decide, the approval waiting.
type RenewResult struct {
	Registration Registration
	Pending      bool
	ApprovalID   int64
	Why          i18n.Text
}

// Renew asks to renew the protection of the actor's own registration
// (domain.md, 续报; api.md: POST /registrations/{id}/renew). Granted at
// once, the protection is extended by protection_days from the old
// expiry; otherwise a renewal approval waits for a manager of the owner's
// team (asking again returns the same approval). It returns ErrNotFound
// for a registration the actor cannot read, ErrForbidden when they are not
// its owner, and Invalid outside the renewal window (see Renewal).
func (s *Service) Renew(ctx context.Context, by Actor, id int64) (RenewResult, error) {
	var res RenewResult
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		r, err := lockRegistration(ctx, tx, by, id)
		if err != nil {
			return err
		}
		if r.OwnerID != by.UserID {
			return Forbidden(i18n.Text{Zh: "只有报备人可以续报", En: "Only the owner can renew a registration"})
		}
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		now := s.Now()
		v, err := Renewal(pol, r, now)
		if err != nil {
			return err
		}
		if v.Auto {
			return extendProtection(ctx, tx, by, r, pol)
		}
		res.Pending, res.Why = true, v.Why
		res.ApprovalID, _, err = requestApproval(ctx, tx, by, approvalRequest{
			Kind: ApprovalRenewal, Entity: "registration", EntityID: id, ApproverRole: RoleManager, TeamID: r.TeamID,
			Summary: i18n.Text{
				Zh: fmt.Sprintf("%s 申请续报客户「%s」: %s", r.OwnerName, r.Customer.Name, v.Why.Zh),
				En: fmt.Sprintf("%s asks to renew %s: %s", r.OwnerName, r.Customer.Name, v.Why.En)},
			Link:   registrationLink(id),
			Detail: map[string]any{"protected_until": r.ProtectedUntil, "renewals": r.Renewals},
		}, now)
		return err
	})
	if err != nil {
		return RenewResult{}, fmt.Errorf("renew: %w", err)
	}
	res.Registration, err = s.Registration(ctx, by, id)
	return res, err
}

// lockRegistration locks a registration for a change and returns it as by
// may read it (ErrNotFound when they may not).
func lockRegistration(ctx context.Context, tx pgx.Tx, by Actor, id int64) (Registration, error) {
	_, err := tx.Exec(ctx, `SELECT 1 FROM registrations WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, by.TenantID, id)
	if err != nil {
		return Registration{}, fmt.Errorf("lock registration: %w", err)
	}
	return getRegistration(ctx, tx, by, id)
}

// extendProtection renews r: protection_days more from its old expiry
// (permanent when protection_days is now 0), one renewal more.
func extendProtection(ctx context.Context, tx pgx.Tx, by Actor, r Registration, pol Policy) error {
	until := protectionEnd(pol, *r.ProtectedUntil)
	if _, err := tx.Exec(ctx, `UPDATE registrations SET protected_until = $3, renewals = renewals + 1
		WHERE tenant_id = $1 AND id = $2`, by.TenantID, r.ID, until); err != nil {
		return fmt.Errorf("extend protection: %w", err)
	}
	return audit(ctx, tx, by, "registration.renew", "registration", r.ID,
		map[string]any{"protected_until": r.ProtectedUntil, "renewals": r.Renewals},
		map[string]any{"protected_until": until, "renewals": r.Renewals + 1})
}

// decideRenewal applies a manager's decision on a renewal approval: an
// approved renewal extends the protection as an automatic one would, if
// the registration is still protected.
func decideRenewal(ctx context.Context, tx pgx.Tx, by Actor, a Approval, approve bool, reason string, now time.Time) error {
	if approve {
		r, err := lockRegistration(ctx, tx, by, a.EntityID)
		if err != nil {
			return err
		}
		if r.Status != StatusActive || r.ProtectedUntil == nil || !now.Before(*r.ProtectedUntil) {
			return InvalidMsg(i18n.Text{Zh: "该报备已不在保护期内, 无法续报", En: "The registration is no longer protected; it cannot be renewed"})
		}
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		if err := extendProtection(ctx, tx, by, r, pol); err != nil {
			return err
		}
	}
	return notifyDecision(ctx, tx, by.TenantID, a, approve, reason)
}
