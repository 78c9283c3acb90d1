package domain

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// DisputeKind says what a case is about.
type DisputeKind string

// The two kinds of case (domain.md, Disputes and arbitration).
const (
	DisputeConflict DisputeKind = "conflict" // two claims on one customer
	DisputeDeal     DisputeKind = "deal"     // who gets credit for a deal
)

// DisputeStatus is where a case stands.
type DisputeStatus string

// The case states: open → decided → (appealed → final); a decision on
// appeal is final, and a decided case whose appeal period passed stays
// decided.
const (
	DisputeOpen     DisputeStatus = "open"
	DisputeDecided  DisputeStatus = "decided"
	DisputeAppealed DisputeStatus = "appealed"
	DisputeFinal    DisputeStatus = "final"
)

// DisputeStatuses lists the case states, in the order filters show them.
var DisputeStatuses = []DisputeStatus{DisputeOpen, DisputeAppealed, DisputeDecided, DisputeFinal}

// Dispute is a case (申诉) as its parties and deciders see it (api.md,
// GET /api/v1/disputes/{id}). Lists fill in the headline fields, Claims
// and CanDecide only.
type Dispute struct {
	ID           int64         `json:"id,string"`
	Kind         DisputeKind   `json:"kind"`
	Status       DisputeStatus `json:"status"`
	ConflictID   int64         `json:"conflict_id,string,omitempty"`
	DealID       int64         `json:"deal_id,string,omitempty"`
	CustomerName string        `json:"customer_name"`
	MatchedOn    []string      `json:"matched_on,omitempty"`
	// OpenedBy is the party who opened the case; 0 when the rule engine
	// sent the conflict to arbitration and no party has spoken yet.
	OpenedBy  int64     `json:"opened_by,string,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Claims are the two sides, side by side: for a conflict the holder
	// (the earlier claim) first, for a deal the credited user first.
	Claims     []DisputeClaim     `json:"claims"`
	Suggestion *Suggestion        `json:"suggestion,omitempty"`
	Statements []DisputeStatement `json:"statements"`
	Decisions  []DisputeDecision  `json:"decisions"`
	Files      []File             `json:"files"`
	Timeline   []CaseEvent        `json:"timeline"`
	// DeciderRole is who decides now (manager or admin) and DeciderNames
	// who they are; empty when nothing is to be decided.
	DeciderRole  Role     `json:"decider_role,omitempty"`
	DeciderNames []string `json:"decider_names,omitempty"`
	// AppealDeadline is the end of the appeal period of a first decision.
	AppealDeadline *time.Time `json:"appeal_deadline,omitempty"`
	// What the reader may do now.
	CanDecide    bool `json:"can_decide"`
	CanAppeal    bool `json:"can_appeal"`
	CanStatement bool `json:"can_statement"`
}

// DisputeClaim is one side of a case.
type DisputeClaim struct {
	// Side is holder or newcomer (a conflict), credited or claimant (a deal).
	Side     string `json:"side"`
	UserID   int64  `json:"user_id,string"`
	UserName string `json:"user_name"`
	TeamName string `json:"team_name,omitempty"`
	// Registration is the side's claim on the customer, phones masked
	// unless the reader may see them; nil for a deal side without one.
	Registration *Registration `json:"registration,omitempty"`
	// HistoryDeal: a signed deal with this customer by the same owner or
	// team is in the system.
	HistoryDeal bool `json:"history_deal"`
}

// Suggestion is what the tenant's rules say about a conflict, for the
// decider: the rule that decides and the winning claim (0 when the rules
// cannot decide), with its reason.
type Suggestion struct {
	Rule                 Rule      `json:"rule"`
	WinnerRegistrationID int64     `json:"winner_registration_id,string,omitempty"`
	WinnerUserID         int64     `json:"winner_user_id,string,omitempty"`
	Reason               i18n.Text `json:"-"`
	// WithoutEvidence is what the rules say when claimed history that the
	// system cannot verify is set aside; nil when no history is claimed.
	WithoutEvidence *Suggestion `json:"without_evidence,omitempty"`
}

// DisputeStatement is what a party said: the opening of a case or an appeal.
type DisputeStatement struct {
	Kind       string    `json:"kind"` // open | appeal
	AuthorID   int64     `json:"author_id,string"`
	AuthorName string    `json:"author_name"`
	Reason     string    `json:"reason"`
	Evidence   string    `json:"evidence"`
	CreatedAt  time.Time `json:"created_at"`
}

// DisputeDecision is one instance's decision: 1 by the deciding manager
// (or an admin), 2 on appeal by an admin, final.
type DisputeDecision struct {
	Instance             int       `json:"instance"`
	DecidedBy            int64     `json:"decided_by,string"`
	DeciderName          string    `json:"decider_name"`
	WinnerRegistrationID int64     `json:"winner_registration_id,string,omitempty"`
	WinnerUserID         int64     `json:"winner_user_id,string"`
	WinnerName           string    `json:"winner_name"`
	Reason               string    `json:"reason"`
	DecidedAt            time.Time `json:"decided_at"`
}

// CaseEvent is one dated entry of a case's merged timeline: registrations
// and their changes, visits, follow-ups, consents, deals and the case's own
// steps. Kind is the audit action ("registration.create", …) or the kind of
// record ("visit", "deal", …).
type CaseEvent struct {
	At             time.Time `json:"at"`
	Kind           string    `json:"kind"`
	ActorName      string    `json:"actor_name,omitempty"`
	RegistrationID int64     `json:"registration_id,string,omitempty"`
	From           string    `json:"from,omitempty"` // a status change: the state left
	To             string    `json:"to,omitempty"`   // and entered
	Note           string    `json:"note,omitempty"`
}

// DisputeInput opens a case: a party's own registration in a conflict, or
// a deal; the reason, evidence text, staged files (FileIDs, see UploadFile)
// and files sent with the form (Uploads).
type DisputeInput struct {
	RegistrationID int64
	DealID         int64
	Reason         string
	Evidence       string
	FileIDs        []int64
	Uploads        []Upload
}

// DisputeDecisionInput decides a case: the winning registration (a
// conflict) or user (either kind), and the written reason.
type DisputeDecisionInput struct {
	WinnerRegistrationID int64
	WinnerUserID         int64
	Reason               string
}

// Text limits of a case.
const (
	maxDisputeReason   = 1000
	maxDisputeEvidence = 5000
	maxDisputeFiles    = 10
)

// validate checks a case's opening.
func (in DisputeInput) validate() map[string]i18n.Text {
	f := map[string]i18n.Text{}
	if (in.RegistrationID > 0) == (in.DealID > 0) {
		f["registration_id"] = i18n.Text{Zh: "须指定一项报备或一笔成交", En: "Name one registration or one deal"}
	}
	checkReason(f, "reason", in.Reason)
	if m, bad := checkText(in.Evidence, maxDisputeEvidence, true); bad {
		f["evidence"] = m
	}
	if len(in.FileIDs)+len(in.Uploads) > maxDisputeFiles {
		f["files"] = i18n.Text{Zh: fmt.Sprintf("最多附 %d 个文件", maxDisputeFiles), En: fmt.Sprintf("At most %d files", maxDisputeFiles)}
	}
	return f
}

// checkReason requires a written reason of at most maxDisputeReason runes.
func checkReason(f map[string]i18n.Text, key, reason string) {
	if strings.TrimSpace(reason) == "" {
		f[key] = i18n.Text{Zh: "请写明理由", En: "Give a reason"}
	} else if m, bad := checkText(reason, maxDisputeReason, true); bad {
		f[key] = m
	}
}

// caseRow is a case as stored, with the people it concerns.
type caseRow struct {
	ID                         int64
	Kind                       DisputeKind
	Status                     DisputeStatus
	ConflictID, DealID         int64
	OpenedBy, RespondentID     int64
	CreatedAt, UpdatedAt       time.Time
	HolderID, NewcomerID       int64 // a conflict's registrations
	MatchedOn                  []string
	SignerID, CreditedID       int64 // a deal's signer and credited user
	CustomerID                 int64
	CustomerName               string
	Parties                    []int64 // users
	Teams                      []int64 // their teams (a conflict: the claims' teams)
	holderOwner, newcomerOwner int64   // a conflict's claim owners
}

// caseSelect reads cases with their parties and teams; $1 is the tenant.
const caseSelect = `
	SELECT d.id, d.kind, d.status, COALESCE(d.conflict_id, 0) AS conflict_id, COALESCE(d.deal_id, 0) AS deal_id,
		COALESCE(d.opened_by, 0) AS opened_by, COALESCE(d.respondent_id, 0) AS respondent_id, d.created_at, d.updated_at,
		COALESCE(c.holder_id, 0) AS holder_id, COALESCE(c.registration_id, 0) AS newcomer_id, COALESCE(c.matched_on, '{}') AS matched_on,
		COALESCE(x.signer_id, 0) AS signer_id, COALESCE(x.owner_id, 0) AS credited_id, cu.id AS customer_id, cu.name AS customer_name,
		CASE WHEN d.kind = 'conflict' THEN ARRAY[h.owner_id, n.owner_id]
			ELSE array_remove(ARRAY[d.opened_by, d.respondent_id, x.signer_id, x.owner_id], NULL) END AS parties,
		CASE WHEN d.kind = 'conflict' THEN array_remove(ARRAY[h.team_id, n.team_id], NULL)
			ELSE ARRAY(SELECT DISTINCT pu.team_id FROM users pu WHERE pu.tenant_id = d.tenant_id
				AND pu.id IN (d.opened_by, d.respondent_id, x.signer_id, x.owner_id) AND pu.team_id IS NOT NULL) END AS teams,
		COALESCE(h.owner_id, 0) AS holder_owner, COALESCE(n.owner_id, 0) AS newcomer_owner
	FROM disputes d
	LEFT JOIN conflicts c ON c.tenant_id = d.tenant_id AND c.id = d.conflict_id
	LEFT JOIN registrations h ON h.tenant_id = c.tenant_id AND h.id = c.holder_id
	LEFT JOIN registrations n ON n.tenant_id = c.tenant_id AND n.id = c.registration_id
	LEFT JOIN deals x ON x.tenant_id = d.tenant_id AND x.id = d.deal_id
	JOIN customers cu ON cu.tenant_id = d.tenant_id AND cu.id = COALESCE(h.customer_id, x.customer_id)
	WHERE d.tenant_id = $1`

func scanCase(row pgx.Row) (caseRow, error) {
	var c caseRow
	err := row.Scan(&c.ID, &c.Kind, &c.Status, &c.ConflictID, &c.DealID, &c.OpenedBy, &c.RespondentID, &c.CreatedAt, &c.UpdatedAt,
		&c.HolderID, &c.NewcomerID, &c.MatchedOn, &c.SignerID, &c.CreditedID, &c.CustomerID, &c.CustomerName,
		&c.Parties, &c.Teams, &c.holderOwner, &c.newcomerOwner)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// caseVisible is the SQL condition (on caseSelect's columns, as q) that
// the actor ($2 admin, $3 user, $4 managed teams) may read a case.
const caseVisible = `($2::bool OR $3::bigint = ANY(q.parties) OR q.teams && $4::bigint[])`

// readsCase reports whether by may read case c: a party, a manager of a
// party's team (the first-instance deciders are among them) or an admin.
func (by Actor) readsCase(c caseRow) bool {
	if by.Is(RoleAdmin) || slices.Contains(c.Parties, by.UserID) {
		return true
	}
	if by.Is(RoleManager) {
		for _, t := range c.Teams {
			if by.ManagesTeam(t) {
				return true
			}
		}
	}
	return false
}

// loadCase reads a case the actor may read (any other is ErrNotFound),
// locking it for a change when lock is set.
func loadCase(ctx context.Context, tx pgx.Tx, by Actor, id int64, lock bool) (caseRow, error) {
	sql := caseSelect + ` AND d.id = $2`
	if lock {
		sql += ` FOR UPDATE OF d`
	}
	c, err := scanCase(tx.QueryRow(ctx, sql, by.TenantID, id))
	if err != nil {
		return c, err
	}
	if !by.readsCase(c) {
		return caseRow{}, ErrNotFound
	}
	return c, nil
}

// waiting reports whether case c waits for a decision.
func (c caseRow) waiting() bool { return c.Status == DisputeOpen || c.Status == DisputeAppealed }

// caseDeciders returns who decides case c now and in which role: on
// appeal the admins; otherwise the managers who manage every party's team
// if there are any, else the admins (domain.md: an admin decides when the
// teams have different managers). A decider who is a party is replaced:
// the party is left out, and an admin takes over when no manager is left.
// Nobody decides a decided or final case.
func caseDeciders(ctx context.Context, tx pgx.Tx, tenantID int64, c caseRow) (Role, []int64, error) {
	if !c.waiting() {
		return "", nil, nil
	}
	if c.Status == DisputeOpen && len(c.Teams) > 0 {
		rows, err := tx.Query(ctx, `
			SELECT m.user_id FROM team_managers m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id AND u.active
			WHERE m.tenant_id = $1 AND m.team_id = ANY($2) AND NOT (m.user_id = ANY($3))
			GROUP BY m.user_id HAVING count(DISTINCT m.team_id) = cardinality(ARRAY(SELECT DISTINCT unnest($2::bigint[])))
			ORDER BY m.user_id`, tenantID, c.Teams, c.Parties)
		if err != nil {
			return "", nil, fmt.Errorf("deciders: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil || len(ids) > 0 {
			return RoleManager, ids, err
		}
	}
	// Admins who are not parties; when the only admins are parties, they
	// must decide all the same.
	rows, err := tx.Query(ctx, `
		SELECT id FROM users WHERE tenant_id = $1 AND role = 'admin' AND active
		ORDER BY id = ANY($2), id`, tenantID, c.Parties)
	if err != nil {
		return "", nil, fmt.Errorf("deciders: %w", err)
	}
	admins, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return "", nil, fmt.Errorf("deciders: %w", err)
	}
	var free []int64
	for _, id := range admins {
		if !slices.Contains(c.Parties, id) {
			free = append(free, id)
		}
	}
	if len(free) == 0 {
		free = admins
	}
	return RoleAdmin, free, nil
}

// OpenDispute opens a case, or adds the actor's statement to the open case
// of the conflict (domain.md, Disputes and arbitration). A party to a
// conflict names their own registration: either claim of a conflict the
// rule engine sent to arbitration, or the claim that lost a conflict
// automatically, within appeal_days of the decision — that claim and the
// one that beat it then wait in_dispute, protection paused. A party to a
// deal (its signer, claimant or credited user) names the deal.
//
// It returns the case; ErrNotFound for a registration or deal the actor
// cannot read; ErrForbidden for one they are not a party to; Invalid for
// bad input, a conflict already decided (appeal instead), a late dispute
// or one the other claim has since let go; CodeDuplicate (ExistingID the
// case) when the actor has stated their case already; CodeRateLimited for
// a burst of disputes (dispute_burst_per_hour).
func (s *Service) OpenDispute(ctx context.Context, by Actor, in DisputeInput) (Dispute, error) {
	if f := in.validate(); len(f) > 0 {
		return Dispute{}, Invalid(f)
	}
	in.Reason, in.Evidence = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Evidence)
	now := s.Now().Truncate(time.Microsecond)
	var id int64
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		if in.DealID > 0 {
			id, err = openDealCase(ctx, tx, by, in, now)
		} else {
			id, err = openConflictCase(ctx, tx, by, in, pol, now)
		}
		if err != nil {
			return err
		}
		if err := checkBurst(ctx, tx, by, "dispute", pol.DisputeBurstPerHour, now); err != nil {
			return err
		}
		if err := addStatement(ctx, tx, by, id, "open", in.Reason, in.Evidence, now); err != nil {
			return err
		}
		if err := attachFiles(ctx, tx, by, in.FileIDs, attachDispute, id, "evidence", "files"); err != nil {
			return err
		}
		if err := storeAttached(ctx, tx, by, in.Uploads, attachDispute, id, "evidence", "files", now); err != nil {
			return err
		}
		c, err := loadCase(ctx, tx, by, id, false)
		if err != nil {
			return err
		}
		return notifyCase(ctx, tx, by, c, "dispute", i18n.Text{
			Zh: fmt.Sprintf("客户「%s」的归属有新的申诉, 理由: %s", c.CustomerName, in.Reason),
			En: fmt.Sprintf("A dispute was opened over %s: %s", c.CustomerName, in.Reason)}, true)
	})
	if err != nil {
		return Dispute{}, fmt.Errorf("open dispute: %w", err)
	}
	return s.Dispute(ctx, by, id)
}

// openConflictCase finds or opens the case of the conflict the actor's
// registration is in, and returns its id.
func openConflictCase(ctx context.Context, tx pgx.Tx, by Actor, in DisputeInput, pol Policy, now time.Time) (int64, error) {
	r, err := getRegistration(ctx, tx, by, in.RegistrationID)
	if err != nil {
		return 0, err
	}
	if r.OwnerID != by.UserID {
		return 0, Forbidden(i18n.Text{Zh: "只有撞单双方的报备人可以申诉", En: "Only the owners of the conflicting claims may open a dispute"})
	}
	var (
		cid, newcomer, holder int64
		status                string
		winner                *int64
		decidedAt             time.Time
	)
	err = tx.QueryRow(ctx, `
		SELECT c.id, c.registration_id, c.holder_id, c.status, c.winner_id, c.created_at FROM conflicts c
		WHERE c.tenant_id = $1 AND (c.registration_id = $2 OR c.holder_id = $2)
			AND (c.status = 'in_dispute' OR c.winner_id IS DISTINCT FROM $2
				OR EXISTS (SELECT 1 FROM disputes d WHERE d.tenant_id = c.tenant_id AND d.conflict_id = c.id))
		ORDER BY c.id DESC LIMIT 1 FOR UPDATE`, by.TenantID, r.ID).Scan(&cid, &newcomer, &holder, &status, &winner, &decidedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, InvalidMsg(i18n.Text{Zh: "该报备没有可申诉的撞单", En: "This registration is in no conflict that can be disputed"})
	}
	if err != nil {
		return 0, fmt.Errorf("conflict: %w", err)
	}
	var (
		id     int64
		cstate DisputeStatus
	)
	err = tx.QueryRow(ctx, `SELECT id, status FROM disputes WHERE tenant_id = $1 AND conflict_id = $2 FOR UPDATE`,
		by.TenantID, cid).Scan(&id, &cstate)
	switch {
	case err == nil && cstate == DisputeOpen:
		// The first party to speak in a case the rule engine opened opens it.
		_, err = tx.Exec(ctx, `UPDATE disputes SET opened_by = COALESCE(opened_by, $3), updated_at = $4
			WHERE tenant_id = $1 AND id = $2`, by.TenantID, id, by.UserID, now)
		return id, err
	case err == nil:
		return 0, InvalidMsg(i18n.Text{Zh: "该案件已裁决; 落败方可在期限内上诉一次", En: "This case is decided; the losing party may appeal once in time"})
	case !errors.Is(err, pgx.ErrNoRows):
		return 0, fmt.Errorf("case: %w", err)
	}
	if status != "in_dispute" {
		// A conflict the rule engine decided: only its loser may dispute it,
		// in time, while the winner still holds the customer.
		other := holder
		if r.ID == holder {
			other = newcomer
		}
		if r.Status != StatusRejected || winner == nil || *winner != other {
			return 0, InvalidMsg(i18n.Text{Zh: "只有在撞单中被驳回的报备可以申诉", En: "Only a claim that lost a conflict can be disputed"})
		}
		if deadline := pol.addDays("appeal_days", decidedAt, pol.AppealDays); now.After(deadline) {
			return 0, InvalidMsg(i18n.Text{
				Zh: fmt.Sprintf("已超过申诉期限 (判定后 %d 天内)", pol.AppealDays),
				En: fmt.Sprintf("The appeal period (%d days after the decision) is over", pol.AppealDays)})
		}
		var otherStatus Status
		if err := tx.QueryRow(ctx, `SELECT status FROM registrations WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
			by.TenantID, other).Scan(&otherStatus); err != nil {
			return 0, fmt.Errorf("other claim: %w", err)
		}
		if !otherStatus.Live() {
			return 0, InvalidMsg(i18n.Text{Zh: "对方的报备已失效, 该客户可以重新报备", En: "The other claim has ended; register the customer again"})
		}
		if err := intoDispute(ctx, tx, by, cid, []int64{r.ID, other}, now); err != nil {
			return 0, err
		}
	}
	if err := tx.QueryRow(ctx, `
		INSERT INTO disputes (tenant_id, kind, conflict_id, status, opened_by, created_at, updated_at)
		VALUES ($1, 'conflict', $2, 'open', $3, $4, $4) RETURNING id`, by.TenantID, cid, by.UserID, now).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert case: %w", err)
	}
	return id, audit(ctx, tx, by, "dispute.open", "dispute", id, nil, map[string]any{"conflict_id": cid, "registration_id": r.ID})
}

