package domain_test

import (
	"os"
	"testing"

	"baobei/internal/db/dbtest"
)

// TestMain waits for the tests' databases to be dropped before exiting.
func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }
