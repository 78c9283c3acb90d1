package domain

import "context"

// SetAfterImportBatch makes s call fn after each batch an import writes,
// inside its transaction; an error fails the import.
func SetAfterImportBatch(s *Service, fn func(ctx context.Context, done int) error) {
	s.afterImportBatch = fn
}

// RunPendingImports runs the queued and interrupted import jobs once.
func RunPendingImports(ctx context.Context, s *Service) error { return s.runPendingImports(ctx) }

// ImportBatch is how many rows an import writes between progress reports.
const ImportBatch = importBatch
