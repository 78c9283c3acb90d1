package domain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// Approval chains (审批链): a request goes through ordered steps, each
// taken by a role, which approves it (on to the next step; after the last
// the request is approved and its kind acts) or returns it to the
// submitter with a reason; resubmitting starts the chain again from its
// first step. Every submission, approval and return is kept
// (chain_actions).
//
// Each step waits in the approvals queue (approval.go) as an approval of
// kind ApprovalChainStep, so approvers find the steps where they find
// everything else, and the queue's rules apply: the step's role decides —
// for a manager step, the managers of the submitter's team (admins when
// the submitter has none) — admins may always decide, and nobody decides
// a step they requested. On top of that, one person approves at most one
// step of a round.
//
// To put a kind of request through a chain: add it to chainKinds (its
// default roles, its label, and what final approval does), and call
// startChain when the request is submitted or resubmitted.

// ApprovalChainStep is the approval kind of one step of an approval chain.
const ApprovalChainStep = "chain_step"

// The queue's kinds are declared in approval.go; chain steps join them here.
func init() {
	approvalKinds[ApprovalChainStep] = approvalKind{Label: i18n.Text{Zh: "审批流程", En: "Approval chain step"}, decide: decideChainStep}
}

// chainKind is one kind of request that goes through a chain.
type chainKind struct {
	Label i18n.Text
	Roles []Role // the default chain
	Link  func(subjectID int64) string
	// approved acts on the subject when the last step approves, in the
	// deciding transaction.
	approved func(ctx context.Context, tx pgx.Tx, by Actor, subjectID int64, now time.Time) error
}

// chainKinds are the kinds of request with an approval chain, by name.
var chainKinds = map[string]chainKind{
	ChainDealer: {Label: i18n.Text{Zh: "新经销商报备", En: "Dealer onboarding"},
		Roles: []Role{RoleClerk, RoleManager, RoleAdmin}, Link: dealerLink, approved: approveDealer},
}

// chainRoles are the roles a chain step may be given: those the approvals
// queue knows.
var chainRoles = []Role{RoleClerk, RoleManager, RoleAdmin}

// Chain request states.
const (
	ChainPending  = "pending"
	ChainReturned = "returned"
	ChainApproved = "approved"
)

// ChainRequest is a request going through its approval chain, with its
// history, oldest first.
type ChainRequest struct {
	ID            int64  `json:"id,string"`
	Kind          string `json:"kind"`
	SubjectID     int64  `json:"subject_id,string"`
	Roles         []Role `json:"roles"`
	Step          int    `json:"step"`   // index of the role whose turn it is
	Status        string `json:"status"` // pending | returned | approved
	SubmittedBy   int64  `json:"submitted_by,string"`
	SubmitterName string `json:"submitter_name"`
	// ApprovalID is the pending approval (approvals queue) of the current
	// step, 0 unless the request is pending.
	ApprovalID int64         `json:"approval_id,string,omitempty"`
	History    []ChainAction `json:"history"`
	CreatedAt  time.Time     `json:"created_at"`
	UpdatedAt  time.Time     `json:"updated_at"`
}

// Waiting returns the role whose turn it is, "" unless the request is
// pending.
func (c ChainRequest) Waiting() Role {
	if c.Status != ChainPending || c.Step >= len(c.Roles) {
		return ""
	}
	return c.Roles[c.Step]
}

// ChainAction is one entry of a request's history.
type ChainAction struct {
	Step      int       `json:"step"`
	Role      Role      `json:"role"`
	ActorID   int64     `json:"actor_id,string"`
	ActorName string    `json:"actor_name"`
	Action    string    `json:"action"` // submit | approve | return
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

// chainDetail is what a chain step's approval carries.
type chainDetail struct {
	RequestID int64 `json:"request_id"`
	Step      int   `json:"step"`
}

// ApprovalChain returns the roles of a kind's chain, in order: the
// company's own, or the default. Any role may read it.
func (s *Service) ApprovalChain(ctx context.Context, by Actor, kind string) ([]Role, error) {
	var roles []Role
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var err error
		roles, err = chainRolesOf(ctx, tx, by.TenantID, kind)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("approval chain: %w", err)
	}
	return roles, nil
}

