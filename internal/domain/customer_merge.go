package domain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// DisputeWithdrawn is the state of a case a merge sent to arbitration
// when the merge was undone before anyone decided the case.
const DisputeWithdrawn DisputeStatus = "withdrawn"

// MergeInput names the customer (survivor) another is merged into, and why.
type MergeInput struct {
	IntoID int64  `json:"into_id,string"`
	Reason string `json:"reason"`
}

// MergeOutcome is what a merge did — or, from PreviewMerge, would do.
type MergeOutcome struct {
	SourceID      int64   `json:"source_id,string"`
	SourceName    string  `json:"source_name"`
	TargetID      int64   `json:"target_id,string"`
	TargetName    string  `json:"target_name"`
	Registrations []int64 `json:"registrations"` // moved to the survivor
	Deals         []int64 `json:"deals"`         // moved to the survivor
	Visits        int     `json:"visits"`        // of the moved registrations
	Keys          int     `json:"keys"`          // identity keys the survivor gains
	// Conflict is what the merge made of two claims now on one customer,
	// nil when there were not two.
	Conflict *MergeConflict `json:"conflict,omitempty"`
}

// MergeConflict is how two claims a merge brought onto one customer were
// settled: by the rule engine exactly as two registrations would be
// (Winner set, the loser rejected), sent to arbitration (both in
// dispute, DisputeID the case), or, for two claims of one owner, the later
// one rejected as a duplicate.
type MergeConflict struct {
	Duplicate   bool      `json:"duplicate"`
	Arbitration bool      `json:"arbitration"`
	Rule        Rule      `json:"rule,omitempty"`
	Reason      i18n.Text `json:"-"`
	EarlierID   int64     `json:"earlier_id,string"`
	EarlierName string    `json:"earlier_owner"`
	LaterID     int64     `json:"later_id,string"`
	LaterName   string    `json:"later_owner"`
	WinnerID    int64     `json:"winner_id,string,omitempty"`
	ConflictID  int64     `json:"conflict_id,string,omitempty"`
	DisputeID   int64     `json:"dispute_id,string,omitempty"`
}

// mergeRecord is what the audit log keeps of a merge (action
// customer.merge, entity the merged customer, in after): enough to undo it.
type mergeRecord struct {
	IntoID        int64        `json:"into_id"`
	Reason        string       `json:"reason"`
	At            time.Time    `json:"at"`
	Registrations []int64      `json:"registrations"`
	Deals         []int64      `json:"deals"`
	Dealers       []int64      `json:"dealers"`
	SourceKeys    []Key        `json:"source_keys"` // the merged customer's identity keys
	TargetKeys    []Key        `json:"target_keys"` // the survivor's, before
	Claims        []claimState `json:"claims"`      // the claims the merge changed, as they were
	Keeper        int64        `json:"keeper"`      // the claim that holds the survivor afterwards
	Adopted       []Key        `json:"adopted"`     // live keys the keeper took
	ConflictID    int64        `json:"conflict_id"`
	DisputeID     int64        `json:"dispute_id"`
}

// claimState is a claim as it stood before a merge changed it, and the
// state the merge left it in.
type claimState struct {
	ID       int64     `json:"id"`
	Status   Status    `json:"status"`
	Changed  time.Time `json:"status_changed_at"`
	Rule     Rule      `json:"decision_rule"`
	ReasonZh string    `json:"decision_reason_zh"`
	ReasonEn string    `json:"decision_reason_en"`
	Keys     []Key     `json:"live_keys"`
	After    Status    `json:"after"`
}

// mergeClaim is a claim holding one of the customers being merged.
type mergeClaim struct {
	claimState
	CustomerID     int64
	OwnerID        int64
	OwnerName      string
	TeamID         int64
	RegisteredAt   time.Time
	ProtectedUntil *time.Time
	Completeness   int
	HistoryClaim   string
}

// errPreview rolls back a merge that was only previewed.
var errPreview = errors.New("merge preview")

