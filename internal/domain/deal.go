package domain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/db"
	"baobei/internal/i18n"
)

// holdingStatuses are the states of a claim that keeps its customer from
// others: the live ones, and converted — a converted registration keeps
// its live_keys rows and its customer (later deals credit its owner) until
// it is released or reassigned (domain.md, Registrations). Candidates for
// conflicts, duplicates and the duplicate check are drawn from these.
const holdingStatuses = `('pending_review', 'pending_visit', 'active', 'in_dispute', 'converted')`

// Deal is a signed contract (成交) and who gets credit for it (api.md,
// deals). Full tells whether the caller is one of its readers — the
// recorder, the signer, the credited users, their managers, clerks and
// admins — who see the buyer's phone; other salespeople see an unclaimed
// deal without it, and with the customer's phones masked.
type Deal struct {
	ID             int64
	ContractNo     string
	CustomerID     int64
	Customer       Customer
	BuyerPhone     string
	SignedAt       time.Time
	Amount         float64
	SignerID       int64
	SignerName     string
	RecordedBy     int64
	Status         DealStatus
	Rule           AttributionRule
	OwnerID        int64
	OwnerName      string
	TeamID         int64
	TeamName       string
	RegistrationID int64
	AssistIDs      []int64
	AssistNames    []string
	ClaimDeadline  *time.Time
	AttributedAt   *time.Time
	CreatedAt      time.Time
	Claims         []DealClaim
	Full           bool
	// VoidedAt is when a clerk or admin voided the deal (作废), nil if not;
	// a voided deal is kept and shown, but credits nobody.
	VoidedAt     *time.Time
	VoidReason   string
	VoidedByName string
}

// ClaimOpen reports whether salespeople may still claim the deal at now.
func (d Deal) ClaimOpen(now time.Time) bool {
	return d.Status == DealUnclaimed && d.VoidedAt == nil && d.ClaimDeadline != nil && now.Before(*d.ClaimDeadline)
}

// DealInput is what a salesperson or clerk records for a deal. The
// customer is identified as for a registration; BuyerPhone is the phone
// of whoever signed on the customer's side.
type DealInput struct {
	ContractNo string     `json:"contract_no"`
	Customer   Customer   `json:"customer"`
	BuyerPhone string     `json:"buyer_phone"`
	SignedAt   *time.Time `json:"signed_at"`
	Amount     *float64   `json:"amount"`
	SignerID   int64      `json:"signer_id,string"`
}

// signedAtSkew is how far in the future a signing time may lie: clocks of
// the devices recording deals differ a little.
const signedAtSkew = time.Hour

// validate checks the deal's shape at now, keyed by JSON path.
func (in DealInput) validate(now time.Time) map[string]i18n.Text {
	errs := RegistrationInput{Customer: in.Customer}.Validate()
	switch no := strings.TrimSpace(in.ContractNo); {
	case no == "":
		errs["contract_no"] = msgRequired
	default:
		if m, bad := checkText(no, maxShortRunes, false); bad {
			errs["contract_no"] = m
		}
	}
	if m, bad := checkPhone(in.BuyerPhone); bad {
		errs["buyer_phone"] = m
	}
	switch {
	case in.SignedAt == nil:
		errs["signed_at"] = msgRequired
	case in.SignedAt.After(now.Add(signedAtSkew)):
		errs["signed_at"] = i18n.Text{Zh: "签约时间不能晚于现在", En: "The signing time cannot be in the future"}
	}
	if a := in.Amount; a == nil || math.IsNaN(*a) || *a <= 0 || *a > maxExpectedYuan {
		errs["amount"] = i18n.Text{Zh: "成交金额须为大于 0、不超过一万亿的数 (元)", En: "The amount must be a number of yuan above 0 and at most one trillion"}
	}
	if in.SignerID == 0 {
		errs["signer_id"] = msgRequired
	}
	return errs
}

// keys returns the deal's identity keys: the customer's, plus the buyer's
// phone, which identifies the customer like a contact's (domain.md: the
// buyer may be a relative).
func (in DealInput) keys() []Key {
	c := in.Customer
	if in.BuyerPhone != "" {
		c.Contacts = append(slices.Clone(c.Contacts), Contact{Phone: in.BuyerPhone, Relation: "self"})
	}
	return c.StrongKeys()
}

// phones lists the full phones of the deal: the buyer's and the
// customer's contacts of a strong relation.
func (in DealInput) phones() []string {
	var out []string
	for _, k := range in.keys() {
		if k.Kind == KeyPhone {
			out = append(out, k.Value)
		}
	}
	return out
}

// RecordDeal records a signed deal and attributes it (domain.md, Deals and
// attribution). An ownership question never blocks it: it is attributed
// to the owner of a registration live at signed_at, or left unclaimed for
// claim_window_days (at once the duty team's when the window is 0). Sales,
// managers, admins and clerks may record; it returns Invalid for bad
// input or an unknown signer, and CodeDuplicate for a contract number
// already recorded.
func (s *Service) RecordDeal(ctx context.Context, by Actor, in DealInput) (Deal, error) {
	if !by.Is(RoleSales, RoleManager, RoleAdmin, RoleClerk) {
		return Deal{}, ErrForbidden
	}
	now := s.Now().Truncate(time.Microsecond)
	if f := in.validate(now); len(f) > 0 {
		return Deal{}, Invalid(f)
	}
	in.ContractNo = strings.TrimSpace(in.ContractNo)
	in.Customer = in.Customer.normalized()
	in.BuyerPhone = NormalizePhone(in.BuyerPhone)
	var id int64
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var err error
		id, err = recordDealTx(ctx, tx, by, in, now)
		return err
	})
	if c, ok := db.UniqueViolation(err); ok && c == "deals_tenant_id_contract_no_key" {
		return Deal{}, &Error{Code: CodeDuplicate, Message: i18n.Text{
			Zh: "该合同号已录入过成交", En: "A deal with this contract number is already recorded"}}
	}
	if err != nil {
		return Deal{}, fmt.Errorf("record deal: %w", err)
	}
	return s.Deal(ctx, by, id)
}

func recordDealTx(ctx context.Context, tx pgx.Tx, by Actor, in DealInput, now time.Time) (int64, error) {
	var signerTeam int64
	err := tx.QueryRow(ctx, `SELECT COALESCE(team_id, 0) FROM users
		WHERE tenant_id = $1 AND id = $2 AND role IN ('sales', 'manager', 'admin')`, by.TenantID, in.SignerID).Scan(&signerTeam)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, Invalid(map[string]i18n.Text{"signer_id": {Zh: "签约人须为本公司的销售、经理或管理员", En: "The signer must be a salesperson, manager or admin of this company"}})
	}
	if err != nil {
		return 0, err
	}
	pol, err := loadPolicy(ctx, tx, by.TenantID)
	if err != nil {
		return 0, err
	}
	keys := in.keys()
	strong, err := uncommonKeys(ctx, tx, by.TenantID, keys, pol.CommonKeyLimit)
	if err != nil {
		return 0, err
	}
	cands, err := dealCandidates(ctx, tx, by.TenantID, strong, in.phones(), in.SignedAt.Add(time.Microsecond))
	if err != nil {
		return 0, err
	}
	managers, err := teamManagers(ctx, tx, by.TenantID)
	if err != nil {
		return 0, err
	}
	att := Attribute(AttributionInput{SignedAt: *in.SignedAt, SignerID: in.SignerID,
		ClaimDeadline: pol.addDays("claim_window_days", now, pol.ClaimWindowDays), CreditDepartedRelatives: pol.CreditDepartedRelatives,
		Candidates: candidatesOf(cands), TeamManagers: managers})

	var customerID int64
	var converts *dealCandidate
	for i, c := range cands {
		if c.RegistrationID == att.RegistrationID {
			customerID, converts = c.customerID, &cands[i]
		}
	}
	if customerID == 0 {
		if customerID, err = findCustomer(ctx, tx, by.TenantID, strong); err != nil {
			return 0, err
		}
	}
	if customerID == 0 {
		if customerID, err = insertCustomer(ctx, tx, by.TenantID, in.Customer, keys, now); err != nil {
			return 0, err
		}
	}
	details, err := json.Marshal(in.Customer)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRow(ctx, `
		INSERT INTO deals (tenant_id, contract_no, customer_id, customer, buyer_phone, signed_at, amount, signer_id, signer_team_id,
			recorded_by, status, rule, owner_id, team_id, registration_id, claim_deadline, attributed_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
		by.TenantID, in.ContractNo, customerID, details, in.BuyerPhone, *in.SignedAt, *in.Amount, in.SignerID, nullID(signerTeam),
		by.UserID, att.Status, att.Rule, nullID(att.OwnerID), nullID(att.TeamID), nullID(att.RegistrationID),
		att.ClaimDeadline, attributedAt(att, now), now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert deal: %w", err)
	}
	if err := addAssists(ctx, tx, by.TenantID, id, att.AssistIDs); err != nil {
		return 0, err
	}
	if err := audit(ctx, tx, by, "deal.create", "deal", id, nil, map[string]any{"contract_no": in.ContractNo,
		"kind": in.Customer.Kind, "customer": in.Customer.Name, "amount": *in.Amount, "signer_id": in.SignerID, "status": att.Status, "rule": att.Rule,
		"owner_id": att.OwnerID, "team_id": att.TeamID, "registration_id": att.RegistrationID, "assist_ids": att.AssistIDs}); err != nil {
		return 0, err
	}
	if converts != nil && converts.Status == StatusActive {
		if err := setStatus(ctx, tx, by, converts.RegistrationID, StatusConverted, now); err != nil {
			return 0, err
		}
	}
	if att.Status == DealUnclaimed && !now.Before(*att.ClaimDeadline) {
		// A claim window of 0 days: the duty team's at once.
		if _, err := assignDutyTeams(ctx, tx, by, pol, now, id); err != nil {
			return 0, err
		}
		return id, nil
	}
	return id, notifyCredit(ctx, tx, by.TenantID, id, in.ContractNo, in.Customer.Name, att.OwnerID, att.AssistIDs, by.UserID)
}

func attributedAt(a Attribution, now time.Time) *time.Time {
	if a.Status == DealUnclaimed {
		return nil
	}
	return &now
}

// nullID is id, or SQL NULL for 0.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// addAssists gives users assist credit on a deal, with their current teams.
func addAssists(ctx context.Context, tx pgx.Tx, tenantID, dealID int64, users []int64) error {
	if len(users) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO deal_assists (tenant_id, deal_id, user_id, team_id)
		SELECT $1, $2, u.id, u.team_id FROM users u WHERE u.tenant_id = $1 AND u.id = ANY($3) ON CONFLICT DO NOTHING`,
		tenantID, dealID, users)
	if err != nil {
		return fmt.Errorf("deal assists: %w", err)
	}
	return nil
}

// notifyCredit tells the credited owner and the assists about a deal,
// except whoever recorded it.
func notifyCredit(ctx context.Context, tx pgx.Tx, tenantID, dealID int64, contractNo, customer string, owner int64, assists []int64, recorder int64) error {
	if owner != 0 && owner != recorder {
		if err := notify(ctx, tx, tenantID, owner, "deal_credit", i18n.Text{
			Zh: fmt.Sprintf("成交「%s」(合同 %s) 的业绩归属于您", customer, contractNo),
			En: fmt.Sprintf("You are credited with the deal with %s (contract %s)", customer, contractNo)}, dealLink(dealID)); err != nil {
			return err
		}
	}
	for _, a := range assists {
		if a == recorder {
			continue
		}
		if err := notify(ctx, tx, tenantID, a, "deal_assist", i18n.Text{
			Zh: fmt.Sprintf("成交「%s」(合同 %s) 归属他人报备, 您获得协助业绩", customer, contractNo),
			En: fmt.Sprintf("The deal with %s (contract %s) belongs to another registration; you get assist credit", customer, contractNo)},
			dealLink(dealID)); err != nil {
			return err
		}
	}
	return nil
}

