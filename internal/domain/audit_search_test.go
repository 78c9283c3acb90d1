package domain_test

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"baobei/internal/domain"
)

func TestAuditFilterFromQuery(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, shanghai) }
	tests := []struct {
		name  string
		query string
		want  domain.AuditFilter
		bad   string // the parameter refused, "" when valid
	}{
		{"empty", "", domain.AuditFilter{}, ""},
		{"dates: to is inclusive", "from=2026-11-02&to=2026-11-03", domain.AuditFilter{From: day(2), To: day(4)}, ""},
		{"RFC 3339", "from=2026-11-02T00:00:00%2B08:00", domain.AuditFilter{From: day(2)}, ""},
		{"texts and ids", "actor=王&action=dispute.&entity=dispute&entity_id=7&cursor=9",
			domain.AuditFilter{Actor: "王", Action: "dispute.", Entity: "dispute", EntityID: 7, Cursor: 9}, ""},
		{"bad date", "from=yesterday", domain.AuditFilter{}, "from"},
		{"bad id", "entity_id=x", domain.AuditFilter{}, "entity_id"},
		{"negative cursor", "cursor=-1", domain.AuditFilter{}, "cursor"},
		{"a NUL in a text", "actor=%00", domain.AuditFilter{}, "actor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := domain.AuditFilterFromQuery(q, shanghai)
			if tt.bad != "" {
				var de *domain.Error
				if !errors.As(err, &de) || de.Fields[tt.bad].Zh == "" {
					t.Fatalf("err = %v, want a message for %s", err, tt.bad)
				}
				return
			}
			if err != nil || got.Actor != tt.want.Actor || got.Action != tt.want.Action || got.Entity != tt.want.Entity ||
				got.EntityID != tt.want.EntityID || got.Cursor != tt.want.Cursor || !got.From.Equal(tt.want.From) || !got.To.Equal(tt.want.To) {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