// Merge merges customer id into in.IntoID (客户合并): its registrations
// (with their visits, follow-ups and consents), deals, dealers and
// identity keys move to the survivor, and it points at the survivor from
// then on. Two claims of different owners that now hold one customer are
// settled by the tenant's rules as two registrations would be (the loser
// rejected, its keys to the winner), or sent to arbitration; the later of
// two claims of one owner is rejected as a duplicate. The claim holding
// the survivor afterwards holds all of its keys, so that a registration
// racing the merge meets it. Managers may merge customers held only by
// their teams, admins any. It returns the outcome; ErrNotFound for a
// customer the actor cannot read; ErrForbidden; Invalid for a missing
// reason or survivor, a merge with itself, a customer already merged, or
// a claim on either in dispute.
func (s *Service) Merge(ctx context.Context, by Actor, id int64, in MergeInput) (MergeOutcome, error) {
	var out MergeOutcome
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) (err error) {
		out, err = mergeTx(ctx, tx, by, id, in, s.Now().Truncate(time.Microsecond))
		return err
	})
	if err != nil {
		return MergeOutcome{}, fmt.Errorf("merge: %w", err)
	}
	return out, nil
}

// PreviewMerge tells what Merge would do, changing nothing: it runs the
// merge and rolls it back. A missing reason is no error here.
func (s *Service) PreviewMerge(ctx context.Context, by Actor, id, intoID int64) (MergeOutcome, error) {
	var out MergeOutcome
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) (err error) {
		out, err = mergeTx(ctx, tx, by, id, MergeInput{IntoID: intoID, Reason: "preview"}, s.Now().Truncate(time.Microsecond))
		if err == nil {
			err = errPreview
		}
		return err
	})
	if !errors.Is(err, errPreview) {
		return MergeOutcome{}, fmt.Errorf("preview merge: %w", err)
	}
	return out, nil
}

