package domain

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// The audit hash chain (domain.md, Audit and privacy).
//
// Writers only append to audit_log (audit.go); a trigger queues each new
// row's key in audit_unsealed — a plain insert of a key of its own, so
// concurrent writers never wait on each other, on a shared "last hash" or
// on the sealer. The sealer chains rows in the order it sees them commit:
// it takes the queued rows that are visible (committed), in id order
// within one batch, gives each the next seq of its tenant and
// hash = SHA-256(prev_hash ‖ seq ‖ the entry), stores that in audit_seals
// and removes the rows from the queue, all in one transaction.
//
// Identity ids may commit out of order: a transaction holding id 10 can
// commit after one holding id 11. A sealer that chained by id would have
// to wait for gaps that may never fill (ids of rolled-back transactions).
// Chaining in the order the queue shows committed rows has no gaps to
// wait for: a late row is simply sealed in the next round, with a higher
// seq than rows of higher id. The chain order is seq, not id.
//
// Only sealers of one tenant serialise, on a transaction advisory lock
// that writers never take; the background sealer skips a tenant another
// instance is sealing. audit_seals is append-only for the application, as
// the log is. Verification recomputes every hash in seq order and names
// the first entry that does not match.

// sealLockClass is the first key of the per-tenant advisory lock under
// which the chain grows ("se" as an int32); the second is the tenant id.
const sealLockClass = 0x7365

// sealBatch is how many entries one sealing transaction chains.
const sealBatch = 1000

// genesisHash is the prev_hash of a tenant's first seal.
var genesisHash = make([]byte, sha256.Size)

// auditEntry is an audit row as the chain covers it; JSON columns are
// taken as Postgres prints them, which is stable for a stored jsonb.
type auditEntry struct {
	TenantID, ID   int64
	At             time.Time
	ActorID        *int64
	Action, Entity string
	EntityID       *int64
	Before, After  *string
	RequestID      string
}

const auditEntryColumns = `a.tenant_id, a.id, a.at, a.actor_id, a.action, a.entity, a.entity_id, a.before::text, a.after::text, a.request_id`

func scanAuditEntry(row pgx.Row) (auditEntry, error) {
	var e auditEntry
	err := row.Scan(&e.TenantID, &e.ID, &e.At, &e.ActorID, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.RequestID)
	return e, err
}

// sealHash is the hash of the seq-th seal, over the previous seal's hash
// and every column of the entry, each length-prefixed (absent values
// marked) so that no two entries encode alike.
func sealHash(prev []byte, seq int64, e auditEntry) []byte {
	h := sha256.New()
	h.Write(prev)
	num := func(v int64) {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(v))
		h.Write(b[:])
	}
	str := func(s string) {
		num(int64(len(s)))
		h.Write([]byte(s))
	}
	optNum := func(v *int64) {
		if v == nil {
			h.Write([]byte{0})
			return
		}
		h.Write([]byte{1})
		num(*v)
	}
	optStr := func(s *string) {
		if s == nil {
			h.Write([]byte{0})
			return
		}
		h.Write([]byte{1})
		str(*s)
	}
	num(seq)
	num(e.TenantID)
	num(e.ID)
	num(e.At.UnixMicro())
	optNum(e.ActorID)
	str(e.Action)
	str(e.Entity)
	optNum(e.EntityID)
	optStr(e.Before)
	optStr(e.After)
	str(e.RequestID)
	return h.Sum(nil)
}

