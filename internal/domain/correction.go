package domain

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// RegistrationPatch is a partial correction of a registration (api.md,
// PATCH /registrations/{id}): a nil field stays as it is. The source, the
// first contact time and the history claim are not correctable: they
// decide lateness and the history rule.
type RegistrationPatch struct {
	Customer       *CustomerPatch `json:"customer"`
	Grade          *string        `json:"grade"`
	Needs          *string        `json:"needs"`
	ExpectedAmount *float64       `json:"expected_amount"`
}

// CustomerPatch corrects a registration's customer: a nil field stays as
// it is; Contacts, when given, replace the whole list.
type CustomerPatch struct {
	Kind     *CustomerKind `json:"kind"`
	Name     *string       `json:"name"`
	USCC     *string       `json:"uscc"`
	Industry *string       `json:"industry"`
	Size     *string       `json:"size"`
	Region   *string       `json:"region"`
	Address  *string       `json:"address"`
	Project  *string       `json:"project"`
	Contacts *[]Contact    `json:"contacts"`
}

// apply returns in with the patch's fields put in.
func (p RegistrationPatch) apply(in RegistrationInput) RegistrationInput {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	if c := p.Customer; c != nil {
		if c.Kind != nil {
			in.Customer.Kind = *c.Kind
		}
		for _, f := range []struct{ dst, v *string }{
			{&in.Customer.Name, c.Name}, {&in.Customer.USCC, c.USCC}, {&in.Customer.Industry, c.Industry},
			{&in.Customer.Size, c.Size}, {&in.Customer.Region, c.Region}, {&in.Customer.Address, c.Address},
			{&in.Customer.Project, c.Project},
		} {
			set(f.dst, f.v)
		}
		if c.Contacts != nil {
			in.Customer.Contacts = slices.Clone(*c.Contacts)
		}
	}
	set(&in.Grade, p.Grade)
	set(&in.Needs, p.Needs)
	if p.ExpectedAmount != nil {
		in.ExpectedAmount = p.ExpectedAmount
	}
	return in
}

// input is what the registration was filed (or last corrected) with.
func (r Registration) input() RegistrationInput {
	return RegistrationInput{Customer: r.Customer, Grade: r.Grade, Needs: r.Needs, Source: r.Source,
		FirstContactAt: r.FirstContactAt, HistoryClaim: r.HistoryClaim, ExpectedAmount: r.ExpectedAmount}
}

// canEdit reports whether by may correct registration r: its owner or a
// manager of its team (api.md).
func (by Actor) canEdit(r Registration) bool {
	return by.UserID == r.OwnerID || (by.Is(RoleManager) && by.ManagesTeam(r.TeamID))
}

// EditableBy reports whether by may correct r now: its owner or their
// manager, while r is in an editable state. The pages offer the edit form
// by it; EditRegistration decides.
func (r Registration) EditableBy(by Actor) bool {
	return by.canEdit(r) && slices.Contains(editableStatuses, r.Status)
}

// editableStatuses are the states in which a registration's details may be
// corrected: a claim in a dispute waits for its case, and a dead or
// converted one is history.
var editableStatuses = []Status{StatusPendingReview, StatusPendingVisit, StatusActive}

// EditRegistration corrects a registration's details (api.md, PATCH
// /registrations/{id}; issue 9, corrections). Only its owner or their
// manager may; other readers get ErrForbidden, everyone else ErrNotFound.
// Completeness is recomputed and min_completeness applies, except that an
// edit never refused a registration already below it (filed by the front
// desk on a visit) for improving it step by step.
//
// Identity keys the claim had keep its registered_at; a key the edit adds
// counts as registered now, so an edit can never jump the queue. Added
// keys run the conflict check: when another owner's claim holds one, the
// rule engine settles it as for a new registration, the edited claim
// entering at the edit time — so under time first it loses and becomes
// rejected, with the usual reason and a conflict record, or both go to
// arbitration (in_dispute) when the rules cannot decide. Either way the
// edited claim now claims the holder's customer, and its owner may
// dispute. Removed keys free their live_keys rows at once; added keys are
// taken in live_keys, whose primary key lets only one claim hold a key
// when edits and registrations race. An added key held by another live
// claim of the same owner is CodeDuplicate (ExistingID names it). The
// correction is audited with before → after (phones masked).
func (s *Service) EditRegistration(ctx context.Context, by Actor, id int64, p RegistrationPatch) (Registration, error) {
	now := s.Now().Truncate(time.Microsecond)
	err := s.inTenantRaced(ctx, by.TenantID, func(tx pgx.Tx) error {
		return editTx(ctx, tx, by, id, p, now)
	})
	if err != nil {
		return Registration{}, fmt.Errorf("edit registration: %w", err)
	}
	return s.Registration(ctx, by, id)
}

func editTx(ctx context.Context, tx pgx.Tx, by Actor, id int64, p RegistrationPatch, now time.Time) error {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM registrations WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, by.TenantID, id); err != nil {
		return fmt.Errorf("lock registration: %w", err)
	}
	old, err := getRegistration(ctx, tx, by, id)
	if err != nil {
		return err
	}
	if !by.canEdit(old) {
		return Forbidden(i18n.Text{Zh: "只有报备人或其经理可以修改报备", En: "Only the owner or their manager may correct a registration"})
	}
	if !slices.Contains(editableStatuses, old.Status) {
		return InvalidMsg(i18n.Text{Zh: "该报备当前状态下不能修改 (仲裁中、已成交或已失效)",
			En: "This registration cannot be corrected in its state (in dispute, converted or ended)"})
	}
	in := p.apply(old.input())
	if f := in.Validate(); len(f) > 0 {
		return Invalid(f)
	}
	in.Customer = in.Customer.normalized()
	pol, err := loadPolicy(ctx, tx, by.TenantID)
	if err != nil {
		return err
	}
	score, missing := Completeness(in, pol.CompletenessWeights)
	if missing == nil {
		missing = []string{}
	}
	if score < pol.MinCompleteness && score < old.Completeness {
		return incomplete(score, pol.MinCompleteness, missing)
	}

	keys := in.Customer.StrongKeys()
	strong, err := uncommonKeys(ctx, tx, by.TenantID, keys, pol.CommonKeyLimit)
	if err != nil {
		return err
	}
	added := keysMinus(strong, old.Customer.StrongKeys())
	cands, err := liveCandidates(ctx, tx, by.TenantID, added)
	if err != nil {
		return err
	}
	var holders []candidate
	for _, c := range cands {
		switch {
		case c.ID == id:
		case c.OwnerID == old.OwnerID:
			return &Error{Code: CodeDuplicate, ExistingID: c.ID, Message: i18n.Text{
				Zh: "修改后的客户与您的另一项报备相同, 请勿重复报备", En: "The corrected customer is the one of another registration of yours"}}
		case c.holdsKeys:
			holders = append(holders, c)
		}
	}

	if _, err := tx.Exec(ctx, `UPDATE registrations SET details = $3, grade = $4, needs = $5, expected_amount = $6,
			completeness = $7, missing = $8
		WHERE tenant_id = $1 AND id = $2`,
		by.TenantID, id, in.Customer, in.Grade, in.Needs, in.ExpectedAmount, score, missing); err != nil {
		return fmt.Errorf("edit registration: %w", err)
	}
	if err := audit(ctx, tx, by, "registration.edit", "registration", id, editAudit(old.input(), old.Completeness),
		editAudit(in, score)); err != nil {
		return err
	}
	holding, err := releaseDroppedKeys(ctx, tx, by.TenantID, id, strong)
	if err != nil {
		return err
	}
	if len(holders) == 0 {
		if holding {
			if err := takeKeys(ctx, tx, by.TenantID, id, added); err != nil {
				return err
			}
		}
		return updateCustomer(ctx, tx, by.TenantID, old.CustomerID, in.Customer, keys, now)
	}
	e := editConflict{by: by, reg: old, in: in, score: score, added: added, keys: keys, holding: holding, pol: pol, now: now}
	return e.settle(ctx, tx, holders)
}

// editAudit is a registration's correctable details as the audit log
// keeps them: phones masked (the log is never rewritten, and PIPL limits
// what it should hold).
func editAudit(in RegistrationInput, completeness int) map[string]any {
	return map[string]any{"customer": in.Customer.masked(), "grade": in.Grade, "needs": in.Needs,
		"expected_amount": in.ExpectedAmount, "completeness": completeness}
}

// keysMinus returns the keys of a that are not in b.
func keysMinus(a, b []Key) []Key {
	var out []Key
	for _, k := range a {
		if !slices.Contains(b, k) {
			out = append(out, k)
		}
	}
	return out
}

