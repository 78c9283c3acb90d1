package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// `baobei audit verify` passes on an untouched log and fails, naming the
// entry, once a superuser alters a row.
func TestAuditVerifyCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, getenv := testEnv(t)
	var out bytes.Buffer
	for _, args := range [][]string{
		{"tenant", "create", "--slug", "acme", "--name", "Acme", "--admin-username", "boss", "--admin-password", "secret123"},
		{"tenant", "create", "--slug", "other", "--name", "Other", "--admin-username", "boss", "--admin-password", "secret123"},
	} {
		if err := run(ctx, args, getenv, &out); err != nil {
			t.Fatal(err)
		}
	}
	owner, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	var target int64
	if err := owner.QueryRow(ctx, `SELECT a.id FROM audit_log a JOIN tenants t ON t.id = a.tenant_id
		WHERE t.slug = 'acme' ORDER BY a.id LIMIT 1`).Scan(&target); err != nil {
		t.Fatal(err)
	}

	verify := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"audit", "verify"}, args...), getenv, &out)
		return out.String(), err
	}
	if got, err := verify(); err != nil || !strings.Contains(got, "acme: ") || !strings.Contains(got, "other: ") || strings.Contains(got, "BROKEN") {
		t.Fatalf("untouched log: %v\n%s", err, got)
	}
	if _, err := owner.Exec(ctx, `UPDATE audit_log SET action = 'tenant.forged' WHERE id = $1`, target); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		want    string
	}{
		{"every company", nil, true, "acme: chain BROKEN at audit entry " + strconv.FormatInt(target, 10) + " "},
		{"the altered company", []string{"--tenant", "acme"}, true, "audit entry " + strconv.FormatInt(target, 10)},
		{"another company", []string{"--tenant", "other"}, false, "other: "},
		{"unknown company", []string{"--tenant", "nobody"}, true, ""},
		{"no subcommand", []string{"--tenant"}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := verify(tt.args...)
			if (err != nil) != tt.wantErr || !strings.Contains(got, tt.want) {
				t.Errorf("audit verify %v: err = %v, output:\n%s\nwant error %v and %q", tt.args, err, got, tt.wantErr, tt.want)
			}
		})
	}
	var out2 bytes.Buffer
	if err := run(ctx, []string{"audit", "check"}, getenv, &out2); err == nil {
		t.Error("audit check: no error")
	}
}