func dealLink(id int64) string { return fmt.Sprintf("/deals/%d", id) }

// dealCandidate is a registration of a deal's customer, as attribution
// needs it.
type dealCandidate struct {
	AttributionCandidate
	customerID int64
	matched    []string
	details    Customer
}

// dealCandidates finds every registration, in any state, registered
// before `before` for a customer that shares one of the strong keys, and
// locks them: one may be converted. phones are the deal's full phones,
// to tell a match through a relative from one through the customer.
func dealCandidates(ctx context.Context, tx pgx.Tx, tenantID int64, strong []Key, phones []string, before time.Time) ([]dealCandidate, error) {
	if len(strong) == 0 {
		return nil, nil
	}
	kinds, values := splitKeys(strong)
	rows, err := tx.Query(ctx, `
		WITH hits AS (
			SELECT ck.customer_id, array_agg(DISTINCT ck.kind ORDER BY ck.kind) AS matched
			FROM customer_keys ck JOIN unnest($2::text[], $3::text[]) AS k(kind, key) ON ck.kind = k.kind AND ck.key = k.key
			WHERE ck.tenant_id = $1
			GROUP BY ck.customer_id
		)
		SELECT r.id, r.owner_id, COALESCE(r.team_id, 0), r.customer_id, r.status, r.registered_at, r.status_changed_at,
			EXISTS (SELECT 1 FROM live_keys lk WHERE lk.tenant_id = r.tenant_id AND lk.registration_id = r.id),
			r.team_pool_at IS NOT NULL, u.active, h.matched, r.details
		FROM hits h
		JOIN registrations r ON r.tenant_id = $1 AND r.customer_id = h.customer_id AND r.registered_at < $4
		JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.owner_id
		ORDER BY r.id FOR UPDATE OF r`, tenantID, kinds, values, before)
	if err != nil {
		return nil, fmt.Errorf("deal candidates: %w", err)
	}
	cands, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (dealCandidate, error) {
		var c dealCandidate
		err := r.Scan(&c.RegistrationID, &c.OwnerID, &c.TeamID, &c.customerID, &c.Status, &c.RegisteredAt, &c.StatusChangedAt,
			&c.HoldsKeys, &c.TeamPool, &c.OwnerActive, &c.matched, &c.details)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("deal candidates: %w", err)
	}
	for i := range cands {
		cands[i].RelativeOnly = cands[i].relativeOnly(phones)
	}
	return cands, nil
}

// relativeOnly reports whether the registration matched the deal only by
// a phone that is not the customer's own: no name, credit code or project
// in common, and none of the deal's phones is that of a self contact.
func (c dealCandidate) relativeOnly(phones []string) bool {
	if len(c.matched) != 1 || c.matched[0] != string(KeyPhone) {
		return false
	}
	for _, ct := range c.details.Contacts {
		if ct.self() && slices.Contains(phones, NormalizePhone(ct.Phone)) {
			return false
		}
	}
	return true
}

func candidatesOf(cs []dealCandidate) []AttributionCandidate {
	out := make([]AttributionCandidate, len(cs))
	for i, c := range cs {
		out[i] = c.AttributionCandidate
	}
	return out
}