// intoDispute puts the claims of a conflict in_dispute, protection paused;
// the one holding the customer keeps its keys.
func intoDispute(ctx context.Context, tx pgx.Tx, by Actor, conflictID int64, regs []int64, now time.Time) error {
	for _, id := range regs {
		var st Status
		if err := tx.QueryRow(ctx, `SELECT status FROM registrations WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
			by.TenantID, id).Scan(&st); err != nil {
			return fmt.Errorf("into dispute: %w", err)
		}
		if st == StatusInDispute || (!st.Live() && st != StatusRejected) {
			continue // a converted or expired claim keeps its state
		}
		if err := setStatus(ctx, tx, by, id, StatusInDispute, now); err != nil {
			return err
		}
	}
	return setConflictStatus(ctx, tx, by, conflictID, "in_dispute", 0, i18n.Text{})
}

// setConflictStatus records how a conflict stands now — in_dispute, or
// decided for winner with reason — and audits the change.
func setConflictStatus(ctx context.Context, tx pgx.Tx, by Actor, id int64, status string, winner int64, reason i18n.Text) error {
	var before string
	err := tx.QueryRow(ctx, `
		UPDATE conflicts c SET status = $3, winner_id = $4,
			reason_zh = CASE WHEN $5 = '' THEN c.reason_zh ELSE $5 END, reason_en = CASE WHEN $6 = '' THEN c.reason_en ELSE $6 END
		FROM (SELECT status FROM conflicts WHERE tenant_id = $1 AND id = $2 FOR UPDATE) old
		WHERE c.tenant_id = $1 AND c.id = $2 RETURNING old.status`,
		by.TenantID, id, status, nullID(winner), reason.Zh, reason.En).Scan(&before)
	if err != nil {
		return fmt.Errorf("conflict status: %w", err)
	}
	return audit(ctx, tx, by, "conflict.status", "conflict", id, map[string]string{"status": before},
		map[string]any{"status": status, "winner_id": winner, "reason": reason.Zh})
}

// openArbitration makes a conflict the rule engine could not settle a case
// (api.md: conflict.dispute_id names it). The holder and the managers are
// told by the registration itself.
func openArbitration(ctx context.Context, tx pgx.Tx, by Actor, conflictID int64, t time.Time) error {
	var id int64
	if err := tx.QueryRow(ctx, `
		INSERT INTO disputes (tenant_id, kind, conflict_id, status, created_at, updated_at)
		VALUES ($1, 'conflict', $2, 'open', $3, $3) RETURNING id`, by.TenantID, conflictID, t).Scan(&id); err != nil {
		return fmt.Errorf("open arbitration: %w", err)
	}
	return audit(ctx, tx, by, "dispute.open", "dispute", id, nil, map[string]any{"conflict_id": conflictID, "opened_by": "rules"})
}

// addStatement records a party's statement; a second opening statement by
// the same party, or a second appeal, is refused by the database.
func addStatement(ctx context.Context, tx pgx.Tx, by Actor, id int64, kind, reason, evidence string, now time.Time) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO dispute_statements (tenant_id, dispute_id, author_id, kind, reason, evidence, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, by.TenantID, id, by.UserID, kind, reason, evidence, now)
	if isUnique(err) {
		msg := i18n.Text{Zh: "您已对该案件提交过申诉", En: "You have stated your case already"}
		if kind == "appeal" {
			msg = i18n.Text{Zh: "每个案件只能上诉一次", En: "A case may be appealed only once"}
		}
		return &Error{Code: CodeDuplicate, ExistingID: id, Message: msg}
	}
	if err != nil {
		return fmt.Errorf("statement: %w", err)
	}
	action := "dispute.statement"
	if kind == "appeal" {
		action = "dispute.appeal"
	}
	return audit(ctx, tx, by, action, "dispute", id, nil, map[string]any{"reason": reason, "evidence": evidence})
}

// notifyCase tells every party of case c other than the actor, and when
// deciders is set, whoever decides it now.
func notifyCase(ctx context.Context, tx pgx.Tx, by Actor, c caseRow, kind string, text i18n.Text, deciders bool) error {
	to := slices.Clone(c.Parties)
	if deciders {
		_, ids, err := caseDeciders(ctx, tx, by.TenantID, c)
		if err != nil {
			return err
		}
		to = append(to, ids...)
	}
	for _, uid := range distinct(to) {
		if uid == by.UserID {
			continue
		}
		if err := notify(ctx, tx, by.TenantID, uid, kind, text, disputeLink(c.ID)); err != nil {
			return err
		}
	}
	return nil
}

func disputeLink(id int64) string { return "/disputes/" + strconv.FormatInt(id, 10) }

// DisputeFilter narrows a case list.
type DisputeFilter struct {
	Status DisputeStatus // "" for all
	Limit  int
	Cursor int64 // list ids below this one
}

// Validate refuses an unknown status.
func (f DisputeFilter) Validate() error {
	if f.Status != "" && !slices.Contains(DisputeStatuses, f.Status) {
		return Invalid(map[string]i18n.Text{"status": {Zh: "未知的状态", En: "unknown status"}})
	}
	return nil
}

// Disputes lists the cases the actor may read — as a party, a manager of a
// party's team or an admin — newest first, and the next cursor (0 at the
// end). CanDecide marks those waiting for the actor's decision.
func (s *Service) Disputes(ctx context.Context, by Actor, f DisputeFilter) ([]Dispute, int64, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var out []Dispute
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT * FROM (`+caseSelect+`) q WHERE `+caseVisible+`
			AND ($5 = '' OR q.status = $5) AND ($6 = 0 OR q.id < $6) ORDER BY q.id DESC LIMIT $7`,
			by.TenantID, by.Is(RoleAdmin), by.UserID, managedTeams(by), f.Status, f.Cursor, f.Limit+1)
		if err != nil {
			return err
		}
		cases, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (caseRow, error) { return scanCase(r) })
		if err != nil {
			return err
		}
		for _, c := range cases {
			d := c.headline()
			if d.Claims, err = caseClaims(ctx, tx, by, c, false); err != nil {
				return err
			}
			_, ids, err := caseDeciders(ctx, tx, by.TenantID, c)
			if err != nil {
				return err
			}
			d.CanDecide = c.waiting() && c.mayDecide(by, ids)
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("disputes: %w", err)
	}
	out, next := trimPage(out, f.Limit, func(x Dispute) int64 { return x.ID })
	return out, next, nil
}

