package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// Consent requests (征得原销售人员同意, domain.md): while a registration is
// maintained, another salesperson must ask its owner before contacting
// the customer. The owner accepts or declines; unanswered after
// consent_timeout_hours the request escalates to the owner's manager (an
// approval of kind consent); acceptance makes the requester an assistant
// on the registration (assist credit only).

// Consent request states.
const (
	ConsentPending   = "pending"
	ConsentEscalated = "escalated"
	ConsentAccepted  = "accepted"
	ConsentDeclined  = "declined"
	ConsentCancelled = "cancelled" // the claim ended before an answer
)

// UserRef names a user.
type UserRef struct {
	ID   int64  `json:"id,string"`
	Name string `json:"name"`
}

// ConsentRequest is a consent request as one side sees it. Incoming
// requests (to the owner, or their manager once escalated) show the
// requester and the registration; outgoing ones never show the owner.
type ConsentRequest struct {
	ID             int64      `json:"id,string"`
	Status         string     `json:"status"`
	Direction      string     `json:"direction"` // incoming or outgoing
	CustomerName   string     `json:"customer_name"`
	Reason         string     `json:"reason"`
	CreatedAt      time.Time  `json:"created_at"`
	EscalatedAt    *time.Time `json:"escalated_at,omitempty"`
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
	Requester      *UserRef   `json:"requester,omitempty"`
	RegistrationID int64      `json:"registration_id,string,omitempty"`
	// CanAnswer: the viewer may accept or decline it now.
	CanAnswer bool `json:"can_answer"`
}

// ConsentInput asks for consent to contact the customer of the claim
// claim_ref names (a 查重 match's handle).
type ConsentInput struct {
	ClaimRef string `json:"claim_ref"`
	Reason   string `json:"reason"`
}

// consentRow is a consent request with what deciding about it needs.
type consentRow struct {
	ID, RegistrationID, RequesterID, OwnerID, TeamID int64
	RequesterName, CustomerName, Reason, Status      string
	CreatedAt                                        time.Time
	EscalatedAt, AnsweredAt                          *time.Time
}

// view is the request as by sees it.
func (c consentRow) view(by Actor) ConsentRequest {
	v := ConsentRequest{ID: c.ID, Status: c.Status, Direction: "outgoing", CustomerName: c.CustomerName, Reason: c.Reason,
		CreatedAt: c.CreatedAt, EscalatedAt: c.EscalatedAt, AnsweredAt: c.AnsweredAt}
	if c.RequesterID != by.UserID {
		v.Direction = "incoming"
		v.Requester = &UserRef{ID: c.RequesterID, Name: c.RequesterName}
		v.RegistrationID = c.RegistrationID
	}
	v.CanAnswer = by.canAnswer(c)
	return v
}

// canAnswer reports whether by may answer c now: its owner while it is
// open, or once escalated a manager of the owner's team or an admin.
func (by Actor) canAnswer(c consentRow) bool {
	switch c.Status {
	case ConsentPending:
		return by.UserID == c.OwnerID
	case ConsentEscalated:
		return by.UserID == c.OwnerID || by.Is(RoleAdmin) || (by.Is(RoleManager) && by.ManagesTeam(c.TeamID))
	}
	return false
}

// canSee reports whether by may see c at all: its requester, the owner,
// the owner's managers and admins.
func (by Actor) canSee(c consentRow) bool {
	return by.UserID == c.RequesterID || by.UserID == c.OwnerID || by.Is(RoleAdmin) || (by.Is(RoleManager) && by.ManagesTeam(c.TeamID))
}

const consentColumns = `cr.id, cr.registration_id, cr.requester_id, r.owner_id, COALESCE(r.team_id, 0), ru.display_name,
	r.details->>'name', cr.reason, cr.status, cr.created_at, cr.escalated_at, cr.answered_at`

const consentFrom = ` FROM consent_requests cr
	JOIN registrations r ON r.tenant_id = cr.tenant_id AND r.id = cr.registration_id
	JOIN users ru ON ru.tenant_id = cr.tenant_id AND ru.id = cr.requester_id `

