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

// ImportStatus is where an import job stands.
type ImportStatus string

// The states of an import job: previewed (the mapping may change), queued
// to run, running, done, or failed (nothing imported; it may start again).
const (
	ImportPreview ImportStatus = "preview"
	ImportQueued  ImportStatus = "queued"
	ImportRunning ImportStatus = "running"
	ImportDone    ImportStatus = "done"
	ImportFailed  ImportStatus = "failed"
)

// ImportOutcome is what the import does with one row.
type ImportOutcome string

// The outcomes of a row: a new registration; a duplicate (the owner
// already holds the customer, or an earlier row of the file gave it to the
// same owner); a conflict (another owner holds the customer, or an earlier
// row gave it to another owner); or invalid input.
const (
	OutcomeNew       ImportOutcome = "new"
	OutcomeDuplicate ImportOutcome = "duplicate"
	OutcomeConflict  ImportOutcome = "conflict"
	OutcomeInvalid   ImportOutcome = "invalid"
)

// ImportOutcomes lists the outcomes in the order the preview shows them.
var ImportOutcomes = []ImportOutcome{OutcomeNew, OutcomeDuplicate, OutcomeConflict, OutcomeInvalid}

// Label returns the outcome's name as shown to people.
func (o ImportOutcome) Label() i18n.Text {
	switch o {
	case OutcomeNew:
		return i18n.Text{Zh: "新增", En: "New"}
	case OutcomeDuplicate:
		return i18n.Text{Zh: "重复", En: "Duplicate"}
	case OutcomeConflict:
		return i18n.Text{Zh: "冲突", En: "Conflict"}
	case OutcomeInvalid:
		return i18n.Text{Zh: "无效", En: "Invalid"}
	}
	return i18n.Text{Zh: string(o), En: string(o)}
}

// ImportJob is an uploaded file on its way into the system: its columns,
// the mapping, the preview's (or, once done, the import's) counts per
// outcome, and the progress of a running import.
type ImportJob struct {
	ID         int64                 `json:"id,string"`
	FileName   string                `json:"file_name"`
	Status     ImportStatus          `json:"status"`
	Headers    []string              `json:"headers"`
	Mapping    ImportMapping         `json:"mapping"`
	Total      int                   `json:"total"`
	Counts     map[ImportOutcome]int `json:"counts"`
	Done       int                   `json:"done"`
	Error      string                `json:"error,omitempty"`
	CreatedBy  int64                 `json:"created_by,string"`
	CreatedAt  time.Time             `json:"created_at"`
	StartedAt  *time.Time            `json:"started_at"`
	FinishedAt *time.Time            `json:"finished_at"`
}

// Percent is the share of rows the running import has written, 0–100.
func (j ImportJob) Percent() int {
	if j.Total == 0 {
		return 0
	}
	return j.Done * 100 / j.Total
}

// Ready reports whether the mapping reads the file, so the job may start.
func (j ImportJob) Ready() bool { return j.Mapping.check(len(j.Headers)) == nil }

// ImportRowResult is one row's outcome and why.
type ImportRowResult struct {
	Line           int           `json:"line"`
	Name           string        `json:"name"`
	Owner          string        `json:"owner"`
	Outcome        ImportOutcome `json:"outcome"`
	Reason         i18n.Text     `json:"-"`
	RegistrationID int64         `json:"registration_id,string,omitempty"`
}

// importRoles may import: admins for the company, managers for the teams
// they manage.
var importRoles = []Role{RoleAdmin, RoleManager}

