package domain

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// The sweeper makes time pass (domain.md: expiry, follow-up grace,
// visit window, expiry notices, consent timeouts, contact retention). Each step is
// set-based SQL over one tenant, idempotent: run twice at the same now, it
// changes nothing the second time. Sweep visits every tenant in turn, one
// transaction per tenant under its row-level security, and holds a
// database-wide advisory lock so that exactly one sweeper runs at a time
// when several app servers share the database.

// sweepStep is one kind of sweep: run applies it to one tenant at now and
// returns how many things it changed.
type sweepStep struct {
	name string
	run  func(ctx context.Context, tx pgx.Tx, tenantID int64, pol Policy, now time.Time) (int, error)
}

// sweepSteps run in this order for each tenant. Add a step here for
// another time-driven rule (deal claim windows, …); its name keys its
// count in SweepResult.
var sweepSteps = []sweepStep{
	{"expired", expireProtected},
	{"overdue", expireOverdue},
	{"lapsed", lapseUnvisited},
	{"expiry_notices", noticeExpiry},
	{"consents_escalated", escalateConsents},
	{"deal_claims", sweepDealClaims},
	{"anonymised", anonymiseRetired},
}

// SweepResult counts what a sweep did, by step name (see sweepSteps).
type SweepResult struct {
	Tenants int
	Counts  map[string]int
}

// sweepLockKey keys the sweep's advisory lock: "bbsweep" as a big-endian
// integer, apart from dbtest's template lock.
const sweepLockKey int64 = 0x62627377656570

// sweepRequestID marks the sweeper's audit entries.
const sweepRequestID = "sweep"

// Sweep runs every sweep step for every tenant as of now, waiting for
// another sweeper to finish first (`baobei sweep`). A tenant whose sweep
// fails is rolled back and the others still run; the errors are joined.
func (s *Service) Sweep(ctx context.Context, now time.Time) (SweepResult, error) {
	res, _, err := s.sweep(ctx, now, true)
	return res, err
}

// TrySweep is Sweep unless another sweeper holds the lock, in which case
// it does nothing and reports ran false (the background loop of `baobei
// serve`).
func (s *Service) TrySweep(ctx context.Context, now time.Time) (res SweepResult, ran bool, err error) {
	return s.sweep(ctx, now, false)
}

func (s *Service) sweep(ctx context.Context, now time.Time, wait bool) (SweepResult, bool, error) {
	res := SweepResult{Counts: map[string]int{}}
	// The lock lives on a connection of its own, outside the pool: sweepers
	// waiting for it must not hold the connections the one sweeping needs.
	conn, err := pgx.ConnectConfig(ctx, s.db.Pool.Config().ConnConfig.Copy())
	if err != nil {
		return res, false, fmt.Errorf("sweep: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx)) // closing also unlocks
	locked := true
	if wait {
		_, err = conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, sweepLockKey)
	} else {
		err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, sweepLockKey).Scan(&locked)
	}
	if err != nil {
		return res, false, fmt.Errorf("sweep: lock: %w", err)
	}
	if !locked {
		return res, false, nil
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, sweepLockKey)

	tenants, err := s.TenantIDs(ctx)
	if err != nil {
		return res, true, fmt.Errorf("sweep: tenants: %w", err)
	}
	var errs []error
	for _, tid := range tenants {
		counts := map[string]int{}
		err := s.db.InTenant(ctx, tid, func(tx pgx.Tx) error {
			clear(counts)
			pol, err := loadPolicy(ctx, tx, tid)
			if err != nil {
				return err
			}
			for _, step := range sweepSteps {
				n, err := step.run(ctx, tx, tid, pol, now)
				if err != nil {
					return fmt.Errorf("%s: %w", step.name, err)
				}
				counts[step.name] += n
			}
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("sweep tenant %d: %w", tid, err))
			continue
		}
		res.Tenants++
		for k, n := range counts {
			res.Counts[k] += n
		}
	}
	return res, true, errors.Join(errs...)
}

// endBySweep ends the claims due selects as the sweeper (no acting user).
func endBySweep(ctx context.Context, tx pgx.Tx, tenantID int64, now time.Time, end claimEnd, due string, dueArgs ...any) (int, error) {
	return endClaims(ctx, tx, tenantID, nil, sweepRequestID, now, end, due, dueArgs...)
}