func scanConsent(row pgx.Row) (consentRow, error) {
	var c consentRow
	err := row.Scan(&c.ID, &c.RegistrationID, &c.RequesterID, &c.OwnerID, &c.TeamID, &c.RequesterName,
		&c.CustomerName, &c.Reason, &c.Status, &c.CreatedAt, &c.EscalatedAt, &c.AnsweredAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// RequestConsent asks the owner of a maintained claim for consent to
// contact its customer (api.md: POST /consent-requests). Sales, managers
// and admins may ask. It returns ErrNotFound for an unknown claim_ref,
// Invalid when consent is not needed or not possible (the actor's own
// claim, a claim not active, or not maintained: then the customer may be
// approached, or registered once it returns to the pool) or when the
// actor assists on it already, and CodeDuplicate while an earlier request
// of theirs is still open. The owner is told.
func (s *Service) RequestConsent(ctx context.Context, by Actor, in ConsentInput) (ConsentRequest, error) {
	if !by.Is(RoleSales, RoleManager, RoleAdmin) {
		return ConsentRequest{}, ErrForbidden
	}
	in.ClaimRef, in.Reason = strings.TrimSpace(in.ClaimRef), strings.TrimSpace(in.Reason)
	if in.ClaimRef == "" {
		return ConsentRequest{}, Invalid(map[string]i18n.Text{"claim_ref": msgRequired})
	}
	if err := checkLongText("reason", in.Reason, true); err != nil {
		return ConsentRequest{}, err
	}
	now := s.Now()
	var out ConsentRequest
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var (
			regID, ownerID int64
			status         Status
			lastFollowUp   *time.Time
			name           string
		)
		err := tx.QueryRow(ctx, `SELECT id, owner_id, status, last_follow_up_at, details->>'name' FROM registrations
			WHERE tenant_id = $1 AND claim_ref = $2 FOR SHARE`, by.TenantID, in.ClaimRef).
			Scan(&regID, &ownerID, &status, &lastFollowUp, &name)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		r := Registration{Status: status, LastFollowUpAt: lastFollowUp}
		switch {
		case ownerID == by.UserID:
			return InvalidMsg(i18n.Text{Zh: "这是您自己的报备, 无需征得同意", En: "This is your own registration; no consent is needed"})
		case status != StatusActive:
			return InvalidMsg(i18n.Text{Zh: "该报备目前不在保护中, 无需也无法征得同意", En: "This claim is not protected now; consent is neither needed nor possible"})
		case !r.Maintained(pol, now):
			return InvalidMsg(i18n.Text{
				Zh: fmt.Sprintf("原销售近 %d 天没有跟进 (未在维护中), 无需征得同意", pol.ActiveWindowDays),
				En: fmt.Sprintf("The owner has not followed up in %d days (not maintained); no consent is needed", pol.ActiveWindowDays)})
		}
		var assisting bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM registration_assistants WHERE tenant_id = $1 AND registration_id = $2 AND user_id = $3)`,
			by.TenantID, regID, by.UserID).Scan(&assisting); err != nil {
			return err
		}
		if assisting {
			return InvalidMsg(i18n.Text{Zh: "您已是该报备的协助人员", En: "You already assist on this registration"})
		}
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO consent_requests (tenant_id, registration_id, requester_id, owner_id, reason, status, created_at)
			VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id`, by.TenantID, regID, by.UserID, ownerID, in.Reason, now).Scan(&id)
		if isUnique(err) {
			return &Error{Code: CodeDuplicate, Message: i18n.Text{Zh: "您已提交过申请, 正在等待答复", En: "You have asked already; the answer is pending"}}
		}
		if err != nil {
			return fmt.Errorf("insert consent request: %w", err)
		}
		if err := audit(ctx, tx, by, "consent_request.create", "consent_request", id, nil,
			map[string]any{"registration_id": regID, "reason": in.Reason}); err != nil {
			return err
		}
		requester, err := userName(ctx, tx, by.TenantID, by.UserID)
		if err != nil {
			return err
		}
		out = ConsentRequest{ID: id, Status: ConsentPending, Direction: "outgoing", CustomerName: name, Reason: in.Reason, CreatedAt: now}
		return notify(ctx, tx, by.TenantID, ownerID, "consent", i18n.Text{
			Zh: fmt.Sprintf("%s 请求联系您的客户「%s」: %s", requester, name, in.Reason),
			En: fmt.Sprintf("%s asks to contact your customer %s: %s", requester, name, in.Reason)}, "/consents")
	})
	if err != nil {
		return ConsentRequest{}, fmt.Errorf("request consent: %w", err)
	}
	return out, nil
}

// ConsentRequests lists the actor's consent requests, newest first, at
// most limit (1–500, default 50): incoming ones (to the actor as owner,
// and for managers and admins the escalated ones they may answer) and
// outgoing ones (the actor's own).
func (s *Service) ConsentRequests(ctx context.Context, by Actor, limit int) ([]ConsentRequest, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var out []ConsentRequest
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+consentColumns+consentFrom+`
			WHERE cr.tenant_id = $1 AND (cr.requester_id = $2 OR r.owner_id = $2
				OR (cr.status = 'escalated' AND ($3 OR r.team_id = ANY($4))))
			ORDER BY cr.id DESC LIMIT $5`, by.TenantID, by.UserID, by.Is(RoleAdmin), managed(by), limit)
		if err != nil {
			return err
		}
		cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (consentRow, error) { return scanConsent(r) })
		for _, c := range cs {
			out = append(out, c.view(by))
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("consent requests: %w", err)
	}
	return out, nil
}

