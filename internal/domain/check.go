package domain

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// Match is one live claim a customer being registered collides with, as
// the duplicate check (查重) reports it. Sales never learn who holds it;
// ClaimRef is an opaque handle usable for consent requests and disputes.
type Match struct {
	Match          string     `json:"match"` // uscc, name_exact, phone, project, name_similar
	Similarity     float64    `json:"similarity,omitempty"`
	Status         Status     `json:"status"`
	ProtectedUntil *time.Time `json:"protected_until"`
	Own            bool       `json:"own"`
	ClaimRef       string     `json:"claim_ref"`
	// Common: the key is shared by many customers and is no evidence.
	Common bool `json:"common,omitempty"`
	// Why explains the match in words.
	Why i18n.Text `json:"-"`
	// RegistrationID is set only for the caller's own claim.
	RegistrationID int64 `json:"registration_id,string,omitempty"`
	// OwnerName is set only for admins and the holder's managers.
	OwnerName string `json:"owner_name,omitempty"`
	// OwnerTeam is the holder's team, set when the policy shows it
	// (show_owner_team) or for the readers who see OwnerName.
	OwnerTeam string `json:"owner_team,omitempty"`
}

// Strong reports whether the match would make a registration a conflict
// or a duplicate.
func (m Match) Strong() bool { return m.Match != "name_similar" && !m.Common }

// CheckResult is the duplicate check's answer, with the completeness the
// form would score.
type CheckResult struct {
	Matches      []Match  `json:"matches"`
	Completeness int      `json:"completeness"`
	Missing      []string `json:"missing"`
	MinRequired  int      `json:"min_completeness"`
}

// Check is the dry-run duplicate check (查重) offered while a registration
// is typed and through the API: strong matches with live claims, similar
// names as warnings, and the completeness score. It changes nothing but
// the rate log; checks are rate-limited per user.
func (s *Service) Check(ctx context.Context, by Actor, in RegistrationInput) (CheckResult, error) {
	if !by.Is(RoleSales, RoleManager, RoleAdmin) {
		return CheckResult{}, ErrForbidden
	}
	in.Customer = in.Customer.normalized()
	res := CheckResult{Matches: []Match{}}
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		res.Completeness, res.Missing = Completeness(in, pol.CompletenessWeights)
		res.MinRequired = pol.MinCompleteness
		if err := checkBurst(ctx, tx, by, "check", checksPerHour, s.Now()); err != nil {
			return err
		}
		keys := in.Customer.StrongKeys()
		strong, err := uncommonKeys(ctx, tx, by.TenantID, keys, pol.CommonKeyLimit)
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		cands, err := liveCandidatesNoLock(ctx, tx, by.TenantID, keys)
		if err != nil {
			return err
		}
		for _, c := range cands {
			seen[c.CustomerID] = true
			for _, kind := range c.MatchedOn {
				res.Matches = append(res.Matches, by.match(c, kind, !containsKind(strong, kind), 1, pol.ShowOwnerTeam))
			}
		}
		similar, err := similarClaims(ctx, tx, by.TenantID, NameKey(in.Customer.Name), pol.SimilarityThreshold)
		if err != nil {
			return err
		}
		for _, c := range similar {
			if !seen[c.CustomerID] {
				res.Matches = append(res.Matches, by.match(c.candidate, "name_similar", false, c.similarity, pol.ShowOwnerTeam))
			}
		}
		return nil
	})
	if err != nil {
		return CheckResult{}, fmt.Errorf("check: %w", err)
	}
	return res, nil
}

// checksPerHour bounds duplicate checks per user: typing triggers many, a
// script harvesting the customer list triggers far more.
const checksPerHour = 600

func containsKind(keys []Key, kind string) bool {
	for _, k := range keys {
		if string(k.Kind) == kind {
			return true
		}
	}
	return false
}

// match describes candidate c to by.
func (by Actor) match(c candidate, kind string, common bool, similarity float64, showTeam bool) Match {
	m := Match{Match: kind, Status: c.Status, ProtectedUntil: c.ProtectedUntil, Own: c.OwnerID == by.UserID,
		ClaimRef: c.ClaimRef, Common: common, Why: matchWhy(kind, common)}
	if kind == "name_similar" {
		m.Similarity = similarity
	}
	if m.Own {
		m.RegistrationID = c.ID
	}
	if by.Is(RoleAdmin) || (by.Is(RoleManager) && by.ManagesTeam(c.TeamID)) {
		m.OwnerName = c.OwnerName
		showTeam = true
	}
	if showTeam {
		m.OwnerTeam = c.TeamName
	}
	return m
}

func matchWhy(kind string, common bool) i18n.Text {
	if common {
		return i18n.Text{Zh: "该信息被大量客户共用 (如总机号码), 不作为判断依据", En: "Shared by many customers (a switchboard number, say); not evidence"}
	}
	switch kind {
	case "uscc":
		return i18n.Text{Zh: "统一社会信用代码相同", En: "Same unified social credit code"}
	case "name_exact":
		return i18n.Text{Zh: "客户名称相同 (忽略括号、地名位置与公司后缀)", En: "Same name (ignoring brackets, place order and legal suffixes)"}
	case "phone":
		return i18n.Text{Zh: "联系电话相同", En: "Same contact phone"}
	case "project":
		return i18n.Text{Zh: "项目名称相同", En: "Same project"}
	}
	return i18n.Text{Zh: "客户名称相似, 请确认是否为同一客户", En: "Similar name; check whether it is the same customer"}
}

// liveCandidatesNoLock is liveCandidates for reading only.
func liveCandidatesNoLock(ctx context.Context, tx pgx.Tx, tenantID int64, keys []Key) ([]candidate, error) {
	return queryCandidates(ctx, tx, tenantID, keys, "")
}

type similarCandidate struct {
	candidate
	similarity float64
}

// similarClaims finds live claims whose customer's name key is similar to
// nameKey (pg_trgm, using the trigram index), most similar first.
func similarClaims(ctx context.Context, tx pgx.Tx, tenantID int64, nameKey string, threshold float64) ([]similarCandidate, error) {
	if nameKey == "" {
		return nil, nil
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, fmt.Sprint(threshold)); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `
		SELECT r.id, r.owner_id, u.display_name, COALESCE(r.team_id, 0), COALESCE(t.name, ''), r.customer_id, c.name, r.status,
			r.registered_at, r.protected_until, r.completeness, r.history_claim, r.claim_ref, similarity(c.name_key, $2)
		FROM customers c
		JOIN registrations r ON r.tenant_id = c.tenant_id AND r.customer_id = c.id AND r.status IN `+liveStatuses+`
		JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.owner_id
		LEFT JOIN teams t ON t.tenant_id = r.tenant_id AND t.id = r.team_id
		WHERE c.tenant_id = $1 AND c.name_key % $2 AND c.name_key <> $2
		ORDER BY similarity(c.name_key, $2) DESC LIMIT 10`, tenantID, nameKey)
	if err != nil {
		return nil, fmt.Errorf("similar names: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (similarCandidate, error) {
		var c similarCandidate
		err := r.Scan(&c.ID, &c.OwnerID, &c.OwnerName, &c.TeamID, &c.TeamName, &c.CustomerID, &c.CustomerName, &c.Status,
			&c.RegisteredAt, &c.ProtectedUntil, &c.Completeness, &c.HistoryClaim, &c.ClaimRef, &c.similarity)
		return c, err
	})
}