func chainRolesOf(ctx context.Context, tx pgx.Tx, tenantID int64, kind string) ([]Role, error) {
	k, ok := chainKinds[kind]
	if !ok {
		return nil, ErrNotFound
	}
	var roles []Role
	err := tx.QueryRow(ctx, `SELECT roles FROM approval_chains WHERE tenant_id = $1 AND kind = $2`, tenantID, kind).Scan(&roles)
	if errors.Is(err, pgx.ErrNoRows) {
		return slices.Clone(k.Roles), nil
	}
	if err != nil {
		return nil, fmt.Errorf("chain roles: %w", err)
	}
	return roles, nil
}

// SetApprovalChain sets the roles of a kind's chain, in order (1 to 10
// steps of clerk, manager or admin); requests already submitted keep the
// chain they started with. Admins only (ErrForbidden otherwise); an
// unknown kind is ErrNotFound and bad roles Invalid.
func (s *Service) SetApprovalChain(ctx context.Context, by Actor, kind string, roles []Role) error {
	if !by.Is(RoleAdmin) {
		return ErrForbidden
	}
	if len(roles) == 0 || len(roles) > 10 || slices.ContainsFunc(roles, func(r Role) bool { return !slices.Contains(chainRoles, r) }) {
		return Invalid(map[string]i18n.Text{"roles": {
			Zh: "审批流程须为 1 – 10 步, 每步为内勤、销售经理或管理员",
			En: "A chain has 1 to 10 steps, each a clerk, a manager or an admin"}})
	}
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		before, err := chainRolesOf(ctx, tx, by.TenantID, kind)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO approval_chains (tenant_id, kind, roles, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id, kind) DO UPDATE SET roles = EXCLUDED.roles, updated_at = EXCLUDED.updated_at`,
			by.TenantID, kind, roles, s.Now()); err != nil {
			return err
		}
		return audit(ctx, tx, by, "chain.update", "approval_chain", 0, map[string]any{"kind": kind, "roles": before},
			map[string]any{"kind": kind, "roles": roles})
	})
	if err != nil {
		return fmt.Errorf("set approval chain: %w", err)
	}
	return nil
}

// startChain submits a request about subjectID to its kind's chain, or
// resubmits a returned one (only its submitter may), and puts its first
// step in the approvals queue. summary says what is asked.
func startChain(ctx context.Context, tx pgx.Tx, by Actor, kind string, subjectID int64, summary i18n.Text, now time.Time) error {
	roles, err := chainRolesOf(ctx, tx, by.TenantID, kind)
	if err != nil {
		return err
	}
	var (
		id        int64
		status    string
		submitter int64
	)
	err = tx.QueryRow(ctx, `SELECT id, status, submitted_by FROM chain_requests WHERE tenant_id = $1 AND kind = $2 AND subject_id = $3
		FOR UPDATE`, by.TenantID, kind, subjectID).Scan(&id, &status, &submitter)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		err = tx.QueryRow(ctx, `
			INSERT INTO chain_requests (tenant_id, kind, subject_id, roles, step, status, submitted_by, submitter_team_id,
				summary_zh, summary_en, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 0, 'pending', $5, $6, $7, $8, $9, $9) RETURNING id`,
			by.TenantID, kind, subjectID, roles, by.UserID, nullID(by.TeamID), summary.Zh, summary.En, now).Scan(&id)
	case err != nil:
	case submitter != by.UserID:
		return Forbidden(i18n.Text{Zh: "只有提交人可以重新提交", En: "Only the submitter may resubmit"})
	case status != ChainReturned:
		return InvalidMsg(i18n.Text{Zh: "该申请正在审批中或已通过, 不能重新提交", En: "This request is in approval or approved; it cannot be resubmitted"})
	default:
		_, err = tx.Exec(ctx, `UPDATE chain_requests SET roles = $3, step = 0, status = 'pending', submitter_team_id = $4,
			summary_zh = $5, summary_en = $6, updated_at = $7 WHERE tenant_id = $1 AND id = $2`,
			by.TenantID, id, roles, nullID(by.TeamID), summary.Zh, summary.En, now)
	}
	if err != nil {
		return fmt.Errorf("start chain: %w", err)
	}
	action, err := chainAction(ctx, tx, by, id, 0, by.Role, "submit", "", now)
	if err != nil {
		return err
	}
	if err := audit(ctx, tx, by, "chain.submit", "chain_request", id, nil, map[string]any{"kind": kind, "subject_id": subjectID, "roles": roles}); err != nil {
		return err
	}
	return openChainStep(ctx, tx, by, id, action, now)
}

// chainAction records one entry of a request's history and returns its id.
func chainAction(ctx context.Context, tx pgx.Tx, by Actor, requestID int64, step int, role Role, action, reason string, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO chain_actions (tenant_id, request_id, step, role, actor_id, action, reason, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, by.TenantID, requestID, step, role, by.UserID, action, reason, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("chain action: %w", err)
	}
	return id, nil
}

// openChainStep puts the current step of a pending request in the
// approvals queue, as an approval about the action that opened it (so each
// step is its own approval), requested by by.
func openChainStep(ctx context.Context, tx pgx.Tx, by Actor, requestID, openedBy int64, now time.Time) error {
	var (
		kind             string
		subject          int64
		roles            []Role
		step             int
		team             int64
		summaryZh, sumEn string
	)
	if err := tx.QueryRow(ctx, `SELECT kind, subject_id, roles, step, COALESCE(submitter_team_id, 0), summary_zh, summary_en
		FROM chain_requests WHERE tenant_id = $1 AND id = $2`, by.TenantID, requestID).
		Scan(&kind, &subject, &roles, &step, &team, &summaryZh, &sumEn); err != nil {
		return fmt.Errorf("chain step: %w", err)
	}
	role := roles[step]
	if role != RoleManager {
		team = 0
	}
	_, _, err := requestApproval(ctx, tx, by, approvalRequest{
		Kind: ApprovalChainStep, Entity: "chain_step", EntityID: openedBy, ApproverRole: role, TeamID: team,
		Summary: i18n.Text{
			Zh: fmt.Sprintf("%s (第 %d/%d 步)", summaryZh, step+1, len(roles)),
			En: fmt.Sprintf("%s (step %d of %d)", sumEn, step+1, len(roles))},
		Link: chainKinds[kind].Link(subject), Detail: chainDetail{RequestID: requestID, Step: step},
	}, now)
	return err
}

// decideChainStep is how the approvals queue decides a chain step: an
// approval moves the request on (the last one approves it and lets its
// kind act), a rejection returns it to the submitter with the reason.
func decideChainStep(ctx context.Context, tx pgx.Tx, by Actor, a Approval, approve bool, reason string, now time.Time) error {
	var d chainDetail
	if err := json.Unmarshal(a.Detail, &d); err != nil {
		return fmt.Errorf("chain step %d: %w", a.ID, err)
	}
	var (
		kind, status, summary string
		subject, submitter    int64
		roles                 []Role
		step                  int
	)
	if err := tx.QueryRow(ctx, `SELECT kind, subject_id, roles, step, status, submitted_by, summary_zh
		FROM chain_requests WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, by.TenantID, d.RequestID).
		Scan(&kind, &subject, &roles, &step, &status, &submitter, &summary); err != nil {
		return fmt.Errorf("chain request: %w", err)
	}
	if status != ChainPending || step != d.Step {
		return InvalidMsg(i18n.Text{Zh: "该审批步骤已处理", En: "This step has been dealt with already"})
	}
	role := roles[step]
	if approve {
		var twice bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM chain_actions WHERE tenant_id = $1 AND request_id = $2
			AND actor_id = $3 AND action = 'approve' AND id > (SELECT max(id) FROM chain_actions
				WHERE tenant_id = $1 AND request_id = $2 AND action = 'submit'))`, by.TenantID, d.RequestID, by.UserID).Scan(&twice); err != nil {
			return err
		}
		if twice {
			return Forbidden(i18n.Text{Zh: "同一人只能审批其中一步", En: "One person may approve only one step"})
		}
	}
	action := "return"
	if approve {
		action = "approve"
	}
	actionID, err := chainAction(ctx, tx, by, d.RequestID, step, role, action, reason, now)
	if err != nil {
		return err
	}
	next, nextStatus := step, ChainReturned
	if approve {
		next, nextStatus = step+1, ChainPending
		if next == len(roles) {
			nextStatus = ChainApproved
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE chain_requests SET step = $3, status = $4, updated_at = $5 WHERE tenant_id = $1 AND id = $2`,
		by.TenantID, d.RequestID, next, nextStatus, now); err != nil {
		return fmt.Errorf("chain request: %w", err)
	}
	if err := audit(ctx, tx, by, "chain."+action, "chain_request", d.RequestID,
		map[string]any{"step": step, "status": status}, map[string]any{"step": next, "status": nextStatus, "reason": reason}); err != nil {
		return err
	}
	k := chainKinds[kind]
	var text i18n.Text
	switch nextStatus {
	case ChainPending:
		return openChainStep(ctx, tx, by, d.RequestID, actionID, now)
	case ChainApproved:
		if err := k.approved(ctx, tx, by, subject, now); err != nil {
			return err
		}
		text = i18n.Text{Zh: fmt.Sprintf("您提交的「%s」已全部审批通过", summary), En: fmt.Sprintf("Your request (%s) was approved", summary)}
	default:
		text = i18n.Text{Zh: fmt.Sprintf("您提交的「%s」在第 %d 步被退回: %s", summary, step+1, reason),
			En: fmt.Sprintf("Your request (%s) was returned at step %d: %s", summary, step+1, reason)}
	}
	return notify(ctx, tx, by.TenantID, submitter, "chain", text, k.Link(subject))
}

