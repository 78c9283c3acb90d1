// Package domain holds Baobei's business rules and the SQL that applies
// them. Exported units of work open their own tenant transaction; private
// helpers take the pgx.Tx; decisions are pure functions.
package domain

import (
	"context"
	"time"

	"golang.org/x/crypto/bcrypt"

	"baobei/internal/db"
)

// Service runs the units of work against the database.
type Service struct {
	db *db.DB
	// Now is the clock; tests and `baobei sweep --now` replace it.
	Now func() time.Time
	// PasswordCost is bcrypt's work factor for passwords stored from now
	// on; tests lower it, since they hash hundreds.
	PasswordCost int
	// importQueued wakes RunImports when StartImport queues a job.
	importQueued chan struct{}
	// afterImportBatch, when set (tests), runs after each batch an import
	// writes, inside its transaction; an error fails the import.
	afterImportBatch func(ctx context.Context, done int) error
}

// NewService returns a Service on d with the real clock.
func NewService(d *db.DB) *Service {
	return &Service{db: d, Now: time.Now, PasswordCost: bcrypt.DefaultCost, importQueued: make(chan struct{}, 1)}
}

// DB returns the service's database, for the few callers (health check,
// session store) that need the pool itself.
func (s *Service) DB() *db.DB { return s.db }

func isUnique(err error) bool {
	_, ok := db.UniqueViolation(err)
	return ok
}
