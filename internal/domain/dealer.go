package domain

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// ChainDealer is the approval chain of dealer onboarding (新经销商报备).
const ChainDealer = "dealer"

// The documents of a dealer registration (domain.md, Dealer onboarding).
const (
	DocBusinessLicence = "business_licence" // 营业执照 (stamped copy)
	DocLegalRepID      = "legal_rep_id"     // 法人身份证复印件
	DocOperatingPermit = "operating_permit" // 经营许可证, optional
)

// DealerDoc is one document a dealer registration carries.
type DealerDoc struct {
	Purpose  string
	Required bool
	Label    i18n.Text
}

// DealerDocs lists a dealer's documents in form order.
var DealerDocs = []DealerDoc{
	{DocBusinessLicence, true, i18n.Text{Zh: "营业执照 (加盖公章)", En: "Business licence (stamped copy)"}},
	{DocLegalRepID, true, i18n.Text{Zh: "法定代表人身份证复印件", En: "Legal representative's ID copy"}},
	{DocOperatingPermit, false, i18n.Text{Zh: "经营许可证 (如有)", En: "Operating permit (if any)"}},
}

// DealerInput is a dealer registration: the invoicing details (开票信息)
// and the documents, as staged files (Documents, see UploadFile) or files
// sent with the form (Uploads), by purpose. On resubmission documents may
// be left out to keep those sent before.
type DealerInput struct {
	Company     string
	Bank        string
	BankAccount string
	TaxNo       string
	Address     string
	Phone       string
	Documents   map[string][]int64
	Uploads     map[string][]Upload
}