// CreateImport stores an uploaded CSV or XLSX file as an import job, maps
// its columns from the headers and previews every row. It returns Invalid
// for a file that is empty, too large or unreadable; a mapping without a
// name column leaves the job without a preview until SetImportMapping.
func (s *Service) CreateImport(ctx context.Context, by Actor, u Upload) (ImportJob, error) {
	if !by.Is(importRoles...) {
		return ImportJob{}, ErrForbidden
	}
	if len(u.Data) == 0 || len(u.Data) > MaxFileSize {
		return ImportJob{}, Invalid(map[string]i18n.Text{"file": {Zh: "请上传不超过 10 MiB 的 CSV 或 XLSX 文件", En: "Upload a CSV or XLSX file of at most 10 MiB"}})
	}
	table, err := readImportTable(u.Data)
	if err != nil {
		return ImportJob{}, err
	}
	mapping := DetectMapping(table.headers)
	var id int64
	err = s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `
			INSERT INTO import_jobs (tenant_id, created_by, file_name, file_data, headers, mapping, status, total, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'preview', $7, $8) RETURNING id`,
			by.TenantID, by.UserID, cleanFileName(u.Name), u.Data, table.headers, mapping, len(table.rows), s.Now()).Scan(&id); err != nil {
			return fmt.Errorf("insert import: %w", err)
		}
		if err := audit(ctx, tx, by, "import.create", "import", id, nil,
			map[string]any{"file": cleanFileName(u.Name), "rows": len(table.rows)}); err != nil {
			return err
		}
		if mapping.check(len(table.headers)) != nil {
			return nil
		}
		return s.preview(ctx, tx, by, id, table, mapping)
	})
	if err != nil {
		return ImportJob{}, fmt.Errorf("create import: %w", err)
	}
	return s.Import(ctx, by, id)
}

// SetImportMapping changes a previewed (or failed) job's column mapping and
// previews every row again. It returns Invalid for a mapping that names no
// name column, a column the file lacks or one column twice, and
// CodeConflict once the job has started.
func (s *Service) SetImportMapping(ctx context.Context, by Actor, id int64, m ImportMapping) (ImportJob, error) {
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		job, data, err := loadImport(ctx, tx, by, id, true)
		if err != nil {
			return err
		}
		if job.Status != ImportPreview && job.Status != ImportFailed {
			return errImportStarted
		}
		if err := m.check(len(job.Headers)); err != nil {
			return err
		}
		table, err := readImportTable(data)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE import_jobs SET mapping = $3, status = 'preview', error = '' WHERE tenant_id = $1 AND id = $2`,
			by.TenantID, id, m); err != nil {
			return err
		}
		return s.preview(ctx, tx, by, id, table, m)
	})
	if err != nil {
		return ImportJob{}, fmt.Errorf("import mapping: %w", err)
	}
	return s.Import(ctx, by, id)
}

var errImportStarted = &Error{Code: CodeConflict, Message: i18n.Text{
	Zh: "导入已开始, 不能再修改", En: "The import has started and can no longer change"}}

// preview classifies every row as of now and stores the outcomes and
// counts; it writes nothing else.
func (s *Service) preview(ctx context.Context, tx pgx.Tx, by Actor, id int64, table importTable, m ImportMapping) error {
	pol, err := loadPolicy(ctx, tx, by.TenantID)
	if err != nil {
		return err
	}
	plan, err := planImport(ctx, tx, by, pol, table, m, s.Now().Truncate(time.Microsecond))
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM import_rows WHERE tenant_id = $1 AND job_id = $2`, by.TenantID, id); err != nil {
		return err
	}
	for start := 0; start < len(plan); start += importBatch {
		if err := storeRowResults(ctx, tx, by.TenantID, id, plan[start:min(start+importBatch, len(plan))]); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `UPDATE import_jobs SET counts = $3 WHERE tenant_id = $1 AND id = $2`, by.TenantID, id, countOutcomes(plan))
	return err
}

func countOutcomes(plan []plannedRow) map[ImportOutcome]int {
	counts := map[ImportOutcome]int{}
	for _, o := range ImportOutcomes {
		counts[o] = 0
	}
	for _, p := range plan {
		counts[p.result.Outcome]++
	}
	return counts
}

