package domain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// The public pool (公海): customers no live claim holds, that expired,
// lapsed or were released. Anyone may register them again through the
// normal Register, which re-attaches the new claim to the customer by its
// keys; checkPoolClaim applies the pool's rules there.

// ReleaseReasons are the reasons a customer may be released for (the
// tenant list of domain.md: 无意向, 联系不上, 已在他处成交, 其他).
var ReleaseReasons = []string{"no_interest", "unreachable", "bought_elsewhere", "other"}

// PoolReasonLabel names why a customer returned to the pool: a release
// reason, or expired, overdue (follow-up overdue past the grace) or lapsed
// (no visit in time).
func PoolReasonLabel(reason string) i18n.Text {
	switch reason {
	case "expired":
		return i18n.Text{Zh: "保护期到期", En: "Protection expired"}
	case "overdue":
		return i18n.Text{Zh: "跟进逾期", En: "Follow-up overdue"}
	case "lapsed":
		return i18n.Text{Zh: "未按期到访", En: "No visit in time"}
	case "no_interest":
		return i18n.Text{Zh: "无意向", En: "No interest"}
	case "unreachable":
		return i18n.Text{Zh: "联系不上", En: "Unreachable"}
	case "bought_elsewhere":
		return i18n.Text{Zh: "已在他处成交", En: "Bought elsewhere"}
	}
	return i18n.Text{Zh: "其他", En: "Other"}
}

// claimEnd describes how a set of claims ends, for endClaimsSQL.
type claimEnd struct {
	to         Status
	poolReason string
	action     string    // audit action
	notice     i18n.Text // to the owner; %s is the customer's name
	extra      any       // more of the audit's "after", or nil
}

// consentCancelled tells a requester that the claim they asked about ended.
var consentCancelled = i18n.Text{
	Zh: "您申请联系的客户「%s」已不再受保护, 可直接在公海中报备",
	En: "The customer %s you asked to contact is no longer protected; you may register it from the public pool"}

// endClaimsSQL does, set-based, all that follows from ending the claims
// listed in $13–$17 (ids, customer ids, owner ids, customer names, the
// states they left): their live keys go, their customers return to the
// public pool unless another live claim remains, pending approvals about
// them and open consent requests on them are cancelled (requesters are
// told), each change is audited and each owner is told, unless the owner
// ended it. Parameters: $1 tenant, $2 now, $3 new status, $4 pool reason,
// $5 audit action, $6 acting user (NULL for the sweeper), $7 request id,
// $8/$9 the owner's notice (zh/en, %s the name), $10/$11 the requesters'
// notice, $12 extra audit data (jsonb).
//
// The claims are passed as arrays rather than joined from the UPDATE that
// ended them, so that the look-ups by id use their indexes and see the
// claims already ended.
const endClaimsSQL = `
	WITH due AS (SELECT * FROM unnest($13::bigint[], $14::bigint[], $15::bigint[], $16::text[], $17::text[])
		AS d(id, customer_id, owner_id, name, prior)),
	keys AS (DELETE FROM live_keys k WHERE k.tenant_id = $1 AND k.registration_id = ANY($13)),
	held AS (SELECT o.customer_id FROM registrations o
		WHERE o.tenant_id = $1 AND o.customer_id = ANY($14) AND o.status IN ` + liveStatuses + `),
	pooled AS (UPDATE customers c SET pooled_at = $2, pool_reason = $4
		WHERE c.tenant_id = $1 AND c.id = ANY($14) AND c.id NOT IN (SELECT customer_id FROM held)),
	consents AS (
		UPDATE consent_requests cr SET status = 'cancelled', answered_at = $2 FROM due
		WHERE cr.tenant_id = $1 AND cr.registration_id = due.id AND cr.status IN ('pending', 'escalated')
		RETURNING cr.id, cr.requester_id, due.name),
	approvals_cancelled AS (
		UPDATE approvals a SET status = 'cancelled', decided_at = $2
		WHERE a.tenant_id = $1 AND a.status = 'pending' AND (
			(a.entity = 'registration' AND a.entity_id = ANY($13))
			OR (a.entity = 'consent_request' AND a.entity_id IN (SELECT id FROM consents)))
		RETURNING a.id),
	audited AS (
		INSERT INTO audit_log (tenant_id, actor_id, action, entity, entity_id, before, after, request_id)
		SELECT $1, $6::bigint, $5, 'registration', id, jsonb_build_object('status', prior),
			jsonb_build_object('status', $3::text, 'pool_reason', $4::text) || $12::jsonb, $7 FROM due
		UNION ALL
		SELECT $1, $6::bigint, 'consent_request.cancel', 'consent_request', id, '{"status":"open"}'::jsonb,
			'{"status":"cancelled"}'::jsonb, $7 FROM consents
		UNION ALL
		SELECT $1, $6::bigint, 'approval.decide', 'approval', id, '{"status":"pending"}'::jsonb,
			'{"status":"cancelled"}'::jsonb, $7 FROM approvals_cancelled)
	INSERT INTO notifications (tenant_id, user_id, kind, text_zh, text_en, link)
	SELECT $1, owner_id, 'claim_ended', format($8, name), format($9, name), '/registrations/' || id
	FROM due WHERE owner_id IS DISTINCT FROM $6::bigint
	UNION ALL
	SELECT $1, requester_id, 'consent', format($10, name), format($11, name), '/pool' FROM consents`

