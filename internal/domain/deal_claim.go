package domain

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// ClaimStatus is where a deal claim stands.
type ClaimStatus string

// The deal claim states.
const (
	ClaimPending  ClaimStatus = "pending"
	ClaimApproved ClaimStatus = "approved"
	ClaimRejected ClaimStatus = "rejected"
)

// DealClaim is a salesperson's claim, with evidence, on an unclaimed deal
// (domain.md, Deals and attribution, rule 2).
type DealClaim struct {
	ID            int64
	DealID        int64
	ClaimantID    int64
	ClaimantName  string
	TeamID        int64
	Evidence      string
	Status        ClaimStatus
	DecidedBy     int64
	DecidedByName string
	DecidedAt     *time.Time
	Reason        string
	CreatedAt     time.Time
	// Deal names the deal, for the approvers' queue.
	ContractNo   string
	CustomerName string
	Amount       float64
}

const claimColumns = `c.id, c.deal_id, c.claimant_id, cu.display_name, COALESCE(c.team_id, 0), c.evidence, c.status,
	COALESCE(c.decided_by, 0), COALESCE(du.display_name, ''), c.decided_at, c.reason, c.created_at,
	d.contract_no, d.customer->>'name', d.amount::float8`

const claimFrom = ` FROM deal_claims c
	JOIN deals d ON d.tenant_id = c.tenant_id AND d.id = c.deal_id
	JOIN users cu ON cu.tenant_id = c.tenant_id AND cu.id = c.claimant_id
	LEFT JOIN users du ON du.tenant_id = c.tenant_id AND du.id = c.decided_by `

func scanClaim(row pgx.Row) (DealClaim, error) {
	var c DealClaim
	err := row.Scan(&c.ID, &c.DealID, &c.ClaimantID, &c.ClaimantName, &c.TeamID, &c.Evidence, &c.Status,
		&c.DecidedBy, &c.DecidedByName, &c.DecidedAt, &c.Reason, &c.CreatedAt, &c.ContractNo, &c.CustomerName, &c.Amount)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

func collectClaims(rows pgx.Rows, err error) ([]DealClaim, error) {
	if err != nil {
		return nil, fmt.Errorf("deal claims: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DealClaim, error) { return scanClaim(r) })
}

// claimsOfDeal lists a deal's claims, oldest first: all of them for its
// readers and the claims' deciders, only their own for other salespeople.
func claimsOfDeal(ctx context.Context, tx pgx.Tx, by Actor, d Deal) ([]DealClaim, error) {
	all := d.Full || by.Is(RoleAdmin)
	return collectClaims(tx.Query(ctx, `SELECT `+claimColumns+claimFrom+`
		WHERE c.tenant_id = $1 AND c.deal_id = $2 AND ($3 OR c.claimant_id = $4 OR c.team_id = ANY($5))
		ORDER BY c.id`, by.TenantID, d.ID, all, by.UserID, managedTeams(by)))
}

// CanDecideClaim reports whether by approves or rejects claim c: a
// manager of the claimant's team, or an admin — never the claimant (as
// for every approval, approval.go).
func (by Actor) CanDecideClaim(c DealClaim) bool {
	return by.UserID != c.ClaimantID && (by.Is(RoleAdmin) || (by.Is(RoleManager) && by.ManagesTeam(c.TeamID)))
}

// maxEvidenceRunes bounds a claim's evidence and a decision's reason.
const maxEvidenceRunes = 2000

func checkLongText(field, s string, required bool) error {
	if required && s == "" {
		return Invalid(map[string]i18n.Text{field: msgRequired})
	}
	if m, bad := checkText(s, maxEvidenceRunes, true); bad {
		return Invalid(map[string]i18n.Text{field: m})
	}
	return nil
}

// ApprovalDealClaim is the approval kind of a deal claim: the managers of
// the claimant's team (admins when there is none) decide it.
const ApprovalDealClaim = "deal_claim"

// ClaimDeal files the actor's claim, with evidence, on an unclaimed deal
// before its claim deadline (api.md: POST /deals/{id}/claims). Sales,
// managers and admins may claim. It returns ErrNotFound for a deal the
// actor cannot see, and Invalid when the deal is not open for claims or
// the actor already has a pending claim on it. The claim waits in the
// approvals queue of the managers of the claimant's team (admins when it
// has none).
func (s *Service) ClaimDeal(ctx context.Context, by Actor, dealID int64, evidence string) (DealClaim, error) {
	if !by.Is(RoleSales, RoleManager, RoleAdmin) {
		return DealClaim{}, ErrForbidden
	}
	evidence = strings.TrimSpace(evidence)
	if err := checkLongText("evidence", evidence, true); err != nil {
		return DealClaim{}, err
	}
	now := s.Now().Truncate(time.Microsecond)
	var claimID int64
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		d, err := getDeal(ctx, tx, by, dealID, true)
		if err != nil {
			return err
		}
		if !d.ClaimOpen(now) {
			return InvalidMsg(i18n.Text{Zh: "该成交已有归属或已过认领期, 不能认领", En: "This deal is attributed or past its claim deadline; it cannot be claimed"})
		}
		err = tx.QueryRow(ctx, `INSERT INTO deal_claims (tenant_id, deal_id, claimant_id, team_id, evidence, status, created_at)
			VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id`,
			by.TenantID, dealID, by.UserID, nullID(by.TeamID), evidence, now).Scan(&claimID)
		if isUnique(err) {
			return InvalidMsg(i18n.Text{Zh: "您已认领过该成交, 请等待经理审批", En: "You have already claimed this deal; wait for a manager's decision"})
		}
		if err != nil {
			return fmt.Errorf("insert claim: %w", err)
		}
		if err := audit(ctx, tx, by, "deal_claim.create", "deal_claim", claimID, nil,
			map[string]any{"deal_id": dealID, "evidence": evidence}); err != nil {
			return err
		}
		_, _, err = requestApproval(ctx, tx, by, approvalRequest{Kind: ApprovalDealClaim, Entity: "deal_claim", EntityID: claimID,
			ApproverRole: RoleManager, TeamID: by.TeamID, Link: dealLink(dealID), Summary: i18n.Text{
				Zh: fmt.Sprintf("认领成交「%s」(合同 %s, %s 元)", d.Customer.Name, d.ContractNo, yuan(d.Amount)),
				En: fmt.Sprintf("Claim on the deal with %s (contract %s, ¥%s)", d.Customer.Name, d.ContractNo, yuan(d.Amount))},
			Detail: map[string]any{"deal_id": dealID, "evidence": evidence}}, now)
		return err
	})
	if err != nil {
		return DealClaim{}, fmt.Errorf("claim deal: %w", err)
	}
	return s.dealClaim(ctx, by, claimID)
}

// yuan formats an amount of money for a message.
func yuan(a float64) string { return strconv.FormatFloat(a, 'f', -1, 64) }

func (s *Service) dealClaim(ctx context.Context, by Actor, id int64) (DealClaim, error) {
	var c DealClaim
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var err error
		c, err = scanClaim(tx.QueryRow(ctx, `SELECT `+claimColumns+claimFrom+` WHERE c.tenant_id = $1 AND c.id = $2`, by.TenantID, id))
		return err
	})
	return c, err
}