// SealAudit chains the committed, unsealed audit entries of every tenant,
// skipping a tenant that another sealer is chaining just then, and returns
// how many it sealed. It is the background sealer's round.
func (s *Service) SealAudit(ctx context.Context) (int, error) {
	ids, err := s.TenantIDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("seal audit: %w", err)
	}
	total := 0
	for _, id := range ids {
		n, err := s.sealTenant(ctx, id, false)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// sealTenant chains a tenant's committed, unsealed entries, batch by
// batch. wait says whether to wait for another sealer of the tenant or
// to leave the work to it.
func (s *Service) sealTenant(ctx context.Context, tenantID int64, wait bool) (int, error) {
	total := 0
	var after int64
	for more := true; more; {
		n := 0
		err := s.db.InTenant(ctx, tenantID, func(tx pgx.Tx) error {
			ok, err := lockChain(ctx, tx, tenantID, wait)
			if err != nil || !ok {
				more = false
				return err
			}
			n, after, more, err = sealBatchTx(ctx, tx, tenantID, after)
			return err
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("seal audit of tenant %d: %w", tenantID, err)
		}
	}
	return total, nil
}

// lockChain takes the tenant's chain lock for the transaction, waiting
// for it or not; it reports whether it holds the lock.
func lockChain(ctx context.Context, tx pgx.Tx, tenantID int64, wait bool) (bool, error) {
	if wait {
		_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1::int, $2::int)`, sealLockClass, tenantID)
		return err == nil, err
	}
	var ok bool
	err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1::int, $2::int)`, sealLockClass, tenantID).Scan(&ok)
	return ok, err
}

// sealBatchTx chains the entries of up to sealBatch queued ids above
// after onto the tenant's chain. It returns how many it sealed, the last
// queued id it looked at and whether more may wait. Both look-ups go by
// primary key; a queued id whose entry is gone (deleted before sealing)
// stays queued for verification to report.
func sealBatchTx(ctx context.Context, tx pgx.Tx, tenantID, after int64) (sealed int, last int64, more bool, err error) {
	rows, err := tx.Query(ctx, `SELECT audit_id FROM audit_unsealed WHERE tenant_id = $1 AND audit_id > $2
		ORDER BY audit_id LIMIT $3`, tenantID, after, sealBatch)
	if err != nil {
		return 0, after, false, fmt.Errorf("sealing queue: %w", err)
	}
	queued, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(queued) == 0 {
		return 0, after, false, err
	}
	last, more = queued[len(queued)-1], len(queued) == sealBatch
	rows, err = tx.Query(ctx, `SELECT `+auditEntryColumns+` FROM audit_log a
		WHERE a.tenant_id = $1 AND a.id = ANY($2) ORDER BY a.id`, tenantID, queued)
	if err != nil {
		return 0, last, more, fmt.Errorf("unsealed entries: %w", err)
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (auditEntry, error) { return scanAuditEntry(r) })
	if err != nil || len(entries) == 0 {
		return 0, last, more, err
	}
	seq, prev, err := chainTip(ctx, tx, tenantID)
	if err != nil {
		return 0, last, more, err
	}
	seqs, ids := make([]int64, len(entries)), make([]int64, len(entries))
	prevs, hashes := make([][]byte, len(entries)), make([][]byte, len(entries))
	for i, e := range entries {
		seq++
		seqs[i], ids[i], prevs[i] = seq, e.ID, prev
		prev = sealHash(prev, seq, e)
		hashes[i] = prev
	}
	if _, err := tx.Exec(ctx, `INSERT INTO audit_seals (tenant_id, seq, audit_id, prev_hash, hash)
		SELECT $1, s.seq, s.id, s.prev, s.hash FROM unnest($2::bigint[], $3::bigint[], $4::bytea[], $5::bytea[]) AS s(seq, id, prev, hash)`,
		tenantID, seqs, ids, prevs, hashes); err != nil {
		return 0, last, more, fmt.Errorf("insert seals: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM audit_unsealed WHERE tenant_id = $1 AND audit_id = ANY($2)`, tenantID, ids); err != nil {
		return 0, last, more, fmt.Errorf("dequeue sealed: %w", err)
	}
	return len(entries), last, more, nil
}

// chainTip returns the tenant's last seq and hash (0 and the genesis hash
// for an empty chain).
func chainTip(ctx context.Context, tx pgx.Tx, tenantID int64) (int64, []byte, error) {
	var (
		seq  int64
		hash []byte
	)
	err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_seals WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1`, tenantID).Scan(&seq, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, genesisHash, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("chain tip: %w", err)
	}
	return seq, hash, nil
}

// AuditBreak is the first place a tenant's chain fails to verify: the
// seal (Seq) and audit entry (AuditID) concerned, and what is wrong.
type AuditBreak struct {
	Seq     int64
	AuditID int64
	Problem i18n.Text
}

// AuditCheck is the verification of one tenant's audit chain.
type AuditCheck struct {
	TenantID int64
	Slug     string
	Entries  int64  // entries verified
	Tip      []byte // the last seal's hash, to note down outside the database
	Break    *AuditBreak
}

// VerifyAudit seals what is pending and then verifies the audit chain of
// the company with code slug, or of every company when slug is "" — the
// `baobei audit verify` command. An unknown slug is ErrNotFound.
func (s *Service) VerifyAudit(ctx context.Context, slug string) ([]AuditCheck, error) {
	var ids []int64
	if slug != "" {
		id, err := s.tenantBySlug(ctx, slug)
		if err != nil {
			return nil, fmt.Errorf("verify audit: %w", err)
		}
		ids = []int64{id}
	} else {
		var err error
		if ids, err = s.TenantIDs(ctx); err != nil {
			return nil, fmt.Errorf("verify audit: %w", err)
		}
	}
	var out []AuditCheck
	for _, id := range ids {
		t, err := s.TenantByID(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("verify audit: %w", err)
		}
		c, err := s.verifyTenant(ctx, id)
		if err != nil {
			return nil, err
		}
		c.Slug = t.Slug
		out = append(out, c)
	}
	return out, nil
}

// verifyTenant seals the tenant's pending entries, then walks its chain
// in seq order under the chain lock, recomputing every hash, and finally
// looks for entries outside the chain.
func (s *Service) verifyTenant(ctx context.Context, tenantID int64) (AuditCheck, error) {
	c := AuditCheck{TenantID: tenantID, Tip: genesisHash}
	if _, err := s.sealTenant(ctx, tenantID, true); err != nil {
		return c, err
	}
	err := s.db.InTenant(ctx, tenantID, func(tx pgx.Tx) error {
		if _, err := lockChain(ctx, tx, tenantID, true); err != nil {
			return err
		}
		var err error
		if c.Break, err = walkChain(ctx, tx, tenantID, &c); err != nil || c.Break != nil {
			return err
		}
		c.Break, err = outsideChain(ctx, tx, tenantID)
		return err
	})
	if err != nil {
		return c, fmt.Errorf("verify audit of tenant %d: %w", tenantID, err)
	}
	return c, nil
}

// walkChain recomputes the chain seal by seal and returns the first break.
func walkChain(ctx context.Context, tx pgx.Tx, tenantID int64, c *AuditCheck) (*AuditBreak, error) {
	rows, err := tx.Query(ctx, `SELECT s.seq, s.audit_id, s.prev_hash, s.hash, a.id IS NOT NULL,
			s.tenant_id, s.audit_id, COALESCE(a.at, 'epoch'), a.actor_id, COALESCE(a.action, ''), COALESCE(a.entity, ''), a.entity_id,
			a.before::text, a.after::text, COALESCE(a.request_id, '')
		FROM audit_seals s LEFT JOIN audit_log a ON a.tenant_id = s.tenant_id AND a.id = s.audit_id
		WHERE s.tenant_id = $1 ORDER BY s.seq`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("walk chain: %w", err)
	}
	defer rows.Close()
	prev := genesisHash
	for rows.Next() {
		var (
			seq, auditID     int64
			prevHash, stored []byte
			present          bool
			e                auditEntry
		)
		if err := rows.Scan(&seq, &auditID, &prevHash, &stored, &present, &e.TenantID, &e.ID, &e.At, &e.ActorID,
			&e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.RequestID); err != nil {
			return nil, fmt.Errorf("walk chain: %w", err)
		}
		brk := func(zh, en string) *AuditBreak {
			return &AuditBreak{Seq: seq, AuditID: auditID, Problem: i18n.Text{Zh: zh, En: en}}
		}
		switch {
		case seq != c.Entries+1:
			return &AuditBreak{Seq: c.Entries + 1, Problem: i18n.Text{
				Zh: fmt.Sprintf("第 %d 个封印缺失", c.Entries+1), En: fmt.Sprintf("seal %d is missing", c.Entries+1)}}, nil
		case !bytes.Equal(prevHash, prev):
			return brk("封印与前一个不衔接", "the seal does not follow the one before it"), nil
		case !present:
			return brk("审计记录已被删除", "the audit entry was deleted"), nil
		case !bytes.Equal(sealHash(prev, seq, e), stored):
			return brk("审计记录或其封印已被篡改", "the audit entry or its seal was altered"), nil
		}
		c.Entries, prev = seq, stored
		c.Tip = stored
	}
	return nil, rows.Err()
}

// outsideChain returns, as a break, an audit entry that is neither sealed
// nor queued (inserted past the queue), or a queued entry that no longer
// exists (deleted before it was sealed).
func outsideChain(ctx context.Context, tx pgx.Tx, tenantID int64) (*AuditBreak, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT a.id FROM audit_log a WHERE a.tenant_id = $1
		AND NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.tenant_id = a.tenant_id AND s.audit_id = a.id)
		AND NOT EXISTS (SELECT 1 FROM audit_unsealed q WHERE q.tenant_id = a.tenant_id AND q.audit_id = a.id)
		ORDER BY a.id LIMIT 1`, tenantID).Scan(&id)
	if err == nil {
		return &AuditBreak{AuditID: id, Problem: i18n.Text{Zh: "审计记录不在链中 (绕过了封印队列)", En: "the audit entry is outside the chain (it bypassed the sealing queue)"}}, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("unchained entries: %w", err)
	}
	err = tx.QueryRow(ctx, `SELECT q.audit_id FROM audit_unsealed q WHERE q.tenant_id = $1
		AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.tenant_id = q.tenant_id AND a.id = q.audit_id)
		ORDER BY q.audit_id LIMIT 1`, tenantID).Scan(&id)
	if err == nil {
		return &AuditBreak{AuditID: id, Problem: i18n.Text{Zh: "审计记录在封印前被删除", En: "the audit entry was deleted before it was sealed"}}, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("dangling queue: %w", err)
	}
	return nil, nil
}