func mergeTx(ctx context.Context, tx pgx.Tx, by Actor, id int64, in MergeInput, now time.Time) (MergeOutcome, error) {
	src, err := customerForChange(ctx, tx, by, id)
	if err != nil {
		return MergeOutcome{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	f := map[string]i18n.Text{}
	checkReason(f, "reason", in.Reason)
	switch in.IntoID {
	case 0:
		f["into_id"] = i18n.Text{Zh: "请选择要并入的客户", En: "Choose the customer to merge into"}
	case id:
		f["into_id"] = i18n.Text{Zh: "不能与自身合并", En: "A customer cannot be merged with itself"}
	}
	if len(f) > 0 {
		return MergeOutcome{}, Invalid(f)
	}
	if src.MergedInto != 0 {
		return MergeOutcome{}, InvalidMsg(i18n.Text{
			Zh: fmt.Sprintf("该客户已并入客户 #%d", src.MergedInto),
			En: fmt.Sprintf("This customer was merged into customer #%d already", src.MergedInto)})
	}
	dst, err := customerForChange(ctx, tx, by, in.IntoID)
	if err != nil {
		return MergeOutcome{}, err
	}
	if dst.MergedInto != 0 {
		return MergeOutcome{}, Invalid(map[string]i18n.Text{"into_id": {
			Zh: fmt.Sprintf("该客户已并入客户 #%d, 请并入后者", dst.MergedInto),
			En: fmt.Sprintf("That customer was merged into customer #%d; merge into that one", dst.MergedInto)}})
	}
	pol, err := loadPolicy(ctx, tx, by.TenantID)
	if err != nil {
		return MergeOutcome{}, err
	}
	claims, err := holdingClaims(ctx, tx, by.TenantID, src.ID, dst.ID)
	if err != nil {
		return MergeOutcome{}, err
	}
	rec := mergeRecord{IntoID: dst.ID, Reason: in.Reason, At: now}
	if rec.SourceKeys, err = customerKeys(ctx, tx, by.TenantID, src.ID); err != nil {
		return MergeOutcome{}, err
	}
	if rec.TargetKeys, err = customerKeys(ctx, tx, by.TenantID, dst.ID); err != nil {
		return MergeOutcome{}, err
	}
	out := MergeOutcome{SourceID: src.ID, SourceName: src.Name, TargetID: dst.ID, TargetName: dst.Name}
	for _, k := range rec.SourceKeys {
		if !slices.Contains(rec.TargetKeys, k) {
			out.Keys++
		}
	}
	if err := moveCustomerRows(ctx, tx, by.TenantID, src.ID, dst.ID, &rec); err != nil {
		return MergeOutcome{}, err
	}
	out.Registrations, out.Deals = rec.Registrations, rec.Deals
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM visits WHERE tenant_id = $1 AND registration_id = ANY($2)`,
		by.TenantID, rec.Registrations).Scan(&out.Visits); err != nil {
		return MergeOutcome{}, fmt.Errorf("visits: %w", err)
	}
	if out.Conflict, err = settleMerge(ctx, tx, by, pol, dst, claims, &rec, now); err != nil {
		return MergeOutcome{}, err
	}
	if rec.Adopted, err = adoptKeys(ctx, tx, by.TenantID, dst.ID, rec.Keeper, pol); err != nil {
		return MergeOutcome{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE customers SET merged_into = $3, merged_at = $4, updated_at = $4
		WHERE tenant_id = $1 AND id = $2`, by.TenantID, src.ID, dst.ID, now); err != nil {
		return MergeOutcome{}, fmt.Errorf("mark merged: %w", err)
	}
	return out, audit(ctx, tx, by, "customer.merge", "customer", src.ID,
		map[string]any{"name": src.Name, "merged_into": nil, "target_name": dst.Name}, rec)
}

// holdingClaims reads and locks the claims holding customers a (the one
// merged) and b (the survivor), earliest first. A claim in dispute, or
// two holding one customer, are refused: a manager settles those first.
func holdingClaims(ctx context.Context, tx pgx.Tx, tenantID, a, b int64) ([]mergeClaim, error) {
	rows, err := tx.Query(ctx, `
		SELECT r.id, r.status, r.status_changed_at, r.decision_rule, r.decision_reason_zh, r.decision_reason_en,
			r.customer_id, r.owner_id, u.display_name, COALESCE(r.team_id, 0), r.registered_at, r.protected_until,
			r.completeness, r.history_claim
		FROM registrations r JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.owner_id
		WHERE r.tenant_id = $1 AND r.customer_id IN ($2, $3) AND r.status IN `+holdingStatuses+`
			AND (r.status = 'in_dispute' OR EXISTS (SELECT 1 FROM live_keys lk WHERE lk.tenant_id = r.tenant_id AND lk.registration_id = r.id))
		ORDER BY r.registered_at, r.id FOR UPDATE OF r`, tenantID, a, b)
	if err != nil {
		return nil, fmt.Errorf("holding claims: %w", err)
	}
	claims, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (mergeClaim, error) {
		var c mergeClaim
		err := r.Scan(&c.ID, &c.Status, &c.Changed, &c.Rule, &c.ReasonZh, &c.ReasonEn, &c.CustomerID, &c.OwnerID, &c.OwnerName,
			&c.TeamID, &c.RegisteredAt, &c.ProtectedUntil, &c.Completeness, &c.HistoryClaim)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("holding claims: %w", err)
	}
	per := map[int64]int{}
	for _, c := range claims {
		if c.Status == StatusInDispute {
			return nil, errCustomerInDispute
		}
		if per[c.CustomerID]++; per[c.CustomerID] > 1 {
			return nil, InvalidMsg(i18n.Text{
				Zh: "该客户同时被多个报备持有, 请先处理后再合并",
				En: "Several registrations hold this customer; settle them before merging"})
		}
	}
	return claims, nil
}

var errCustomerInDispute = InvalidMsg(i18n.Text{
	Zh: "该客户的报备正在申诉仲裁中, 请先裁决后再合并或拆分",
	En: "A registration of this customer is in dispute; decide the case before merging or splitting"})

// customerKeys returns a customer's identity keys.
func customerKeys(ctx context.Context, tx pgx.Tx, tenantID, id int64) ([]Key, error) {
	rows, err := tx.Query(ctx, `SELECT kind, key FROM customer_keys WHERE tenant_id = $1 AND customer_id = $2 ORDER BY kind, key`,
		tenantID, id)
	if err != nil {
		return nil, fmt.Errorf("customer keys: %w", err)
	}
	return pgx.CollectRows(rows, scanKey)
}

func scanKey(r pgx.CollectableRow) (Key, error) {
	var k Key
	err := r.Scan(&k.Kind, &k.Value)
	return k, err
}

// moveCustomerRows moves a customer's registrations, deals, dealers and
// identity keys to another, noting what moved in rec.
func moveCustomerRows(ctx context.Context, tx pgx.Tx, tenantID, from, to int64, rec *mergeRecord) error {
	for _, m := range []struct {
		table string
		ids   *[]int64
	}{{"registrations", &rec.Registrations}, {"deals", &rec.Deals}, {"dealers", &rec.Dealers}} {
		rows, err := tx.Query(ctx, `UPDATE `+m.table+` SET customer_id = $3 WHERE tenant_id = $1 AND customer_id = $2 RETURNING id`,
			tenantID, from, to)
		if err != nil {
			return fmt.Errorf("move %s: %w", m.table, err)
		}
		if *m.ids, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return fmt.Errorf("move %s: %w", m.table, err)
		}
		slices.Sort(*m.ids)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO customer_keys (tenant_id, kind, key, customer_id)
		SELECT tenant_id, kind, key, $3 FROM customer_keys WHERE tenant_id = $1 AND customer_id = $2
		ON CONFLICT DO NOTHING`, tenantID, from, to); err != nil {
		return fmt.Errorf("move keys: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM customer_keys WHERE tenant_id = $1 AND customer_id = $2`, tenantID, from); err != nil {
		return fmt.Errorf("move keys: %w", err)
	}
	return nil
}

