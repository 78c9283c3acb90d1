package domain

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// DecideDispute decides an open case (first instance) or an appealed one
// (final) with a written reason (domain.md, Disputes and arbitration).
// For a conflict the winning claim becomes active, protected from now for
// protection_days, and takes the customer's live keys; the other claim is
// rejected with the reason. For a deal the winner is credited. Every party
// is told. Only the case's decider (see Dispute.DeciderRole) or an admin
// who is no party may decide: others who may read the case get
// ErrForbidden, whatever its state; anyone else ErrNotFound. It returns
// Invalid for a case not waiting for a decision, a missing reason or a
// winner who is not a party, and CodeConflict when a third claim holds the
// winner's customer meanwhile.
func (s *Service) DecideDispute(ctx context.Context, by Actor, id int64, in DisputeDecisionInput) (Dispute, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	now := s.Now().Truncate(time.Microsecond)
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		c, err := loadCase(ctx, tx, by, id, true)
		if err != nil {
			return err
		}
		role, deciders, err := caseDeciders(ctx, tx, by.TenantID, c)
		if err != nil {
			return err
		}
		if !c.mayDecide(by, deciders) {
			return Forbidden(i18n.Text{
				Zh: fmt.Sprintf("该案件应由%s裁决", roleLabel(role).Zh),
				En: fmt.Sprintf("This case is for %s to decide", roleLabel(role).En)})
		}
		instance := 1
		switch c.Status {
		case DisputeOpen:
		case DisputeAppealed:
			instance = 2
		default:
			return InvalidMsg(i18n.Text{Zh: "该案件不在待裁决状态", En: "This case is not waiting for a decision"})
		}
		f := map[string]i18n.Text{}
		checkReason(f, "reason", in.Reason)
		if in.WinnerRegistrationID == 0 && in.WinnerUserID == 0 {
			f["winner_registration_id"] = i18n.Text{Zh: "请选择胜出的一方", En: "Choose the winning side"}
		}
		if len(f) > 0 {
			return Invalid(f)
		}
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		label := i18n.Text{Zh: "申诉裁决", En: "Dispute decision"}
		if instance == 2 {
			label = i18n.Text{Zh: "终审裁决", En: "Final decision on appeal"}
		}
		text := i18n.Text{Zh: label.Zh + ": " + in.Reason, En: label.En + ": " + in.Reason}
		var winnerReg, winnerUser int64
		if c.Kind == DisputeDeal {
			winnerUser = in.WinnerUserID
			err = applyDealDecision(ctx, tx, by, c, winnerUser, now)
		} else {
			winnerReg, winnerUser, err = c.conflictWinner(in)
			if err == nil {
				err = applyConflictDecision(ctx, tx, by, c, winnerReg, text, pol, now)
			}
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO dispute_decisions (tenant_id, dispute_id, instance, decided_by, winner_registration_id, winner_user_id, reason, decided_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			by.TenantID, id, instance, by.UserID, nullID(winnerReg), winnerUser, in.Reason, now); err != nil {
			return fmt.Errorf("record decision: %w", err)
		}
		next := DisputeDecided
		if instance == 2 {
			next = DisputeFinal
		}
		if err := setCaseStatus(ctx, tx, by, c, next, now, map[string]any{"instance": instance,
			"winner_registration_id": winnerReg, "winner_user_id": winnerUser, "reason": in.Reason}); err != nil {
			return err
		}
		return notifyOutcome(ctx, tx, by, c, winnerUser, instance, in.Reason, pol.AppealDays)
	})
	if err != nil {
		return Dispute{}, fmt.Errorf("decide dispute: %w", err)
	}
	return s.Dispute(ctx, by, id)
}

// mayDecide reports whether by may decide case c: one of its deciders now
// or, as admins may always decide, an admin who is no party. Of a case
// that waits for no decision, it tells whether by is one who could decide
// such a case (an admin or a manager who reads it, no party), so that
// others are refused whatever the case's state.
func (c caseRow) mayDecide(by Actor, deciders []int64) bool {
	party := slices.Contains(c.Parties, by.UserID)
	switch c.Status {
	case DisputeOpen, DisputeAppealed:
		return slices.Contains(deciders, by.UserID) || (by.Is(RoleAdmin) && !party)
	}
	return !party && by.Is(RoleManager, RoleAdmin)
}

// roleLabel names the deciding role.
func roleLabel(r Role) i18n.Text {
	if r == RoleAdmin {
		return i18n.Text{Zh: "管理员", En: "an admin"}
	}
	return i18n.Text{Zh: "相关团队的经理", En: "the teams' manager"}
}