// Dealer is a dealer being onboarded, with its documents and approvals.
type Dealer struct {
	ID            int64  `json:"id,string"`
	Company       string `json:"company"`
	Bank          string `json:"bank"`
	BankAccount   string `json:"bank_account"`
	TaxNo         string `json:"tax_no"`
	Address       string `json:"address"`
	Phone         string `json:"phone"`
	SubmittedBy   int64  `json:"submitted_by,string"`
	SubmitterName string `json:"submitter_name"`
	// CustomerID is the company customer the approved dealer became.
	CustomerID int64        `json:"customer_id,string,omitempty"`
	Documents  []File       `json:"documents"`
	Approval   ChainRequest `json:"approval"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
	// What the reader may do now.
	CanDecide   bool `json:"can_decide"`
	CanResubmit bool `json:"can_resubmit"`
}

var (
	taxNoPattern   = regexp.MustCompile(`^[0-9A-Z]{15,20}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{6,32}$`)
)

// normalized trims the texts, upper-cases the tax number and drops the
// separators of the bank account.
func (in DealerInput) normalized() DealerInput {
	in.Company, in.Bank, in.Address = strings.TrimSpace(in.Company), strings.TrimSpace(in.Bank), strings.TrimSpace(in.Address)
	in.TaxNo = strings.ToUpper(strings.Join(strings.Fields(fold(in.TaxNo)), ""))
	in.BankAccount = strings.NewReplacer(" ", "", "-", "").Replace(fold(strings.TrimSpace(in.BankAccount)))
	in.Phone = strings.TrimSpace(in.Phone)
	return in
}

// validate checks a normalized dealer registration; has tells which
// documents it has already (on resubmission).
func (in DealerInput) validate(has []string) map[string]i18n.Text {
	f := map[string]i18n.Text{}
	for _, t := range []struct {
		key, v string
		limit  int
	}{{"company", in.Company, maxShortRunes}, {"bank", in.Bank, maxShortRunes}, {"address", in.Address, 200}} {
		if t.v == "" {
			f[t.key] = msgRequired
		} else if m, bad := checkText(t.v, t.limit, false); bad {
			f[t.key] = m
		}
	}
	if !accountPattern.MatchString(in.BankAccount) {
		f["bank_account"] = i18n.Text{Zh: "银行账号须为 6 – 32 位数字", En: "The bank account must be 6 to 32 digits"}
	}
	if !taxNoPattern.MatchString(in.TaxNo) || (len(in.TaxNo) == 18 && !ValidUSCC(in.TaxNo)) {
		f["tax_no"] = i18n.Text{Zh: "纳税人识别号须为 15 – 20 位数字或大写字母; 18 位的统一社会信用代码须校验正确",
			En: "The tax number is 15 to 20 digits or capital letters; an 18-character credit code must pass its check"}
	}
	switch m, bad := checkPhone(in.Phone); {
	case in.Phone == "":
		f["phone"] = msgRequired
	case bad:
		f["phone"] = m
	case PhoneMasked(NormalizePhone(in.Phone)):
		f["phone"] = i18n.Text{Zh: "请填写完整的电话", En: "Give the whole phone number"}
	}
	for _, purposes := range []map[string]bool{keysOf(in.Documents), keysOf(in.Uploads)} {
		for p := range purposes {
			if !slices.ContainsFunc(DealerDocs, func(d DealerDoc) bool { return d.Purpose == p }) {
				f["documents."+p] = i18n.Text{Zh: "未知的文件类别", En: "unknown kind of document"}
			}
		}
	}
	files := 0
	for _, d := range DealerDocs {
		n := len(in.Documents[d.Purpose]) + len(in.Uploads[d.Purpose])
		files += n
		if d.Required && n == 0 && !slices.Contains(has, d.Purpose) {
			f["documents."+d.Purpose] = i18n.Text{Zh: "请上传" + d.Label.Zh, En: "Upload the " + d.Label.En}
		}
	}
	if files > 20 {
		f["documents"] = i18n.Text{Zh: "最多 20 个文件", En: "At most 20 files"}
	}
	return f
}

func keysOf[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// customer is the company customer an approved dealer becomes. The phone
// is the invoicing phone, often a switchboard, so it is not a strong key.
func (d Dealer) customer() Customer {
	c := Customer{Kind: KindCompany, Name: d.Company, Address: d.Address,
		Contacts: []Contact{{Title: "开票电话", Phone: d.Phone, Relation: "other"}}}
	if ValidUSCC(d.TaxNo) {
		c.USCC = d.TaxNo
	}
	return c.normalized()
}

func dealerLink(id int64) string { return "/dealers/" + strconv.FormatInt(id, 10) }

// SubmitDealer files a dealer registration and puts it through the dealer
// chain (default clerk → manager → admin). Sales, managers, clerks and
// admins may submit (ErrForbidden otherwise); missing or malformed details
// and documents are Invalid.
func (s *Service) SubmitDealer(ctx context.Context, by Actor, in DealerInput) (Dealer, error) {
	if !by.Is(RoleSales, RoleManager, RoleClerk, RoleAdmin) {
		return Dealer{}, ErrForbidden
	}
	in = in.normalized()
	if f := in.validate(nil); len(f) > 0 {
		return Dealer{}, Invalid(f)
	}
	now := s.Now()
	var id int64
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `
			INSERT INTO dealers (tenant_id, submitted_by, company, bank, bank_account, tax_no, address, phone, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
			by.TenantID, by.UserID, in.Company, in.Bank, in.BankAccount, in.TaxNo, in.Address, NormalizePhone(in.Phone), now).Scan(&id); err != nil {
			return fmt.Errorf("insert dealer: %w", err)
		}
		if err := audit(ctx, tx, by, "dealer.submit", "dealer", id, nil, in.auditView()); err != nil {
			return err
		}
		return submitDealerTx(ctx, tx, by, id, in, now)
	})
	if err != nil {
		return Dealer{}, fmt.Errorf("submit dealer: %w", err)
	}
	return s.Dealer(ctx, by, id)
}

// ResubmitDealer corrects a returned dealer registration and sends it
// through its chain again from the first step. Only its submitter may
// (ErrForbidden; ErrNotFound for a dealer the actor cannot read), only
// when it was returned (Invalid); documents left out are kept.
func (s *Service) ResubmitDealer(ctx context.Context, by Actor, id int64, in DealerInput) (Dealer, error) {
	in = in.normalized()
	now := s.Now()
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		d, err := loadDealer(ctx, tx, by, id)
		if err != nil {
			return err
		}
		if d.SubmittedBy != by.UserID {
			return Forbidden(i18n.Text{Zh: "只有提交人可以重新提交", En: "Only the submitter may resubmit"})
		}
		if d.Approval.Status != ChainReturned {
			return InvalidMsg(i18n.Text{Zh: "只有被退回的申请可以重新提交", En: "Only a returned request can be resubmitted"})
		}
		var has []string
		for _, f := range d.Documents {
			has = append(has, f.Purpose)
		}
		if f := in.validate(has); len(f) > 0 {
			return Invalid(f)
		}
		if _, err := tx.Exec(ctx, `UPDATE dealers SET company = $3, bank = $4, bank_account = $5, tax_no = $6, address = $7,
				phone = $8, updated_at = $9 WHERE tenant_id = $1 AND id = $2`,
			by.TenantID, id, in.Company, in.Bank, in.BankAccount, in.TaxNo, in.Address, NormalizePhone(in.Phone), now); err != nil {
			return fmt.Errorf("update dealer: %w", err)
		}
		before := DealerInput{Company: d.Company, Bank: d.Bank, BankAccount: d.BankAccount, TaxNo: d.TaxNo, Address: d.Address, Phone: d.Phone}
		if err := audit(ctx, tx, by, "dealer.resubmit", "dealer", id, before.auditView(), in.auditView()); err != nil {
			return err
		}
		return submitDealerTx(ctx, tx, by, id, in, now)
	})
	if err != nil {
		return Dealer{}, fmt.Errorf("resubmit dealer: %w", err)
	}
	return s.Dealer(ctx, by, id)
}