// settleMerge settles the claims holding the two customers, now on the
// survivor dst, and names the claim that keeps it in rec.Keeper.
func settleMerge(ctx context.Context, tx pgx.Tx, by Actor, pol Policy, dst customerRow, claims []mergeClaim, rec *mergeRecord, now time.Time) (*MergeConflict, error) {
	switch len(claims) {
	case 0:
		return nil, nil
	case 1:
		rec.Keeper = claims[0].ID
		return nil, nil
	}
	a, b := claims[0], claims[1] // earlier, later
	mc := &MergeConflict{EarlierID: a.ID, EarlierName: a.OwnerName, LaterID: b.ID, LaterName: b.OwnerName}
	rec.Keeper = a.ID
	if a.OwnerID == b.OwnerID {
		mc.Duplicate, mc.WinnerID = true, a.ID
		mc.Reason = i18n.Text{
			Zh: fmt.Sprintf("客户合并后与您较早的报备 #%d 重复", a.ID),
			En: fmt.Sprintf("After a customer merge, a duplicate of your earlier registration #%d", a.ID)}
		return mc, loseMerged(ctx, tx, by, b, a, "", mc.Reason, rec, now)
	}
	ca := Claim{RegistrationID: a.ID, OwnerName: a.OwnerName, EffectiveAt: a.RegisteredAt, Completeness: a.Completeness,
		HistoryEvidence: strings.TrimSpace(a.HistoryClaim) != ""}
	cb := Claim{RegistrationID: b.ID, OwnerName: b.OwnerName, EffectiveAt: b.RegisteredAt, Completeness: b.Completeness,
		HistoryEvidence: strings.TrimSpace(b.HistoryClaim) != ""}
	var err error
	if ca.HistoryDeal, err = dealHistory(ctx, tx, by.TenantID, dst.ID, a.OwnerID, a.TeamID); err != nil {
		return nil, err
	}
	if cb.HistoryDeal, err = dealHistory(ctx, tx, by.TenantID, dst.ID, b.OwnerID, b.TeamID); err != nil {
		return nil, err
	}
	if ca.EffectiveAt.Equal(cb.EffectiveAt) {
		cb.EffectiveAt = cb.EffectiveAt.Add(time.Microsecond) // the claim the database took first counts as earlier
	}
	d := Decide(pol.ConflictRules, pol.CompletenessMargin, pol.Location(), ca, cb)
	mc.Rule, mc.Reason = d.Rule, d.Reason
	status := "decided"
	switch d.Winner {
	case 0, 1:
		winner, loser := a, b
		if d.Winner == 1 {
			winner, loser = b, a
		}
		mc.WinnerID, rec.Keeper = winner.ID, winner.ID
		reason := LoserReason(d.Rule, winner.RegisteredAt, timeOrZero(winner.ProtectedUntil), pol.Location())
		if err := loseMerged(ctx, tx, by, loser, winner, d.Rule, reason, rec, now); err != nil {
			return nil, err
		}
	default:
		mc.Arbitration, status = true, "in_dispute"
		for _, c := range []mergeClaim{a, b} {
			c.After = StatusInDispute
			rec.Claims = append(rec.Claims, c.claimState)
			if err := setStatus(ctx, tx, by, c.ID, StatusInDispute, now); err != nil {
				return nil, err
			}
		}
	}
	if err := recordConflict(ctx, tx, by, b.ID, a.ID, []string{"merge"}, status, d, mc.WinnerID, now); err != nil {
		return nil, err
	}
	if err := tx.QueryRow(ctx, `SELECT c.id, COALESCE(d.id, 0) FROM conflicts c
		LEFT JOIN disputes d ON d.tenant_id = c.tenant_id AND d.conflict_id = c.id
		WHERE c.tenant_id = $1 AND c.registration_id = $2 ORDER BY c.id DESC LIMIT 1`, by.TenantID, b.ID).
		Scan(&mc.ConflictID, &mc.DisputeID); err != nil {
		return nil, fmt.Errorf("merge conflict: %w", err)
	}
	rec.ConflictID, rec.DisputeID = mc.ConflictID, mc.DisputeID
	return mc, notifyMergeConflict(ctx, tx, by, dst.Name, mc, a, b, now)
}

