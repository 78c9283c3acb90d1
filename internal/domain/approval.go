package domain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// The approvals queue (审批, api.md: GET /api/v1/approvals, POST
// /api/v1/approvals/{id}) gathers requests that wait for an approver's
// decision. An approval names its kind (the rule that decides what
// approving means), the entity it is about and who may decide it.
//
// To add a kind (deal claims, dealer steps, …):
//  1. add an entry to approvalKinds below, whose decide applies the
//     decision to the entity inside the deciding transaction (and tells
//     whom it concerns; notifyDecision tells the requester);
//  2. call requestApproval in the transaction that needs the decision.
//
// DecideApproval then checks the decider, runs decide, records the outcome
// and audits it; Approvals lists the pending approvals an approver may
// decide.

// Approval kinds of the protection lifecycle.
const (
	ApprovalRenewal     = "renewal"      // a renewal that is not automatic (renewal.go)
	ApprovalCap         = "cap"          // a registration over max_live_per_user (limits.go)
	ApprovalCrossRegion = "cross_region" // a registration outside the owner's region (limits.go)
	ApprovalConsent     = "consent"      // a consent request the owner did not answer in time (consent.go)
)

// Approval states.
const (
	ApprovalPending   = "pending"
	ApprovalApproved  = "approved"
	ApprovalRejected  = "rejected"
	ApprovalCancelled = "cancelled" // its entity moved on (expired, released, answered elsewhere)
)

// approvalKind is what deciding an approval of one kind does.
type approvalKind struct {
	Label i18n.Text
	// decide applies the decision to the approval's entity, in the
	// deciding transaction, before the approval itself is marked decided.
	// A refusal (say, the entity is no longer waiting) is a domain error.
	decide func(ctx context.Context, tx pgx.Tx, by Actor, a Approval, approve bool, reason string, now time.Time) error
}

// approvalKinds are the kinds of approval, by name. Decide functions must
// not refer back to this map.
var approvalKinds = map[string]approvalKind{
	ApprovalRenewal:     {Label: i18n.Text{Zh: "续报", En: "Renewal"}, decide: decideRenewal},
	ApprovalCap:         {Label: holdLabels[ApprovalCap], decide: decideHold},
	ApprovalCrossRegion: {Label: holdLabels[ApprovalCrossRegion], decide: decideHold},
	ApprovalConsent:     {Label: i18n.Text{Zh: "征得同意 (超时升级)", En: "Consent (escalated)"}, decide: decideConsentApproval},
	ApprovalDealClaim:   {Label: i18n.Text{Zh: "成交认领", En: "Deal claim"}, decide: decideDealClaimApproval},
}

// ApprovalKindLabel names an approval kind in both languages; an unknown
// kind is named by itself.
func ApprovalKindLabel(kind string) i18n.Text {
	if k, ok := approvalKinds[kind]; ok {
		return k.Label
	}
	return i18n.Text{Zh: kind, En: kind}
}

// Approval is one request in the approvals queue.
type Approval struct {
	ID            int64      `json:"id,string"`
	Kind          string     `json:"kind"`
	Entity        string     `json:"entity"`
	EntityID      int64      `json:"entity_id,string"`
	Status        string     `json:"status"`
	Summary       i18n.Text  `json:"-"`
	Link          string     `json:"link"`
	RequestedBy   int64      `json:"requested_by,string"`
	RequesterName string     `json:"requester_name"`
	ApproverRole  Role       `json:"approver_role"`
	TeamID        int64      `json:"team_id,string,omitempty"`
	Reason        string     `json:"reason"`
	DecidedBy     int64      `json:"decided_by,string,omitempty"`
	DecidedAt     *time.Time `json:"decided_at"`
	CreatedAt     time.Time  `json:"created_at"`
	// Detail is the kind's own data, as requestApproval stored it.
	Detail json.RawMessage `json:"-"`
}

// approvalRequest is what requestApproval files.
type approvalRequest struct {
	Kind, Entity string
	EntityID     int64
	// ApproverRole decides: managers of TeamID (admins when it is 0),
	// any clerk, or admins; admins may always decide.
	ApproverRole Role
	TeamID       int64
	Summary      i18n.Text // what is asked, for the queue and the approvers' notification
	Link         string    // the page of the entity
	Detail       any       // kind-specific data, stored as JSON
}

// requestApproval files an approval request by by, audits it and tells
// the approvers. A pending request of the same kind for the same entity
// is not filed twice: its id is returned with created false.
func requestApproval(ctx context.Context, tx pgx.Tx, by Actor, req approvalRequest, now time.Time) (id int64, created bool, err error) {
	detail, err := json.Marshal(req.Detail)
	if err != nil {
		return 0, false, fmt.Errorf("request approval: %w", err)
	}
	if req.Detail == nil {
		detail = []byte("{}")
	}
	var team *int64
	if req.TeamID != 0 {
		team = &req.TeamID
	}
	err = tx.QueryRow(ctx, `
		INSERT INTO approvals (tenant_id, kind, entity, entity_id, requested_by, approver_role, team_id, status,
			summary_zh, summary_en, link, detail, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, $11, $12)
		ON CONFLICT DO NOTHING RETURNING id`,
		by.TenantID, req.Kind, req.Entity, req.EntityID, by.UserID, req.ApproverRole, team,
		req.Summary.Zh, req.Summary.En, req.Link, detail, now).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		err = tx.QueryRow(ctx, `SELECT id FROM approvals WHERE tenant_id = $1 AND kind = $2 AND entity = $3 AND entity_id = $4
			AND status = 'pending'`, by.TenantID, req.Kind, req.Entity, req.EntityID).Scan(&id)
		if err != nil {
			return 0, false, fmt.Errorf("request approval: existing: %w", err)
		}
		return id, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("request approval: %w", err)
	}
	if err := audit(ctx, tx, by, "approval.create", "approval", id, nil,
		map[string]any{"kind": req.Kind, "entity": req.Entity, "entity_id": req.EntityID, "summary": req.Summary.Zh}); err != nil {
		return 0, false, err
	}
	return id, true, notifyApprovers(ctx, tx, by.TenantID, []int64{id})
}

// mayDecideSQL is true when user u may decide approval a: not its
// requester, and an admin, a clerk for a clerk's approval, or a manager
// of its team for a manager's approval.
const mayDecideSQL = `(u.active AND u.id <> a.requested_by AND (u.role = 'admin'
	OR (a.approver_role = 'clerk' AND u.role = 'clerk')
	OR (a.approver_role = 'manager' AND u.role = 'manager' AND EXISTS (SELECT 1 FROM team_managers m
		WHERE m.tenant_id = a.tenant_id AND m.team_id = a.team_id AND m.user_id = u.id))))`

// notifyApprovers tells the approvers of the given approvals that they
// wait for them: those named by the approval, or the admins when nobody
// else may decide it.
func notifyApprovers(ctx context.Context, tx pgx.Tx, tenantID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `
		WITH cand AS (
			SELECT a.id AS aid, u.id AS uid, u.role, a.summary_zh, a.summary_en
			FROM approvals a JOIN users u ON u.tenant_id = a.tenant_id
			WHERE a.tenant_id = $1 AND a.id = ANY($2) AND `+mayDecideSQL+`
		)
		INSERT INTO notifications (tenant_id, user_id, kind, text_zh, text_en, link)
		SELECT $1, c.uid, 'approval', '待审批: ' || c.summary_zh, 'Awaiting approval: ' || c.summary_en, '/approvals'
		FROM cand c
		WHERE c.role <> 'admin' OR NOT EXISTS (SELECT 1 FROM cand o WHERE o.aid = c.aid AND o.role <> 'admin')`,
		tenantID, ids)
	if err != nil {
		return fmt.Errorf("notify approvers: %w", err)
	}
	return nil
}

// notifyDecision tells an approval's requester how it was decided.
func notifyDecision(ctx context.Context, tx pgx.Tx, tenantID int64, a Approval, approve bool, reason string) error {
	text := i18n.Text{Zh: "您的申请已获批准: " + a.Summary.Zh, En: "Your request was approved: " + a.Summary.En}
	if !approve {
		text = i18n.Text{Zh: "您的申请未获批准: " + a.Summary.Zh, En: "Your request was declined: " + a.Summary.En}
	}
	if reason != "" {
		text.Zh += " (理由: " + reason + ")"
		text.En += " (reason: " + reason + ")"
	}
	return notify(ctx, tx, tenantID, a.RequestedBy, "approval", text, a.Link)
}

// settleApprovals marks the pending approvals of the given kinds about an
// entity as status (decided by by, or by nobody when by.UserID is 0) and
// audits each: for when the entity was decided another way.
func settleApprovals(ctx context.Context, tx pgx.Tx, by Actor, entity string, entityID int64, kinds []string, status, reason string, now time.Time) error {
	var decider *int64
	if by.UserID != 0 {
		decider = &by.UserID
	}
	rows, err := tx.Query(ctx, `UPDATE approvals SET status = $5, reason = $6, decided_by = $7, decided_at = $8
		WHERE tenant_id = $1 AND entity = $2 AND entity_id = $3 AND kind = ANY($4) AND status = 'pending' RETURNING id`,
		by.TenantID, entity, entityID, kinds, status, reason, decider, now)
	if err != nil {
		return fmt.Errorf("settle approvals: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("settle approvals: %w", err)
	}
	for _, id := range ids {
		if err := audit(ctx, tx, by, "approval.decide", "approval", id,
			map[string]string{"status": ApprovalPending}, map[string]string{"status": status, "reason": reason}); err != nil {
			return err
		}
	}
	return nil
}

const approvalColumns = `a.id, a.kind, a.entity, a.entity_id, a.status, a.summary_zh, a.summary_en, a.link, a.requested_by,
	ru.display_name, a.approver_role, COALESCE(a.team_id, 0), a.reason, COALESCE(a.decided_by, 0), a.decided_at, a.created_at, a.detail`

const approvalFrom = ` FROM approvals a JOIN users ru ON ru.tenant_id = a.tenant_id AND ru.id = a.requested_by `

func scanApproval(row pgx.Row) (Approval, error) {
	var a Approval
	err := row.Scan(&a.ID, &a.Kind, &a.Entity, &a.EntityID, &a.Status, &a.Summary.Zh, &a.Summary.En, &a.Link, &a.RequestedBy,
		&a.RequesterName, &a.ApproverRole, &a.TeamID, &a.Reason, &a.DecidedBy, &a.DecidedAt, &a.CreatedAt, &a.Detail)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, ErrNotFound
	}
	return a, err
}