// teamManagers maps each team to the manager credited on its behalf: its
// active manager with the lowest id.
func teamManagers(ctx context.Context, tx pgx.Tx, tenantID int64) (map[int64]int64, error) {
	rows, err := tx.Query(ctx, `
		SELECT m.team_id, min(m.user_id) FROM team_managers m
		JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id AND u.active
		WHERE m.tenant_id = $1 GROUP BY m.team_id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("team managers: %w", err)
	}
	out := map[int64]int64{}
	var team, user int64
	_, err = pgx.ForEachRow(rows, []any{&team, &user}, func() error {
		out[team] = user
		return nil
	})
	return out, err
}

// dealHistory reports whether the customer has a deal signed by, or
// credited to, the user or (when teamID is not 0) their team: the
// history rule's signed deal in the system (domain.md, Conflict
// resolution).
func dealHistory(ctx context.Context, tx pgx.Tx, tenantID, customerID, userID, teamID int64) (bool, error) {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM deals d
		WHERE d.tenant_id = $1 AND d.customer_id = $2 AND d.voided_at IS NULL
			AND (d.owner_id = $3 OR d.signer_id = $3 OR ($4::bigint <> 0 AND (d.team_id = $4 OR d.signer_team_id = $4))))`,
		tenantID, customerID, userID, teamID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("deal history: %w", err)
	}
	return ok, nil
}

// dealReader is true when $2 (the caller, managing the teams $3, reading
// everything when $4) reads deal d in full.
const dealReader = `$4 OR d.recorded_by = $2 OR d.signer_id = $2 OR d.owner_id = $2
	OR d.team_id = ANY($3) OR d.signer_team_id = ANY($3)
	OR EXISTS (SELECT 1 FROM deal_assists x WHERE x.tenant_id = d.tenant_id AND x.deal_id = d.id
		AND (x.user_id = $2 OR x.team_id = ANY($3)))`

// dealColumns and dealFrom read a deal with its people's names; the last
// column is dealReader.
const dealColumns = `d.id, d.contract_no, d.customer_id, d.customer, d.buyer_phone, d.signed_at, d.amount::float8,
	d.signer_id, su.display_name, d.recorded_by, d.status, d.rule, COALESCE(d.owner_id, 0), COALESCE(ou.display_name, ''),
	COALESCE(d.team_id, 0), COALESCE(t.name, ''), COALESCE(d.registration_id, 0), d.claim_deadline, d.attributed_at, d.created_at,
	ARRAY(SELECT x.user_id FROM deal_assists x WHERE x.tenant_id = d.tenant_id AND x.deal_id = d.id ORDER BY x.user_id),
	ARRAY(SELECT xu.display_name FROM deal_assists x JOIN users xu ON xu.tenant_id = x.tenant_id AND xu.id = x.user_id
		WHERE x.tenant_id = d.tenant_id AND x.deal_id = d.id ORDER BY x.user_id),
	(` + dealReader + `) IS TRUE, d.voided_at, d.void_reason, COALESCE(vu.display_name, '')`

const dealFrom = ` FROM deals d
	JOIN users su ON su.tenant_id = d.tenant_id AND su.id = d.signer_id
	LEFT JOIN users ou ON ou.tenant_id = d.tenant_id AND ou.id = d.owner_id
	LEFT JOIN teams t ON t.tenant_id = d.tenant_id AND t.id = d.team_id
	LEFT JOIN users vu ON vu.tenant_id = d.tenant_id AND vu.id = d.voided_by `

// readerArgs are $1–$4 of dealColumns for by.
func (by Actor) readerArgs() []any {
	return []any{by.TenantID, by.UserID, managedTeams(by), by.Is(RoleAdmin, RoleClerk)}
}

func scanDeal(row pgx.Row) (Deal, error) {
	var d Deal
	err := row.Scan(&d.ID, &d.ContractNo, &d.CustomerID, &d.Customer, &d.BuyerPhone, &d.SignedAt, &d.Amount,
		&d.SignerID, &d.SignerName, &d.RecordedBy, &d.Status, &d.Rule, &d.OwnerID, &d.OwnerName,
		&d.TeamID, &d.TeamName, &d.RegistrationID, &d.ClaimDeadline, &d.AttributedAt, &d.CreatedAt,
		&d.AssistIDs, &d.AssistNames, &d.Full, &d.VoidedAt, &d.VoidReason, &d.VoidedByName)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, ErrNotFound
	}
	return d, err
}

// visibleTo returns d as by may see it, or false when by may not see it:
// readers see it whole; other salespeople see an unclaimed deal without
// the buyer's phone and with the customer's phones masked.
func (d Deal) visibleTo(by Actor) (Deal, bool) {
	if d.Full {
		return d, true
	}
	if d.Status != DealUnclaimed || d.VoidedAt != nil || !by.Is(RoleSales, RoleManager, RoleAdmin) {
		return Deal{}, false
	}
	d.BuyerPhone = ""
	d.Customer = d.Customer.masked()
	return d, true
}

// Deal returns one deal the actor may see, with its claims; any other is
// ErrNotFound (api.md: signer, credited users, their managers, clerks and
// admins; unclaimed deals to all of sales+, without the buyer's phone).
// Claims other than the caller's own show only to full readers.
func (s *Service) Deal(ctx context.Context, by Actor, id int64) (Deal, error) {
	var d Deal
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var err error
		d, err = getDeal(ctx, tx, by, id, false)
		return err
	})
	if err != nil {
		return Deal{}, fmt.Errorf("deal: %w", err)
	}
	return d, nil
}

// getDeal reads a deal by may see, with its claims; lock takes a row lock
// for a change.
func getDeal(ctx context.Context, tx pgx.Tx, by Actor, id int64, lock bool) (Deal, error) {
	sql := `SELECT ` + dealColumns + dealFrom + ` WHERE d.tenant_id = $1 AND d.id = $5`
	if lock {
		sql += ` FOR UPDATE OF d`
	}
	d, err := scanDeal(tx.QueryRow(ctx, sql, append(by.readerArgs(), id)...))
	if err != nil {
		return Deal{}, err
	}
	d, ok := d.visibleTo(by)
	if !ok {
		return Deal{}, ErrNotFound
	}
	d.Claims, err = claimsOfDeal(ctx, tx, by, d)
	return d, err
}

// DealFilter narrows a deal list.
type DealFilter struct {
	Status DealStatus // "" for all
	Query  string     // part of the contract number or the customer's name
	Limit  int
	Cursor int64 // list ids below this one
}

// Deals lists the deals the actor reads, newest first; with Status
// unclaimed, every unclaimed deal that is not voided for sales+ (without
// buyers' phones).
// Front desk sees none. It returns the next cursor, 0 at the end.
func (s *Service) Deals(ctx context.Context, by Actor, f DealFilter) ([]Deal, int64, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	args := by.readerArgs()
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	visible := `(` + dealReader + `) IS TRUE`
	if f.Status == DealUnclaimed && by.Is(RoleSales, RoleManager, RoleAdmin) {
		visible = `(d.voided_at IS NULL OR (` + dealReader + `) IS TRUE)`
	}
	where := []string{"d.tenant_id = $1", visible}
	if f.Status != "" {
		where = append(where, "d.status = "+arg(f.Status))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		p := arg("%" + escapeLike(q) + "%")
		where = append(where, "(d.contract_no ILIKE "+p+" OR (d.customer->>'name') ILIKE "+p+")")
	}
	if f.Cursor > 0 {
		where = append(where, "d.id < "+arg(f.Cursor))
	}
	sql := `SELECT ` + dealColumns + dealFrom + ` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY d.id DESC LIMIT ` + arg(f.Limit+1)
	var out []Deal
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Deal, error) { return scanDeal(row) })
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("deals: %w", err)
	}
	out, next := trimPage(out, f.Limit, func(x Deal) int64 { return x.ID })
	for i := range out {
		out[i], _ = out[i].visibleTo(by)
	}
	return out, next, nil
}
