package domain

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// voidReason checks the reason a record is voided for: required, one
// long text.
func voidReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	return reason, checkLongText("reason", reason, true)
}

var errAlreadyVoided = InvalidMsg(i18n.Text{Zh: "该记录已作废", En: "This record is already voided"})

// VoidVisit voids a mistaken walk-in visit (作废) with a reason (issue 9,
// corrections); clerks and admins may. The visit stays on the sheet,
// marked voided, and stops counting: a registration it confirmed gets its
// visited_at recomputed from its remaining confirming visits, and a claim
// this very visit activated under require_visit goes back to waiting for a
// visit (pending_visit: protection cleared, keys freed; it lapses as usual
// if no visit follows). Claims the visit made lose — a conflict, or
// competitors rejected because this visit came first — stay as decided:
// their owners may dispute. It returns ErrForbidden for other roles,
// ErrNotFound for an unknown id and Invalid for a missing reason or a
// visit already voided. Audited with before → after; the owner is told.
func (s *Service) VoidVisit(ctx context.Context, by Actor, id int64, reason string) (Visit, error) {
	if !by.Is(RoleClerk, RoleAdmin) {
		return Visit{}, ErrForbidden
	}
	reason, err := voidReason(reason)
	if err != nil {
		return Visit{}, err
	}
	now := s.Now().Truncate(time.Microsecond)
	err = s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		v, err := scanVisit(tx.QueryRow(ctx, `SELECT `+visitColumns+visitFrom+` WHERE v.tenant_id = $1 AND v.id = $2 FOR UPDATE OF v`,
			by.TenantID, id))
		if err != nil {
			return err
		}
		if v.VoidedAt != nil {
			return errAlreadyVoided
		}
		if _, err := tx.Exec(ctx, `UPDATE visits SET voided_at = $3, voided_by = $4, void_reason = $5 WHERE tenant_id = $1 AND id = $2`,
			by.TenantID, id, now, by.UserID, reason); err != nil {
			return fmt.Errorf("void visit: %w", err)
		}
		if err := audit(ctx, tx, by, "visit.void", "visit", id, map[string]any{"voided": false, "effect": v.Effect},
			map[string]any{"voided": true, "reason": reason}); err != nil {
			return err
		}
		if v.RegistrationID == 0 || (v.Effect != VisitConfirmed && v.Effect != VisitRegistered) {
			return nil
		}
		return unconfirmVisit(ctx, tx, by, v, now)
	})
	if err != nil {
		return Visit{}, fmt.Errorf("void visit: %w", err)
	}
	return s.Visit(ctx, by, id)
}