// auditView is what the audit log keeps of a registration: its details,
// without the documents (they are kept as files).
func (in DealerInput) auditView() map[string]string {
	return map[string]string{"company": in.Company, "bank": in.Bank, "bank_account": in.BankAccount,
		"tax_no": in.TaxNo, "address": in.Address, "phone": in.Phone}
}

// submitDealerTx attaches the documents of a (re)submission and starts the
// dealer's chain.
func submitDealerTx(ctx context.Context, tx pgx.Tx, by Actor, id int64, in DealerInput, now time.Time) error {
	for _, d := range DealerDocs {
		field := "documents." + d.Purpose
		if err := attachFiles(ctx, tx, by, in.Documents[d.Purpose], attachDealer, id, d.Purpose, field); err != nil {
			return err
		}
		if err := storeAttached(ctx, tx, by, in.Uploads[d.Purpose], attachDealer, id, d.Purpose, field, now); err != nil {
			return err
		}
	}
	return startChain(ctx, tx, by, ChainDealer, id, i18n.Text{
		Zh: "新经销商报备: " + in.Company, En: "Dealer onboarding: " + in.Company}, now)
}

// approveDealer makes an approved dealer a company customer: the customer
// a live claim holds under one of its strong keys, or one known or created
// as for an unopposed registration (customer_store.go).
func approveDealer(ctx context.Context, tx pgx.Tx, by Actor, id int64, now time.Time) error {
	var d Dealer
	if err := tx.QueryRow(ctx, `SELECT company, tax_no, address, phone FROM dealers WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
		by.TenantID, id).Scan(&d.Company, &d.TaxNo, &d.Address, &d.Phone); err != nil {
		return fmt.Errorf("dealer: %w", err)
	}
	pol, err := loadPolicy(ctx, tx, by.TenantID)
	if err != nil {
		return err
	}
	c := d.customer()
	keys := c.StrongKeys()
	strong, err := uncommonKeys(ctx, tx, by.TenantID, keys, pol.CommonKeyLimit)
	if err != nil {
		return err
	}
	held, err := liveCandidates(ctx, tx, by.TenantID, strong)
	if err != nil {
		return err
	}
	var customerID int64
	if len(held) > 0 {
		customerID = held[0].CustomerID // a salesperson's claim keeps its own details
	} else if customerID, err = attachCustomer(ctx, tx, by.TenantID, c, strong, keys, now); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE dealers SET customer_id = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`,
		by.TenantID, id, customerID, now); err != nil {
		return fmt.Errorf("dealer customer: %w", err)
	}
	return audit(ctx, tx, by, "dealer.approve", "dealer", id, nil, map[string]any{"customer_id": customerID})
}

// DecideDealer approves or returns (with a reason) the current step of a
// dealer's chain, through the approvals queue (DecideApproval). It
// returns ErrNotFound for a dealer the actor cannot read, ErrForbidden
// when the step is not theirs to decide (or, once nothing waits, when they
// take no step of its chain), and Invalid when nothing waits.
func (s *Service) DecideDealer(ctx context.Context, by Actor, id int64, approve bool, reason string) (Dealer, error) {
	var approval int64
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		d, err := loadDealer(ctx, tx, by, id)
		if err != nil {
			return err
		}
		switch {
		case d.CanDecide:
		case d.Approval.Status == ChainPending || d.SubmittedBy == by.UserID ||
			!(by.Is(RoleAdmin) || slices.Contains(d.Approval.Roles, by.Role)):
			return Forbidden(i18n.Text{Zh: "当前步骤不由您审批", En: "The current step is not yours to decide"})
		default:
			return InvalidMsg(i18n.Text{Zh: "该申请不在审批中", En: "This request is not waiting for approval"})
		}
		approval = d.Approval.ApprovalID
		return nil
	})
	if err != nil {
		return Dealer{}, fmt.Errorf("decide dealer: %w", err)
	}
	if _, err := s.DecideApproval(ctx, by, approval, approve, reason); err != nil {
		return Dealer{}, fmt.Errorf("decide dealer: %w", err)
	}
	return s.Dealer(ctx, by, id)
}