// expireProtected expires active registrations whose protection ended;
// their customers return to the public pool.
func expireProtected(ctx context.Context, tx pgx.Tx, tenantID int64, _ Policy, now time.Time) (int, error) {
	return endBySweep(ctx, tx, tenantID, now, claimEnd{to: StatusExpired, poolReason: "expired", action: "registration.expire",
		notice: i18n.Text{Zh: "您报备的客户「%s」保护期已到期, 客户已回到公海", En: "The protection of %s has ended; the customer is back in the public pool"}},
		`UPDATE registrations r SET status = $3, status_changed_at = $2
		WHERE r.tenant_id = $1 AND r.status = 'active' AND r.protected_until <= $2
		RETURNING r.id, r.customer_id, r.owner_id, r.details->>'name', 'active'`)
}

// expireOverdue expires active registrations whose next follow-up is
// overdue by more than follow_up_grace_days, when the tenant set it.
func expireOverdue(ctx context.Context, tx pgx.Tx, tenantID int64, pol Policy, now time.Time) (int, error) {
	if pol.FollowUpGraceDays == nil {
		return 0, nil
	}
	return endBySweep(ctx, tx, tenantID, now, claimEnd{to: StatusExpired, poolReason: "overdue", action: "registration.expire",
		notice: i18n.Text{
			Zh: fmt.Sprintf("您报备的客户「%%s」跟进逾期超过 %d 天, 报备已提前失效, 客户已回到公海", *pol.FollowUpGraceDays),
			En: fmt.Sprintf("Follow-up of %%s was overdue by more than %d days; the registration ended early and the customer is back in the public pool", *pol.FollowUpGraceDays)},
		extra: map[string]int{"follow_up_grace_days": *pol.FollowUpGraceDays}},
		`UPDATE registrations r SET status = $3, status_changed_at = $2
		WHERE r.tenant_id = $1 AND r.status = 'active' AND r.next_follow_up_due <= $4
		RETURNING r.id, r.customer_id, r.owner_id, r.details->>'name', 'active'`,
		pol.addDays("follow_up_grace_days", now, -*pol.FollowUpGraceDays))
}

// lapseUnvisited lapses claims still waiting for the customer's visit
// visit_window_days after they were filed.
func lapseUnvisited(ctx context.Context, tx pgx.Tx, tenantID int64, pol Policy, now time.Time) (int, error) {
	return endBySweep(ctx, tx, tenantID, now, claimEnd{to: StatusLapsed, poolReason: "lapsed", action: "registration.lapse",
		notice: i18n.Text{
			Zh: fmt.Sprintf("您报备的客户「%%s」未在 %d 天内到访, 报备已失效", pol.VisitWindowDays),
			En: fmt.Sprintf("%%s did not visit within %d days; the registration has lapsed", pol.VisitWindowDays)}},
		`UPDATE registrations r SET status = $3, status_changed_at = $2
		WHERE r.tenant_id = $1 AND r.status = 'pending_visit' AND r.registered_at <= $4
		RETURNING r.id, r.customer_id, r.owner_id, r.details->>'name', 'pending_visit'`,
		pol.addDays("visit_window_days", now, -pol.VisitWindowDays))
}

// noticeExpiry tells owners expiry_notice_days ahead that a protection is
// ending, once per protection period (a renewal earns a new notice).
func noticeExpiry(ctx context.Context, tx pgx.Tx, tenantID int64, pol Policy, now time.Time) (int, error) {
	if pol.ExpiryNoticeDays == 0 {
		return 0, nil
	}
	var n int
	err := tx.QueryRow(ctx, `
		WITH due AS (
			UPDATE registrations r SET expiry_notice_for = r.protected_until
			WHERE r.tenant_id = $1 AND r.status = 'active' AND r.protected_until > $2 AND r.protected_until <= $3
				AND r.expiry_notice_for IS DISTINCT FROM r.protected_until
			RETURNING r.id, r.owner_id, r.details->>'name' AS name, r.protected_until),
		audited AS (
			INSERT INTO audit_log (tenant_id, action, entity, entity_id, after, request_id)
			SELECT $1, 'registration.expiry_notice', 'registration', id, jsonb_build_object('protected_until', protected_until), $7
			FROM due),
		told AS (
			INSERT INTO notifications (tenant_id, user_id, kind, text_zh, text_en, link)
			SELECT $1, owner_id, 'expiry_notice', format($4, name, to_char(protected_until AT TIME ZONE $6, 'YYYY-MM-DD HH24:MI')),
				format($5, name, to_char(protected_until AT TIME ZONE $6, 'YYYY-MM-DD HH24:MI')), '/registrations/' || id
			FROM due)
		SELECT count(*) FROM due`,
		tenantID, now, pol.addDays("expiry_notice_days", now, pol.ExpiryNoticeDays),
		"您报备的客户「%s」保护期将于 %s 到期, 请及时跟进或续报",
		"The protection of %s ends on %s; follow up or renew in time",
		pol.Location().String(), sweepRequestID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("expiry notices: %w", err)
	}
	return n, nil
}