// loseMerged rejects a claim that lost to another after a merge and gives
// its live keys to the winner.
func loseMerged(ctx context.Context, tx pgx.Tx, by Actor, loser, winner mergeClaim, rule Rule, reason i18n.Text, rec *mergeRecord, now time.Time) error {
	rows, err := tx.Query(ctx, `UPDATE live_keys SET registration_id = $3 WHERE tenant_id = $1 AND registration_id = $2
		RETURNING kind, key`, by.TenantID, loser.ID, winner.ID)
	if err != nil {
		return fmt.Errorf("hand over keys: %w", err)
	}
	if loser.Keys, err = pgx.CollectRows(rows, scanKey); err != nil {
		return fmt.Errorf("hand over keys: %w", err)
	}
	loser.After = StatusRejected
	rec.Claims = append(rec.Claims, loser.claimState)
	return setDecision(ctx, tx, by, loser.ID, StatusRejected, rule, reason, now)
}

// adoptKeys gives the claim keeper (0: none) every uncommon identity key
// of its customer that no claim holds, and returns them.
func adoptKeys(ctx context.Context, tx pgx.Tx, tenantID, customerID, keeper int64, pol Policy) ([]Key, error) {
	if keeper == 0 {
		return nil, nil
	}
	keys, err := customerKeys(ctx, tx, tenantID, customerID)
	if err != nil {
		return nil, err
	}
	strong, err := uncommonKeys(ctx, tx, tenantID, keys, pol.CommonKeyLimit)
	if err != nil || len(strong) == 0 {
		return nil, err
	}
	kinds, values := splitKeys(strong)
	rows, err := tx.Query(ctx, `
		INSERT INTO live_keys (tenant_id, kind, key, registration_id)
		SELECT $1, k.kind, k.key, $2 FROM unnest($3::text[], $4::text[]) AS k(kind, key)
		ON CONFLICT DO NOTHING RETURNING kind, key`, tenantID, keeper, kinds, values)
	if err != nil {
		return nil, fmt.Errorf("adopt keys: %w", err)
	}
	return pgx.CollectRows(rows, scanKey)
}

// notifyMergeConflict tells both owners, and for arbitration their
// managers, how the claims a merge brought together were settled.
func notifyMergeConflict(ctx context.Context, tx pgx.Tx, by Actor, name string, mc *MergeConflict, a, b mergeClaim, now time.Time) error {
	if mc.Arbitration {
		if err := notifyArbitration(ctx, tx, by.TenantID, candidate{ID: a.ID, OwnerID: a.OwnerID, TeamID: a.TeamID, CustomerName: name},
			Actor{TenantID: by.TenantID, TeamID: b.TeamID}, now); err != nil {
			return err
		}
	}
	for _, c := range []mergeClaim{a, b} {
		var text i18n.Text
		switch {
		case mc.Arbitration:
			if c.ID == a.ID {
				continue // told by notifyArbitration
			}
			text = i18n.Text{
				Zh: fmt.Sprintf("客户「%s」与另一客户记录合并后出现报备冲突, 规则无法裁决, 已提交仲裁", name),
				En: fmt.Sprintf("Customer %s was merged with another record; the rules cannot settle the conflict, which awaits arbitration", name)}
		case c.ID == mc.WinnerID:
			text = i18n.Text{
				Zh: fmt.Sprintf("客户「%s」与另一客户记录合并, 您的报备仍持有该客户", name),
				En: fmt.Sprintf("Customer %s was merged with another record; your registration still holds it", name)}
		default:
			text = i18n.Text{
				Zh: fmt.Sprintf("客户「%s」与另一客户记录合并, 您的报备被驳回: %s", name, mc.Reason.Zh),
				En: fmt.Sprintf("Customer %s was merged with another record and your registration lost: %s", name, mc.Reason.En)}
		}
		if err := notify(ctx, tx, by.TenantID, c.OwnerID, "conflict", text, registrationLink(c.ID)); err != nil {
			return err
		}
	}
	return nil
}

