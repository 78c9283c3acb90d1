package domain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// importBatch is how many rows an import writes between progress reports.
const importBatch = 2000

// importLockKey is the class of the advisory lock that lets one server
// run a job (the job id is the object).
const importLockKey = 7007

// errImportBusy means another server runs the job, or it is no longer
// running.
var errImportBusy = errors.New("import: run elsewhere")

// RunImports runs queued import jobs, and resumes those a stopped server
// left running, until ctx ends: at once, whenever StartImport queues one,
// and every poll. Errors of a job (it is then failed) go to logErr. This
// is the background importer of `baobei serve`.
func (s *Service) RunImports(ctx context.Context, poll time.Duration, logErr func(error)) {
	for {
		if err := s.runPendingImports(ctx); err != nil && ctx.Err() == nil {
			logErr(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.importQueued:
		case <-time.After(poll):
		}
	}
}

// runPendingImports runs every queued or running job of every tenant, one
// after another.
func (s *Service) runPendingImports(ctx context.Context) error {
	tenants, err := s.TenantIDs(ctx)
	if err != nil {
		return fmt.Errorf("imports: tenants: %w", err)
	}
	var errs []error
	for _, tid := range tenants {
		var ids []int64
		err := s.db.InTenant(ctx, tid, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT id FROM import_jobs WHERE tenant_id = $1 AND status IN ('queued', 'running') ORDER BY id`, tid)
			if err != nil {
				return err
			}
			ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
			return err
		})
		if err != nil {
			return fmt.Errorf("imports: %w", err)
		}
		for _, id := range ids {
			if err := s.runImport(ctx, tid, id); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// runImport runs one job in a single transaction, all or nothing: it
// checks every row again as of now, then writes customers, keys,
// registrations, audit entries and row outcomes in batches, reporting
// progress between them in transactions of their own. A concurrent
// registration that takes a key first makes the whole run start over
// (and then see it). A failure rolls everything back and marks the job
// failed; an interruption (ctx ends, the server stops) leaves it running,
// for the next RunImports to run again from the start.
func (s *Service) runImport(ctx context.Context, tenantID, id int64) error {
	var createdBy int64
	err := s.db.InTenant(ctx, tenantID, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `UPDATE import_jobs SET status = 'running', started_at = COALESCE(started_at, $3)
			WHERE tenant_id = $1 AND id = $2 AND status IN ('queued', 'running') RETURNING created_by`, tenantID, id, s.Now()).Scan(&createdBy)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err == nil {
		var by Actor
		if by, err = s.Actor(ctx, tenantID, createdBy); err == nil {
			err = s.inTenantRaced(ctx, tenantID, func(tx pgx.Tx) error { return s.importTx(ctx, tx, by, id) })
		}
	}
	switch {
	case err == nil, errors.Is(err, errImportBusy), ctx.Err() != nil:
		return nil
	}
	if ferr := s.db.InTenant(ctx, tenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE import_jobs SET status = 'failed', done = 0, error = $3, finished_at = $4
			WHERE tenant_id = $1 AND id = $2`, tenantID, id, err.Error(), s.Now())
		return err
	}); ferr != nil {
		return errors.Join(err, ferr)
	}
	return fmt.Errorf("import %d: %w", id, err)
}