// storeRowResults writes the outcomes of planned rows.
func storeRowResults(ctx context.Context, tx pgx.Tx, tenantID, jobID int64, plan []plannedRow) error {
	n := len(plan)
	lines, names, owners, outcomes, zh, en := make([]int32, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	regs := make([]*int64, n)
	for i, p := range plan {
		r := p.result
		lines[i], names[i], owners[i], outcomes[i], zh[i], en[i] = int32(r.Line), r.Name, r.Owner, string(r.Outcome), r.Reason.Zh, r.Reason.En
		if r.RegistrationID != 0 {
			regs[i] = &plan[i].result.RegistrationID
		}
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO import_rows (tenant_id, job_id, line, name, owner, outcome, reason_zh, reason_en, registration_id)
		SELECT $1, $2, r.* FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[]) AS r`,
		tenantID, jobID, lines, names, owners, outcomes, zh, en, regs)
	if err != nil {
		return fmt.Errorf("import rows: %w", err)
	}
	return nil
}

const importJobColumns = `id, file_name, status, headers, mapping, total, counts, done, error, created_by, created_at, started_at, finished_at`

// loadImport reads a job its creator or an admin may see, with the file's
// bytes when withData; anyone else gets ErrNotFound.
func loadImport(ctx context.Context, tx pgx.Tx, by Actor, id int64, withData bool) (ImportJob, []byte, error) {
	var j ImportJob
	var data []byte
	dataCol := `NULL::bytea`
	if withData {
		dataCol = `file_data`
	}
	err := tx.QueryRow(ctx, `SELECT `+importJobColumns+`, `+dataCol+` FROM import_jobs
		WHERE tenant_id = $1 AND id = $2 AND (created_by = $3 OR $4)`, by.TenantID, id, by.UserID, by.Is(RoleAdmin)).
		Scan(&j.ID, &j.FileName, &j.Status, &j.Headers, &j.Mapping, &j.Total, &j.Counts, &j.Done, &j.Error, &j.CreatedBy,
			&j.CreatedAt, &j.StartedAt, &j.FinishedAt, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return ImportJob{}, nil, ErrNotFound
	}
	if err != nil {
		return ImportJob{}, nil, fmt.Errorf("load import: %w", err)
	}
	return j, data, nil
}

// Import returns an import job to its creator or an admin; anyone else
// gets ErrNotFound. A running job's Done tells its progress.
func (s *Service) Import(ctx context.Context, by Actor, id int64) (ImportJob, error) {
	if !by.Is(importRoles...) {
		return ImportJob{}, ErrNotFound
	}
	var j ImportJob
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) (err error) {
		j, _, err = loadImport(ctx, tx, by, id, false)
		return err
	})
	if err != nil {
		return ImportJob{}, fmt.Errorf("import: %w", err)
	}
	return j, nil
}

// ImportRows pages through a job's rows in file order, those with outcome
// only when it is not empty: limit rows after line cursor, and the cursor
// of the next page (0 at the end).
func (s *Service) ImportRows(ctx context.Context, by Actor, id int64, outcome ImportOutcome, cursor, limit int) ([]ImportRowResult, int, error) {
	if !by.Is(importRoles...) {
		return nil, 0, ErrNotFound
	}
	if outcome != "" && !slices.Contains(ImportOutcomes, outcome) {
		return nil, 0, Invalid(map[string]i18n.Text{"outcome": {Zh: "须为 new、duplicate、conflict 或 invalid", En: "must be new, duplicate, conflict or invalid"}})
	}
	var rows []ImportRowResult
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		if _, _, err := loadImport(ctx, tx, by, id, false); err != nil {
			return err
		}
		q, err := tx.Query(ctx, `
			SELECT line, name, owner, outcome, reason_zh, reason_en, COALESCE(registration_id, 0) FROM import_rows
			WHERE tenant_id = $1 AND job_id = $2 AND ($3 = '' OR outcome = $3) AND line > $4
			ORDER BY line LIMIT $5`, by.TenantID, id, outcome, cursor, limit+1)
		if err != nil {
			return err
		}
		rows, err = pgx.CollectRows(q, scanImportRow)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("import rows: %w", err)
	}
	rows, next := trimPage(rows, limit, func(r ImportRowResult) int64 { return int64(r.Line) })
	return rows, int(next), nil
}

func scanImportRow(r pgx.CollectableRow) (ImportRowResult, error) {
	var x ImportRowResult
	err := r.Scan(&x.Line, &x.Name, &x.Owner, &x.Outcome, &x.Reason.Zh, &x.Reason.En, &x.RegistrationID)
	return x, err
}

// StartImport queues a previewed (or failed) job for the background
// importer, which checks every row again as of its run. It returns
// Invalid while the mapping lacks a name column and CodeConflict for a job
// already queued, running or done.
func (s *Service) StartImport(ctx context.Context, by Actor, id int64) (ImportJob, error) {
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		job, _, err := loadImport(ctx, tx, by, id, false)
		if err != nil {
			return err
		}
		if job.Status != ImportPreview && job.Status != ImportFailed {
			return errImportStarted
		}
		if err := job.Mapping.check(len(job.Headers)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE import_jobs SET status = 'queued', done = 0, error = '', started_at = NULL, finished_at = NULL
			WHERE tenant_id = $1 AND id = $2`, by.TenantID, id); err != nil {
			return err
		}
		return audit(ctx, tx, by, "import.start", "import", id, map[string]any{"status": job.Status}, map[string]any{"status": ImportQueued})
	})
	if err != nil {
		return ImportJob{}, fmt.Errorf("start import: %w", err)
	}
	select {
	case s.importQueued <- struct{}{}:
	default:
	}
	return s.Import(ctx, by, id)
}