// DecideDealClaim approves or rejects a pending deal claim. Approval
// credits the claimant (the signer, if someone else, gets assist credit)
// and rejects the deal's other pending claims; rejection needs a reason.
// Deciders are the managers of the claimant's team and admins (403 for
// other readers of the deal, 404 for anyone else); Invalid when the claim
// is no longer pending or the deal is no longer unclaimed.
func (s *Service) DecideDealClaim(ctx context.Context, by Actor, claimID int64, approve bool, reason string) (DealClaim, error) {
	reason = strings.TrimSpace(reason)
	if err := checkLongText("reason", reason, !approve); err != nil {
		return DealClaim{}, err
	}
	now := s.Now().Truncate(time.Microsecond)
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		c, err := scanClaim(tx.QueryRow(ctx, `SELECT `+claimColumns+claimFrom+` WHERE c.tenant_id = $1 AND c.id = $2 FOR UPDATE OF c, d`,
			by.TenantID, claimID))
		if err != nil {
			return err
		}
		if !by.CanDecideClaim(c) {
			if _, err := getDeal(ctx, tx, by, c.DealID, false); err != nil {
				return err
			}
			return ErrForbidden
		}
		if c.Status != ClaimPending {
			return InvalidMsg(i18n.Text{Zh: "该认领已处理", En: "This claim has been decided already"})
		}
		return decideClaimTx(ctx, tx, by, c, approve, reason, now)
	})
	if err != nil {
		return DealClaim{}, fmt.Errorf("decide deal claim: %w", err)
	}
	return s.dealClaim(ctx, by, claimID)
}

// decideDealClaimApproval is the deal-claim kind of approval (approval.go):
// deciding the approval decides the claim.
func decideDealClaimApproval(ctx context.Context, tx pgx.Tx, by Actor, a Approval, approve bool, reason string, now time.Time) error {
	c, err := scanClaim(tx.QueryRow(ctx, `SELECT `+claimColumns+claimFrom+` WHERE c.tenant_id = $1 AND c.id = $2 FOR UPDATE OF c, d`,
		by.TenantID, a.EntityID))
	if err != nil {
		return err
	}
	if c.Status != ClaimPending {
		return InvalidMsg(i18n.Text{Zh: "该认领已处理", En: "This claim has been decided already"})
	}
	return applyClaimDecision(ctx, tx, by, c, approve, reason, now)
}

// decideClaimTx decides a pending claim from the deal's page and settles
// its approval in the queue.
func decideClaimTx(ctx context.Context, tx pgx.Tx, by Actor, c DealClaim, approve bool, reason string, now time.Time) error {
	if err := applyClaimDecision(ctx, tx, by, c, approve, reason, now); err != nil {
		return err
	}
	status := ApprovalRejected
	if approve {
		status = ApprovalApproved
	}
	return settleApprovals(ctx, tx, by, "deal_claim", c.ID, []string{ApprovalDealClaim}, status, reason, now)
}

