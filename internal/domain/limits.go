package domain

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// Limits on registering (domain.md): the ownership cap (保有量,
// max_live_per_user) and cross-region registration (cross_region_approval).
// Neither refuses a registration: one that breaks a limit is filed and
// held — pending_review, holding its customer's keys so time-first still
// counts from the filing — with an approval of kind cap or cross_region
// for the managers of the owner's team. When every hold is approved the
// claim goes on as an approved review would (active, or waiting for the
// visit under require_visit); a rejected hold rejects it and frees the
// customer. A reviewer deciding the registration in the review queue
// decides its holds with it (settleHolds).

// hold is one limit a registration breaks.
type hold struct {
	kind string    // ApprovalCap or ApprovalCrossRegion
	why  i18n.Text // for the approvers and the owner
}

// holdKinds are the approval kinds that hold a registration.
var holdKinds = []string{ApprovalCap, ApprovalCrossRegion}

// holdLabels name the hold kinds.
var holdLabels = map[string]i18n.Text{
	ApprovalCap:         {Zh: "超出保有量", En: "Over the ownership cap"},
	ApprovalCrossRegion: {Zh: "跨区域报备", En: "Cross-region registration"},
}

// SameRegion reports whether a customer's region and a user's region
// match for cross_region_approval: equal when trimmed and compared without
// case. An unknown (empty) region matches any.
func SameRegion(customer, user string) bool {
	customer, user = strings.TrimSpace(customer), strings.TrimSpace(user)
	return customer == "" || user == "" || strings.EqualFold(customer, user)
}

// registrationHolds lists the limits a new registration by by of customer
// c breaks. Under a cap it locks the user's row, so that the user's own
// concurrent registrations are counted one after another.
func registrationHolds(ctx context.Context, tx pgx.Tx, by Actor, c Customer, pol Policy) ([]hold, error) {
	if pol.MaxLivePerUser == nil && !pol.CrossRegionApproval {
		return nil, nil
	}
	var region string
	if err := tx.QueryRow(ctx, `SELECT region FROM users WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE`,
		by.TenantID, by.UserID).Scan(&region); err != nil {
		return nil, fmt.Errorf("holds: %w", err)
	}
	var holds []hold
	if limit := pol.MaxLivePerUser; limit != nil {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM registrations WHERE tenant_id = $1 AND owner_id = $2 AND status IN `+liveStatuses,
			by.TenantID, by.UserID).Scan(&n); err != nil {
			return nil, fmt.Errorf("holds: count: %w", err)
		}
		if n >= *limit {
			holds = append(holds, hold{ApprovalCap, i18n.Text{
				Zh: fmt.Sprintf("保有量已达上限: 已有 %d 个有效报备 (上限 %d 个), 需经理批准", n, *limit),
				En: fmt.Sprintf("Ownership cap reached: %d live registrations (limit %d); a manager must approve", n, *limit)}})
		}
	}
	if pol.CrossRegionApproval && !SameRegion(c.Region, region) {
		holds = append(holds, hold{ApprovalCrossRegion, i18n.Text{
			Zh: fmt.Sprintf("跨区域报备: 客户区域「%s」与报备人区域「%s」不同, 需经理批准", c.Region, region),
			En: fmt.Sprintf("Cross-region: the customer's region %q is not the owner's region %q; a manager must approve", c.Region, region)}})
	}
	return holds, nil
}

// requestHolds files one approval per hold for registration id, filed by
// by, for the managers of by's team (admins when by has none).
func requestHolds(ctx context.Context, tx pgx.Tx, by Actor, id int64, customerName string, holds []hold, now time.Time) error {
	if len(holds) == 0 {
		return nil
	}
	owner, err := userName(ctx, tx, by.TenantID, by.UserID)
	if err != nil {
		return err
	}
	for _, h := range holds {
		_, _, err := requestApproval(ctx, tx, by, approvalRequest{
			Kind: h.kind, Entity: "registration", EntityID: id, ApproverRole: RoleManager, TeamID: by.TeamID,
			Summary: i18n.Text{
				Zh: fmt.Sprintf("%s 报备客户「%s」: %s", owner, customerName, h.why.Zh),
				En: fmt.Sprintf("%s registered %s: %s", owner, customerName, h.why.En)},
			Link: registrationLink(id),
		}, now)
		if err != nil {
			return err
		}
	}
	return nil
}

// RegistrationHolds lists the approvals a registration the actor may read
// waits for (renewal, cap, cross-region), oldest first.
func (s *Service) RegistrationHolds(ctx context.Context, by Actor, regID int64) ([]Approval, error) {
	var out []Approval
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		if _, err := getRegistration(ctx, tx, by, regID); err != nil {
			return err
		}
		var err error
		out, err = pendingApprovals(ctx, tx, by.TenantID, "registration", regID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("registration holds: %w", err)
	}
	return out, nil
}

// decideHold applies a manager's decision on a cap or cross-region hold.
// Approved, the registration goes on once no other hold waits; rejected,
// it is rejected with the reason, its customer freed and its other holds
// cancelled. The owner is told either way.
func decideHold(ctx context.Context, tx pgx.Tx, by Actor, a Approval, approve bool, reason string, now time.Time) error {
	r, err := lockRegistration(ctx, tx, by, a.EntityID)
	if err != nil {
		return err
	}
	if r.Status != StatusPendingReview {
		return InvalidMsg(i18n.Text{Zh: "该报备已不在等待批准状态", En: "The registration no longer waits for approval"})
	}
	if approve {
		var others int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM approvals WHERE tenant_id = $1 AND entity = 'registration' AND entity_id = $2
			AND kind = ANY($3) AND status = 'pending' AND id <> $4`, by.TenantID, r.ID, holdKinds, a.ID).Scan(&others); err != nil {
			return err
		}
		if others == 0 {
			if err := passHolds(ctx, tx, by, r.ID, now); err != nil {
				return err
			}
		}
	} else {
		label := holdLabels[a.Kind]
		if err := failReview(ctx, tx, by, r.ID, i18n.Text{
			Zh: "经理未批准 (" + label.Zh + "): " + reason, En: "Not approved by a manager (" + label.En + "): " + reason}, now); err != nil {
			return err
		}
		others := []string{}
		for _, k := range holdKinds {
			if k != a.Kind {
				others = append(others, k)
			}
		}
		if err := settleApprovals(ctx, tx, by, "registration", r.ID, others, ApprovalCancelled, "", now); err != nil {
			return err
		}
	}
	return notifyDecision(ctx, tx, by.TenantID, a, approve, reason)
}

