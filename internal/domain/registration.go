package domain

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// Status is a registration's state (domain.md, Registrations).
type Status string

// The registration states.
const (
	StatusPendingReview Status = "pending_review"
	StatusPendingVisit  Status = "pending_visit"
	StatusActive        Status = "active"
	StatusInDispute     Status = "in_dispute"
	StatusRejected      Status = "rejected"
	StatusLapsed        Status = "lapsed"
	StatusExpired       Status = "expired"
	StatusReleased      Status = "released"
	StatusConverted     Status = "converted"
)

// Statuses lists every state, in the order filters show them.
var Statuses = []Status{StatusActive, StatusPendingReview, StatusPendingVisit, StatusInDispute,
	StatusRejected, StatusExpired, StatusLapsed, StatusReleased, StatusConverted}

// Live reports whether a claim in this state still claims its customer.
func (s Status) Live() bool {
	return s == StatusPendingReview || s == StatusPendingVisit || s == StatusActive || s == StatusInDispute
}

// liveStatuses is the SQL list of live states.
const liveStatuses = `('pending_review', 'pending_visit', 'active', 'in_dispute')`

// Registration is a salesperson's claim on a customer, as its readers see
// it (api.md, "Registration resource").
type Registration struct {
	ID              int64                 `json:"id,string"`
	Status          Status                `json:"status"`
	OwnerID         int64                 `json:"owner_id,string"`
	OwnerName       string                `json:"owner_name"`
	TeamID          int64                 `json:"team_id,string,omitempty"`
	CustomerID      int64                 `json:"customer_id,string"`
	Customer        Customer              `json:"customer"`
	Grade           string                `json:"grade"`
	Needs           string                `json:"needs"`
	Source          string                `json:"source"`
	ExpectedAmount  *float64              `json:"expected_amount"`
	FirstContactAt  *time.Time            `json:"first_contact_at"`
	HistoryClaim    string                `json:"history_claim"`
	Completeness    int                   `json:"completeness"`
	Missing         []string              `json:"missing"`
	Late            bool                  `json:"late"`
	RegisteredAt    time.Time             `json:"registered_at"`
	ActivatedAt     *time.Time            `json:"activated_at"`
	ProtectedUntil  *time.Time            `json:"protected_until"`
	LastFollowUpAt  *time.Time            `json:"last_follow_up_at"`
	NextFollowUpDue *time.Time            `json:"next_follow_up_due"`
	VisitedAt       *time.Time            `json:"visited_at"`
	Renewals        int                   `json:"renewals"`
	ClaimRef        string                `json:"claim_ref"`
	StatusChangedAt time.Time             `json:"status_changed_at"`
	Conflict        *ConflictRef          `json:"conflict,omitempty"`
	Decision        *RegistrationDecision `json:"decision,omitempty"`
}

// ConflictRef is the conflict a registration is part of, as its owner sees it.
type ConflictRef struct {
	ID        int64    `json:"id,string"`
	MatchedOn []string `json:"matched_on"`
	Status    string   `json:"status"`
	// DisputeID names the case about the conflict, 0 when there is none.
	DisputeID int64 `json:"dispute_id,string,omitempty"`
}

// RegistrationDecision tells the owner of a claim how its conflict was
// settled. Reason never names the other party.
type RegistrationDecision struct {
	Rule           Rule       `json:"rule"`
	Reason         i18n.Text  `json:"-"`
	Winner         string     `json:"winner"` // "self" or "other"
	ProtectedUntil *time.Time `json:"protected_until,omitempty"`
	ClaimRef       string     `json:"claim_ref,omitempty"` // the other claim, for a dispute
}

// Overdue reports whether the next follow-up is past due at now.
func (r Registration) Overdue(now time.Time) bool {
	return r.Status == StatusActive && r.NextFollowUpDue != nil && now.After(*r.NextFollowUpDue)
}

func newClaimRef() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "c_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// errRaced means a concurrent registration took a key between reading the
// candidates and writing the keys; the whole transaction runs again and
// then sees the new holder.
var errRaced = errors.New("registration raced with a concurrent claim")

// inTenantRaced runs fn in a tenant transaction, again (up to five times
// in all) while it fails with errRaced.
func (s *Service) inTenantRaced(ctx context.Context, tenantID int64, fn func(pgx.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.db.InTenant(ctx, tenantID, fn); !errors.Is(err, errRaced) {
			return err
		}
	}
	return err
}