// conflictWinner resolves the decision's winner to one of the conflict's
// claims, by registration or by its owner.
func (c caseRow) conflictWinner(in DisputeDecisionInput) (reg, user int64, err error) {
	switch {
	case in.WinnerRegistrationID == c.HolderID || (in.WinnerRegistrationID == 0 && in.WinnerUserID == c.holderOwner):
		return c.HolderID, c.holderOwner, nil
	case in.WinnerRegistrationID == c.NewcomerID || (in.WinnerRegistrationID == 0 && in.WinnerUserID == c.newcomerOwner):
		return c.NewcomerID, c.newcomerOwner, nil
	}
	return 0, 0, Invalid(map[string]i18n.Text{"winner_registration_id": {Zh: "须为案件中的一项报备", En: "Must be one of the case's registrations"}})
}

// applyConflictDecision settles a conflict for the winning claim: its
// keys are moved in one statement pair (the live_keys primary key still
// guarantees one holder), it becomes active with protection from now and
// the customer takes its details; the other claim is rejected with text.
func applyConflictDecision(ctx context.Context, tx pgx.Tx, by Actor, c caseRow, winner int64, text i18n.Text, pol Policy, now time.Time) error {
	loser := c.HolderID
	if winner == c.HolderID {
		loser = c.NewcomerID
	}
	var (
		wStatus, lStatus Status
		cust             Customer
	)
	if err := tx.QueryRow(ctx, `SELECT status, details FROM registrations WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
		by.TenantID, winner).Scan(&wStatus, &cust); err != nil {
		return fmt.Errorf("winner: %w", err)
	}
	if err := tx.QueryRow(ctx, `SELECT status FROM registrations WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
		by.TenantID, loser).Scan(&lStatus); err != nil {
		return fmt.Errorf("loser: %w", err)
	}
	if err := releaseKeys(ctx, tx, by.TenantID, loser); err != nil {
		return err
	}
	if wStatus == StatusInDispute || wStatus == StatusRejected {
		if err := releaseKeys(ctx, tx, by.TenantID, winner); err != nil {
			return err
		}
		keys := cust.StrongKeys()
		strong, err := uncommonKeys(ctx, tx, by.TenantID, keys, pol.CommonKeyLimit)
		if err != nil {
			return err
		}
		if err := takeKeys(ctx, tx, by.TenantID, winner, strong); err != nil {
			if errors.Is(err, errRaced) {
				return &Error{Code: CodeConflict, Message: i18n.Text{
					Zh: "该客户已被另一项报备持有, 请先处理相关的其他案件", En: "Another claim holds this customer now; settle its case first"}}
			}
			return err
		}
		if err := updateCustomer(ctx, tx, by.TenantID, c.CustomerID, cust, keys, now); err != nil {
			return err
		}
		if err := activate(ctx, tx, by.TenantID, winner, pol, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE registrations SET decision_rule = '', decision_reason_zh = '', decision_reason_en = ''
			WHERE tenant_id = $1 AND id = $2`, by.TenantID, winner); err != nil {
			return fmt.Errorf("clear decision: %w", err)
		}
		if err := audit(ctx, tx, by, "registration.status", "registration", winner,
			map[string]Status{"status": wStatus}, map[string]any{"status": StatusActive, "dispute_id": c.ID}); err != nil {
			return err
		}
	}
	if lStatus.Live() {
		if err := setDecision(ctx, tx, by, loser, StatusRejected, "", text, now); err != nil {
			return err
		}
	}
	return setConflictStatus(ctx, tx, by, c.ConflictID, "decided", winner, text)
}

// releaseKeys frees the live keys a claim holds.
func releaseKeys(ctx context.Context, tx pgx.Tx, tenantID, id int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM live_keys WHERE tenant_id = $1 AND registration_id = $2`, tenantID, id); err != nil {
		return fmt.Errorf("release keys: %w", err)
	}
	return nil
}

// setCaseStatus moves a case to a new state and audits the move.
func setCaseStatus(ctx context.Context, tx pgx.Tx, by Actor, c caseRow, to DisputeStatus, now time.Time, detail map[string]any) error {
	if _, err := tx.Exec(ctx, `UPDATE disputes SET status = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`,
		by.TenantID, c.ID, to, now); err != nil {
		return fmt.Errorf("case status: %w", err)
	}
	after := map[string]any{"status": to}
	for k, v := range detail {
		after[k] = v
	}
	action := "dispute.decide"
	if to == DisputeAppealed {
		action = "dispute.appealed"
	}
	return audit(ctx, tx, by, action, "dispute", c.ID, map[string]any{"status": c.Status}, after)
}

// notifyOutcome tells every party of c how it was decided.
func notifyOutcome(ctx context.Context, tx pgx.Tx, by Actor, c caseRow, winner int64, instance int, reason string, appealDays int) error {
	for _, uid := range distinct(c.Parties) {
		var text i18n.Text
		switch {
		case uid == winner:
			text = i18n.Text{Zh: fmt.Sprintf("「%s」的申诉案件已裁决: 归您所有。理由: %s", c.CustomerName, reason),
				En: fmt.Sprintf("The case over %s was decided in your favour. Reason: %s", c.CustomerName, reason)}
		case instance == 1:
			text = i18n.Text{Zh: fmt.Sprintf("「%s」的申诉案件已裁决: 归对方所有。理由: %s。您可在 %d 天内上诉一次", c.CustomerName, reason, appealDays),
				En: fmt.Sprintf("The case over %s was decided against you. Reason: %s. You may appeal once within %d days", c.CustomerName, reason, appealDays)}
		default:
			text = i18n.Text{Zh: fmt.Sprintf("「%s」的申诉案件已终审裁决: 归对方所有。理由: %s", c.CustomerName, reason),
				En: fmt.Sprintf("The case over %s was finally decided against you. Reason: %s", c.CustomerName, reason)}
		}
		if err := notify(ctx, tx, by.TenantID, uid, "dispute_decision", text, disputeLink(c.ID)); err != nil {
			return err
		}
	}
	return nil
}

var errNotLoser = Forbidden(i18n.Text{Zh: "只有落败方可以上诉", En: "Only the losing party may appeal"})

// AppealDispute appeals a first decision, once, by the losing party within
// appeal_days of it (domain.md, Disputes and arbitration): both claims of
// a conflict wait in_dispute again, and an admin decides finally. It
// returns ErrNotFound for a case the actor cannot read, ErrForbidden for
// anyone but the losing party, Invalid for a missing reason, a case not
// decided at first instance (a final decision has no appeal) or a late
// appeal, and CodeDuplicate for a second appeal.
func (s *Service) AppealDispute(ctx context.Context, by Actor, id int64, reason string) (Dispute, error) {
	reason = strings.TrimSpace(reason)
	now := s.Now().Truncate(time.Microsecond)
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		c, err := loadCase(ctx, tx, by, id, true)
		if err != nil {
			return err
		}
		if !slices.Contains(c.Parties, by.UserID) {
			return errNotLoser
		}
		switch c.Status {
		case DisputeDecided:
		case DisputeAppealed:
			return &Error{Code: CodeDuplicate, ExistingID: id, Message: i18n.Text{Zh: "每个案件只能上诉一次", En: "A case may be appealed only once"}}
		case DisputeFinal:
			return InvalidMsg(i18n.Text{Zh: "终审裁决不可再上诉", En: "A final decision cannot be appealed"})
		default:
			return InvalidMsg(i18n.Text{Zh: "该案件尚未裁决", En: "This case is not decided yet"})
		}
		decisions, err := caseDecisions(ctx, tx, by.TenantID, id)
		if err != nil {
			return err
		}
		if len(decisions) != 1 {
			return fmt.Errorf("case %d: %d decisions at first instance", id, len(decisions))
		}
		first := decisions[0]
		if !slices.Contains(c.losers(first.WinnerUserID), by.UserID) {
			return errNotLoser
		}
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		if now.After(pol.addDays("appeal_days", first.DecidedAt, pol.AppealDays)) {
			return InvalidMsg(i18n.Text{
				Zh: fmt.Sprintf("已超过上诉期限 (裁决后 %d 天内)", pol.AppealDays),
				En: fmt.Sprintf("The appeal period (%d days after the decision) is over", pol.AppealDays)})
		}
		f := map[string]i18n.Text{}
		if checkReason(f, "reason", reason); len(f) > 0 {
			return Invalid(f)
		}
		if err := addStatement(ctx, tx, by, id, "appeal", reason, "", now); err != nil {
			return err
		}
		if c.Kind == DisputeConflict {
			if err := intoDispute(ctx, tx, by, c.ConflictID, []int64{c.HolderID, c.NewcomerID}, now); err != nil {
				return err
			}
		}
		if err := setCaseStatus(ctx, tx, by, c, DisputeAppealed, now, map[string]any{"reason": reason}); err != nil {
			return err
		}
		c.Status = DisputeAppealed
		return notifyCase(ctx, tx, by, c, "dispute_appeal", i18n.Text{
			Zh: fmt.Sprintf("「%s」的申诉案件已被上诉, 待管理员终审。理由: %s", c.CustomerName, reason),
			En: fmt.Sprintf("The case over %s was appealed and awaits an admin's final decision. Reason: %s", c.CustomerName, reason)}, true)
	})
	if err != nil {
		return Dispute{}, fmt.Errorf("appeal dispute: %w", err)
	}
	return s.Dispute(ctx, by, id)
}