// applyClaimDecision approves or rejects pending claim c: approval credits
// the claimant and rejects the deal's other pending claims (cancelling
// their approvals).
func applyClaimDecision(ctx context.Context, tx pgx.Tx, by Actor, c DealClaim, approve bool, reason string, now time.Time) error {
	status := ClaimRejected
	if approve {
		status = ClaimApproved
	}
	if _, err := tx.Exec(ctx, `UPDATE deal_claims SET status = $3, decided_by = $4, decided_at = $5, reason = $6
		WHERE tenant_id = $1 AND id = $2`, by.TenantID, c.ID, status, by.UserID, now, reason); err != nil {
		return fmt.Errorf("decide claim: %w", err)
	}
	if err := audit(ctx, tx, by, "deal_claim.decide", "deal_claim", c.ID, map[string]any{"status": ClaimPending},
		map[string]any{"status": status, "reason": reason}); err != nil {
		return err
	}
	if !approve {
		return notify(ctx, tx, by.TenantID, c.ClaimantID, "deal_claim", i18n.Text{
			Zh: fmt.Sprintf("您对成交「%s」(合同 %s) 的认领被驳回: %s", c.CustomerName, c.ContractNo, reason),
			En: fmt.Sprintf("Your claim on the deal with %s (contract %s) was rejected: %s", c.CustomerName, c.ContractNo, reason)},
			dealLink(c.DealID))
	}
	var signer int64
	err := tx.QueryRow(ctx, `
		UPDATE deals SET status = 'attributed', rule = 'claim', owner_id = $3, team_id = $4, attributed_at = $5
		WHERE tenant_id = $1 AND id = $2 AND status = 'unclaimed' RETURNING signer_id`,
		by.TenantID, c.DealID, c.ClaimantID, nullID(c.TeamID), now).Scan(&signer)
	if errors.Is(err, pgx.ErrNoRows) {
		return InvalidMsg(i18n.Text{Zh: "该成交已有归属", En: "This deal is already attributed"})
	}
	if err != nil {
		return fmt.Errorf("attribute claimed deal: %w", err)
	}
	assists := assistsOf(c.ClaimantID, signer)
	if err := addAssists(ctx, tx, by.TenantID, c.DealID, assists); err != nil {
		return err
	}
	if err := audit(ctx, tx, by, "deal.attribute", "deal", c.DealID, map[string]any{"status": DealUnclaimed},
		map[string]any{"status": DealAttributed, "rule": RuleClaim, "owner_id": c.ClaimantID, "team_id": c.TeamID, "assist_ids": assists}); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `UPDATE deal_claims SET status = 'rejected', decided_by = $3, decided_at = $4, reason = $5
		WHERE tenant_id = $1 AND deal_id = $2 AND status = 'pending' RETURNING id, claimant_id`,
		by.TenantID, c.DealID, by.UserID, now, "另一认领已获批准 / Another claim was approved")
	if err != nil {
		return fmt.Errorf("reject other claims: %w", err)
	}
	var others [][2]int64
	var id, claimant int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &claimant}, func() error {
		others = append(others, [2]int64{id, claimant})
		return nil
	}); err != nil {
		return err
	}
	for _, o := range others {
		if err := audit(ctx, tx, by, "deal_claim.decide", "deal_claim", o[0], map[string]any{"status": ClaimPending},
			map[string]any{"status": ClaimRejected, "reason": "another claim was approved"}); err != nil {
			return err
		}
		if err := settleApprovals(ctx, tx, by, "deal_claim", o[0], []string{ApprovalDealClaim}, ApprovalCancelled,
			"another claim was approved", now); err != nil {
			return err
		}
		if err := notify(ctx, tx, by.TenantID, o[1], "deal_claim", i18n.Text{
			Zh: fmt.Sprintf("成交「%s」(合同 %s) 已批准给其他认领人", c.CustomerName, c.ContractNo),
			En: fmt.Sprintf("The deal with %s (contract %s) went to another claimant", c.CustomerName, c.ContractNo)},
			dealLink(c.DealID)); err != nil {
			return err
		}
	}
	return notifyCredit(ctx, tx, by.TenantID, c.DealID, c.ContractNo, c.CustomerName, c.ClaimantID, assists, by.UserID)
}

// DealOfClaim returns the deal a claim is on, when the actor may see that
// deal; ErrNotFound otherwise.
func (s *Service) DealOfClaim(ctx context.Context, by Actor, claimID int64) (int64, error) {
	var dealID int64
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT deal_id FROM deal_claims WHERE tenant_id = $1 AND id = $2`, by.TenantID, claimID).Scan(&dealID)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		_, err = getDeal(ctx, tx, by, dealID, false)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("deal of claim: %w", err)
	}
	return dealID, nil
}

// PendingDealClaims is the actor's queue of deal claims to decide, oldest
// first: an admin's all, a manager's those of the teams they manage.
func (s *Service) PendingDealClaims(ctx context.Context, by Actor) ([]DealClaim, error) {
	if !by.Is(RoleManager, RoleAdmin) {
		return nil, nil
	}
	var out []DealClaim
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var err error
		out, err = collectClaims(tx.Query(ctx, `SELECT `+claimColumns+claimFrom+`
			WHERE c.tenant_id = $1 AND c.status = 'pending' AND ($2 OR c.team_id = ANY($3))
			ORDER BY c.id`, by.TenantID, by.Is(RoleAdmin), managedTeams(by)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pending deal claims: %w", err)
	}
	return out, nil
}