// managed is the teams by manages as a manager (none for other roles).
func managed(by Actor) []int64 {
	if !by.Is(RoleManager) {
		return []int64{}
	}
	return by.Manages
}

// AnswerConsent accepts or declines a consent request (api.md: POST
// /consent-requests/{id}/answer): its owner while it is open, or once
// escalated a manager of the owner's team or an admin. Acceptance makes
// the requester an assistant on the registration. It returns ErrNotFound
// for a request the actor may not see, ErrForbidden when they may see but
// not answer it, and Invalid when it is answered already.
func (s *Service) AnswerConsent(ctx context.Context, by Actor, id int64, accept bool) (ConsentRequest, error) {
	var out ConsentRequest
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		c, err := lockConsent(ctx, tx, by.TenantID, id)
		if err != nil {
			return err
		}
		switch {
		case !by.canSee(c):
			return ErrNotFound
		case c.Status != ConsentPending && c.Status != ConsentEscalated:
			return InvalidMsg(i18n.Text{Zh: "该申请已处理", En: "This request has been dealt with already"})
		case !by.canAnswer(c):
			return Forbidden(i18n.Text{Zh: "只有报备人 (超时后为其经理) 可以答复", En: "Only the owner (after the timeout, their manager) can answer"})
		}
		now := s.Now()
		if c, err = answerConsentTx(ctx, tx, by, c, accept, now); err != nil {
			return err
		}
		status := ApprovalRejected
		if accept {
			status = ApprovalApproved
		}
		if err := settleApprovals(ctx, tx, by, "consent_request", id, []string{ApprovalConsent}, status, "", now); err != nil {
			return err
		}
		out = c.view(by)
		return nil
	})
	if err != nil {
		return ConsentRequest{}, fmt.Errorf("answer consent: %w", err)
	}
	return out, nil
}

func lockConsent(ctx context.Context, tx pgx.Tx, tenantID, id int64) (consentRow, error) {
	return scanConsent(tx.QueryRow(ctx, `SELECT `+consentColumns+consentFrom+` WHERE cr.tenant_id = $1 AND cr.id = $2 FOR UPDATE OF cr`, tenantID, id))
}

