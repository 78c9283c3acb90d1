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

// SplitInput names the registrations to move off a customer onto a new
// customer record, and why.
type SplitInput struct {
	RegistrationIDs []int64
	Reason          string
}

// Split undoes a wrong match (拆分): the chosen registrations of customer
// id (ones the actor may read), with their visits, follow-ups and the deals they earned, move to a
// new customer record made from the earliest one's details, which takes
// the identity keys of the moved registrations that no remaining one has.
// A claim moved keeps its keys; each customer's holding claim then holds
// all of its customer's keys (as after a merge). It returns the new
// customer; ErrNotFound, ErrForbidden as Merge; Invalid for a missing
// reason, no registrations, ones not on the customer, all of them, or a
// merged customer.
func (s *Service) Split(ctx context.Context, by Actor, id int64, in SplitInput) (CustomerRecord, error) {
	var out CustomerRecord
	now := s.Now().Truncate(time.Microsecond)
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		newID, err := splitTx(ctx, tx, by, id, in, now)
		if err != nil {
			return err
		}
		out, err = customerRecord(ctx, tx, by, newID)
		return err
	})
	if err != nil {
		return CustomerRecord{}, fmt.Errorf("split: %w", err)
	}
	return out, nil
}

// splitRegistration is a registration on the customer being split.
type splitRegistration struct {
	ID      int64
	Details Customer
	Status  Status
	OwnerID int64
	TeamID  int64
}

func splitTx(ctx context.Context, tx pgx.Tx, by Actor, id int64, in SplitInput, now time.Time) (int64, error) {
	src, err := customerForChange(ctx, tx, by, id)
	if err != nil {
		return 0, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	f := map[string]i18n.Text{}
	checkReason(f, "reason", in.Reason)
	if len(in.RegistrationIDs) == 0 {
		f["registration_ids"] = i18n.Text{Zh: "请选择要拆分出去的报备", En: "Choose the registrations to split off"}
	}
	if len(f) > 0 {
		return 0, Invalid(f)
	}
	if src.MergedInto != 0 {
		return 0, InvalidMsg(i18n.Text{
			Zh: fmt.Sprintf("该客户已并入客户 #%d; 请撤销合并或拆分后者", src.MergedInto),
			En: fmt.Sprintf("This customer was merged into customer #%d; undo the merge or split that one", src.MergedInto)})
	}
	rows, err := tx.Query(ctx, `SELECT id, details, status, owner_id, COALESCE(team_id, 0) FROM registrations
		WHERE tenant_id = $1 AND customer_id = $2 ORDER BY registered_at, id FOR UPDATE`, by.TenantID, id)
	if err != nil {
		return 0, fmt.Errorf("split: %w", err)
	}
	regs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (splitRegistration, error) {
		var x splitRegistration
		err := r.Scan(&x.ID, &x.Details, &x.Status, &x.OwnerID, &x.TeamID)
		return x, err
	})
	if err != nil {
		return 0, fmt.Errorf("split: %w", err)
	}
	var moved, kept []splitRegistration
	for _, r := range regs {
		if r.Status == StatusInDispute {
			return 0, errCustomerInDispute
		}
		// Only registrations the actor may read can be chosen.
		if slices.Contains(in.RegistrationIDs, r.ID) && by.canRead(Registration{OwnerID: r.OwnerID, TeamID: r.TeamID}) {
			moved = append(moved, r)
		} else {
			kept = append(kept, r)
		}
	}
	switch {
	case len(moved) != len(distinct(in.RegistrationIDs)):
		return 0, Invalid(map[string]i18n.Text{"registration_ids": {Zh: "所选报备不属于该客户", En: "A chosen registration is not on this customer"}})
	case len(kept) == 0:
		return 0, Invalid(map[string]i18n.Text{"registration_ids": {
			Zh: "至少保留一项报备在原客户上", En: "Leave at least one registration on this customer"}})
	}
	keptKeys := map[Key]bool{}
	for _, r := range kept {
		for _, k := range r.Details.StrongKeys() {
			keptKeys[k] = true
		}
	}
	var keys []Key
	for _, r := range moved {
		for _, k := range r.Details.StrongKeys() {
			if !keptKeys[k] && !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	newID, err := insertCustomer(ctx, tx, by.TenantID, moved[0].Details, keys, now)
	if err != nil {
		return 0, err
	}
	movedIDs := make([]int64, len(moved))
	for i, r := range moved {
		movedIDs[i] = r.ID
	}
	if _, err := tx.Exec(ctx, `UPDATE registrations SET customer_id = $3 WHERE tenant_id = $1 AND id = ANY($2)`,
		by.TenantID, movedIDs, newID); err != nil {
		return 0, fmt.Errorf("split registrations: %w", err)
	}
	rows, err = tx.Query(ctx, `UPDATE deals SET customer_id = $4 WHERE tenant_id = $1 AND customer_id = $2 AND registration_id = ANY($3)
		RETURNING id`, by.TenantID, id, movedIDs, newID)
	if err != nil {
		return 0, fmt.Errorf("split deals: %w", err)
	}
	deals, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("split deals: %w", err)
	}
	kinds, values := splitKeys(keys)
	if _, err := tx.Exec(ctx, `DELETE FROM customer_keys WHERE tenant_id = $1 AND customer_id = $2
		AND (kind, key) IN (SELECT * FROM unnest($3::text[], $4::text[]))`, by.TenantID, id, kinds, values); err != nil {
		return 0, fmt.Errorf("split keys: %w", err)
	}
	if err := rehomeKeys(ctx, tx, by.TenantID, id, newID); err != nil {
		return 0, err
	}
	return newID, audit(ctx, tx, by, "customer.split", "customer", id, map[string]any{"registrations": movedIDs},
		map[string]any{"new_customer_id": newID, "registrations": movedIDs, "deals": deals, "keys": keys, "reason": in.Reason})
}

// rehomeKeys settles the live keys after a split of customer old into
// old and split: the claims moved to split let go of the keys that are
// not split's, and then each customer's holding claim takes the keys of
// its customer nobody holds.
func rehomeKeys(ctx context.Context, tx pgx.Tx, tenantID, old, split int64) error {
	if _, err := tx.Exec(ctx, `
		DELETE FROM live_keys lk USING registrations r
		WHERE lk.tenant_id = $1 AND r.tenant_id = $1 AND r.id = lk.registration_id AND r.customer_id = $2
			AND NOT EXISTS (SELECT 1 FROM customer_keys ck WHERE ck.tenant_id = $1 AND ck.customer_id = $2
				AND ck.kind = lk.kind AND ck.key = lk.key)`, tenantID, split); err != nil {
		return fmt.Errorf("rehome keys: %w", err)
	}
	pol, err := loadPolicy(ctx, tx, tenantID)
	if err != nil {
		return err
	}
	for _, c := range []int64{old, split} {
		var keeper int64
		err := tx.QueryRow(ctx, `SELECT COALESCE(min(r.id), 0) FROM registrations r WHERE r.tenant_id = $1 AND r.customer_id = $2
			AND r.status IN `+holdingStatuses+` AND EXISTS (SELECT 1 FROM live_keys lk WHERE lk.tenant_id = $1 AND lk.registration_id = r.id)
			HAVING count(*) = 1`, tenantID, c).Scan(&keeper)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("rehome keys: %w", err)
		}
		if _, err := adoptKeys(ctx, tx, tenantID, c, keeper, pol); err != nil {
			return err
		}
	}
	return nil
}
