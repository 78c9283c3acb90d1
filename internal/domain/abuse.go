package domain

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AbuseRow is one user on the bulk-claiming watch list (恶意抢报): how
// often they registered customers or opened disputes in the window, and
// their busiest hour against the tenant's limit.
type AbuseRow struct {
	UserID   int64     `json:"user_id,string"`
	UserName string    `json:"user_name"`
	TeamName string    `json:"team_name,omitempty"`
	Kind     string    `json:"kind"` // registration | dispute
	Count    int       `json:"count"`
	PeakHour int       `json:"peak_hour"` // the most in any one hour
	PeakAt   time.Time `json:"peak_at"`   // the last event of that hour
	Limit    int       `json:"limit"`     // the tenant's limit per hour
	// Limited: the busiest hour reached the limit, so further attempts
	// were refused (429).
	Limited bool `json:"limited"`
	// Rejected counts the user's registrations in the window that lost a
	// conflict or review.
	Rejected int `json:"rejected"`
}

// AbuseWatch is the watch list of bulk claiming (domain.md: filing many
// disputes or registrations in bursts is rate-limited and visible to
// managers): since the given time, the users — of the teams a manager
// manages, or everyone for an admin — whose busiest hour of registrations
// (registration_burst_per_hour) or disputes (dispute_burst_per_hour)
// reached at least half the limit, the closest to it first. Other roles
// get ErrForbidden.
func (s *Service) AbuseWatch(ctx context.Context, by Actor, since time.Time) ([]AbuseRow, error) {
	if !by.Is(RoleManager, RoleAdmin) {
		return nil, ErrForbidden
	}
	var out []AbuseRow
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			WITH ev AS (
				SELECT e.user_id, e.kind, e.at, count(*) OVER (PARTITION BY e.user_id, e.kind ORDER BY e.at
					RANGE BETWEEN interval '1 hour' PRECEDING AND CURRENT ROW) AS in_hour
				FROM rate_events e
				WHERE e.tenant_id = $1 AND e.kind IN ('registration', 'dispute') AND e.at > $2
			), peaks AS (
				SELECT user_id, kind, count(*) AS total, max(in_hour) AS peak,
					(array_agg(at ORDER BY in_hour DESC, at))[1] AS peak_at,
					CASE kind WHEN 'registration' THEN $5::int ELSE $6::int END AS lim
				FROM ev GROUP BY user_id, kind
			)
			SELECT p.user_id, u.display_name, COALESCE(t.name, ''), p.kind, p.total, p.peak, p.peak_at, p.lim,
				(SELECT count(*) FROM registrations r WHERE r.tenant_id = $1 AND r.owner_id = p.user_id
					AND r.status = 'rejected' AND r.registered_at > $2)
			FROM peaks p JOIN users u ON u.tenant_id = $1 AND u.id = p.user_id
			LEFT JOIN teams t ON t.tenant_id = u.tenant_id AND t.id = u.team_id
			WHERE ($3 OR u.team_id = ANY($4)) AND p.peak * 2 >= p.lim
			ORDER BY p.peak::float8 / p.lim DESC, p.total DESC, p.user_id, p.kind`,
			by.TenantID, since, by.Is(RoleAdmin), managedTeams(by), pol.RegistrationBurstPerHour, pol.DisputeBurstPerHour)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (AbuseRow, error) {
			var a AbuseRow
			err := r.Scan(&a.UserID, &a.UserName, &a.TeamName, &a.Kind, &a.Count, &a.PeakHour, &a.PeakAt, &a.Limit, &a.Rejected)
			a.Limited = a.PeakHour >= a.Limit
			return a, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("abuse watch: %w", err)
	}
	return out, nil
}