// UndoMerge undoes the merge of customer id into its survivor from the
// audit log's record of it: the rows that moved go back, the survivor
// loses the keys it gained, and the claims the merge changed get back
// their state and live keys; a case the merge opened is withdrawn. It
// returns the customer restored; ErrNotFound, ErrForbidden as Merge;
// Invalid for a missing reason, a customer not merged, a survivor merged
// on since, or when what the merge did has moved on (a registration
// split off, a claim whose state changed, a key another claim took).
func (s *Service) UndoMerge(ctx context.Context, by Actor, id int64, reason string) (CustomerRecord, error) {
	var out CustomerRecord
	now := s.Now().Truncate(time.Microsecond)
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		if err := undoMergeTx(ctx, tx, by, id, strings.TrimSpace(reason), now); err != nil {
			return err
		}
		var err error
		out, err = customerRecord(ctx, tx, by, id)
		return err
	})
	if errors.Is(err, errRaced) {
		err = errUndoMovedOn
	}
	if err != nil {
		return CustomerRecord{}, fmt.Errorf("undo merge: %w", err)
	}
	return out, nil
}

var errUndoMovedOn = InvalidMsg(i18n.Text{
	Zh: "合并后情况已有变化 (报备状态或归属已改变), 无法自动撤销; 请改用拆分",
	En: "Things have moved on since the merge (a registration changed state or customer), so it cannot be undone; split instead"})