// passHolds lets a registration whose holds are all approved go on as
// an approved review would, and audits an activation.
func passHolds(ctx context.Context, tx pgx.Tx, by Actor, id int64, now time.Time) error {
	pol, err := loadPolicy(ctx, tx, by.TenantID)
	if err != nil {
		return err
	}
	if err := passReview(ctx, tx, by, id, pol, now); err != nil || pol.RequireVisit {
		return err
	}
	return audit(ctx, tx, by, "registration.status", "registration", id,
		map[string]Status{"status": StatusPendingReview}, map[string]Status{"status": StatusActive})
}

// passReview moves a registration out of pending_review as approved: it
// waits for the visit under require_visit (holding no keys), else it
// becomes active. Shared by Review and the holds.
func passReview(ctx context.Context, tx pgx.Tx, by Actor, id int64, pol Policy, now time.Time) error {
	if pol.RequireVisit {
		if _, err := tx.Exec(ctx, `DELETE FROM live_keys WHERE tenant_id = $1 AND registration_id = $2`, by.TenantID, id); err != nil {
			return err
		}
		return setStatus(ctx, tx, by, id, StatusPendingVisit, now)
	}
	return activate(ctx, tx, by.TenantID, id, pol, now)
}

// failReview rejects a registration waiting in pending_review with a
// reason and frees its customer. Shared by Review and the holds.
func failReview(ctx context.Context, tx pgx.Tx, by Actor, id int64, reason i18n.Text, now time.Time) error {
	if _, err := tx.Exec(ctx, `DELETE FROM live_keys WHERE tenant_id = $1 AND registration_id = $2`, by.TenantID, id); err != nil {
		return err
	}
	return setDecision(ctx, tx, by, id, StatusRejected, "", reason, now)
}

// settleHolds decides the holds of registration id along with its review
// (review.go): approving or rejecting it in the review queue decides them
// too.
func settleHolds(ctx context.Context, tx pgx.Tx, by Actor, id int64, approve bool, reason string, now time.Time) error {
	status := ApprovalRejected
	if approve {
		status = ApprovalApproved
	}
	return settleApprovals(ctx, tx, by, "registration", id, holdKinds, status, reason, now)
}
