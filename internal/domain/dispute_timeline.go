package domain

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// caseTimeline merges, oldest first, what happened to the claims of a
// case: their audited changes (registration, status changes, reviews,
// renewals …), the conflict and the case's own steps, walk-in visits,
// follow-ups, consent requests, and the deals with the customer. Phone
// views are left out.
func caseTimeline(ctx context.Context, tx pgx.Tx, tenantID int64, c caseRow) ([]CaseEvent, error) {
	regs, err := caseRegistrations(ctx, tx, tenantID, c)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `
		SELECT a.at, a.action, COALESCE(u.display_name, ''), CASE WHEN a.entity = 'registration' THEN a.entity_id ELSE 0 END,
			COALESCE(a.before->>'status', ''), COALESCE(a.after->>'status', ''), COALESCE(a.after->>'reason', '')
		FROM audit_log a LEFT JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.actor_id
		WHERE a.tenant_id = $1 AND a.action <> 'phone.view' AND (
			(a.entity = 'registration' AND a.entity_id = ANY($2)) OR (a.entity = 'conflict' AND a.entity_id = $3)
			OR (a.entity = 'dispute' AND a.entity_id = $4) OR (a.entity = 'deal' AND a.entity_id = $5))
		UNION ALL
		SELECT v.visited_at, 'visit', COALESCE(s.display_name, ''), v.registration_id, '', '',
			v.visitor_name || ' ×' || v.party_size || CASE WHEN v.note = '' THEN '' ELSE ' · ' || v.note END
				|| CASE WHEN v.voided_at IS NULL THEN '' ELSE ' · 已作废 / voided: ' || v.void_reason END
		FROM visits v LEFT JOIN users s ON s.tenant_id = v.tenant_id AND s.id = v.salesperson_id
		WHERE v.tenant_id = $1 AND v.registration_id = ANY($2)
		UNION ALL
		SELECT f.at, 'follow_up', u.display_name, f.registration_id, f.grade_before, f.grade_after, f.channel || ' · ' || f.note
		FROM follow_ups f JOIN users u ON u.tenant_id = f.tenant_id AND u.id = f.user_id
		WHERE f.tenant_id = $1 AND f.registration_id = ANY($2)
		UNION ALL
		SELECT q.created_at, 'consent', u.display_name, q.registration_id, '', q.status, q.reason
		FROM consent_requests q JOIN users u ON u.tenant_id = q.tenant_id AND u.id = q.requester_id
		WHERE q.tenant_id = $1 AND q.registration_id = ANY($2)
		UNION ALL
		SELECT x.signed_at, 'deal', u.display_name, COALESCE(x.registration_id, 0), '', x.status,
			x.contract_no || ' · ¥' || x.amount::text
				|| CASE WHEN x.voided_at IS NULL THEN '' ELSE ' · 已作废 / voided: ' || x.void_reason END
		FROM deals x JOIN users u ON u.tenant_id = x.tenant_id AND u.id = x.signer_id
		WHERE x.tenant_id = $1 AND x.customer_id = $6
		ORDER BY 1, 2`, tenantID, regs, c.ConflictID, c.ID, c.DealID, c.CustomerID)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	events, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CaseEvent, error) {
		var e CaseEvent
		err := r.Scan(&e.At, &e.Kind, &e.ActorName, &e.RegistrationID, &e.From, &e.To, &e.Note)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	if events == nil {
		events = []CaseEvent{}
	}
	return events, nil
}

// caseRegistrations are the claims whose history a case shows: the two of
// a conflict; for a deal, the parties' claims on its customer and the
// claim it was credited through.
func caseRegistrations(ctx context.Context, tx pgx.Tx, tenantID int64, c caseRow) ([]int64, error) {
	if c.Kind == DisputeConflict {
		return []int64{c.HolderID, c.NewcomerID}, nil
	}
	rows, err := tx.Query(ctx, `SELECT r.id FROM registrations r WHERE r.tenant_id = $1 AND r.customer_id = $2
		AND (r.owner_id = ANY($3) OR r.id = (SELECT registration_id FROM deals WHERE tenant_id = $1 AND id = $4))`,
		tenantID, c.CustomerID, c.Parties, c.DealID)
	if err != nil {
		return nil, fmt.Errorf("case registrations: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if ids == nil {
		ids = []int64{}
	}
	return ids, err
}