// endClaims ends the claims that due selects and does all that follows
// (endClaimsSQL); it returns how many ended. due must be an UPDATE of
// registrations r setting status = $3 and status_changed_at = $2 (with $1
// the tenant; its own parameters follow from $4, given as dueArgs),
// RETURNING r.id, r.customer_id, r.owner_id, r.details->>'name' and the
// state it left.
func endClaims(ctx context.Context, tx pgx.Tx, tenantID int64, actor *int64, requestID string, now time.Time,
	end claimEnd, due string, dueArgs ...any) (int, error) {
	rows, err := tx.Query(ctx, due, append([]any{tenantID, now, end.to}, dueArgs...)...)
	if err != nil {
		return 0, fmt.Errorf("end claims (%s): %w", end.action, err)
	}
	var (
		ids, customers, owners []int64
		names, priors          []string
	)
	var id, customer, owner int64
	var name, prior string
	if _, err := pgx.ForEachRow(rows, []any{&id, &customer, &owner, &name, &prior}, func() error {
		ids, customers, owners = append(ids, id), append(customers, customer), append(owners, owner)
		names, priors = append(names, name), append(priors, prior)
		return nil
	}); err != nil {
		return 0, fmt.Errorf("end claims (%s): %w", end.action, err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	extra := []byte("{}")
	if end.extra != nil {
		if extra, err = json.Marshal(end.extra); err != nil {
			return 0, err
		}
	}
	if _, err := tx.Exec(ctx, endClaimsSQL, tenantID, now, end.to, end.poolReason, end.action, actor, requestID,
		end.notice.Zh, end.notice.En, consentCancelled.Zh, consentCancelled.En, extra,
		ids, customers, owners, names, priors); err != nil {
		return 0, fmt.Errorf("end claims (%s): %w", end.action, err)
	}
	return len(ids), nil
}

// ReleaseInput says why a customer is given back to the pool.
type ReleaseInput struct {
	ReasonCode string `json:"reason_code"`
	Note       string `json:"note"`
}

// Releasable reports whether a claim in this state may be released: it
// holds or waits for its customer, or (converted) keeps it after a deal;
// not while in a dispute, nor once ended.
func (s Status) Releasable() bool {
	return s == StatusActive || s == StatusPendingReview || s == StatusPendingVisit || s == StatusConverted
}

// Release gives a registration's customer back to the public pool with a
// reason (api.md: POST /registrations/{id}/release): its owner, a manager
// of its team or an admin may. The claim becomes released, its keys free;
// the owner is told when someone else released it. It returns ErrNotFound
// for a registration the actor cannot read, ErrForbidden when they may
// not release it, and Invalid for a missing reason (a note is required
// for "other") or a claim that is not held (in a dispute, or ended).
func (s *Service) Release(ctx context.Context, by Actor, id int64, in ReleaseInput) (Registration, error) {
	in.ReasonCode, in.Note = strings.TrimSpace(in.ReasonCode), strings.TrimSpace(in.Note)
	errs := map[string]i18n.Text{}
	if !slices.Contains(ReleaseReasons, in.ReasonCode) {
		errs["reason_code"] = i18n.Text{Zh: "请选择释放原因", En: "Choose a reason"}
	}
	if m, bad := checkText(in.Note, maxLongRunes, true); bad {
		errs["note"] = m
	} else if in.ReasonCode == "other" && in.Note == "" {
		errs["note"] = i18n.Text{Zh: "选择「其他」时请说明原因", En: "Explain the reason when choosing other"}
	}
	if len(errs) > 0 {
		return Registration{}, Invalid(errs)
	}
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		r, err := lockRegistration(ctx, tx, by, id)
		if err != nil {
			return err
		}
		if r.OwnerID != by.UserID && !by.Is(RoleAdmin) && !(by.Is(RoleManager) && by.ManagesTeam(r.TeamID)) {
			return Forbidden(i18n.Text{Zh: "只有报备人或其经理可以释放客户", En: "Only the owner or their manager can release a customer"})
		}
		if !r.Status.Releasable() {
			return InvalidMsg(i18n.Text{Zh: "该报备不是有效状态 (仲裁中或已失效), 不能释放", En: "This registration is in arbitration or no longer in force; it cannot be released"})
		}
		label := PoolReasonLabel(in.ReasonCode)
		n, err := endClaims(ctx, tx, by.TenantID, &by.UserID, by.RequestID, s.Now(), claimEnd{
			to: StatusReleased, poolReason: in.ReasonCode, action: "registration.release",
			notice: i18n.Text{
				Zh: "您的客户「%s」已被经理释放到公海 (" + escapeFormat(label.Zh) + ")",
				En: "Your customer %s was released to the public pool by a manager (" + escapeFormat(label.En) + ")"},
			extra: map[string]string{"reason_code": in.ReasonCode, "note": in.Note},
		}, `UPDATE registrations r SET status = $3, status_changed_at = $2
			FROM (SELECT status FROM registrations WHERE tenant_id = $1 AND id = $4) old
			WHERE r.tenant_id = $1 AND r.id = $4
			RETURNING r.id, r.customer_id, r.owner_id, r.details->>'name', old.status`, id)
		if err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("release %d: %d claims ended", id, n)
		}
		return nil
	})
	if err != nil {
		return Registration{}, fmt.Errorf("release: %w", err)
	}
	return s.Registration(ctx, by, id)
}