// ImportResult is a job's file with each row's outcome: the file's headers
// and rows as uploaded, and the result of each row beside it.
type ImportResult struct {
	Job     ImportJob
	Headers []string
	Rows    [][]string
	Results []ImportRowResult
}

// ImportResult returns the file of a job with every row's outcome — the
// preview's until the import is done — to its creator or an admin.
func (s *Service) ImportResult(ctx context.Context, by Actor, id int64) (ImportResult, error) {
	if !by.Is(importRoles...) {
		return ImportResult{}, ErrNotFound
	}
	var res ImportResult
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		job, data, err := loadImport(ctx, tx, by, id, true)
		if err != nil {
			return err
		}
		table, err := readImportTable(data)
		if err != nil {
			return err
		}
		q, err := tx.Query(ctx, `SELECT line, name, owner, outcome, reason_zh, reason_en, COALESCE(registration_id, 0) FROM import_rows
			WHERE tenant_id = $1 AND job_id = $2 ORDER BY line`, by.TenantID, id)
		if err != nil {
			return err
		}
		results, err := pgx.CollectRows(q, scanImportRow)
		if err != nil {
			return err
		}
		byLine := make(map[int]ImportRowResult, len(results))
		for _, r := range results {
			byLine[r.Line] = r
		}
		res = ImportResult{Job: job, Headers: table.headers, Rows: table.rows, Results: make([]ImportRowResult, len(table.rows))}
		for i, line := range table.lines {
			res.Results[i] = byLine[line]
			res.Results[i].Line = line
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("import result: %w", err)
	}
	return res, nil
}

// importOwner is a user a row may name as the owner of its claim.
type importOwner struct {
	id, teamID int64
	role       Role
	active     bool
}

// plannedRow is a row with everything the import needs to write it: its
// result, owner, keys and, for a new claim, the customer it attaches to
// (see planImport) and its score.
type plannedRow struct {
	importRow
	result      ImportRowResult
	owner       importOwner
	keys        []Key // all strong keys of the customer
	strong      []Key // those not shared by too many customers
	customerRef int64 // > 0: an existing customer; < 0: the new customer of plan[-ref-1]; 0: a new customer
	customerID  int64 // the customer written, once ids are drawn
	status      Status
	score       int
	missing     []string
	late        bool
}

// fileClaim is a new claim of an earlier row, as later rows meet it.
type fileClaim struct {
	row    int // index in the plan
	owner  int64
	holds  bool
	status Status
}

// dbClaim is a claim in the database on a customer sharing a key with a
// row (holdingStatuses).
type dbClaim struct {
	id             int64
	ownerID        int64
	holds          bool // it holds live keys
	registeredAt   time.Time
	protectedUntil *time.Time
	status         Status
}

