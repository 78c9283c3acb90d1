package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// VisitEffect is what a walk-in visit did (domain.md, Walk-in visits).
type VisitEffect string

// The effects of a visit.
const (
	// VisitConfirmed: the owner came along; the visit confirms their claim
	// (under require_visit it becomes active).
	VisitConfirmed VisitEffect = "confirmed"
	// VisitRegistered: the accompanying salesperson had no claim; front
	// desk registered the customer on their behalf.
	VisitRegistered VisitEffect = "registered"
	// VisitNotifiedOwner: a self-visit of a customer someone holds; the
	// owner was told.
	VisitNotifiedOwner VisitEffect = "notified_owner"
	// VisitUnassigned: a self-visit of a customer nobody holds.
	VisitUnassigned VisitEffect = "unassigned"
	// VisitConflict: someone else holds the customer; the rule engine
	// decided against the accompanying salesperson's claim, or sent it to
	// arbitration.
	VisitConflict VisitEffect = "conflict"
)

// VisitInput is what the front desk logs for a walk-in visit. Phone may be
// full or masked (1381234****); SalespersonID 0 is a self-visit (自行上门);
// VisitedAt nil is now; PartySize 0 is one.
type VisitInput struct {
	VisitorName   string     `json:"visitor_name"`
	Phone         string     `json:"phone"`
	Company       string     `json:"company"`
	SalespersonID int64      `json:"salesperson_id,string"`
	VisitedAt     *time.Time `json:"visited_at"`
	PartySize     int        `json:"party_size"`
	Note          string     `json:"note"`
}

// Visit is one logged visit as the front desk sees it: the phone masked.
type Visit struct {
	ID              int64
	VisitorName     string
	Phone           string
	Company         string
	CustomerName    string
	SalespersonID   int64
	SalespersonName string
	VisitedAt       time.Time
	PartySize       int
	Note            string
	Effect          VisitEffect
	RegistrationID  int64
	RecordedByName  string
	CreatedAt       time.Time
	// VoidedAt is when a clerk or admin voided the visit (作废), nil if
	// not; a voided visit stays on the sheet, marked, and confirms nothing.
	VoidedAt     *time.Time
	VoidReason   string
	VoidedByName string
}

// visitSkew is how far in the future a visit time may lie (device clocks).
const visitSkew = 10 * time.Minute

// maxPartySize bounds a visiting party.
const maxPartySize = 999

func (in VisitInput) validate(now time.Time) map[string]i18n.Text {
	errs := map[string]i18n.Text{}
	switch name := strings.TrimSpace(in.VisitorName); {
	case name == "":
		errs["visitor_name"] = msgRequired
	default:
		if m, bad := checkText(name, maxShortRunes, false); bad {
			errs["visitor_name"] = m
		} else if in.Company == "" && NameKey(name) == "" {
			errs["visitor_name"] = i18n.Text{Zh: "姓名须包含文字或数字", En: "The name needs letters or digits"}
		}
	}
	if m, bad := checkText(in.Company, maxNameRunes, false); bad {
		errs["company"] = m
	} else if strings.TrimSpace(in.Company) != "" && NameKey(in.Company) == "" {
		errs["company"] = i18n.Text{Zh: "公司名称须包含文字或数字", En: "The company name needs letters or digits"}
	}
	if m, bad := checkPhone(in.Phone); bad {
		errs["phone"] = m
	}
	if m, bad := checkText(in.Note, maxLongRunes, true); bad {
		errs["note"] = m
	}
	if in.PartySize < 0 || in.PartySize > maxPartySize {
		errs["party_size"] = i18n.Text{Zh: fmt.Sprintf("人数须为 1 – %d", maxPartySize), En: fmt.Sprintf("Party size must be 1–%d", maxPartySize)}
	}
	if in.VisitedAt != nil && in.VisitedAt.After(now.Add(visitSkew)) {
		errs["visited_at"] = i18n.Text{Zh: "到访时间不能晚于现在", En: "The visit time cannot be in the future"}
	}
	return errs
}

// customer is the customer the visit is about: the company, or the
// visitor in person, with the visitor as its contact.
func (in VisitInput) customer() Customer {
	c := Customer{Kind: KindPerson, Name: in.VisitorName,
		Contacts: []Contact{{Name: in.VisitorName, Phone: in.Phone, Relation: "self"}}}
	if in.Company != "" {
		c.Kind, c.Name = KindCompany, in.Company
	}
	return c.normalized()
}

// visitSource is the source of a registration the front desk files on a
// salesperson's behalf; it flags the registration for the salesperson to
// complete.
const visitSource = "前台到访登记"

// RecordVisit logs a walk-in visit and applies it (domain.md, Walk-in
// visits): matched against live (and converted) registrations by name key
// and phone — a masked phone only together with the same name — it
// confirms the accompanying owner's claim (under require_visit the
// earliest visit wins: the claim becomes active and competing pending
// claims are rejected), registers the customer on an accompanying
// salesperson's behalf (exempt from min_completeness; the rule engine
// settles a conflict), tells the owner about a self-visit, or is logged as
// unassigned. Pending-visit claims past visit_window_days lapse first.
// Front desk, clerks, managers and admins may log visits; it returns
// Invalid for bad input or a salesperson who cannot hold customers.
func (s *Service) RecordVisit(ctx context.Context, by Actor, in VisitInput) (Visit, error) {
	if !by.Is(RoleFrontdesk, RoleClerk, RoleManager, RoleAdmin) {
		return Visit{}, ErrForbidden
	}
	now := s.Now().Truncate(time.Microsecond)
	in.VisitorName, in.Company, in.Note = strings.TrimSpace(in.VisitorName), strings.TrimSpace(in.Company), strings.TrimSpace(in.Note)
	if f := in.validate(now); len(f) > 0 {
		return Visit{}, Invalid(f)
	}
	in.Phone = NormalizePhone(in.Phone)
	if in.VisitedAt == nil {
		in.VisitedAt = &now
	}
	*in.VisitedAt = in.VisitedAt.Truncate(time.Microsecond)
	if in.PartySize == 0 {
		in.PartySize = 1
	}
	var id int64
	err := s.inTenantRaced(ctx, by.TenantID, func(tx pgx.Tx) (err error) {
		id, err = recordVisitTx(ctx, tx, by, in, now)
		return err
	})
	if err != nil {
		return Visit{}, fmt.Errorf("record visit: %w", err)
	}
	return s.Visit(ctx, by, id)
}

// visitOutcome is what applying a visit came to.
type visitOutcome struct {
	effect VisitEffect
	regID  int64
}

