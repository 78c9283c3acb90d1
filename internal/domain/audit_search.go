package domain

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"baobei/internal/i18n"
)

// AuditFilter narrows the audit log. Empty fields do not filter.
type AuditFilter struct {
	Actor    string // part of the actor's username or name
	Action   string // an action ("dispute.decide") or its prefix ("dispute.")
	Entity   string
	EntityID int64
	From, To time.Time // at >= From, at < To
	Limit    int
	Cursor   int64 // list ids below this one
}

// AuditFilterFromQuery reads a filter from the query of the admin's
// audit search (actor, action, entity, entity_id, from, to, cursor):
// dates are YYYY-MM-DD in loc, to inclusive, or RFC 3339 times. Bad values
// are Invalid, keyed by parameter.
func AuditFilterFromQuery(q url.Values, loc *time.Location) (AuditFilter, error) {
	f := AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Entity: q.Get("entity")}
	errs := map[string]i18n.Text{}
	for key, v := range map[string]string{"actor": f.Actor, "action": f.Action, "entity": f.Entity} {
		if m, bad := checkText(v, maxShortRunes, false); bad {
			errs[key] = m
		}
	}
	for _, p := range []struct {
		key string
		dst *int64
	}{{"entity_id", &f.EntityID}, {"cursor", &f.Cursor}} {
		if v := q.Get(p.key); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				errs[p.key] = i18n.Text{Zh: "须为正整数", En: "must be a positive whole number"}
			}
			*p.dst = n
		}
	}
	for _, p := range []struct {
		key  string
		dst  *time.Time
		next bool // a date means the end of that day
	}{{"from", &f.From, false}, {"to", &f.To, true}} {
		v := strings.TrimSpace(q.Get(p.key))
		if v == "" {
			continue
		}
		if d, err := time.ParseInLocation(time.DateOnly, v, loc); err == nil {
			if p.next {
				d = d.AddDate(0, 0, 1)
			}
			*p.dst = d
		} else if t, err := time.Parse(time.RFC3339, v); err == nil {
			*p.dst = t
		} else {
			errs[p.key] = i18n.Text{Zh: "日期格式须为 YYYY-MM-DD", En: "a date must be YYYY-MM-DD"}
		}
	}
	if len(errs) > 0 {
		return f, Invalid(errs)
	}
	return f, nil
}

// AuditRecord is one audit entry as the admin reads it. Seq is its place in
// the tenant's hash chain, 0 while it waits for the sealer.
type AuditRecord struct {
	ID        int64     `json:"id,string"`
	At        time.Time `json:"at"`
	ActorID   int64     `json:"actor_id,string,omitempty"`
	ActorName string    `json:"actor_name"`
	Username  string    `json:"username"`
	Action    string    `json:"action"`
	Entity    string    `json:"entity"`
	EntityID  int64     `json:"entity_id,string,omitempty"`
	Before    string    `json:"before,omitempty"` // JSON
	After     string    `json:"after,omitempty"`  // JSON
	RequestID string    `json:"request_id,omitempty"`
	Seq       int64     `json:"seq,omitempty"`
}