// Approvals lists the pending approvals the actor may decide, newest
// first, at most limit (1–500, default 50) with ids below cursor (0 for
// the first page). It returns the next cursor, 0 at the end. Roles that
// never approve (sales, front desk) get ErrForbidden.
func (s *Service) Approvals(ctx context.Context, by Actor, limit int, cursor int64) ([]Approval, int64, error) {
	if !by.Is(RoleManager, RoleClerk, RoleAdmin) {
		return nil, 0, ErrForbidden
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var out []Approval
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+approvalColumns+approvalFrom+`
			JOIN users u ON u.tenant_id = a.tenant_id AND u.id = $2
			WHERE a.tenant_id = $1 AND a.status = 'pending' AND ($3 = 0 OR a.id < $3) AND `+mayDecideSQL+`
			ORDER BY a.id DESC LIMIT $4`, by.TenantID, by.UserID, cursor, limit+1)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Approval, error) { return scanApproval(r) })
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("approvals: %w", err)
	}
	var next int64
	if len(out) > limit {
		out = out[:limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// pendingApprovals lists the pending approvals about one entity, oldest
// first, whoever may decide them: what a page about the entity shows.
func pendingApprovals(ctx context.Context, tx pgx.Tx, tenantID int64, entity string, entityID int64) ([]Approval, error) {
	rows, err := tx.Query(ctx, `SELECT `+approvalColumns+approvalFrom+`
		WHERE a.tenant_id = $1 AND a.entity = $2 AND a.entity_id = $3 AND a.status = 'pending' ORDER BY a.id`,
		tenantID, entity, entityID)
	if err != nil {
		return nil, fmt.Errorf("pending approvals: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Approval, error) { return scanApproval(r) })
}

// DecideApproval approves or rejects a pending approval (a rejection needs
// a reason) and applies the decision through its kind. It returns
// ErrNotFound for an approval the actor may neither decide nor requested,
// ErrForbidden for their own request, and Invalid when it was decided
// already or its entity no longer waits for it.
func (s *Service) DecideApproval(ctx context.Context, by Actor, id int64, approve bool, reason string) (Approval, error) {
	reason = strings.TrimSpace(reason)
	if err := checkLongText("reason", reason, !approve); err != nil {
		return Approval{}, err
	}
	var a Approval
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var may bool
		err := tx.QueryRow(ctx, `SELECT `+mayDecideSQL+` FROM approvals a JOIN users u ON u.tenant_id = a.tenant_id AND u.id = $3
			WHERE a.tenant_id = $1 AND a.id = $2 FOR UPDATE OF a`, by.TenantID, id, by.UserID).Scan(&may)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if a, err = scanApproval(tx.QueryRow(ctx, `SELECT `+approvalColumns+approvalFrom+` WHERE a.tenant_id = $1 AND a.id = $2`,
			by.TenantID, id)); err != nil {
			return err
		}
		switch {
		case !may && a.RequestedBy == by.UserID:
			return Forbidden(i18n.Text{Zh: "不能审批自己提交的申请", En: "You cannot decide your own request"})
		case !may:
			return ErrNotFound
		case a.Status != ApprovalPending:
			return InvalidMsg(i18n.Text{Zh: "该申请已处理", En: "This request has been dealt with already"})
		}
		kind, ok := approvalKinds[a.Kind]
		if !ok {
			return fmt.Errorf("approval %d: unknown kind %q", a.ID, a.Kind)
		}
		now := s.Now()
		if err := kind.decide(ctx, tx, by, a, approve, reason, now); err != nil {
			return err
		}
		a.Status = ApprovalRejected
		if approve {
			a.Status = ApprovalApproved
		}
		a.Reason, a.DecidedBy, a.DecidedAt = reason, by.UserID, &now
		if _, err := tx.Exec(ctx, `UPDATE approvals SET status = $3, reason = $4, decided_by = $5, decided_at = $6
			WHERE tenant_id = $1 AND id = $2`, by.TenantID, id, a.Status, reason, by.UserID, now); err != nil {
			return err
		}
		return audit(ctx, tx, by, "approval.decide", "approval", id,
			map[string]string{"status": ApprovalPending}, map[string]string{"status": a.Status, "reason": reason})
	})
	if err != nil {
		return Approval{}, fmt.Errorf("decide approval: %w", err)
	}
	return a, nil
}

// userName is a user's display name, "" when there is none.
func userName(ctx context.Context, tx pgx.Tx, tenantID, id int64) (string, error) {
	var name string
	err := tx.QueryRow(ctx, `SELECT display_name FROM users WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return name, err
}