func recordVisitTx(ctx context.Context, tx pgx.Tx, by Actor, in VisitInput, now time.Time) (int64, error) {
	pol, err := loadPolicy(ctx, tx, by.TenantID)
	if err != nil {
		return 0, err
	}
	var sales *Actor
	if in.SalespersonID != 0 {
		a := Actor{TenantID: by.TenantID, UserID: in.SalespersonID, RequestID: by.RequestID}
		err := loadActor(ctx, tx, &a)
		if err != nil || !a.Is(RoleSales, RoleManager, RoleAdmin) {
			if err != nil && ErrorCode(err) == "" {
				return 0, err
			}
			return 0, Invalid(map[string]i18n.Text{"salesperson_id": {Zh: "陪同人须为在职的销售或经理", En: "The accompanying person must be an active salesperson or manager"}})
		}
		sales = &a
	}
	cust := in.customer()
	keys, err := visitKeys(ctx, tx, by.TenantID, cust, in.Phone)
	if err != nil {
		return 0, err
	}
	strong, err := uncommonKeys(ctx, tx, by.TenantID, keys, pol.CommonKeyLimit)
	if err != nil {
		return 0, err
	}
	// Claims whose visit window passed lapse before the visit can count
	// (the sweep's step, run now rather than at the next sweep).
	if _, err := lapseUnvisited(ctx, tx, by.TenantID, pol, now); err != nil {
		return 0, err
	}
	cands, err := liveCandidates(ctx, tx, by.TenantID, strong)
	if err != nil {
		return 0, err
	}
	var out visitOutcome
	switch {
	case sales != nil:
		out, err = accompaniedVisit(ctx, tx, *sales, pol, in, cust, cands, now)
	case len(cands) > 0:
		out, err = selfVisit(ctx, tx, by.TenantID, in, cands)
	default:
		out = visitOutcome{effect: VisitUnassigned}
	}
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRow(ctx, `
		INSERT INTO visits (tenant_id, visitor_name, phone, company, customer_name, salesperson_id, visited_at, party_size, note,
			effect, registration_id, recorded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		by.TenantID, in.VisitorName, in.Phone, in.Company, cust.Name, nullID(in.SalespersonID), *in.VisitedAt, in.PartySize, in.Note,
		out.effect, nullID(out.regID), by.UserID, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert visit: %w", err)
	}
	return id, audit(ctx, tx, by, "visit.create", "visit", id, nil, map[string]any{"visitor": in.VisitorName,
		"phone": MaskPhone(in.Phone), "company": in.Company, "salesperson_id": in.SalespersonID, "visited_at": *in.VisitedAt,
		"effect": out.effect, "registration_id": out.regID})
}

// visitKeys returns the strong keys of the visiting customer. A masked
// phone gives no key of its own; for a person it stands for the full
// phones of the same-named people it may be (the person's name keys
// "name|phone" whose phone PhonesMatch it).
func visitKeys(ctx context.Context, tx pgx.Tx, tenantID int64, c Customer, phone string) ([]Key, error) {
	keys := c.StrongKeys()
	name := NameKey(c.Name)
	if c.Kind != KindPerson || !PhoneMasked(phone) || name == "" {
		return keys, nil
	}
	prefix := name + "|"
	// Keys sort by code point (the databases are created with the
	// C.UTF-8 locale), so "name|…" lies between "name|" and "name}".
	rows, err := tx.Query(ctx, `SELECT key FROM customer_keys
		WHERE tenant_id = $1 AND kind = 'name_exact' AND key >= $2 AND key < $3`, tenantID, prefix, name+"}")
	if err != nil {
		return nil, fmt.Errorf("masked phone keys: %w", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("masked phone keys: %w", err)
	}
	for _, k := range found {
		if full, ok := strings.CutPrefix(k, prefix); ok && PhonesMatch(phone, full) {
			keys = append(keys, Key{Kind: KeyName, Value: k})
		}
	}
	return keys, nil
}

// accompaniedVisit applies a visit with salesperson sales: it confirms
// their claim, or registers the customer on their behalf.
func accompaniedVisit(ctx context.Context, tx pgx.Tx, sales Actor, pol Policy, in VisitInput, cust Customer, cands []candidate, now time.Time) (visitOutcome, error) {
	for _, c := range cands {
		if c.OwnerID == sales.UserID {
			return confirmVisit(ctx, tx, sales, pol, c.ID, *in.VisitedAt, now)
		}
	}
	rin := RegistrationInput{Customer: cust, FirstContactAt: in.VisitedAt, Source: visitSource}
	if f := rin.Validate(); len(f) > 0 {
		return visitOutcome{}, Invalid(f)
	}
	id, err := registerTx(ctx, tx, sales, rin, now, true)
	if err != nil {
		return visitOutcome{}, err
	}
	var status Status
	if err := tx.QueryRow(ctx, `SELECT status FROM registrations WHERE tenant_id = $1 AND id = $2`, sales.TenantID, id).Scan(&status); err != nil {
		return visitOutcome{}, fmt.Errorf("registered on behalf: %w", err)
	}
	if status == StatusRejected || status == StatusInDispute {
		return visitOutcome{effect: VisitConflict, regID: id}, nil
	}
	out, err := confirmVisit(ctx, tx, sales, pol, id, *in.VisitedAt, now)
	if err != nil || out.effect != VisitConfirmed {
		return out, err
	}
	return visitOutcome{effect: VisitRegistered, regID: id}, notify(ctx, tx, sales.TenantID, sales.UserID, "visit_registered", i18n.Text{
		Zh: fmt.Sprintf("前台已在客户「%s」到访时为您代为报备, 请尽快补充客户资料", cust.Name),
		En: fmt.Sprintf("The front desk registered %s on your behalf when they visited; please complete the details", cust.Name)},
		registrationLink(id))
}

// confirmVisit records that the customer of registration id visited at
// visitedAt with its owner (by). A claim waiting for the visit becomes
// active and takes the customer's keys — the earliest visit wins, so the
// customer's other claims waiting for a visit are rejected — unless
// another claim already holds the customer: then it loses (conflict).
func confirmVisit(ctx context.Context, tx pgx.Tx, by Actor, pol Policy, id int64, visitedAt, now time.Time) (visitOutcome, error) {
	var (
		status     Status
		customerID int64
		details    Customer
	)
	err := tx.QueryRow(ctx, `UPDATE registrations SET visited_at = COALESCE(visited_at, $3)
		WHERE tenant_id = $1 AND id = $2 RETURNING status, customer_id, details`, by.TenantID, id, visitedAt).
		Scan(&status, &customerID, &details)
	if err != nil {
		return visitOutcome{}, fmt.Errorf("confirm visit: %w", err)
	}
	if err := audit(ctx, tx, by, "registration.visit", "registration", id, nil, map[string]any{"visited_at": visitedAt}); err != nil {
		return visitOutcome{}, err
	}
	if status != StatusPendingVisit {
		return visitOutcome{effect: VisitConfirmed, regID: id}, nil
	}
	keys := details.StrongKeys()
	strong, err := uncommonKeys(ctx, tx, by.TenantID, keys, pol.CommonKeyLimit)
	if err != nil {
		return visitOutcome{}, err
	}
	cands, err := liveCandidates(ctx, tx, by.TenantID, strong)
	if err != nil {
		return visitOutcome{}, err
	}
	loc := pol.Location()
	for _, h := range cands {
		if h.holdsKeys && h.ID != id {
			reason := LoserReason(RuleTime, h.RegisteredAt, timeOrZero(h.ProtectedUntil), loc)
			return visitOutcome{effect: VisitConflict, regID: id}, setDecision(ctx, tx, by, id, StatusRejected, RuleTime, reason, now)
		}
	}
	if err := activate(ctx, tx, by.TenantID, id, pol, now); err != nil {
		return visitOutcome{}, err
	}
	if err := audit(ctx, tx, by, "registration.status", "registration", id,
		map[string]Status{"status": StatusPendingVisit}, map[string]Status{"status": StatusActive}); err != nil {
		return visitOutcome{}, err
	}
	if err := takeKeys(ctx, tx, by.TenantID, id, strong); err != nil {
		return visitOutcome{}, err
	}
	at := visitedAt.In(loc).Format(decideTimeLayout)
	reason := i18n.Text{
		Zh: fmt.Sprintf("该客户已于 %s 随其他销售到访登记 (以到访为准)", at),
		En: fmt.Sprintf("This customer visited the office with another salesperson at %s (the earliest visit wins)", at)}
	for _, c := range cands {
		if c.ID == id || c.Status != StatusPendingVisit || c.CustomerID != customerID {
			continue
		}
		if err := setDecision(ctx, tx, by, c.ID, StatusRejected, RuleTime, reason, now); err != nil {
			return visitOutcome{}, err
		}
		if err := notify(ctx, tx, by.TenantID, c.OwnerID, "conflict", i18n.Text{
			Zh: fmt.Sprintf("您对「%s」的报备未生效: %s", c.CustomerName, reason.Zh),
			En: fmt.Sprintf("Your registration of %s did not take effect: %s", c.CustomerName, reason.En)},
			registrationLink(c.ID)); err != nil {
			return visitOutcome{}, err
		}
	}
	return visitOutcome{effect: VisitConfirmed, regID: id}, nil
}

// selfVisit tells the owners of the matched claims that their customer
// came in by themselves (自行上门).
func selfVisit(ctx context.Context, tx pgx.Tx, tenantID int64, in VisitInput, cands []candidate) (visitOutcome, error) {
	out := visitOutcome{effect: VisitNotifiedOwner, regID: cands[0].ID}
	for _, c := range cands {
		if c.holdsKeys {
			out.regID = c.ID
			break
		}
	}
	told := map[int64]bool{}
	for _, c := range cands {
		if told[c.OwnerID] {
			continue
		}
		told[c.OwnerID] = true
		if err := notify(ctx, tx, tenantID, c.OwnerID, "visit", i18n.Text{
			Zh: fmt.Sprintf("您的客户「%s」自行到访 (来访人 %s, %d 人)", c.CustomerName, in.VisitorName, in.PartySize),
			En: fmt.Sprintf("Your customer %s came to the office by themselves (%s, party of %d)", c.CustomerName, in.VisitorName, in.PartySize)},
			registrationLink(c.ID)); err != nil {
			return out, err
		}
	}
	return out, nil
}

const visitColumns = `v.id, v.visitor_name, v.phone, v.company, v.customer_name, COALESCE(v.salesperson_id, 0),
	COALESCE(su.display_name, ''), v.visited_at, v.party_size, v.note, v.effect, COALESCE(v.registration_id, 0),
	ru.display_name, v.created_at, v.voided_at, v.void_reason, COALESCE(vu.display_name, '')`

const visitFrom = ` FROM visits v
	LEFT JOIN users su ON su.tenant_id = v.tenant_id AND su.id = v.salesperson_id
	JOIN users ru ON ru.tenant_id = v.tenant_id AND ru.id = v.recorded_by
	LEFT JOIN users vu ON vu.tenant_id = v.tenant_id AND vu.id = v.voided_by `

func scanVisit(row pgx.Row) (Visit, error) {
	var v Visit
	err := row.Scan(&v.ID, &v.VisitorName, &v.Phone, &v.Company, &v.CustomerName, &v.SalespersonID, &v.SalespersonName,
		&v.VisitedAt, &v.PartySize, &v.Note, &v.Effect, &v.RegistrationID, &v.RecordedByName, &v.CreatedAt,
		&v.VoidedAt, &v.VoidReason, &v.VoidedByName)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, ErrNotFound
	}
	v.Phone = MaskPhone(v.Phone)
	return v, err
}

// Visit returns one logged visit, phone masked, to front desk, clerks,
// managers and admins; ErrNotFound for an unknown id.
func (s *Service) Visit(ctx context.Context, by Actor, id int64) (Visit, error) {
	if !by.Is(RoleFrontdesk, RoleClerk, RoleManager, RoleAdmin) {
		return Visit{}, ErrForbidden
	}
	var v Visit
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var err error
		v, err = scanVisit(tx.QueryRow(ctx, `SELECT `+visitColumns+visitFrom+` WHERE v.tenant_id = $1 AND v.id = $2`, by.TenantID, id))
		return err
	})
	return v, err
}

// Visits is the daily visit sheet (每日到访登记表): the visits of one
// calendar day in the tenant's zone (day as YYYY-MM-DD), in visit order,
// phones masked. Front desk, clerks, managers and admins may read it; a
// malformed day is Invalid.
func (s *Service) Visits(ctx context.Context, by Actor, day string) ([]Visit, error) {
	if !by.Is(RoleFrontdesk, RoleClerk, RoleManager, RoleAdmin) {
		return nil, ErrForbidden
	}
	var out []Visit
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		start, err := time.ParseInLocation(time.DateOnly, day, pol.Location())
		if err != nil {
			return Invalid(map[string]i18n.Text{"date": {Zh: "日期格式须为 YYYY-MM-DD", En: "The date must be YYYY-MM-DD"}})
		}
		rows, err := tx.Query(ctx, `SELECT `+visitColumns+visitFrom+`
			WHERE v.tenant_id = $1 AND v.visited_at >= $2 AND v.visited_at < $3 ORDER BY v.visited_at, v.id`,
			by.TenantID, start, start.AddDate(0, 0, 1))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Visit, error) { return scanVisit(r) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("visits: %w", err)
	}
	return out, nil
}