// setImportProgress records how many rows a running job has written, in a
// transaction of its own so that pages see it while the import runs.
func (s *Service) setImportProgress(ctx context.Context, tenantID, id int64, done int) error {
	return s.db.InTenant(ctx, tenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE import_jobs SET done = $3 WHERE tenant_id = $1 AND id = $2`, tenantID, id, done)
		return err
	})
}

// importTx is one attempt at running a job (see runImport).
func (s *Service) importTx(ctx context.Context, tx pgx.Tx, by Actor, id int64) error {
	var locked bool
	if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1, $2::int)`, importLockKey, id).Scan(&locked); err != nil {
		return err
	}
	if !locked {
		return errImportBusy
	}
	job, data, err := loadImport(ctx, tx, by, id, true)
	if err != nil {
		return err
	}
	if job.Status != ImportRunning {
		return errImportBusy
	}
	table, err := readImportTable(data)
	if err != nil {
		return err
	}
	pol, err := loadPolicy(ctx, tx, by.TenantID)
	if err != nil {
		return err
	}
	now := s.Now().Truncate(time.Microsecond)
	plan, err := planImport(ctx, tx, by, pol, table, job.Mapping, now)
	if err != nil {
		return err
	}
	if err := s.setImportProgress(ctx, by.TenantID, id, 0); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM import_rows WHERE tenant_id = $1 AND job_id = $2`, by.TenantID, id); err != nil {
		return err
	}
	if err := assignImportIDs(ctx, tx, plan); err != nil {
		return err
	}
	w := importWriter{by: by, jobID: id, pol: pol, now: now}
	for batch, start := 0, 0; start < len(plan); batch, start = batch+1, start+importBatch {
		end := min(start+importBatch, len(plan))
		// Fresh statistics whenever the import has doubled what it
		// wrote, so that the foreign-key checks keep using indexes; up
		// to 16,000 rows: from there every plan uses them, and a later
		// ANALYZE only costs time (0.6 s at 32,000 rows, 0.8 s at 64,000).
		if batch <= 8 && batch&(batch-1) == 0 {
			if _, err := tx.Exec(ctx, `SELECT baobei_analyze_import()`); err != nil {
				return err
			}
		}
		if err := w.write(ctx, tx, plan[start:end]); err != nil {
			return err
		}
		if err := storeRowResults(ctx, tx, by.TenantID, id, plan[start:end]); err != nil {
			return err
		}
		if err := s.setImportProgress(ctx, by.TenantID, id, end); err != nil {
			return err
		}
		if s.afterImportBatch != nil {
			if err := s.afterImportBatch(ctx, end); err != nil {
				return err
			}
		}
	}
	counts := countOutcomes(plan)
	if _, err := tx.Exec(ctx, `UPDATE import_jobs SET status = 'done', counts = $3, done = total, finished_at = $4
		WHERE tenant_id = $1 AND id = $2`, by.TenantID, id, counts, now); err != nil {
		return err
	}
	return audit(ctx, tx, by, "import.done", "import", id, nil, map[string]any{"counts": counts})
}

// assignImportIDs draws the ids of the new customers and registrations, in
// file order, and resolves the rows that attach to a customer an earlier
// row creates.
func assignImportIDs(ctx context.Context, tx pgx.Tx, plan []plannedRow) error {
	var regs, custs int
	for _, p := range plan {
		if p.result.Outcome == OutcomeNew {
			regs++
			if p.customerRef == 0 {
				custs++
			}
		}
	}
	regIDs, err := nextIDs(ctx, tx, "registrations_id_seq", regs)
	if err != nil {
		return err
	}
	custIDs, err := nextIDs(ctx, tx, "customers_id_seq", custs)
	if err != nil {
		return err
	}
	for i := range plan {
		p := &plan[i]
		if p.result.Outcome != OutcomeNew {
			continue
		}
		p.result.RegistrationID, regIDs = regIDs[0], regIDs[1:]
		switch {
		case p.customerRef == 0:
			p.customerID, custIDs = custIDs[0], custIDs[1:]
		case p.customerRef < 0:
			p.customerID = plan[-p.customerRef-1].customerID
		default:
			p.customerID = p.customerRef
		}
	}
	return nil
}

func nextIDs(ctx context.Context, tx pgx.Tx, sequence string, n int) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT nextval($1::regclass) FROM generate_series(1, $2)`, sequence, n)
	if err != nil {
		return nil, fmt.Errorf("draw ids: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// importWriter writes the new claims of a job, a batch at a time.
type importWriter struct {
	by    Actor
	jobID int64
	pol   Policy
	now   time.Time
}

// write inserts the batch's new customers (or updates the known ones they
// attach to, as attachCustomer does), their keys, the registrations,
// their live keys and audit entries, set-based.
func (w importWriter) write(ctx context.Context, tx pgx.Tx, batch []plannedRow) error {
	var cust, attach importedCustomers
	var reg importedRegistrations
	var keyCust, liveReg []int64
	var keyKind, keyVal, liveKind, liveVal []string
	for _, p := range batch {
		if p.result.Outcome != OutcomeNew {
			continue
		}
		if p.customerRef == 0 {
			if err := cust.add(p); err != nil {
				return err
			}
		} else if err := attach.add(p); err != nil {
			return err
		}
		for _, k := range p.keys {
			keyCust, keyKind, keyVal = append(keyCust, p.customerID), append(keyKind, string(k.Kind)), append(keyVal, k.Value)
		}
		if p.status != StatusPendingVisit {
			for _, k := range p.strong {
				liveReg, liveKind, liveVal = append(liveReg, p.result.RegistrationID), append(liveKind, string(k.Kind)), append(liveVal, k.Value)
			}
		}
		if err := reg.add(p, w.pol, w.now); err != nil {
			return err
		}
	}
	t := w.by.TenantID
	steps := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO customers (tenant_id, id, kind, name, name_key, region, details, created_at, updated_at) OVERRIDING SYSTEM VALUE
			SELECT $1, u.id, u.kind, u.name, u.name_key, u.region, u.details::jsonb, $8, $8
			FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(id, kind, name, name_key, region, details)`,
			[]any{t, cust.ids, cust.kinds, cust.names, cust.nameKeys, cust.regions, cust.details, w.now}},
		{`UPDATE customers c SET kind = u.kind, name = u.name, name_key = u.name_key, region = u.region, details = u.details::jsonb, updated_at = $8
			FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(id, kind, name, name_key, region, details)
			WHERE c.tenant_id = $1 AND c.id = u.id`,
			[]any{t, attach.ids, attach.kinds, attach.names, attach.nameKeys, attach.regions, attach.details, w.now}},
		{`DELETE FROM customer_keys WHERE tenant_id = $1 AND customer_id = ANY($2)`, []any{t, attach.ids}},
		{`INSERT INTO customer_keys (tenant_id, kind, key, customer_id)
			SELECT $1, u.kind, u.key, u.id FROM unnest($2::bigint[], $3::text[], $4::text[]) AS u(id, kind, key) ON CONFLICT DO NOTHING`,
			[]any{t, keyCust, keyKind, keyVal}},
		{`INSERT INTO registrations (tenant_id, id, customer_id, owner_id, team_id, status, details, grade, needs, source,
				first_contact_at, completeness, missing, late, registered_at, activated_at, protected_until, next_follow_up_due,
				claim_ref, status_changed_at) OVERRIDING SYSTEM VALUE
			SELECT $1, u.id, u.customer_id, u.owner_id, u.team_id, u.status, u.details::jsonb, u.grade, u.needs, u.source,
				u.first_contact_at, u.completeness, COALESCE(string_to_array(NULLIF(u.missing, ''), ','), '{}'), u.late, u.registered_at,
				u.activated_at, u.protected_until, u.next_follow_up_due, u.claim_ref, $20
			FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[],
				$10::text[], $11::timestamptz[], $12::int[], $13::text[], $14::bool[], $15::timestamptz[], $16::timestamptz[],
				$17::timestamptz[], $18::timestamptz[], $19::text[])
				AS u(id, customer_id, owner_id, team_id, status, details, grade, needs, source, first_contact_at, completeness,
					missing, late, registered_at, activated_at, protected_until, next_follow_up_due, claim_ref)`,
			[]any{t, reg.ids, reg.customers, reg.owners, reg.teams, reg.statuses, reg.details, reg.grades, reg.needs, reg.sources,
				reg.firstContacts, reg.scores, reg.missing, reg.late, reg.registeredAt, reg.activatedAt, reg.protectedUntil,
				reg.nextFollowUp, reg.claimRefs, w.now}},
		{`INSERT INTO audit_log (tenant_id, actor_id, action, entity, entity_id, after, request_id)
			SELECT $1, $2, 'registration.create', 'registration', u.id,
				jsonb_build_object('status', u.status, 'customer', u.name, 'completeness', u.score, 'late', u.late, 'import', $3::bigint), $4
			FROM unnest($5::bigint[], $6::text[], $7::text[], $8::int[], $9::bool[]) AS u(id, status, name, score, late)`,
			[]any{t, w.by.UserID, w.jobID, w.by.RequestID, reg.ids, reg.statuses, reg.names, reg.scores, reg.late}},
	}
	for _, st := range steps {
		if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
			return fmt.Errorf("import batch: %w", err)
		}
	}
	// The keys' primary key picks one winner against a concurrent
	// registration, as takeKeys does: a key taken meanwhile starts over.
	tag, err := tx.Exec(ctx, `INSERT INTO live_keys (tenant_id, kind, key, registration_id)
		SELECT $1, u.kind, u.key, u.id FROM unnest($2::bigint[], $3::text[], $4::text[]) AS u(id, kind, key) ON CONFLICT DO NOTHING`,
		t, liveReg, liveKind, liveVal)
	if err != nil {
		return fmt.Errorf("import live keys: %w", err)
	}
	if int(tag.RowsAffected()) < len(liveReg) {
		return errRaced
	}
	return nil
}

// importedCustomers are the customers to write, column by column.
type importedCustomers struct {
	ids                                      []int64
	kinds, names, nameKeys, regions, details []string
}

func (c *importedCustomers) add(p plannedRow) error {
	details, err := json.Marshal(p.in.Customer)
	if err != nil {
		return err
	}
	cu := p.in.Customer
	c.ids, c.kinds, c.names = append(c.ids, p.customerID), append(c.kinds, string(cu.Kind)), append(c.names, cu.Name)
	c.nameKeys, c.regions, c.details = append(c.nameKeys, NameKey(cu.Name)), append(c.regions, cu.Region), append(c.details, string(details))
	return nil
}

// importedRegistrations are the registrations to write, column by column.
type importedRegistrations struct {
	ids, customers, owners                                   []int64
	teams                                                    []*int64
	statuses, details, grades, needs, sources, names         []string
	missing, claimRefs                                       []string
	scores                                                   []int32
	late                                                     []bool
	firstContacts, activatedAt, protectedUntil, nextFollowUp []*time.Time
	registeredAt                                             []time.Time
}

// add appends a new claim: registered at the row's time (or now), and when
// active, activated now — protection starts with the import — with its
// first follow-up due by its grade, as activate sets them.
func (r *importedRegistrations) add(p plannedRow, pol Policy, now time.Time) error {
	details, err := json.Marshal(p.in.Customer)
	if err != nil {
		return err
	}
	var team *int64
	if p.owner.teamID != 0 {
		team = &p.owner.teamID
	}
	regAt := now
	if p.registeredAt != nil {
		regAt = *p.registeredAt
	}
	var activated, protected, next *time.Time
	if p.status == StatusActive {
		activated, protected = &now, protectionEnd(pol, now)
		if days, ok := pol.FollowUpDays[p.in.Grade]; ok && p.in.Grade != "" {
			due := now.AddDate(0, 0, days)
			next = &due
		}
	}
	r.ids, r.customers, r.owners, r.teams = append(r.ids, p.result.RegistrationID), append(r.customers, p.customerID), append(r.owners, p.owner.id), append(r.teams, team)
	r.statuses, r.details, r.grades = append(r.statuses, string(p.status)), append(r.details, string(details)), append(r.grades, p.in.Grade)
	r.needs, r.sources, r.names = append(r.needs, p.in.Needs), append(r.sources, p.in.Source), append(r.names, p.in.Customer.Name)
	r.missing, r.claimRefs = append(r.missing, strings.Join(p.missing, ",")), append(r.claimRefs, newClaimRef())
	r.scores, r.late, r.registeredAt = append(r.scores, int32(p.score)), append(r.late, p.late), append(r.registeredAt, regAt)
	r.firstContacts, r.activatedAt = append(r.firstContacts, p.in.FirstContactAt), append(r.activatedAt, activated)
	r.protectedUntil, r.nextFollowUp = append(r.protectedUntil, protected), append(r.nextFollowUp, next)
	return nil
}