func (c caseRow) headline() Dispute {
	return Dispute{ID: c.ID, Kind: c.Kind, Status: c.Status, ConflictID: c.ConflictID, DealID: c.DealID,
		CustomerName: c.CustomerName, MatchedOn: c.MatchedOn, OpenedBy: c.OpenedBy, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// Dispute returns a case to a party or decider (any other reader gets
// ErrNotFound): both claims side by side, the merged timeline, the rule
// engine's suggestion, what was said and decided, and what the reader may
// do now. Full phones shown to a decider are logged (phone.view).
func (s *Service) Dispute(ctx context.Context, by Actor, id int64) (Dispute, error) {
	var d Dispute
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		c, err := loadCase(ctx, tx, by, id, false)
		if err != nil {
			return err
		}
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		d = c.headline()
		if d.Claims, err = caseClaims(ctx, tx, by, c, true); err != nil {
			return err
		}
		switch {
		case c.Kind == DisputeDeal:
			if d.Suggestion, err = dealSuggestion(ctx, tx, by.TenantID, c); err != nil {
				return err
			}
		case len(d.Claims) == 2:
			d.Suggestion = suggest(pol, d.Claims[0], d.Claims[1])
		}
		if d.Statements, err = caseStatements(ctx, tx, by.TenantID, id); err != nil {
			return err
		}
		if d.Decisions, err = caseDecisions(ctx, tx, by.TenantID, id); err != nil {
			return err
		}
		if d.Files, err = attachedFiles(ctx, tx, by.TenantID, attachDispute, id); err != nil {
			return err
		}
		if d.Timeline, err = caseTimeline(ctx, tx, by.TenantID, c); err != nil {
			return err
		}
		role, ids, err := caseDeciders(ctx, tx, by.TenantID, c)
		if err != nil {
			return err
		}
		d.DeciderRole, d.CanDecide = role, c.waiting() && c.mayDecide(by, ids)
		if d.DeciderNames, err = userNames(ctx, tx, by.TenantID, ids); err != nil {
			return err
		}
		if c.Status == DisputeDecided && len(d.Decisions) == 1 {
			deadline := pol.addDays("appeal_days", d.Decisions[0].DecidedAt, pol.AppealDays)
			d.AppealDeadline = &deadline
			d.CanAppeal = !s.Now().After(deadline) && slices.Contains(c.losers(d.Decisions[0].WinnerUserID), by.UserID)
		}
		d.CanStatement = c.Status == DisputeOpen && slices.Contains(c.Parties, by.UserID) &&
			!slices.ContainsFunc(d.Statements, func(st DisputeStatement) bool { return st.Kind == "open" && st.AuthorID == by.UserID })
		return nil
	})
	if err != nil {
		return Dispute{}, fmt.Errorf("dispute: %w", err)
	}
	return d, nil
}

