package main

import (
	"bytes"
	"context"
	"testing"

	"baobei/internal/db"
	"baobei/internal/db/dbtest"
	"baobei/internal/domain"
)

// testEnv returns a fresh database's URL and the environment that names it
// as DATABASE_URL, for calling run.
func testEnv(t *testing.T) (string, func(string) string) {
	t.Helper()
	url := dbtest.MustURL(t)
	return url, func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}
}

// mustDemoCommand runs `baobei demo` on a fresh database and returns the
// environment naming it and a service on it.
func mustDemoCommand(t *testing.T) (func(string) string, *domain.Service) {
	t.Helper()
	ctx := context.Background()
	url, getenv := testEnv(t)
	var out bytes.Buffer
	if err := run(ctx, []string{"demo"}, getenv, &out); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return getenv, domain.NewService(d)
}
