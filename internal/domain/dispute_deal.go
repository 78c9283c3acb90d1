package domain

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// RuleDispute is the attribution rule of a deal whose credit a dispute
// decided (domain.md: attribution disputes follow the dispute rules).
const RuleDispute AttributionRule = "dispute"

// openDealCase finds or opens the case about a deal's credit that the
// actor raises — its signer, a claimant, or a credited user; the party who
// raises it is the first party — and returns its id. The deal itself is
// never held up: recording and claiming go on as before.
func openDealCase(ctx context.Context, tx pgx.Tx, by Actor, in DisputeInput, now time.Time) (int64, error) {
	var (
		status DealStatus
		owner  int64
		party  bool
		voided bool
	)
	err := tx.QueryRow(ctx, `
		SELECT x.status, COALESCE(x.owner_id, 0),
			x.signer_id = $3 OR x.owner_id IS NOT DISTINCT FROM $3
			OR EXISTS (SELECT 1 FROM deal_assists a WHERE a.tenant_id = x.tenant_id AND a.deal_id = x.id AND a.user_id = $3)
			OR EXISTS (SELECT 1 FROM deal_claims c WHERE c.tenant_id = x.tenant_id AND c.deal_id = x.id AND c.claimant_id = $3),
			x.voided_at IS NOT NULL
		FROM deals x WHERE x.tenant_id = $1 AND x.id = $2 FOR UPDATE`, by.TenantID, in.DealID, by.UserID).Scan(&status, &owner, &party, &voided)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("deal: %w", err)
	}
	if !party {
		if _, err := getDeal(ctx, tx, by, in.DealID, false); err != nil {
			return 0, err
		}
		return 0, Forbidden(i18n.Text{Zh: "只有成交的签约人、认领人或业绩归属人可以申诉", En: "Only the signer, a claimant or a credited user of a deal may dispute it"})
	}
	var (
		id     int64
		cstate DisputeStatus
	)
	err = tx.QueryRow(ctx, `SELECT id, status FROM disputes WHERE tenant_id = $1 AND deal_id = $2 FOR UPDATE`,
		by.TenantID, in.DealID).Scan(&id, &cstate)
	switch {
	case err == nil && cstate == DisputeOpen:
		return id, nil
	case err == nil:
		return 0, InvalidMsg(i18n.Text{Zh: "该案件已裁决; 落败方可在期限内上诉一次", En: "This case is decided; the losing party may appeal once in time"})
	case !errors.Is(err, pgx.ErrNoRows):
		return 0, fmt.Errorf("case: %w", err)
	}
	switch {
	case voided:
		return 0, InvalidMsg(i18n.Text{Zh: "该成交已作废, 不计业绩, 无需申诉", En: "This deal is voided and credits nobody; there is nothing to dispute"})
	case status == DealUnclaimed:
		return 0, InvalidMsg(i18n.Text{Zh: "该成交尚在认领期, 请提交认领", En: "This deal is open for claims; claim it instead"})
	case owner == by.UserID:
		return 0, InvalidMsg(i18n.Text{Zh: "该成交的业绩已归属于您", En: "You are credited with this deal already"})
	}
	if err := tx.QueryRow(ctx, `
		INSERT INTO disputes (tenant_id, kind, deal_id, status, opened_by, respondent_id, created_at, updated_at)
		VALUES ($1, 'deal', $2, 'open', $3, $4, $5, $5) RETURNING id`,
		by.TenantID, in.DealID, by.UserID, nullID(owner), now).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert case: %w", err)
	}
	return id, audit(ctx, tx, by, "dispute.open", "dispute", id, nil, map[string]any{"deal_id": in.DealID, "respondent_id": owner})
}