// losers returns the parties who lost when winner won: the other claim's
// owner of a conflict; for a deal, the opener and the respondent other
// than the winner.
func (c caseRow) losers(winner int64) []int64 {
	var out []int64
	cands := []int64{c.holderOwner, c.newcomerOwner}
	if c.Kind == DisputeDeal {
		cands = []int64{c.OpenedBy, c.RespondentID}
	}
	for _, u := range cands {
		if u != 0 && u != winner && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// userNames returns the display names of ids, in order.
func userNames(ctx context.Context, tx pgx.Tx, tenantID int64, ids []int64) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `SELECT u.display_name FROM unnest($2::bigint[]) WITH ORDINALITY AS i(id, n)
		JOIN users u ON u.tenant_id = $1 AND u.id = i.id ORDER BY i.n`, tenantID, ids)
	if err != nil {
		return nil, fmt.Errorf("user names: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// caseClaims returns the two sides of a case. In full, each conflict side
// carries its registration (phones masked unless the reader may see them,
// and logged when they may) and whether a deal backs its history.
func caseClaims(ctx context.Context, tx pgx.Tx, by Actor, c caseRow, full bool) ([]DisputeClaim, error) {
	if c.Kind == DisputeDeal {
		return dealCaseClaims(ctx, tx, by, c, full)
	}
	var out []DisputeClaim
	for _, side := range []struct {
		name string
		id   int64
	}{{"holder", c.HolderID}, {"newcomer", c.NewcomerID}} {
		r, err := scanRegistration(tx.QueryRow(ctx, `SELECT `+registrationColumns+registrationFrom+`
			WHERE r.tenant_id = $1 AND r.id = $2`, by.TenantID, side.id))
		if err != nil {
			return nil, fmt.Errorf("claim %d: %w", side.id, err)
		}
		dc := DisputeClaim{Side: side.name, UserID: r.OwnerID, UserName: r.OwnerName}
		if full {
			if err := tx.QueryRow(ctx, `SELECT COALESCE((SELECT name FROM teams WHERE tenant_id = $1 AND id = $2), '')`,
				by.TenantID, r.TeamID).Scan(&dc.TeamName); err != nil {
				return nil, err
			}
			if dc.HistoryDeal, err = dealHistory(ctx, tx, by.TenantID, r.CustomerID, r.OwnerID, r.TeamID); err != nil {
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

// suggest runs the rule engine on the two sides of a conflict, as
// registration did (decide.go), and again with claimed history set aside.
func suggest(pol Policy, holder, newcomer DisputeClaim) *Suggestion {
	claim := func(c DisputeClaim) Claim {
		r := c.Registration
		at := r.RegisteredAt
		if pol.RequireVisit && r.VisitedAt != nil {
			at = *r.VisitedAt
		}
		return Claim{RegistrationID: r.ID, OwnerName: c.UserName, EffectiveAt: at, Completeness: r.Completeness,
			HistoryDeal: c.HistoryDeal, HistoryEvidence: strings.TrimSpace(r.HistoryClaim) != ""}
	}
	a, b := claim(holder), claim(newcomer)
	if a.EffectiveAt.Equal(b.EffectiveAt) && !pol.RequireVisit {
		b.EffectiveAt = b.EffectiveAt.Add(time.Microsecond) // the holder was taken first
	}
	run := func(a, b Claim) *Suggestion {
		d := Decide(pol.ConflictRules, pol.CompletenessMargin, pol.Location(), a, b)
		s := &Suggestion{Rule: d.Rule, Reason: d.Reason}
		switch d.Winner {
		case 0:
			s.WinnerRegistrationID, s.WinnerUserID = a.RegistrationID, holder.UserID
		case 1:
			s.WinnerRegistrationID, s.WinnerUserID = b.RegistrationID, newcomer.UserID
		}
		return s
	}
	s := run(a, b)
	if a.HistoryEvidence || b.HistoryEvidence {
		a.HistoryEvidence, b.HistoryEvidence = false, false
		s.WithoutEvidence = run(a, b)
	}
	return s
}

func caseStatements(ctx context.Context, tx pgx.Tx, tenantID, id int64) ([]DisputeStatement, error) {
	rows, err := tx.Query(ctx, `SELECT s.kind, s.author_id, u.display_name, s.reason, s.evidence, s.created_at
		FROM dispute_statements s JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.author_id
		WHERE s.tenant_id = $1 AND s.dispute_id = $2 ORDER BY s.id`, tenantID, id)
	if err != nil {
		return nil, fmt.Errorf("statements: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DisputeStatement, error) {
		var s DisputeStatement
		err := r.Scan(&s.Kind, &s.AuthorID, &s.AuthorName, &s.Reason, &s.Evidence, &s.CreatedAt)
		return s, err
	})
	if out == nil {
		out = []DisputeStatement{}
	}
	return out, err
}

func caseDecisions(ctx context.Context, tx pgx.Tx, tenantID, id int64) ([]DisputeDecision, error) {
	rows, err := tx.Query(ctx, `SELECT d.instance, d.decided_by, u.display_name, COALESCE(d.winner_registration_id, 0),
			d.winner_user_id, w.display_name, d.reason, d.decided_at
		FROM dispute_decisions d JOIN users u ON u.tenant_id = d.tenant_id AND u.id = d.decided_by
		JOIN users w ON w.tenant_id = d.tenant_id AND w.id = d.winner_user_id
		WHERE d.tenant_id = $1 AND d.dispute_id = $2 ORDER BY d.instance`, tenantID, id)
	if err != nil {
		return nil, fmt.Errorf("decisions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DisputeDecision, error) {
		var d DisputeDecision
		err := r.Scan(&d.Instance, &d.DecidedBy, &d.DeciderName, &d.WinnerRegistrationID, &d.WinnerUserID, &d.WinnerName, &d.Reason, &d.DecidedAt)
		return d, err
	})
	if out == nil {
		out = []DisputeDecision{}
	}
	return out, err
}