// Register files a registration and settles conflicts by the tenant's rules
// (domain.md, Registrations and Conflict resolution). It returns the new
// registration — active, pending, or already rejected/in dispute when it
// lost a conflict — or Invalid (malformed, incomplete, late), CodeDuplicate
// for the actor's own live claim on the customer (ExistingID names it), or
// CodeRateLimited for a burst.
func (s *Service) Register(ctx context.Context, by Actor, in RegistrationInput) (Registration, error) {
	if !by.Is(RoleSales, RoleManager, RoleAdmin) {
		return Registration{}, ErrForbidden
	}
	return s.register(ctx, by, in, false)
}

// register is Register; exempt skips min_completeness (front desk
// registering on a salesperson's behalf).
func (s *Service) register(ctx context.Context, by Actor, in RegistrationInput, exempt bool) (Registration, error) {
	if f := in.Validate(); len(f) > 0 {
		return Registration{}, Invalid(f)
	}
	in.Customer = in.Customer.normalized()
	// The database keeps microseconds; compare like with like.
	now := s.Now().Truncate(time.Microsecond)
	var id int64
	err := s.inTenantRaced(ctx, by.TenantID, func(tx pgx.Tx) (err error) {
		id, err = registerTx(ctx, tx, by, in, now, exempt)
		return err
	})
	if err != nil {
		return Registration{}, fmt.Errorf("register: %w", err)
	}
	return s.Registration(ctx, by, id)
}

// incompleteFields maps completeness fields to the form/JSON paths.
var incompleteFields = map[string]string{
	"name": "customer.name", "contact_name": "customer.contacts.0.name", "contact_phone": "customer.contacts.0.phone",
	"industry": "customer.industry", "size": "customer.size", "address": "customer.address", "needs": "needs",
	"project": "customer.project", "grade": "grade", "first_contact": "first_contact_at",
}

// incomplete is the refusal of a registration scoring below
// min_completeness (无效报备), marking the missing fields.
func incomplete(score, minScore int, missing []string) *Error {
	f := map[string]i18n.Text{}
	for _, m := range missing {
		f[incompleteFields[m]] = i18n.Text{Zh: "必填 (信息完整度不足)", En: "Required (registration incomplete)"}
	}
	return &Error{Code: CodeInvalid, Fields: f, Message: i18n.Text{
		Zh: fmt.Sprintf("无效报备: 信息完整度 %d 分, 低于要求的 %d 分, 请补充标出的字段", score, minScore),
		En: fmt.Sprintf("Invalid registration: completeness %d is below the required %d; fill in the marked fields", score, minScore)}}
}

func registerTx(ctx context.Context, tx pgx.Tx, by Actor, in RegistrationInput, now time.Time, exempt bool) (int64, error) {
	pol, err := loadPolicy(ctx, tx, by.TenantID)
	if err != nil {
		return 0, err
	}
	score, missing := Completeness(in, pol.CompletenessWeights)
	if missing == nil {
		missing = []string{}
	}
	if score < pol.MinCompleteness && !exempt {
		return 0, incomplete(score, pol.MinCompleteness, missing)
	}
	if in.FirstContactAt != nil && in.FirstContactAt.After(now.Add(5*time.Minute)) {
		return 0, Invalid(map[string]i18n.Text{"first_contact_at": {Zh: "首次接触时间不能晚于现在", En: "First contact cannot be in the future"}})
	}
	late := IsLate(now, in.FirstContactAt, pol.ReportDeadlineHours)
	if late && pol.RejectLate && !exempt {
		return 0, Invalid(map[string]i18n.Text{"first_contact_at": {
			Zh: fmt.Sprintf("首次接触后超过 %d 小时才报备, 按公司规定不予受理", pol.ReportDeadlineHours),
			En: fmt.Sprintf("Registered more than %d hours after first contact; company policy rejects late registrations", pol.ReportDeadlineHours)}})
	}
	if err := checkBurst(ctx, tx, by, "registration", pol.RegistrationBurstPerHour, now); err != nil {
		return 0, err
	}

	keys := in.Customer.StrongKeys()
	strong, err := uncommonKeys(ctx, tx, by.TenantID, keys, pol.CommonKeyLimit)
	if err != nil {
		return 0, err
	}
	cands, err := liveCandidates(ctx, tx, by.TenantID, strong)
	if err != nil {
		return 0, err
	}
	var holders []candidate
	for _, c := range cands {
		if c.OwnerID == by.UserID {
			return 0, &Error{Code: CodeDuplicate, ExistingID: c.ID, Message: i18n.Text{
				Zh: "您已报备过该客户, 请勿重复报备", En: "You have already registered this customer"}}
		}
		if c.holdsKeys {
			holders = append(holders, c)
		}
	}

	reg := newRegistration{by: by, in: in, now: now, score: score, missing: missing, late: late, pol: pol}
	if reg.holds, err = registrationHolds(ctx, tx, by, in.Customer, pol); err != nil {
		return 0, err
	}
	if len(holders) == 0 {
		if reg.customerID, err = attachCustomer(ctx, tx, by.TenantID, in.Customer, strong, keys, now); err != nil {
			return 0, err
		}
		if err := checkPoolClaim(ctx, tx, by, reg.customerID, pol, now); err != nil {
			return 0, err
		}
		return reg.insertUnopposed(ctx, tx, strong)
	}
	return reg.insertOpposed(ctx, tx, holders, keys, strong)
}