// escapeFormat quotes % for SQL format().
func escapeFormat(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// PoolEntry is one customer in the public pool, as everyone may see it:
// no previous owner.
type PoolEntry struct {
	CustomerID int64        `json:"customer_id,string"`
	Kind       CustomerKind `json:"kind"`
	Name       string       `json:"name"`
	Industry   string       `json:"industry"`
	Region     string       `json:"region"`
	ReturnedAt time.Time    `json:"returned_at"`
	Reason     string       `json:"reason"`
	// ReclaimableAt is set when the caller let this customer go and may
	// not claim it again before then (reclaim_cooldown_days).
	ReclaimableAt *time.Time `json:"reclaimable_at,omitempty"`
	claimID       int64      // the claim that returned it: the pages' order
}

// PoolFilter narrows and pages the public pool.
type PoolFilter struct {
	Query  string // part of the name
	Limit  int    // 1–500, default 50
	Cursor string // from the previous page, "" for the first
}

// errBadCursor is a cursor this code did not write.
var errBadCursor = Invalid(map[string]i18n.Text{"cursor": {Zh: "无效的游标", En: "invalid cursor"}})

// Pool lists the public pool (公海), the customers that returned to it
// (endClaims pooled them) and no live claim holds, most recently returned
// first, with a cursor for the next page ("" at the end).
// Sales, managers and admins may look; others get ErrForbidden.
func (s *Service) Pool(ctx context.Context, by Actor, f PoolFilter) ([]PoolEntry, string, error) {
	if !by.Is(RoleSales, RoleManager, RoleAdmin) {
		return nil, "", ErrForbidden
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	afterAt, afterID := time.Time{}, int64(0)
	if f.Cursor != "" {
		at, id, ok := strings.Cut(f.Cursor, "_")
		micros, err1 := strconv.ParseInt(at, 10, 64)
		n, err2 := strconv.ParseInt(id, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, "", errBadCursor
		}
		afterAt, afterID = time.UnixMicro(micros), n
	}
	var out []PoolEntry
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		// A pooled customer's newest ended claim is the one that returned
		// it (endClaims pools a customer as its last live claim ends): the
		// pool is walked through those claims, registrations_ended_idx.
		rows, err := tx.Query(ctx, `
			SELECT r.id, c.id, c.kind, c.name, COALESCE(c.details->>'industry', ''), c.region, c.pooled_at, c.pool_reason,
				(SELECT max(m.status_changed_at) FROM registrations m WHERE m.tenant_id = c.tenant_id AND m.customer_id = c.id
					AND m.owner_id = $2 AND m.status IN ('expired', 'released'))
			FROM registrations r
			JOIN customers c ON c.tenant_id = r.tenant_id AND c.id = r.customer_id AND c.pooled_at IS NOT NULL
			WHERE r.tenant_id = $1 AND r.status IN ('expired', 'released', 'lapsed')
				AND NOT EXISTS (SELECT 1 FROM registrations d WHERE d.tenant_id = r.tenant_id AND d.customer_id = r.customer_id
					AND d.status IN ('expired', 'released', 'lapsed') AND (d.status_changed_at, d.id) > (r.status_changed_at, r.id))
				AND NOT EXISTS (SELECT 1 FROM registrations o WHERE o.tenant_id = c.tenant_id AND o.customer_id = c.id
					AND o.status IN `+liveStatuses+`)
				AND ($3 = '' OR c.name ILIKE '%' || $3 || '%')
				AND ($5 = 0 OR (r.status_changed_at, r.id) < ($4, $5))
			ORDER BY r.status_changed_at DESC, r.id DESC LIMIT $6`,
			by.TenantID, by.UserID, escapeLike(strings.TrimSpace(f.Query)), afterAt, afterID, f.Limit+1)
		if err != nil {
			return err
		}
		now := s.Now()
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (PoolEntry, error) {
			var (
				e     PoolEntry
				ended *time.Time
			)
			err := r.Scan(&e.claimID, &e.CustomerID, &e.Kind, &e.Name, &e.Industry, &e.Region, &e.ReturnedAt, &e.Reason, &ended)
			if ended != nil {
				if at := ReclaimableAt(pol, *ended); at.After(now) {
					e.ReclaimableAt = &at
				}
			}
			return e, err
		})
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("pool: %w", err)
	}
	var next string
	if len(out) > f.Limit {
		out = out[:f.Limit]
		last := out[len(out)-1]
		next = strconv.FormatInt(last.ReturnedAt.UnixMicro(), 10) + "_" + strconv.FormatInt(last.claimID, 10)
	}
	return out, next, nil
}