// unconfirmVisit undoes what voided visit v did to the registration it
// confirmed.
func unconfirmVisit(ctx context.Context, tx pgx.Tx, by Actor, v Visit, now time.Time) error {
	var (
		before, after *time.Time
		status        Status
		activatedAt   *time.Time
		owner         int64
		name          string
	)
	err := tx.QueryRow(ctx, `
		UPDATE registrations r SET visited_at = (SELECT min(x.visited_at) FROM visits x
			WHERE x.tenant_id = r.tenant_id AND x.registration_id = r.id AND x.voided_at IS NULL AND x.effect IN ('confirmed', 'registered'))
		FROM (SELECT visited_at FROM registrations WHERE tenant_id = $1 AND id = $2 FOR UPDATE) old
		WHERE r.tenant_id = $1 AND r.id = $2
		RETURNING old.visited_at, r.visited_at, r.status, r.activated_at, r.owner_id, r.details->>'name'`, by.TenantID, v.RegistrationID).
		Scan(&before, &after, &status, &activatedAt, &owner, &name)
	if err != nil {
		return fmt.Errorf("recompute visited_at: %w", err)
	}
	if err := audit(ctx, tx, by, "registration.visit", "registration", v.RegistrationID,
		map[string]any{"visited_at": before}, map[string]any{"visited_at": after, "voided_visit_id": v.ID}); err != nil {
		return err
	}
	pol, err := loadPolicy(ctx, tx, by.TenantID)
	if err != nil {
		return err
	}
	// confirmVisit activates a waiting claim at the instant the visit is recorded.
	activatedByVisit := activatedAt != nil && activatedAt.Equal(v.CreatedAt)
	if pol.RequireVisit && after == nil && status == StatusActive && activatedByVisit {
		if err := releaseKeys(ctx, tx, by.TenantID, v.RegistrationID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE registrations SET activated_at = NULL, protected_until = NULL, next_follow_up_due = NULL
			WHERE tenant_id = $1 AND id = $2`, by.TenantID, v.RegistrationID); err != nil {
			return fmt.Errorf("unconfirm visit: %w", err)
		}
		if err := setStatus(ctx, tx, by, v.RegistrationID, StatusPendingVisit, now); err != nil {
			return err
		}
	}
	return notify(ctx, tx, by.TenantID, owner, "visit", i18n.Text{
		Zh: fmt.Sprintf("客户「%s」的一条到访登记已作废, 到访时间已据剩余到访记录重新计算", name),
		En: fmt.Sprintf("A visit of %s was voided; the visit time is recomputed from the remaining visits", name)},
		registrationLink(v.RegistrationID))
}

// VoidDeal voids a mistaken deal (作废) with a reason (issue 9,
// corrections); clerks and admins may. The deal stays on record, marked
// voided, and credits nobody: it drops out of performance, customer
// grades and the history rule, the duty sweep and claims skip it, its
// pending claims are rejected, and a registration it converted goes back
// to active when no other deal converted it (the sweeper expires it if its
// protection has passed). It returns ErrForbidden for other roles,
// ErrNotFound for an unknown id and Invalid for a missing reason or a
// deal already voided. Audited with before → after; the credited users
// are told.
func (s *Service) VoidDeal(ctx context.Context, by Actor, id int64, reason string) (Deal, error) {
	if !by.Is(RoleClerk, RoleAdmin) {
		return Deal{}, ErrForbidden
	}
	reason, err := voidReason(reason)
	if err != nil {
		return Deal{}, err
	}
	now := s.Now().Truncate(time.Microsecond)
	err = s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		d, err := getDeal(ctx, tx, by, id, true)
		if err != nil {
			return err
		}
		if d.VoidedAt != nil {
			return errAlreadyVoided
		}
		if _, err := tx.Exec(ctx, `UPDATE deals SET voided_at = $3, voided_by = $4, void_reason = $5 WHERE tenant_id = $1 AND id = $2`,
			by.TenantID, id, now, by.UserID, reason); err != nil {
			return fmt.Errorf("void deal: %w", err)
		}
		if err := audit(ctx, tx, by, "deal.void", "deal", id,
			map[string]any{"voided": false, "status": d.Status, "owner_id": d.OwnerID, "team_id": d.TeamID, "amount": d.Amount,
				"assist_ids": d.AssistIDs, "registration_id": d.RegistrationID},
			map[string]any{"voided": true, "reason": reason}); err != nil {
			return err
		}
		if err := rejectPendingClaims(ctx, tx, by, d, now); err != nil {
			return err
		}
		if err := unconvert(ctx, tx, by, d, now); err != nil {
			return err
		}
		text := i18n.Text{
			Zh: fmt.Sprintf("成交「%s」(合同 %s) 已作废, 不再计入业绩: %s", d.Customer.Name, d.ContractNo, reason),
			En: fmt.Sprintf("The deal with %s (contract %s) was voided and no longer counts: %s", d.Customer.Name, d.ContractNo, reason)}
		for _, u := range append([]int64{d.OwnerID}, d.AssistIDs...) {
			if u == 0 || u == by.UserID {
				continue
			}
			if err := notify(ctx, tx, by.TenantID, u, "deal_void", text, dealLink(id)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Deal{}, fmt.Errorf("void deal: %w", err)
	}
	return s.Deal(ctx, by, id)
}

// rejectPendingClaims rejects the pending claims on voided deal d.
func rejectPendingClaims(ctx context.Context, tx pgx.Tx, by Actor, d Deal, now time.Time) error {
	const reason = "成交已作废 / The deal was voided"
	rows, err := tx.Query(ctx, `UPDATE deal_claims SET status = 'rejected', decided_by = $3, decided_at = $4, reason = $5
		WHERE tenant_id = $1 AND deal_id = $2 AND status = 'pending' RETURNING id`, by.TenantID, d.ID, by.UserID, now, reason)
	if err != nil {
		return fmt.Errorf("reject claims: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("reject claims: %w", err)
	}
	for _, cid := range ids {
		if err := audit(ctx, tx, by, "deal_claim.decide", "deal_claim", cid, map[string]any{"status": ClaimPending},
			map[string]any{"status": ClaimRejected, "reason": reason}); err != nil {
			return err
		}
		if err := settleApprovals(ctx, tx, by, "deal_claim", cid, []string{ApprovalDealClaim}, ApprovalCancelled, reason, now); err != nil {
			return err
		}
	}
	return nil
}

// unconvert returns the registration voided deal d converted to active,
// unless another deal that is not voided converted it too.
func unconvert(ctx context.Context, tx pgx.Tx, by Actor, d Deal, now time.Time) error {
	if d.RegistrationID == 0 {
		return nil
	}
	var converted bool
	err := tx.QueryRow(ctx, `SELECT r.status = 'converted' AND NOT EXISTS (SELECT 1 FROM deals x
			WHERE x.tenant_id = r.tenant_id AND x.registration_id = r.id AND x.id <> $3 AND x.voided_at IS NULL)
		FROM registrations r WHERE r.tenant_id = $1 AND r.id = $2 FOR UPDATE`, by.TenantID, d.RegistrationID, d.ID).Scan(&converted)
	if err != nil {
		return fmt.Errorf("unconvert: %w", err)
	}
	if !converted {
		return nil
	}
	return setStatus(ctx, tx, by, d.RegistrationID, StatusActive, now)
}