// newRegistration carries what a registration being filed needs written.
type newRegistration struct {
	by         Actor
	in         RegistrationInput
	now        time.Time
	score      int
	missing    []string
	late       bool
	pol        Policy
	customerID int64
	holds      []hold // limits it breaks (limits.go): it starts held in pending_review
}

// initialStatus is where an unopposed (or winning) claim starts.
func (n newRegistration) initialStatus() Status {
	switch {
	case n.pol.ReviewRequired, len(n.holds) > 0:
		return StatusPendingReview
	case n.pol.RequireVisit:
		return StatusPendingVisit
	}
	return StatusActive
}

func (n newRegistration) insert(ctx context.Context, tx pgx.Tx, status Status) (int64, error) {
	details, err := json.Marshal(n.in.Customer)
	if err != nil {
		return 0, err
	}
	var team *int64
	if n.by.TeamID != 0 {
		team = &n.by.TeamID
	}
	var id int64
	err = tx.QueryRow(ctx, `
		INSERT INTO registrations (tenant_id, customer_id, owner_id, team_id, status, details, grade, needs, source,
			expected_amount, history_claim, first_contact_at, completeness, missing, late, registered_at, claim_ref, status_changed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $16)
		RETURNING id`,
		n.by.TenantID, n.customerID, n.by.UserID, team, status, details, n.in.Grade, n.in.Needs, n.in.Source,
		n.in.ExpectedAmount, n.in.HistoryClaim, n.in.FirstContactAt, n.score, n.missing, n.late, n.now, newClaimRef()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert registration: %w", err)
	}
	if status == StatusActive {
		if err := activate(ctx, tx, n.by.TenantID, id, n.pol, n.now); err != nil {
			return 0, err
		}
	}
	if status == StatusPendingReview {
		if err := requestHolds(ctx, tx, n.by, id, n.in.Customer.Name, n.holds, n.now); err != nil {
			return 0, err
		}
	}
	return id, audit(ctx, tx, n.by, "registration.create", "registration", id, nil,
		map[string]any{"status": status, "kind": n.in.Customer.Kind, "customer": n.in.Customer.Name, "completeness": n.score, "late": n.late})
}