// planImport classifies every row of table as Register would decide it,
// one after another in file order, as of now: invalid input (Validate,
// owners, times, min_completeness, late registrations under reject_late);
// a duplicate when the owner already holds the customer (in the database
// or by an earlier row); a conflict when another owner's claim holds it;
// otherwise a new claim, attached to a known customer with the same key
// (from the public pool) or a new customer. Keys shared by more than
// common_key_limit customers are no evidence, as for Register. The
// database is read set-based, two queries for the whole file.
//
// Unlike Register, an import checks no ownership caps, cross-region
// approvals, pool cooldowns or bursts: it brings in claims that already
// exist, on an admin's or manager's word.
func planImport(ctx context.Context, tx pgx.Tx, by Actor, pol Policy, table importTable, m ImportMapping, now time.Time) ([]plannedRow, error) {
	owners, err := importOwners(ctx, tx, by)
	if err != nil {
		return nil, err
	}
	loc := pol.Location()
	plan := make([]plannedRow, len(table.rows))
	allKeys := map[Key]bool{}
	for i, cells := range table.rows {
		p := &plan[i]
		p.importRow = m.parseRow(table.lines[i], cells, loc)
		p.result = ImportRowResult{Line: p.line, Name: p.in.Customer.Name, Owner: p.importRow.owner}
		p.checkOwner(by, owners)
		if p.registeredAt != nil && p.registeredAt.After(now) {
			p.errs[FieldRegisteredAt] = i18n.Text{Zh: "报备时间不能晚于现在", En: "The registration time cannot be in the future"}
		}
		if len(p.errs) > 0 {
			continue
		}
		p.in.Customer = p.in.Customer.normalized()
		p.score, p.missing = Completeness(p.in, pol.CompletenessWeights)
		if p.missing == nil {
			p.missing = []string{}
		}
		regAt := now
		if p.registeredAt != nil {
			regAt = *p.registeredAt
		}
		p.late = IsLate(regAt, p.in.FirstContactAt, pol.ReportDeadlineHours)
		p.checkPolicy(pol, now)
		if len(p.errs) > 0 {
			continue
		}
		p.keys = p.in.Customer.StrongKeys()
		for _, k := range p.keys {
			allKeys[k] = true
		}
	}
	known, err := knownKeys(ctx, tx, by.TenantID, allKeys)
	if err != nil {
		return nil, err
	}
	claims, err := customerClaims(ctx, tx, by.TenantID, known)
	if err != nil {
		return nil, err
	}
	fileClaims := map[Key][]fileClaim{}
	fileCustomers := map[Key]int{} // key → the latest row whose new customer has it
	added := map[Key]int{}         // customers the import adds per key
	for i := range plan {
		p := &plan[i]
		if len(p.errs) > 0 {
			p.result.Outcome, p.result.Reason = OutcomeInvalid, invalidReason(p.errs)
			continue
		}
		for _, k := range p.keys {
			if len(known[k])+added[k] <= pol.CommonKeyLimit {
				p.strong = append(p.strong, k)
			}
		}
		p.decide(plan, known, claims, fileClaims, pol, now)
		if p.result.Outcome != OutcomeNew {
			continue
		}
		p.status = StatusActive
		switch {
		case pol.ReviewRequired:
			p.status = StatusPendingReview
		case pol.RequireVisit:
			p.status = StatusPendingVisit
		}
		p.customerRef = attachRef(p.strong, known, fileCustomers)
		for _, k := range p.keys {
			fileClaims[k] = append(fileClaims[k], fileClaim{row: i, owner: p.owner.id, holds: p.status != StatusPendingVisit, status: p.status})
			if p.customerRef == 0 {
				fileCustomers[k] = i
				added[k]++
			}
		}
	}
	return plan, nil
}

// attachRef names the customer a new claim attaches to, as findCustomer
// would: for the first strong key any customer has, the newest such
// customer — one an earlier row created, or the highest id.
func attachRef(strong []Key, known map[Key][]int64, fileCustomers map[Key]int) int64 {
	for _, k := range strong {
		if row, ok := fileCustomers[k]; ok {
			return -int64(row) - 1
		}
		if ids := known[k]; len(ids) > 0 {
			return slices.Max(ids)
		}
	}
	return 0
}

// checkOwner resolves the row's owner: a username (or a display name only
// one user has), the importer when empty; active, allowed to register,
// and for a manager's import in a team the manager manages.
func (p *plannedRow) checkOwner(by Actor, owners map[string]importOwner) {
	name := p.importRow.owner
	o, ok := owners[name]
	switch {
	case name == "":
		o, ok = owners["\x00self"]
	case !ok:
		p.errs[FieldOwner] = i18n.Text{Zh: "没有此用户: " + name, En: "No such user: " + name}
		return
	}
	switch {
	case !ok || !o.active:
		p.errs[FieldOwner] = i18n.Text{Zh: "该用户已停用", En: "This user is deactivated"}
	case o.role != RoleSales && o.role != RoleManager && o.role != RoleAdmin:
		p.errs[FieldOwner] = i18n.Text{Zh: "该用户的角色不能报备客户", En: "This user's role cannot register customers"}
	case by.Is(RoleManager) && o.id != by.UserID && !by.ManagesTeam(o.teamID):
		p.errs[FieldOwner] = i18n.Text{Zh: "该用户不在您管理的团队", En: "This user is not in a team you manage"}
	}
	p.owner = o
}

// checkPolicy applies the policy's refusals as registerTx does:
// min_completeness, no first contact in the future, reject_late.
func (p *plannedRow) checkPolicy(pol Policy, now time.Time) {
	if p.score < pol.MinCompleteness {
		var zh, en []string
		for _, f := range p.missing {
			l := completenessLabels[f]
			zh, en = append(zh, l.Zh), append(en, l.En)
		}
		p.errs[FieldName] = i18n.Text{
			Zh: fmt.Sprintf("信息完整度 %d 分, 低于要求的 %d 分 (缺: %s)", p.score, pol.MinCompleteness, strings.Join(zh, "、")),
			En: fmt.Sprintf("completeness %d is below the required %d (missing: %s)", p.score, pol.MinCompleteness, strings.Join(en, ", "))}
	}
	if fc := p.in.FirstContactAt; fc != nil && fc.After(now.Add(5*time.Minute)) {
		p.errs[FieldFirstContact] = i18n.Text{Zh: "首次接触时间不能晚于现在", En: "First contact cannot be in the future"}
	}
	if p.late && pol.RejectLate {
		p.errs[FieldFirstContact] = i18n.Text{
			Zh: fmt.Sprintf("首次接触后超过 %d 小时才报备, 按公司规定不予受理", pol.ReportDeadlineHours),
			En: fmt.Sprintf("Registered more than %d hours after first contact; company policy rejects late registrations", pol.ReportDeadlineHours)}
	}
}

// completenessLabels name the completeness fields in reasons.
var completenessLabels = map[string]i18n.Text{
	"name": FieldName.Label(), "contact_name": FieldContactName.Label(), "contact_phone": FieldPhone.Label(),
	"industry": FieldIndustry.Label(), "size": FieldSize.Label(), "address": FieldAddress.Label(), "needs": FieldNeeds.Label(),
	"project": FieldProject.Label(), "grade": FieldGrade.Label(), "first_contact": FieldFirstContact.Label(),
}

// decide sets the outcome of a valid row from the claims on customers
// sharing its strong keys: the owner's own claim makes a duplicate, any
// other claim holding keys a conflict (registerTx's order).
func (p *plannedRow) decide(plan []plannedRow, known map[Key][]int64, claims map[int64][]dbClaim, fileClaims map[Key][]fileClaim, pol Policy, now time.Time) {
	var holder *dbClaim
	holderRow := -1
	for _, k := range p.strong {
		for _, cid := range known[k] {
			for _, c := range claims[cid] {
				if c.ownerID == p.owner.id {
					p.result.Outcome = OutcomeDuplicate
					p.result.Reason = i18n.Text{
						Zh: fmt.Sprintf("负责人已报备过该客户 (报备 #%d)", c.id),
						En: fmt.Sprintf("The owner already holds this customer (registration #%d)", c.id)}
					return
				}
				if c.holds && holder == nil {
					holder = &c
				}
			}
		}
		for _, fc := range fileClaims[k] {
			if fc.owner == p.owner.id {
				p.result.Outcome = OutcomeDuplicate
				p.result.Reason = i18n.Text{
					Zh: fmt.Sprintf("与第 %d 行是同一客户, 负责人相同", plan[fc.row].line),
					En: fmt.Sprintf("The same customer as line %d, with the same owner", plan[fc.row].line)}
				return
			}
			if fc.holds && holderRow < 0 {
				holderRow = fc.row
			}
		}
	}
	switch {
	case holder != nil:
		until := timeOrZero(holder.protectedUntil)
		if holder.status != StatusActive {
			until = timeOrZero(protectionEnd(pol, now))
		}
		p.result.Outcome, p.result.Reason = OutcomeConflict, LoserReason(RuleTime, holder.registeredAt, until, pol.Location())
	case holderRow >= 0:
		line := plan[holderRow].line
		p.result.Outcome = OutcomeConflict
		p.result.Reason = i18n.Text{
			Zh: fmt.Sprintf("与第 %d 行是同一客户, 但负责人不同 (第 %d 行在前, 本行不导入)", line, line),
			En: fmt.Sprintf("The same customer as line %d with another owner (line %d comes first; this row is not imported)", line, line)}
	default:
		p.result.Outcome = OutcomeNew
	}
}