func undoMergeTx(ctx context.Context, tx pgx.Tx, by Actor, id int64, reason string, now time.Time) error {
	src, err := customerForChange(ctx, tx, by, id)
	if err != nil {
		return err
	}
	f := map[string]i18n.Text{}
	if checkReason(f, "reason", reason); len(f) > 0 {
		return Invalid(f)
	}
	if src.MergedInto == 0 {
		return InvalidMsg(i18n.Text{Zh: "该客户没有被合并", En: "This customer was not merged"})
	}
	dst, err := customerForChange(ctx, tx, by, src.MergedInto)
	if err != nil {
		return err
	}
	if dst.MergedInto != 0 {
		return InvalidMsg(i18n.Text{
			Zh: fmt.Sprintf("合并后的客户已并入客户 #%d, 请先撤销那次合并", dst.MergedInto),
			En: fmt.Sprintf("The survivor was merged into customer #%d since; undo that merge first", dst.MergedInto)})
	}
	var raw string
	if err := tx.QueryRow(ctx, `SELECT after::text FROM audit_log WHERE tenant_id = $1 AND entity = 'customer' AND entity_id = $2
		AND action = 'customer.merge' ORDER BY id DESC LIMIT 1`, by.TenantID, src.ID).Scan(&raw); err != nil {
		return fmt.Errorf("merge record: %w", err)
	}
	if err := resolvePersonal(ctx, tx, by.TenantID, &raw); err != nil { // the keys' phones are kept apart
		return err
	}
	var rec mergeRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil || rec.IntoID != dst.ID {
		return fmt.Errorf("merge record of customer %d: %v", src.ID, err)
	}
	for _, m := range []struct {
		table string
		ids   []int64
	}{{"registrations", rec.Registrations}, {"deals", rec.Deals}, {"dealers", rec.Dealers}} {
		tag, err := tx.Exec(ctx, `UPDATE `+m.table+` SET customer_id = $3 WHERE tenant_id = $1 AND id = ANY($4) AND customer_id = $2`,
			by.TenantID, dst.ID, src.ID, m.ids)
		if err != nil {
			return fmt.Errorf("move back %s: %w", m.table, err)
		}
		if int(tag.RowsAffected()) != len(m.ids) {
			return errUndoMovedOn
		}
	}
	if err := restoreClaims(ctx, tx, by, rec, now); err != nil {
		return err
	}
	gained := slices.DeleteFunc(slices.Clone(rec.SourceKeys), func(k Key) bool { return slices.Contains(rec.TargetKeys, k) })
	kinds, values := splitKeys(gained)
	if _, err := tx.Exec(ctx, `DELETE FROM customer_keys WHERE tenant_id = $1 AND customer_id = $2
		AND (kind, key) IN (SELECT * FROM unnest($3::text[], $4::text[]))`, by.TenantID, dst.ID, kinds, values); err != nil {
		return fmt.Errorf("survivor keys: %w", err)
	}
	if err := insertCustomerKeys(ctx, tx, by.TenantID, src.ID, rec.SourceKeys); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE customers SET merged_into = NULL, merged_at = NULL, updated_at = $3
		WHERE tenant_id = $1 AND id = $2`, by.TenantID, src.ID, now); err != nil {
		return fmt.Errorf("unmerge: %w", err)
	}
	return audit(ctx, tx, by, "customer.unmerge", "customer", src.ID,
		map[string]any{"merged_into": dst.ID}, map[string]any{"merged_into": nil, "reason": reason, "registrations": rec.Registrations, "deals": rec.Deals})
}

// restoreClaims gives the claims a merge changed back their state and
// keys, takes back the keys the keeper adopted and closes the conflict
// the merge made (withdrawing its case).
func restoreClaims(ctx context.Context, tx pgx.Tx, by Actor, rec mergeRecord, now time.Time) error {
	if len(rec.Adopted) > 0 {
		kinds, values := splitKeys(rec.Adopted)
		if _, err := tx.Exec(ctx, `DELETE FROM live_keys WHERE tenant_id = $1 AND registration_id = $2
			AND (kind, key) IN (SELECT * FROM unnest($3::text[], $4::text[]))`, by.TenantID, rec.Keeper, kinds, values); err != nil {
			return fmt.Errorf("release adopted keys: %w", err)
		}
	}
	for _, c := range rec.Claims {
		var st Status
		var changed time.Time
		if err := tx.QueryRow(ctx, `SELECT status, status_changed_at FROM registrations WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
			by.TenantID, c.ID).Scan(&st, &changed); err != nil {
			return fmt.Errorf("claim %d: %w", c.ID, err)
		}
		if st != c.After || !changed.Equal(rec.At) {
			return errUndoMovedOn
		}
		if len(c.Keys) > 0 {
			kinds, values := splitKeys(c.Keys)
			if _, err := tx.Exec(ctx, `DELETE FROM live_keys WHERE tenant_id = $1 AND registration_id = $2
				AND (kind, key) IN (SELECT * FROM unnest($3::text[], $4::text[]))`, by.TenantID, rec.Keeper, kinds, values); err != nil {
				return fmt.Errorf("hand back keys: %w", err)
			}
			if err := takeKeys(ctx, tx, by.TenantID, c.ID, c.Keys); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE registrations SET status = $3, status_changed_at = $4, decision_rule = $5,
			decision_reason_zh = $6, decision_reason_en = $7 WHERE tenant_id = $1 AND id = $2`,
			by.TenantID, c.ID, c.Status, c.Changed, c.Rule, c.ReasonZh, c.ReasonEn); err != nil {
			return fmt.Errorf("restore claim %d: %w", c.ID, err)
		}
		if err := audit(ctx, tx, by, "registration.status", "registration", c.ID,
			map[string]Status{"status": st}, map[string]any{"status": c.Status, "undo_merge": true}); err != nil {
			return err
		}
	}
	if rec.ConflictID == 0 {
		return nil
	}
	if err := setConflictStatus(ctx, tx, by, rec.ConflictID, "decided", 0,
		i18n.Text{Zh: "客户合并已撤销", En: "The customer merge was undone"}); err != nil {
		return err
	}
	if rec.DisputeID == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE disputes SET status = 'withdrawn', updated_at = $3 WHERE tenant_id = $1 AND id = $2`,
		by.TenantID, rec.DisputeID, now); err != nil {
		return fmt.Errorf("withdraw case: %w", err)
	}
	return audit(ctx, tx, by, "dispute.status", "dispute", rec.DisputeID,
		map[string]DisputeStatus{"status": DisputeOpen}, map[string]any{"status": DisputeWithdrawn, "undo_merge": true})
}