// answerConsentTx records the answer to an open consent request, makes an
// accepted requester an assistant, and tells the requester (and the owner
// when someone else answered).
func answerConsentTx(ctx context.Context, tx pgx.Tx, by Actor, c consentRow, accept bool, now time.Time) (consentRow, error) {
	before := c.Status
	c.Status = ConsentDeclined
	if accept {
		c.Status = ConsentAccepted
	}
	c.AnsweredAt = &now
	if _, err := tx.Exec(ctx, `UPDATE consent_requests SET status = $3, answered_at = $4, answered_by = $5 WHERE tenant_id = $1 AND id = $2`,
		by.TenantID, c.ID, c.Status, now, by.UserID); err != nil {
		return c, fmt.Errorf("answer consent: %w", err)
	}
	if accept {
		if _, err := tx.Exec(ctx, `INSERT INTO registration_assistants (tenant_id, registration_id, user_id, consent_id, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, by.TenantID, c.RegistrationID, c.RequesterID, c.ID, now); err != nil {
			return c, fmt.Errorf("add assistant: %w", err)
		}
	}
	if err := audit(ctx, tx, by, "consent_request.answer", "consent_request", c.ID,
		map[string]string{"status": before}, map[string]any{"status": c.Status, "registration_id": c.RegistrationID}); err != nil {
		return c, err
	}
	text := i18n.Text{Zh: fmt.Sprintf("您联系客户「%s」的申请已获同意, 您已成为该报备的协助人员", c.CustomerName),
		En: fmt.Sprintf("Your request to contact %s was accepted; you now assist on the registration", c.CustomerName)}
	if !accept {
		text = i18n.Text{Zh: fmt.Sprintf("您联系客户「%s」的申请未获同意", c.CustomerName),
			En: fmt.Sprintf("Your request to contact %s was declined", c.CustomerName)}
	}
	if err := notify(ctx, tx, by.TenantID, c.RequesterID, "consent", text, "/consents"); err != nil {
		return c, err
	}
	if by.UserID != c.OwnerID {
		return c, notify(ctx, tx, by.TenantID, c.OwnerID, "consent", i18n.Text{
			Zh: fmt.Sprintf("经理已代您答复对客户「%s」的联系申请 (%s)", c.CustomerName, map[bool]string{true: "同意", false: "拒绝"}[accept]),
			En: fmt.Sprintf("A manager answered the request to contact %s for you (%s)", c.CustomerName, map[bool]string{true: "accepted", false: "declined"}[accept])},
			"/consents")
	}
	return c, nil
}

// decideConsentApproval answers an escalated consent request through the
// approvals queue.
func decideConsentApproval(ctx context.Context, tx pgx.Tx, by Actor, a Approval, approve bool, _ string, now time.Time) error {
	c, err := lockConsent(ctx, tx, by.TenantID, a.EntityID)
	if err != nil {
		return err
	}
	if c.Status != ConsentEscalated {
		return InvalidMsg(i18n.Text{Zh: "该申请已处理", En: "This request has been dealt with already"})
	}
	_, err = answerConsentTx(ctx, tx, by, c, approve, now)
	return err
}

// Assistants lists the assistants (协助人员) of a registration the actor
// may read; any other registration is ErrNotFound.
func (s *Service) Assistants(ctx context.Context, by Actor, regID int64) ([]UserRef, error) {
	var out []UserRef
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		if _, err := getRegistration(ctx, tx, by, regID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT u.id, u.display_name FROM registration_assistants a
			JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.user_id
			WHERE a.tenant_id = $1 AND a.registration_id = $2 ORDER BY a.created_at`, by.TenantID, regID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (UserRef, error) {
			var u UserRef
			err := r.Scan(&u.ID, &u.Name)
			return u, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("assistants: %w", err)
	}
	return out, nil
}

// escalateConsents escalates the consent requests left unanswered for
// consent_timeout_hours to the owner's manager: an approval of kind
// consent each (to the admins when the owner has no team), audited, with
// the owner and the approvers told.
func escalateConsents(ctx context.Context, tx pgx.Tx, tenantID int64, pol Policy, now time.Time) (int, error) {
	rows, err := tx.Query(ctx, `
		WITH esc AS (
			UPDATE consent_requests cr SET status = 'escalated', escalated_at = $2
			FROM registrations r, users ru, users ou
			WHERE cr.tenant_id = $1 AND cr.status = 'pending' AND cr.created_at <= $3
				AND r.tenant_id = $1 AND r.id = cr.registration_id
				AND ru.tenant_id = $1 AND ru.id = cr.requester_id AND ou.tenant_id = $1 AND ou.id = r.owner_id
			RETURNING cr.id, cr.requester_id, r.owner_id, r.team_id, r.details->>'name' AS name,
				ru.display_name AS requester, ou.display_name AS owner, cr.reason),
		appr AS (
			INSERT INTO approvals (tenant_id, kind, entity, entity_id, requested_by, approver_role, team_id, status,
				summary_zh, summary_en, link, created_at)
			SELECT $1, 'consent', 'consent_request', id, requester_id, 'manager', team_id, 'pending',
				format($4, requester, owner, name, reason), format($5, requester, owner, name, reason), '/consents', $2
			FROM esc ON CONFLICT DO NOTHING RETURNING id, entity_id),
		audited AS (
			INSERT INTO audit_log (tenant_id, action, entity, entity_id, before, after, request_id)
			SELECT $1, 'consent_request.escalate', 'consent_request', id, '{"status":"pending"}'::jsonb, '{"status":"escalated"}'::jsonb, $8 FROM esc
			UNION ALL
			SELECT $1, 'approval.create', 'approval', id, NULL, jsonb_build_object('kind', 'consent', 'entity', 'consent_request', 'entity_id', entity_id), $8
			FROM appr),
		told AS (
			INSERT INTO notifications (tenant_id, user_id, kind, text_zh, text_en, link)
			SELECT $1, owner_id, 'consent', format($6, requester, name), format($7, requester, name), '/consents' FROM esc)
		SELECT id FROM appr`,
		tenantID, now, now.Add(-time.Duration(pol.ConsentTimeoutHours)*time.Hour),
		"征得同意超时: %s 请求联系 %s 的客户「%s」: %s",
		"Consent timed out: %s asks to contact %s's customer %s: %s",
		"%s 联系客户「%s」的申请超时未答复, 已转交您的经理",
		"The request by %s to contact %s went unanswered and was passed to your manager",
		sweepRequestID)
	if err != nil {
		return 0, fmt.Errorf("escalate consents: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("escalate consents: %w", err)
	}
	return len(ids), notifyApprovers(ctx, tx, tenantID, ids)
}