// chainRequestOf reads the request about a subject with its history and
// the pending approval of its current step.
func chainRequestOf(ctx context.Context, tx pgx.Tx, tenantID int64, kind string, subjectID int64) (ChainRequest, error) {
	var c ChainRequest
	err := tx.QueryRow(ctx, `SELECT r.id, r.kind, r.subject_id, r.roles, r.step, r.status, r.submitted_by, u.display_name,
			r.created_at, r.updated_at,
			COALESCE((SELECT a.id FROM approvals a WHERE a.tenant_id = r.tenant_id AND a.kind = $4 AND a.status = 'pending'
				AND (a.detail->>'request_id')::bigint = r.id ORDER BY a.id DESC LIMIT 1), 0)
		FROM chain_requests r JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.submitted_by
		WHERE r.tenant_id = $1 AND r.kind = $2 AND r.subject_id = $3`, tenantID, kind, subjectID, ApprovalChainStep).
		Scan(&c.ID, &c.Kind, &c.SubjectID, &c.Roles, &c.Step, &c.Status, &c.SubmittedBy, &c.SubmitterName,
			&c.CreatedAt, &c.UpdatedAt, &c.ApprovalID)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("chain request: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT x.step, x.role, x.actor_id, u.display_name, x.action, x.reason, x.at
		FROM chain_actions x JOIN users u ON u.tenant_id = x.tenant_id AND u.id = x.actor_id
		WHERE x.tenant_id = $1 AND x.request_id = $2 ORDER BY x.id`, tenantID, c.ID)
	if err != nil {
		return c, fmt.Errorf("chain history: %w", err)
	}
	c.History, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ChainAction, error) {
		var a ChainAction
		err := r.Scan(&a.Step, &a.Role, &a.ActorID, &a.ActorName, &a.Action, &a.Reason, &a.At)
		return a, err
	})
	return c, err
}

// mayDecideChainStep reports whether by may decide the pending approval of
// a request's current step, by the approvals queue's rule.
func mayDecideChainStep(ctx context.Context, tx pgx.Tx, by Actor, approvalID int64) (bool, error) {
	if approvalID == 0 {
		return false, nil
	}
	var may bool
	err := tx.QueryRow(ctx, `SELECT `+mayDecideSQL+` FROM approvals a JOIN users u ON u.tenant_id = a.tenant_id AND u.id = $3
		WHERE a.tenant_id = $1 AND a.id = $2`, by.TenantID, approvalID, by.UserID).Scan(&may)
	if err != nil {
		return false, fmt.Errorf("may decide: %w", err)
	}
	return may, nil
}