// dealerReader is the SQL condition that the actor ($2 clerk or admin, $3
// user, $4 managed teams, $5 manager) reads dealer d with chain request r:
// its submitter, clerks and admins, and the managers of the submitter's
// team (any manager when the submitter has none).
const dealerReader = `($2::bool OR d.submitted_by = $3
	OR ($5::bool AND (r.submitter_team_id IS NULL OR r.submitter_team_id = ANY($4::bigint[]))))`

const dealerSelect = `SELECT d.id, d.company, d.bank, d.bank_account, d.tax_no, d.address, d.phone, d.submitted_by, u.display_name,
		COALESCE(d.customer_id, 0), d.created_at, d.updated_at
	FROM dealers d JOIN users u ON u.tenant_id = d.tenant_id AND u.id = d.submitted_by
	JOIN chain_requests r ON r.tenant_id = d.tenant_id AND r.kind = 'dealer' AND r.subject_id = d.id
	WHERE d.tenant_id = $1 AND ` + dealerReader

func (by Actor) dealerArgs() []any {
	return []any{by.TenantID, by.Is(RoleClerk, RoleAdmin), by.UserID, managedTeams(by), by.Is(RoleManager)}
}

func scanDealer(row pgx.Row) (Dealer, error) {
	var d Dealer
	err := row.Scan(&d.ID, &d.Company, &d.Bank, &d.BankAccount, &d.TaxNo, &d.Address, &d.Phone, &d.SubmittedBy, &d.SubmitterName,
		&d.CustomerID, &d.CreatedAt, &d.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, ErrNotFound
	}
	return d, err
}

// loadDealer reads a dealer the actor may read, with its documents and
// chain; any other is ErrNotFound.
func loadDealer(ctx context.Context, tx pgx.Tx, by Actor, id int64) (Dealer, error) {
	d, err := scanDealer(tx.QueryRow(ctx, dealerSelect+` AND d.id = $6`, append(by.dealerArgs(), id)...))
	if err != nil {
		return d, err
	}
	if d.Documents, err = attachedFiles(ctx, tx, by.TenantID, attachDealer, id); err != nil {
		return d, err
	}
	if d.Approval, err = chainRequestOf(ctx, tx, by.TenantID, ChainDealer, id); err != nil {
		return d, err
	}
	if d.CanDecide, err = mayDecideChainStep(ctx, tx, by, d.Approval.ApprovalID); err != nil {
		return d, err
	}
	d.CanResubmit = d.Approval.Status == ChainReturned && d.SubmittedBy == by.UserID
	return d, nil
}

// Dealer returns one dealer registration the actor may read: its
// submitter, clerks, admins and the managers of the submitter's team;
// anyone else gets ErrNotFound.
func (s *Service) Dealer(ctx context.Context, by Actor, id int64) (Dealer, error) {
	var d Dealer
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		var err error
		d, err = loadDealer(ctx, tx, by, id)
		return err
	})
	if err != nil {
		return Dealer{}, fmt.Errorf("dealer: %w", err)
	}
	return d, nil
}

// DealerFilter narrows a dealer list.
type DealerFilter struct {
	Status string // chain status, "" for all
	Limit  int
	Cursor int64 // list ids below this one
}

// Dealers lists the dealer registrations the actor may read, newest
// first, with their chains (without history) and the next cursor, 0 at
// the end.
func (s *Service) Dealers(ctx context.Context, by Actor, f DealerFilter) ([]Dealer, int64, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var out []Dealer
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, dealerSelect+` AND ($6 = '' OR r.status = $6) AND ($7 = 0 OR d.id < $7) ORDER BY d.id DESC LIMIT $8`,
			append(by.dealerArgs(), f.Status, f.Cursor, f.Limit+1)...)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Dealer, error) { return scanDealer(r) }); err != nil {
			return err
		}
		for i := range out {
			if out[i].Approval, err = chainRequestOf(ctx, tx, by.TenantID, ChainDealer, out[i].ID); err != nil {
				return err
			}
			out[i].Approval.History = nil
			if out[i].CanDecide, err = mayDecideChainStep(ctx, tx, by, out[i].Approval.ApprovalID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("dealers: %w", err)
	}
	out, next := trimPage(out, f.Limit, func(x Dealer) int64 { return x.ID })
	return out, next, nil
}