// importOwners maps usernames, and display names that only one user has,
// to the users; "\x00self" is the importer.
func importOwners(ctx context.Context, tx pgx.Tx, by Actor) (map[string]importOwner, error) {
	rows, err := tx.Query(ctx, `SELECT id, username, display_name, COALESCE(team_id, 0), role, active FROM users WHERE tenant_id = $1`, by.TenantID)
	if err != nil {
		return nil, fmt.Errorf("import owners: %w", err)
	}
	out := map[string]importOwner{}
	display := map[string][]importOwner{}
	for rows.Next() {
		var o importOwner
		var username, name string
		if err := rows.Scan(&o.id, &username, &name, &o.teamID, &o.role, &o.active); err != nil {
			return nil, err
		}
		out[username] = o
		display[name] = append(display[name], o)
		if o.id == by.UserID {
			out["\x00self"] = o
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for name, os := range display {
		if _, taken := out[name]; !taken && len(os) == 1 {
			out[name] = os[0]
		}
	}
	return out, nil
}

// knownKeys returns, for each of keys that customers have, those customers.
func knownKeys(ctx context.Context, tx pgx.Tx, tenantID int64, keys map[Key]bool) (map[Key][]int64, error) {
	kinds, values := make([]string, 0, len(keys)), make([]string, 0, len(keys))
	for k := range keys {
		kinds, values = append(kinds, string(k.Kind)), append(values, k.Value)
	}
	rows, err := tx.Query(ctx, `
		SELECT ck.kind, ck.key, ck.customer_id FROM unnest($2::text[], $3::text[]) AS k(kind, key)
		JOIN customer_keys ck ON ck.tenant_id = $1 AND ck.kind = k.kind AND ck.key = k.key`, tenantID, kinds, values)
	if err != nil {
		return nil, fmt.Errorf("known keys: %w", err)
	}
	out := map[Key][]int64{}
	for rows.Next() {
		var k Key
		var id int64
		if err := rows.Scan(&k.Kind, &k.Value, &id); err != nil {
			return nil, err
		}
		out[k] = append(out[k], id)
	}
	return out, rows.Err()
}

// customerClaims returns the claims that keep the customers of known
// (holdingStatuses), by customer.
func customerClaims(ctx context.Context, tx pgx.Tx, tenantID int64, known map[Key][]int64) (map[int64][]dbClaim, error) {
	seen := map[int64]bool{}
	var ids []int64
	for _, cs := range known {
		for _, id := range cs {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	rows, err := tx.Query(ctx, `
		SELECT r.customer_id, r.id, r.owner_id, r.registered_at, r.protected_until, r.status,
			EXISTS (SELECT 1 FROM live_keys lk WHERE lk.tenant_id = r.tenant_id AND lk.registration_id = r.id)
		FROM registrations r WHERE r.tenant_id = $1 AND r.customer_id = ANY($2) AND r.status IN `+holdingStatuses+`
		ORDER BY r.registered_at, r.id`, tenantID, ids)
	if err != nil {
		return nil, fmt.Errorf("customer claims: %w", err)
	}
	out := map[int64][]dbClaim{}
	for rows.Next() {
		var cid int64
		var c dbClaim
		if err := rows.Scan(&cid, &c.id, &c.ownerID, &c.registeredAt, &c.protectedUntil, &c.status, &c.holds); err != nil {
			return nil, err
		}
		out[cid] = append(out[cid], c)
	}
	return out, rows.Err()
}