// insertUnopposed files a claim nobody else holds and takes its keys.
func (n newRegistration) insertUnopposed(ctx context.Context, tx pgx.Tx, strong []Key) (int64, error) {
	status := n.initialStatus()
	id, err := n.insert(ctx, tx, status)
	if err != nil {
		return 0, err
	}
	if status != StatusPendingVisit {
		if err := takeKeys(ctx, tx, n.by.TenantID, id, strong); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// insertOpposed files a claim on a customer others hold and lets the rule
// engine settle it against the earliest holder (decideAgainst).
func (n newRegistration) insertOpposed(ctx context.Context, tx pgx.Tx, holders []candidate, keys, strong []Key) (int64, error) {
	h := holders[0]
	n.customerID = h.CustomerID
	mine := Claim{OwnerName: n.ownerName(ctx, tx), EffectiveAt: n.now, Completeness: n.score,
		HistoryEvidence: strings.TrimSpace(n.in.HistoryClaim) != ""}
	theirs, mine, err := opposingClaims(ctx, tx, n.by.TenantID, h, mine, n.by.UserID, n.by.TeamID)
	if err != nil {
		return 0, err
	}
	d := decideAgainst(n.pol, theirs, mine, len(holders))
	matched := h.MatchedOn
	switch d.Winner {
	case 0: // the holder keeps it
		id, err := n.insert(ctx, tx, StatusRejected)
		if err != nil {
			return 0, err
		}
		until := timeOrZero(h.ProtectedUntil)
		if h.Status != StatusActive {
			// Not yet active (waiting for review): protection will run at
			// least this long once it starts.
			until = timeOrZero(protectionEnd(n.pol, n.now))
		}
		reason := LoserReason(d.Rule, h.RegisteredAt, until, n.pol.Location())
		if err := setDecision(ctx, tx, n.by, id, StatusRejected, d.Rule, reason, n.now); err != nil {
			return 0, err
		}
		if err := recordConflict(ctx, tx, n.by, id, h.ID, matched, "decided", d, h.ID, n.now); err != nil {
			return 0, err
		}
		return id, notifyHolderKept(ctx, tx, n.by.TenantID, h, d.Rule)
	case 1: // the newcomer wins
		status := n.initialStatus()
		id, err := n.insert(ctx, tx, status)
		if err != nil {
			return 0, err
		}
		if err := setDecisionWinner(ctx, tx, n.by.TenantID, id, d.Rule); err != nil {
			return 0, err
		}
		var until time.Time
		if p := protectionEnd(n.pol, n.now); p != nil {
			until = *p
		}
		if err := setDecision(ctx, tx, n.by, h.ID, StatusRejected, d.Rule, LoserReason(d.Rule, n.now, until, n.pol.Location()), n.now); err != nil {
			return 0, err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM live_keys WHERE tenant_id = $1 AND registration_id = $2`, n.by.TenantID, h.ID); err != nil {
			return 0, err
		}
		if status != StatusPendingVisit {
			if err := takeKeys(ctx, tx, n.by.TenantID, id, strong); err != nil {
				return 0, err
			}
		}
		if err := updateCustomer(ctx, tx, n.by.TenantID, n.customerID, n.in.Customer, keys, n.now); err != nil {
			return 0, err
		}
		if err := recordConflict(ctx, tx, n.by, id, h.ID, matched, "decided", d, id, n.now); err != nil {
			return 0, err
		}
		return id, notifyHolderLost(ctx, tx, n.by.TenantID, h, d.Rule, n.pol.AppealDays)
	default: // arbitration: both claims wait for a manager, protection paused
		id, err := n.insert(ctx, tx, StatusInDispute)
		if err != nil {
			return 0, err
		}
		if err := setStatus(ctx, tx, n.by, h.ID, StatusInDispute, n.now); err != nil {
			return 0, err
		}
		if err := recordConflict(ctx, tx, n.by, id, h.ID, matched, "in_dispute", d, 0, n.now); err != nil {
			return 0, err
		}
		return id, notifyArbitration(ctx, tx, n.by.TenantID, h, n.by, n.now)
	}
}

// opposingClaims returns the holder h's claim and mine (owned by ownerID
// of team teamID) with the history rule's deals in the system filled in.
func opposingClaims(ctx context.Context, tx pgx.Tx, tenantID int64, h candidate, mine Claim, ownerID, teamID int64) (theirs, _ Claim, err error) {
	theirs = Claim{RegistrationID: h.ID, OwnerName: h.OwnerName, EffectiveAt: h.RegisteredAt, Completeness: h.Completeness,
		HistoryEvidence: h.HistoryClaim != ""}
	if mine.HistoryDeal, err = dealHistory(ctx, tx, tenantID, h.CustomerID, ownerID, teamID); err != nil {
		return theirs, mine, err
	}
	theirs.HistoryDeal, err = dealHistory(ctx, tx, tenantID, h.CustomerID, h.OwnerID, h.TeamID)
	return theirs, mine, err
}

// decideAgainst runs the rule engine between the earliest holder of a
// customer (theirs) and a claim on it (mine). A claim that would beat
// several holders goes to arbitration: a manager untangles that.
func decideAgainst(pol Policy, theirs, mine Claim, holders int) Decision {
	if mine.EffectiveAt.Equal(theirs.EffectiveAt) {
		// At the same instant, the claim the database took first counts as earlier.
		mine.EffectiveAt = mine.EffectiveAt.Add(time.Microsecond)
	}
	d := Decide(pol.ConflictRules, pol.CompletenessMargin, pol.Location(), theirs, mine)
	if d.Winner == 1 && holders > 1 {
		d = Decision{Rule: d.Rule, Winner: Undecided, Reason: i18n.Text{
			Zh: "该客户同时被多个报备持有, 需经理仲裁", En: "Several claims hold this customer; a manager must arbitrate"}}
	}
	return d
}

// notifyHolderKept tells the holder h that a colliding claim lost to theirs.
func notifyHolderKept(ctx context.Context, tx pgx.Tx, tenantID int64, h candidate, rule Rule) error {
	return notify(ctx, tx, tenantID, h.OwnerID, "conflict", i18n.Text{
		Zh: fmt.Sprintf("有人报备了您的客户「%s」(撞单), 已按%s保留给您", h.CustomerName, rule.Label().Zh),
		En: fmt.Sprintf("Someone registered your customer %s; it stays yours (%s)", h.CustomerName, rule.Label().En)},
		registrationLink(h.ID))
}

// notifyHolderLost tells the holder h that their claim lost a conflict.
func notifyHolderLost(ctx context.Context, tx pgx.Tx, tenantID int64, h candidate, rule Rule, appealDays int) error {
	return notify(ctx, tx, tenantID, h.OwnerID, "conflict", i18n.Text{
		Zh: fmt.Sprintf("您对客户「%s」的报备在撞单中被驳回 (%s), 可在 %d 天内申诉", h.CustomerName, rule.Label().Zh, appealDays),
		En: fmt.Sprintf("Your registration of %s lost a conflict (%s); you may appeal within %d days", h.CustomerName, rule.Label().En, appealDays)},
		registrationLink(h.ID))
}

func (n newRegistration) ownerName(ctx context.Context, tx pgx.Tx) string {
	var name string
	_ = tx.QueryRow(ctx, `SELECT display_name FROM users WHERE tenant_id = $1 AND id = $2`, n.by.TenantID, n.by.UserID).Scan(&name)
	return name
}

func timeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func registrationLink(id int64) string { return fmt.Sprintf("/registrations/%d", id) }

// protectionEnd is when a claim activated at t stops being protected; nil
// means permanent (protection_days 0).
func protectionEnd(pol Policy, t time.Time) *time.Time {
	if pol.ProtectionDays == 0 {
		return nil
	}
	end := pol.addDays("protection_days", t, pol.ProtectionDays)
	return &end
}

// followUpDues is, by grade, when a claim activated at t is first due
// for a follow-up.
func followUpDues(pol Policy, t time.Time) map[string]*time.Time {
	dues := map[string]*time.Time{}
	for _, g := range followUpGrades {
		dues[g] = NextFollowUpDue(pol, g, t)
	}
	return dues
}

// activate makes a claim active as of t: protection and the first
// follow-up due date start now.
func activate(ctx context.Context, tx pgx.Tx, tenantID, id int64, pol Policy, t time.Time) error {
	_, err := tx.Exec(ctx, `
		UPDATE registrations SET status = 'active', activated_at = $3::timestamptz, protected_until = $4, status_changed_at = $3::timestamptz,
			next_follow_up_due = ($5::jsonb ->> grade)::timestamptz
		WHERE tenant_id = $1 AND id = $2`,
		tenantID, id, t, protectionEnd(pol, t), followUpDues(pol, t))
	if err != nil {
		return fmt.Errorf("activate: %w", err)
	}
	return nil
}

// setStatus moves a registration to a new state and audits the move.
func setStatus(ctx context.Context, tx pgx.Tx, by Actor, id int64, to Status, t time.Time) error {
	var from Status
	err := tx.QueryRow(ctx, `
		UPDATE registrations r SET status = $3, status_changed_at = $4
		FROM (SELECT status FROM registrations WHERE tenant_id = $1 AND id = $2 FOR UPDATE) old
		WHERE r.tenant_id = $1 AND r.id = $2 RETURNING old.status`, by.TenantID, id, to, t).Scan(&from)
	if err != nil {
		return fmt.Errorf("set status: %w", err)
	}
	return audit(ctx, tx, by, "registration.status", "registration", id, map[string]Status{"status": from}, map[string]Status{"status": to})
}

// setDecision records how a conflict ended for a claim that lost it.
func setDecision(ctx context.Context, tx pgx.Tx, by Actor, id int64, to Status, rule Rule, reason i18n.Text, t time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE registrations SET decision_rule = $3, decision_reason_zh = $4, decision_reason_en = $5
		WHERE tenant_id = $1 AND id = $2`, by.TenantID, id, rule, reason.Zh, reason.En); err != nil {
		return fmt.Errorf("set decision: %w", err)
	}
	return setStatus(ctx, tx, by, id, to, t)
}

func setDecisionWinner(ctx context.Context, tx pgx.Tx, tenantID, id int64, rule Rule) error {
	_, err := tx.Exec(ctx, `UPDATE registrations SET decision_rule = $3 WHERE tenant_id = $1 AND id = $2`, tenantID, id, rule)
	return err
}

// takeKeys gives a claim its customer's keys in live_keys. A key another
// claim took meanwhile makes the transaction start over (errRaced).
func takeKeys(ctx context.Context, tx pgx.Tx, tenantID, id int64, keys []Key) error {
	if len(keys) == 0 {
		return nil
	}
	kinds, values := splitKeys(keys)
	tag, err := tx.Exec(ctx, `
		INSERT INTO live_keys (tenant_id, kind, key, registration_id)
		SELECT $1, k.kind, k.key, $2 FROM unnest($3::text[], $4::text[]) AS k(kind, key)
		ON CONFLICT DO NOTHING`, tenantID, id, kinds, values)
	if err != nil {
		return fmt.Errorf("take keys: %w", err)
	}
	if int(tag.RowsAffected()) < len(keys) {
		return errRaced
	}
	return nil
}

func splitKeys(keys []Key) (kinds, values []string) {
	for _, k := range keys {
		kinds = append(kinds, string(k.Kind))
		values = append(values, k.Value)
	}
	return kinds, values
}

func recordConflict(ctx context.Context, tx pgx.Tx, by Actor, regID, holderID int64, matched []string, status string, d Decision, winner int64, t time.Time) error {
	var w *int64
	if winner != 0 {
		w = &winner
	}
	var cid int64
	err := tx.QueryRow(ctx, `
		INSERT INTO conflicts (tenant_id, registration_id, holder_id, matched_on, status, rule, winner_id, reason_zh, reason_en, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		by.TenantID, regID, holderID, matched, status, d.Rule, w, d.Reason.Zh, d.Reason.En, t).Scan(&cid)
	if err != nil {
		return fmt.Errorf("record conflict: %w", err)
	}
	if err := audit(ctx, tx, by, "conflict.create", "conflict", cid, nil,
		map[string]any{"registration_id": regID, "holder_id": holderID, "matched_on": matched, "status": status, "rule": d.Rule, "reason": d.Reason.Zh}); err != nil {
		return err
	}
	if status == "in_dispute" {
		return openArbitration(ctx, tx, by, cid, t) // arbitration is a case (dispute.go)
	}
	return nil
}

// notifyArbitration tells the holder and the managers of both teams that a
// conflict awaits their decision.
func notifyArbitration(ctx context.Context, tx pgx.Tx, tenantID int64, h candidate, by Actor, t time.Time) error {
	text := i18n.Text{
		Zh: fmt.Sprintf("客户「%s」的报备冲突无法按规则裁决, 已提交仲裁", h.CustomerName),
		En: fmt.Sprintf("The conflict over %s cannot be settled by the rules and awaits arbitration", h.CustomerName)}
	rows, err := tx.Query(ctx, `
		SELECT DISTINCT user_id FROM (
			SELECT $2::bigint AS user_id
			UNION SELECT m.user_id FROM team_managers m WHERE m.tenant_id = $1 AND m.team_id IN ($3, $4)
		) u`, tenantID, h.OwnerID, h.TeamID, by.TeamID)
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	for _, uid := range ids {
		if err := notify(ctx, tx, tenantID, uid, "arbitration", text, registrationLink(h.ID)); err != nil {
			return err
		}
	}
	return nil
}