// ReclaimableAt is when the previous owner of a customer whose claim
// expired or was released at ended may claim it again
// (reclaim_cooldown_days).
func ReclaimableAt(pol Policy, ended time.Time) time.Time {
	return pol.addDays("reclaim_cooldown_days", ended, pol.ReclaimCooldownDays)
}

// dayStart is the start of now's calendar day in loc.
func dayStart(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// checkPoolClaim applies the public pool's rules when by claims customer
// customerID unopposed: nothing for a customer that was never pooled;
// otherwise its previous owner waits out reclaim_cooldown_days after their
// claim expired or was released (released too: releasing and registering
// again must not reset the protection past max_renewals), and nobody
// claims more than max_pool_claims_per_day pooled customers in a calendar
// day of the tenant. Refusals are Invalid; a granted claim is counted.
func checkPoolClaim(ctx context.Context, tx pgx.Tx, by Actor, customerID int64, pol Policy, now time.Time) error {
	var pooled *time.Time
	err := tx.QueryRow(ctx, `SELECT pooled_at FROM customers WHERE tenant_id = $1 AND id = $2`, by.TenantID, customerID).Scan(&pooled)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && pooled == nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("pool claim: %w", err)
	}
	loc := pol.Location()
	var ended *time.Time
	if err := tx.QueryRow(ctx, `SELECT max(status_changed_at) FROM registrations
		WHERE tenant_id = $1 AND customer_id = $2 AND owner_id = $3 AND status IN ('expired', 'released')`,
		by.TenantID, customerID, by.UserID).Scan(&ended); err != nil {
		return fmt.Errorf("pool claim: cooldown: %w", err)
	}
	if ended != nil {
		if at := ReclaimableAt(pol, *ended); now.Before(at) {
			return InvalidMsg(i18n.Text{
				Zh: fmt.Sprintf("该客户由您的报备于 %s 回到公海, %d 天内您不能再次报备, 请于 %s 后再试",
					ended.In(loc).Format("2006-01-02 15:04"), pol.ReclaimCooldownDays, at.In(loc).Format("2006-01-02 15:04")),
				En: fmt.Sprintf("This customer returned to the pool from your registration on %s; you may not claim it again for %d days, until %s",
					ended.In(loc).Format("2006-01-02 15:04"), pol.ReclaimCooldownDays, at.In(loc).Format("2006-01-02 15:04"))})
		}
	}
	if pol.MaxPoolClaimsPerDay != nil {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM rate_events WHERE tenant_id = $1 AND user_id = $2 AND kind = 'pool_claim' AND at >= $3`,
			by.TenantID, by.UserID, dayStart(now, loc)).Scan(&n); err != nil {
			return fmt.Errorf("pool claim: count: %w", err)
		}
		if n >= *pol.MaxPoolClaimsPerDay {
			return InvalidMsg(i18n.Text{
				Zh: fmt.Sprintf("您今天已从公海领取 %d 个客户, 达到每日上限 %d 个, 请明天再试", n, *pol.MaxPoolClaimsPerDay),
				En: fmt.Sprintf("You have claimed %d customers from the public pool today, the daily limit of %d; try again tomorrow", n, *pol.MaxPoolClaimsPerDay)})
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO rate_events (tenant_id, user_id, kind, at) VALUES ($1, $2, 'pool_claim', $3)`, by.TenantID, by.UserID, now)
	return err
}