// dealCaseClaims returns the two sides of a deal case: the user credited
// when it was opened and the party who raised it, each with their latest
// registration of the customer, if any.
func dealCaseClaims(ctx context.Context, tx pgx.Tx, by Actor, c caseRow, full bool) ([]DisputeClaim, error) {
	var out []DisputeClaim
	for _, side := range []struct {
		name string
		user int64
	}{{"credited", c.RespondentID}, {"claimant", c.OpenedBy}} {
		if side.user == 0 {
			continue
		}
		dc := DisputeClaim{Side: side.name, UserID: side.user}
		var regID int64
		err := tx.QueryRow(ctx, `SELECT u.display_name, COALESCE(t.name, ''),
				COALESCE((SELECT r.id FROM registrations r WHERE r.tenant_id = u.tenant_id AND r.customer_id = $3
					AND r.owner_id = u.id ORDER BY r.id DESC LIMIT 1), 0)
			FROM users u LEFT JOIN teams t ON t.tenant_id = u.tenant_id AND t.id = u.team_id
			WHERE u.tenant_id = $1 AND u.id = $2`, by.TenantID, side.user, c.CustomerID).Scan(&dc.UserName, &dc.TeamName, &regID)
		if err != nil {
			return nil, fmt.Errorf("deal side: %w", err)
		}
		if full && regID != 0 {
			r, err := scanRegistration(tx.QueryRow(ctx, `SELECT `+registrationColumns+registrationFrom+`
				WHERE r.tenant_id = $1 AND r.id = $2`, by.TenantID, regID))
			if err != nil {
				return nil, err
			}
			if err := logPhoneView(ctx, tx, by, r); err != nil {
				return nil, err
			}
			if !by.seesPhones(r) {
				r.Customer = r.Customer.masked()
			}
			dc.Registration = &r
		}
		out = append(out, dc)
	}
	return out, nil
}

// dealSuggestion is the attribution rules' verdict on a deal as it stands:
// the rule that credited it and whom.
func dealSuggestion(ctx context.Context, tx pgx.Tx, tenantID int64, c caseRow) (*Suggestion, error) {
	var (
		rule  AttributionRule
		s     Suggestion
		owner string
	)
	err := tx.QueryRow(ctx, `SELECT x.rule, COALESCE(x.owner_id, 0), COALESCE(x.registration_id, 0), COALESCE(u.display_name, '')
		FROM deals x LEFT JOIN users u ON u.tenant_id = x.tenant_id AND u.id = x.owner_id
		WHERE x.tenant_id = $1 AND x.id = $2`, tenantID, c.DealID).Scan(&rule, &s.WinnerUserID, &s.WinnerRegistrationID, &owner)
	if err != nil {
		return nil, fmt.Errorf("deal suggestion: %w", err)
	}
	label := rule.Label()
	if label.Zh == "" {
		label = i18n.Text{Zh: string(rule), En: string(rule)}
	}
	s.Reason = i18n.Text{Zh: fmt.Sprintf("当前归属: %s (%s)", owner, label.Zh), En: fmt.Sprintf("Credited now: %s (%s)", owner, label.En)}
	return &s, nil
}

// applyDealDecision credits the deal of case c to winner, one of its
// parties; the signer keeps assist credit when someone else wins.
func applyDealDecision(ctx context.Context, tx pgx.Tx, by Actor, c caseRow, winner int64, now time.Time) error {
	if winner == 0 || (winner != c.OpenedBy && winner != c.RespondentID && winner != c.SignerID) {
		return Invalid(map[string]i18n.Text{"winner_user_id": {Zh: "须为案件的一方", En: "Must be a party to the case"}})
	}
	var (
		oldStatus DealStatus
		oldRule   AttributionRule
		oldOwner  int64
		signer    int64
	)
	if err := tx.QueryRow(ctx, `SELECT status, rule, COALESCE(owner_id, 0), signer_id FROM deals
		WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, by.TenantID, c.DealID).Scan(&oldStatus, &oldRule, &oldOwner, &signer); err != nil {
		return fmt.Errorf("deal: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE deals SET status = 'attributed', rule = $3, owner_id = $4, attributed_at = $5,
			team_id = (SELECT team_id FROM users WHERE tenant_id = $1 AND id = $4)
		WHERE tenant_id = $1 AND id = $2`, by.TenantID, c.DealID, RuleDispute, winner, now); err != nil {
		return fmt.Errorf("credit deal: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM deal_assists WHERE tenant_id = $1 AND deal_id = $2`, by.TenantID, c.DealID); err != nil {
		return fmt.Errorf("deal assists: %w", err)
	}
	assists := assistsOf(winner, signer)
	if err := addAssists(ctx, tx, by.TenantID, c.DealID, assists); err != nil {
		return err
	}
	return audit(ctx, tx, by, "deal.attribute", "deal", c.DealID,
		map[string]any{"status": oldStatus, "rule": oldRule, "owner_id": oldOwner},
		map[string]any{"status": DealAttributed, "rule": RuleDispute, "owner_id": winner, "assist_ids": assists, "dispute_id": c.ID})
}