// auditQuery builds the SQL of a filtered audit search, newest first, and
// its arguments; limit 0 means no limit.
func auditQuery(by Actor, f AuditFilter, limit int) (string, []any) {
	args := []any{by.TenantID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := []string{"a.tenant_id = $1"}
	if q := strings.TrimSpace(f.Actor); q != "" {
		p := arg("%" + escapeLike(q) + "%")
		where = append(where, "(u.username ILIKE "+p+" OR u.display_name ILIKE "+p+")")
	}
	if q := strings.TrimSpace(f.Action); q != "" {
		where = append(where, "a.action LIKE "+arg(escapeLike(q)+"%"))
	}
	if q := strings.TrimSpace(f.Entity); q != "" {
		where = append(where, "a.entity = "+arg(q))
	}
	if f.EntityID > 0 {
		where = append(where, "a.entity_id = "+arg(f.EntityID))
	}
	if !f.From.IsZero() {
		where = append(where, "a.at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "a.at < "+arg(f.To))
	}
	if f.Cursor > 0 {
		where = append(where, "a.id < "+arg(f.Cursor))
	}
	sql := `SELECT a.id, a.at, COALESCE(a.actor_id, 0), COALESCE(u.display_name, ''), COALESCE(u.username, ''), a.action, a.entity,
			COALESCE(a.entity_id, 0), COALESCE(a.before::text, ''), COALESCE(a.after::text, ''), a.request_id, COALESCE(s.seq, 0)
		FROM audit_log a
		LEFT JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.actor_id
		LEFT JOIN audit_seals s ON s.tenant_id = a.tenant_id AND s.audit_id = a.id
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY a.id DESC`
	if limit > 0 {
		sql += ` LIMIT ` + arg(limit)
	}
	return sql, args
}

func scanAuditRecord(r pgx.Row) (AuditRecord, error) {
	var a AuditRecord
	err := r.Scan(&a.ID, &a.At, &a.ActorID, &a.ActorName, &a.Username, &a.Action, &a.Entity, &a.EntityID,
		&a.Before, &a.After, &a.RequestID, &a.Seq)
	return a, err
}

// AuditLog searches the company's audit log, newest first, and returns
// the next cursor, 0 at the end. Admins only (ErrForbidden otherwise).
func (s *Service) AuditLog(ctx context.Context, by Actor, f AuditFilter) ([]AuditRecord, int64, error) {
	if !by.Is(RoleAdmin) {
		return nil, 0, ErrForbidden
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var out []AuditRecord
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		sql, args := auditQuery(by, f, f.Limit+1)
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditRecord, error) { return scanAuditRecord(r) }); err != nil {
			return err
		}
		return resolveAuditRecords(ctx, tx, by.TenantID, out)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("audit log: %w", err)
	}
	out, next := trimPage(out, f.Limit, func(x AuditRecord) int64 { return x.ID })
	return out, next, nil
}

// maxAuditExport bounds one CSV export.
const maxAuditExport = 100000

// ExportAuditCSV writes the entries AuditLog would find (all pages, at
// most 100,000, newest first; Limit and Cursor are ignored) to w as CSV
// with a UTF-8 byte-order mark, so that spreadsheet programs read the
// Chinese; times are in the tenant's zone. The export itself is audited
// (audit.export). Admins only (ErrForbidden otherwise).
func (s *Service) ExportAuditCSV(ctx context.Context, by Actor, f AuditFilter, w io.Writer) error {
	if !by.Is(RoleAdmin) {
		return ErrForbidden
	}
	f.Cursor = 0
	err := s.db.InTenant(ctx, by.TenantID, func(tx pgx.Tx) error {
		pol, err := loadPolicy(ctx, tx, by.TenantID)
		if err != nil {
			return err
		}
		loc := pol.Location()
		if err := audit(ctx, tx, by, "audit.export", "audit_log", 0, nil, map[string]any{"actor": f.Actor, "action": f.Action,
			"entity": f.Entity, "entity_id": f.EntityID, "from": f.From, "to": f.To}); err != nil {
			return err
		}
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		if err := cw.Write([]string{"id", "at", "actor", "username", "action", "entity", "entity_id", "before", "after", "request_id", "seq"}); err != nil {
			return err
		}
		sql, args := auditQuery(by, f, maxAuditExport)
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		records, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditRecord, error) { return scanAuditRecord(r) })
		if err != nil {
			return err
		}
		if err := resolveAuditRecords(ctx, tx, by.TenantID, records); err != nil {
			return err
		}
		for _, a := range records {
			if err := cw.Write([]string{strconv.FormatInt(a.ID, 10), a.At.In(loc).Format(time.RFC3339), a.ActorName, a.Username,
				a.Action, a.Entity, optID(a.EntityID), a.Before, a.After, a.RequestID, optID(a.Seq)}); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return fmt.Errorf("export audit: %w", err)
	}
	return nil
}

// resolveAuditRecords puts the personal values back into the records'
// before and after (personal.go).
func resolveAuditRecords(ctx context.Context, tx pgx.Tx, tenantID int64, records []AuditRecord) error {
	texts := make([]*string, 0, 2*len(records))
	for i := range records {
		texts = append(texts, &records[i].Before, &records[i].After)
	}
	return resolvePersonal(ctx, tx, tenantID, texts...)
}

// optID is n as text, "" for 0.
func optID(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}