// releaseDroppedKeys frees the live keys of claim id that are not among
// keep, and reports whether the claim holds keys at all (it is active or
// pending review, not waiting for a visit).
func releaseDroppedKeys(ctx context.Context, tx pgx.Tx, tenantID, id int64, keep []Key) (bool, error) {
	kinds, values := splitKeys(keep)
	if _, err := tx.Exec(ctx, `DELETE FROM live_keys l WHERE l.tenant_id = $1 AND l.registration_id = $2
		AND (l.kind, l.key) NOT IN (SELECT * FROM unnest($3::text[], $4::text[]))`, tenantID, id, kinds, values); err != nil {
		return false, fmt.Errorf("release dropped keys: %w", err)
	}
	var status Status
	if err := tx.QueryRow(ctx, `SELECT status FROM registrations WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&status); err != nil {
		return false, err
	}
	return status == StatusActive || status == StatusPendingReview, nil
}

// editConflict is a correction whose added keys another owner's claim
// holds.
type editConflict struct {
	by      Actor
	reg     Registration // before the edit
	in      RegistrationInput
	score   int
	added   []Key
	keys    []Key
	holding bool
	pol     Policy
	now     time.Time
}

// settle lets the rule engine decide between the earliest holder and the
// edited claim, which enters at the edit time for its added keys.
func (e editConflict) settle(ctx context.Context, tx pgx.Tx, holders []candidate) error {
	h, tenantID, id := holders[0], e.by.TenantID, e.reg.ID
	mine := Claim{RegistrationID: id, OwnerName: e.reg.OwnerName, EffectiveAt: e.now, Completeness: e.score,
		HistoryEvidence: e.reg.HistoryClaim != ""}
	theirs, mine, err := opposingClaims(ctx, tx, tenantID, h, mine, e.reg.OwnerID, e.reg.TeamID)
	if err != nil {
		return err
	}
	d := decideAgainst(e.pol, theirs, mine, len(holders))
	switch d.Winner {
	case 0: // the holder keeps it; the edited claim is rejected
		if err := e.moveTo(ctx, tx, h.CustomerID); err != nil {
			return err
		}
		if err := releaseKeys(ctx, tx, tenantID, id); err != nil {
			return err
		}
		until := timeOrZero(h.ProtectedUntil)
		if h.Status != StatusActive {
			until = timeOrZero(protectionEnd(e.pol, e.now))
		}
		reason := LoserReason(d.Rule, h.RegisteredAt, until, e.pol.Location())
		if err := setDecision(ctx, tx, e.by, id, StatusRejected, d.Rule, reason, e.now); err != nil {
			return err
		}
		if err := recordConflict(ctx, tx, e.by, id, h.ID, h.MatchedOn, "decided", d, h.ID, e.now); err != nil {
			return err
		}
		if e.by.UserID != e.reg.OwnerID {
			if err := notify(ctx, tx, tenantID, e.reg.OwnerID, "conflict", i18n.Text{
				Zh: fmt.Sprintf("您对「%s」的报备经修改后与他人报备冲突, 已被驳回: %s", e.in.Customer.Name, reason.Zh),
				En: fmt.Sprintf("After a correction your registration of %s collided with another claim and was rejected: %s", e.in.Customer.Name, reason.En)},
				registrationLink(id)); err != nil {
				return err
			}
		}
		return notifyHolderKept(ctx, tx, tenantID, h, d.Rule)
	case 1: // the edited claim wins; the holder is rejected
		if err := e.moveTo(ctx, tx, h.CustomerID); err != nil {
			return err
		}
		if err := setDecisionWinner(ctx, tx, tenantID, id, d.Rule); err != nil {
			return err
		}
		until := timeOrZero(e.reg.ProtectedUntil)
		if e.reg.Status != StatusActive {
			until = timeOrZero(protectionEnd(e.pol, e.now))
		}
		if err := setDecision(ctx, tx, e.by, h.ID, StatusRejected, d.Rule, LoserReason(d.Rule, e.now, until, e.pol.Location()), e.now); err != nil {
			return err
		}
		if err := releaseKeys(ctx, tx, tenantID, h.ID); err != nil {
			return err
		}
		if e.holding {
			if err := takeKeys(ctx, tx, tenantID, id, e.added); err != nil {
				return err
			}
		}
		if err := updateCustomer(ctx, tx, tenantID, h.CustomerID, e.in.Customer, e.keys, e.now); err != nil {
			return err
		}
		if err := recordConflict(ctx, tx, e.by, id, h.ID, h.MatchedOn, "decided", d, id, e.now); err != nil {
			return err
		}
		return notifyHolderLost(ctx, tx, tenantID, h, d.Rule, e.pol.AppealDays)
	default: // arbitration: both wait for a manager, each keeping the keys it holds
		// The edited claim keeps its customer, known now by all its keys,
		// so that claims on the keys it holds still find it.
		if err := updateCustomer(ctx, tx, tenantID, e.reg.CustomerID, e.in.Customer, e.keys, e.now); err != nil {
			return err
		}
		if err := setStatus(ctx, tx, e.by, id, StatusInDispute, e.now); err != nil {
			return err
		}
		if err := setStatus(ctx, tx, e.by, h.ID, StatusInDispute, e.now); err != nil {
			return err
		}
		if err := recordConflict(ctx, tx, e.by, id, h.ID, h.MatchedOn, "in_dispute", d, 0, e.now); err != nil {
			return err
		}
		owner := Actor{TenantID: tenantID, UserID: e.reg.OwnerID, TeamID: e.reg.TeamID}
		return notifyArbitration(ctx, tx, tenantID, h, owner, e.now)
	}
}

// moveTo makes the edited claim a claim on customer id (the holder's),
// which it now describes, as a new registration colliding with the holder
// would be.
func (e editConflict) moveTo(ctx context.Context, tx pgx.Tx, customerID int64) error {
	if _, err := tx.Exec(ctx, `UPDATE registrations SET customer_id = $3 WHERE tenant_id = $1 AND id = $2`,
		e.by.TenantID, e.reg.ID, customerID); err != nil {
		return fmt.Errorf("edit conflict: %w", err)
	}
	return nil
}
