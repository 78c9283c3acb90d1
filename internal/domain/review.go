package domain

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// canReview reports whether by may approve or reject r under
// review_required: a manager of its team, a clerk or an admin — never its
// own owner.
func (by Actor) canReview(r Registration) bool {
	return by.UserID != r.OwnerID && (by.Is(RoleAdmin, RoleClerk) || (by.Is(RoleManager) && by.ManagesTeam(r.TeamID)))
}

// Review approves or rejects a registration waiting for review. Approval
// activates it (or, under require_visit, leaves it waiting for the visit);
// rejection needs a reason, frees the customer and tells the owner. It
// returns ErrNotFound for a registration the actor cannot read,
// ErrForbidden when they may read but not review it, and Invalid when it
// is not waiting for review.
func (s *Service) Review(ctx context.Context, by Actor, id int64, approve bool, reason string) (Registration, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 500 {
		return Registration{}, Invalid(map[string]i18n.Text{"reason": {Zh: "理由最多 500 字", En: "Reason is at most 500 characters"}})
	}
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		r, err := getRegistration(ctx, tx, by, id)
		if err != nil {
			return err
		}
		if !by.canReview(r) {
			return ErrForbidden
		}
		if r.Status != StatusPendingReview {
			return InvalidMsg(i18n.Text{Zh: "该报备不在待审核状态", En: "This registration is not waiting for review"})
		}
		if !approve && reason == "" {
			return Invalid(map[string]i18n.Text{"reason": {Zh: "驳回须填写理由", En: "Give a reason for rejecting"}})
		}
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		now := s.Now()
		text := i18n.Text{Zh: fmt.Sprintf("您对「%s」的报备已审核通过", r.Customer.Name), En: fmt.Sprintf("Your registration of %s was approved", r.Customer.Name)}
		if approve {
			err = passReview(ctx, tx, by, id, pol, now)
		} else {
			text = i18n.Text{Zh: fmt.Sprintf("您对「%s」的报备被驳回: %s", r.Customer.Name, reason), En: fmt.Sprintf("Your registration of %s was rejected: %s", r.Customer.Name, reason)}
			err = failReview(ctx, tx, by, id, i18n.Text{Zh: "审核驳回: " + reason, En: "Rejected in review: " + reason}, now)
		}
		if err != nil {
			return err
		}
		// A registration held by a limit (limits.go) is decided with it.
		if err := settleHolds(ctx, tx, by, id, approve, reason, now); err != nil {
			return err
		}
		if err := audit(ctx, tx, by, "registration.review", "registration", id, nil, map[string]any{"approve": approve, "reason": reason}); err != nil {
			return err
		}
		return notify(ctx, tx, by.TenantID, r.OwnerID, "review", text, registrationLink(id))
	})
	if err != nil {
		return Registration{}, fmt.Errorf("review: %w", err)
	}
	return s.Registration(ctx, by, id)
}
